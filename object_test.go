package libbpf_test

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// loadBasic opens and loads basic.bpf.o, counting only this process.
func loadBasic(t *testing.T) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "basic")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, obj)
	return obj
}

func TestBuiltinSectionsAutoAttach(t *testing.T) {
	obj := loadBasic(t)
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	// raw_tp and tracepoint attach; bare perf_event, uprobe, uprobe.multi,
	// usdt and syscall sections are skipped as libbpf's skeleton does.
	if n := len(obj.Links()); n != 2 {
		t.Errorf("Object.Attach made %d links, want 2", n)
	}
	waitCount(t, obj, 0, 1, nanosleep)
	waitCount(t, obj, 1, 3, func() { unix.Getppid() })
	if err := obj.Attach(); err != nil || len(obj.Links()) != 2 {
		t.Errorf("second Attach: %v, %d links; want it to attach nothing new", err, len(obj.Links()))
	}
}

// A custom "perf_event" handler overrides libbpf's and auto-attaches a
// software cpu-clock event.
func TestPerfEventOverride(t *testing.T) {
	register(t, "perf_event", libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{Attach: attachCPUClock})
	obj := loadBasic(t)
	for _, p := range obj.Programs() {
		if p.Name() != "on_cpu_clock" {
			p.SetAutoattach(false)
		}
	}
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	if n := len(obj.Links()); n != 1 {
		t.Fatalf("%d links, want the perf event's", n)
	}
	spin := func() {
		for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
		}
	}
	waitCount(t, obj, 2, 5, spin)
}

