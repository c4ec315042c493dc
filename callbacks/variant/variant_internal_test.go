package variant

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestProbeOnce checks that a choice is probed once and logged once, and
// that both a missing feature and a probe that cannot tell take the
// fallback, saying why.
func TestProbeOnce(t *testing.T) {
	buf := testutil.CaptureLog(t, slog.LevelInfo)

	for _, c := range []struct {
		name     string
		ok       bool
		err      error
		fallback bool
		why      string
	}{
		{"has it", true, nil, false, ""},
		{"lacks it", false, nil, true, "the kernel lacks fentry"},
		{"cannot tell", false, fmt.Errorf("probe fentry vfs_read: %w", unix.EPERM), true, "the fentry probe failed: probe fentry vfs_read: operation not permitted"},
	} {
		buf.Reset()
		probes := 0
		choose := probeOnce(func() (bool, error) { probes++; return c.ok, c.err }, "fentry", "the fallback is taken")
		for range 3 {
			if v := choose(); v.fallback != c.fallback || v.why != c.why {
				t.Errorf("%s: verdict %+v, want fallback %t, why %q", c.name, v, c.fallback, c.why)
			}
		}
		if probes != 1 {
			t.Errorf("%s: probed %d times, want 1", c.name, probes)
		}
		if n := strings.Count(buf.String(), "the fallback is taken"); n != map[bool]int{true: 1}[c.fallback] {
			t.Errorf("%s: fallback logged %d times:\n%s", c.name, n, buf.String())
		}
	}
}

// TestTarget checks the section names target accepts and rejects.
func TestTarget(t *testing.T) {
	for sec, want := range map[string]string{
		"tp.best/sched_switch":   "sched_switch",
		"fentry.best/vfs_read":   "vfs_read",
		"fentry.best/foo.isra.0": "foo.isra.0",
		"tp.best/":               "",
		"tp.best/a/b":            "",
		"tp.best/a b":            "",
		"tp.best/" + strings.Repeat("x", maxTargetLen):   strings.Repeat("x", maxTargetLen),
		"tp.best/" + strings.Repeat("x", maxTargetLen+1): "",
	} {
		prefix := sec[:strings.Index(sec, "/")+1]
		got, err := targetOf(sec, prefix)
		if want == "" {
			if !errors.Is(err, ErrMalformedSection) || !strings.Contains(err.Error(), sec) {
				t.Errorf("target(%q): %q, %v; want ErrMalformedSection naming the section", sec, got, err)
			}
			continue
		}
		if got != want || err != nil {
			t.Errorf("target(%q) = %q, %v; want %q", sec, got, err, want)
		}
	}
}
