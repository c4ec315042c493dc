package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// toolArgs are the flags every run of testdata/tools.bpf.o takes: the magic
// prctl option its tracepoint counts, this process for the twins, and its
// program whose target does not exist turned off.
func toolArgs(extra ...string) []string {
	args := []string{"run", "--output", "json", "--interval", "100ms", "--disable", "brt_unattachable",
		"--set", fmt.Sprintf("magic=%#x", magic), "--set", fmt.Sprintf("target_tgid=%d", os.Getpid()),
		"--set", fmt.Sprintf("prctl_nr=%d", unix.SYS_PRCTL)}
	return append(args, extra...)
}

// runAttaches runs bpfrun briefly with args and checks that it succeeds
// with program prog attached.
func runAttaches(t *testing.T, prog string, args ...string) {
	t.Helper()
	r := runBin(t, append([]string{"run", "--duration", "200ms", "--output", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("bpfrun run %q: exit %d: %s", args, r.code, r.stderr)
	}
	if p := find(decode(t, r.stdout)["programs"], "name", prog); p["attached"] != true {
		t.Errorf("bpfrun run %q: %s: %v, want attached", args, prog, p)
	}
}

// runTool runs bpfrun on testdata/tools.bpf.o, makes calls prctl calls with
// the magic option, stops it and returns the final snapshot.
func runTool(t *testing.T, calls int, extra ...string) map[string]any {
	t.Helper()
	s := start(t, append(toolArgs(extra...), testutil.Object(t, "testdata/tools.bpf.o"))...)
	for range calls {
		unix.Prctl(int(magic), 0, 0, 0, 0) // EINVAL: the tracepoints see it anyway
	}
	s.stop(t)
	return decode(t, s.stdout.String())
}

// TestRunPerfEventArray: a perf event array's records are read, decoded
// and shown as a ring buffer's are; the map itself is a note.
func TestRunPerfEventArray(t *testing.T) {
	testutil.RequireKernel(t)
	const calls = 50
	snap := runTool(t, calls, "--disable", "brt_twin_raw")
	ev := find(snap["ring_buffers"], "map", "events")
	if ev == nil || ev["type"] != "perf_event_array" || ev["record_type"] != "struct event" ||
		jsonInt(t, ev["records"]) != calls || ev["lost"] != nil {
		t.Fatalf("perf event array events: %v; want %d records of struct event, none lost", ev, calls)
	}
	last := ev["last"].([]any)
	if len(last) != 5 {
		t.Fatalf("last records %v, want the last 5", last)
	}
	for i, r := range last {
		rec := r.(map[string]any)
		v := rec["value"].(map[string]any)
		// 32 bytes: the kernel's padding to 8 (with the size field) is
		// not part of the record.
		if jsonInt(t, rec["size"]) != 32 || rec["rest"] != nil || jsonInt(t, v["seq"]) != int64(calls-4+i) ||
			jsonInt(t, v["tgid"]) != int64(os.Getpid()) || v["comm"] == "" {
			t.Errorf("record %d = %v; want size 32, seq %d, tgid %d, a comm", i, rec, calls-4+i, os.Getpid())
		}
	}
	// A record shorter than its type, cut inside the type's last member
	// (an array), decodes: its tail was sent only as far as it is used.
	tails := find(snap["ring_buffers"], "map", "tails")
	if tails == nil || tails["type"] != "ringbuf" || jsonInt(t, tails["records"]) != calls {
		t.Fatalf("ring buffer tails: %v; want %d records", tails, calls)
	}
	for _, r := range tails["last"].([]any) {
		rec := r.(map[string]any)
		v, ok := rec["value"].(map[string]any)
		if !ok || jsonInt(t, rec["size"]) != 10 || jsonInt(t, v["len"]) != 5 || v["data"] != "hello" {
			t.Errorf("tails record %v; want 10 bytes decoded as {len 5, data hello}", rec)
		}
	}
	m := find(snap["maps"], "name", "events")
	cpus, err := libbpf.PossibleCPUs()
	if err != nil {
		t.Fatal(err)
	}
	// max_entries 0 in the object: libbpf sizes perf event arrays to the
	// CPU count, bpfrun leaves them alone.
	if m == nil || !strings.Contains(m["note"].(string), "under ring_buffers") || m["error"] != nil ||
		m["sizing"] != nil || jsonInt(t, m["max_entries"]) != int64(cpus) {
		t.Errorf("map events: %v; want a note pointing at ring_buffers and %d entries", m, cpus)
	}

	// The text view shows them as a ring buffer's.
	s := start(t, append(toolArgs("--output", "text"), testutil.Object(t, "testdata/tools.bpf.o"))...)
	unix.Prctl(int(magic), 0, 0, 0, 0)
	s.stop(t)
	out := s.stdout.String()
	for _, w := range []string{"perf event array events (struct event): 1 record, the last 1:", "{seq=1 tgid="} {
		if !strings.Contains(out, w) {
			t.Errorf("text view lacks %q:\n%s", w, out)
		}
	}
	noLeftovers(t)
}

// TestRunDisable: --disable turns a twin's autoload off, so that an event
// counts once; without it both twins count. A program the machine cannot
// attach ends the run unless it is disabled.
func TestRunDisable(t *testing.T) {
	testutil.RequireKernel(t)
	const calls = 30
	for _, tc := range []struct {
		args  []string
		hits  int64
		twins map[string]bool // loaded
	}{
		{[]string{"--disable", "brt_twin_raw"}, calls, map[string]bool{"brt_twin_btf": true, "brt_twin_raw": false}},
		{[]string{"--disable", "brt_twin_btf"}, calls, map[string]bool{"brt_twin_btf": false, "brt_twin_raw": true}},
		{nil, 2 * calls, map[string]bool{"brt_twin_btf": true, "brt_twin_raw": true}},
	} {
		snap := runTool(t, calls, tc.args...)
		if got := jsonInt(t, snap["globals"].(map[string]any)["twin_hits"]); got != tc.hits {
			t.Errorf("%v: twin_hits = %d, want %d", tc.args, got, tc.hits)
		}
		for name, loaded := range tc.twins {
			p := find(snap["programs"], "name", name)
			if p["loaded"] != loaded || p["attached"] != loaded ||
				(!loaded && p["state"] != "not loaded (autoload off)") {
				t.Errorf("%v: %s: %v; want loaded and attached %v", tc.args, name, p, loaded)
			}
		}
		if p := find(snap["programs"], "name", "brt_unattachable"); p["loaded"] != false || p["state"] != "not loaded (autoload off)" {
			t.Errorf("brt_unattachable: %v; want not loaded (autoload off)", p)
		}
	}

	// Without --disable, the program whose binary does not exist fails
	// the attach, and the error names it and the way out.
	r := runBin(t, "run", "--duration", "100ms", testutil.Object(t, "testdata/tools.bpf.o"))
	oneLineErr(t, r, "brt_unattachable", "no such file or directory", "; --disable brt_unattachable skips it")
	noLeftovers(t)
}

// TestRunMapSize: a map whose max_entries is 0 in the object gets a
// default and a note; --map-size sets it instead.
func TestRunMapSize(t *testing.T) {
	testutil.RequireKernel(t)
	// The object leaves it 0, as tools that size it at run time do.
	r := runBin(t, "inspect", "--output", "json", testutil.Object(t, "testdata/tools.bpf.o"))
	var out InspectOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("inspect: %v\n%s%s", err, r.stdout, r.stderr)
	}
	sizing := map[string]string{}
	for _, m := range out.Maps {
		if m.Name == "counts" && m.MaxEntries != 0 {
			t.Fatalf("counts has max_entries %d in the object, want 0", m.MaxEntries)
		}
		sizing[m.Name] = m.Sizing
	}
	// inspect says what run will do.
	if !strings.Contains(sizing["counts"], "bpfrun run makes it 10240 entries") ||
		!strings.Contains(sizing["stacks"], "value_size 0") || sizing["events"] != "" || sizing["cgroups"] != "" {
		t.Errorf("inspect sizing notes %q; want counts and stacks sized, the perf event array left to libbpf", sizing)
	}

	const calls = 3
	snap := runTool(t, calls, "--disable", "brt_twin_raw")
	m := find(snap["maps"], "name", "counts")
	entries := m["entries"].([]any)
	if jsonInt(t, m["max_entries"]) != 10240 || !strings.Contains(m["sizing"].(string), "max_entries 0") ||
		!strings.Contains(m["sizing"].(string), "--map-size counts=N") || len(entries) != 1 ||
		jsonInt(t, entries[0].(map[string]any)["value"]) != calls {
		t.Errorf("counts: %v; want 10240 entries with a note saying why, one element of %d", m, calls)
	}

	// A stack trace map that leaves both value_size and max_entries 0
	// gets 127 frames and 10240 entries.
	st := find(snap["maps"], "name", "stacks")
	if jsonInt(t, st["value_size"]) != 127*8 || jsonInt(t, st["max_entries"]) != 10240 ||
		!strings.Contains(st["sizing"].(string), "value_size 0") || st["error"] != nil {
		t.Errorf("stacks: %v; want 1016-byte values, 10240 entries, a note, no error", st)
	}

	snap = runTool(t, calls, "--disable", "brt_twin_raw", "--map-size", "counts=64")
	m = find(snap["maps"], "name", "counts")
	if jsonInt(t, m["max_entries"]) != 64 || m["sizing"] != nil || len(m["entries"].([]any)) != 1 {
		t.Errorf("counts with --map-size counts=64: %v; want 64 entries, no note, one element", m)
	}
	noLeftovers(t)
}

// TestRunUnreadableMaps: a cgroup array, which the kernel cannot look up
// from user space (ENOTSUPP), is a note and not an error.
func TestRunUnreadableMaps(t *testing.T) {
	testutil.RequireKernel(t)
	snap := runTool(t, 0, "--disable", "brt_twin_raw")
	m := find(snap["maps"], "name", "cgroups")
	if m == nil || m["note"] != notReadable || m["error"] != nil {
		t.Errorf("map cgroups: %v; want the note %q and no error", m, notReadable)
	}
	noLeftovers(t)
}

// TestBareSections: inspect and run agree that SEC("uprobe"),
// SEC("uretprobe") and SEC("usdt") do not auto-attach (they name no
// target), while a uprobe section with a target does.
func TestBareSections(t *testing.T) {
	testutil.RequireKernel(t)
	obj := testutil.Object(t, "testdata/tools.bpf.o")
	r := runBin(t, "inspect", "--output", "json", obj)
	var out InspectOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("inspect: %v\n%s%s", err, r.stdout, r.stderr)
	}
	inspected := map[string]HandlerInfo{}
	for _, p := range out.Programs {
		inspected[p.Name] = p.Handler
	}
	snap := runTool(t, 0, "--disable", "brt_twin_raw")
	for name, auto := range map[string]bool{"brt_bare_uprobe": false, "brt_bare_uretprobe": false,
		"brt_bare_usdt": false, "brt_unattachable": true, "brt_tool_prctl": true} {
		h := inspected[name]
		if h.AutoAttach != auto || (!auto && h.Note != noTargetNote) {
			t.Errorf("inspect %s: handler %+v, want auto_attach %v", name, h, auto)
		}
		p := find(snap["programs"], "name", name)
		ph := p["handler"].(map[string]any)
		if ph["auto_attach"] != auto {
			t.Errorf("run %s: handler %v, want auto_attach %v as inspect says", name, ph, auto)
		}
		if !auto && (p["loaded"] != true || p["attached"] != false || !strings.Contains(p["state"].(string), "names no target")) {
			t.Errorf("run %s: %v; want loaded, not attached: names no target", name, p)
		}
	}
	r = runBin(t, "inspect", obj)
	if !strings.Contains(r.stdout, `builtin "usdt+" (names no target)`) {
		t.Errorf("inspect text lacks the usdt note:\n%s", r.stdout)
	}
	noLeftovers(t)
}