// probeTarget starts testdata/probe_target, which fires its probes n times
// once fire is called, and makes obj's programs count only that process.
func probeTarget(t *testing.T, obj *libbpf.Object, n int) (path string, pid int, fire func()) {
	t.Helper()
	path, err := filepath.Abs(testutil.Object(t, "testdata/probe_target"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, fmt.Sprint(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if err := obj.Map("target").Update(u32(0), u32(uint32(cmd.Process.Pid)), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	return path, cmd.Process.Pid, func() {
		io.WriteString(stdin, "go\n")
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAttachProbes(t *testing.T) {
	for _, tc := range []struct {
		name, object, prog string
		idx                uint32
		attach             func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error)
	}{
		{"uprobe", "basic", "on_uprobe", 3, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUprobe(libbpf.UprobeOptions{Path: path, Symbol: "golibbpf_tick", PID: pid})
		}},
		{"uretprobe", "basic", "on_uprobe", 3, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUprobe(libbpf.UprobeOptions{Path: path, Symbol: "golibbpf_tick", PID: pid, Retprobe: true})
		}},
		// An offset in the file and no symbol: libbpf's plain
		// bpf_program__attach_uprobe.
		{"uprobe at a file offset", "basic", "on_uprobe", 3, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUprobe(libbpf.UprobeOptions{Path: path, Offset: symbolFileOffset(t, path, "golibbpf_tick"), PID: pid})
		}},
		{"uretprobe at a file offset", "basic", "on_uprobe", 3, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUprobe(libbpf.UprobeOptions{Path: path, Offset: symbolFileOffset(t, path, "golibbpf_tick"), PID: pid, Retprobe: true})
		}},
		{"uprobe_multi", "basic", "on_uprobe_multi", 4, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUprobeMulti(libbpf.UprobeMultiOptions{Path: path, Pattern: "golibbpf_*", PID: pid})
		}},
		{"usdt", "usdt", "on_tick", 0, func(p *libbpf.Program, path string, pid int) (*libbpf.Link, error) {
			return p.AttachUSDT(libbpf.USDTOptions{Path: path, Provider: "golibbpf", Name: "tick", PID: pid})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := openTest(t, tc.object) // fresh counters for every case
			if err := obj.Load(); err != nil {
				t.Fatal(err)
			}
			path, pid, fire := probeTarget(t, obj, 25)
			l, err := tc.attach(obj.Program(tc.prog), path, pid)
			if why, lacks := testutil.KernelLacks(testutil.FeatureUprobeMulti); lacks && tc.name == "uprobe_multi" {
				if !errors.Is(err, libbpf.ErrNotSupported) || !strings.Contains(err.Error(), "6.6") {
					t.Errorf("AttachUprobeMulti where %s: %v, want ErrNotSupported naming 6.6", why, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fire()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got := counter(t, obj, tc.idx); got != 25 {
				t.Errorf("%s counted %d calls, want exactly 25", tc.prog, got)
			}
		})
	}
}

// symbolFileOffset returns the offset in the ELF file at path of the code
// of function name, where a uprobe on it goes.
func symbolFileOffset(t *testing.T, path, name string) uint64 {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name != name || elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && s.Value >= p.Vaddr && s.Value < p.Vaddr+p.Memsz {
				return s.Value - p.Vaddr + p.Off
			}
		}
	}
	t.Fatalf("%s: no function %s in an executable segment", path, name)
	return 0
}

func TestAttachUprobeMissingSymbol(t *testing.T) {
	obj := loadBasic(t)
	path, _, _ := probeTarget(t, obj, 1)
	_, err := obj.Program("on_uprobe").AttachUprobe(libbpf.UprobeOptions{Path: path, Symbol: "no_such_symbol"})
	if !errors.Is(err, unix.ENOENT) || !strings.Contains(err.Error(), "no_such_symbol") {
		t.Errorf("uprobe on a missing symbol: %v, want ENOENT naming it", err)
	}
	if _, err := obj.Program("on_uprobe").AttachUprobe(libbpf.UprobeOptions{Path: path, Symbol: "golibbpf_tick", PID: -3}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("negative pid: %v, want EINVAL", err)
	}
}

// TestProgramRun runs programs with BPF_PROG_TEST_RUN: a socket filter,
// which every kernel runs, once at a time and repeated, and the syscall
// program (5.14), which refuses repetitions.
func TestProgramRun(t *testing.T) {
	obj := loadBasic(t)
	// Three runs, each returning 42.
	runThrice := func(t *testing.T, p *libbpf.Program, opts *libbpf.RunOptions) {
		t.Helper()
		for range 3 {
			res, err := p.Run(opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Return != 42 {
				t.Errorf("%s returned %d, want 42", p.Name(), res.Return)
			}
		}
	}
	p, packet := obj.Program("filter_me"), make([]byte, 64)
	runThrice(t, p, &libbpf.RunOptions{Data: packet})
	if res, err := p.Run(&libbpf.RunOptions{Data: packet, Repeat: 100}); err != nil || res.Return != 42 {
		t.Errorf("Run with Repeat 100: returned %d, %v; want 42", res.Return, err)
	}
	if got := counter(t, obj, 7); got != 103 {
		t.Errorf("ran %d times, want 103", got)
	}
	// A packet shorter than an Ethernet header: a clear error, not a crash.
	if _, err := p.Run(&libbpf.RunOptions{Data: packet[:4]}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Run on 4 bytes: %v, want EINVAL", err)
	}

	t.Run("syscall", func(t *testing.T) {
		testutil.RequireFeature(t, testutil.FeatureSyscallProg)
		runThrice(t, obj.Program("run_me"), nil)
		if got := counter(t, obj, 6); got != 3 {
			t.Errorf("ran %d times, want 3", got)
		}
		// Syscall programs refuse repetitions: a clear error, not a crash.
		if _, err := obj.Program("run_me").Run(&libbpf.RunOptions{Repeat: 2}); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Run with Repeat: %v, want EINVAL", err)
		}
	})
}

// TestProgramRunSignalled runs a program many times while its thread keeps
// getting signals, as Go's preemption (SIGURG) sends them: the kernel aborts
// a repeated test run with a signal pending, and Run must not hand that
// EINTR to the caller nor run the program more or fewer times than asked.
func TestProgramRunSignalled(t *testing.T) {
	obj := loadBasic(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, tid := unix.Getpid(), unix.Gettid()
	done := make(chan struct{})
	var signalled sync.WaitGroup
	signalled.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				unix.Tgkill(pid, tid, unix.SIGURG)
				time.Sleep(20 * time.Microsecond)
			}
		}
	})
	const repeat = 1_000_000
	packet := make([]byte, 64)
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		_, err = obj.Program("filter_me").Run(&libbpf.RunOptions{Data: packet, Repeat: repeat})
	}
	close(done)
	signalled.Wait()
	if err != nil {
		t.Fatalf("Run under signals: %v", err)
	}
	if got := counter(t, obj, 7); got != 5*repeat {
		t.Errorf("ran %d times, want %d", got, 5*repeat)
	}
}

