package goprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// nprogs is NPROGS in testdata/probes.bpf.c.
const nprogs = 8

// placeholder is program i's section name in testdata/probes.bpf.o.
func placeholder(i int) string {
	p := fmt.Sprintf("GOPROBE_SECTION_%d_", i)
	return p + strings.Repeat("x", 220)
}

// register registers the package's handlers for the test's duration.
func register(t *testing.T) {
	t.Helper()
	regs, err := Register()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := libbpf.UnregisterAll(regs); err != nil {
			t.Errorf("unregister: %v", err)
		}
	})
}

// probeName is program i's name in testdata/probes.bpf.o.
func probeName(i int) string { return fmt.Sprintf("probe%d", i) }

// probeObject returns testdata/probes.bpf.o with program i's section
// renamed to sections[i]; programs without a section get a libbpf uprobe
// section that needs no attach target until it is attached. Sections must
// be unique: libbpf finds a program's BTF line info and CO-RE relocations
// by its section name.
func probeObject(t testing.TB, sections map[int]string) []byte {
	t.Helper()
	data, err := os.ReadFile(testutil.Object(t, "testdata/probes.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < nprogs; i++ {
		sec, ok := sections[i]
		if !ok {
			sec = fmt.Sprintf("uprobe/unused%d", i)
		}
		if seen[sec] {
			t.Fatalf("section %q given twice", sec)
		}
		seen[sec] = true
		old := []byte(placeholder(i))
		if len(sec) > len(old) {
			t.Fatalf("section %q is longer than the %d-byte placeholder", sec, len(old))
		}
		if n := bytes.Count(data, old); n == 0 {
			t.Fatalf("placeholder %d not in probes.bpf.o", i)
		}
		repl := append([]byte(sec), make([]byte, len(old)-len(sec))...)
		data = bytes.ReplaceAll(data, old, repl)
	}
	return data
}

// openProbes opens probeObject(sections), skipping the load of the
// programs without a section, and closes it at cleanup.
func openProbes(t *testing.T, sections map[int]string) (*libbpf.Object, error) {
	t.Helper()
	obj, err := libbpf.OpenObjectBytes(probeObject(t, sections), nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		if err := obj.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	for i := 0; i < nprogs; i++ {
		if _, ok := sections[i]; !ok {
			if err := obj.Program(probeName(i)).SetAutoload(false); err != nil {
				t.Fatal(err)
			}
		}
	}
	return obj, nil
}

// loadProbes opens and loads probeObject(sections).
func loadProbes(t *testing.T, sections map[int]string) *libbpf.Object {
	t.Helper()
	obj, err := openProbes(t, sections)
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	return obj
}

// mustLoadProbes opens, loads and auto-attaches probeObject(sections).
func mustLoadProbes(t *testing.T, sections map[int]string) *libbpf.Object {
	t.Helper()
	obj := loadProbes(t, sections)
	if err := obj.Attach(); err != nil {
		t.Fatal(err)
	}
	return obj
}

// counters reads counts[i] and sums[i] of a loaded probes object.
func counters(t *testing.T, obj *libbpf.Object, i int) (count, sum uint64) {
	t.Helper()
	read := func(name string) uint64 {
		key := binary.NativeEndian.AppendUint32(nil, uint32(i))
		val := make([]byte, 8)
		if err := obj.Map(name).Lookup(key, val); err != nil {
			t.Fatalf("lookup %s[%d]: %v", name, i, err)
		}
		return binary.NativeEndian.Uint64(val)
	}
	return read("counts"), read("sums")
}

// targetResult is the target program's output line.
type targetResult struct {
	total, moves, classify, sum, add uint64
}

// runTarget runs the target binary with -n and -depth, with a fixed 2 KiB
// initial goroutine stack so that every call of work grows it.
func runTarget(t *testing.T, path string, n, depth int) (targetResult, error) {
	t.Helper()
	cmd := exec.Command(path, "-n", strconv.Itoa(n), "-depth", strconv.Itoa(depth))
	cmd.Env = append(os.Environ(), "GODEBUG=adaptivestackstart=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return targetResult{}, fmt.Errorf("%s: %w\nstderr:\n%s", path, err, firstLines(stderr.String(), 20))
	}
	var r targetResult
	if _, err := fmt.Sscanf(stdout.String(), "total=%d moves=%d classify=%d sum=%d add=%d",
		&r.total, &r.moves, &r.classify, &r.sum, &r.add); err != nil {
		t.Fatalf("target output %q: %v", stdout.String(), err)
	}
	return r, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestReturnProbeSurvivesStackCopies probes main.work and main.recurse at
// entry and return while every call of work grows (copies) its goroutine's
// stack: the target must finish, every counter must be exact, and the
// return probe must see work's result in RAX. It runs on the default
// (statically linked) build and on a position-independent one.
func TestReturnProbeSurvivesStackCopies(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	for _, v := range []struct {
		name  string
		flags []string
	}{
		{"static", nil},
		{"pie", []string{"-buildmode=pie"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			testStackCopies(t, buildTarget(t, "", v.flags...))
		})
	}
}

func testStackCopies(t *testing.T, target string) {
	const n, depth = 200, 48
	obj := mustLoadProbes(t, map[int]string{
		0: "uretprobe.go/" + target + ":main.work",
		1: "uretprobe.go/" + target + ":main.recurse",
		2: "uprobe.go/" + target + ":main.work",
		3: "uprobe.go/" + target + ":main.recurse",
	})

	res, err := runTarget(t, target, n, depth)
	if err != nil {
		t.Fatalf("target did not survive uretprobe.go: %v", err)
	}
	if res.moves != n {
		t.Fatalf("work's stack moved in %d of %d calls; the test needs every call to copy the stack", res.moves, n)
	}
	const calls = n * (depth + 1) // recurse calls
	for _, c := range []struct {
		i     int
		what  string
		count uint64
	}{
		{0, "uretprobe.go main.work", n},
		{1, "uretprobe.go main.recurse", calls},
		{2, "uprobe.go main.work", n},
		// Exact despite the n stack growths that restart recurse from its
		// first instruction: the probe sits past the stack check.
		{3, "uprobe.go main.recurse", calls},
	} {
		if got, _ := counters(t, obj, c.i); got != c.count {
			t.Errorf("%s: %d hits, want %d", c.what, got, c.count)
		}
	}
	if _, sum := counters(t, obj, 0); sum != res.total {
		t.Errorf("uretprobe.go main.work: results add up to %d, the target's to %d", sum, res.total)
	}
	// recurse(d) returns d+1 and each call of work calls recurse(depth..0).
	if _, sum := counters(t, obj, 1); sum != n*(depth+1)*(depth+2)/2 {
		t.Errorf("uretprobe.go main.recurse: results add up to %d, want %d", sum, n*(depth+1)*(depth+2)/2)
	}
}

// TestSymbolForms probes a function with several return instructions, a
// generic instantiation, a pointer method and a function with a huge frame.
func TestSymbolForms(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	target := buildTarget(t, "")
	const n = 150
	obj := mustLoadProbes(t, map[int]string{
		0: "uretprobe.go/" + target + ":main.classify",
		1: "uretprobe.go/" + target + ":main.Sum[go.shape.int]",
		2: "uprobe.go/" + target + ":main.Sum[go.shape.int]",
		3: "uprobe.go/" + target + ":main.(*counter).add",
		4: "uretprobe.go/" + target + ":main.(*counter).add",
		5: "uprobe.go/" + target + ":main.Sum[go.shape.float64]",
		// bigFrame's first call grows the main goroutine's stack by 64 KiB,
		// so runtime.morestack restarts it once.
		6: "uprobe.go/" + target + ":main.bigFrame",
		7: "uretprobe.go/" + target + ":main.bigFrame",
	})
	if offs, err := ReturnOffsets(target, "main.classify"); err != nil || len(offs) < 2 {
		t.Fatalf("main.classify: return offsets %v, %v; the test needs several", offs, err)
	}
	res, err := runTarget(t, target, n, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		i          int
		what       string
		count, sum uint64
	}{
		{0, "uretprobe.go main.classify", n, res.classify},
		{1, "uretprobe.go main.Sum[go.shape.int]", n, res.sum},
		{2, "uprobe.go main.Sum[go.shape.int]", n, 0},
		{3, "uprobe.go main.(*counter).add", n, 0},
		{4, "uretprobe.go main.(*counter).add", n, 0},
		{5, "uprobe.go main.Sum[go.shape.float64]", n, 0},
		{6, "uprobe.go main.bigFrame", n, 0},
		{7, "uretprobe.go main.bigFrame", n, 0},
	} {
		count, sum := counters(t, obj, c.i)
		if count != c.count {
			t.Errorf("%s: %d hits, want %d", c.what, count, c.count)
		}
		if c.sum != 0 && sum != c.sum {
			t.Errorf("%s: results add up to %d, the target's to %d", c.what, sum, c.sum)
		}
	}
}

// TestProgramAttachAndClose attaches through Program.Attach (libbpf's
// bpf_program__attach calling the handler), checks the link counts, that
// Close stops it, and that no fd is left behind.
func TestProgramAttachAndClose(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	target := buildTarget(t, "")
	baseline := testutil.OpenFDs(t)
	func() {
		obj, err := openProbes(t, map[int]string{0: "uretprobe.go/" + target + ":main.work"})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		if err := obj.Load(); err != nil {
			t.Fatal(err)
		}
		prog := obj.Program(probeName(0))
		if prog.Type() != libbpf.ProgTypeKprobe || prog.ExpectedAttachType() != libbpf.AttachTypeTraceUprobeMulti {
			t.Errorf("program type %v, expected attach type %v; want kprobe, uprobe_multi", prog.Type(), prog.ExpectedAttachType())
		}
		link, err := prog.Attach()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runTarget(t, target, 10, 4); err != nil {
			t.Fatal(err)
		}
		if err := link.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := runTarget(t, target, 10, 4); err != nil {
			t.Fatal(err)
		}
		if got, _ := counters(t, obj, 0); got != 10 {
			t.Errorf("%d returns counted, want 10 (and none after Close)", got)
		}
	}()
	if got := testutil.OpenFDs(t); got != baseline {
		t.Errorf("%d fds open after Close, %d before", got, baseline)
	}
}

// TestMissingBinaryFailsOpen checks that Setup rejects a section whose
// binary does not exist, naming it.
func TestMissingBinaryFailsOpen(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	missing := filepath.Join(t.TempDir(), "no-such-binary")
	for _, prefix := range []string{"uprobe.go/", "uretprobe.go/"} {
		sec := prefix + missing + ":main.work"
		_, err := openProbes(t, map[int]string{0: sec})
		if err == nil {
			t.Fatalf("%s: Open succeeded", sec)
		}
		t.Logf("Open: %v", err)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v does not wrap os.ErrNotExist", sec, err)
		}
		for _, want := range []string{missing, "probe0"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not name %s", sec, err, want)
			}
		}
	}
}

// TestMissingSymbolFailsAttach checks that a symbol the binary lacks fails
// Attach with an error naming the symbol and the binary.
func TestMissingSymbolFailsAttach(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	target := buildTarget(t, "")
	for _, prefix := range []string{"uprobe.go/", "uretprobe.go/"} {
		obj := loadProbes(t, map[int]string{0: prefix + target + ":main.noSuchFunction"})
		err := obj.Attach()
		if err == nil {
			t.Fatalf("%s: Attach succeeded", prefix)
		}
		t.Logf("Attach: %v", err)
		if !errors.Is(err, ErrSymbolNotFound) {
			t.Errorf("%s: %v does not wrap ErrSymbolNotFound", prefix, err)
		}
		for _, want := range []string{"main.noSuchFunction", target} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not name %s", prefix, err, want)
			}
		}
		if n := len(obj.Links()); n != 0 {
			t.Errorf("%s: %d links left after the failed Attach", prefix, n)
		}
		obj.Close()
	}
}

