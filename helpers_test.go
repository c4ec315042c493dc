package libbpf_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// openTest opens a compiled test object and closes it when the test ends.
func openTest(t testing.TB, name string) *libbpf.Object {
	t.Helper()
	testutil.RequireKernel(t)
	obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/"+name+".bpf.o"), nil)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { obj.Close() })
	testutil.LeaveOutMissing(t, obj)
	return obj
}

// register registers a handler and unregisters it when the test ends.
func register(t testing.TB, sec string, pt libbpf.ProgType, at libbpf.AttachType, h libbpf.ProgHandler) *libbpf.Registration {
	t.Helper()
	var r *libbpf.Registration
	var err error
	if sec == "" {
		r, err = libbpf.RegisterFallbackProgHandler(pt, at, h)
	} else {
		r, err = libbpf.RegisterProgHandler(sec, pt, at, h)
	}
	if err != nil {
		t.Fatalf("register %q: %v", sec, err)
	}
	t.Cleanup(func() {
		if err := r.Unregister(); err != nil && !errors.Is(err, libbpf.ErrNotRegistered) {
			t.Errorf("unregister %q: %v", sec, err)
		}
	})
	return r
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// countOnlyMe makes the test programs count events of this process only.
func countOnlyMe(t testing.TB, obj *libbpf.Object) {
	t.Helper()
	if err := obj.Map("target").Update(u32(0), u32(uint32(os.Getpid())), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
}

// counter reads slot idx of the test programs' counts map.
func counter(t testing.TB, obj *libbpf.Object, idx uint32) uint64 {
	t.Helper()
	return u64At(t, obj, "counts", idx)
}

// u64At reads slot idx of the array of u64 values called name.
func u64At(t testing.TB, obj *libbpf.Object, name string, idx uint32) uint64 {
	t.Helper()
	v := make([]byte, 8)
	if err := obj.Map(name).Lookup(u32(idx), v); err != nil {
		t.Fatal(err)
	}
	return binary.NativeEndian.Uint64(v)
}

// waitCount triggers events until slot idx reaches at least want.
func waitCount(t testing.TB, obj *libbpf.Object, idx uint32, want uint64, trigger func()) uint64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		trigger()
		got := counter(t, obj, idx)
		if got >= want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts[%d] = %d after 10s, want >= %d", idx, got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// attachCPUClock attaches p to a software cpu-clock event of the calling
// thread sampling every millisecond of its CPU time.
func attachCPUClock(p *libbpf.Program) (*libbpf.Link, error) {
	return testutil.AttachCPUClock(p, 0, 1_000_000)
}

// closeWakes checks that closer.Close wakes a call blocked in block, which
// then fails with ErrClosed.
func closeWakes(t *testing.T, what string, closer io.Closer, block func() error) {
	t.Helper()
	done := make(chan error)
	go func() { done <- block() }()
	time.Sleep(20 * time.Millisecond)
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, libbpf.ErrClosed) {
			t.Errorf("blocked %s returned %v, want ErrClosed", what, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Close did not wake the blocked %s", what)
	}
}

// mapOfFD makes a Map of fd, which it then owns; fd is closed on failure.
func mapOfFD(t testing.TB, fd int) *libbpf.Map {
	t.Helper()
	m, err := libbpf.MapFromFD(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return m
}
