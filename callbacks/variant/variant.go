package variant

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/golibbpf/libbpf"
)

// ErrMalformedSection is wrapped by the error of every section this package
// rejects when an object is opened.
var ErrMalformedSection = errors.New("malformed section")

// ErrNoVariant is wrapped by the Attach error of a program for which the
// kernel has neither variant (neither fentry nor kprobes, say); the error
// also says why each is missing and wraps the fallback's own error.
var ErrNoVariant = errors.New("no variant of the program works on this kernel")

// maxTargetLen is the longest kernel symbol name (KSYM_NAME_LEN - 1).
const maxTargetLen = 511

// form is one section prefix of this package, with the variant Register
// chose for it.
type form struct {
	sec        string
	progType   libbpf.ProgType
	attachType libbpf.AttachType
	handler    libbpf.ProgHandler
}

// Register installs this package's handlers, "tp.best/", "fentry.best/"
// and "fexit.best/", each with the variant the running kernel supports
// (probed on the first call, see the package doc). On error it unregisters
// what it registered and returns the error.
func Register() ([]*libbpf.Registration, error) {
	return register(forms(useRawTP, useKprobe))
}

// RegisterFallbacks is Register with the fallback variants whatever the
// kernel has (raw_tp, kprobe and kretprobe), without probing: a tool's
// tests use it to run the programs as the kernels without tp_btf or BPF
// trampolines would, on a kernel that has them.
func RegisterFallbacks() ([]*libbpf.Registration, error) {
	requested := func() verdict { return verdict{true, "requested by RegisterFallbacks"} }
	return register(forms(requested, requested))
}

// register registers the handlers of fs.
func register(fs []form) ([]*libbpf.Registration, error) {
	var regs []*libbpf.Registration
	for _, f := range fs {
		r, err := libbpf.RegisterProgHandler(f.sec, f.progType, f.attachType, f.handler)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("variant: register %q: %w", f.sec, err), libbpf.UnregisterAll(regs))
		}
		regs = append(regs, r)
	}
	return regs, nil
}

// forms chooses each form's variant. The choice is made here, not per
// program in Setup, because libbpf drops a program's section handler (and
// with it the Attach callback) when its type changes.
func forms(useRawTP, useKprobe func() verdict) []form {
	return []form{tracepointForm(useRawTP()), functionForm("fentry.best/", false, useKprobe()), functionForm("fexit.best/", true, useKprobe())}
}

// tracepointForm is "tp.best/<tracepoint>": tp_btf or raw_tp.
// v says whether it takes raw_tp.
func tracepointForm(v verdict) form {
	const sec = "tp.best/"
	if v.fallback {
		return form{sec, libbpf.ProgTypeRawTracepoint, 0, fallbackForm(sec, "tp_btf", "raw_tp", v,
			func(prog *libbpf.Program, name string) (*libbpf.Link, error) { return prog.AttachRawTracepoint(name) })}
	}
	return form{sec, libbpf.ProgTypeTracing, libbpf.AttachTypeTraceRawTP, btfForm(sec, "tp_btf")}
}

// functionForm is "fentry.best/<function>" (or "fexit.best/" when exit is
// set): fentry (fexit) or kprobe (kretprobe), as v says.
func functionForm(sec string, exit bool, v verdict) form {
	best, at, fallback := "fentry", libbpf.AttachTypeTraceFentry, "kprobe"
	if exit {
		best, at, fallback = "fexit", libbpf.AttachTypeTraceFexit, "kretprobe"
	}
	if v.fallback {
		return form{sec, libbpf.ProgTypeKprobe, 0, fallbackForm(sec, best, fallback, v,
			func(prog *libbpf.Program, fn string) (*libbpf.Link, error) {
				return prog.AttachKprobe(fn, libbpf.KprobeOptions{Retprobe: exit})
			})}
	}
	return form{sec, libbpf.ProgTypeTracing, at, btfForm(sec, best)}
}

// fallbackForm is the handler of a fallback variant: Setup checks the
// target, Attach attaches there. Its errors say why the best variant was
// not taken; where the kernel lacks the fallback's mechanism too (kprobes),
// the error wraps ErrNoVariant.
func fallbackForm(sec, best, fallback string, v verdict, attach func(prog *libbpf.Program, target string) (*libbpf.Link, error)) libbpf.ProgHandler {
	return libbpf.ProgHandler{
		Setup: func(prog *libbpf.Program) error { _, err := target(prog, sec); return err },
		Attach: func(prog *libbpf.Program) (*libbpf.Link, error) {
			name, err := target(prog, sec)
			if err != nil {
				return nil, err
			}
			l, err := attach(prog, name)
			switch {
			case errors.Is(err, libbpf.ErrKprobesUnavailable):
				return nil, fmt.Errorf("variant: SEC(%q): %w: no %s (%s), and the %s variant fails: %w",
					prog.SectionName(), ErrNoVariant, best, v.why, fallback, err)
			case err != nil:
				return nil, fmt.Errorf("variant: SEC(%q): attach %s variant (no %s: %s): %w",
					prog.SectionName(), fallback, best, v.why, err)
			}
			return l, nil
		},
	}
}

// btfForm is the handler of a BTF-typed tracing variant (tp_btf, fentry,
// fexit): Setup sets the kernel's BTF type of the target, which fails Open
// where the kernel's BTF does not describe it, and Attach attaches there.
func btfForm(sec, kind string) libbpf.ProgHandler {
	return libbpf.ProgHandler{
		Setup: func(prog *libbpf.Program) error {
			name, err := target(prog, sec)
			if err != nil {
				return err
			}
			if err := prog.SetAttachTarget(0, name); err != nil {
				return fmt.Errorf("variant: SEC(%q): find the %s target %q in the kernel's BTF: %w", prog.SectionName(), kind, name, err)
			}
			return nil
		},
		Attach: func(prog *libbpf.Program) (*libbpf.Link, error) {
			l, err := prog.AttachTrace(libbpf.TraceOptions{})
			if err != nil {
				return nil, fmt.Errorf("variant: SEC(%q): attach %s variant: %w", prog.SectionName(), kind, err)
			}
			return l, nil
		},
	}
}

// target returns the tracepoint or function a section of the form sec
// names, checked against the kernel's rules for symbol names: 1 to 511
// bytes, no '/' and no whitespace.
func target(prog *libbpf.Program, sec string) (string, error) {
	return targetOf(prog.SectionName(), sec)
}

// targetOf is target for the section name s.
func targetOf(s, sec string) (string, error) {
	name, ok := strings.CutPrefix(s, sec)
	switch {
	case !ok:
		return "", fmt.Errorf("variant: SEC(%q): not a %q section: %w", s, sec, ErrMalformedSection)
	case name == "":
		return "", fmt.Errorf("variant: SEC(%q): no target after %q: %w", s, sec, ErrMalformedSection)
	case len(name) > maxTargetLen:
		return "", fmt.Errorf("variant: SEC(%q): target of %d bytes, longer than %d: %w", s, len(name), maxTargetLen, ErrMalformedSection)
	case strings.ContainsFunc(name, func(r rune) bool { return r == '/' || unicode.IsSpace(r) }):
		return "", fmt.Errorf("variant: SEC(%q): target %q has a '/' or a space: %w", s, name, ErrMalformedSection)
	}
	return name, nil
}
