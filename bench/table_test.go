package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/chandlers"
)

// BenchmarkRegister10000 registers 10,000 handlers ("reg<i>/"), then
// unregisters them in registration order (libbpf shifts its table on every
// removal), through this module ("go") and straight through libbpf's C API
// ("c"), interleaved. Metrics: the median of the whole 10,000-handler
// register + unregister run per case.
func BenchmarkRegister10000(b *testing.B) {
	requireKernel(b)
	const n = 10000
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("reg%d/", i)
	}
	interleave(b, []icase{
		{"go", func(ph *[4]time.Duration) error {
			regs := make([]*libbpf.Registration, 0, n)
			for _, name := range names {
				r, err := libbpf.RegisterProgHandler(name, libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{})
				if err != nil {
					return err
				}
				regs = append(regs, r)
			}
			for _, r := range regs {
				if err := r.Unregister(); err != nil {
					return err
				}
			}
			return nil
		}},
		{"c", func(ph *[4]time.Duration) error {
			hs := make([]*chandlers.Handler, 0, n)
			for _, name := range names {
				h, err := chandlers.Register(name, 0)
				if err != nil {
					return err
				}
				hs = append(hs, h)
			}
			for _, h := range hs {
				if err := h.Unregister(); err != nil {
					return err
				}
			}
			return nil
		}},
	})
}

// BenchmarkMatching measures what 1000 registered handlers cost an Open:
// OpenObjectBytes + Close of many_go_1000 (1000 programs, served by the
// Go handler for "bench_go/") with only that handler registered ("none"),
// and with 1000 other handlers ("other<i>/", none matching) registered
// before it ("1000"), which libbpf compares with every program's section
// first. The difference is the matching cost.
func BenchmarkMatching(b *testing.B) {
	requireKernel(b)
	data := object(b, "many_go_1000.bpf.o")
	open := func(*[4]time.Duration) error {
		obj, err := libbpf.OpenObjectBytes(data, nil)
		if err != nil {
			return err
		}
		return obj.Close()
	}
	b.Run("handlers=0", func(b *testing.B) {
		registerGo(b, libbpf.ProgHandler{})
		interleave(b, []icase{{"open", open}})
	})
	b.Run("handlers=1000", func(b *testing.B) {
		for i := range 1000 {
			r, err := libbpf.RegisterProgHandler(fmt.Sprintf("other%d/", i), libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { r.Unregister() })
		}
		registerGo(b, libbpf.ProgHandler{})
		interleave(b, []icase{{"open", open}})
	})
}
