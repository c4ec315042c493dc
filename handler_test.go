package libbpf_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

func nanosleep() { unix.Nanosleep(&unix.Timespec{Nsec: 1000}, nil) }

// registerSyscallFallback registers h as the fallback handler for syscall
// programs, as libbpf's custom_sec_handlers selftest does for xyz. Where the
// kernel table says the kernel has no syscall programs (5.14), its Setup
// leaves the program out of the load, and the rest of the object loads.
func registerSyscallFallback(t *testing.T, h libbpf.ProgHandler) {
	t.Helper()
	if !testutil.KernelHas(testutil.FeatureSyscallProg) {
		setup := h.Setup
		h.Setup = func(p *libbpf.Program) error {
			if setup != nil {
				if err := setup(p); err != nil {
					return err
				}
			}
			return p.SetAutoload(false)
		}
	}
	register(t, "", libbpf.ProgTypeSyscall, 0, h)
}

// The semantics of libbpf's custom_sec_handlers selftest, through Go.
func TestCustomSectionHandlers(t *testing.T) {
	var abc1PrepareCalled atomic.Bool
	attachTP := func(p *libbpf.Program) (*libbpf.Link, error) {
		return p.AttachTracepoint("syscalls", "sys_enter_nanosleep")
	}
	register(t, "abc", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error { return p.SetAutoload(false) },
		PrepareLoad: func(p *libbpf.Program, _ *libbpf.LoadOptions) error {
			abc1PrepareCalled.Store(true)
			return nil
		},
	})
	register(t, "abc/", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) { return p.AttachRawTracepoint("sys_enter") },
	})
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{Attach: attachTP})
	registerSyscallFallback(t, libbpf.ProgHandler{
		PrepareLoad: func(p *libbpf.Program, o *libbpf.LoadOptions) error {
			o.ProgFlags |= unix.BPF_F_SLEEPABLE
			return nil
		},
		Attach: func(*libbpf.Program) (*libbpf.Link, error) { return nil, nil },
	})
	// Overrides libbpf's kprobe as a tracepoint program.
	register(t, "kprobe+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{Attach: attachTP})

	obj := openTest(t, "custom_sec")
	wantTypes := map[string]libbpf.ProgType{
		"abc1": libbpf.ProgTypeRawTracepoint, "abc2": libbpf.ProgTypeRawTracepoint,
		"custom1": libbpf.ProgTypeTracepoint, "custom2": libbpf.ProgTypeTracepoint,
		"kprobe1": libbpf.ProgTypeTracepoint, "xyz": libbpf.ProgTypeSyscall,
	}
	for name, want := range wantTypes {
		if got := obj.Program(name).Type(); got != want {
			t.Errorf("%s: type %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]string{"abc1": "abc", "abc2": "abc/", "custom1": "custom+", "custom2": "custom+", "kprobe1": "kprobe+"} {
		if h := obj.Program(name).Handler(); h == nil || h.Section() != want {
			t.Errorf("%s: matched handler %v, want %q", name, h, want)
		}
	}
	if h := obj.Program("xyz").Handler(); h == nil || !h.Fallback() {
		t.Errorf("xyz: matched handler %v, want the fallback", h)
	}
	if obj.Program("abc1").Autoload() {
		t.Error("abc1: Setup turned autoload off, but it is on")
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if abc1PrepareCalled.Load() {
		t.Error("PrepareLoad ran for abc1, whose autoload is off")
	}
	if fd := obj.Program("abc1").FD(); fd != -1 {
		t.Errorf("abc1 has fd %d though it did not load", fd)
	}
	if flags := obj.Program("xyz").Flags(); flags&unix.BPF_F_SLEEPABLE != 0 {
		t.Logf("xyz flags %#x", flags)
	}
	countOnlyMe(t, obj)
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	if n := len(obj.Links()); n != 4 {
		t.Errorf("Object.Attach made %d links, want 4 (abc2, custom1, custom2, kprobe1)", n)
	}
	for idx, name := range map[uint32]string{1: "abc2", 2: "custom1", 3: "custom2", 4: "kprobe1"} {
		if got := waitCount(t, obj, idx, 1, nanosleep); got == 0 {
			t.Errorf("%s never fired", name)
		}
	}
	if got := counter(t, obj, 0); got != 0 {
		t.Errorf("abc1 (not loaded) fired %d times", got)
	}

	if testutil.KernelHas(testutil.FeatureSyscallProg) {
		// The fallback declines to attach xyz: skipped above, EOPNOTSUPP here.
		if _, err := obj.Program("xyz").Attach(); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("Program.Attach(xyz) = %v, want EOPNOTSUPP", err)
		}
		// xyz loaded as sleepable, so it runs.
		if _, err := obj.Program("xyz").Run(nil); err != nil {
			t.Fatal(err)
		}
		if got := counter(t, obj, 5); got != 1 {
			t.Errorf("xyz ran %d times, want 1", got)
		}
	}
	// Program.Attach goes through the same Attach callback; on a second
	// object's abc2, since Linux 5.10 refuses to attach a program to a
	// raw tracepoint it is attached to already (EEXIST).
	again := openTest(t, "custom_sec")
	if err := again.Load(); err != nil {
		t.Fatal(err)
	}
	l, err := again.Program("abc2").Attach()
	if err != nil {
		t.Fatal(err)
	}
	if l.FD() < 0 {
		t.Error("abc2 link has no fd")
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}

// Without its fallback's PrepareLoad the sleepable-only helper is refused.
func TestFallbackWithoutSleepableFailsLoad(t *testing.T) {
	testutil.RequireFeature(t, testutil.FeatureSyscallProg)
	register(t, "abc+", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{})
	register(t, "custom+", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{})
	register(t, "", libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{})
	obj := openTest(t, "custom_sec")
	err := obj.Load()
	var le *libbpf.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load = %v, want a *LoadError", err)
	}
	if le.Program != "xyz" || !strings.Contains(le.Log, "sleepable") || !strings.Contains(err.Error(), "can only be sleepable") ||
		!strings.Contains(fmt.Sprintf("%+v", err), strings.TrimSpace(le.Log)) {
		t.Errorf("LoadError %q for %q with log %q, want xyz's verifier log", err, le.Program, le.Log)
	}
}

// TestAttachTypeByName: sections attached with BPF_PROG_ATTACH give their
// attach type; others, and custom handlers' sections, fail with EINVAL.
func TestAttachTypeByName(t *testing.T) {
	for sec, want := range map[string]libbpf.AttachType{
		"cgroup_skb/ingress": libbpf.AttachTypeCgroupInetIngress,
		"flow_dissector":     libbpf.AttachTypeFlowDissector,
	} {
		if at, err := libbpf.AttachTypeByName(sec); err != nil || at != want {
			t.Errorf("AttachTypeByName(%q) = %s, %v; want %s", sec, at, err, want)
		}
	}
	register(t, "golibbpf_attachable/", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress, libbpf.ProgHandler{})
	for _, sec := range []string{"kprobe/foo", "golibbpf_no_such", "golibbpf_attachable/x"} {
		if at, err := libbpf.AttachTypeByName(sec); !errors.Is(err, unix.EINVAL) {
			t.Errorf("AttachTypeByName(%q) = %s, %v; want EINVAL", sec, at, err)
		}
	}
}

func TestRegisterRejectsBadSections(t *testing.T) {
	for _, sec := range []string{"", "+", "/", "abc//", "abc/+", "abc++", "a\x00b", "a b", "tab\t"} {
		r, err := libbpf.RegisterProgHandler(sec, libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{})
		if !errors.Is(err, libbpf.ErrInvalidSection) || !errors.Is(err, unix.EINVAL) {
			t.Errorf("RegisterProgHandler(%q) = %v, want ErrInvalidSection", sec, err)
			if r != nil {
				r.Unregister()
			}
		}
	}
}

func TestRegistrationErrors(t *testing.T) {
	before := libbpf.LiveHandles()
	r := register(t, "", libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{})
	if _, err := libbpf.RegisterFallbackProgHandler(libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{}); !errors.Is(err, unix.EBUSY) {
		t.Errorf("second fallback: %v, want EBUSY", err)
	}
	if err := r.Unregister(); err != nil {
		t.Fatal(err)
	}
	if err := r.Unregister(); !errors.Is(err, unix.ENOENT) || !errors.Is(err, libbpf.ErrNotRegistered) {
		t.Errorf("second Unregister: %v, want ENOENT", err)
	}
	if got := libbpf.LiveHandles(); got != before {
		t.Errorf("%d cgo handles live after unregistering, want %d", got, before)
	}
	var nilReg *libbpf.Registration
	if err := nilReg.Unregister(); !errors.Is(err, unix.ENOENT) {
		t.Errorf("nil Unregister: %v", err)
	}
}

// UnregisterAll undoes registrations last first, goes on past a failure,
// and joins every failure: here the first and the last were already
// unregistered, so both fail with ENOENT, the last one's error first, and
// the middle one is still released.
func TestUnregisterAll(t *testing.T) {
	before := libbpf.LiveHandles()
	var regs []*libbpf.Registration
	for _, sec := range []string{"unreg_all_a/", "unreg_all_b/", "unreg_all_c/"} {
		r, err := libbpf.RegisterProgHandler(sec, libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{})
		if err != nil {
			libbpf.UnregisterAll(regs)
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	for _, r := range []*libbpf.Registration{regs[0], regs[2]} {
		if err := r.Unregister(); err != nil {
			t.Fatal(err)
		}
	}
	err := libbpf.UnregisterAll(regs)
	if !errors.Is(err, libbpf.ErrNotRegistered) || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("UnregisterAll with two stale registrations: %v, want ErrNotRegistered", err)
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 2 {
		t.Fatalf("UnregisterAll: %v, want the two failures joined", err)
	}
	errs := joined.Unwrap()
	if !strings.Contains(errs[0].Error(), "unreg_all_c/") || !strings.Contains(errs[1].Error(), "unreg_all_a/") {
		t.Errorf("failures %q, want c's first and a's second (reverse order of registration)", errs)
	}
	if err := regs[1].Unregister(); !errors.Is(err, libbpf.ErrNotRegistered) {
		t.Errorf("the middle registration survived UnregisterAll: %v", err)
	}
	if got := libbpf.LiveHandles(); got != before {
		t.Errorf("%d cgo handles live after UnregisterAll, want %d", got, before)
	}
	if err := libbpf.UnregisterAll(nil); err != nil {
		t.Errorf("UnregisterAll(nil): %v", err)
	}
}

// A handler's error comes out of Open, Load and Attach wrapped, naming the
// program and the phase; libbpf got the error's own errno.
func TestCallbackErrors(t *testing.T) {
	errSetup := fmt.Errorf("setup refuses: %w", unix.EPERM)
	errPrepare := errors.New("prepare refuses")
	errAttach := errors.New("attach refuses")
	for _, tc := range []struct {
		phase libbpf.Phase
		h     libbpf.ProgHandler
		want  error
		errno unix.Errno
	}{
		{libbpf.PhaseSetup, libbpf.ProgHandler{Setup: func(*libbpf.Program) error { return errSetup }}, errSetup, unix.EPERM},
		{libbpf.PhasePrepareLoad, libbpf.ProgHandler{PrepareLoad: func(*libbpf.Program, *libbpf.LoadOptions) error { return errPrepare }}, errPrepare, unix.EINVAL},
		{libbpf.PhaseAttach, libbpf.ProgHandler{Attach: func(*libbpf.Program) (*libbpf.Link, error) { return nil, errAttach }}, errAttach, unix.EINVAL},
	} {
		t.Run(string(tc.phase), func(t *testing.T) {
			err := runPhases(t, tc.h)
			checkCallbackError(t, err, tc.phase, tc.want)
			if !errors.Is(err, tc.errno) && tc.errno == unix.EPERM {
				t.Errorf("%v does not carry the callback's errno %v", err, tc.errno)
			}
		})
	}
}

func TestCallbackPanics(t *testing.T) {
	boom := func() { panic("boom") }
	for phase, h := range map[libbpf.Phase]libbpf.ProgHandler{
		libbpf.PhaseSetup:       {Setup: func(*libbpf.Program) error { boom(); return nil }},
		libbpf.PhasePrepareLoad: {PrepareLoad: func(*libbpf.Program, *libbpf.LoadOptions) error { boom(); return nil }},
		libbpf.PhaseAttach:      {Attach: func(*libbpf.Program) (*libbpf.Link, error) { boom(); return nil, nil }},
	} {
		t.Run(string(phase), func(t *testing.T) {
			err := runPhases(t, h)
			var pe *libbpf.PanicError
			if !errors.As(err, &pe) || pe.Value != "boom" {
				t.Fatalf("got %v, want a PanicError for boom", err)
			}
			checkCallbackError(t, err, phase, pe)
		})
	}
}

// TestCallbackFaultsInLoad: a callback that dereferences nil inside Load,
// which runs with signals blocked on its thread, still panics (the fault's
// SIGSEGV reaches the Go runtime) and comes back as a PanicError.
func TestCallbackFaultsInLoad(t *testing.T) {
	var nowhere *int
	err := runPhases(t, libbpf.ProgHandler{
		PrepareLoad: func(*libbpf.Program, *libbpf.LoadOptions) error { return fmt.Errorf("%d", *nowhere) },
	})
	var pe *libbpf.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a PanicError", err)
	}
	if re, ok := pe.Value.(runtime.Error); !ok || !strings.Contains(re.Error(), "nil pointer dereference") {
		t.Errorf("panic value %v, want the runtime's nil dereference", pe.Value)
	}
	checkCallbackError(t, err, libbpf.PhasePrepareLoad, pe)
}

// runPhases registers h for custom+ and drives custom_sec's programs through
// Open, Load and Attach, returning the first error.
func runPhases(t *testing.T, h libbpf.ProgHandler) error {
	t.Helper()
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, h)
	registerSyscallFallback(t, libbpf.ProgHandler{
		PrepareLoad: func(_ *libbpf.Program, o *libbpf.LoadOptions) error { o.ProgFlags |= unix.BPF_F_SLEEPABLE; return nil },
	})
	obj, err := libbpf.OpenObjectFile("testdata/custom_sec.bpf.o", nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		return err
	}
	if err := obj.Attach(); err != nil {
		if n := len(obj.Links()); n != 0 {
			t.Errorf("a failed Attach left %d links", n)
		}
		return err
	}
	return errors.New("no phase failed")
}

func checkCallbackError(t *testing.T, err error, phase libbpf.Phase, cause error) {
	t.Helper()
	var ce *libbpf.CallbackError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CallbackError", err)
	}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, %v) is false", err, cause)
	}
	if ce.Phase != phase || ce.Program != "custom1" || ce.Section != "custom" {
		t.Errorf("error names program %q section %q phase %q, want custom1, custom, %q", ce.Program, ce.Section, ce.Phase, phase)
	}
	for _, part := range []string{"custom1", string(phase)} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%q does not mention %q", err, part)
		}
	}
}

