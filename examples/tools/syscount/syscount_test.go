package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/examples/tools/internal/tooltest"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// column returns the field i of the line of out that starts with key.
func column(t *testing.T, out, key string, i int) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > i && f[0] == key {
			return f[i]
		}
	}
	t.Fatalf("no %s row with %d columns in:\n%s", key, i+1, out)
	return ""
}

// TestSyscount counts this process's syscalls (-p) while it makes 1234
// getppid calls, and finds exactly that count in the table printed at the
// end.
func TestSyscount(t *testing.T) {
	testutil.RequireKernel(t)
	tool := tooltest.Start(t, run, "-p", fmt.Sprint(os.Getpid()), "-T", "100")
	tool.WaitFor(t, 10*time.Second, "Tracing syscalls")
	const calls = 1234
	for range calls {
		syscall.Getppid()
	}
	out := tool.Stop(t)
	if got := column(t, out, "getppid", 1); got != strconv.Itoa(calls) {
		t.Errorf("getppid count %s, want %d:\n%s", got, calls, out)
	}
	if !strings.Contains(out, "SYSCALL                   COUNT\n") {
		t.Errorf("no header in:\n%s", out)
	}
}

// TestSyscountFailuresLatency checks -x -e ENOENT (only calls that failed
// with ENOENT are counted), -L -m (a time column in milliseconds) and -P
// (rows by process).
func TestSyscountFailuresLatency(t *testing.T) {
	testutil.RequireKernel(t)
	pid := fmt.Sprint(os.Getpid())
	tool := tooltest.Start(t, run, "-p", pid, "-x", "-e", "ENOENT", "-L", "-m")
	tool.WaitFor(t, 10*time.Second, "Tracing syscalls")
	for range 7 {
		syscall.Getppid()
		if _, err := os.Open("/nonexistent/syscount"); err == nil {
			t.Fatal("opened a missing file")
		}
	}
	out := tool.Stop(t)
	if n, err := strconv.Atoi(column(t, out, "openat", 1)); err != nil || n < 7 {
		t.Errorf("openat count %d (%v), want 7 or more:\n%s", n, err, out)
	}
	if ms, err := strconv.ParseFloat(column(t, out, "openat", 2), 64); err != nil || ms <= 0 {
		t.Errorf("openat time %v ms (%v), want more than 0:\n%s", ms, err, out)
	}
	if strings.Contains(out, "getppid") || !strings.Contains(out, "TIME (ms)") {
		t.Errorf("want no getppid row (it never fails) and a TIME (ms) column:\n%s", out)
	}

	tool = tooltest.Start(t, run, "-p", pid, "-P")
	tool.WaitFor(t, 10*time.Second, "Tracing syscalls")
	for range 100 {
		syscall.Getppid()
	}
	out = tool.Stop(t)
	if n, err := strconv.Atoi(column(t, out, pid, 2)); err != nil || n < 100 {
		t.Errorf("-P: count %d (%v) for PID %s, want 100 or more:\n%s", n, err, pid, out)
	}
}

// TestSyscountInterval checks that -i prints a table per interval, each
// with the calls of its own interval (the map is emptied as it is read).
func TestSyscountInterval(t *testing.T) {
	testutil.RequireKernel(t)
	tool := tooltest.Start(t, run, "-p", fmt.Sprint(os.Getpid()), "-i", "200ms")
	tool.WaitFor(t, 10*time.Second, "Tracing syscalls")
	deadline := time.Now().Add(10 * time.Second)
	calls := 0
	for strings.Count(tool.Stdout.String(), "getppid") < 3 && time.Now().Before(deadline) {
		for range 10 {
			syscall.Getppid()
		}
		calls += 10
		time.Sleep(10 * time.Millisecond)
	}
	out := tool.Stop(t)
	tables := tooltest.Lines(out, "getppid")
	if len(tables) < 3 {
		t.Fatalf("%d tables with getppid, want 3 or more:\n%s", len(tables), out)
	}
	// Each table holds its interval's calls: together, every call once.
	sum := 0
	for _, l := range tables {
		n, err := strconv.Atoi(strings.Fields(l)[1])
		if err != nil {
			t.Fatalf("row %q: %v", l, err)
		}
		sum += n
	}
	if sum != calls {
		t.Errorf("the tables count %d getppid calls in all, want %d:\n%s", sum, calls, out)
	}
	if err := run(t.Context(), []string{"-e", "ENOTANERRNO"}, &tool.Stdout, &tool.Stderr); err == nil {
		t.Error("-e ENOTANERRNO: no error")
	}
}