// TestMalformedSectionsFailOpen checks that Setup rejects each malformed
// form with an error naming the section and the offending part.
func TestMalformedSectionsFailOpen(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		sec, part string
		is        error
	}{
		{"uprobe.go", "missing", ErrInvalidSection},
		{"uretprobe.go/", "missing", ErrInvalidSection},
		{"uprobe.go/bin/app:main.work", `"bin/app" is not absolute`, ErrInvalidSection},
		{"uretprobe.go//bin/true:", "empty symbol", ErrInvalidSection},
		{"uretprobe.go//bin/true", "missing ':'", ErrInvalidSection},
		{"uprobe.go/" + dir + ":main.work", "not a regular file", ErrInvalidSection},
	} {
		_, err := openProbes(t, map[int]string{0: tc.sec})
		if err == nil {
			t.Errorf("%q: Open succeeded", tc.sec)
			continue
		}
		t.Logf("Open: %v", err)
		if !errors.Is(err, tc.is) {
			t.Errorf("%q: %v does not wrap %v", tc.sec, err, tc.is)
		}
		for _, want := range []string{strconv.Quote(tc.sec), tc.part} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: %q does not mention %s", tc.sec, err, want)
			}
		}
	}
}

// TestRegister checks what Register registers.
func TestRegister(t *testing.T) {
	regs, err := Register()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := libbpf.UnregisterAll(regs); err != nil {
			t.Error(err)
		}
	}()
	var got []string
	for _, r := range regs {
		got = append(got, r.Section())
		if r.ProgType() != libbpf.ProgTypeKprobe || r.AttachType() != libbpf.AttachTypeTraceUprobeMulti || !r.Attaches() {
			t.Errorf("%v: type %v, attach type %v, attaches %v; want kprobe, uprobe_multi, true", r, r.ProgType(), r.AttachType(), r.Attaches())
		}
	}
	if want := []string{"uprobe.go+", "uretprobe.go+"}; !slices.Equal(got, want) {
		t.Errorf("registered %q, want %q", got, want)
	}
}

