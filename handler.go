package libbpf

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/golibbpf/libbpf/internal/handles"
)

// ProgHandler is a custom SEC() handler: Go callbacks libbpf calls for every
// program whose section the handler matches. Every field is optional.
//
// A callback's error or panic fails the Open, Load or Attach that called it
// (see CallbackError and PanicError). A callback must not end its goroutine
// (runtime.Goexit, t.Fatal): the module survives it, but the libbpf call
// in progress is abandoned with what it had allocated.
type ProgHandler struct {
	// Setup runs in Open for each matching program, after the handler's
	// program and attach types were set on it; it may use any setter.
	Setup func(prog *Program) error
	// PrepareLoad runs right before the program is loaded into the kernel
	// and may adjust the load attributes; opts is valid during the call
	// only. Programs that do not load (autoload off) never reach it.
	PrepareLoad func(prog *Program, opts *LoadOptions) error
	// Attach serves Program.Attach and Object.Attach. Returning (nil, nil)
	// declines: Object.Attach skips the program, Program.Attach fails with
	// EOPNOTSUPP. A Link returned together with an error is destroyed.
	Attach func(prog *Program) (*Link, error)
}

// LoadOptions is the writable part of libbpf's struct bpf_prog_load_opts,
// handed to a PrepareLoad callback.
type LoadOptions struct {
	ExpectedAttachType AttachType
	ProgFlags          uint32
	KernVersion        uint32
	ProgIfindex        uint32
	AttachBTFID        uint32
	AttachBTFObjFD     int
	AttachProgFD       int
}

// Phase names the handler callback an error came from.
type Phase string

const (
	PhaseSetup       Phase = "setup"
	PhasePrepareLoad Phase = "prepare-load"
	PhaseAttach      Phase = "attach"
)

// Registration is a custom handler registered with libbpf. It stays in effect
// until Unregister. A nil *Registration, which Program.Handler returns for
// a program no custom handler matched, is safe to use: Unregister fails with
// ErrNotFound (and ErrNotRegistered), the other methods return the zero
// value.
type Registration struct {
	section    string
	fallback   bool
	progType   ProgType
	attachType AttachType
	handler    ProgHandler
	handle     cgo.Handle
	id         int // libbpf's handler id; 0 once unregistered
}

// Section returns the section form the handler matches ("" for the fallback).
func (r *Registration) Section() string {
	if r == nil {
		return ""
	}
	return r.section
}

// Fallback reports whether r is the handler for sections nothing else matches.
func (r *Registration) Fallback() bool { return r != nil && r.fallback }

// ProgType returns the program type the handler sets on matching programs.
func (r *Registration) ProgType() ProgType {
	if r == nil {
		return 0
	}
	return r.progType
}

// AttachType returns the expected attach type the handler sets.
func (r *Registration) AttachType() AttachType {
	if r == nil {
		return 0
	}
	return r.attachType
}

// Attaches reports whether the handler can auto-attach (has an Attach callback).
func (r *Registration) Attaches() bool { return r != nil && r.handler.Attach != nil }

func (r *Registration) String() string {
	if r == nil {
		return "no custom handler"
	}
	if r.fallback {
		return "fallback handler"
	}
	return fmt.Sprintf("handler %q", r.section)
}

// The handler table. libbpf keeps a raw pointer into its table of custom
// handlers in every program that matched one, and registering or
// unregistering reallocates or shifts that table. So the table only changes
// while no open Object has programs bound to a custom handler: until the last
// such Object is closed, RegisterProgHandler, RegisterFallbackProgHandler and
// Unregister fail with ErrHandlersInUse rather than wait (waiting could block
// forever on an object the caller itself keeps open).
var table struct {
	// mu is held for reading while libbpf matches sections (Open) and for
	// writing while the table changes; libbpf's table is not thread-safe.
	mu       sync.RWMutex
	regs     []*Registration // in matching order
	fallback *Registration
	// bound counts the open objects with programs bound to custom handlers.
	bound atomic.Int64
}

// RegisterProgHandler registers h for the programs whose section matches sec:
// "abc" matches SEC("abc") only, "abc/" matches SEC("abc/<anything>"), and
// "abc+" matches both. Custom handlers are tried before libbpf's own, in
// registration order, so they can override built-in sections.
//
// libbpf keeps raw pointers into its handler table in every program that
// matched a custom handler, so while an open Object has such programs,
// RegisterProgHandler, RegisterFallbackProgHandler and Unregister fail with
// ErrHandlersInUse (unix.EBUSY) instead of waiting. An Object dropped
// without Close stays open for the life of the process: close every Object
// before changing the handlers.
func RegisterProgHandler(sec string, progType ProgType, attachType AttachType, h ProgHandler) (*Registration, error) {
	if err := validateSection(sec); err != nil {
		return nil, err
	}
	return register(&Registration{section: sec, progType: progType, attachType: attachType, handler: h})
}

// RegisterFallbackProgHandler registers h for every section that neither a
// custom nor a built-in handler matches. There is at most one fallback at a
// time: a second one fails with ErrFallbackRegistered (unix.EBUSY).
func RegisterFallbackProgHandler(progType ProgType, attachType AttachType, h ProgHandler) (*Registration, error) {
	return register(&Registration{fallback: true, progType: progType, attachType: attachType, handler: h})
}

