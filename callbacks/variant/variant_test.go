package variant_test

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/variant"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// Slots of the counts map in testdata/variant.bpf.c.
const (
	slotSysEnter = iota
	slotFentry
	slotFexit
)

func TestMain(m *testing.M) {
	testutil.QuietLibbpf() // the tests provoke failed loads and attaches on purpose
	os.Exit(m.Run())
}

// open registers the handlers with register (variant.Register, with the
// choices in force, or variant.RegisterFallbacks), opens the test object with only the named program loaded, aimed at this process, and
// checks the program's type and expected attach type.
func open(t *testing.T, register func() ([]*libbpf.Registration, error), prog string, pt libbpf.ProgType, at libbpf.AttachType) *libbpf.Object {
	t.Helper()
	regs, err := register()
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/variant.bpf.o"), nil)
	if err != nil {
		libbpf.UnregisterAll(regs)
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		obj.Close()
		if err := libbpf.UnregisterAll(regs); err != nil {
			t.Errorf("UnregisterAll: %v", err)
		}
	})
	for _, p := range obj.Programs() {
		if err := p.SetAutoload(p.Name() == prog); err != nil {
			t.Fatal(err)
		}
	}
	p := obj.Program(prog)
	if p.Type() != pt || p.ExpectedAttachType() != at {
		t.Errorf("%s: type %v, attach type %v; want %v, %v", prog, p.Type(), p.ExpectedAttachType(), pt, at)
	}
	if p.Handler() == nil {
		t.Errorf("%s: no handler bound after Open", prog)
	}
	aimAtThisProcess(t, obj)
	return obj
}

// aimAtThisProcess sets the test object's globals: count this process, and
// its getpid calls.
func aimAtThisProcess(t *testing.T, obj *libbpf.Object) {
	t.Helper()
	for name, v := range map[string]any{"target_tgid": uint32(os.Getpid()), "watched_nr": int64(unix.SYS_GETPID)} {
		g, err := obj.Global(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Set(v); err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
	}
}

// count reads one slot of the counts map.
func count(t *testing.T, obj *libbpf.Object, slot uint32) uint64 {
	t.Helper()
	key, val := binary.NativeEndian.AppendUint32(nil, slot), make([]byte, 8)
	if err := obj.Map("counts").Lookup(key, val); err != nil {
		t.Fatalf("lookup slot %d: %v", slot, err)
	}
	return binary.NativeEndian.Uint64(val)
}

// TestTracepoint attaches SEC("tp.best/sys_enter") through Object.Attach as
// the kernel's best variant (tp_btf here), as the forced raw_tp and as the
// raw_tp of RegisterFallbacks, and
// checks that both count this process's getpid calls.
func TestTracepoint(t *testing.T) {
	testutil.RequireKernel(t)
	for _, tc := range []struct {
		name     string
		forced   bool
		register func() ([]*libbpf.Registration, error)
		pt       libbpf.ProgType
		at       libbpf.AttachType
	}{
		{"tp_btf", false, variant.Register, libbpf.ProgTypeTracing, libbpf.AttachTypeTraceRawTP},
		{"raw_tp", true, variant.Register, libbpf.ProgTypeRawTracepoint, 0},
		{"raw_tp_by_RegisterFallbacks", false, variant.RegisterFallbacks, libbpf.ProgTypeRawTracepoint, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.forced {
				defer variant.ForceFallbacks(true, false)()
			}
			fds := testutil.OpenFDs(t)
			obj := open(t, tc.register, "count_sys_enter", tc.pt, tc.at)
			if err := obj.Load(); err != nil {
				t.Fatal(err)
			}
			if err := obj.Attach(); err != nil {
				t.Fatal(err)
			}
			const n = 100
			for range n {
				unix.Getpid()
			}
			got := count(t, obj, slotSysEnter)
			if got < n {
				t.Errorf("counted %d getpid calls, want at least %d", got, n)
			}
			t.Logf("%s as %v counted %d getpid calls for %d made", obj.Program("count_sys_enter").SectionName(), obj.Program("count_sys_enter").Type(), got, n)
			obj.Close()
			if got := testutil.OpenFDs(t); got != fds {
				t.Errorf("%d fds after Close, %d before", got, fds)
			}
		})
	}
}

// TestRegisterFallbacks checks that RegisterFallbacks gives the function
// forms their fallbacks whatever the kernel has (TestTracepoint runs its
// raw_tp program).
func TestRegisterFallbacks(t *testing.T) {
	testutil.RequireKernel(t)
	for _, prog := range []string{"count_fentry", "count_fexit"} {
		t.Run(prog, func(t *testing.T) { open(t, variant.RegisterFallbacks, prog, libbpf.ProgTypeKprobe, 0) })
	}
}

