package libbpf

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

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

// LoadError is a program the kernel refused to load. Its message is a
// summary: the program, the errno and the verifier's last lines (or that
// the kernel produced no log, as for a program type it refuses outright);
// Log holds the whole log, which %+v prints.
type LoadError struct {
	Program string
	Log     string // the verifier log; empty when the kernel gave none
	Err     error  // the errno
}

// loadErrorLines is how many of the log's last lines the message shows.
const loadErrorLines = 3

func (e *LoadError) Error() string {
	lines := e.LastLines(loadErrorLines)
	if len(lines) == 0 {
		return e.header() + "; the kernel produced no verifier log"
	}
	if all := len(logLines(e.Log)); all > len(lines) {
		return fmt.Sprintf("%s; the verifier log ends (%%+v prints all %d lines):\n\t%s",
			e.header(), all, strings.Join(lines, "\n\t"))
	}
	return fmt.Sprintf("%s; verifier log:\n\t%s", e.header(), strings.Join(lines, "\n\t"))
}

// header names the program and the errno.
func (e *LoadError) header() string {
	msg := fmt.Sprintf("load program %s: %v", e.Program, e.Err)
	var errno unix.Errno
	if errors.As(e.Err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			msg += " (" + name + ")"
		}
	}
	return msg
}

// Format implements fmt.Formatter: %+v prints the whole verifier log after
// the program and errno; %v and %s print Error's summary.
func (e *LoadError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('+') && logLines(e.Log) != nil:
		fmt.Fprintf(f, "%s; verifier log:\n%s", e.header(), strings.TrimRight(e.Log, "\n"))
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		io.WriteString(f, e.Error())
	}
}

// LastLines returns the last n lines of the verifier log that say why the
// program was refused: blank lines and the closing statistics ("processed
// N insns", "verification time", "stack depth") are left out, unless the log
// has nothing else. It returns nil when the kernel gave no log.
func (e *LoadError) LastLines(n int) []string {
	lines := logLines(e.Log)
	var last []string
	for i := len(lines) - 1; i >= 0 && len(last) < n; i-- {
		if !verifierStats(lines[i]) {
			last = append(last, lines[i])
		}
	}
	if len(last) == 0 {
		return slices.Clone(lines[max(len(lines)-n, 0):])
	}
	slices.Reverse(last)
	return last
}

// logLines splits a verifier log into its non-blank lines.
func logLines(log string) []string {
	var lines []string
	for l := range strings.Lines(log) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// verifierStats reports whether a log line is one of the statistics the
// verifier closes its log with.
func verifierStats(line string) bool {
	for _, p := range []string{"processed ", "verification time", "stack depth"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
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
