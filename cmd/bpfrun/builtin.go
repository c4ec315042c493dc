package main

import (
	"strings"

	"github.com/golibbpf/libbpf"
)

// builtinSection is one of libbpf's own SEC() forms. libbpf has no API that
// lists them, so this table restates section_defs[] of libbpf 1.7 (in its
// order, which is its matching order); TestBuiltinTable checks every row
// against libbpf.SectionDefinition so the table cannot drift from the
// linked libbpf.
type builtinSection struct {
	Form       string // "abc" exact, "abc/" prefix, "abc+" both
	ProgType   libbpf.ProgType
	AttachType libbpf.AttachType
	HasAttach  bool // AttachType is meaningful (libbpf's 0 is also BPF_CGROUP_INET_INGRESS)
	AutoAttach bool // libbpf has an attach function for it
	Sleepable  bool
}

func sec(form string, pt libbpf.ProgType, auto bool) builtinSection {
	return builtinSection{Form: form, ProgType: pt, AutoAttach: auto}
}

func secAT(form string, pt libbpf.ProgType, at libbpf.AttachType, auto bool) builtinSection {
	return builtinSection{Form: form, ProgType: pt, AttachType: at, HasAttach: true, AutoAttach: auto}
}

func sleepable(s builtinSection) builtinSection { s.Sleepable = true; return s }

const (
	auto   = true
	manual = false
)

