// Package variant lets one BPF program stand for the two copies tools
// write of it, "fentry if the kernel can, else kprobe" and "tp_btf, else
// raw_tp": its section names the best form, and the handlers load and
// attach it as the best variant the running kernel supports.
//
// # Section forms
//
//	SEC("tp.best/<tracepoint>")   tp_btf where the kernel has it, else raw_tp
//	SEC("fentry.best/<function>") fentry where the kernel has BPF trampolines, else kprobe
//	SEC("fexit.best/<function>")  fexit where the kernel has BPF trampolines, else kretprobe
//
// <tracepoint> is a raw tracepoint name ("sched_switch", "sys_enter"),
// <function> a kernel function ("vfs_read"). A missing target, or one with
// a '/' or whitespace or longer than 511 bytes, fails Open with an error
// wrapping ErrMalformedSection. Object.Attach and Program.Attach attach the
// program there (tp_btf, fentry and fexit with a tracing link, raw_tp with a
// raw tracepoint link, kprobe and kretprobe as libbpf does).
//
// # The choice
//
// Register probes the kernel once per process (ProbeTPBTF on sched_switch,
// ProbeFentry on vfs_read) and registers each form with the program type
// and attach type of the variant it chose; the choice is logged once to
// libbpf.Logger, at Info level when a fallback is taken. A probe that
// cannot tell (ProbeFentry's EPERM on a kernel that refuses trampolines)
// takes the fallback too. The choice is made at Register, not per program,
// because libbpf drops a program's section handler, and with it the attach
// callback, when the program's type changes. Program.Type tells which
// variant a program got: ProgTypeTracing for the best ones,
// ProgTypeRawTracepoint or ProgTypeKprobe for the fallbacks.
// RegisterFallbacks registers the fallbacks without probing, so that a
// tool's tests can run its programs as older kernels would.
//
// The best variants resolve their target in the kernel's BTF when the object
// is opened (Program.SetAttachTarget): a tracepoint or function the BTF does
// not describe fails Open. Where the kernel has neither variant of a
// function form (no trampolines and no kprobes), the object opens and loads
// (as kprobe programs) and Attach fails with an error wrapping ErrNoVariant
// and libbpf.ErrKprobesUnavailable that names both missing features.
//
// # Writing the programs
//
// One program must be valid as either variant, so it keeps to what both
// calling conventions share:
//
//   - tp.best programs use the raw tracepoint convention, which tp_btf
//     shares: the arguments are the u64 slots of the context
//     (BPF_PROG(name, args...) from bpf_tracing.h reads them). A raw_tp
//     program cannot dereference a pointer argument directly, so fields of
//     pointed-to structures are read with BPF_CORE_READ or
//     bpf_probe_read_kernel, never with p->field.
//   - fentry.best and fexit.best programs do not read their context at
//     all: fentry's is the arguments' u64 slots, a kprobe's the saved
//     registers, and no access works in both. They may use everything else:
//     maps, bpf_get_current_pid_tgid, bpf_ktime_get_ns, stack ids,
//     bpf_get_func_ip (Linux 5.15). This suits counting, latency and
//     stack programs; a program that needs the arguments or the return value
//     keeps its two copies.
package variant
