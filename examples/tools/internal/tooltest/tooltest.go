// Package tooltest runs an example tool in the test's process and waits
// for lines in its output: the tools' tests trigger known events and look
// for them there.
package tooltest

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Output collects what a tool writes, safe for the tool's goroutine and
// the test's.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Tool is a tool running in a goroutine of the test.
type Tool struct {
	Stdout, Stderr Output
	cancel         context.CancelFunc
	done           chan error
}

// Start runs the tool with args until Stop (or the test's end).
func Start(t testing.TB, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error, args ...string) *Tool {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tool := &Tool{cancel: cancel, done: make(chan error, 1)}
	go func() { tool.done <- run(ctx, args, &tool.Stdout, &tool.Stderr) }()
	t.Cleanup(func() { tool.Stop(t) })
	return tool
}

// WaitFor waits until the tool's output holds every one of wants, and
// fails the test with the output if it does not within timeout or the
// tool ends first.
func (tool *Tool) WaitFor(t testing.TB, timeout time.Duration, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := tool.Stdout.String()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return out
		}
		select {
		case err := <-tool.done:
			tool.done <- err
			t.Fatalf("the tool ended (%v) before printing %q; stdout:\n%s\nstderr:\n%s", err, missing, out, tool.Stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the tool's output after %v; stdout:\n%s\nstderr:\n%s", missing, timeout, out, tool.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop cancels the tool and fails the test if it returned an error.
// It returns the tool's whole output.
func (tool *Tool) Stop(t testing.TB) string {
	t.Helper()
	tool.cancel()
	select {
	case err := <-tool.done:
		tool.done <- err
		if err != nil {
			t.Errorf("the tool failed: %v; stderr:\n%s", err, tool.Stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the tool did not stop 10s after its context was canceled")
	}
	return tool.Stdout.String()
}

// Lines returns the lines of out that contain s.
func Lines(out, s string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			lines = append(lines, l)
		}
	}
	return lines
}

// SpinAndSleep runs n rounds of spinning for spin, then sleeping for
// sleep (a nanosleep that blocks the thread), on an OS thread of its
// own, and returns that thread's id: known scheduler events for the
// scheduler tools.
func SpinAndSleep(n int, spin, sleep time.Duration) int {
	tid := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ts := unix.NsecToTimespec(sleep.Nanoseconds())
		for range n {
			for start := time.Now(); time.Since(start) < spin; {
			}
			unix.Nanosleep(&ts, nil)
		}
		tid <- unix.Gettid()
	}()
	return <-tid
}