// The handler table stays fixed while objects bound to custom handlers are
// open; objects bound to none do not hold it.
func TestHandlerTableGuard(t *testing.T) {
	var calls atomic.Int32
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			calls.Add(1)
			return p.AttachTracepoint("syscalls", "sys_enter_nanosleep")
		},
	})
	plain := openTest(t, "basic") // built-in sections only
	if _, err := libbpf.RegisterProgHandler("other", libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{}); err != nil {
		t.Fatalf("register with only an unbound object open: %v", err)
	}
	_ = plain
	for _, r := range libbpf.Registrations() {
		if r.Section() == "other" {
			if err := r.Unregister(); err != nil {
				t.Fatal(err)
			}
		}
	}

	obj := openTest(t, "custom_sec")
	obj.Program("xyz").SetAutoload(false)
	obj.Program("abc1").SetAutoload(false)
	obj.Program("abc2").SetAutoload(false)
	obj.Program("kprobe1").SetAutoload(false)
	if _, err := libbpf.RegisterProgHandler("abc/", libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{}); !errors.Is(err, libbpf.ErrHandlersInUse) || !errors.Is(err, unix.EBUSY) {
		t.Fatalf("register while bound object open: %v, want ErrHandlersInUse", err)
	}
	for _, r := range libbpf.Registrations() {
		if err := r.Unregister(); !errors.Is(err, libbpf.ErrHandlersInUse) {
			t.Fatalf("unregister while bound object open: %v, want ErrHandlersInUse", err)
		}
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("Attach callback ran %d times, want 2 (custom1, custom2)", got)
	}
	obj.Close()
	r, err := libbpf.RegisterProgHandler("abc/", libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{})
	if err != nil {
		t.Fatalf("register after close: %v", err)
	}
	r.Unregister()
}

