package libbpf_test

import (
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// loadTracing opens and loads testdata/tracing.bpf.c, counting events of
// this process only.
func loadTracing(t *testing.T) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "tracing")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, obj)
	return obj
}

// cookie reads the cookie the program of slot saw last.
func cookie(t testing.TB, obj *libbpf.Object, slot uint32) uint64 {
	t.Helper()
	return u64At(t, obj, "cookies", slot)
}

// syscallFunc is the kernel function that handles syscall name on this
// architecture.
func syscallFunc(name string) string {
	if runtime.GOARCH == "arm64" {
		return "__arm64_sys_" + name
	}
	return "__x64_sys_" + name
}

func getppid() { unix.Getppid() }

// misplacedKprobeErr is the kernel's error for a kprobe at an offset inside
// an instruction: x86 decodes the function up to it (EILSEQ), arm64's
// instructions are 4 bytes, so a misaligned address is an invalid one.
func misplacedKprobeErr() unix.Errno {
	if runtime.GOARCH == "arm64" {
		return unix.EINVAL
	}
	return unix.EILSEQ
}

// checkFires checks that the program of slot ran for trigger and saw cookie.
func checkFires(t *testing.T, obj *libbpf.Object, slot uint32, want uint64, trigger func()) {
	t.Helper()
	waitCount(t, obj, slot, 1, trigger)
	if got := cookie(t, obj, slot); got != want {
		t.Errorf("cookie of slot %d = %#x, want %#x", slot, got, want)
	}
}

// checkClean checks that attach failed with a wrapped errno, returned no
// link and left no fd behind.
func checkClean(t *testing.T, what string, fds int, l *libbpf.Link, err error, want error) {
	t.Helper()
	var errno unix.Errno
	switch {
	case err == nil:
		t.Errorf("%s: attached (fd %d), want an error", what, l.FD())
		l.Close()
	case l != nil:
		t.Errorf("%s: a link along with error %v", what, err)
	case !errors.As(err, &errno):
		t.Errorf("%s: %v does not wrap an errno", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: %v, want %v", what, err, want)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%s: %d fds open, %d before", what, got, fds)
	}
}