// builtinSections is section_defs[] of libbpf 1.7.
var builtinSections = []builtinSection{
	sec("socket", libbpf.ProgTypeSocketFilter, manual),
	secAT("sk_reuseport/migrate", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelectOrMigrate, manual),
	secAT("sk_reuseport", libbpf.ProgTypeSKReuseport, libbpf.AttachTypeSKReuseportSelect, manual),
	sec("kprobe+", libbpf.ProgTypeKprobe, auto),
	sec("uprobe+", libbpf.ProgTypeKprobe, auto),
	sleepable(sec("uprobe.s+", libbpf.ProgTypeKprobe, auto)),
	sec("kretprobe+", libbpf.ProgTypeKprobe, auto),
	sec("uretprobe+", libbpf.ProgTypeKprobe, auto),
	sleepable(sec("uretprobe.s+", libbpf.ProgTypeKprobe, auto)),
	secAT("kprobe.multi+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceKprobeMulti, auto),
	secAT("kretprobe.multi+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceKprobeMulti, auto),
	secAT("kprobe.session+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceKprobeSession, auto),
	secAT("uprobe.multi+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeMulti, auto),
	secAT("uretprobe.multi+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeMulti, auto),
	secAT("uprobe.session+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeSession, auto),
	sleepable(secAT("uprobe.multi.s+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeMulti, auto)),
	sleepable(secAT("uretprobe.multi.s+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeMulti, auto)),
	sleepable(secAT("uprobe.session.s+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeSession, auto)),
	sec("ksyscall+", libbpf.ProgTypeKprobe, auto),
	sec("kretsyscall+", libbpf.ProgTypeKprobe, auto),
	sec("usdt+", libbpf.ProgTypeKprobe, auto),
	sleepable(sec("usdt.s+", libbpf.ProgTypeKprobe, auto)),
	secAT("tc/ingress", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXIngress, manual),
	secAT("tc/egress", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXEgress, manual),
	secAT("tcx/ingress", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXIngress, manual),
	secAT("tcx/egress", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXEgress, manual),
	sec("tc", libbpf.ProgTypeSchedCLS, manual),
	sec("classifier", libbpf.ProgTypeSchedCLS, manual),
	sec("action", libbpf.ProgTypeSchedACT, manual),
	secAT("netkit/primary", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeNetkitPrimary, manual),
	secAT("netkit/peer", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeNetkitPeer, manual),
	sec("tracepoint+", libbpf.ProgTypeTracepoint, auto),
	sec("tp+", libbpf.ProgTypeTracepoint, auto),
	sec("raw_tracepoint+", libbpf.ProgTypeRawTracepoint, auto),
	sec("raw_tp+", libbpf.ProgTypeRawTracepoint, auto),
	sec("raw_tracepoint.w+", libbpf.ProgTypeRawTracepointWritable, auto),
	sec("raw_tp.w+", libbpf.ProgTypeRawTracepointWritable, auto),
	secAT("tp_btf+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceRawTP, auto),
	secAT("fentry+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFentry, auto),
	secAT("fmod_ret+", libbpf.ProgTypeTracing, libbpf.AttachTypeModifyReturn, auto),
	secAT("fexit+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFexit, auto),
	sleepable(secAT("fentry.s+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFentry, auto)),
	sleepable(secAT("fmod_ret.s+", libbpf.ProgTypeTracing, libbpf.AttachTypeModifyReturn, auto)),
	sleepable(secAT("fexit.s+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFexit, auto)),
	secAT("fsession+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFsession, auto),
	sleepable(secAT("fsession.s+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFsession, auto)),
	sec("freplace+", libbpf.ProgTypeExt, auto),
	secAT("lsm+", libbpf.ProgTypeLSM, libbpf.AttachTypeLSMMAC, auto),
	sleepable(secAT("lsm.s+", libbpf.ProgTypeLSM, libbpf.AttachTypeLSMMAC, auto)),
	secAT("lsm_cgroup+", libbpf.ProgTypeLSM, libbpf.AttachTypeLSMCgroup, manual),
	secAT("iter+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceIter, auto),
	sleepable(secAT("iter.s+", libbpf.ProgTypeTracing, libbpf.AttachTypeTraceIter, auto)),
	sleepable(sec("syscall", libbpf.ProgTypeSyscall, manual)),
	secAT("xdp.frags/devmap", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap, manual),
	secAT("xdp/devmap", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap, manual),
	secAT("xdp.frags/cpumap", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap, manual),
	secAT("xdp/cpumap", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap, manual),
	secAT("xdp.frags", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP, manual),
	secAT("xdp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP, manual),
	sec("perf_event", libbpf.ProgTypePerfEvent, manual),
	sec("lwt_in", libbpf.ProgTypeLWTIn, manual),
	sec("lwt_out", libbpf.ProgTypeLWTOut, manual),
	sec("lwt_xmit", libbpf.ProgTypeLWTXmit, manual),
	sec("lwt_seg6local", libbpf.ProgTypeLWTSeg6Local, manual),
	secAT("sockops", libbpf.ProgTypeSockOps, libbpf.AttachTypeCgroupSockOps, manual),
	secAT("sk_skb/stream_parser", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamParser, manual),
	secAT("sk_skb/stream_verdict", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBStreamVerdict, manual),
	secAT("sk_skb/verdict", libbpf.ProgTypeSKSKB, libbpf.AttachTypeSKSKBVerdict, manual),
	sec("sk_skb", libbpf.ProgTypeSKSKB, manual),
	secAT("sk_msg", libbpf.ProgTypeSKMsg, libbpf.AttachTypeSKMsgVerdict, manual),
	secAT("lirc_mode2", libbpf.ProgTypeLIRCMode2, libbpf.AttachTypeLIRCMode2, manual),
	secAT("flow_dissector", libbpf.ProgTypeFlowDissector, libbpf.AttachTypeFlowDissector, manual),
	secAT("cgroup_skb/ingress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress, manual),
	secAT("cgroup_skb/egress", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetEgress, manual),
	sec("cgroup/skb", libbpf.ProgTypeCgroupSKB, manual),
	secAT("cgroup/sock_create", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, manual),
	secAT("cgroup/sock_release", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockRelease, manual),
	secAT("cgroup/sock", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInetSockCreate, manual),
	secAT("cgroup/post_bind4", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet4PostBind, manual),
	secAT("cgroup/post_bind6", libbpf.ProgTypeCgroupSock, libbpf.AttachTypeCgroupInet6PostBind, manual),
	secAT("cgroup/bind4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Bind, manual),
	secAT("cgroup/bind6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Bind, manual),
	secAT("cgroup/connect4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4Connect, manual),
	secAT("cgroup/connect6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6Connect, manual),
	secAT("cgroup/connect_unix", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUnixConnect, manual),
	secAT("cgroup/sendmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4SendMsg, manual),
	secAT("cgroup/sendmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6SendMsg, manual),
	secAT("cgroup/sendmsg_unix", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUnixSendMsg, manual),
	secAT("cgroup/recvmsg4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP4RecvMsg, manual),
	secAT("cgroup/recvmsg6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUDP6RecvMsg, manual),
	secAT("cgroup/recvmsg_unix", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUnixRecvMsg, manual),
	secAT("cgroup/getpeername4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetPeerName, manual),
	secAT("cgroup/getpeername6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetPeerName, manual),
	secAT("cgroup/getpeername_unix", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUnixGetPeerName, manual),
	secAT("cgroup/getsockname4", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet4GetSockName, manual),
	secAT("cgroup/getsockname6", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupInet6GetSockName, manual),
	secAT("cgroup/getsockname_unix", libbpf.ProgTypeCgroupSockAddr, libbpf.AttachTypeCgroupUnixGetSockName, manual),
	secAT("cgroup/sysctl", libbpf.ProgTypeCgroupSysctl, libbpf.AttachTypeCgroupSysctl, manual),
	secAT("cgroup/getsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupGetSockopt, manual),
	secAT("cgroup/setsockopt", libbpf.ProgTypeCgroupSockopt, libbpf.AttachTypeCgroupSetSockopt, manual),
	secAT("cgroup/dev", libbpf.ProgTypeCgroupDevice, libbpf.AttachTypeCgroupDevice, manual),
	sec("struct_ops+", libbpf.ProgTypeStructOps, manual),
	sleepable(sec("struct_ops.s+", libbpf.ProgTypeStructOps, manual)),
	secAT("sk_lookup", libbpf.ProgTypeSKLookup, libbpf.AttachTypeSKLookup, manual),
	secAT("netfilter", libbpf.ProgTypeNetfilter, libbpf.AttachTypeNetfilter, manual),
}

// sectionMatches is libbpf's sec_def_matches: "abc/" matches "abc/<x>",
// "abc+" matches "abc" and "abc/<x>", "abc" matches itself only.
func sectionMatches(form, sec string) bool {
	if form == "" {
		return false
	}
	switch form[len(form)-1] {
	case '/':
		return strings.HasPrefix(sec, form)
	case '+':
		base := form[:len(form)-1]
		return sec == base || strings.HasPrefix(sec, base+"/")
	}
	return sec == form
}

// builtinFor returns libbpf's own form that sec matches, in libbpf's order.
func builtinFor(sec string) (builtinSection, bool) {
	for _, b := range builtinSections {
		if sectionMatches(b.Form, sec) {
			return b, true
		}
	}
	return builtinSection{}, false
}

// examples returns sections the form matches, for checks: the bare name
// and a name with a suffix, as the form allows.
func (b builtinSection) examples() []string {
	switch last := b.Form[len(b.Form)-1]; last {
	case '/':
		return []string{b.Form + "x"}
	case '+':
		base := b.Form[:len(b.Form)-1]
		return []string{base, base + "/x"}
	}
	return []string{b.Form}
}

// bareNoTarget lists the bases of libbpf's "+" forms whose attach function
// accepts the bare section (SEC("uprobe"), SEC("usdt"), SEC("tp"), ...) and
// attaches nothing: the name carries no target, so the program is left for
// the tool to attach by hand. SEC("usdt.s") is not here: libbpf's
// attach_usdt rejects it with EINVAL.
var bareNoTarget = map[string]bool{
	"kprobe": true, "kretprobe": true, "ksyscall": true, "kretsyscall": true,
	"kprobe.multi": true, "kretprobe.multi": true, "kprobe.session": true,
	"uprobe": true, "uprobe.s": true, "uretprobe": true, "uretprobe.s": true,
	"uprobe.multi": true, "uretprobe.multi": true, "uprobe.session": true,
	"uprobe.multi.s": true, "uretprobe.multi.s": true, "uprobe.session.s": true,
	"usdt": true, "tracepoint": true, "tp": true,
	"raw_tracepoint": true, "raw_tp": true, "raw_tracepoint.w": true, "raw_tp.w": true,
}

// namesNoTarget reports whether sec is a bare section of form b that
// libbpf accepts and does not auto-attach.
func (b builtinSection) namesNoTarget(sec string) bool {
	base, ok := strings.CutSuffix(b.Form, "+")
	return ok && sec == base && bareNoTarget[base]
}