// readSomething calls vfs_read n times.
func readSomething(t *testing.T, n int) {
	t.Helper()
	f, err := os.Open("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64)
	for range n {
		if _, err := f.ReadAt(buf, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFunction attaches SEC("fentry.best/vfs_read") and
// SEC("fexit.best/vfs_read") as the variant the kernel probes to, the
// kprobe fallback forced, and the fentry variant forced. Where the kernel
// table gives the variant's feature, the programs count this process's
// reads; where it does not, Load or Attach fails cleanly, and where the
// kernel has neither fentry nor kprobes (here), Attach's error names both.
func TestFunction(t *testing.T) {
	testutil.RequireKernel(t)
	fentry, kprobe := testutil.KernelHas(testutil.FeatureTrampoline), testutil.KernelHas(testutil.FeatureKprobe)
	for _, tc := range []struct {
		name      string
		force     bool
		useKprobe bool
	}{
		{"probed", false, !fentry},
		{"kprobe", true, true},
		{"fentry", true, false},
	} {
		for _, prog := range []string{"count_fentry", "count_fexit"} {
			t.Run(tc.name+"/"+prog, func(t *testing.T) {
				if tc.force {
					defer variant.ForceFallbacks(false, tc.useKprobe)()
				}
				pt, at, has, feature := libbpf.ProgTypeTracing, libbpf.AttachTypeTraceFentry, fentry, testutil.FeatureTrampoline
				if prog == "count_fexit" {
					at = libbpf.AttachTypeTraceFexit
				}
				if tc.useKprobe {
					pt, at, has, feature = libbpf.ProgTypeKprobe, 0, kprobe, testutil.FeatureKprobe
				}
				fds := testutil.OpenFDs(t)
				obj := open(t, variant.Register, prog, pt, at)
				err := obj.Load()
				if !has && !tc.useKprobe && !testutil.LacksAtAttach(feature) {
					// fentry where the kernel refuses trampolines: the load fails.
					if err == nil || !errors.As(err, new(unix.Errno)) {
						t.Errorf("Load of %s without %s: %v, want an errno", prog, feature, err)
					}
					obj.Close()
					if got := testutil.OpenFDs(t); got != fds {
						t.Errorf("%d fds after Close, %d before", got, fds)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				err = obj.Attach()
				switch {
				case !has && !tc.useKprobe:
					// fentry where the kernel loads it but builds no
					// trampoline: the attach fails.
					if !errors.Is(err, testutil.ENOTSUPP) {
						t.Errorf("Attach of %s without %s: %v, want ENOTSUPP", prog, feature, err)
					}
				case !has:
					checkNoVariant(t, err, tc.force)
				default:
					if err != nil {
						t.Fatal(err)
					}
					const n = 50
					readSomething(t, n)
					slot := uint32(slotFentry)
					if prog == "count_fexit" {
						slot = slotFexit
					}
					got := count(t, obj, slot)
					if got < n {
						t.Errorf("%s counted %d reads, want at least %d", prog, got, n)
					}
					t.Logf("%s as %v counted %d reads for %d made", prog, obj.Program(prog).Type(), got, n)
				}
				obj.Close()
				if got := testutil.OpenFDs(t); got != fds {
					t.Errorf("%d fds after Close, %d before", got, fds)
				}
			})
		}
	}
}

// checkNoVariant checks the Attach error of the kprobe variant on a kernel
// without kprobes: it names both missing features.
func checkNoVariant(t *testing.T, err error, forced bool) {
	t.Helper()
	if !errors.Is(err, libbpf.ErrKprobesUnavailable) || !errors.Is(err, unix.EOPNOTSUPP) {
		t.Fatalf("Attach without kprobes: %v, want ErrKprobesUnavailable", err)
	}
	t.Log(err)
	if !errors.Is(err, variant.ErrNoVariant) {
		t.Errorf("Attach error does not wrap ErrNoVariant: %v", err)
	}
	want := []string{"CONFIG_KPROBES", "vfs_read", "no fentry"}
	if strings.Contains(err.Error(), "fexit.best") {
		want[2] = "no fexit"
	}
	if !forced {
		want = append(want, "fentry (BPF trampolines)")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Attach error does not say %q: %v", w, err)
		}
	}
}

// TestMissingTarget checks a tracepoint the kernel lacks: the tp_btf
// variant fails Open, naming the tracepoint; the raw_tp variant opens and
// loads, and fails Attach naming it.
func TestMissingTarget(t *testing.T) {
	testutil.RequireKernel(t)
	const tp = "no_such_tracepoint_golibbpf"
	path := testutil.Object(t, "testdata/missing.bpf.o")
	fds := testutil.OpenFDs(t)
	t.Run("tp_btf", func(t *testing.T) {
		defer variant.ForceFallbacks(false, false)()
		regs, err := variant.Register()
		if err != nil {
			t.Fatal(err)
		}
		defer libbpf.UnregisterAll(regs)
		obj, err := libbpf.OpenObjectFile(path, nil)
		if err == nil {
			obj.Close()
			t.Fatal("Open of a tp_btf variant of a missing tracepoint succeeded")
		}
		t.Log(err)
		if !errors.As(err, new(unix.Errno)) || !strings.Contains(err.Error(), tp) {
			t.Errorf("Open: %v, want an errno and the tracepoint's name", err)
		}
	})
	t.Run("raw_tp", func(t *testing.T) {
		defer variant.ForceFallbacks(true, false)()
		regs, err := variant.Register()
		if err != nil {
			t.Fatal(err)
		}
		defer libbpf.UnregisterAll(regs)
		obj, err := libbpf.OpenObjectFile(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		if err := obj.Load(); err != nil {
			t.Fatal(err)
		}
		err = obj.Attach()
		t.Log(err)
		if !errors.As(err, new(unix.Errno)) || !strings.Contains(err.Error(), tp) || !strings.Contains(err.Error(), "raw_tp variant") {
			t.Errorf("Attach: %v, want an errno naming the raw_tp variant and the tracepoint", err)
		}
	})
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after the tests, %d before", got, fds)
	}
}
