package libbpf

import (
	"fmt"
	"os"
)

// ProbeAttachMode chooses how a kprobe or uprobe is attached (libbpf's enum
// probe_attach_mode). A mode the kernel cannot do fails with EOPNOTSUPP.
type ProbeAttachMode int

const (
	ProbeAttachModeDefault ProbeAttachMode = iota // the newest the kernel supports
	ProbeAttachModeLegacy                         // a probe event made through tracefs
	ProbeAttachModePerf                           // a perf event, attached by ioctl
	ProbeAttachModeLink                           // a perf event with a BPF link
)

// KprobeOptions are the options of AttachKprobe (struct bpf_kprobe_opts).
type KprobeOptions struct {
	Offset     uint64 // from the start of the function
	Retprobe   bool   // a kretprobe: runs when the function returns
	Cookie     uint64 // bpf_get_attach_cookie()
	AttachMode ProbeAttachMode
}

// AttachKprobe attaches a kprobe (or kretprobe) program to the kernel
// function funcName (bpf_program__attach_kprobe, or its _opts form with
// more options than Retprobe). On a kernel without
// kprobes the error wraps ErrKprobesUnavailable.
func (p *Program) AttachKprobe(funcName string, opts KprobeOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		if funcName == "" {
			return nil, fmt.Errorf("no function name: %w", errInvalidArgument)
		}
		lc, err := progAttachKprobe(c, funcName, &opts)
		return lc, kprobeError(err)
	}, func() string {
		kind := "kprobe"
		if opts.Retprobe {
			kind = "kretprobe"
		}
		return fmt.Sprintf("%s %s+%#x", kind, funcName, opts.Offset)
	})
}

// KsyscallOptions are the options of AttachKsyscall (struct
// bpf_ksyscall_opts).
type KsyscallOptions struct {
	Retprobe bool   // run when the syscall returns
	Cookie   uint64 // bpf_get_attach_cookie()
}

// AttachKsyscall attaches a kprobe program to the kernel's handler of the
// syscall syscallName ("openat", not "sys_openat"), whatever its name on
// this architecture (bpf_program__attach_ksyscall). It is a kprobe: a kernel
// without kprobes fails with ErrKprobesUnavailable.
func (p *Program) AttachKsyscall(syscallName string, opts KsyscallOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		if syscallName == "" {
			return nil, fmt.Errorf("no syscall name: %w", errInvalidArgument)
		}
		lc, err := progAttachKsyscall(c, syscallName, &opts)
		return lc, kprobeError(err)
	}, func() string { return fmt.Sprintf("ksyscall %s (retprobe %t)", syscallName, opts.Retprobe) })
}

// KprobeMultiOptions are the options of AttachKprobeMulti (struct
// bpf_kprobe_multi_opts): the functions are the pattern's matches, or
// Symbols, or Addresses.
type KprobeMultiOptions struct {
	Symbols     []string // exact function names
	Addresses   []uint64 // or kernel addresses
	Cookies     []uint64 // optional, one per symbol or address
	Retprobe    bool     // kretprobes
	Session     bool     // kprobe.session: one program for entry and return
	UniqueMatch bool     // the pattern or each symbol must match exactly one function
}

// AttachKprobeMulti attaches kprobes to many kernel functions as one
// kprobe_multi link (bpf_program__attach_kprobe_multi_opts): those matching
// pattern (a glob over available_filter_functions), or those Symbols or
// Addresses name. The program must be loaded with
// AttachTypeTraceKprobeMulti (SEC("kprobe.multi")). kprobe_multi links need
// Linux 5.18 built with CONFIG_FPROBE.
func (p *Program) AttachKprobeMulti(pattern string, opts KprobeMultiOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		if err := checkKprobeMulti(pattern, &opts); err != nil {
			return nil, err
		}
		lc, err := progAttachKprobeMulti(c, pattern, &opts)
		return lc, kprobeError(err)
	}, func() string {
		return fmt.Sprintf("kprobe_multi (pattern %q, %d symbols, %d addresses)", pattern, len(opts.Symbols), len(opts.Addresses))
	})
}

