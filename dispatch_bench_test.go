package libbpf

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/golibbpf/libbpf/internal/handles"
)

// BenchmarkDispatch measures the Go side of one callback, what the module
// adds to the runtime's C→Go transition: resolving the registration and
// operation handles, finding the program's wrapper, recovering panics and
// calling the handler (an Attach that declines). progs=1000 walks an
// object's programs in ELF order, as libbpf's Load and Object.Attach call
// back. bench/'s BenchmarkTrampoline measures the whole round trip from
// libbpf.
func BenchmarkDispatch(b *testing.B) {
	r := &Registration{handler: ProgHandler{Attach: func(*Program) (*Link, error) { return nil, nil }}}
	cookie := handles.New(r)
	defer handles.Delete(cookie)
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("progs=%d", n), func(b *testing.B) {
			// Stand-ins for libbpf programs: only their addresses are used.
			storage := make([]byte, n)
			obj := &Object{}
			for i := range n {
				obj.progs = append(obj.progs, &Program{c: (*cProgram)(unsafe.Pointer(&storage[i]))})
			}
			op := newOperation(obj)
			defer op.release()
			var out *cLink
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				cb := callback{phase: PhaseAttach, cookie: uintptr(cookie), op: uintptr(op.handle), prog: obj.progs[i].c, link: &out}
				if dispatch(&cb) != 0 {
					b.Fatal("attach callback failed")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}
