package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// magic is the prctl option testdata/run.bpf.c counts once --set tells it.
// The tracepoint sees every process's prctl calls, so each test process has
// its own: a run of these tests in another process cannot add to the counts.
var magic = int64(0x62700000 | os.Getpid()&0xfffff)

// started is a bpfrun run in the background.
type started struct {
	cmd      *exec.Cmd
	stdout   bytes.Buffer
	mu       sync.Mutex
	stderr   bytes.Buffer
	attached chan struct{}
	done     chan struct{}
}

// start runs bpfrun and returns once it reports its programs attached.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	s := &started{cmd: exec.Command(bpfrunBin, args...), attached: make(chan struct{}), done: make(chan struct{})}
	s.cmd.Stdout = &s.stdout
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(pipe)
		once := sync.Once{}
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if strings.HasPrefix(sc.Text(), "bpfrun: attached ") {
				once.Do(func() { close(s.attached) })
			}
		}
	}()
	select {
	case <-s.attached:
	case <-s.done:
		s.cmd.Wait()
		t.Fatalf("bpfrun %q exited before attaching: %s", args, s.stderrText())
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("bpfrun %q did not attach in time: %s", args, s.stderrText())
	}
	return s
}

func (s *started) stderrText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// stop interrupts bpfrun as Ctrl-C does and waits for it.
func (s *started) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-s.done
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("bpfrun: %v\n%s", err, s.stderrText())
	}
}

