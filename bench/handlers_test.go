package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/chandlers"
)

// BenchmarkHandlers measures one whole control-plane cycle (open, load,
// attach every program, detach, close) of an object with n identical
// perf_event programs, by who handles their sections, interleaved:
//
//	go        SEC("bench_go/<i>"): this module's Go handler (Setup,
//	          PrepareLoad and Attach closures; Attach opens a cpu-clock
//	          perf event and attaches to it), driven by the module's API:
//	          OpenObjectBytes, Load, Object.Attach, Object.Close.
//	c         SEC("bench_c/<i>"): the equivalent C handler of
//	          internal/chandlers, registered with libbpf in the same
//	          process, driven by the same module API calls.
//	cgo       SEC("bench_x/<i>"): the same C handler, except that each of
//	          its callbacks first calls a Go function that only counts: the
//	          runtime's C→Go crossings without the module, so that go/c
//	          splits into cgo/c (crossings) and go/cgo (the module's
//	          dispatch and the Go handler's own work in Go).
//	purec     the same C handler driven entirely from C (open_mem, load,
//	          bpf_program__attach, bpf_link__destroy, close): what a C
//	          program would do.
//	builtin   SEC("perf_event"): libbpf's built-in section, which cannot
//	          auto-attach; the module API opens and loads it and the
//	          benchmark attaches each program to a cpu-clock event by hand.
//
// Each case reports the median of its cycle and of each phase.
func BenchmarkHandlers(b *testing.B) {
	requireKernel(b)
	registerGo(b, goHandler)
	registerC(b, "bench_c/", chandlers.WithPrepareLoad|chandlers.WithAttach)
	registerC(b, "bench_x/", chandlers.WithPrepareLoad|chandlers.WithAttach|chandlers.WithCrossing)
	for _, n := range []int{10, 100, 1000} {
		goObj := object(b, fmt.Sprintf("many_go_%d.bpf.o", n))
		cObj := object(b, fmt.Sprintf("many_c_%d.bpf.o", n))
		xObj := object(b, fmt.Sprintf("many_x_%d.bpf.o", n))
		builtinObj := object(b, fmt.Sprintf("many_builtin_%d.bpf.o", n))
		cases := []icase{
			{"go", func(ph *[4]time.Duration) error { return cycle(goObj, nil, ph) }},
			{"c", func(ph *[4]time.Duration) error { return cycle(cObj, nil, ph) }},
			{"cgo", func(ph *[4]time.Duration) error { return cycle(xObj, nil, ph) }},
			{"purec", func(ph *[4]time.Duration) error {
				t, err := chandlers.Cycle(cObj, chandlers.CycleAutoAttach)
				*ph = [4]time.Duration{t.Open, t.Load, t.Attach, t.Close}
				return err
			}},
			{"builtin", func(ph *[4]time.Duration) error { return cycle(builtinObj, attachCPUClock, ph) }},
		}
		b.Run(fmt.Sprintf("progs=%d", n), func(b *testing.B) {
			interleave(b, alternate(cases), "open", "load", "attach", "close")
		})
	}
}

// BenchmarkTrampoline measures the round trip from libbpf through the C
// trampoline into a Go callback and back, against a C callback, for the
// setup and attach callbacks. The handlers serve an object of 1000
// programs in one section (SEC("bench_go"), SEC("bench_c") or
// SEC("bench_x"), so that libbpf's per-section work does not drown the
// callbacks); the cases differ only in the callback's language ("cgo" is
// the C callback that first calls into Go):
//
//	setup   OpenObjectBytes + Close, with an empty Setup (Go) or setup_fn (C)
//	attach  Object.Attach on the loaded object, whose Attach callback
//	        declines every program ((nil, nil) in Go, 0 and no link in C)
//
// The round trip is (go - c) / 1000, computed by the report, which splits
// it into the crossing (cgo - c) and the module's dispatch (go - cgo).
func BenchmarkTrampoline(b *testing.B) {
	requireKernel(b)
	reg, err := libbpf.RegisterProgHandler("bench_go+", libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{
		Setup:  func(*libbpf.Program) error { return nil },
		Attach: func(*libbpf.Program) (*libbpf.Link, error) { return nil, nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Unregister()
	registerC(b, "bench_c+", chandlers.WithDecline)
	registerC(b, "bench_x+", chandlers.WithDecline|chandlers.WithCrossing)
	objs := map[string][]byte{
		"go":  object(b, "many_go1_1000.bpf.o"),
		"c":   object(b, "many_c1_1000.bpf.o"),
		"cgo": object(b, "many_x1_1000.bpf.o"),
	}
	open := func(name string) icase {
		return icase{name, func(*[4]time.Duration) error {
			obj, err := libbpf.OpenObjectBytes(objs[name], nil)
			if err != nil {
				return err
			}
			return obj.Close()
		}}
	}
	b.Run("setup", func(b *testing.B) {
		interleave(b, []icase{open("go"), open("c"), open("cgo")})
	})
	b.Run("attach", func(b *testing.B) {
		var cases []icase
		for _, name := range []string{"go", "c", "cgo"} {
			obj, err := libbpf.OpenObjectBytes(objs[name], nil)
			if err != nil {
				b.Fatal(err)
			}
			defer obj.Close()
			if err := obj.Load(); err != nil {
				b.Fatal(err)
			}
			cases = append(cases, icase{name, func(*[4]time.Duration) error {
				if err := obj.Attach(); err != nil {
					return err
				}
				if n := len(obj.Links()); n != 0 {
					return fmt.Errorf("%d links, want none", n)
				}
				return nil
			}})
		}
		interleave(b, cases)
	})
}
