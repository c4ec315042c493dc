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

// TestHelpersUpToDate does the same for helpers_gen.go.
func TestHelpersUpToDate(t *testing.T) {
	genfile.CheckUpToDate(t, root, HelpersOutput, GenerateHelpers)
}

func TestParseHelpers(t *testing.T) {
	got, err := ParseHelpers([]byte("#define ___BPF_FUNC_MAPPER(FN, ctx...)\\\n\tFN(unspec, 0, ##ctx)\t\\\n\tFN(map_lookup_elem, 1, ##ctx)\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Helper{{"unspec", 0}, {"map_lookup_elem", 1}}; !slices.Equal(got, want) {
		t.Errorf("ParseHelpers = %v, want %v", got, want)
	}
	if _, err := ParseHelpers([]byte("\tFN(unspec, 0, ##ctx)\n\tFN(skipped, 2, ##ctx)\n")); err == nil {
		t.Error("ParseHelpers accepted a gap in the ids")
	}
}

// TestGoName checks both spellings: the types' (GoName) and the one
// helpers_gen.go keeps where it differs (HelperGoName: Sk, not SK; Ringbuf,
// not RingBuf).
func TestGoName(t *testing.T) {
	for _, tt := range []struct {
		spell    func(string) string
		in, want string
	}{
		{GoName, "SCHED_CLS", "SchedCLS"},
		{GoName, "CGROUP_UDP4_SENDMSG", "CgroupUDP4SendMsg"},
		{GoName, "RAW_TRACEPOINT_WRITABLE", "RawTracepointWritable"},
		{GoName, "XDP_CPUMAP", "XDPCPUMap"},
		{GoName, "PERCPU_CGROUP_STORAGE", "PerCPUCgroupStorage"},
		{GoName, "XSKMAP", "Xskmap"},
		{GoName, "TRACE_UPROBE_MULTI", "TraceUprobeMulti"},
		{GoName, "SK_REUSEPORT_SELECT_OR_MIGRATE", "SKReuseportSelectOrMigrate"},
		{HelperGoName, "get_current_pid_tgid", "GetCurrentPIDTGID"},
		{HelperGoName, "sk_lookup_tcp", "SkLookupTCP"},
		{HelperGoName, "skb_cgroup_id", "SKBCgroupID"},
		{HelperGoName, "ringbuf_output", "RingbufOutput"},
		{HelperGoName, "skc_to_udp6_sock", "SkcToUdp6Sock"},
		{HelperGoName, "map_lookup_percpu_elem", "MapLookupPercpuElem"},
		{HelperGoName, "ktime_get_tai_ns", "KtimeGetTAINS"},
	} {
		if got := tt.spell(tt.in); got != tt.want {
			t.Errorf("%q spelled %q, want %q", tt.in, got, tt.want)
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
