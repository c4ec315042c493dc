package libbpf_test

import (
	"encoding/binary"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// slowVerifyIters is ITERS of testdata/slowverify.bpf.c.
const slowVerifyIters = 60000

// TestLoadUnderSignals loads a program whose verification takes a while
// (testdata/slowverify.bpf.c: 480,000 instructions processed, 0.3 s here)
// while another goroutine sends SIGURG, which the Go runtime takes for a
// preemption request and otherwise ignores, to the loading thread in a
// tight loop. The verifier gives up with EAGAIN whenever the thread has a
// signal pending and libbpf retries only a few times, so the load succeeds
// only because signals are blocked on the thread for it.
func TestLoadUnderSignals(t *testing.T) {
	testutil.RequireKernel(t)
	obj := openTest(t, "slowverify")

	var sent atomic.Int64
	var during int64
	var took time.Duration
	tids := make(chan int)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { // the storm
		defer close(stopped)
		pid, tid := unix.Getpid(), <-tids
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := unix.Tgkill(pid, tid, unix.SIGURG); err != nil {
				t.Errorf("tgkill: %v", err)
				return
			}
			sent.Add(1)
		}
	}()
	loaded := make(chan error)
	go func() {
		// The thread stays this goroutine's until the storm has stopped,
		// so that no other goroutine, and no later thread with its id,
		// gets the signals.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		for sent.Load() == 0 {
			runtime.Gosched()
		}
		start, before := time.Now(), sent.Load()
		err := obj.Load()
		took, during = time.Since(start), sent.Load()-before
		close(stop)
		<-stopped
		loaded <- err
	}()
	if err := <-loaded; err != nil {
		t.Fatalf("Load under %d signals: %v", during, err)
	}
	t.Logf("loaded in %v while %d signals were sent to the loading thread", took, during)
	if during < 10 {
		t.Errorf("only %d signals during the load: the storm did not overlap it", during)
	}

	// The program loaded is the one verified: it computes the hash.
	const seed = 0x1234567
	res, err := obj.Program("slow_verify").Run(&libbpf.RunOptions{Context: binary.NativeEndian.AppendUint64(nil, seed)})
	if err != nil {
		t.Fatal(err)
	}
	h := uint64(seed)
	for i := range uint64(slowVerifyIters) {
		h = h*31 + (seed ^ i)
	}
	if want := uint32(h & 0x7fffffff); res.Return != want {
		t.Errorf("slow_verify returned %#x, want %#x", res.Return, want)
	}
}
