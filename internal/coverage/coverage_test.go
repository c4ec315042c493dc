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

// TestAnalyze checks the reachability analysis on what it must see: a
// direct C call, a call through an unexported wrapper passed as a value, a
// C helper of a cgo preamble, one of handler_cgo.c, and a parameter named
// like a wrapper that is not a call of it.
func TestAnalyze(t *testing.T) {
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
	reach, err := Analyze(root, names)
	if err != nil {
		t.Fatal(err)
	}
	for sym, api := range map[string]string{
		"btf__new":               "NewBTFFromBytes",
		"btf__load_into_kernel":  "(*BTF).LoadIntoKernel",
		"btf_dump__new":          "NewBTFDump",
		"bpf_object__open_file":  "OpenObjectFile",
		"bpf_linker__finalize":   "(*Linker).Finalize",
		"bpf_program__set_insns": "(*Program).SetInsns",
	} {
		if !slices.Contains(reach[sym], api) {
			t.Errorf("%s is reached by %q, want %s among them", sym, reach[sym], api)
		}
	}
	if slices.Contains(reach["bpf_map__fd"], "(*Program).BindMap") {
		t.Error("bpf_map__fd is attributed to (*Program).BindMap, whose parameter is only named mapFD")
	}
}
