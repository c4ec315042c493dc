package netif

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestProbeOnce checks that a fallback is probed once and logged once, and
// that a probe that cannot tell keeps the link and says why.
func TestProbeOnce(t *testing.T) {
	buf := testutil.CaptureLog(t, slog.LevelInfo)

	probes := 0
	lacking := probeOnce(func() error {
		probes++
		return fmt.Errorf("tcx links need Linux 6.6: %w", libbpf.ErrNotSupported)
	}, "the fallback is taken")
	for i := range 3 {
		if !lacking() {
			t.Errorf("call %d: the probe says the kernel lacks the link, but no fallback", i)
		}
	}
	if probes != 1 {
		t.Errorf("probed %d times, want 1", probes)
	}
	if n := strings.Count(buf.String(), "the fallback is taken"); n != 1 {
		t.Errorf("fallback logged %d times, want 1:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "need Linux 6.6") {
		t.Errorf("log does not give the probe's reason:\n%s", buf.String())
	}

	buf.Reset()
	unsure := probeOnce(func() error { return fmt.Errorf("probe tcx links: %w", unix.EPERM) }, "not taken")
	if unsure() {
		t.Error("a probe that cannot tell took the fallback")
	}
	if !strings.Contains(buf.String(), "probe failed") || strings.Contains(buf.String(), "not taken") {
		t.Errorf("log of a probe that cannot tell:\n%s", buf.String())
	}

	buf.Reset()
	if probeOnce(func() error { return nil }, "not taken")() || buf.Len() != 0 {
		t.Errorf("a kernel with the link: fallback taken or logged:\n%s", buf.String())
	}
}