// TestClassicUretprobeBreaksGo is the evidence for uretprobe.go: a kernel
// uretprobe on main.work replaces its return address with the uretprobe
// trampoline's, and the Go runtime, walking the stack to copy it when
// recurse grows it, finds a return PC in no Go function and aborts.
func TestClassicUretprobeBreaksGo(t *testing.T) {
	testutil.RequireKernel(t)
	target := buildTarget(t, "")
	obj := loadProbes(t, map[int]string{0: "uretprobe"})
	link, err := obj.Program(probeName(0)).AttachUprobe(libbpf.UprobeOptions{Path: target, Symbol: "main.work", Retprobe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	_, err = runTarget(t, target, 20, 48)
	if err == nil {
		t.Fatal("the target survived a classic uretprobe on a function whose stack is copied")
	}
	t.Logf("target under a classic uretprobe: %s", firstLines(err.Error(), 3))
	if !strings.Contains(err.Error(), "unexpected return pc") && !strings.Contains(err.Error(), "unknown caller pc") {
		t.Errorf("the target failed, but not in the runtime's stack unwinder: %v", err)
	}
}

// TestEntryAtSymbolCountsGrowthTwice is the evidence for EntryOffset: a
// probe on main.recurse's first instruction also fires when
// runtime.morestack restarts recurse after growing the stack, so it counts
// more than the calls; uprobe.go's probe, past the stack check, counts
// them exactly (TestReturnProbeSurvivesStackCopies).
func TestEntryAtSymbolCountsGrowthTwice(t *testing.T) {
	testutil.RequireKernel(t)
	target := buildTarget(t, "")
	obj := loadProbes(t, map[int]string{0: "uprobe.multi"})
	off, err := SymbolOffset(target, "main.recurse")
	if err != nil {
		t.Fatal(err)
	}
	prog := obj.Program(probeName(0))
	var link *libbpf.Link
	if testutil.KernelHas(testutil.FeatureUprobeMulti) {
		link, err = prog.AttachUprobeMulti(libbpf.UprobeMultiOptions{Path: target, Offsets: []uint64{off}})
	} else {
		// Before 6.6: the same probe as a classic uprobe.
		link, err = prog.AttachUprobe(libbpf.UprobeOptions{Path: target, Offset: off})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	const n, depth = 50, 48
	res, err := runTarget(t, target, n, depth)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := counters(t, obj, 0)
	// Every call of work grows its stack at least once (res.moves == n),
	// each time inside recurse's stack check.
	if calls := uint64(n * (depth + 1)); got < calls+res.moves {
		t.Errorf("probe at the symbol: %d hits for %d calls and %d stack growths; want at least %d", got, calls, res.moves, calls+res.moves)
	} else {
		t.Logf("probe at the symbol: %d hits for %d calls (%d restarts after runtime.morestack)", got, calls, got-calls)
	}
}

// TestClassicUprobeFallback runs the stack-copy test with the fallback of
// kernels without uprobe_multi links forced: one classic uprobe per site,
// joined into one Link.
func TestClassicUprobeFallback(t *testing.T) {
	testutil.RequireKernel(t)
	register(t)
	probed := useClassicUprobes
	useClassicUprobes = func() bool { return true }
	t.Cleanup(func() { useClassicUprobes = probed })
	testStackCopies(t, buildTarget(t, ""))
}

// TestUprobeMultiProbe checks libbpf.ProbeUprobeMulti and the fallback it
// chooses against the kernel table.
func TestUprobeMultiProbe(t *testing.T) {
	testutil.RequireKernel(t)
	err := libbpf.ProbeUprobeMulti()
	if why, lacks := testutil.KernelLacks(testutil.FeatureUprobeMulti); lacks {
		if !errors.Is(err, libbpf.ErrNotSupported) {
			t.Errorf("ProbeUprobeMulti: %v, want ErrNotSupported (%s)", err, why)
		}
	} else if err != nil {
		t.Errorf("ProbeUprobeMulti: %v, want nil", err)
	}
	if got, want := useClassicUprobes(), !testutil.KernelHas(testutil.FeatureUprobeMulti); got != want {
		t.Errorf("classic uprobes chosen: %t, want %t", got, want)
	}
}
