package bench

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/chandlers"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	testutil.QuietLibbpf()
	os.Exit(m.Run())
}

// object returns the bytes of a BPF object bench/Makefile built into build/.
func object(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("build", name))
	if err != nil {
		tb.Fatalf("%v (run make -C bench objects)", err)
	}
	return data
}

// round is the benchmark round run.sh is in (BENCH_ROUND), 0 when unset.
func round() int {
	n, _ := strconv.Atoi(os.Getenv("BENCH_ROUND"))
	return n
}

// alternate returns cases in their order on even rounds and reversed on odd
// ones, so that no case always runs first or last in a round.
func alternate[T any](cases []T) []T {
	out := slices.Clone(cases)
	if round()%2 == 1 {
		slices.Reverse(out)
	}
	return out
}

// parkedTID is a thread of this process that sleeps for good, the target of
// every cpu-clock event the benchmarks open. Events on the benchmark's own
// threads would be scheduled in and out (an hrtimer each) on every context
// switch of those threads: with 1000 of them attached that would slow the
// very code being measured. On a thread that never runs they cost nothing
// but their creation and destruction.
//
// The kernel installs and removes a task's perf event by a function call on
// the CPU the task last ran on: an IPI (a VM exit here, ~10 µs) unless the
// caller is on that CPU. So the parked thread and the benchmarking thread
// are pinned to the same CPU (pin), which keeps that cost out of every case
// alike.
var parkedTID = func() int {
	tid := make(chan int)
	go func() {
		if err := testutil.PinThread(benchCPU); err != nil {
			panic(err)
		}
		tid <- unix.Gettid()
		select {}
	}()
	t := <-tid
	chandlers.SetTarget(t)
	return t
}()

// benchCPU is the CPU the parked thread and the benchmarking threads run on.
var benchCPU = runtime.NumCPU() - 1

// pin locks the calling goroutine to its thread and the thread to benchCPU
// until the benchmark ends.
func pin(b *testing.B) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		b.Fatal(err)
	}
	if err := testutil.PinThread(benchCPU); err != nil {
		runtime.UnlockOSThread()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	})
}

// openCPUClock opens a software cpu-clock perf event on parkedTID whose
// sample period (2^62 ns) is so long it never fires: an attach target that
// costs microseconds to create and destroy, unlike tracepoints.
func openCPUClock() (int, error) { return testutil.OpenCPUClock(parkedTID, 1<<62) }

// attachCPUClock attaches prog to a new cpu-clock event; the link owns it.
func attachCPUClock(prog *libbpf.Program) (*libbpf.Link, error) {
	return testutil.AttachCPUClock(prog, parkedTID, 1<<62)
}

// goHandler is the Go twin of chandlers' C handler: empty Setup and
// PrepareLoad, an Attach that attaches to a cpu-clock event.
var goHandler = libbpf.ProgHandler{
	Setup:       func(*libbpf.Program) error { return nil },
	PrepareLoad: func(*libbpf.Program, *libbpf.LoadOptions) error { return nil },
	Attach:      attachCPUClock,
}

// registerGo registers h for "bench_go/" and arranges its removal.
func registerGo(tb testing.TB, h libbpf.ProgHandler) {
	tb.Helper()
	reg, err := libbpf.RegisterProgHandler("bench_go/", libbpf.ProgTypePerfEvent, 0, h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := reg.Unregister(); err != nil {
			tb.Error(err)
		}
	})
}

// registerC registers the C handler for sec and arranges its removal.
func registerC(tb testing.TB, sec string, flags int) {
	tb.Helper()
	h, err := chandlers.Register(sec, flags)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := h.Unregister(); err != nil {
			tb.Error(err)
		}
	})
}

// cycle runs open, load, attach (Object.Attach, or attach by hand when
// manual is set) and close through the module's API, filling in the time
// of each phase.
func cycle(data []byte, manual func(*libbpf.Program) (*libbpf.Link, error), ph *[4]time.Duration) error {
	t0 := time.Now()
	obj, err := libbpf.OpenObjectBytes(data, nil)
	if err != nil {
		return err
	}
	t1 := time.Now()
	err = obj.Load()
	t2 := time.Now()
	var links []*libbpf.Link
	if err == nil {
		if manual != nil {
			for _, prog := range obj.Programs() {
				var l *libbpf.Link
				if l, err = manual(prog); err != nil {
					break
				}
				links = append(links, l)
			}
		} else {
			err = obj.Attach()
		}
	}
	t3 := time.Now()
	for _, l := range links {
		err = errors.Join(err, l.Close())
	}
	err = errors.Join(err, obj.Close())
	t4 := time.Now()
	*ph = [4]time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3)}
	return err
}

func requireKernel(b *testing.B) { testutil.RequireKernel(b) }

// A case of an interleaved benchmark: run does one cycle and may fill in the
// time of its phases.
type icase struct {
	name string
	run  func(ph *[4]time.Duration) error
}

// interleave runs every case once per iteration, in an order that rotates
// with the iteration, so that all cases see the same machine state and
// drift (other jobs, thermal, page cache) affects them alike. It reports,
// per case, the median time of one cycle as "<case>-ns/op" and, when
// phaseNames is set, the median of each phase as "<case>-<phase>-ns/op".
// The benchmark's own ns/op is the sum over the cases and means nothing.
func interleave(b *testing.B, cases []icase, phaseNames ...string) {
	pin(b)
	totals := make([][]time.Duration, len(cases))
	phases := make([][4][]time.Duration, len(cases))
	i := 0
	for b.Loop() {
		for j := range cases {
			k := (i + j) % len(cases)
			var ph [4]time.Duration
			t := time.Now()
			if err := cases[k].run(&ph); err != nil {
				b.Fatalf("%s: %v", cases[k].name, err)
			}
			totals[k] = append(totals[k], time.Since(t))
			for p := range phaseNames {
				phases[k][p] = append(phases[k][p], ph[p])
			}
		}
		i++
	}
	for k, c := range cases {
		b.ReportMetric(float64(median(totals[k])), c.name+"-ns/op")
		for p, name := range phaseNames {
			b.ReportMetric(float64(median(phases[k][p])), c.name+"-"+name+"-ns/op")
		}
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