// withCookie attaches with a cookie where the kernel has the feature that
// carries it, and returns the link; where it lacks it, it checks that the
// attach fails cleanly and returns nil.
func withCookie(t *testing.T, f testutil.Feature, attach func() (*libbpf.Link, error)) *libbpf.Link {
	t.Helper()
	fds := testutil.OpenFDs(t)
	l, err := attach()
	if why, lacks := testutil.KernelLacks(f); lacks {
		t.Log(why)
		checkClean(t, "attach with a cookie", fds, l, err, nil)
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestAttachCookies(t *testing.T) {
	t.Run("tracepoint", func(t *testing.T) {
		obj := loadTracing(t)
		if withCookie(t, testutil.FeatureBPFCookie, func() (*libbpf.Link, error) {
			return obj.Program("on_tracepoint").AttachTracepoint("syscalls", "sys_enter_getppid", libbpf.TracepointOptions{Cookie: 0x7e57})
		}) != nil {
			checkFires(t, obj, 4, 0x7e57, getppid)
		}
	})
	t.Run("raw_tp", func(t *testing.T) {
		if testutil.KernelHas(testutil.FeatureRawTPCookie) {
			obj := openTest(t, "tracing")
			if err := obj.Program("on_raw_tp").SetAutoload(true); err != nil {
				t.Fatal(err)
			}
			if err := obj.Load(); err != nil {
				t.Fatal(err)
			}
			countOnlyMe(t, obj)
			withCookie(t, testutil.FeatureRawTPCookie, func() (*libbpf.Link, error) {
				return obj.Program("on_raw_tp").AttachRawTracepoint("sys_enter", libbpf.RawTracepointOptions{Cookie: 0xc0ffee})
			})
			checkFires(t, obj, 5, 0xc0ffee, getppid)
			return
		}
		// A program that reads no cookie, attached with one.
		obj := loadTracing(t)
		withCookie(t, testutil.FeatureRawTPCookie, func() (*libbpf.Link, error) {
			return obj.Program("first").AttachRawTracepoint("sys_enter", libbpf.RawTracepointOptions{Cookie: 0xc0ffee})
		})
	})
	t.Run("uprobe", func(t *testing.T) {
		obj := loadTracing(t)
		path, pid, fire := probeTarget(t, obj, 3)
		if withCookie(t, testutil.FeatureBPFCookie, func() (*libbpf.Link, error) {
			return obj.Program("on_uprobe").AttachUprobe(libbpf.UprobeOptions{Path: path, Symbol: "golibbpf_tick", PID: pid, Cookie: 1 << 40})
		}) == nil {
			return
		}
		fire()
		if got := counter(t, obj, 3); got != 3 {
			t.Errorf("uprobe fired %d times, want 3", got)
		}
		if got := cookie(t, obj, 3); got != 1<<40 {
			t.Errorf("uprobe cookie %#x, want %#x", got, uint64(1<<40))
		}
	})
	t.Run("perf_event", func(t *testing.T) {
		obj := loadTracing(t)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if withCookie(t, testutil.FeatureBPFCookie, func() (*libbpf.Link, error) {
			fd, err := testutil.OpenCPUClock(0, 100_000)
			if err != nil {
				t.Fatal(err)
			}
			l, err := obj.Program("on_perf_event").AttachPerfEvent(fd, libbpf.PerfEventOptions{Cookie: 42})
			if err != nil {
				unix.Close(fd)
			}
			return l, err
		}) != nil {
			checkFires(t, obj, 6, 42, burnCPU)
		}
	})
	t.Run("perf_event without options", func(t *testing.T) {
		// libbpf's plain bpf_program__attach_perf_event.
		obj := loadTracing(t)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		fd, err := testutil.OpenCPUClock(0, 100_000)
		if err != nil {
			t.Fatal(err)
		}
		l, err := obj.Program("on_perf_event").AttachPerfEvent(fd)
		if err != nil {
			unix.Close(fd)
			t.Fatal(err)
		}
		defer l.Close()
		checkFires(t, obj, 6, 0, burnCPU)
	})
	t.Run("too many options", func(t *testing.T) {
		obj := loadTracing(t)
		fds := testutil.OpenFDs(t)
		l, err := obj.Program("first").AttachRawTracepoint("sys_enter", libbpf.RawTracepointOptions{}, libbpf.RawTracepointOptions{})
		checkClean(t, "two raw tracepoint options", fds, l, err, unix.EINVAL)
		l, err = obj.Program("on_tracepoint").AttachTracepoint("syscalls", "no_such_tracepoint", libbpf.TracepointOptions{})
		checkClean(t, "missing tracepoint", fds, l, err, unix.ENOENT)
	})
}

// burnCPU spins for about a millisecond of CPU time.
func burnCPU() {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	end := ts.Nano() + 1_000_000
	for ts.Nano() < end {
		unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	}
}

// TestAttachKprobes attaches every kprobe kind to the getppid syscall and
// checks that it fires with its cookie, where the kernel has kprobes; where
// it lacks them, that every attach fails cleanly.
func TestAttachKprobes(t *testing.T) {
	getppidFunc := syscallFunc("getppid")
	for _, tc := range []struct {
		name   string
		prog   string
		slot   uint32
		cookie uint64
		want   error // on a kernel with kprobes
		attach func(p *libbpf.Program) (*libbpf.Link, error)
	}{
		{"kprobe", "on_kprobe", 0, 1, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe(getppidFunc, libbpf.KprobeOptions{Cookie: 1})
		}},
		{"kretprobe", "on_kprobe", 0, 2, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe(getppidFunc, libbpf.KprobeOptions{Retprobe: true, Cookie: 2})
		}},
		{"kprobe link mode", "on_kprobe", 0, 3, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe(getppidFunc, libbpf.KprobeOptions{Cookie: 3, AttachMode: libbpf.ProbeAttachModeLink})
		}},
		{"ksyscall", "on_ksyscall", 1, 4, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKsyscall("getppid", libbpf.KsyscallOptions{Cookie: 4})
		}},
		{"kretsyscall", "on_ksyscall", 1, 5, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKsyscall("getppid", libbpf.KsyscallOptions{Retprobe: true, Cookie: 5})
		}},
		{"kprobe_multi symbols", "on_kprobe_multi", 2, 6, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobeMulti("", libbpf.KprobeMultiOptions{Symbols: []string{getppidFunc}, Cookies: []uint64{6}})
		}},
		{"kretprobe_multi pattern", "on_kprobe_multi", 2, 0, nil, func(p *libbpf.Program) (*libbpf.Link, error) {
			// A glob over available_filter_functions, where the handler's
			// inner function (__do_sys_getppid) is listed on kernels that
			// do not list the wrapper.
			return p.AttachKprobeMulti("*sys_getppid", libbpf.KprobeMultiOptions{Retprobe: true})
		}},
		// Options the kernel (or libbpf) refuses.
		{"missing function", "on_kprobe", 0, 0, unix.ENOENT, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe("golibbpf_no_such_function", libbpf.KprobeOptions{})
		}},
		{"offset inside an instruction", "on_kprobe", 0, 0, misplacedKprobeErr(), func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe(getppidFunc, libbpf.KprobeOptions{Offset: 1})
		}},
		{"retprobe at an offset", "on_kprobe", 0, 0, unix.EINVAL, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobe(getppidFunc, libbpf.KprobeOptions{Offset: 16, Retprobe: true})
		}},
		{"missing syscall", "on_ksyscall", 1, 0, unix.ENOENT, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKsyscall("golibbpf_no_such_syscall", libbpf.KsyscallOptions{})
		}},
		{"kprobe_multi missing symbol", "on_kprobe_multi", 2, 0, unix.ENOENT, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobeMulti("", libbpf.KprobeMultiOptions{Symbols: []string{"golibbpf_no_such_function"}})
		}},
		{"kprobe_multi pattern matching nothing", "on_kprobe_multi", 2, 0, unix.ENOENT, func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachKprobeMulti("golibbpf_no_such_*", libbpf.KprobeMultiOptions{})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := loadTracing(t)
			fds := testutil.OpenFDs(t)
			l, err := tc.attach(obj.Program(tc.prog))
			if why, lacks := testutil.KernelLacks(testutil.FeatureKprobe); lacks {
				t.Log(why)
				checkClean(t, tc.name, fds, l, err, libbpf.ErrKprobesUnavailable)
				return
			}
			if tc.prog == "on_kprobe_multi" {
				if why, lacks := testutil.KernelLacks(testutil.FeatureKprobeMulti); lacks {
					t.Log(why)
					checkClean(t, tc.name, fds, l, err, nil)
					return
				}
			}
			if tc.want != nil {
				checkClean(t, tc.name, fds, l, err, tc.want)
				return
			}
			if tc.cookie != 0 {
				if why, lacks := testutil.KernelLacks(testutil.FeatureBPFCookie); lacks {
					t.Log(why)
					checkClean(t, tc.name, fds, l, err, nil)
					return
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			checkFires(t, obj, tc.slot, tc.cookie, getppid)
		})
	}
}

