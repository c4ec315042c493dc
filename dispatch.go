package libbpf

import (
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// One handler callback on its way from libbpf to the user's closure:
//
//	handler_cgo.c  the C trampoline libbpf calls; it passes the
//	               registration's handle (the cookie) and the operation's
//	callback.go    the export: converts the C arguments into a callback
//	dispatch.go    dispatch: finds the operation (operation.go), the
//	               registration (handler.go) and the Program, and calls
//	               callSetup, callPrepareLoad or callAttach under protect
//	               (no panic reaches C), which call the ProgHandler field

// callback is one call of libbpf's into a custom handler, its C arguments as
// callback.go converted them.
type callback struct {
	phase    Phase
	cookie   uintptr    // the handle of the Registration
	op       uintptr    // the handle of the operation; 0 outside any Go call
	prog     *cProgram  // the program libbpf serves
	name     string     // Setup: the program's name and section, which
	section  string     //   libbpf passes along to spare two calls into C
	loadOpts *cLoadOpts // PrepareLoad: the load attributes, read and written back
	link     **cLink    // Attach: receives the link handed back to libbpf
}

// dispatch runs one callback. It never lets a panic reach the C frames,
// records a failure in the operation so the Go caller gets the callback's own
// error, and returns the negative errno libbpf expects.
func dispatch(cb *callback) int32 {
	var prog *Program
	var op *operation
	err := protect(func() error {
		op = lookupOperation(cb.op)
		r := registration(cb.cookie)
		switch cb.phase {
		case PhaseSetup:
			prog = op.opened(&Program{c: cb.prog, name: cb.name, section: cb.section})
			return callSetup(r, prog, op)
		case PhasePrepareLoad:
			prog = op.program(cb.prog)
			return callPrepareLoad(r, prog, op, cb.loadOpts)
		case PhaseAttach:
			prog = op.program(cb.prog)
			return callAttach(r, prog, op, cb.link)
		}
		return fmt.Errorf("unknown callback phase %q: %w", cb.phase, unix.EINVAL)
	})
	if err == nil {
		return 0
	}
	cerr := &CallbackError{Phase: cb.phase, Err: err}
	if prog != nil {
		cerr.Program, cerr.Section = prog.name, prog.section
	}
	if op != nil {
		if op.err == nil {
			op.err = cerr
		}
	} else {
		logger().Warn("libbpf callback failed outside a Go call", "error", cerr)
	}
	return -int32(errnoFor(err))
}

// protect runs fn, turning a panic into a *PanicError.
func protect(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// errnoFor is the errno libbpf gets for a callback's error: its own errno
// when it carries one, else EINVAL.
func errnoFor(err error) unix.Errno {
	var errno unix.Errno
	if errors.As(err, &errno) && errno != 0 {
		return errno
	}
	return unix.EINVAL
}

// callSetup binds the program to its handler and runs the Setup callback.
func callSetup(r *Registration, p *Program, op *operation) error {
	if op != nil {
		op.bound = true
	}
	p.handler = r
	if r.handler.Setup == nil {
		return nil
	}
	return r.handler.Setup(p)
}

// callPrepareLoad runs the PrepareLoad callback on the load attributes opts
// and writes back what it changed.
func callPrepareLoad(r *Registration, p *Program, op *operation, opts *cLoadOpts) error {
	lo := op.loadOptions()
	readLoadOptions(opts, lo)
	if err := r.handler.PrepareLoad(p, lo); err != nil {
		return err
	}
	writeLoadOptions(opts, lo)
	return nil
}

// callAttach runs the Attach callback and stores in out the libbpf link to
// hand back, remembering its Go Link so the caller gets the same one.
func callAttach(r *Registration, p *Program, op *operation, out **cLink) error {
	link, err := r.handler.Attach(p)
	if err != nil {
		if link != nil {
			link.Close()
		}
		return err
	}
	if link == nil {
		return nil
	}
	c := link.primary()
	if c == nil {
		return fmt.Errorf("attach callback returned a destroyed link: %w", unix.EINVAL)
	}
	if op == nil && link.tokenOnly() {
		// A C caller of bpf_program__attach would get a token it cannot use.
		link.Close()
		return fmt.Errorf("attach callback returned a link without a kernel link (netlink XDP or classic tc) to a caller outside Go: %w", unix.EOPNOTSUPP)
	}
	if op != nil {
		op.attached = link
	}
	*out = c
	return nil
}