// decode parses the JSON snapshot, numbers kept exact.
func decode(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var snap map[string]any
	if err := dec.Decode(&snap); err != nil {
		t.Fatalf("output is not one JSON document: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("output holds more than one JSON document:\n%s", out)
	}
	return snap
}

func find(list any, key, name string) map[string]any {
	for _, e := range list.([]any) {
		if m := e.(map[string]any); m[key] == name {
			return m
		}
	}
	return nil
}

func jsonInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// noLeftovers checks that no test program stays loaded and no test pin
// stays behind once bpfrun exited (the kernel frees programs shortly after
// their last fd closes).
func noLeftovers(t *testing.T) {
	t.Helper()
	var left []string
	for range 40 {
		out, err := exec.Command("bpftool", "prog", "show", "--json").Output()
		if err != nil {
			testutil.SkipOrFail(t, "bpftool prog show: %v", err)
		}
		var progs []struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(out, &progs); err != nil {
			t.Fatalf("bpftool output: %v", err)
		}
		left = left[:0]
		for _, p := range progs {
			if strings.HasPrefix(p.Name, "brt_") {
				left = append(left, p.Name)
			}
		}
		if len(left) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("programs still loaded after bpfrun exited: %v", left)
	}
	pins, _ := filepath.Glob("/sys/fs/bpf/brt_*")
	if len(pins) > 0 {
		t.Errorf("pins left behind: %v", pins)
	}
}

func TestRunJSON(t *testing.T) {
	testutil.RequireKernel(t)
	obj := testutil.Object(t, "testdata/run.bpf.o")
	statsBefore, _ := os.ReadFile("/proc/sys/kernel/bpf_stats_enabled")
	s := start(t, "run", "--output", "json", "--per-cpu", "--interval", "100ms",
		"--set", fmt.Sprintf("magic=%#x", magic), "--set", "tag=hello", "--set", "limits.max_records=3",
		"--set", "limits.bias=-7", obj)
	const calls = 100
	for range calls {
		unix.Prctl(int(magic), 0, 0, 0, 0) // EINVAL: the tracepoint sees it anyway
	}
	s.stop(t)
	snap := decode(t, s.stdout.String())

	if snap["final"] != true || snap["stats_enabled"] != true {
		t.Errorf("final %v, stats_enabled %v; want both true", snap["final"], snap["stats_enabled"])
	}
	globals := snap["globals"].(map[string]any)
	if got := jsonInt(t, globals["hits"]); got != calls {
		t.Errorf("globals.hits = %d, want %d", got, calls)
	}
	if got := jsonInt(t, globals["magic"]); got != magic {
		t.Errorf("globals.magic = %#x, want %#x", got, magic)
	}
	if globals["tag"] != "hello" || globals["enabled"] != true {
		t.Errorf("globals tag %v, enabled %v; want hello, true", globals["tag"], globals["enabled"])
	}
	if lim := globals["limits"].(map[string]any); jsonInt(t, lim["max_records"]) != 3 || jsonInt(t, lim["bias"]) != -7 {
		t.Errorf("globals.limits = %v, want max_records 3, bias -7", lim)
	}

	progs := snap["programs"]
	prctl := find(progs, "name", "brt_prctl")
	if prctl == nil || prctl["attached"] != true || jsonInt(t, prctl["run_count"]) < calls ||
		jsonInt(t, prctl["run_time_ns"]) <= 0 || jsonInt(t, prctl["avg_run_time_ns"]) <= 0 {
		t.Errorf("brt_prctl: %v; want attached, run_count >= %d, run times > 0", prctl, calls)
	}
	if h := prctl["handler"].(map[string]any); h["kind"] != "builtin" || h["form"] != "tracepoint+" {
		t.Errorf("brt_prctl handler %v, want builtin tracepoint+", h)
	}
	sample := find(progs, "name", "brt_sample")
	if sample == nil || sample["attached"] != true || sample["handler"].(map[string]any)["kind"] != "custom" {
		t.Errorf("brt_sample: %v; want attached through the custom perf_event handler", sample)
	}
	for name, why := range map[string]string{"brt_xdp": "no auto-attach", "brt_uprobe": "names no target"} {
		p := find(progs, "name", name)
		if p == nil || p["attached"] != false || p["loaded"] != true || !strings.Contains(p["state"].(string), why) {
			t.Errorf("%s: %v; want loaded, not attached, state mentioning %q", name, p, why)
		}
	}

	maps := snap["maps"]
	byOpt := find(maps, "name", "by_option")
	entries := byOpt["entries"].([]any)
	if len(entries) != 1 {
		t.Fatalf("by_option entries %v, want one", entries)
	}
	e := entries[0].(map[string]any)
	cpus, err := libbpf.PossibleCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if jsonInt(t, e["key"]) != magic || jsonInt(t, e["value"]) != calls || len(e["per_cpu"].([]any)) != cpus {
		t.Errorf("by_option entry %v; want key %#x, value %d summed over %d CPUs", e, magic, calls, cpus)
	}
	last := find(maps, "name", "last")
	entries = last["entries"].([]any)
	if len(entries) != 1 || jsonInt(t, last["count"]) != 1 {
		t.Fatalf("last: %v; want only the one non-zero element", last)
	}
	e = entries[0].(map[string]any)
	v := e["value"].(map[string]any)
	if jsonInt(t, e["key"]) != 1 || jsonInt(t, v["count"]) != calls || v["tag"] != "hello" {
		t.Errorf("last[1] = %v, want key 1, {count %d, tag hello}", e, calls)
	}

	rb := find(snap["ring_buffers"], "map", "records")
	if rb == nil || rb["record_type"] != "struct rec" || jsonInt(t, rb["records"]) != 3 {
		t.Fatalf("ring buffer: %v; want 3 records of struct rec", rb)
	}
	for i, r := range rb["last"].([]any) {
		rec := r.(map[string]any)["value"].(map[string]any)
		if jsonInt(t, rec["seq"]) != int64(i) || jsonInt(t, rec["bias"]) != -7 || rec["tag"] != "hello" {
			t.Errorf("record %d = %v, want seq %d, bias -7, tag hello", i, rec, i)
		}
	}
	noLeftovers(t)
	// bpfrun's stats fd is closed with the process. Another package's test
	// may hold stats on for a moment, so allow the setting time to settle.
	var statsAfter []byte
	for range 60 {
		if statsAfter, _ = os.ReadFile("/proc/sys/kernel/bpf_stats_enabled"); bytes.Equal(statsBefore, statsAfter) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !bytes.Equal(statsBefore, statsAfter) {
		t.Errorf("kernel.bpf_stats_enabled was %q before bpfrun, %q after", statsBefore, statsAfter)
	}
}

// TestRunRecordLongerThanType: a record type shorter than the records
// decodes their start; the bytes past it come as "rest".
func TestRunRecordLongerThanType(t *testing.T) {
	testutil.RequireKernel(t)
	s := start(t, "run", "--output", "json", "--record", "records=__u64", "--set", fmt.Sprintf("magic=%#x", magic),
		"--set", "tag=hello", "--set", "limits.max_records=1", "--set", "limits.bias=-7",
		testutil.Object(t, "testdata/run.bpf.o"))
	unix.Prctl(int(magic), 0, 0, 0, 0)
	s.stop(t)
	rb := find(decode(t, s.stdout.String())["ring_buffers"], "map", "records")
	if rb == nil || rb["record_type"] != "__u64" || jsonInt(t, rb["records"]) != 1 {
		t.Fatalf("ring buffer: %v; want 1 record read as __u64", rb)
	}
	rec := rb["last"].([]any)[0].(map[string]any)
	// struct rec after seq: bias -7, then tag "hello".
	if jsonInt(t, rec["value"]) != 0 || !strings.HasPrefix(rec["rest"].(string), "f9ffffff68656c6c6f") {
		t.Errorf("record %v; want value 0 (seq) and rest starting with bias -7 and tag hello", rec)
	}
	noLeftovers(t)
}

func TestRunText(t *testing.T) {
	testutil.RequireKernel(t)
	r := runBin(t, "run", "--duration", "1200ms", "--interval", "300ms", "--set", "magic=7",
		testutil.Object(t, "testdata/run.bpf.o"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "· running ·"); n < 2 {
		t.Errorf("%d interval blocks, want at least 2 (one per interval when not on a terminal):\n%s", n, r.stdout)
	}
	if strings.Count(r.stdout, "· final ·") != 1 || strings.Contains(r.stdout, "\033[") {
		t.Errorf("want one final block and no terminal escapes:\n%s", r.stdout)
	}
	for _, w := range []string{"brt_prctl", "tracepoint/syscalls/sys_enter_prctl", "attached", "map by_option",
		"magic = 7", `tag = "none"`, "ring buffer records (struct rec)", "map records: ringbuf, 16,384 bytes (ring buffer"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("text view lacks %q:\n%s", w, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "bpfrun: attached 2 of 4 programs") {
		t.Errorf("stderr %q lacks the attach summary", r.stderr)
	}
	noLeftovers(t)
}

// noBTFObject compiles testdata/<name>.c without -g: an object with no BTF.
func noBTFObject(t *testing.T, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name+".o")
	cmd := exec.Command("clang-19", "-O2", "-target", "bpf", "-c", "testdata/"+name+".c", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		testutil.SkipOrFail(t, "clang-19 cannot build the object without BTF: %v\n%s", err, msg)
	}
	return out
}

func TestRunWithoutBTF(t *testing.T) {
	testutil.RequireKernel(t)
	obj := noBTFObject(t, "nobtf")
	r := runBin(t, "run", "--duration", "300ms", "--output", "json", obj)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	snap := decode(t, r.stdout)
	if p := find(snap["programs"], "name", "brt_nobtf"); p == nil || p["attached"] != true {
		t.Errorf("brt_nobtf: %v, want attached", p)
	}
	// The text view shows the data section it cannot decode as raw bytes.
	r = runBin(t, "run", "--duration", "100ms", obj)
	if r.code != 0 || !strings.Contains(r.stdout, "nobtf.data = 0x2a000000  (no BTF: raw bytes)") {
		t.Errorf("exit %d, text view without the raw .data:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	noLeftovers(t)
}

func TestRunRemovesItsPins(t *testing.T) {
	testutil.RequireKernel(t)
	s := start(t, "run", "--output", "json", testutil.Object(t, "testdata/pinned.bpf.o"))
	if _, err := os.Stat("/sys/fs/bpf/brt_pin_ok"); err != nil {
		t.Errorf("while running, the map is not pinned: %v", err)
	}
	s.stop(t)
	noLeftovers(t)
}

// TestRunStopsOnHangup: SIGHUP (a closed terminal) stops a run like Ctrl-C,
// with everything detached and unpinned.
func TestRunStopsOnHangup(t *testing.T) {
	testutil.RequireKernel(t)
	s := start(t, "run", "--output", "json", testutil.Object(t, "testdata/pinned.bpf.o"))
	if err := s.cmd.Process.Signal(unix.SIGHUP); err != nil {
		t.Fatal(err)
	}
	<-s.done
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("bpfrun after SIGHUP: %v\n%s", err, s.stderrText())
	}
	decode(t, s.stdout.String())
	noLeftovers(t)
}

// TestRunClosedOutput: when nothing reads the view any more (`| head -1`),
// bpfrun is not killed by SIGPIPE: it says so, exits 1, and cleans up.
func TestRunClosedOutput(t *testing.T) {
	testutil.RequireKernel(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	res := runBinTo(t, w, "run", "--interval", "50ms", "--duration", "20s", testutil.Object(t, "testdata/pinned.bpf.o"))
	lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if res.code != 1 || !strings.HasPrefix(last, "bpfrun: write the view: ") || !strings.HasSuffix(last, "broken pipe") {
		t.Errorf("exit status %d, stderr:\n%s\nwant 1 and a last line saying the view's write failed", res.code, res.stderr)
	}
	noLeftovers(t)
}

// TestVerboseVerifierLog: with -v the verifier log comes first and the
// error line points at it.
func TestVerboseVerifierLog(t *testing.T) {
	testutil.RequireKernel(t)
	res := runBin(t, "run", "-v", testutil.Object(t, "testdata/bad.bpf.o"))
	lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if res.code != 1 || !strings.Contains(res.stderr, "verifier log of brt_bad:") ||
		!strings.HasPrefix(last, "bpfrun: program brt_bad failed the verifier") || !strings.HasSuffix(last, "(verifier log above)") {
		t.Errorf("exit status %d, stderr:\n%s", res.code, res.stderr)
	}
	noLeftovers(t)
}

func TestBadInput(t *testing.T) {
	testutil.RequireKernel(t)
	run := testutil.Object(t, "testdata/run.bpf.o")
	tools := testutil.Object(t, "testdata/tools.bpf.o")
	notELF := "testdata/nobtf.c"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"run", "testdata/missing.bpf.o"}, []string{"testdata/missing.bpf.o: no such file"}},
		{"not ELF", []string{"run", notELF}, []string{notELF, "is not an ELF file"}},
		{"not BPF", []string{"run", bpfrunBin}, []string{"not a BPF object"}},
		{"inspect missing file", []string{"inspect", "testdata/missing.bpf.o"}, []string{"no such file"}},
		{"no BTF for --set", []string{"run", "--set", "x=1", noBTFObject(t, "nobtf")}, []string{"no usable BTF", "--set"}},
		{"no BTF for its maps", []string{"run", noBTFObject(t, "nobtf_maps")}, []string{"has no BTF", "compile with clang -g"}},
		{"inspect no BTF for its maps", []string{"inspect", noBTFObject(t, "nobtf_maps")}, []string{"has no BTF"}},
		{"unknown variable", []string{"run", "--set", "nope=1", run}, []string{`no global variable "nope"`, "magic"}},
		{"unknown member", []string{"run", "--set", "limits.nope=1", run}, []string{`limits (struct limits) has no member "nope"`}},
		{"member of a number", []string{"run", "--set", "magic.x=1", run}, []string{`magic is`, `not a struct: it has no member "x"`}},
		{"unparsable integer", []string{"run", "--set", "magic=xyz", run}, []string{`invalid value "xyz"`, "unsigned 64-bit"}},
		{"negative unsigned", []string{"run", "--set", "magic=-1", run}, []string{`invalid value "-1"`}},
		{"out of range", []string{"run", "--set", "limits.bias=3000000000", run}, []string{"out of range"}},
		{"unparsable bool", []string{"run", "--set", "enabled=maybe", run}, []string{`invalid value "maybe"`, "true or false"}},
		{"string too long", []string{"run", "--set", "tag=much-too-long", run}, []string{"does not fit"}},
		{"--set without =", []string{"run", "--set", "magic", run}, []string{"NAME=VALUE"}},
		{"unknown ring buffer", []string{"run", "--record", "nope=rec", run}, []string{`no ring buffer or perf event array map "nope"`, "records"}},
		{"unknown program to disable", []string{"run", "--disable", "nope", tools}, []string{`--disable nope: no program "nope"`, "brt_twin_raw"}},
		{"--disable with =", []string{"run", "--disable", "a=b", tools}, []string{"want a program name"}},
		{"unknown map to size", []string{"run", "--map-size", "nope=1", tools}, []string{`--map-size nope=1: no map "nope"`, "counts"}},
		{"map size 0", []string{"run", "--map-size", "counts=0", tools}, []string{"--map-size counts=0", "from 1 to 4294967295"}},
		{"unparsable map size", []string{"run", "--map-size", "counts=many", tools}, []string{`got "many"`}},
		{"map size of a data section", []string{"run", "--map-size", "tools.bss=2", tools}, []string{"global-data section"}},
		{"unknown record type", []string{"run", "--record", "records=struct nope", run}, []string{`no type "struct nope"`}},
		{"verifier", []string{"run", testutil.Object(t, "testdata/bad.bpf.o")},
			[]string{"brt_bad failed the verifier", "invalid mem access"}},
		{"unknown section", []string{"run", testutil.Object(t, "testdata/unknown.bpf.o")},
			[]string{"brt_bogus/section"}},
		{"bad interval", []string{"run", "--interval", "0s", run}, []string{"--interval"}},
		{"bad max-entries", []string{"run", "--max-entries", "-5", run}, []string{"--max-entries"}},
		{"bad last", []string{"run", "--last", "-1", run}, []string{"--last"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oneLineErr(t, runBin(t, tc.args...), tc.want...)
		})
	}
	noLeftovers(t)
}