// TestKprobeMultiOptions checks the combinations of a kprobe_multi attach
// that fail before the kernel is asked, on any kernel.
func TestKprobeMultiOptions(t *testing.T) {
	obj := loadTracing(t)
	p := obj.Program("on_kprobe_multi")
	fds := testutil.OpenFDs(t)
	for name, opts := range map[string]libbpf.KprobeMultiOptions{
		"nothing":               {},
		"symbols and addresses": {Symbols: []string{"a"}, Addresses: []uint64{1}},
		"fewer cookies":         {Symbols: []string{"a", "b"}, Cookies: []uint64{1}},
		"cookies alone":         {Cookies: []uint64{1}},
	} {
		l, err := p.AttachKprobeMulti("", opts)
		checkClean(t, name, fds, l, err, unix.EINVAL)
	}
	l, err := p.AttachKprobeMulti("sys_*", libbpf.KprobeMultiOptions{Cookies: []uint64{1}})
	checkClean(t, "pattern with cookies", fds, l, err, unix.EINVAL)
	l, err = p.AttachKprobeMulti("sys_*", libbpf.KprobeMultiOptions{Symbols: []string{"a"}})
	checkClean(t, "pattern and symbols", fds, l, err, unix.EINVAL)
	l, err = obj.Program("on_kprobe").AttachKprobe("", libbpf.KprobeOptions{})
	checkClean(t, "kprobe without a function", fds, l, err, unix.EINVAL)
	l, err = obj.Program("on_ksyscall").AttachKsyscall("", libbpf.KsyscallOptions{})
	checkClean(t, "ksyscall without a syscall", fds, l, err, unix.EINVAL)
}

