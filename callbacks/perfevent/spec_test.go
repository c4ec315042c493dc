package perfevent

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

const fakeSysfs = "testdata/sysfs"

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
	}{
		{"cpu-clock", Spec{Type: TypeSoftware, Config: 0, Freq: DefaultFrequency}},
		{"perf_event/cpu-clock", Spec{Type: TypeSoftware, Config: 0, Freq: DefaultFrequency}},
		{"cpu-clock:freq=1000", Spec{Type: TypeSoftware, Freq: 1000}},
		{"task-clock:period=1000000", Spec{Type: TypeSoftware, Config: 1, Period: 1000000}},
		{"page-faults:period=1", Spec{Type: TypeSoftware, Config: 2, Period: 1}},
		{"faults", Spec{Type: TypeSoftware, Config: 2, Freq: DefaultFrequency}},
		{"cs:period=1,pid=42", Spec{Type: TypeSoftware, Config: 3, Period: 1, PID: 42}},
		{"context-switches:pid=42,cpus=1,period=1", Spec{Type: TypeSoftware, Config: 3, Period: 1, PID: 42, CPUs: []int{1}}},
		{"migrations", Spec{Type: TypeSoftware, Config: 4, Freq: DefaultFrequency}},
		{"minor-faults", Spec{Type: TypeSoftware, Config: 5, Freq: DefaultFrequency}},
		{"major-faults", Spec{Type: TypeSoftware, Config: 6, Freq: DefaultFrequency}},
		{"alignment-faults", Spec{Type: TypeSoftware, Config: 7, Freq: DefaultFrequency}},
		{"emulation-faults", Spec{Type: TypeSoftware, Config: 8, Freq: DefaultFrequency}},
		{"dummy", Spec{Type: TypeSoftware, Config: 9, Freq: DefaultFrequency}},
		{"bpf-output", Spec{Type: TypeSoftware, Config: 10, Freq: DefaultFrequency}},
		{"cycles", Spec{Type: TypeHardware, Config: 0, Freq: DefaultFrequency}},
		{"CPU-Cycles", Spec{Type: TypeHardware, Config: 0, Freq: DefaultFrequency}},
		{"instructions:period=100000", Spec{Type: TypeHardware, Config: 1, Period: 100000}},
		{"cache-misses", Spec{Type: TypeHardware, Config: 3, Freq: DefaultFrequency}},
		{"branches", Spec{Type: TypeHardware, Config: 4, Freq: DefaultFrequency}},
		{"branch-misses", Spec{Type: TypeHardware, Config: 5, Freq: DefaultFrequency}},
		{"stalled-cycles-backend", Spec{Type: TypeHardware, Config: 8, Freq: DefaultFrequency}},
		{"ref-cycles", Spec{Type: TypeHardware, Config: 9, Freq: DefaultFrequency}},
		{"L1-dcache-load-misses", Spec{Type: TypeHWCache, Config: 0x10000, Freq: DefaultFrequency}},
		{"L1-dcache-loads", Spec{Type: TypeHWCache, Config: 0, Freq: DefaultFrequency}},
		{"l1d-stores", Spec{Type: TypeHWCache, Config: 0x100, Freq: DefaultFrequency}},
		{"L1-icache-load-misses", Spec{Type: TypeHWCache, Config: 0x10001, Freq: DefaultFrequency}},
		{"LLC-load-misses", Spec{Type: TypeHWCache, Config: 0x10002, Freq: DefaultFrequency}},
		{"LLC-misses", Spec{Type: TypeHWCache, Config: 0x10002, Freq: DefaultFrequency}},
		{"llc-prefetch-misses", Spec{Type: TypeHWCache, Config: 0x10202, Freq: DefaultFrequency}},
		{"dTLB-load-misses", Spec{Type: TypeHWCache, Config: 0x10003, Freq: DefaultFrequency}},
		{"d-tlb-store-miss", Spec{Type: TypeHWCache, Config: 0x10103, Freq: DefaultFrequency}},
		{"iTLB-load-misses", Spec{Type: TypeHWCache, Config: 0x10004, Freq: DefaultFrequency}},
		{"branch-load-misses", Spec{Type: TypeHWCache, Config: 0x10005, Freq: DefaultFrequency}},
		{"branch-loads", Spec{Type: TypeHWCache, Config: 0x00005, Freq: DefaultFrequency}},
		{"node-speculative-read-miss", Spec{Type: TypeHWCache, Config: 0x10206, Freq: DefaultFrequency}},
		{"L1-data-misses-load", Spec{Type: TypeHWCache, Config: 0x10000, Freq: DefaultFrequency}},
		{"r003c", Spec{Type: TypeRaw, Config: 0x3c, Freq: DefaultFrequency}},
		{"cpu-clock:cpus=0-3,6", Spec{Type: TypeSoftware, Freq: DefaultFrequency, CPUs: []int{0, 1, 2, 3, 6}}},
		{"cpu-clock:cpus=0-3,6,freq=7", Spec{Type: TypeSoftware, Freq: 7, CPUs: []int{0, 1, 2, 3, 6}}},
		{"cpu-clock:cpus=3,1,1-2", Spec{Type: TypeSoftware, Freq: DefaultFrequency, CPUs: []int{1, 2, 3}}},
		{"cpu-clock:cgroup=/sys/fs/cgroup/a.b", Spec{Type: TypeSoftware, Freq: DefaultFrequency, Cgroup: "/sys/fs/cgroup/a.b"}},
		{"type=1,config=0,cgroup=/sys/fs/cgroup/a", Spec{Type: TypeSoftware, Freq: DefaultFrequency, Cgroup: "/sys/fs/cgroup/a"}},
		{"cpu-clock:cgroup=system.slice,cpus=0", Spec{Type: TypeSoftware, Freq: DefaultFrequency, Cgroup: "system.slice", CPUs: []int{0}}},
		// perf's modifiers.
		{"cpu-clock:u", Spec{Type: TypeSoftware, Freq: DefaultFrequency, ExcludeKernel: true, ExcludeHV: true}},
		{"cycles:kpp,period=1", Spec{Type: TypeHardware, Period: 1, ExcludeUser: true, ExcludeHV: true, PreciseIP: 2}},
		{"cycles:ppp", Spec{Type: TypeHardware, Freq: DefaultFrequency, PreciseIP: 3}},
		{"cpu-clock:cpus=0-1,uh", Spec{Type: TypeSoftware, Freq: DefaultFrequency, CPUs: []int{0, 1}, ExcludeKernel: true}},
		{"type=1,config=0,k,frequency=9", Spec{Type: TypeSoftware, Freq: 9, ExcludeUser: true, ExcludeHV: true}},
		// The raw form of cloudflare/ebpf_exporter.
		{"type=1,config=0,frequency=1", Spec{Type: 1, Config: 0, Freq: 1}},
		{"type=0,config=3,frequency=99", Spec{Type: 0, Config: 3, Freq: 99}},
		{"type=1,config=0x2,period=1,cpus=0-1", Spec{Type: 1, Config: 2, Period: 1, CPUs: []int{0, 1}}},
		{"type=1,config=2", Spec{Type: 1, Config: 2, Freq: DefaultFrequency}},
		{"type=4,config=0x3c,config1=5,config2=6,config3=7:cpus=1", Spec{Type: 4, Config: 0x3c, Config1: 5, Config2: 6, Config3: 7, Freq: DefaultFrequency, CPUs: []int{1}}},
		// sysfs PMUs, from the fake tree.
		{"fakecpu/event=0x3c/", Spec{Type: 4, Config: 0x3c, Freq: DefaultFrequency}},
		{"fakecpu/event=0x3c,umask=0x1,inv,cmask=2/:period=1000", Spec{Type: 4, Config: 0x3c | 0x100 | 1<<23 | 2<<24, Period: 1000}},
		{"fakecpu/cycles-t/", Spec{Type: 4, Config: 0x3c | 1<<32, Freq: DefaultFrequency}},
		{"fakecpu/cycles-t,in_tx=0/", Spec{Type: 4, Config: 0x3c, Freq: DefaultFrequency}},
		{"fakecpu/mem-loads,ldlat=0x40/", Spec{Type: 4, Config: 0x1cd, Config1: 0x40, Freq: DefaultFrequency}},
		{"fakecpu/split=0xab/", Spec{Type: 4, Config2: 0xa0b, Freq: DefaultFrequency}},
		{"fakecpu/config=5,config1=6,config2=7,config3=8/", Spec{Type: 4, Config: 5, Config1: 6, Config2: 7, Config3: 8, Freq: DefaultFrequency}},
		{"fakecpu/event=1,period=500/", Spec{Type: 4, Config: 1, Period: 500}},
		{"fakecpu/event=1,period=500/:freq=5", Spec{Type: 4, Config: 1, Freq: 5}},
		{"fakecpu/event=1,freq=50/", Spec{Type: 4, Config: 1, Freq: 50}},
		{"uncore/event=1/", Spec{Type: 17, Config: 1, Freq: DefaultFrequency, CPUs: []int{0, 2, 3}}},
		{"uncore/event=1/:cpus=1", Spec{Type: 17, Config: 1, Freq: DefaultFrequency, CPUs: []int{1}}},
		{"software/config=0/", Spec{Type: 1, Config: 0, Freq: DefaultFrequency}},
		{"software/config=2/:period=1", Spec{Type: 1, Config: 2, Period: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSpec(tt.in, fakeSysfs)
			if err != nil {
				t.Fatalf("parseSpec(%q): %v", tt.in, err)
			}
			want := tt.want
			want.Event = got.Event
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parseSpec(%q) (-want +got):\n%s", tt.in, diff)
			}
			// The canonical form parses back to the same event.
			back, err := parseSpec(got.String(), fakeSysfs)
			if err != nil {
				t.Fatalf("parseSpec(String() = %q): %v", got.String(), err)
			}
			back.Event = got.Event
			if diff := cmp.Diff(got, back); diff != "" {
				t.Errorf("round trip through %q (-want +got):\n%s", got.String(), diff)
			}
		})
	}
}