// checkKprobeMulti refuses the combinations libbpf refuses, before any C
// memory is made for them.
func checkKprobeMulti(pattern string, o *KprobeMultiOptions) error {
	given := 0
	for _, set := range []bool{pattern != "", len(o.Symbols) > 0, len(o.Addresses) > 0} {
		if set {
			given++
		}
	}
	if given != 1 {
		return fmt.Errorf("need exactly one of a pattern, symbols or addresses: %w", errInvalidArgument)
	}
	if pattern != "" && len(o.Cookies) > 0 {
		return fmt.Errorf("cookies need symbols or addresses, not a pattern: %w", errInvalidArgument)
	}
	if n := max(len(o.Symbols), len(o.Addresses)); len(o.Cookies) > 0 && len(o.Cookies) != n {
		return fmt.Errorf("%d functions but %d cookies: %w", n, len(o.Cookies), errInvalidArgument)
	}
	return nil
}

// kprobeError marks an attach error of a kernel without kprobes, where
// libbpf's errno (ENOENT, EOPNOTSUPP, EPERM from tracefs) would otherwise
// read as a missing function or a lack of privilege.
func kprobeError(err error) error {
	if err == nil || kprobesAvailable() {
		return err
	}
	return fmt.Errorf("%w: %w", ErrKprobesUnavailable, err)
}

// kprobesAvailable reports whether the kernel offers kprobes, as a perf
// event type or through tracefs.
func kprobesAvailable() bool {
	for _, path := range []string{
		"/sys/bus/event_source/devices/kprobe/type",
		"/sys/kernel/tracing/kprobe_events",
		"/sys/kernel/debug/tracing/kprobe_events",
	} {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}

// RawTracepointOpen attaches the loaded program progFD to the raw
// tracepoint name at the fd level and returns the link's fd, which the
// caller owns: closing it detaches (bpf_raw_tracepoint_open, or
// bpf_raw_tracepoint_open_opts with options). name is "" for a program
// whose attach target came with its load (tp_btf, fentry and kin).
// Program.AttachRawTracepoint does it for a *Program. opts is at most one
// value.
func RawTracepointOpen(name string, progFD int, opts ...RawTracepointOptions) (int, error) {
	o, err := optional(opts)
	var fd int
	if err == nil {
		fd, err = rawTracepointOpen(name, progFD, o)
	}
	if err != nil {
		return -1, fmt.Errorf("raw tracepoint %q open for program fd %d: %w", name, progFD, err)
	}
	return fd, nil
}

// TraceOptions are the options of AttachTrace (struct bpf_trace_opts).
type TraceOptions struct {
	Cookie uint64 // bpf_get_attach_cookie()
}

// AttachTrace attaches a tracing program (fentry, fexit, fmod_ret, or tp_btf) to the target it was loaded
// for (bpf_program__attach_trace, or its _opts form with a cookie). fentry and its kin need BPF
// trampolines (Linux 5.5 on x86-64; on arm64 6.4 for kernel functions, 6.0 for BPF programs'; before,
// arm64 kernels load such programs and fail their attach with ENOTSUPP, errno 524).
func (p *Program) AttachTrace(opts TraceOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachTrace(c, &opts) },
		func() string { return fmt.Sprintf("trace (SEC %q)", p.section) })
}

// AttachLSM attaches an LSM program to its security hook
// (bpf_program__attach_lsm). The kernel must run the "bpf" LSM (Linux 5.7,
// booted with lsm=...,bpf).
func (p *Program) AttachLSM() (*Link, error) {
	return p.attach(progAttachLSM, func() string { return fmt.Sprintf("lsm (SEC %q)", p.section) })
}

// AttachFreplace attaches an extension program (SEC("freplace")) in place
// of the global function attachFuncName of the loaded program targetFD
// (bpf_program__attach_freplace). Both may be zero when the target was set
// with SetAttachTarget before Load.
func (p *Program) AttachFreplace(targetFD int, attachFuncName string) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		if (targetFD == 0) != (attachFuncName == "") {
			return nil, fmt.Errorf("need both a target program and a function, or neither: %w", errInvalidArgument)
		}
		return progAttachFreplace(c, targetFD, attachFuncName)
	}, func() string { return fmt.Sprintf("freplace of %q in program fd %d", attachFuncName, targetFD) })
}
