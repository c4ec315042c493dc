package legacy_test

import (
	"encoding/binary"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/legacy"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// Slots of the counts map in testdata/legacy.bpf.c.
const (
	slotClassifier = iota
	slotAction
	slotXDP
	slotSocket
	slotCgroupSKB
	slotCgroupSKBIngress
	slotSyscall
	numSlots
)

const dropPort = 4242 // DROP_PORT in testdata/legacy.bpf.c

func register(t *testing.T) {
	t.Helper()
	regs, err := legacy.Register()
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() {
		if err := libbpf.UnregisterAll(regs); err != nil {
			t.Errorf("UnregisterAll: %v", err)
		}
	})
}

// udpFrame builds the test's UDP frame to port dport.
func udpFrame(dport uint16) []byte { return testutil.UDPFrame(dport, []byte("legacy test")) }

func readCounts(t *testing.T, m *libbpf.Map) []uint64 {
	t.Helper()
	out := make([]uint64, numSlots)
	key, val := make([]byte, 4), make([]byte, 8)
	for i := range out {
		binary.NativeEndian.PutUint32(key, uint32(i))
		if err := m.Lookup(key, val); err != nil {
			t.Fatalf("lookup slot %d: %v", i, err)
		}
		out[i] = binary.NativeEndian.Uint64(val)
	}
	return out
}

// TestLegacySections opens an object written with libbpf 0.x section names,
// checks the types the fallback gave each program and the deprecation
// warnings, loads it, and runs the programs with BPF_PROG_TEST_RUN: return
// values and run counters must be exact.
func TestLegacySections(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	logs := testutil.CaptureLog(t, slog.LevelWarn)
	fds := testutil.OpenFDs(t)

	obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/legacy.bpf.o"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer obj.Close()

	types := map[string]struct {
		sec string
		pt  libbpf.ProgType
		at  libbpf.AttachType
	}{
		"cls_ingress":      {"classifier/ingress", libbpf.ProgTypeSchedCLS, 0},
		"act_mark":         {"action/mark", libbpf.ProgTypeSchedACT, 0},
		"xdp_drop":         {"xdp_drop_udp", libbpf.ProgTypeXDP, libbpf.AttachTypeXDP},
		"sock_len":         {"socket_len", libbpf.ProgTypeSocketFilter, 0},
		"cgskb_allow":      {"cgroup/skb_allow", libbpf.ProgTypeCgroupSKB, 0},
		"devmap_pass_prog": {"xdp_devmap/pass", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPDevMap},
		"lookup_pass":      {"sk_lookup_pass", libbpf.ProgTypeSKLookup, libbpf.AttachTypeSKLookup},
		"cgskb_ingress":    {"cgroup_skb/ingress_count", libbpf.ProgTypeCgroupSKB, libbpf.AttachTypeCgroupInetIngress},
		"cpumap_pass_prog": {"xdp_cpumap/steer", libbpf.ProgTypeXDP, libbpf.AttachTypeXDPCPUMap},
		"sockops_prog":     {"sockops_rtt", libbpf.ProgTypeSockOps, libbpf.AttachTypeCgroupSockOps},
		"sk_msg_prog":      {"sk_msg_verdict", libbpf.ProgTypeSKMsg, libbpf.AttachTypeSKMsgVerdict},
		"sys_add":          {"syscall_add", libbpf.ProgTypeSyscall, 0},
	}
	if got := len(obj.Programs()); got != len(types) {
		t.Errorf("%d programs, want %d", got, len(types))
	}
	for name, want := range types {
		p := obj.Program(name)
		if p == nil {
			t.Fatalf("program %s missing", name)
		}
		if p.SectionName() != want.sec || p.Type() != want.pt || p.ExpectedAttachType() != want.at {
			t.Errorf("%s: SEC(%q) %v %v, want SEC(%q) %v %v", name, p.SectionName(), p.Type(),
				p.ExpectedAttachType(), want.sec, want.pt, want.at)
		}
		if !strings.Contains(logs.String(), `section=`+want.sec) {
			t.Errorf("no deprecation warning for SEC(%q) in:\n%s", want.sec, logs)
		}
	}
	if n := strings.Count(logs.String(), "deprecated libbpf 0.x SEC() name"); n != len(types) {
		t.Errorf("%d deprecation warnings, want %d:\n%s", n, len(types), logs)
	}

	testutil.LeaveOutMissing(t, obj)
	if err := obj.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	// Legacy forms are never auto-attached.
	if err := obj.Attach(); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if n := len(obj.Links()); n != 0 {
		t.Errorf("Object.Attach made %d links, want 0", n)
	}
	if _, err := obj.Program("cls_ingress").Attach(); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("Program.Attach of a legacy section: %v, want EOPNOTSUPP", err)
	}

	drop, pass := udpFrame(dropPort), udpFrame(53)
	runs := []struct {
		prog   string
		data   []byte
		repeat int
		want   uint32
	}{
		{"cls_ingress", drop, 1, 2}, // TC_ACT_SHOT
		{"cls_ingress", pass, 4, 0}, // TC_ACT_OK
		{"act_mark", pass, 3, 3},    // TC_ACT_PIPE
		{"xdp_drop", drop, 2, 1},    // XDP_DROP
		{"xdp_drop", pass, 1, 2},    // XDP_PASS
		{"sock_len", pass, 5, uint32(len(pass) - 14)},
		{"cgskb_allow", pass, 6, 1},
		{"cgskb_ingress", pass, 2, 1},
	}
	for _, r := range runs {
		res, err := obj.Program(r.prog).Run(&libbpf.RunOptions{Data: r.data, Repeat: r.repeat})
		if err != nil {
			t.Errorf("Run(%s): %v", r.prog, err)
			continue
		}
		if res.Return != r.want {
			t.Errorf("Run(%s) returned %d, want %d", r.prog, res.Return, r.want)
		}
	}
	want := []uint64{1 + 4, 3, 2 + 1, 5, 6, 2, 0}
	if testutil.KernelHas(testutil.FeatureSyscallProg) {
		if p := obj.Program("sys_add"); p.Flags()&unix.BPF_F_SLEEPABLE == 0 {
			t.Errorf("sys_add: flags %#x, want BPF_F_SLEEPABLE", p.Flags())
		}
		runSyscallAdd(t, obj.Program("sys_add"), 6, 7)
		want[6] = 1
	}
	got := readCounts(t, obj.Map("counts"))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("counts [classifier action xdp socket cgroup/skb cgroup_skb/ingress syscall] = %v, want %v", got, want)
			break
		}
	}
	for _, name := range []string{"devmap_pass_prog", "cpumap_pass_prog", "lookup_pass", "sockops_prog", "sk_msg_prog"} {
		if fd := obj.Program(name).FD(); fd < 0 {
			t.Errorf("%s: not loaded (fd %d)", name, fd)
		}
	}

	if err := obj.Close(); err != nil {
		t.Fatal(err)
	}
	if after := testutil.OpenFDs(t); after != fds {
		t.Errorf("open fds after Close: %d, before Open: %d", after, fds)
	}
}

