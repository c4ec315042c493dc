package netif_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/netif"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// Slots of the counts map in testdata/netif.bpf.c.
const (
	slotXDP = iota
	slotTCIngress
	slotTCEgress
	slotTCXIngress
	slotTCXEgress
	slotXDPFrags
	numSlots
)

const (
	countPort = 40001 // COUNT_PORT in testdata/netif.bpf.c
	otherPort = 40002 // not counted
)

// register installs the package's handlers for the test.
func register(t *testing.T) {
	t.Helper()
	regs, err := netif.Register()
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() {
		if err := libbpf.UnregisterAll(regs); err != nil {
			t.Errorf("UnregisterAll: %v", err)
		}
	})
}

// fallbacksForced is set while eachMechanism runs a test with the
// fallbacks forced.
var fallbacksForced bool

// eachMechanism runs test twice: with the mechanisms the kernel probes to
// (links where it has them), and with the fallbacks forced (netlink XDP,
// classic tc), which must behave the same.
func eachMechanism(t *testing.T, test func(t *testing.T)) {
	t.Run("probed", test)
	t.Run("fallbacks", func(t *testing.T) {
		defer netif.ForceFallbacks(true, true, true)()
		fallbacksForced = true
		defer func() { fallbacksForced = false }()
		test(t)
	})
}

// readCounts reads slots 0..n-1 of an array map of u64 counters.
func readCounts(m *libbpf.Map, n int) ([]uint64, error) {
	out := make([]uint64, n)
	key, val := make([]byte, 4), make([]byte, 8)
	for i := range out {
		binary.NativeEndian.PutUint32(key, uint32(i))
		if err := m.Lookup(key, val); err != nil {
			return nil, fmt.Errorf("lookup slot %d: %w", i, err)
		}
		out[i] = binary.NativeEndian.Uint64(val)
	}
	return out, nil
}

// onlyAutoload leaves autoload on for the named programs only.
func onlyAutoload(obj *libbpf.Object, names ...string) error {
	for _, p := range obj.Programs() {
		on := false
		for _, n := range names {
			on = on || p.Name() == n
		}
		if err := p.SetAutoload(on); err != nil {
			return fmt.Errorf("SetAutoload(%s): %w", p.Name(), err)
		}
	}
	return nil
}

// TestCountPackets attaches XDP and tcx programs by interface name (lo, in a
// private network namespace) through Object.Attach, sends UDP datagrams to
// the counted port and to another one, and checks that each program counted
// exactly the datagrams to its port; then the same for xdp.frags.
func TestCountPackets(t *testing.T) { eachMechanism(t, testCountPackets) }

