package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/examples/tools/internal/hist"
	"github.com/golibbpf/libbpf/examples/tools/internal/tooltest"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestRunqlat traces this process's threads (-p, -L) while one of them
// makes 100 sleeps, and finds at least 100 run queue waits in the
// histogram of that thread, with the tp_btf programs and with the raw_tp
// fallbacks.
func TestRunqlat(t *testing.T) {
	testutil.RequireKernel(t)
	tooltest.EachVariant(t, &registerVariants, checkWaits)
	for o, want := range map[hist.Options]RunqlatGroup{{}: RunqlatGroupAll, {PerProcess: true}: RunqlatGroupProcess, {PerThread: true}: RunqlatGroupThread} {
		if got := RunqlatGroup(o.Group()); got != want {
			t.Errorf("%+v: group %d, want %d (enum group)", o, got, want)
		}
	}
}

// checkWaits is TestRunqlat's trace with the handlers registerVariants has.
func checkWaits(t *testing.T) {
	tool := tooltest.Start(t, run, "-p", fmt.Sprint(os.Getpid()), "-L")
	tool.WaitFor(t, 10*time.Second, "Tracing run queue latency")
	const sleeps = 100
	tid := tooltest.SpinAndSleep(sleeps, 0, time.Millisecond)
	out := tool.Stop(t)
	rows, ok := hist.ParseSection(out, fmt.Sprintf("tid = %d ", tid))
	if n := hist.Total(rows); !ok || n < sleeps {
		t.Errorf("thread %d waited %d times, want %d or more:\n%s", tid, n, sleeps, out)
	}
	if !strings.Contains(out, "     usecs               : count    distribution\n") {
		t.Errorf("no usecs header in:\n%s", out)
	}
}

// TestRunqlatIntervals checks the positional interval and count (two
// histograms, then the tool ends by itself), -P and -m, and -T's time.
func TestRunqlatIntervals(t *testing.T) {
	testutil.RequireKernel(t)
	pid := os.Getpid()
	var stdout, stderr tooltest.Output
	done := make(chan error, 1)
	go func() {
		done <- run(t.Context(), []string{"-P", "-m", "-T", "-p", fmt.Sprint(pid), "300ms", "2"}, &stdout, &stderr)
	}()
	start := time.Now()
	for time.Since(start) < 10*time.Second {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			out := stdout.String()
			if n := strings.Count(out, fmt.Sprintf("pid = %d ", pid)); n != 2 {
				t.Errorf("%d histograms of process %d, want 2:\n%s", n, pid, out)
			}
			if !strings.Contains(out, "msecs") {
				t.Errorf("no msecs header:\n%s", out)
			}
			if n := len(regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d *$`).FindAllString(out, -1)); n != 2 {
				t.Errorf("%d lines with the time, want 2:\n%s", n, out)
			}
			return
		default:
			tooltest.SpinAndSleep(5, 0, time.Millisecond)
		}
	}
	t.Fatalf("runqlat 300ms 2 did not end:\n%s", stdout.String())
}
