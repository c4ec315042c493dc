// Package legacy lets objects written for libbpf 0.x open with libbpf 1.x:
// it registers the fallback handler (libbpf's catch-all for sections no
// other handler matches) and maps the section names that libbpf 0.x
// accepted and libbpf 1.0 dropped to the program and attach types libbpf 0.x
// gave them, logging a deprecation warning (to libbpf.Logger)
// that names the section to write instead.
//
// # What libbpf 1.0 dropped
//
// libbpf 0.x matched most section names by prefix ("sloppy" matching, on
// unless LIBBPF_STRICT_SEC_NAME was set), so SEC("xdp_prog"),
// SEC("classifier/ingress"), SEC("socket1") or SEC("cgroup/skb_filter")
// loaded. libbpf 1.0 matches those names exactly and dropped the
// SEC("xdp_devmap/...") and SEC("xdp_cpumap/...") forms. This package
// accepts, in libbpf 0.8's order (the first prefix that matches wins):
//
//	socket*                 socket filter                        use "socket"
//	sk_reuseport/migrate*   sk_reuseport, select_or_migrate      use "sk_reuseport/migrate"
//	sk_reuseport*           sk_reuseport, select                 use "sk_reuseport"
//	classifier*             sched_cls                            use "tc" or "tcx/ingress", "tcx/egress"
//	action*                 sched_act                            use "action"
//	xdp_devmap/*            xdp, xdp_devmap                      use "xdp/devmap"
//	xdp_cpumap/*            xdp, xdp_cpumap                      use "xdp/cpumap"
//	xdp*                    xdp, xdp                             use "xdp"
//	perf_event*             perf_event                           use "perf_event"
//	lwt_in*, lwt_out*, lwt_xmit*, lwt_seg6local*                 use the exact name
//	cgroup_skb/ingress*, cgroup_skb/egress*, cgroup/skb*         use the exact name
//	cgroup/sock_create*, cgroup/sock_release*, cgroup/sock*      use the exact name
//	cgroup/post_bind4*, cgroup/post_bind6*, cgroup/dev*          use the exact name
//	sockops*, sk_skb/stream_parser*, sk_skb/stream_verdict*, sk_skb*, sk_msg*
//	lirc_mode2*, flow_dissector*                                 use the exact name
//	cgroup/bind4*, cgroup/bind6*, cgroup/connect4*, cgroup/connect6*,
//	cgroup/sendmsg4*, cgroup/sendmsg6*, cgroup/recvmsg4*, cgroup/recvmsg6*,
//	cgroup/getpeername4*, cgroup/getpeername6*, cgroup/getsockname4*,
//	cgroup/getsockname6*, cgroup/sysctl*, cgroup/getsockopt*, cgroup/setsockopt*
//	sk_lookup*                                                   use the exact name
//
// and two prefixes that only libbpf 0.5 and older matched loosely:
//
//	syscall*                syscall, sleepable                   use "syscall"
//	struct_ops*             struct_ops                           use "struct_ops" or "struct_ops/<name>"
//
// Each program and attach type is the one libbpf 0.8 gave the prefix (see
// Lookup). Examples: SEC("classifier/ingress") is a sched_cls program,
// SEC("action/mirror") a sched_act one, SEC("xdp_devmap/redirect") an XDP
// program for device-map entries, SEC("socket_udp") a socket filter.
//
// Names libbpf 1.x still accepts (SEC("classifier"), SEC("xdp"),
// SEC("kprobe/..."), SEC("tp/..."), ...) never reach this package: libbpf
// matches them first. None of the legacy forms is auto-attached, as in
// libbpf 0.x: Object.Attach skips them and Program.Attach fails with
// EOPNOTSUPP.
//
// # Everything else fails Open
//
// A section that neither libbpf 1.x, nor another registered handler, nor the
// table above knows fails Open with an error (wrapping ErrUnknownSection)
// that names the section and the program, where libbpf alone would have
// opened the object and left the program without a type.
//
// libbpf has a single fallback slot: Register fails (wrapping unix.EBUSY)
// while another fallback handler is registered.
package legacy
