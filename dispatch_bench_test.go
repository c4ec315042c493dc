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
	op := newOperation(nil)
	defer op.release()
	var storage [64]byte // stands in for a libbpf program: only its address is used
	c := (*cProgram)(unsafe.Pointer(&storage))
	op.progs = map[*cProgram]*Program{c: {c: c}}
	b.ReportAllocs()
	for b.Loop() {
		if dispatch(PhaseSetup, c, uintptr(cookie), uintptr(op.handle), callSetup) != 0 {
			b.Fatal("setup failed")
		}
	}
}
