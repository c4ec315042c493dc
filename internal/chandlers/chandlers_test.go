package chandlers_test

import (
	"os"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/chandlers"
	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestCHandlers(t *testing.T) {
	testutil.RequireKernel(t)
	data, err := os.ReadFile(testutil.Object(t, "testdata/ch.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := chandlers.Register("ch_test/", chandlers.WithPrepareLoad|chandlers.WithAttach)
	if err != nil {
		t.Fatal(err)
	}
	unregister := func() {
		if h == nil {
			return
		}
		if err := h.Unregister(); err != nil {
			t.Error(err)
		}
		h = nil
	}
	defer unregister()
	fds := testutil.OpenFDs(t)

	for _, mode := range []int{chandlers.CycleNoAttach, chandlers.CycleAutoAttach, chandlers.CyclePerfEvent} {
		times, err := chandlers.Cycle(data, mode)
		if err != nil {
			t.Fatalf("cycle mode %d: %v", mode, err)
		}
		if times.Open <= 0 || times.Load <= 0 {
			t.Errorf("cycle mode %d: times %+v", mode, times)
		}
	}

	// The module sees the C handler: the programs get its type, and
	// Object.Attach goes through its attach callback. WithCrossing adds one
	// call into Go per callback: setup, prepare-load and attach for each of
	// the two programs.
	cycle := func() {
		obj, err := libbpf.OpenObjectBytes(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		for _, p := range obj.Programs() {
			if p.Type() != libbpf.ProgTypePerfEvent {
				t.Errorf("%s: type %v, want perf_event", p.Name(), p.Type())
			}
		}
		if err := obj.Load(); err != nil {
			t.Fatal(err)
		}
		if err := obj.Attach(); err != nil {
			t.Fatal(err)
		}
		if n := len(obj.Links()); n != 2 {
			t.Errorf("%d links, want 2", n)
		}
		if err := obj.Close(); err != nil {
			t.Fatal(err)
		}
	}
	before := chandlers.Crossings()
	cycle()
	if n := chandlers.Crossings() - before; n != 0 {
		t.Errorf("%d calls into Go without WithCrossing", n)
	}
	unregister()
	h, err = chandlers.Register("ch_test/", chandlers.WithPrepareLoad|chandlers.WithAttach|chandlers.WithCrossing)
	if err != nil {
		t.Fatal(err)
	}
	cycle()
	if n := chandlers.Crossings() - before; n != 6 {
		t.Errorf("%d calls into Go WithCrossing, want 6", n)
	}

	timing, err := chandlers.TimeProgLoad(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	if timing.Syscall <= 0 || timing.Verification <= 0 || timing.Insns != 2 {
		t.Errorf("timing %+v", timing)
	}
	if n := testutil.OpenFDs(t); n != fds {
		t.Errorf("file descriptors: %d before, %d after", fds, n)
	}
}