func testCountPackets(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	path := testutil.Object(t, "testdata/netif.bpf.o")
	const n, noise = 25, 7

	fds := testutil.OpenFDs(t)
	testutil.InNetns(t, func() error {
		obj, err := libbpf.OpenObjectFile(path, nil)
		if err != nil {
			return err
		}
		defer obj.Close()

		for name, want := range map[string]libbpf.AttachType{
			"xdp_lo":           libbpf.AttachTypeXDP,
			"tc_ingress_lo":    libbpf.AttachTypeTCXIngress,
			"tc_egress_lo":     libbpf.AttachTypeTCXEgress,
			"tcx_ingress_lo":   libbpf.AttachTypeTCXIngress,
			"tcx_egress_lo":    libbpf.AttachTypeTCXEgress,
			"xdp_devmap":       libbpf.AttachTypeXDPDevMap,
			"xdp_cpumap":       libbpf.AttachTypeXDPCPUMap,
			"xdp_frags_cpumap": libbpf.AttachTypeXDPCPUMap,
		} {
			if got := obj.Program(name).ExpectedAttachType(); got != want {
				t.Errorf("%s: expected attach type %v, want %v", name, got, want)
			}
		}
		if f := obj.Program("xdp_frags_lo").Flags(); f&unix.BPF_F_XDP_HAS_FRAGS == 0 {
			t.Errorf("xdp_frags_lo: flags %#x lack BPF_F_XDP_HAS_FRAGS", f)
		}
		if f := obj.Program("xdp_frags_cpumap").Flags(); f&unix.BPF_F_XDP_HAS_FRAGS == 0 {
			t.Errorf("xdp_frags_cpumap: flags %#x lack BPF_F_XDP_HAS_FRAGS", f)
		}
		if f := obj.Program("xdp_lo").Flags(); f&unix.BPF_F_XDP_HAS_FRAGS != 0 {
			t.Errorf("xdp_lo: flags %#x have BPF_F_XDP_HAS_FRAGS", f)
		}

		// Only one XDP program fits on lo: xdp.frags gets its own round.
		if err := obj.Program("xdp_frags_lo").SetAutoload(false); err != nil {
			return err
		}
		if err := obj.Load(); err != nil {
			return err
		}
		if err := obj.Attach(); err != nil {
			return err
		}
		// xdp/lo, tc/ingress/lo, tc/egress/lo, tcx/ingress/lo, tcx/egress/lo;
		// not xdp/devmap, xdp/cpumap, xdp.frags/cpumap, nor the bare xdp and
		// tc/ingress.
		if got := len(obj.Links()); got != 5 {
			t.Errorf("Object.Attach made %d links, want 5", got)
		}
		if _, err := obj.Program("xdp_devmap").Attach(); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("Attach of xdp/devmap: %v, want EOPNOTSUPP", err)
		}

		if err := testutil.SendUDP(countPort, n); err != nil {
			return err
		}
		if err := testutil.SendUDP(otherPort, noise); err != nil {
			return err
		}
		got, err := readCounts(obj.Map("counts"), numSlots)
		if err != nil {
			return err
		}
		want := []uint64{n, n, n, n, n, 0}
		if !slices.Equal(got, want) {
			t.Errorf("counts [xdp tc/ingress tc/egress tcx/ingress tcx/egress xdp.frags] = %v, want %v", got, want)
		}
		if err := obj.Close(); err != nil {
			return err
		}

		// xdp.frags/lo alone.
		obj2, err := libbpf.OpenObjectFile(path, nil)
		if err != nil {
			return err
		}
		defer obj2.Close()
		if err := onlyAutoload(obj2, "xdp_frags_lo"); err != nil {
			return err
		}
		if err := obj2.Load(); err != nil {
			return err
		}
		if err := obj2.Attach(); err != nil {
			return err
		}
		if err := testutil.SendUDP(countPort, n); err != nil {
			return err
		}
		got, err = readCounts(obj2.Map("counts"), numSlots)
		if err != nil {
			return err
		}
		want = []uint64{0, 0, 0, 0, 0, n}
		if !slices.Equal(got, want) {
			t.Errorf("xdp.frags round: counts = %v, want %v", got, want)
		}
		return nil
	})
	// Both objects are closed: their links, programs and maps are gone.
	if after := testutil.OpenFDs(t); after != fds {
		t.Errorf("open fds after Close: %d, before Open: %d", after, fds)
	}
}

// TestLinkCloseStopsCounting checks that a program attached with
// Program.Attach (the handler's Attach) stops seeing packets once its link is
// destroyed.
func TestLinkCloseStopsCounting(t *testing.T) { eachMechanism(t, testLinkCloseStopsCounting) }

func testLinkCloseStopsCounting(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	path := testutil.Object(t, "testdata/netif.bpf.o")

	testutil.InNetns(t, func() error {
		obj, err := libbpf.OpenObjectFile(path, nil)
		if err != nil {
			return err
		}
		defer obj.Close()
		if err := onlyAutoload(obj, "tc_ingress_lo", "xdp_lo"); err != nil {
			return err
		}
		if err := obj.Load(); err != nil {
			return err
		}
		var links []*libbpf.Link
		for _, name := range []string{"tc_ingress_lo", "xdp_lo"} {
			l, err := obj.Program(name).Attach()
			if err != nil {
				return fmt.Errorf("Program(%s).Attach: %w", name, err)
			}
			// The fallbacks have no kernel link, hence no fd.
			if fallbacksForced && l.FD() != -1 {
				t.Errorf("Program(%s).Attach with the fallbacks forced made a link with fd %d", name, l.FD())
			}
			links = append(links, l)
		}
		if err := testutil.SendUDP(countPort, 3); err != nil {
			return err
		}
		for _, l := range links {
			if err := l.Close(); err != nil {
				return err
			}
		}
		if err := testutil.SendUDP(countPort, 4); err != nil {
			return err
		}
		got, err := readCounts(obj.Map("counts"), numSlots)
		if err != nil {
			return err
		}
		if got[slotXDP] != 3 || got[slotTCIngress] != 3 {
			t.Errorf("counts after Close: xdp %d, tc ingress %d, want 3 and 3", got[slotXDP], got[slotTCIngress])
		}
		return nil
	})
}