func TestMapAccess(t *testing.T) {
	obj := loadBasic(t)
	m := obj.Map("counts")
	if m.KeySize() != 4 || m.ValueSize() != 8 || m.MaxEntries() != 16 || m.Type() != libbpf.MapTypeArray || m.FD() < 0 {
		t.Fatalf("counts: key %d value %d max %d type %v fd %d", m.KeySize(), m.ValueSize(), m.MaxEntries(), m.Type(), m.FD())
	}
	val := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	if err := m.Update(u32(7), val, libbpf.UpdateExist); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	if err := m.Lookup(u32(7), got); err != nil || string(got) != string(val) {
		t.Errorf("Lookup = %v, %v", got, err)
	}
	for _, bad := range []struct {
		name string
		err  error
	}{
		{"short key", m.Lookup([]byte{1}, got)},
		{"long value", m.Lookup(u32(0), make([]byte, 9))},
		{"nil value", m.Update(u32(0), nil, libbpf.UpdateAny)},
		{"nil lookup value", m.Lookup(u32(0), nil)},
	} {
		if !errors.Is(bad.err, unix.EINVAL) || !strings.Contains(bad.err.Error(), "counts") || !strings.Contains(bad.err.Error(), " bytes") {
			t.Errorf("%s: %v, want EINVAL naming the map and the sizes", bad.name, bad.err)
		}
	}
	if err := m.Lookup(u32(99), got); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("Lookup out of range: %v, want ErrKeyNotExist", err)
	}
	var keys int
	key, next := []byte(nil), make([]byte, 4)
	for {
		err := m.NextKey(key, next)
		if errors.Is(err, libbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		keys++
		key = append(key[:0], next...)
	}
	if keys != 16 {
		t.Errorf("iterated %d keys, want 16", keys)
	}
}