// runSyscallAdd runs sys_add in testdata/legacy.bpf.c on a and b: it
// returns a*b and writes a+b into its context.
func runSyscallAdd(t *testing.T, p *libbpf.Program, a, b int32) {
	t.Helper()
	args := make([]byte, 12) // struct add_args
	binary.NativeEndian.PutUint32(args[0:], uint32(a))
	binary.NativeEndian.PutUint32(args[4:], uint32(b))
	// A syscall program's context is written back into Context.
	res, err := p.Run(&libbpf.RunOptions{Context: args})
	if err != nil {
		t.Fatalf("Run(sys_add): %v", err)
	}
	if int32(res.Return) != a*b {
		t.Errorf("Run(sys_add) returned %d, want %d", int32(res.Return), a*b)
	}
	if sum := int32(binary.NativeEndian.Uint32(args[8:])); sum != a+b {
		t.Errorf("Run(sys_add) wrote sum %d, want %d", sum, a+b)
	}
}

// TestUnknownSection checks that a section nothing knows fails Open with an
// error naming it.
func TestUnknownSection(t *testing.T) {
	register(t)
	obj, err := libbpf.OpenObjectFile(testutil.Object(t, "testdata/unknown.bpf.o"), nil)
	if err == nil {
		obj.Close()
		t.Fatal("Open succeeded")
	}
	t.Log(err)
	if !errors.Is(err, legacy.ErrUnknownSection) {
		t.Errorf("error %v does not wrap ErrUnknownSection", err)
	}
	if !strings.Contains(err.Error(), `SEC("not_a_section/at_all")`) || !strings.Contains(err.Error(), "unknown_prog") {
		t.Errorf("error %q does not name the section and the program", err)
	}
}

// TestSecondFallback checks that libbpf's single fallback slot is reported.
func TestSecondFallback(t *testing.T) {
	register(t)
	regs, err := legacy.Register()
	if err == nil {
		for _, r := range regs {
			r.Unregister()
		}
		t.Fatal("second Register succeeded")
	}
	if !errors.Is(err, unix.EBUSY) {
		t.Errorf("second Register: %v, want EBUSY", err)
	}
}
