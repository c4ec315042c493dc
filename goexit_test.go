// AddressSanitizer's fake stacks do not survive a goroutine unwinding through
// C frames without returning to them (ASan reports a corrupt frame), so this
// test runs in the plain and -race builds only.

//go:build !asan

package libbpf_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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

// A callback that ends its goroutine inside Load, which blocks signals on
// its thread for the kernel load, leaves no thread with signals blocked:
// the thread goes back to the runtime able to take preemption requests.
func TestCallbackGoexitInLoad(t *testing.T) {
	testutil.RequireKernel(t)
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		PrepareLoad: func(*libbpf.Program, *libbpf.LoadOptions) error { runtime.Goexit(); return nil },
	})
	register(t, "", libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{
		PrepareLoad: func(_ *libbpf.Program, o *libbpf.LoadOptions) error { o.ProgFlags |= unix.BPF_F_SLEEPABLE; return nil },
	})
	obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/custom_sec.bpf.o"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	testutil.LeaveOutMissing(t, obj)
	returned := make(chan bool)
	go func() {
		done := false
		defer func() { returned <- done }()
		obj.Load()
		done = true
	}()
	if <-returned {
		t.Fatal("Load returned although PrepareLoad called runtime.Goexit")
	}
	// A thread the runtime is creating blocks every signal for a moment:
	// only a thread that keeps SIGURG blocked fails.
	deadline := time.Now().Add(2 * time.Second)
	for {
		blocked := threadsBlocking(t, unix.SIGURG)
		if len(blocked) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("threads %v keep SIGURG blocked after the abandoned Load", blocked)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// threadsBlocking returns the ids of this process's threads that block sig.
func threadsBlocking(t *testing.T, sig unix.Signal) []string {
	paths, err := filepath.Glob("/proc/self/task/*/status")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no thread status files: %v", err)
	}
	var ids []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		for line := range strings.Lines(string(b)) {
			hex, ok := strings.CutPrefix(line, "SigBlk:")
			if !ok {
				continue
			}
			mask, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", p, line, err)
			}
			if mask&(1<<(sig-1)) != 0 {
				ids = append(ids, filepath.Base(filepath.Dir(p)))
			}
		}
	}
	return ids
}
