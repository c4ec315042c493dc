package libbpf

import (
	"testing"
	"unsafe"

	"github.com/golibbpf/libbpf/internal/handles"
)

// BenchmarkDispatch measures the Go side of one callback, what the module
// adds to the runtime's C→Go transition: resolving the registration and
// operation handles, finding the program's wrapper, recovering panics and
// calling the handler. bench/'s BenchmarkTrampoline measures the whole
// round trip from libbpf.
func BenchmarkDispatch(b *testing.B) {
	r := &Registration{handler: ProgHandler{Setup: func(*Program) error { return nil }}}
	cookie := handles.New(r)
	defer handles.Delete(cookie)
	var storage [64]byte // stands in for a libbpf program: only its address is used
	c := (*cProgram)(unsafe.Pointer(&storage))
	op := newOperation(&Object{progs: []*Program{{c: c}}})
	defer op.release()
	program := func(o *operation) *Program {
		o.next = 0
		return o.program(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if dispatch(PhaseSetup, uintptr(cookie), uintptr(op.handle), program, callSetup) != 0 {
			b.Fatal("setup failed")
		}
	}
}
