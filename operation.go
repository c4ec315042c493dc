package libbpf

import (
	"fmt"
	"runtime/cgo"
	"sync/atomic"

	"github.com/golibbpf/libbpf/internal/handles"
)

// operation is one Open, Load or Attach call in flight: the context its
// callbacks and log lines belong to. The Go caller creates it and passes its
// handle down with the libbpf call; the C wrappers make that handle current on
// the calling thread, and the trampolines hand it back with every callback
// (dispatch) and log line (logLibbpf), so they are attributed to the right
// call even when many goroutines work on different objects at once. It is
// used by one goroutine.
type operation struct {
	handle   cgo.Handle
	obj      *Object     // nil during Open
	progs    []*Program  // during Open: the wrappers Setup callbacks saw, in ELF order
	next     int         // the index in obj.progs the next callback most likely serves
	attached *Link       // the Link the last Attach callback handed to libbpf
	bound    bool        // a program matched a custom handler
	err      error       // the first callback failure
	loadOpts LoadOptions // handed to each PrepareLoad in turn
	// What libbpf warned about, to explain a failure.
	lastWarning string
	loadProg    string
	loadLog     string
}

// latestOperation is the operation created last, which the callbacks of a
// call almost always serve: finding it by its handle is a compare, where
// cgo.Handle.Value hashes its way through a sync.Map. BenchmarkDispatch
// measured it worth keeping: 470 instructions per callback with it, 624-633
// without (valgrind --tool=cachegrind, which a shared machine cannot skew;
// wall-clock minimum over 12 runs 94 ns against 116 ns).
var latestOperation atomic.Pointer[operation]

func newOperation(obj *Object) *operation {
	op := &operation{obj: obj}
	op.handle = handles.New(op)
	latestOperation.Store(op)
	return op
}

func (op *operation) release() {
	latestOperation.CompareAndSwap(op, nil)
	handles.Delete(op.handle)
}

// lookupOperation returns the operation whose handle is h, or nil for 0 (a
// callback or log line outside any Go call).
func lookupOperation(h uintptr) *operation {
	if h == 0 {
		return nil
	}
	if op := latestOperation.Load(); op != nil && uintptr(op.handle) == h {
		return op
	}
	return cgo.Handle(h).Value().(*operation)
}

// registration resolves a callback's cookie. It does not remember the last
// one, as it used to: BenchmarkDispatch counted 465 instructions per callback
// without that cache and 470 with it, cgo.Handle.Value being cheap next to the
// rest of a callback.
func registration(cookie uintptr) *Registration {
	return cgo.Handle(cookie).Value().(*Registration)
}

// program returns the Object's wrapper of c for a Load or Attach callback.
// libbpf calls back in ELF order and Object.Attach sets next, so the guess
// at next almost always holds and no map is needed. BenchmarkDispatch
// measured the guess worth keeping: over an object of 1000 programs a
// callback costs 461 instructions with it and 3960 with the plain scan (the
// scan alone would add about 3.5 million instructions to a 1000-program Load).
func (op *operation) program(c *cProgram) *Program {
	if op == nil || op.obj == nil {
		return newProgram(c, nil)
	}
	progs := op.obj.progs
	if i := op.next; i < len(progs) && progs[i].c == c {
		op.next = i + 1
		return progs[i]
	}
	for i, p := range progs {
		if p.c == c {
			op.next = i + 1
			return p
		}
	}
	return newProgram(c, op.obj)
}

// opened records the wrapper a Setup callback gets during Open, which the
// Object then adopts, so the callback and the caller see the same Program.
func (op *operation) opened(p *Program) *Program {
	if op != nil {
		op.progs = append(op.progs, p)
	}
	return p
}

// loadOptions returns the LoadOptions a PrepareLoad callback fills: one per
// operation, reused, since Load runs its callbacks one after the other.
func (op *operation) loadOptions() *LoadOptions {
	if op == nil {
		return new(LoadOptions)
	}
	return &op.loadOpts
}

// link returns the Go Link for the libbpf link the last attach produced:
// the one its Attach callback returned, or a new wrapper for libbpf's own.
func (op *operation) link(c *cLink) *Link {
	if l := op.attached; l != nil && l.primary() == c {
		return l
	}
	return &Link{c: c}
}

// failure builds the error for a failed libbpf call: the callback's own error
// when a callback failed, else the errno with what libbpf warned about.
func (op *operation) failure(what string, err error) error {
	if op.err != nil {
		return op.err
	}
	if op.loadProg != "" {
		return &LoadError{Program: op.loadProg, Log: op.loadLog, Err: err}
	}
	if op.lastWarning != "" {
		return fmt.Errorf("%s: %w (libbpf: %s)", what, err, op.lastWarning)
	}
	return fmt.Errorf("%s: %w", what, err)
}