func TestOpenBadInput(t *testing.T) {
	testutil.RequireKernel(t)
	if _, err := libbpf.OpenObjectFile("testdata/missing.bpf.o", nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for name, data := range map[string][]byte{"empty": nil, "not ELF": []byte("hello, world")} {
		if _, err := libbpf.OpenObjectBytes(data, nil); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	data, err := os.ReadFile(testutil.Object(t, "testdata/basic.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := libbpf.OpenObjectBytes(data, &libbpf.OpenOptions{ObjectName: "from_memory"})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Name() != "from_memory" || len(obj.Programs()) != 7 || obj.Program("nope") != nil || obj.Map("nope") != nil {
		t.Errorf("name %q, %d programs", obj.Name(), len(obj.Programs()))
	}
	obj.Close()
	if err := obj.Load(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
	if err := obj.Programs()[0].SetAutoload(false); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("setter after Close: %v", err)
	}
	if err := obj.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// libbpf 1.7.0 turns a .kconfig extern of 2^31 bytes into an error code
// outside its IS_ERR window and returns it as an object pointer (found by
// FuzzOpenObjectBytes): Open must fail with EINVAL, not crash.
func TestOpenRejectsOverflowingExternSize(t *testing.T) {
	path := testutil.Object(t, "testdata/kcfg_huge.bpf.o")
	fds, handles := testutil.OpenFDs(t), libbpf.LiveHandles()
	for name, open := range map[string]func() (*libbpf.Object, error){
		"file": func() (*libbpf.Object, error) { return libbpf.OpenObjectFile(path, nil) },
		"bytes": func() (*libbpf.Object, error) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return libbpf.OpenObjectBytes(data, nil)
		},
	} {
		obj, err := open()
		if !errors.Is(err, unix.EINVAL) || obj != nil {
			t.Errorf("open from %s: %v, want EINVAL", name, err)
		}
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("open fds: %d before, %d after", fds, got)
	}
	if got := libbpf.LiveHandles(); got != handles {
		t.Errorf("live handles: %d before, %d after", handles, got)
	}
}

// TestLoadErrorHasVerifierLog: a program the verifier rejects fails Load
// with a LoadError whose message is a summary (program, errno, the log's
// last lines), whose Log holds the whole log, and whose %+v prints it.
func TestLoadErrorHasVerifierLog(t *testing.T) {
	obj := openTest(t, "unverifiable")
	err := obj.Load()
	var le *libbpf.LoadError
	if !errors.As(err, &le) || le.Program != "no_null_check" || !strings.Contains(le.Log, "map_value_or_null") {
		t.Fatalf("Load = %v, want the verifier's complaint about map_value_or_null", err)
	}
	if !errors.Is(err, unix.EACCES) {
		t.Errorf("%v does not wrap EACCES", err)
	}
	const why = "R0 invalid mem access 'map_value_or_null'"
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	if !strings.HasPrefix(msg, "load program no_null_check: permission denied (EACCES); the verifier log ends") ||
		!strings.Contains(msg, why) || len(lines) != 4 {
		t.Errorf("message %q: want the program, the errno and the log's last 3 lines", msg)
	}
	if first := strings.SplitN(le.Log, "\n", 2)[0]; strings.Contains(msg, first) {
		t.Errorf("message %q holds the log's first line %q: not a summary", msg, first)
	}
	if got := le.LastLines(1); len(got) != 1 || got[0] != why {
		t.Errorf("LastLines(1) = %q, want %q", got, why)
	}
	if got := fmt.Sprintf("%v", err); got != msg {
		t.Errorf("%%v = %q, want Error()", got)
	}
	full := fmt.Sprintf("%+v", err)
	if !strings.HasPrefix(full, "load program no_null_check: permission denied (EACCES); verifier log:\n") ||
		!strings.Contains(full, strings.TrimSpace(le.Log)) {
		t.Errorf("%%+v = %q, want the whole log", full)
	}
}

// TestLoadErrorWithoutLog: a program the kernel refuses before the
// verifier runs (a program type it does not know; fentry where the kernel
// table says the kernel refuses trampolines with EPERM) fails with a
// LoadError that says no log was produced, rather than an empty log.
func TestLoadErrorWithoutLog(t *testing.T) {
	check := func(t *testing.T, obj *libbpf.Object, prog string, errno unix.Errno) {
		t.Helper()
		err := obj.Load()
		var le *libbpf.LoadError
		if !errors.As(err, &le) || le.Program != prog || !errors.Is(err, errno) {
			t.Fatalf("Load = %v, want a LoadError of %s wrapping %v", err, prog, errno)
		}
		want := fmt.Sprintf("load program %s: %v (%s); the kernel produced no verifier log", prog, errno, unix.ErrnoName(errno))
		if le.Log != "" || err.Error() != want {
			t.Errorf("message %q (log %q), want %q", err, le.Log, want)
		}
		if full := fmt.Sprintf("%+v", err); full != want {
			t.Errorf("%%+v = %q, want %q", full, want)
		}
	}
	t.Run("unknown program type", func(t *testing.T) {
		obj := openTest(t, "basic")
		for _, p := range obj.Programs() {
			if err := p.SetAutoload(p.Name() == "run_me"); err != nil {
				t.Fatal(err)
			}
		}
		if err := obj.Program("run_me").SetType(libbpf.ProgType(1000)); err != nil {
			t.Fatal(err)
		}
		check(t, obj, "run_me", unix.EINVAL)
	})
	t.Run("fentry", func(t *testing.T) {
		why, lacks := testutil.KernelLacks(testutil.FeatureTrampoline)
		if !lacks || testutil.LacksAtAttach(testutil.FeatureTrampoline) {
			t.Log("this kernel loads fentry programs (TestAttachTrace)")
			return
		}
		t.Log(why)
		check(t, openTest(t, "trampoline"), "on_fentry", unix.EPERM)
	})
}

// A failed Object.Attach destroys what it attached before the failure.
func TestAttachFailureLeavesNothing(t *testing.T) {
	var made []*libbpf.Link
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			if p.Name() == "custom2" {
				return nil, errors.New("no")
			}
			l, err := p.AttachTracepoint("syscalls", "sys_enter_nanosleep")
			made = append(made, l)
			return l, err
		},
	})
	obj := openTest(t, "custom_sec")
	for _, p := range obj.Programs() {
		p.SetAutoload(strings.HasPrefix(p.Name(), "custom"))
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	err := obj.Attach()
	var ce *libbpf.CallbackError
	if !errors.As(err, &ce) || ce.Program != "custom2" {
		t.Fatalf("Attach = %v, want custom2's error", err)
	}
	if len(made) != 1 || made[0].FD() != -1 || len(obj.Links()) != 0 {
		t.Errorf("custom1's link survived the failed Attach")
	}
}

// Open, load, attach and close 500 times: fds and cgo handles return to
// where they started.
func TestNoLeaks(t *testing.T) {
	// Perf event links: tracepoint links would work as well, but the
	// kernel takes tens of milliseconds to tear each one down.
	register(t, "custom+", libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{Attach: attachCPUClock})
	register(t, "abc+", libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{Attach: attachCPUClock})
	testutil.RequireKernel(t)
	cycle := func() {
		obj, err := libbpf.OpenObjectFile("testdata/custom_sec.bpf.o", nil)
		if err != nil {
			t.Fatal(err)
		}
		obj.Program("xyz").SetAutoload(false)
		obj.Program("kprobe1").SetAutoload(false)
		if err := obj.Load(); err != nil {
			t.Fatal(err)
		}
		if err := obj.Attach(); err != nil {
			t.Fatal(err)
		}
		if err := obj.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cycle() // let libbpf's one-time probes settle
	fds, handles := testutil.OpenFDs(t), libbpf.LiveHandles()
	for i := 0; i < 500; i++ {
		cycle()
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open after 500 cycles, %d before", got, fds)
	}
	if got := libbpf.LiveHandles(); got != handles {
		t.Errorf("%d cgo handles live after 500 cycles, %d before", got, handles)
	}
}

// Many goroutines open, load, attach and close objects while others register
// and unregister handlers: every callback error reaches the goroutine whose
// object caused it, every attach lands on the right object.
func TestConcurrentUse(t *testing.T) {
	testutil.RequireKernel(t)
	var attached sync.Map // object name -> *atomic.Int32
	register(t, "custom+", libbpf.ProgTypePerfEvent, 0, libbpf.ProgHandler{
		PrepareLoad: func(p *libbpf.Program, _ *libbpf.LoadOptions) error {
			if name := p.Object().Name(); strings.HasPrefix(name, "fail") {
				return fmt.Errorf("refusing %s", name)
			}
			return nil
		},
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			n, _ := attached.LoadOrStore(p.Object().Name(), new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			return attachCPUClock(p)
		},
	})
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	var registered, busy atomic.Int32
	errs := make(chan error, workers*rounds*2)
	for w := 0; w < workers; w++ {
		wg.Add(2)
		go func() { // objects
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				name := fmt.Sprintf("ok%d_%d", w, i)
				if i%3 == 0 {
					name = fmt.Sprintf("fail%d_%d", w, i)
				}
				if err := cycleNamed(name); err != nil {
					errs <- err
				}
			}
		}()
		go func() { // the handler table
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				r, err := libbpf.RegisterProgHandler(fmt.Sprintf("w%d_%d/", w, i), libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{})
				if errors.Is(err, libbpf.ErrHandlersInUse) {
					busy.Add(1)
					continue
				}
				if err != nil {
					errs <- err
					continue
				}
				registered.Add(1)
				for {
					err := r.Unregister()
					if err == nil {
						break
					}
					if !errors.Is(err, libbpf.ErrHandlersInUse) {
						errs <- err
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	attached.Range(func(k, v any) bool {
		if n := v.(*atomic.Int32).Load(); n != 2 {
			t.Errorf("object %s: Attach callback ran %d times, want 2", k, n)
		}
		return true
	})
	t.Logf("handlers registered %d times, refused while in use %d times", registered.Load(), busy.Load())
}

// cycleNamed runs one object through its life; objects named fail* must fail
// Load with their own callback error.
func cycleNamed(name string) error {
	obj, err := libbpf.OpenObjectFile("testdata/custom_sec.bpf.o", &libbpf.OpenOptions{ObjectName: name})
	if err != nil {
		return err
	}
	defer obj.Close()
	for _, p := range obj.Programs() {
		p.SetAutoload(strings.HasPrefix(p.Name(), "custom"))
	}
	err = obj.Load()
	if strings.HasPrefix(name, "fail") {
		var ce *libbpf.CallbackError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "refusing "+name) {
			return fmt.Errorf("%s: Load = %v, want its own callback error", name, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return obj.Attach()
}

// TestObjectPrepare: Prepare creates the maps but loads no program; a map
// filled between Prepare and Load is what the programs see once loaded.
func TestObjectPrepare(t *testing.T) {
	obj := openTest(t, "basic")
	if err := obj.Prepare(); err != nil {
		t.Fatal(err)
	}
	if fd := obj.Program("filter_me").FD(); fd >= 0 {
		t.Errorf("program fd %d after Prepare, want none", fd)
	}
	fd, err := obj.FindMapFDByName("counts")
	if err != nil || fd != obj.Map("counts").FD() {
		t.Fatalf("FindMapFDByName(counts) after Prepare = %d, %v; want the map's fd %d", fd, err, obj.Map("counts").FD())
	}
	if obj.BTFFD() < 0 {
		t.Error("no BTF fd after Prepare")
	}
	if err := obj.Map("counts").Update(u32(7), u64(100), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	if err := obj.Prepare(); !errors.Is(err, unix.EINVAL) {
		t.Errorf("second Prepare: %v, want EINVAL", err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Program("filter_me").Run(&libbpf.RunOptions{Data: make([]byte, 64)}); err != nil {
		t.Fatal(err)
	}
	if got := counter(t, obj, 7); got != 101 {
		t.Errorf("count after a run on a map set before Load: %d, want 101", got)
	}
}

// TestObjectLookups: Map and Program find by name through libbpf (global
// data maps by section name too), FindMapFDByName tells a missing map from
// one not created yet, and the accessors of an object's load state answer
// before and after Load and after Close.
func TestObjectLookups(t *testing.T) {
	obj := openTest(t, "basic")
	if obj.Program("on_sys_enter") == nil || obj.Program("no_such") != nil {
		t.Error("Program: want on_sys_enter, and nil for a missing name")
	}
	if obj.Map("counts") == nil || obj.Map("no_such") != nil {
		t.Error("Map: want counts, and nil for a missing name")
	}
	if _, err := obj.FindMapFDByName("counts"); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("FindMapFDByName before Load: %v, want ErrNotLoaded", err)
	}
	if _, err := obj.FindMapFDByName("no_such"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("FindMapFDByName of a missing map: %v, want ENOENT", err)
	}
	if obj.BTFFD() != -1 || obj.TokenFD() != -1 {
		t.Errorf("before Load: BTF fd %d, token fd %d; want -1, -1", obj.BTFFD(), obj.TokenFD())
	}
	if err := obj.SetKVersion(0x060c00); err != nil || obj.KVersion() != 0x060c00 {
		t.Errorf("SetKVersion(0x060c00): %v, then KVersion %#x", err, obj.KVersion())
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := obj.SetKVersion(1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetKVersion after Load: %v, want EINVAL", err)
	}
	if obj.BTFFD() < 0 {
		t.Error("no BTF fd after Load")
	}
	// No BPF file system with delegation here: Load made no token.
	if fd := obj.TokenFD(); fd != -1 {
		t.Errorf("token fd %d without delegation, want -1", fd)
	}
	obj.Close()
	if obj.Program("on_sys_enter") != nil || obj.Map("counts") != nil || obj.BTFFD() != -1 {
		t.Error("closed object still finds programs, maps or its BTF")
	}
	if _, err := obj.FindMapFDByName("counts"); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("FindMapFDByName after Close: %v, want ErrClosed", err)
	}
}

// TestProgramUnload: an unloaded program has no fd and its kernel program
// is gone once nothing else holds it.
func TestProgramUnload(t *testing.T) {
	obj := loadBasic(t)
	p := obj.Program("filter_me")
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Unload(); err != nil {
		t.Fatal(err)
	}
	if fd := p.FD(); fd != -1 {
		t.Errorf("FD after Unload = %d, want -1", fd)
	}
	if _, err := p.Run(nil); err == nil {
		t.Error("Run after Unload succeeded")
	}
	if lp, err := libbpf.ProgramFromID(info.ID); !errors.Is(err, unix.ENOENT) {
		if lp != nil {
			lp.Close()
		}
		t.Errorf("ProgramFromID(%d) after Unload: %v, want ENOENT", info.ID, err)
	}
	obj.Close()
	if err := p.Unload(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Unload after Close: %v, want ErrClosed", err)
	}
}