func TestParseSpecEventField(t *testing.T) {
	for in, want := range map[string]string{
		"cpu-clock:freq=1":        "cpu-clock",
		"perf_event/cycles":       "cycles",
		"type=1,config=0,freq=9":  "type=1,config=0,freq=9",
		"fakecpu/event=1/:freq=1": "fakecpu/event=1/",
		"cpu-clock:cgroup=/a:b":   "cpu-clock",
	} {
		s, err := parseSpec(in, fakeSysfs)
		if err != nil {
			t.Fatalf("parseSpec(%q): %v", in, err)
		}
		if s.Event != want {
			t.Errorf("parseSpec(%q).Event = %q, want %q", in, s.Event, want)
		}
	}
}

// TestParseSpecErrors checks that every malformed spec fails with an error
// that names the offending part.
func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty event spec"},
		{"perf_event/", "empty event spec"},
		{":freq=1", "no event before ':'"},
		{"cpu-clock:", "empty option list"},
		{"cpu-clok", `unknown event "cpu-clok"`},
		{"L1-dcache-load-misses-misses", `unknown event "L1-dcache-load-misses-misses"`},
		{"L1-dcache-", `unknown event "L1-dcache-"`},
		{"iTLB-stores", `unknown event "iTLB-stores"`},
		{"branch-prefetches", `unknown event "branch-prefetches"`},
		{"L1-icache-stores", `unknown event "L1-icache-stores"`},
		{"rxyz", `unknown event "rxyz"`},
		{"r1ffffffffffffffff", `raw event "r1ffffffffffffffff"`},
		{"cpu-clock:freq", `option "freq": want <name>=<value>`},
		{"cpu-clock:freq=abc", `option "freq=abc": "abc" is not a number`},
		{"cpu-clock:freq=0", `option "freq=0": frequency must be above 0`},
		{"cpu-clock:period=0", `option "period=0": period must be above 0`},
		{"cpu-clock:period=-1", `option "period=-1"`},
		{"cpu-clock:freq=1,period=2", "freq=1 and period=2 exclude each other"},
		{"cpu-clock:freq=1,freq=2", `option "freq=2": freq given twice`},
		{"cpu-clock:freq=1,frequency=2", `freq given twice`},
		{"cpu-clock:x", `option "x": want <name>=<value> or modifiers: unknown modifier 'x'`},
		{"cpu-clock:uu", `modifier 'u' given twice`},
		{"cpu-clock:pppp", `more than 3 p`},
		{"cpu-clock:u,k", `option "k": want <name>=<value>`},
		{"cpu-clock:bogus=1", `option "bogus=1": unknown option "bogus"`},
		{"cpu-clock:type=1", `option "type=1": unknown option "type"`},
		{"cpu-clock:cpus=", `option "cpus=": empty CPU list`},
		{"cpu-clock:cpus=a", `option "cpus=a"`},
		{"cpu-clock:cpus=3-1", `range "3-1" ends before it starts`},
		{"cpu-clock:cpus=0-99999", `"99999" is not a CPU number below 8192`},
		{"cpu-clock:cpus=0,,1", `empty option in "cpus=0,,1"`},
		{"cpu-clock:freq=1,", `empty option in "freq=1,"`},
		{"type=1,,config=0", `empty option in "type=1,,config=0"`},
		{"cpu-clock:cpus=-1", `option "cpus=-1"`},
		{"cpu-clock:pid=0", `option "pid=0": "0" is not a thread id`},
		{"cpu-clock:pid=-5", `option "pid=-5"`},
		{"cpu-clock:pid=x", `option "pid=x"`},
		{"cpu-clock:pid=1,cgroup=/x", "pid=1 and cgroup=/x exclude each other"},
		{"cpu-clock:cgroup=", `option "cgroup=": empty cgroup path`},
		{"cpu-clock:freq=1:2", `option "freq=1:2"`},
		{"type=x,config=0", `option "type=x"`},
		{"config=0,frequency=1", `raw event "config=0,frequency=1": missing type=<n>`},
		{"type=1,frequency=1", `raw event "type=1,frequency=1": missing config=<n>`},
		{"type=1,config=0,frequency=5,period=1", `freq=5 and period=1 exclude each other`},
		{"type=1,config=0,bogus=1", `unknown option "bogus"`},
		{"type=1,config=0,typo", `option "typo": want <name>=<value>`},
		{"type=99999999999,config=0", `does not fit in 32 bits`},
		{"type=1,config=0,frequency=0", `frequency must be above 0`},
		{"nosuchpmu/event=1/", `unknown PMU "nosuchpmu"`},
		{"fakecpu/event=1", `missing the closing '/'`},
		{"fakecpu/event=1/x", `unexpected "x" after the closing '/'`},
		{"fakecpu//", `PMU "fakecpu": no event or terms`},
		{"../fakecpu/event=1/", `unexpected "event=1/" after the closing '/'`},
		{"../event=1/", `invalid PMU name ".."`},
		{"/event=1/", `invalid PMU name ""`},
		{"fakecpu/nosuch/", `term "nosuch": no such event or format field`},
		{"fakecpu/nosuch=1/", `term "nosuch=1": no such format field`},
		{"fakecpu/event=0x100/", `term "event=0x100": value 0x100 does not fit in 8 bits`},
		{"fakecpu/inv=2/", `value 0x2 does not fit in 1 bits`},
		{"fakecpu/event=zz/", `term "event=zz": "zz" is not a number`},
		{"fakecpu/event=/", `term "event=": empty number`},
		{"fakecpu/needs-val/", `event "needs-val" (event=0x10,umask=?)`},
		{"fakecpu/nested/", `term "cycles-t": no such format field`},
		{"fakecpu/broken=1/", `term "broken=1": format "cfg:0-7"`},
		{"fakecpu/../x=1/", `unexpected "x=1/"`},
		{"fakecpu/.x=1/", `term ".x=1": no such format field`},
		{"fakecpu/..=1/", `term "..=1": invalid name`},
		{"fakecpu/config/", `term "config": needs a value`},
		{"fakecpu/period=0/", `term "period=0": needs a period above 0`},
		{"fakecpu/freq/", `term "freq": needs a frequency above 0`},
		{"notype/event=1/", `unknown PMU "notype"`},
		{"badtype/event=1/", `PMU "badtype": type "abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := parseSpec(tt.in, fakeSysfs)
			if err == nil {
				t.Fatalf("parseSpec(%q) = %+v, want an error containing %q", tt.in, s, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseSpec(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in    string
		val   uint64
		want  [4]uint64
		width uint
	}{
		{"config:0-7", 0xff, [4]uint64{0xff}, 8},
		{"config:63", 1, [4]uint64{1 << 63}, 1},
		{"config1:0-63", ^uint64(0), [4]uint64{0, ^uint64(0)}, 64},
		{"config:0-3,8-11\n", 0x5a, [4]uint64{0x50a}, 8},
		{"config3:4-5", 3, [4]uint64{0, 0, 0, 0x30}, 2},
	}
	for _, tt := range tests {
		f, err := parseFormat(tt.in)
		if err != nil {
			t.Fatalf("parseFormat(%q): %v", tt.in, err)
		}
		if f.width() != tt.width {
			t.Errorf("parseFormat(%q).width() = %d, want %d", tt.in, f.width(), tt.width)
		}
		var cfg [4]uint64
		if err := f.apply(&cfg, tt.val); err != nil {
			t.Fatalf("apply(%#x) to %q: %v", tt.val, tt.in, err)
		}
		if cfg != tt.want {
			t.Errorf("apply(%#x) to %q = %#x, want %#x", tt.val, tt.in, cfg, tt.want)
		}
	}
	for _, bad := range []string{"", "config", "config:", "config:64", "config:5-3", "config9:1", "config:0-63,0-1", "config:a-b", "config:1-"} {
		if _, err := parseFormat(bad); err == nil {
			t.Errorf("parseFormat(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string][]int{
		"0":          {0},
		"0-1\n":      {0, 1},
		"0-3,6":      {0, 1, 2, 3, 6},
		"6,0-1,1":    {0, 1, 6},
		"8191":       {8191},
		"4-4":        {4},
		"0,2,4-5,10": {0, 2, 4, 5, 10},
	} {
		got, err := parseCPUList(in)
		if err != nil {
			t.Fatalf("parseCPUList(%q): %v", in, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("parseCPUList(%q) (-want +got):\n%s", in, diff)
		}
		if s := formatCPUList(got); s != strings.TrimSpace(in) && len(got) > 0 {
			if again, _ := parseCPUList(s); !cmp.Equal(again, got) {
				t.Errorf("formatCPUList(%v) = %q does not parse back", got, s)
			}
		}
	}
	for _, bad := range []string{"", " ", "a", "1-", "-1", "1,,2", "8192", "2-1", "0x1", "+1", "1 - 2"} {
		if got, err := parseCPUList(bad); err == nil {
			t.Errorf("parseCPUList(%q) = %v, want an error", bad, got)
		}
	}
}

// TestParseSpecRealSysfs decodes specs against this machine's PMUs: the
// software and tracepoint PMUs every kernel has, and msr when present.
func TestParseSpecRealSysfs(t *testing.T) {
	s, err := ParseSpec("software/config=0/:freq=10")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != TypeSoftware || s.Config != 0 || s.Freq != 10 {
		t.Errorf("software/config=0/ = %+v, want type 1 config 0 freq 10", s)
	}
	s, err = ParseSpec("tracepoint/config=7/")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != TypeTracepoint || s.Config != 7 {
		t.Errorf("tracepoint/config=7/ = %+v, want type 2 config 7", s)
	}
	if _, err := ParseSpec("nosuchpmu/event=1/"); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("nosuchpmu/event=1/: error %v, want ErrInvalidSpec", err)
	}
	typ, err := readSmall(DefaultPMURoot + "/msr/type")
	if err != nil {
		t.Logf("no msr PMU here: %v", err)
		return
	}
	s, err = ParseSpec("msr/tsc/")
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.FormatUint(uint64(s.Type), 10); got != typ {
		t.Errorf("msr/tsc/ type %s, sysfs says %s", got, typ)
	}
	if _, err := ParseSpec("msr/event=0x1,nosuchterm=1/"); err == nil || !strings.Contains(err.Error(), "nosuchterm") {
		t.Errorf("msr/event=0x1,nosuchterm=1/: error %v, want one naming nosuchterm", err)
	}
}

func TestAttr(t *testing.T) {
	s, err := parseSpec("fakecpu/event=0x3c,ldlat=7,split=0xff/:kp,freq=49,pid=10", fakeSysfs)
	if err != nil {
		t.Fatal(err)
	}
	s.Config3 = 9
	a := s.attr()
	if a.Type != 4 || a.Config != 0x3c || a.Ext1 != 7 || a.Ext2 != 0xf0f || a.Config3 != 9 {
		t.Errorf("attr type %d config %#x/%#x/%#x/%#x", a.Type, a.Config, a.Ext1, a.Ext2, a.Config3)
	}
	if a.Size != 0x90 {
		t.Errorf("attr size %#x with config3, want PERF_ATTR_SIZE_VER9", a.Size)
	}
	want := unix.PerfBitDisabled | unix.PerfBitFreq | unix.PerfBitExcludeUser | unix.PerfBitExcludeHv |
		unix.PerfBitPreciseIPBit1 | unix.PerfBitInherit
	if a.Bits != want || a.Sample != 49 {
		t.Errorf("attr bits %#x sample %d, want %#x and 49", a.Bits, a.Sample, want)
	}
	a = Spec{Type: TypeSoftware, Config: 2, Period: 7}.attr()
	if a.Bits != unix.PerfBitDisabled || a.Sample != 7 || a.Size != unix.PERF_ATTR_SIZE_VER8 {
		t.Errorf("period attr: bits %#x sample %d size %#x", a.Bits, a.Sample, a.Size)
	}
}
