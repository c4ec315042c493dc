// AddressSanitizer's fake stacks do not survive a goroutine unwinding through
// C frames without returning to them (ASan reports a corrupt frame), so this
// test runs in the plain and -race builds only.

//go:build !asan

package libbpf_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// A callback that ends its goroutine (t.Fatal in a callback does) abandons
// the libbpf call it serves, but leaves neither the handler table locked nor
// the thread marked as inside a callback, and leaks no handle.
func TestCallbackGoexit(t *testing.T) {
	testutil.RequireKernel(t)
	path := testutil.Object(t, "testdata/custom_sec.bpf.o")
	handles := libbpf.LiveHandles()
	// One P: the goroutines below run on the thread the exiting one left.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	r, err := libbpf.RegisterProgHandler("custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Setup: func(*libbpf.Program) error { runtime.Goexit(); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan bool)
	go func() {
		done := false
		defer func() { returned <- done }()
		libbpf.OpenObjectFile(path, nil)
		done = true
	}()
	if <-returned {
		t.Fatal("OpenObjectFile returned although Setup called runtime.Goexit")
	}

	unregistered := make(chan error, 1)
	go func() { unregistered <- r.Unregister() }()
	select {
	case err := <-unregistered:
		if err != nil {
			t.Fatalf("unregister: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Unregister blocked: the handler table stayed locked")
	}
	for i := range 20 {
		r, err := libbpf.RegisterProgHandler(fmt.Sprintf("after_goexit_%d", i), libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{})
		if err != nil {
			t.Fatalf("register after Goexit: %v", err)
		}
		r.Unregister()
		runtime.Gosched()
	}
	if got := libbpf.LiveHandles(); got != handles {
		t.Errorf("live handles: %d before, %d after", handles, got)
	}
}
