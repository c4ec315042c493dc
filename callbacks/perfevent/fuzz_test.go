package perfevent

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseSpec checks that no spec makes the parser panic, and that every
// spec it accepts is well formed and survives a round trip through its
// canonical form.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"cpu-clock", "cpu-clock:freq=1000,cpus=0-3,6", "page-faults:period=1,pid=1",
		"L1-dcache-load-misses", "type=1,config=0,frequency=99", "fakecpu/event=0x3c,inv/:period=1",
		"fakecpu/cycles-t/", "uncore/event=1/:cgroup=/sys/fs/cgroup/x", "r0c3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := parseSpec(in, fakeSysfs)
		if err != nil {
			return
		}
		if (s.Freq == 0) == (s.Period == 0) {
			t.Fatalf("parseSpec(%q) = %+v: want exactly one of Freq and Period", in, s)
		}
		if s.PID > 0 && s.Cgroup != "" {
			t.Fatalf("parseSpec(%q) = %+v: both pid and cgroup", in, s)
		}
		for i, cpu := range s.CPUs {
			if cpu < 0 || cpu >= maxCPU || i > 0 && cpu <= s.CPUs[i-1] {
				t.Fatalf("parseSpec(%q).CPUs = %v: not ascending CPU numbers", in, s.CPUs)
			}
		}
		if strings.ContainsAny(s.Cgroup, ",:") {
			return // the canonical form cannot hold such a path
		}
		back, err := parseSpec(s.String(), fakeSysfs)
		if err != nil {
			t.Fatalf("parseSpec(%q) = %+v, but its String() %q fails: %v", in, s, s.String(), err)
		}
		back.Event = s.Event
		if diff := cmp.Diff(s, back); diff != "" {
			t.Fatalf("round trip of %q through %q (-want +got):\n%s", in, s.String(), diff)
		}
	})
}

// FuzzParseCPUList checks the CPU list parser against formatCPUList.
func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0", "0-3,6", "1,1,0-1", "8191", "0-8191"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cpus, err := parseCPUList(in)
		if err != nil {
			return
		}
		back, err := parseCPUList(formatCPUList(cpus))
		if err != nil || !cmp.Equal(cpus, back) {
			t.Fatalf("parseCPUList(%q) = %v; formatted %q parses to %v, %v", in, cpus, formatCPUList(cpus), back, err)
		}
	})
}

// FuzzParseFormat checks that a PMU format parses without panicking and
// that applying a value only touches the field's own bits.
func FuzzParseFormat(f *testing.F) {
	f.Add("config:0-7", uint64(0xff))
	f.Add("config1:0-3,8-11", uint64(0x5a))
	f.Add("config:63", uint64(1))
	f.Fuzz(func(t *testing.T, in string, v uint64) {
		fm, err := parseFormat(in)
		if err != nil {
			return
		}
		var mask [4]uint64
		for _, r := range fm {
			width := r.hi - r.lo + 1
			mask[r.word] |= (^uint64(0) >> (64 - width)) << r.lo
		}
		var cfg [4]uint64
		if err := fm.apply(&cfg, v); err != nil {
			return
		}
		for i := range cfg {
			if cfg[i]&^mask[i] != 0 {
				t.Fatalf("format %q value %#x set bits %#x outside the field in word %d", in, v, cfg[i]&^mask[i], i)
			}
		}
	})
}
