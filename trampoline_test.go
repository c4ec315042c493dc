package libbpf_test

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// checkLacks checks, for a kernel the feature table says lacks f, that
// using f fails cleanly: loading the object fails with a wrapped errno and
// attaching its program with EINVAL, or, where the kernel loads the
// programs and refuses only their attach (testutil.LacksAtAttach), the load
// succeeds and the attach fails with ENOTSUPP; no link is returned and
// closing the object leaves no fd behind (fds: the count before the object
// was opened). It returns whether the kernel lacks f.
func checkLacks(t *testing.T, obj *libbpf.Object, f testutil.Feature, fds int, attach func() (*libbpf.Link, error)) bool {
	t.Helper()
	why, lacks := testutil.KernelLacks(f)
	if !lacks {
		return false
	}
	t.Log(why)
	if testutil.LacksAtAttach(f) {
		if err := obj.Load(); err != nil {
			t.Errorf("Load: %v; want it loaded, the attach failing", err)
		}
		l, err := attach()
		if !errors.Is(err, testutil.ENOTSUPP) || l != nil {
			t.Errorf("attach: %v, want ENOTSUPP", err)
		}
	} else {
		if err := obj.Load(); !errorsIsErrno(err) {
			t.Errorf("Load: %v, want an errno", err)
		}
		l, err := attach()
		if !errors.Is(err, unix.EINVAL) || l != nil {
			t.Errorf("attach of a program that did not load: %v, want EINVAL", err)
		}
	}
	obj.Close()
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after closing the object, %d before", got, fds)
	}
	return true
}

// TestAttachTrace attaches fentry and fexit programs (with cookies where
// the kernel takes them) to a kernel function a test run calls, and checks
// that they fire where the kernel has trampolines.
func TestAttachTrace(t *testing.T) {
	testutil.RequireKernel(t)
	fds := testutil.OpenFDs(t)
	obj := openTest(t, "trampoline")
	if checkLacks(t, obj, testutil.FeatureTrampoline, fds, func() (*libbpf.Link, error) {
		return obj.Program("on_fentry").AttachTrace(libbpf.TraceOptions{})
	}) {
		return
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, obj)
	cookies := testutil.KernelHas(testutil.FeatureTracingCookie)
	for _, tc := range []struct {
		p      *libbpf.Program
		slot   uint32
		cookie uint64
	}{{obj.Program("on_fentry"), 9, 0xf1}, {obj.Program("on_fexit"), 10, 0xf2}} {
		if !cookies {
			tc.cookie = 0
		}
		l, err := tc.p.AttachTrace(libbpf.TraceOptions{Cookie: tc.cookie})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		// The test run of a fentry program calls bpf_fentry_test1(1).
		checkFires(t, obj, tc.slot, tc.cookie, func() {
			if _, err := tc.p.Run(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAttachTraceFmodRet: a fmod_ret program on bpf_modify_return_test
// skips it, so that it returns 21 instead of 4 and leaves out its side
// effect; the kernel's test run reports both.
func TestAttachTraceFmodRet(t *testing.T) {
	testutil.RequireKernel(t)
	fds := testutil.OpenFDs(t)
	obj := openTest(t, "trampoline")
	fmodRet := obj.Program("on_fmod_ret")
	for _, p := range obj.Programs() {
		if err := p.SetAutoload(p == fmodRet); err != nil {
			t.Fatal(err)
		}
	}
	if checkLacks(t, obj, testutil.FeatureFmodRet, fds, func() (*libbpf.Link, error) {
		return fmodRet.AttachTrace(libbpf.TraceOptions{})
	}) {
		return
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, obj)
	run := func() (ret, sideEffects uint16) {
		res, err := fmodRet.Run(nil)
		if err != nil {
			t.Fatal(err)
		}
		return uint16(res.Return), uint16(res.Return >> 16)
	}
	ret0, side0 := run()
	l, err := fmodRet.AttachTrace(libbpf.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ret1, side1 := run()
	if ret1-ret0 != 17 || side0-side1 != 1 || counter(t, obj, 11) != 1 {
		t.Errorf("fmod_ret: result %d -> %d, side effects %d -> %d, %d runs; want 17 more, one fewer, 1 run",
			ret0, ret1, side0, side1, counter(t, obj, 11))
	}
}

// TestAttachLSM counts this process's file opens with an LSM program where
// the kernel runs the BPF LSM.
func TestAttachLSM(t *testing.T) {
	testutil.RequireKernel(t)
	fds := testutil.OpenFDs(t)
	obj := openTest(t, "lsm")
	if checkLacks(t, obj, testutil.FeatureLSM, fds, obj.Program("on_file_open").AttachLSM) {
		return
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, obj)
	l, err := obj.Program("on_file_open").AttachLSM()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	waitCount(t, obj, 12, 1, func() {
		if fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			unix.Close(fd)
		}
	})
}

// TestAttachFreplace replaces a global function of a loaded socket filter
// with an extension program: the filter's result changes from 42 to 141,
// and back when the link goes.
func TestAttachFreplace(t *testing.T) {
	target := openTest(t, "freplace")
	if err := target.Load(); err != nil {
		t.Fatal(err)
	}
	countOnlyMe(t, target)
	runTarget := func() uint32 {
		res, err := target.Program("target_prog").Run(&libbpf.RunOptions{Data: testutil.UDPFrame(9, nil)})
		if err != nil {
			t.Fatal(err)
		}
		return res.Return
	}
	if got := runTarget(); got != 42 {
		t.Fatalf("target returns %d before freplace, want 42", got)
	}
	targetFD := target.Program("target_prog").FD()

	fds := testutil.OpenFDs(t)
	ext := openTest(t, "freplace")
	replacement := ext.Program("new_target_func")
	for _, err := range []error{
		ext.Program("target_prog").SetAutoload(false),
		replacement.SetAutoload(true),
		replacement.SetAttachTarget(targetFD, "target_func"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Wrong targets fail cleanly, loaded or not.
	before := testutil.OpenFDs(t)
	for name, attach := range map[string]func() (*libbpf.Link, error){
		"missing function":      func() (*libbpf.Link, error) { return replacement.AttachFreplace(targetFD, "no_such_func") },
		"function without a fd": func() (*libbpf.Link, error) { return replacement.AttachFreplace(0, "target_func") },
		"not an extension": func() (*libbpf.Link, error) {
			return target.Program("target_prog").AttachFreplace(targetFD, "target_func")
		},
	} {
		l, err := attach()
		checkClean(t, name, before, l, err, nil)
	}
	if checkLacks(t, ext, testutil.FeatureFreplace, fds, func() (*libbpf.Link, error) {
		return replacement.AttachFreplace(targetFD, "target_func")
	}) {
		return
	}
	if err := ext.Load(); err != nil {
		t.Fatal(err)
	}
	l, err := replacement.AttachFreplace(targetFD, "target_func")
	if err != nil {
		t.Fatal(err)
	}
	if got := runTarget(); got != 141 {
		t.Errorf("target returns %d with freplace, want 141", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := runTarget(); got != 42 {
		t.Errorf("target returns %d after the freplace link went, want 42", got)
	}
}