func TestRegisterFromCallbackFails(t *testing.T) {
	var inner error
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Setup: func(*libbpf.Program) error {
			_, inner = libbpf.RegisterProgHandler("nested", libbpf.ProgTypeKprobe, 0, libbpf.ProgHandler{})
			return nil
		},
	})
	openTest(t, "custom_sec")
	if !errors.Is(inner, libbpf.ErrInCallback) {
		t.Errorf("RegisterProgHandler from Setup: %v, want ErrInCallback", inner)
	}
}

// As in libbpf, a Setup that changes the program type detaches the program
// from its handler: neither PrepareLoad nor Attach runs for it any more.
func TestSetTypeInSetupDetachesHandler(t *testing.T) {
	var prepared, attached atomic.Int32
	register(t, "custom+", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			if p.Name() == "custom2" {
				return p.SetType(libbpf.ProgTypeRawTracepoint)
			}
			return nil
		},
		PrepareLoad: func(p *libbpf.Program, _ *libbpf.LoadOptions) error { prepared.Add(1); return nil },
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			attached.Add(1)
			return p.AttachTracepoint("syscalls", "sys_enter_nanosleep")
		},
	})
	obj := openTest(t, "custom_sec")
	for _, p := range obj.Programs() {
		p.SetAutoload(strings.HasPrefix(p.Name(), "custom"))
	}
	if h := obj.Program("custom2").Handler(); h != nil {
		t.Errorf("custom2 still bound to %v after SetType", h)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	if prepared.Load() != 1 || attached.Load() != 1 {
		t.Errorf("PrepareLoad ran %d times, Attach %d times; want once each (custom1 only)", prepared.Load(), attached.Load())
	}
	if _, err := obj.Program("custom2").Attach(); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("Program.Attach of the detached program: %v, want EOPNOTSUPP", err)
	}
}