// placeholder is the section name of testdata/template.bpf.c.
const placeholder = "xdp/PLACEHOLDER_SECTION_NAME_0123456789ABCDEF"

// objectWithSection returns testdata/template.bpf.o with its section renamed
// to sec, NUL-padded to the placeholder's length so that every string table
// offset stays valid.
func objectWithSection(t *testing.T, sec string) []byte {
	t.Helper()
	data, err := os.ReadFile(testutil.Object(t, "testdata/template.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sec) > len(placeholder) {
		t.Fatalf("section %q is longer than the placeholder", sec)
	}
	old := []byte(placeholder)
	if !bytes.Contains(data, old) {
		t.Fatalf("template.bpf.o does not contain %q", placeholder)
	}
	repl := make([]byte, len(old))
	copy(repl, sec)
	return bytes.ReplaceAll(data, old, repl)
}

// TestMalformedSections checks that every malformed interface name fails
// Open, naming the section and the offending part.
func TestMalformedSections(t *testing.T) {
	register(t)
	for _, tc := range []struct{ sec, part string }{
		{"xdp/", "empty interface name"},
		{"xdp.frags/", "empty interface name"},
		{"tc/ingress/", "empty interface name"},
		{"tc/egress/0123456789abcdef", `interface name "0123456789abcdef" is 16 bytes long`},
		{"tcx/ingress/eth 0", `interface name "eth 0" contains whitespace`},
		{"xdp/eth0/rx", `interface name "eth0/rx" contains '/'`},
		{"tcx/egress/eth0:1", `interface name "eth0:1" contains ':'`},
		{"xdp/..", `interface name ".." is not allowed`},
	} {
		obj, err := libbpf.OpenObjectBytes(objectWithSection(t, tc.sec), nil)
		if err == nil {
			obj.Close()
			t.Errorf("SEC(%q): Open succeeded", tc.sec)
			continue
		}
		t.Logf("SEC(%q): %v", tc.sec, err)
		if !errors.Is(err, netif.ErrMalformedSection) {
			t.Errorf("SEC(%q): error %v does not wrap ErrMalformedSection", tc.sec, err)
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("SEC(%q)", tc.sec)) || !strings.Contains(msg, tc.part) {
			t.Errorf("SEC(%q): error %q does not name the section and %q", tc.sec, msg, tc.part)
		}
	}
}

// TestUnknownInterface checks that a well-formed name of an interface that
// does not exist loads but fails Attach with an error naming it and wrapping
// ENODEV, and leaves no fd behind.
func TestUnknownInterface(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	for _, sec := range []string{"xdp/nosuch0", "tc/egress/nosuch1", "tcx/ingress/nosuch2"} {
		data := objectWithSection(t, sec)
		ifname := sec[strings.LastIndexByte(sec, '/')+1:]
		fds := testutil.OpenFDs(t)
		testutil.InNetns(t, func() error {
			obj, err := libbpf.OpenObjectBytes(data, nil)
			if err != nil {
				return fmt.Errorf("SEC(%q): Open: %w", sec, err)
			}
			if err := obj.Load(); err != nil {
				obj.Close()
				return fmt.Errorf("SEC(%q): Load: %w", sec, err)
			}
			err = obj.Attach()
			t.Logf("SEC(%q): Attach: %v", sec, err)
			if !errors.Is(err, unix.ENODEV) {
				t.Errorf("SEC(%q): Attach: %v, want ENODEV", sec, err)
			} else if !strings.Contains(err.Error(), fmt.Sprintf("%q", ifname)) {
				t.Errorf("SEC(%q): Attach error %q does not name interface %q", sec, err, ifname)
			}
			return obj.Close()
		})
		if after := testutil.OpenFDs(t); after != fds {
			t.Errorf("SEC(%q): open fds after Close: %d, before Open: %d", sec, after, fds)
		}
	}
}
