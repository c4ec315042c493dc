package soak

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/handles"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// The handler sets a cycle registers, by cycle number modulo 4.
const (
	setRun      = iota // syscall programs run by test runs
	setRunPerf         // the same plus a perf_event program on cpu-clock
	setPerf            // the perf_event program only, with PrepareLoad
	setFallback        // the fallback handler plus the run handler
	numSets
)

// snapshot is the process's footprint at one moment.
type snapshot struct {
	rssKB      int64
	fds        int
	goroutines int
	handles    int64
}

func (s snapshot) String() string {
	return fmt.Sprintf("rss_kb=%d fds=%d goroutines=%d cgo_handles=%d", s.rssKB, s.fds, s.goroutines, s.handles)
}

func take(t *testing.T) snapshot {
	t.Helper()
	runtime.GC()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var rss int64
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return snapshot{rssKB: rss, fds: testutil.OpenFDs(t), goroutines: runtime.NumGoroutine(), handles: handles.Live()}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// stats counts what the cycles did.
type stats struct {
	cycles, runs, perfHits, fallbackBusy, foreignFallback atomic.Int64
	perSet                                                [numSets]atomic.Int64
}

// TestSoak runs SOAK_CYCLES cycles (default 40; make soak runs 10,000)
// spread over SOAK_GOROUTINES goroutines (default 4). Each cycle registers
// a handler set, opens the goroutine's copy of testdata/soak.bpf.o, loads
// it, attaches it, triggers every attached or runnable program and checks
// that it ran, detaches, closes and unregisters.
//
// The handler table changes only while no object is open (the module
// refuses otherwise), so registration and unregistration take tableMu for
// writing and the open-to-close part of a cycle takes it for reading:
// goroutines open, load, attach and trigger concurrently.
//
// The footprint is taken at the start, after the first 10% of the cycles
// (libbpf's feature probes and the Go heap settle) and at the end. File
// descriptors, goroutines and cgo handles must be back to their start
// values; RSS may not grow by more than SOAK_RSS_SLACK_KB (default 16 MiB)
// between the 10% mark and the end.
func TestSoak(t *testing.T) {
	testutil.RequireKernel(t)
	total := envInt("SOAK_CYCLES", 40)
	workers := envInt("SOAK_GOROUTINES", 4)
	slack := int64(envInt("SOAK_RSS_SLACK_KB", 16<<10))
	data, err := os.ReadFile(testutil.Object(t, "testdata/soak.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}

	start := take(t)
	t.Logf("SOAK start  %v", start)
	fmt.Printf("SOAK start  %v\n", start)
	began := time.Now()

	var (
		tableMu sync.RWMutex
		st      stats
		warm    snapshot
		warmAt  = max(1, total/10)
		next    atomic.Int64 // cycles handed out
		errs    = make(chan error, workers)
		wg      sync.WaitGroup
		warmMu  sync.Mutex
		warmSet bool
		series  []snapshot // at every 10% of the cycles
	)
	for g := range workers {
		obj := bytes.ReplaceAll(data, []byte("soak_G_"), []byte(fmt.Sprintf("soak_%d_", g)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The perf handler opens its cpu-clock event on the calling
			// thread, and the trigger must burn CPU on that same thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			w := &worker{g: g, obj: obj, tableMu: &tableMu, st: &st}
			for {
				i := next.Add(1) - 1
				if i >= int64(total) {
					return
				}
				if err := w.cycle(int(i)); err != nil {
					errs <- fmt.Errorf("goroutine %d, cycle %d: %w", g, i, err)
					return
				}
				if done := st.cycles.Add(1); done%int64(warmAt) == 0 {
					// Other workers may be mid-cycle: these snapshots
					// serve RSS, which the end compares with the first.
					snap := take(t)
					warmMu.Lock()
					if !warmSet {
						warm, warmSet = snap, true
					}
					series = append(series, snap)
					warmMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	elapsed := time.Since(began)
	end := take(t)
	t.Logf("SOAK warm   %v (after %d cycles)", warm, warmAt)
	t.Logf("SOAK end    %v", end)
	summary := fmt.Sprintf("SOAK %d cycles on %d goroutines in %v (%.0f cycles/s): sets run=%d run+perf=%d perf=%d fallback=%d; "+
		"%d test runs, %d perf triggers seen, fallback busy %d times, foreign fallback matches %d",
		st.cycles.Load(), workers, elapsed.Round(time.Millisecond), float64(st.cycles.Load())/elapsed.Seconds(),
		st.perSet[setRun].Load(), st.perSet[setRunPerf].Load(), st.perSet[setPerf].Load(), st.perSet[setFallback].Load(),
		st.runs.Load(), st.perfHits.Load(), st.fallbackBusy.Load(), st.foreignFallback.Load())
	t.Log(summary)
	var rss []string
	for _, s := range series {
		rss = append(rss, strconv.FormatInt(s.rssKB, 10))
	}
	fmt.Printf("SOAK rss_kb every %d cycles: %s\n", warmAt, strings.Join(rss, " "))
	fmt.Printf("SOAK warm   %v (after %d cycles)\nSOAK end    %v\n%s\n", warm, warmAt, end, summary)

	if end.fds != start.fds {
		t.Errorf("file descriptors: %d at start, %d at end", start.fds, end.fds)
	}
	if end.handles != start.handles {
		t.Errorf("cgo handles: %d at start, %d at end", start.handles, end.handles)
	}
	if end.goroutines != start.goroutines {
		t.Errorf("goroutines: %d at start, %d at end", start.goroutines, end.goroutines)
	}
	if warmSet && end.rssKB-warm.rssKB > slack {
		t.Errorf("RSS grew by %d kB from cycle %d to the end (slack %d kB)", end.rssKB-warm.rssKB, warmAt, slack)
	}
}

type worker struct {
	g       int
	obj     []byte
	tableMu *sync.RWMutex
	st      *stats
}

// register registers the handlers of a set and returns them.
func (w *worker) register(set int) (regs []*libbpf.Registration, fallback bool, err error) {
	w.tableMu.Lock()
	defer w.tableMu.Unlock()
	add := func(sec string, pt libbpf.ProgType, h libbpf.ProgHandler) {
		if err != nil {
			return
		}
		var r *libbpf.Registration
		if sec == "" {
			r, err = libbpf.RegisterFallbackProgHandler(pt, 0, h)
			if errors.Is(err, libbpf.ErrFallbackRegistered) {
				// Another goroutine holds the one fallback: run this
				// cycle without it.
				w.st.fallbackBusy.Add(1)
				err = nil
				return
			}
			fallback = err == nil
		} else {
			r, err = libbpf.RegisterProgHandler(sec, pt, 0, h)
		}
		if r != nil {
			regs = append(regs, r)
		}
	}
	prefix := fmt.Sprintf("soak_%d_", w.g)
	run := libbpf.ProgHandler{Setup: func(p *libbpf.Program) error {
		if !strings.HasPrefix(p.SectionName(), prefix+"run/") {
			return fmt.Errorf("run handler got section %q", p.SectionName())
		}
		return sleepable(p)
	}}
	perf := libbpf.ProgHandler{Attach: attachCPUClock}
	if set == setPerf {
		perf.PrepareLoad = func(p *libbpf.Program, o *libbpf.LoadOptions) error { return nil }
	}
	switch set {
	case setRun:
		add(prefix+"run/", libbpf.ProgTypeSyscall, run)
	case setRunPerf:
		add(prefix+"run/", libbpf.ProgTypeSyscall, run)
		add(prefix+"perf/", libbpf.ProgTypePerfEvent, perf)
	case setPerf:
		add(prefix+"perf/", libbpf.ProgTypePerfEvent, perf)
	case setFallback:
		add(prefix+"run/", libbpf.ProgTypeSyscall, run)
		// Attach declines: the fallback's programs are run, not attached.
		add("", libbpf.ProgTypeSyscall, libbpf.ProgHandler{
			Setup:  sleepable,
			Attach: func(*libbpf.Program) (*libbpf.Link, error) { return nil, nil },
		})
	}
	if err != nil {
		w.unregisterLocked(regs)
		return nil, false, err
	}
	return regs, fallback, nil
}

// sleepable marks a syscall program sleepable, as the kernel requires.
func sleepable(p *libbpf.Program) error {
	return p.SetFlags(p.Flags() | unix.BPF_F_SLEEPABLE)
}

func (w *worker) unregisterLocked(regs []*libbpf.Registration) error {
	var errs []error
	for i := len(regs) - 1; i >= 0; i-- {
		errs = append(errs, regs[i].Unregister())
	}
	return errors.Join(errs...)
}

func (w *worker) cycle(i int) error {
	set := i % numSets
	w.st.perSet[set].Add(1)
	regs, _, err := w.register(set)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	err = w.use()
	w.tableMu.Lock()
	err = errors.Join(err, w.unregisterLocked(regs))
	w.tableMu.Unlock()
	return err
}

// use runs the open-to-close part of a cycle, with the handler table held
// for reading.
func (w *worker) use() (err error) {
	w.tableMu.RLock()
	defer w.tableMu.RUnlock()
	obj, err := libbpf.OpenObjectBytes(w.obj, nil)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer func() { err = errors.Join(err, obj.Close()) }()
	// A program no handler matched has no type and would fail Load. One
	// that another goroutine's fallback matched loads as that handler
	// says (a syscall program).
	for _, p := range obj.Programs() {
		if p.Type() == libbpf.ProgTypeUnspec {
			if err := p.SetAutoload(false); err != nil {
				return err
			}
		} else if strings.Contains(p.SectionName(), "_fb/") || (strings.Contains(p.SectionName(), "_perf/") && p.Type() == libbpf.ProgTypeSyscall) {
			w.st.foreignFallback.Add(1)
		}
	}
	if err := obj.Load(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := obj.Attach(); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	// Trigger.
	for _, p := range obj.Programs() {
		if !p.Autoload() || p.Type() != libbpf.ProgTypeSyscall {
			continue
		}
		res, err := p.Run(nil)
		if err != nil {
			return err
		}
		want := map[string]uint32{"run_a": 42, "fb_a": 7, "perf_a": 0}[p.Name()]
		if res.Return != want {
			return fmt.Errorf("run %s: returned %d, want %d", p.Name(), res.Return, want)
		}
		w.st.runs.Add(1)
	}
	if perf := obj.Program("perf_a"); perf.Type() == libbpf.ProgTypePerfEvent && perf.Autoload() {
		if err := waitForHit(obj.Map("counts"), 1); err != nil {
			return err
		}
		w.st.perfHits.Add(1)
	}
	// Detach before Close, as a long-running tool would.
	for _, l := range obj.Links() {
		if err := l.Close(); err != nil {
			return fmt.Errorf("detach: %w", err)
		}
	}
	return nil
}

// attachCPUClock attaches prog to a software cpu-clock event on the calling
// thread that samples every 100 µs of its CPU time.
func attachCPUClock(prog *libbpf.Program) (*libbpf.Link, error) {
	return testutil.AttachCPUClock(prog, 0, 100_000)
}

// waitForHit burns CPU on the calling thread until counts[idx] is nonzero,
// for at most 5 seconds. The burn's result is the worker's own: workers share
// no mutable state.
func waitForHit(m *libbpf.Map, idx uint32) error {
	key := binary.NativeEndian.AppendUint32(nil, idx)
	val := make([]byte, 8)
	var burn uint64
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for i := range 200_000 {
			burn += uint64(i) * 2654435761
		}
		runtime.KeepAlive(burn)
		if err := m.Lookup(key, val); err != nil {
			return err
		}
		if binary.NativeEndian.Uint64(val) > 0 {
			return nil
		}
	}
	return fmt.Errorf("perf_a never ran in 5 s of CPU burn")
}