// validateSection rejects what libbpf would misread: it reads out of bounds
// on "", truncates at a NUL byte, and gives a bare "/" or "+", or a doubled
// terminator such as "abc//" or "abc/+", a meaning nobody intends.
func validateSection(sec string) error {
	invalid := func(why string) error {
		return fmt.Errorf("section %q: %s: %w", sec, why, ErrInvalidSection)
	}
	if sec == "" {
		return invalid("empty")
	}
	if i := strings.IndexFunc(sec, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return invalid(fmt.Sprintf("control or space character at offset %d", i))
	}
	base := sec
	if last := sec[len(sec)-1]; last == '/' || last == '+' {
		base = sec[:len(sec)-1]
	}
	if base == "" {
		return invalid("no name before the trailing " + sec)
	}
	if last := base[len(base)-1]; last == '/' || last == '+' {
		return invalid(fmt.Sprintf("%q cannot precede the trailing %q", last, sec[len(sec)-1]))
	}
	return nil
}

func register(r *Registration) (*Registration, error) {
	if inCallback() {
		return nil, fmt.Errorf("register %s: %w", r, ErrInCallback)
	}
	table.mu.Lock()
	defer table.mu.Unlock()
	if table.bound.Load() > 0 {
		return nil, fmt.Errorf("register %s: %w", r, ErrHandlersInUse)
	}
	if r.fallback && table.fallback != nil {
		return nil, fmt.Errorf("register %s: %w", r, ErrFallbackRegistered)
	}
	r.handle = handles.New(r)
	id, err := registerHandler(r.section, r.fallback, r.progType, r.attachType, uintptr(r.handle),
		r.handler.PrepareLoad != nil, r.handler.Attach != nil)
	if err != nil {
		handles.Delete(r.handle)
		return nil, fmt.Errorf("register %s: libbpf: %w", r, err)
	}
	r.id = id
	if r.fallback {
		table.fallback = r
	} else {
		table.regs = append(table.regs, r)
	}
	return r, nil
}

// Unregister removes the handler and releases what it holds. It fails with
// ErrNotRegistered (unix.ENOENT) when r is no longer registered and with
// ErrHandlersInUse while open objects have programs bound to custom handlers.
func (r *Registration) Unregister() error {
	if r == nil {
		return fmt.Errorf("unregister: %w", errNilRegistration)
	}
	if inCallback() {
		return fmt.Errorf("unregister %s: %w", r, ErrInCallback)
	}
	table.mu.Lock()
	defer table.mu.Unlock()
	if r.id == 0 {
		return fmt.Errorf("unregister %s: %w", r, ErrNotRegistered)
	}
	if table.bound.Load() > 0 {
		return fmt.Errorf("unregister %s: %w", r, ErrHandlersInUse)
	}
	if err := unregisterHandler(r.id); err != nil {
		return fmt.Errorf("unregister %s: libbpf: %w", r, err)
	}
	r.id = 0
	handles.Delete(r.handle)
	if r.fallback {
		table.fallback = nil
	} else {
		for i, reg := range table.regs {
			if reg == r {
				table.regs = append(table.regs[:i], table.regs[i+1:]...)
				break
			}
		}
	}
	return nil
}

// UnregisterAll unregisters regs in reverse order of registration, going on
// past failures, and returns every failure joined (errors.Join): the undo of
// a Register function that registered several handlers, or of a partial one.
func UnregisterAll(regs []*Registration) error {
	var errs []error
	for i := len(regs) - 1; i >= 0; i-- {
		errs = append(errs, regs[i].Unregister())
	}
	return errors.Join(errs...)
}

// readLockTable read-locks the handler table and reports whether it did. A
// handler callback needs no lock, and must not take one: the table cannot
// change under it. The callbacks of an Open run under the Open's read lock
// (taking it again would deadlock behind a writer waiting for it), and those
// of a Load or an Attach serve an object bound to custom handlers, which
// keeps every writer out (ErrHandlersInUse).
func readLockTable() bool {
	if inCallback() {
		return false
	}
	table.mu.RLock()
	return true
}

// SectionDefinition returns the program and attach types libbpf's own
// section matching gives sec (libbpf_prog_type_by_name); sections served by
// custom handlers fail with unix.EOPNOTSUPP, unknown ones with unix.ESRCH.
func SectionDefinition(sec string) (ProgType, AttachType, error) {
	if readLockTable() {
		defer table.mu.RUnlock()
	}
	pt, at, err := sectionDefinition(sec)
	if err != nil {
		return 0, 0, fmt.Errorf("section %q: %w", sec, err)
	}
	return pt, at, nil
}

// AttachTypeByName returns the attach type of a section libbpf attaches
// with BPF_PROG_ATTACH, such as "cgroup_skb/ingress" or "sk_msg"
// (libbpf_attach_type_by_name): the type ProgAttach takes for a program of
// that section. Other sections, custom handlers' included, fail with
// unix.EINVAL.
func AttachTypeByName(sec string) (AttachType, error) {
	if readLockTable() {
		defer table.mu.RUnlock()
	}
	at, err := attachTypeByName(sec)
	if err != nil {
		return 0, fmt.Errorf("attach type of section %q: %w", sec, err)
	}
	return at, nil
}

// Registrations returns the registered custom handlers in matching order,
// the fallback (if any) last.
func Registrations() []*Registration {
	if readLockTable() {
		defer table.mu.RUnlock()
	}
	regs := append([]*Registration(nil), table.regs...)
	if table.fallback != nil {
		regs = append(regs, table.fallback)
	}
	return regs
}
