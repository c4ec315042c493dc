package legacy

import (
	"strings"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// Def is one legacy section prefix and what libbpf 0.x made of it.
type Def struct {
	Prefix     string            // matched as a plain prefix of the section name
	ProgType   libbpf.ProgType   // the program type libbpf 0.x set
	AttachType libbpf.AttachType // the expected attach type libbpf 0.x set
	Use        string            // what to write instead with libbpf 1.x
	Flags      uint32            // BPF_F_* load flags libbpf 0.x set (BPF_F_SLEEPABLE for syscall)
}

// defs are libbpf 0.8's prefix-matched section definitions (SEC_SLOPPY_PFX)
// and the two it had deprecated (xdp_devmap/, xdp_cpumap/), in libbpf 0.8's
// order, followed by the prefixes that only libbpf 0.5 and older matched
// loosely. Order matters: the first matching prefix wins, so the longer
// prefixes come before the ones they extend.
var defs = []Def{
	{"socket", libbpf.ProgTypeSocketFilter, 0, "socket", 0},
	{"sk_reuseport/migrate", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelectOrMigrate, "sk_reuseport/migrate", 0},
	{"sk_reuseport", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelect, "sk_reuseport", 0},
	{"classifier", libbpf.ProgTypeSchedCLS, 0, "tc (or tcx/ingress, tcx/egress)", 0},
	{"action", libbpf.ProgTypeSchedACT, 0, "action", 0},
	{"xdp_devmap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap, "xdp/devmap", 0},
	{"xdp_cpumap/", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap, "xdp/cpumap", 0},
	{"xdp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP, "xdp", 0},
	{"perf_event", libbpf.ProgTypePerfEvent, 0, "perf_event", 0},
	{"lwt_in", libbpf.ProgTypeLWTIn, 0, "lwt_in", 0},
	{"lwt_out", libbpf.ProgTypeLWTOut, 0, "lwt_out", 0},
	{"lwt_xmit", libbpf.ProgTypeLWTXmit, 0, "lwt_xmit", 0},
	{"lwt_seg6local", libbpf.ProgTypeLWTSeg6Local, 0, "lwt_seg6local", 0},
	{"cgroup_skb/ingress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress, "cgroup_skb/ingress", 0},
	{"cgroup_skb/egress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetEgress, "cgroup_skb/egress", 0},
	{"cgroup/skb", libbpf.ProgTypeCgroupSKB, 0, "cgroup/skb", 0},
	{"cgroup/sock_create", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, "cgroup/sock_create", 0},
	{"cgroup/sock_release", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockRelease, "cgroup/sock_release", 0},
	{"cgroup/sock", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, "cgroup/sock", 0},
	{"cgroup/post_bind4", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet4PostBind, "cgroup/post_bind4", 0},
	{"cgroup/post_bind6", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet6PostBind, "cgroup/post_bind6", 0},
	{"cgroup/dev", libbpf.ProgTypeCgroupDevice, libbpf.AttachTypeCgroupDevice, "cgroup/dev", 0},
	{"sockops", libbpf.ProgTypeSockOps, libbpf.AttachTypeCgroupSockOps, "sockops", 0},
	{"sk_skb/stream_parser", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamParser, "sk_skb/stream_parser", 0},
	{"sk_skb/stream_verdict", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamVerdict, "sk_skb/stream_verdict", 0},
	{"sk_skb", libbpf.ProgTypeSKSKB, 0, "sk_skb", 0},
	{"sk_msg", libbpf.ProgTypeSKMsg, libbpf.AttachTypeSKMsgVerdict, "sk_msg", 0},
	{"lirc_mode2", libbpf.ProgTypeLIRCMode2, libbpf.AttachTypeLIRCMode2, "lirc_mode2", 0},
	{"flow_dissector", libbpf.ProgTypeFlowDissector, libbpf.AttachTypeFlowDissector, "flow_dissector", 0},
	{"cgroup/bind4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Bind, "cgroup/bind4", 0},
	{"cgroup/bind6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Bind, "cgroup/bind6", 0},
	{"cgroup/connect4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Connect, "cgroup/connect4", 0},
	{"cgroup/connect6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Connect, "cgroup/connect6", 0},
	{"cgroup/sendmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4SendMsg, "cgroup/sendmsg4", 0},
	{"cgroup/sendmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6SendMsg, "cgroup/sendmsg6", 0},
	{"cgroup/recvmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4RecvMsg, "cgroup/recvmsg4", 0},
	{"cgroup/recvmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6RecvMsg, "cgroup/recvmsg6", 0},
	{"cgroup/getpeername4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetPeerName, "cgroup/getpeername4", 0},
	{"cgroup/getpeername6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetPeerName, "cgroup/getpeername6", 0},
	{"cgroup/getsockname4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetSockName, "cgroup/getsockname4", 0},
	{"cgroup/getsockname6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetSockName, "cgroup/getsockname6", 0},
	{"cgroup/sysctl", libbpf.ProgTypeCgroupSysctl, libbpf.AttachTypeCgroupSysctl, "cgroup/sysctl", 0},
	{"cgroup/getsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupGetSockopt, "cgroup/getsockopt", 0},
	{"cgroup/setsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupSetSockopt, "cgroup/setsockopt", 0},
	{"sk_lookup", libbpf.ProgTypeSKLookup, libbpf.AttachTypeSKLookup, "sk_lookup", 0},
	// Matched by prefix only up to libbpf 0.5.
	// The kernel loads syscall programs only as sleepable ones; libbpf 0.5
	// set the flag too.
	{"syscall", libbpf.ProgTypeSyscall, 0, "syscall", unix.BPF_F_SLEEPABLE},
	{"struct_ops", libbpf.ProgTypeStructOps, 0, "struct_ops (or struct_ops/<name>)", 0},
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
