// Package netif teaches libbpf to attach XDP and tcx programs to a network
// interface named in the program's section, so that Object.Attach (and
// libbpf's bpf_program__attach) attaches them without any Go code per
// program.
//
// # Section forms
//
// XDP, attached with an XDP link to the named interface (the kernel picks
// native mode when the driver supports it, generic mode otherwise):
//
//	SEC("xdp/eth0")          XDP program, auto-attached to eth0
//	SEC("xdp.frags/eth0")    the same, loaded with BPF_F_XDP_HAS_FRAGS
//
// tcx, attached with a tcx link (kernel 6.6 or later; see Older kernels) to
// the named interface:
//
//	SEC("tc/ingress/eth0")   sched_cls program on eth0's tcx ingress hook
//	SEC("tc/egress/eth0")    sched_cls program on eth0's tcx egress hook
//	SEC("tcx/ingress/eth0")  the same as tc/ingress/eth0
//	SEC("tcx/egress/eth0")   the same as tc/egress/eth0
//
// A tcx program returns TCX_NEXT (-1) to let the programs after it on the
// same hook run, or a final verdict (TCX_PASS, TCX_DROP, TCX_REDIRECT).
//
// # Older kernels
//
// Where the kernel lacks tcx (before 6.6), tc programs attach as classic tc
// filters (direct action, on the interface's clsact qdisc, created when
// missing and left in place afterwards); where it lacks XDP links (before
// 5.9), XDP programs attach through netlink; where it lacks XDP frags
// (before 5.18), xdp.frags programs load without BPF_F_XDP_HAS_FRAGS, which
// no packet needs there. Classic tc filters load without the tcx attach
// type, which kernels before 6.6 may refuse. tcx's verdicts have the same
// values as classic tc's (TCX_NEXT is TC_ACT_UNSPEC: go on to the next
// filter), so the programs need no change. Each fallback is chosen by
// probing the kernel once per process and logged once at Info level to
// libbpf.Logger. The Link of a fallback detaches the program on Close like
// a kernel link, but has no FD and cannot be pinned, and its Close must
// run in the network namespace the attach ran in.
//
// Forms that keep libbpf's meaning: custom handlers are tried before
// libbpf's own, and the "xdp/" and "xdp.frags/" handlers of this package
// therefore also see libbpf's device-map and CPU-map forms. They are handled
// exactly as libbpf does: expected attach type BPF_XDP_DEVMAP or
// BPF_XDP_CPUMAP, no auto-attach (the program is meant for a map entry):
//
//	SEC("xdp/devmap")  SEC("xdp.frags/devmap")
//	SEC("xdp/cpumap")  SEC("xdp.frags/cpumap")
//
// An interface really named "devmap" or "cpumap" cannot be addressed this
// way. The bare forms SEC("xdp"), SEC("xdp.frags"), SEC("tc/ingress"),
// SEC("tc/egress"), SEC("tcx/ingress") and SEC("tcx/egress") do not match
// this package's handlers at all and keep libbpf's meaning (no auto-attach).
//
// # Interface names
//
// The name is validated when the object is opened, with the kernel's rules
// for interface names: 1 to 15 bytes, not "." or "..", no '/', ':' or
// whitespace. A malformed name fails Open with an error (wrapping
// ErrMalformedSection) that names the section and the offending part.
//
// The name is resolved to an interface index when the program is attached,
// in the network namespace of the calling thread; a name that does not exist
// there fails Attach with an error naming the interface and wrapping
// unix.ENODEV.
package netif
