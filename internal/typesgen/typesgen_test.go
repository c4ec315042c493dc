package typesgen

import (
	"slices"
	"testing"

	"github.com/golibbpf/libbpf/internal/genfile"
)

const root = "../.."

// TestTypesUpToDate fails when types_gen.go differs from what the generator
// writes for the pinned header: run go generate ./... (or go run
// ./internal/cmd/typesgen) and commit the result.
func TestTypesUpToDate(t *testing.T) {
	genfile.CheckUpToDate(t, root, Output, Generate)
}

func TestGoName(t *testing.T) {
	for c, want := range map[string]string{
		"SCHED_CLS":                      "SchedCLS",
		"CGROUP_UDP4_SENDMSG":            "CgroupUDP4SendMsg",
		"RAW_TRACEPOINT_WRITABLE":        "RawTracepointWritable",
		"XDP_CPUMAP":                     "XDPCPUMap",
		"PERCPU_CGROUP_STORAGE":          "PerCPUCgroupStorage",
		"XSKMAP":                         "Xskmap",
		"TRACE_UPROBE_MULTI":             "TraceUprobeMulti",
		"SK_REUSEPORT_SELECT_OR_MIGRATE": "SKReuseportSelectOrMigrate",
	} {
		if got := GoName(c); got != want {
			t.Errorf("GoName(%q) = %q, want %q", c, got, want)
		}
	}
}

// TestParseEnum checks C's enumerator values: implicit ones count on from
// the previous, an alias takes its target's value, and comments (which
// linux/bpf.h puts between enumerators) are no enumerators.
func TestParseEnum(t *testing.T) {
	header := []byte(`
enum other { X };
enum e {
	A,
	B = 5, /* five */
	C,
	// an alias
	D = B,
	E = 0x10,
	F
};`)
	got, err := ParseEnum(header, "e")
	if err != nil {
		t.Fatal(err)
	}
	want := []Enumerator{{"A", 0}, {"B", 5}, {"C", 6}, {"D", 5}, {"E", 16}, {"F", 17}}
	if !slices.Equal(got, want) {
		t.Errorf("ParseEnum = %v, want %v", got, want)
	}
	if _, err := ParseEnum(header, "missing"); err == nil {
		t.Error("ParseEnum of a missing enum succeeded")
	}
	if _, err := ParseEnum([]byte("enum e { A = B + 1 };"), "e"); err == nil {
		t.Error("ParseEnum of an expression it cannot evaluate succeeded")
	}
}