// TestRawTracepointOpen attaches a program at the fd level: it counts while
// the link fd is open, TaskFDQuery and ObjGetInfoByFD describe the fd, and
// a cookie reaches the link where the kernel takes raw tracepoint cookies.
func TestRawTracepointOpen(t *testing.T) {
	obj := loadBasic(t)
	prog := obj.Program("on_sys_enter")
	pinfo, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := libbpf.RawTracepointOpen("sys_enter", prog.FD())
	if err != nil {
		t.Fatal(err)
	}
	waitCount(t, obj, 0, 1, getppid)
	q, err := libbpf.TaskFDQuery(os.Getpid(), fd, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q.Type != libbpf.TaskFDRawTracepoint || q.Name != "sys_enter" || q.ProgID != pinfo.ID {
		t.Errorf("TaskFDQuery = %+v, want raw tracepoint sys_enter of program %d", q, pinfo.ID)
	}
	info := make([]byte, 64)
	if n, err := libbpf.ObjGetInfoByFD(fd, info); err != nil || n < 12 {
		t.Fatalf("ObjGetInfoByFD = %d, %v", n, err)
	}
	if typ, progID := binary.NativeEndian.Uint32(info), binary.NativeEndian.Uint32(info[8:]); libbpf.LinkType(typ) != libbpf.LinkTypeRawTracepoint || progID != pinfo.ID {
		t.Errorf("link info: type %s, program %d; want raw_tracepoint, %d", libbpf.LinkType(typ), progID, pinfo.ID)
	}
	unix.Close(fd)
	before := counter(t, obj, 0)
	getppid()
	if after := counter(t, obj, 0); after != before {
		t.Errorf("counted %d times after the link fd was closed", after-before)
	}

	fd, err = libbpf.RawTracepointOpen("sys_enter", prog.FD(), libbpf.RawTracepointOptions{Cookie: 7})
	if why, lacks := testutil.KernelLacks(testutil.FeatureRawTPCookie); lacks {
		t.Log(why)
		if !errors.Is(err, unix.EINVAL) {
			unix.Close(fd)
			t.Errorf("raw tracepoint with a cookie: %v, want EINVAL", err)
		}
	} else {
		if err != nil {
			t.Fatal(err)
		}
		info = make([]byte, 64) // no name buffer, no name length
		if _, err := libbpf.ObjGetInfoByFD(fd, info); err != nil {
			t.Fatal(err)
		}
		id := binary.NativeEndian.Uint32(info[4:])
		if id == 0 {
			t.Fatal("link id 0")
		}
		l, err := libbpf.LinkFromID(id)
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(7)
		if why, lacks := testutil.KernelLacks(testutil.FeatureRawTPLinkCookie); lacks {
			t.Log(why)
			want = 0
		}
		if li, err := l.Info(); err != nil || li.Cookie != want {
			t.Errorf("link info = %+v, %v; want cookie %d", li, err, want)
		}
		l.Close()
		unix.Close(fd)
	}

	if fd, err := libbpf.RawTracepointOpen("golibbpf_no_such", prog.FD()); !errors.Is(err, unix.ENOENT) {
		unix.Close(fd)
		t.Errorf("raw tracepoint golibbpf_no_such: %v, want ENOENT", err)
	}
	if _, err := libbpf.TaskFDQuery(os.Getpid(), 0, 0); err == nil {
		t.Error("TaskFDQuery of stdin succeeded")
	}
	if _, err := libbpf.ObjGetInfoByFD(0, info); !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EBADF) {
		t.Errorf("ObjGetInfoByFD of stdin: %v, want EINVAL or EBADF", err)
	}
}
