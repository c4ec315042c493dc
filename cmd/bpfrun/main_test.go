package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// bpfrunBin is the statically linked binary TestMain builds; the tests
// drive it as a user would.
var bpfrunBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bpfrun-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bpfrunBin = filepath.Join(dir, "bpfrun")
	build := exec.Command("go", "build", "-ldflags", `-extldflags "-static"`, "-o", bpfrunBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building bpfrun: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

func runBin(t *testing.T, args ...string) result {
	t.Helper()
	var stdout bytes.Buffer
	r := runBinTo(t, &stdout, args...)
	r.stdout = stdout.String()
	return r
}

// runBinTo runs the binary with its standard output going to stdout.
func runBinTo(t *testing.T, stdout io.Writer, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bpfrunBin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	err := cmd.Run()
	r := result{stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("bpfrun %q: %v", args, err)
	}
	return r
}

// TestStaticBinary checks the binary needs no dynamic loader and no shared
// library.
func TestStaticBinary(t *testing.T) {
	f, err := elf.Open(bpfrunBin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bpfrun has a %v program header: not fully static", p.Type)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("bpfrun needs shared libraries %q", libs)
	}
	if f.Section(".interp") != nil {
		t.Error("bpfrun has an .interp section")
	}
}

func TestUsage(t *testing.T) {
	r := runBin(t)
	if r.code != 2 || !strings.Contains(r.stderr, "usage:") {
		t.Errorf("no arguments: exit %d, stderr %q; want 2 and the usage", r.code, r.stderr)
	}
	r = runBin(t, "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runBin(t, "run", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "-set") || !strings.Contains(r.stdout, "-duration") {
		t.Errorf("run -h: exit %d, stdout %q", r.code, r.stdout)
	}
}

// oneLineErr checks a failed run: non-zero exit and exactly one line on
// stderr containing every want.
func oneLineErr(t *testing.T, r result, want ...string) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("exit status 0, want non-zero; stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "bpfrun: ") {
		t.Errorf("stderr is not one bpfrun: line:\n%s", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
}

func TestBuiltinTable(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range builtinSections {
		if seen[b.Form] {
			t.Errorf("%q listed twice", b.Form)
		}
		seen[b.Form] = true
		for _, ex := range b.examples() {
			pt, at, err := libbpf.SectionDefinition(ex)
			if err != nil {
				t.Errorf("%s: libbpf does not know section %q: %v", b.Form, ex, err)
				continue
			}
			if pt != b.ProgType {
				t.Errorf("%s: SEC(%q) is %v in libbpf, the table says %v", b.Form, ex, pt, b.ProgType)
			}
			want := b.AttachType
			if !b.HasAttach {
				want = 0
			}
			if at != want {
				t.Errorf("%s: SEC(%q) has attach type %v in libbpf, the table says %v", b.Form, ex, at, want)
			}
			// The table's order is libbpf's: the first matching row is
			// this one.
			if got, ok := builtinFor(ex); !ok || got.Form != b.Form {
				t.Errorf("SEC(%q): the table's first match is %q, want %q", ex, got.Form, b.Form)
			}
		}
	}
	for _, sec := range []string{"brt_unknown", "kprobe.bogus", "xdp/eth0x/extra", "socket/x", "tc/other"} {
		if _, ok := builtinFor(sec); ok {
			if _, _, err := libbpf.SectionDefinition(sec); err != nil {
				t.Errorf("the table matches %q, libbpf does not: %v", sec, err)
			}
			continue
		}
		if _, _, err := libbpf.SectionDefinition(sec); err == nil {
			t.Errorf("libbpf knows %q, the table does not", sec)
		}
	}
}

func TestSections(t *testing.T) {
	r := runBin(t, "sections", "--output", "json")
	if r.code != 0 {
		t.Fatalf("sections: exit %d: %s", r.code, r.stderr)
	}
	var infos []SectionInfo
	if err := json.Unmarshal([]byte(r.stdout), &infos); err != nil {
		t.Fatalf("sections JSON: %v\n%s", err, r.stdout)
	}
	byForm := map[string]SectionInfo{}
	for _, s := range infos {
		byForm[s.Source+" "+s.Form] = s
		// Custom forms by their name: "uprobe.go/" and "uprobe.go+" alike.
		if s.Source == "custom" {
			byForm["custom "+strings.TrimRight(s.Form, "/+")] = s
		}
	}
	for _, want := range []SectionInfo{
		{Form: "kprobe+", Source: "libbpf", ProgType: "kprobe", AutoAttach: true},
		{Form: "xdp", Source: "libbpf", ProgType: "xdp", AttachType: "xdp", AutoAttach: false},
		{Form: "uprobe.go", Source: "custom", ProgType: "kprobe", AttachType: "trace_uprobe_multi", AutoAttach: true},
		{Form: "uretprobe.go", Source: "custom", ProgType: "kprobe", AttachType: "trace_uprobe_multi", AutoAttach: true},
		{Form: "perf_event", Source: "custom", ProgType: "perf_event", AttachType: "perf_event", AutoAttach: true},
	} {
		got, ok := byForm[want.Source+" "+want.Form]
		if !ok {
			t.Errorf("sections lack %s %q", want.Source, want.Form)
			continue
		}
		if got.ProgType != want.ProgType || got.AttachType != want.AttachType || got.AutoAttach != want.AutoAttach {
			t.Errorf("%s %q: got %+v, want %+v", want.Source, want.Form, got, want)
		}
	}
	if fb, ok := byForm["fallback *"]; !ok || fb.AutoAttach {
		t.Errorf("sections: fallback %+v (listed %t); want callbacks/legacy's, which does not auto-attach", fb, ok)
	}
	if pe := byForm["libbpf perf_event"]; pe.OverriddenBy == "" {
		t.Errorf("libbpf's perf_event is not marked as overridden by callbacks/perfevent: %+v", pe)
	}
	if len(infos) < len(builtinSections)+4 {
		t.Errorf("%d sections, want the %d built-in ones and the custom ones", len(infos), len(builtinSections))
	}

	r = runBin(t, "sections")
	if r.code != 0 || !strings.Contains(r.stdout, "SECTION") || !strings.Contains(r.stdout, "uprobe.go") ||
		!strings.Contains(r.stdout, "tracepoint+") {
		t.Errorf("sections text: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestInspect(t *testing.T) {
	testutil.RequireKernel(t) // opening runs the handlers' Setup; no load needed, but the same rights
	obj := testutil.Object(t, "testdata/inspect.bpf.o")
	r := runBin(t, "inspect", "--output", "json", obj)
	if r.code != 0 {
		t.Fatalf("inspect: exit %d: %s", r.code, r.stderr)
	}
	var out InspectOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("inspect JSON: %v\n%s", err, r.stdout)
	}
	want := map[string]struct {
		kind, form, progType string
		auto                 bool
	}{
		"brt_custom":      {"custom", "", "perf_event", true},
		"brt_custom_bare": {"custom", "perf_event+", "perf_event", false},
		"brt_devmap":      {"custom", "xdp/", "xdp", false},
		"brt_builtin":     {"builtin", "tracepoint+", "tracepoint", true},
		"brt_xdp_only":    {"builtin", "xdp", "xdp", false},
		"brt_legacy":      {"fallback", "", "sched_cls", false},
	}
	for _, p := range out.Programs {
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected program %s", p.Name)
			continue
		}
		delete(want, p.Name)
		if p.Handler.Kind != w.kind || (w.form != "" && p.Handler.Form != w.form) || p.ProgType != w.progType {
			t.Errorf("%s: handler %+v, type %s; want %s %q, type %s", p.Name, p.Handler, p.ProgType, w.kind, w.form, w.progType)
		}
		if p.Handler.AutoAttach != w.auto {
			t.Errorf("%s: auto_attach %v, want %v", p.Name, p.Handler.AutoAttach, w.auto)
		}
	}
	for name := range want {
		t.Errorf("program %s missing", name)
	}
	if len(out.Maps) != 1 || out.Maps[0].Name != "brt_counts" || out.Maps[0].Type != "hash" ||
		out.Maps[0].KeySize != 4 || out.Maps[0].ValueSize != 8 || out.Maps[0].MaxEntries != 8 ||
		out.Maps[0].KeyType != "__u32" {
		t.Errorf("maps: %+v", out.Maps)
	}

	// A section nothing knows: the legacy fallback rejects it at Open,
	// inspect shows it as "none".
	r = runBin(t, "inspect", "--output", "json", testutil.Object(t, "testdata/unknown.bpf.o"))
	if r.code != 0 {
		t.Fatalf("inspect unknown.bpf.o: exit %d: %s", r.code, r.stderr)
	}
	out = InspectOutput{}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	notes := map[string]string{}
	for _, p := range out.Programs {
		kinds[p.Name] = p.Handler.Kind
		notes[p.Name] = p.Handler.Note
	}
	if kinds["brt_known"] != "builtin" || kinds["brt_unknown"] != "none" || kinds["brt_unknown_too"] != "none" {
		t.Errorf("handlers: %v; want brt_known builtin, brt_unknown and brt_unknown_too none", kinds)
	}
	// Open stops at the first rejected program: only its note carries the
	// fallback's error, which names that program.
	if !strings.Contains(notes["brt_unknown"], "brt_bogus/section") {
		t.Errorf("brt_unknown note %q lacks its section", notes["brt_unknown"])
	}
	if n := notes["brt_unknown_too"]; n == "" || strings.Contains(n, "brt_bogus/section") {
		t.Errorf("brt_unknown_too note %q: want its own, not brt_unknown's error", n)
	}

	r = runBin(t, "inspect", obj)
	for _, w := range []string{"PROGRAM", "brt_legacy", "fallback", `custom "perf_event`, "brt_counts"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("inspect text lacks %q:\n%s", w, r.stdout)
		}
	}
	// A rejection's error is a footnote under the table.
	r = runBin(t, "inspect", testutil.Object(t, "testdata/unknown.bpf.o"))
	for _, w := range []string{"none [1]", "\n[1] brt_unknown: rejected: ", "brt_bogus/section"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("inspect text lacks %q:\n%s", w, r.stdout)
		}
	}
}

// TestLoadErrorLine: a rejected program's error line keeps the errno and
// the log line that says why; a program the kernel refused without a log
// (a program type it lacks) says so instead of pointing at -v.
func TestLoadErrorLine(t *testing.T) {
	rejected := &libbpf.LoadError{Program: "p", Err: errors.New("permission denied"),
		Log: "0: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'\nprocessed 7 insns (limit 1000000)\n"}
	refused := &libbpf.LoadError{Program: "p", Err: errors.New("operation not permitted")}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{rejected, "program p failed the verifier: permission denied: R0 invalid mem access 'map_value_or_null' (-v prints the verifier log)"},
		{logShown{rejected}, "program p failed the verifier: permission denied: R0 invalid mem access 'map_value_or_null' (verifier log above)"},
		{refused, "program p failed to load: operation not permitted (the kernel produced no verifier log)"},
	} {
		if got := oneLine(tc.err); got != tc.want {
			t.Errorf("oneLine(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
