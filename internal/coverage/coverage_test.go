package coverage

import (
	"slices"
	"testing"

	"github.com/golibbpf/libbpf/internal/genfile"
)

const root = "../.."

// TestCoverageUpToDate fails when docs/COVERAGE.md differs from what the
// generator writes for the current source: run go generate ./... (or go run
// ./internal/cmd/coverage) and commit the result.
func TestCoverageUpToDate(t *testing.T) {
	genfile.CheckUpToDate(t, root, "docs/COVERAGE.md", Generate)
}

func TestReadMap(t *testing.T) {
	version, path, err := LibbpfMap(root)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := ReadMap(path)
	if err != nil {
		t.Fatal(err)
	}
	if version == "1.7.0" && len(syms) != 356 {
		t.Errorf("libbpf 1.7.0's libbpf.map has %d global symbols, want 356", len(syms))
	}
	first := Symbol{"bpf_btf_get_fd_by_id", "LIBBPF_0.0.1"}
	if syms[0] != first {
		t.Errorf("first symbol %+v, want %+v", syms[0], first)
	}
	names := map[string]bool{}
	for _, s := range syms {
		names[s.Name] = true
	}
	for name := range Reasons {
		if !names[name] {
			t.Errorf("reasons.go names %s, which libbpf.map does not export", name)
		}
	}
}

// analyze runs Analyze on the module's root package.
func analyze(t *testing.T) ([]Symbol, *Analysis) {
	t.Helper()
	_, path, err := LibbpfMap(root)
	if err != nil {
		t.Fatal(err)
	}
	syms, err := ReadMap(path)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range syms {
		names[s.Name] = true
	}
	a, err := Analyze(root, names)
	if err != nil {
		t.Fatal(err)
	}
	return syms, a
}

// TestAnalyze checks the reachability analysis on what it must see: a
// direct C call, a call through an unexported wrapper passed as a value, a
// C helper of a cgo preamble, one of handler_cgo.c, a call through the
// initializer of a package-level variable (sync.OnceValues(f)), and a
// parameter named like a wrapper that is not a call of it.
func TestAnalyze(t *testing.T) {
	_, a := analyze(t)
	reach := a.Reach
	for sym, api := range map[string]string{
		"btf__new":                 "NewBTFFromBytes",
		"btf__load_into_kernel":    "(*BTF).LoadIntoKernel",
		"btf_dump__new":            "NewBTFDump",
		"bpf_object__open_file":    "OpenObjectFile",
		"bpf_linker__finalize":     "(*Linker).Finalize",
		"bpf_program__set_insns":   "(*Program).SetInsns",
		"libbpf_num_possible_cpus": "PossibleCPUs",
	} {
		if !slices.Contains(reach[sym], api) {
			t.Errorf("%s is reached by %q, want %s among them", sym, reach[sym], api)
		}
	}
	if slices.Contains(reach["bpf_map__fd"], "(*Program).BindMap") {
		t.Error("bpf_map__fd is attributed to (*Program).BindMap, whose parameter is only named mapFD")
	}
}

// TestCheck checks that the tables fail on what they must not hold: a twin
// whose Go API does not exist, a twin of a function the package calls, a
// quoted Go name or libbpf name that does not exist.
func TestCheck(t *testing.T) {
	syms, a := analyze(t)
	if err := Check(syms, a, Twins, Reasons); err != nil {
		t.Fatalf("the module's own tables: %v", err)
	}
	for name, tc := range map[string]struct {
		twins   map[string]Twin
		reasons map[string]string
	}{
		"missing API":       {twins: map[string]Twin{"ring__size": {[]string{"(*Ring).Sizes"}, "x"}}},
		"called anyway":     {twins: map[string]Twin{"bpf_object__open_file": {[]string{"OpenObjectFile"}, "x"}}},
		"twin and reason":   {twins: map[string]Twin{"ring__size": {[]string{"(*Ring).Size"}, "x"}}, reasons: map[string]string{"ring__size": "y"}},
		"not libbpf":        {twins: map[string]Twin{"ring__sizes": {[]string{"(*Ring).Size"}, "x"}}},
		"quoted Go name":    {reasons: map[string]string{"btf_ext__new": "see `NoSuchFunc`"}},
		"quoted libbpf":     {reasons: map[string]string{"btf_ext__new": "see `btf_ext__no_such`"}},
		"reason not libbpf": {reasons: map[string]string{"no_such_fn": "y"}},
	} {
		if err := Check(syms, a, tc.twins, tc.reasons); err == nil {
			t.Errorf("%s: Check passed %v %v", name, tc.twins, tc.reasons)
		}
	}
}
