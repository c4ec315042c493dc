package legacy

import (
	"strings"

	"github.com/golibbpf/libbpf"
)

// Def is one legacy section prefix and what libbpf 0.x made of it.
type Def struct {
	Prefix     string            // matched as a plain prefix of the section name
	ProgType   libbpf.ProgType   // the program type libbpf 0.x set
	AttachType libbpf.AttachType // the expected attach type libbpf 0.x set
	Use        string            // what to write instead with libbpf 1.x
}

// defs are libbpf 0.8's prefix-matched section definitions (SEC_SLOPPY_PFX)
// and the two it had deprecated (xdp_devmap/, xdp_cpumap/), in libbpf 0.8's
// order, followed by the prefixes that only libbpf 0.5 and older matched
// loosely. Order matters: the first matching prefix wins, so the longer
// prefixes come before the ones they extend.
var defs = []Def{
	{"socket", libbpf.ProgTypeSocketFilter, 0, "socket"},
	{"sk_reuseport/migrate", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelectOrMigrate, "sk_reuseport/migrate"},
	{"sk_reuseport", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelect, "sk_reuseport"},
	{"classifier", libbpf.ProgTypeSchedCLS, 0, "tc (or tcx/ingress, tcx/egress)"},
	{"action", libbpf.ProgTypeSchedACT, 0, "action"},
	{"xdp_devmap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap, "xdp/devmap"},
	{"xdp_cpumap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap, "xdp/cpumap"},
	{"xdp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP, "xdp"},
	{"perf_event", libbpf.ProgTypePerfEvent, 0, "perf_event"},
	{"lwt_in", libbpf.ProgTypeLWTIn, 0, "lwt_in"},
	{"lwt_out", libbpf.ProgTypeLWTOut, 0, "lwt_out"},
	{"lwt_xmit", libbpf.ProgTypeLWTXmit, 0, "lwt_xmit"},
	{"lwt_seg6local", libbpf.ProgTypeLWTSeg6Local, 0, "lwt_seg6local"},
	{"cgroup_skb/ingress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress, "cgroup_skb/ingress"},
	{"cgroup_skb/egress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetEgress, "cgroup_skb/egress"},
	{"cgroup/skb", libbpf.ProgTypeCgroupSKB, 0, "cgroup/skb"},
	{"cgroup/sock_create", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, "cgroup/sock_create"},
	{"cgroup/sock_release", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockRelease, "cgroup/sock_release"},
	{"cgroup/sock", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, "cgroup/sock"},
	{"cgroup/post_bind4", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet4PostBind, "cgroup/post_bind4"},
	{"cgroup/post_bind6", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet6PostBind, "cgroup/post_bind6"},
	{"cgroup/dev", libbpf.ProgTypeCgroupDevice, libbpf.AttachTypeCgroupDevice, "cgroup/dev"},
	{"sockops", libbpf.ProgTypeSockOps, libbpf.AttachTypeCgroupSockOps, "sockops"},
	{"sk_skb/stream_parser", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamParser, "sk_skb/stream_parser"},
	{"sk_skb/stream_verdict", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamVerdict, "sk_skb/stream_verdict"},
	{"sk_skb", libbpf.ProgTypeSKSKB, 0, "sk_skb"},
	{"sk_msg", libbpf.ProgTypeSKMsg, libbpf.AttachTypeSKMsgVerdict, "sk_msg"},
	{"lirc_mode2", libbpf.ProgTypeLIRCMode2, libbpf.AttachTypeLIRCMode2, "lirc_mode2"},
	{"flow_dissector", libbpf.ProgTypeFlowDissector, libbpf.AttachTypeFlowDissector, "flow_dissector"},
	{"cgroup/bind4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Bind, "cgroup/bind4"},
	{"cgroup/bind6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Bind, "cgroup/bind6"},
	{"cgroup/connect4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Connect, "cgroup/connect4"},
	{"cgroup/connect6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Connect, "cgroup/connect6"},
	{"cgroup/sendmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4SendMsg, "cgroup/sendmsg4"},
	{"cgroup/sendmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6SendMsg, "cgroup/sendmsg6"},
	{"cgroup/recvmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4RecvMsg, "cgroup/recvmsg4"},
	{"cgroup/recvmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6RecvMsg, "cgroup/recvmsg6"},
	{"cgroup/getpeername4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetPeerName, "cgroup/getpeername4"},
	{"cgroup/getpeername6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetPeerName, "cgroup/getpeername6"},
	{"cgroup/getsockname4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetSockName, "cgroup/getsockname4"},
	{"cgroup/getsockname6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetSockName, "cgroup/getsockname6"},
	{"cgroup/sysctl", libbpf.ProgTypeCgroupSysctl, libbpf.AttachTypeCgroupSysctl, "cgroup/sysctl"},
	{"cgroup/getsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupGetSockopt, "cgroup/getsockopt"},
	{"cgroup/setsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupSetSockopt, "cgroup/setsockopt"},
	{"sk_lookup", libbpf.ProgTypeSKLookup, libbpf.AttachTypeSKLookup, "sk_lookup"},
	// Matched by prefix only up to libbpf 0.5.
	{"syscall", libbpf.ProgTypeSyscall, 0, "syscall"},
	{"struct_ops", libbpf.ProgTypeStructOps, 0, "struct_ops (or struct_ops/<name>)"},
}

// Lookup returns the legacy definition that a section name matches the way
// libbpf 0.x matched it: the first prefix in libbpf 0.8's order.
func Lookup(section string) (Def, bool) {
	for _, d := range defs {
		if strings.HasPrefix(section, d.Prefix) {
			return d, true
		}
	}
	return Def{}, false
}

// Defs returns a copy of the table Lookup searches, in its order.
func Defs() []Def { return append([]Def(nil), defs...) }
