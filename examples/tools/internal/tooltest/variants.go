package tooltest

import (
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/variant"
)

// Register is the type of variant.Register and variant.RegisterFallbacks.
type Register = func() ([]*libbpf.Registration, error)

// EachVariant runs test twice, as subtests: with *register as the tool
// has it (variant.Register: the variants the kernel probes to), then with
// variant.RegisterFallbacks in its place (raw_tp for tp.best, kprobe for
// fentry.best), as a kernel without tp_btf or BPF trampolines would run
// the tool's programs. It checks that the tool registered them each time.
func EachVariant(t *testing.T, register *Register, test func(t *testing.T)) {
	for _, c := range []struct {
		name string
		reg  Register
	}{{"probed", *register}, {"fallbacks", variant.RegisterFallbacks}} {
		t.Run(c.name, func(t *testing.T) {
			old, called := *register, false
			*register = func() ([]*libbpf.Registration, error) { called = true; return c.reg() }
			defer func() { *register = old }()
			test(t)
			if !called {
				t.Errorf("the tool did not register the variant handlers")
			}
		})
	}
}
