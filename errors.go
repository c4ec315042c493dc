package libbpf

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// errnoError is a sentinel error that also matches the errno it stands for,
// so callers can test either errors.Is(err, ErrX) or errors.Is(err, unix.EX).
type errnoError struct {
	msg   string
	errno unix.Errno
}

func (e *errnoError) Error() string        { return e.msg }
func (e *errnoError) Is(target error) bool { return target == e.errno }

var (
	// ErrInvalidSection: a section form that libbpf would misread.
	ErrInvalidSection error = &errnoError{"invalid section form", unix.EINVAL}
	// ErrFallbackRegistered: a fallback handler is registered already.
	ErrFallbackRegistered error = &errnoError{"a fallback handler is already registered", unix.EBUSY}
	// ErrHandlersInUse: the handler table cannot change while open objects
	// have programs bound to custom handlers (see RegisterProgHandler).
	ErrHandlersInUse error = &errnoError{"custom handlers are in use by open objects; close them first", unix.EBUSY}
	// ErrNotRegistered: the registration was unregistered already.
	ErrNotRegistered error = &errnoError{"handler is not registered", unix.ENOENT}
	// ErrInCallback: not allowed from inside a handler callback: changing
	// the handler table (the Open that runs the callback holds it), or
	// loading, attaching or closing the object whose call runs the callback.
	ErrInCallback error = &errnoError{"called from inside a handler callback", unix.EDEADLK}
	// ErrClosed: the object, or the ring buffer reader, was closed.
	ErrClosed error = &errnoError{"already closed", unix.EBADF}
	// ErrNotLoaded: the map or program is not in the kernel yet: Load the
	// object first.
	ErrNotLoaded error = &errnoError{"not loaded", unix.EBADF}
	// ErrKeyNotExist: no such key in the map, or no key after the given one.
	ErrKeyNotExist error = &errnoError{"key does not exist", unix.ENOENT}
	// ErrNotFound: the map, program, link, ring, handler or object is
	// missing: a method was called on a nil *Map, *Program, *Link, *Ring,
	// *Registration or *Object, as Object.Map, Object.Program,
	// RingBuffer.Ring, Program.Handler and Map.Object return for what is not
	// there, or such a nil was passed as an argument. It matches unix.ENOENT, as libbpf's
	// bpf_object__find_map_by_name does, but not ErrKeyNotExist: a lookup in
	// a map the object lacks is not a missing key.
	ErrNotFound error = &errnoError{"not found", unix.ENOENT}
)

// The errors of methods called on nil handles, each naming what is missing
// and which lookup returns nil for it.
var (
	errNilMap          = fmt.Errorf("map %w (a nil *Map: Object.Map returns nil for a name the object does not have)", ErrNotFound)
	errNilProgram      = fmt.Errorf("program %w (a nil *Program: Object.Program returns nil for a name the object does not have)", ErrNotFound)
	errNilLink         = fmt.Errorf("link %w (a nil *Link: no attachment)", ErrNotFound)
	errNilObject       = fmt.Errorf("object %w (a nil *Object: Map.Object returns nil for a map not from an object, Program.Object while Open runs)", ErrNotFound)
	errNilRing         = fmt.Errorf("ring %w (a nil *Ring: RingBuffer.Ring returns nil for an index past its maps)", ErrNotFound)
	errNilRegistration = fmt.Errorf("handler %w (a nil *Registration: Program.Handler returns nil for a program no custom handler matched): %w", ErrNotFound, ErrNotRegistered)
)

// CallbackError is the error of a handler callback, as it comes out of Open,
// Load or Attach. Unwrap returns the callback's own error.
type CallbackError struct {
	Program string // the program's name
	Section string // its SEC() name
	Phase   Phase
	Err     error
}

func (e *CallbackError) Error() string {
	return fmt.Sprintf("program %s (SEC %q): %s callback: %v", e.Program, e.Section, e.Phase, e.Err)
}

func (e *CallbackError) Unwrap() error { return e.Err }

// PanicError is a panic recovered in a handler callback before it could
// unwind through libbpf's C frames.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// LoadError is a program the kernel refused to load, with the verifier's log.
type LoadError struct {
	Program string
	Log     string // the verifier log; empty when the kernel gave none
	Err     error  // the errno
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("load program %s: %v\nverifier log:\n%s", e.Program, e.Err, e.Log)
}

func (e *LoadError) Unwrap() error { return e.Err }

// LibbpfError is one of libbpf's own error codes (enum libbpf_errno, from
// 4000), which have no errno: a malformed ELF file, a failed relocation.
type LibbpfError int

func (e LibbpfError) Error() string { return "libbpf: " + libbpfStrerror(int(e)) }

// Network attachments (netattach.go, tc.go).
var (
	// ErrNotSupported: the running kernel lacks the mechanism (a probe
	// failed); the error names the feature and the release that brings it.
	ErrNotSupported error = &errnoError{"not supported by this kernel", unix.EOPNOTSUPP}
	// errNoKernelLink: a Link of a netlink XDP or classic tc attachment has
	// no kernel link to pin.
	errNoKernelLink error = &errnoError{"attachment has no kernel link (netlink XDP or classic tc)", unix.EOPNOTSUPP}
)

// Event readers (ringbuf.go, perfbuf.go, userringbuf.go).
var (
	// ErrCorruptRing: a ring's positions or record headers contradict
	// each other, so the reader stops instead of reading past the ring.
	// The kernel never writes such rings; the fuzz tests do.
	ErrCorruptRing error = &errnoError{"corrupt ring", unix.EUCLEAN}
)

// Global variables.
var (
	// ErrReadOnly: the global is .rodata of a loaded object, or .kconfig.
	ErrReadOnly error = &errnoError{"read-only global", unix.EPERM}
)

// Tracing attach.
var (
	// ErrKprobesUnavailable: the kernel offers no kprobes (built without
	// CONFIG_KPROBES), so kprobe, kretprobe, ksyscall and kprobe_multi
	// attachments cannot be made.
	ErrKprobesUnavailable error = &errnoError{"kernel has no kprobes (CONFIG_KPROBES)", unix.EOPNOTSUPP}
	// ErrNotStructOps: UpdateMap on a link that is not a struct_ops link,
	// or with a map that is not a struct_ops map.
	ErrNotStructOps error = &errnoError{"not a struct_ops link or map", unix.EINVAL}
)