// TestRefusedWithoutLog: a program the kernel refuses with EPERM before
// the verifier runs gets a line saying so, not a pointer to -v.
func TestRefusedWithoutLog(t *testing.T) {
	testutil.RequireKernel(t)
	obj := testutil.Object(t, "testdata/eperm.bpf.o")
	if _, lacks := testutil.KernelLacks(testutil.FeatureTrampoline); !lacks {
		// This kernel has trampolines: the object loads and attaches.
		runAttaches(t, "brt_eperm", obj)
		return
	}
	const want = `bpfrun: program brt_eperm (SEC "fentry/do_nanosleep", type tracing): the kernel refused the program type (EPERM) without a verifier log`
	r := runBin(t, "run", "--duration", "100ms", obj)
	oneLineErr(t, r, want, "--disable brt_eperm")
	// With -v, libbpf's log comes first; the last line is the same, and
	// no verifier log is printed, there being none.
	r = runBin(t, "run", "-v", "--duration", "100ms", obj)
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if last := lines[len(lines)-1]; r.code != 1 || !strings.HasPrefix(last, want) || strings.Contains(r.stderr, "verifier log of") {
		t.Errorf("-v: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	noLeftovers(t)
}

// TestRefusedErrorText: a refusal with another errno names it.
func TestRefusedErrorText(t *testing.T) {
	err := fmt.Errorf("load x: %w", &refusedError{load: &libbpf.LoadError{Program: "p", Err: unix.E2BIG},
		section: "xdp", progType: libbpf.ProgTypeXDP})
	want := `program p (SEC "xdp", type xdp): the kernel refused it (argument list too long) without a verifier log; --disable p loads the rest`
	if got := oneLine(err); got != want {
		t.Errorf("oneLine = %q, want %q", got, want)
	}
	if !errors.Is(err, unix.E2BIG) {
		t.Errorf("%v does not wrap its errno", err)
	}
}

// TestLoadFailureNamesProgram: a program libbpf cannot prepare (an fentry
// target the kernel's BTF lacks, as tools ship them with a dummy name) is
// named, with libbpf's reason, instead of the bare "no such process".
func TestLoadFailureNamesProgram(t *testing.T) {
	testutil.RequireKernel(t)
	obj := testutil.Object(t, "testdata/notarget.bpf.o")
	r := runBin(t, "run", "--duration", "100ms", obj)
	oneLineErr(t, r, `program brt_missing_fn (SEC "fentry/brt_no_such_function"): failed to find kernel BTF type ID of 'brt_no_such_function'`,
		"--disable brt_missing_fn loads the rest", "no such process")
	runAttaches(t, "brt_fine", "--disable", "brt_missing_fn", obj)
	noLeftovers(t)
}
