package callbacks_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// sections lists the registered handlers' sections ("<fallback>" for the
// fallback), in matching order.
func sections(regs []*libbpf.Registration) []string {
	var out []string
	for _, r := range regs {
		if r.Fallback() {
			out = append(out, "<fallback>")
		} else {
			out = append(out, r.Section())
		}
	}
	return out
}

func requireEmptyTable(t *testing.T) {
	t.Helper()
	if regs := libbpf.Registrations(); len(regs) != 0 {
		t.Fatalf("handler table not empty: %v", sections(regs))
	}
}

// TestRegisterAll checks that RegisterAll installs every family, that
// unregistering all of them empties the handler table, and that a second
// RegisterAll then succeeds.
func TestRegisterAll(t *testing.T) {
	requireEmptyTable(t)
	regs, err := callbacks.RegisterAll()
	if err != nil {
		t.Fatalf("RegisterAll: %v", err)
	}
	got := sections(libbpf.Registrations())
	for _, want := range []string{"perf_event+", "uprobe.go+", "uretprobe.go+", "xdp/", "xdp.frags/",
		"tc/ingress/", "tc/egress/", "tcx/ingress/", "tcx/egress/", "tp.best/", "fentry.best/", "fexit.best/", "<fallback>"} {
		if !slices.Contains(got, want) {
			t.Errorf("after RegisterAll the table %v lacks %q", got, want)
		}
	}
	if len(got) != len(regs) {
		t.Errorf("table has %d handlers, RegisterAll returned %d", len(got), len(regs))
	}
	if err := callbacks.UnregisterAll(regs); err != nil {
		t.Fatalf("UnregisterAll: %v", err)
	}
	requireEmptyTable(t)
	if err := callbacks.UnregisterAll(regs); !errors.Is(err, unix.ENOENT) {
		t.Errorf("second UnregisterAll: %v, want ENOENT", err)
	}

	regs, err = callbacks.RegisterAll()
	if err != nil {
		t.Fatalf("second RegisterAll: %v", err)
	}
	if err := callbacks.UnregisterAll(regs); err != nil {
		t.Fatalf("UnregisterAll: %v", err)
	}
	requireEmptyTable(t)
}

// TestRegisterAllRollsBack checks that a family failing to register (legacy,
// with the fallback slot taken) leaves nothing of RegisterAll behind.
func TestRegisterAllRollsBack(t *testing.T) {
	requireEmptyTable(t)
	other, err := libbpf.RegisterFallbackProgHandler(libbpf.ProgTypeSocketFilter, 0, libbpf.ProgHandler{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Unregister()
	regs, err := callbacks.RegisterAll()
	if err == nil {
		callbacks.UnregisterAll(regs)
		t.Fatal("RegisterAll succeeded with the fallback slot taken")
	}
	if !errors.Is(err, unix.EBUSY) {
		t.Errorf("RegisterAll: %v, want EBUSY", err)
	}
	if got := libbpf.Registrations(); len(got) != 1 || got[0] != other {
		t.Errorf("after a failed RegisterAll the table is %v, want only the other fallback", sections(got))
	}
}

// TestFamiliesTogether opens and loads objects of two families with every
// family registered: each program gets its family's types.
func TestFamiliesTogether(t *testing.T) {
	testutil.RequireKernel(t)
	regs, err := callbacks.RegisterAll()
	if err != nil {
		t.Fatalf("RegisterAll: %v", err)
	}
	defer func() {
		if err := callbacks.UnregisterAll(regs); err != nil {
			t.Error(err)
		}
	}()
	for _, tc := range []struct {
		path, prog string
		pt         libbpf.ProgType
		at         libbpf.AttachType
	}{
		{"netif/testdata/netif.bpf.o", "tc_egress_lo", libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXEgress},
		{"legacy/testdata/legacy.bpf.o", "xdp_drop", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP},
	} {
		obj, err := libbpf.OpenObjectFile(testutil.Object(t, tc.path), nil)
		if err != nil {
			t.Fatalf("Open %s: %v", tc.path, err)
		}
		testutil.LeaveOutMissing(t, obj)
		if err := obj.Load(); err != nil {
			obj.Close()
			t.Fatalf("Load %s: %v", tc.path, err)
		}
		p := obj.Program(tc.prog)
		if p.Type() != tc.pt || p.ExpectedAttachType() != tc.at || p.FD() < 0 {
			t.Errorf("%s: %v %v fd %d, want %v %v loaded", tc.prog, p.Type(), p.ExpectedAttachType(), p.FD(), tc.pt, tc.at)
		}
		if err := obj.Close(); err != nil {
			t.Error(err)
		}
	}
}

func ExampleRegisterAll() {
	regs, err := callbacks.RegisterAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer callbacks.UnregisterAll(regs)

	// Every section form of every family now works in any object.
	obj, err := libbpf.OpenObjectFile("probe.bpf.o", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		fmt.Println(err)
		return
	}
	if err := obj.Attach(); err != nil { // perf events, Go probes, XDP and tcx links
		fmt.Println(err)
	}
}
