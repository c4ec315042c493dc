// Package cli holds what the example tools' commands share: the main
// that runs a tool until Ctrl-C, durations and [interval [count]]
// arguments, the report loop, the draining of a map in batches, and the
// decoding of C strings.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// RunFunc is a tool: it traces until ctx is done, then returns.
type RunFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// Main runs the tool with the command's arguments until SIGINT or
// SIGTERM, and exits 1 on error (2 on a flag error).
func Main(run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
	os.Exit(1)
}

// CString returns b up to its first NUL byte.
func CString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// Done reports whether err only says ctx ended (a canceled or expired
// context: the tool's normal end).
func Done(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Seconds is a flag of a time span given as whole seconds, as the
// libbpf-tools take it (-d 5), or as a Go duration (-d 500ms).
type Seconds time.Duration

func (s *Seconds) String() string { return time.Duration(*s).String() }

func (s *Seconds) Set(v string) error {
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		*s = Seconds(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is neither seconds nor a duration", v)
	}
	*s = Seconds(d)
	return nil
}

// Intervals reads the positional arguments [interval [count]] of the
// histogram tools: print every interval (seconds, or a duration), count
// times; without them, once at the end.
func Intervals(args []string) (every time.Duration, count int, err error) {
	if len(args) > 2 {
		return 0, 0, fmt.Errorf("unexpected arguments: %q", args[2:])
	}
	if len(args) > 0 {
		var s Seconds
		if err := s.Set(args[0]); err != nil || s == 0 {
			return 0, 0, fmt.Errorf("invalid interval %q", args[0])
		}
		every = time.Duration(s)
	}
	if len(args) > 1 {
		n, err := strconv.ParseUint(args[1], 10, 31)
		if err != nil || n == 0 {
			return 0, 0, fmt.Errorf("invalid count %q", args[1])
		}
		count = int(n)
	}
	return every, count, nil
}

// Repeat calls report every interval (never if 0) until it has been
// called count times (no limit if 0), and once more when ctx ends first.
func Repeat(ctx context.Context, every time.Duration, count int, report func() error) error {
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return report()
		case <-tick:
		}
		if err := report(); err != nil || n == count {
			return err
		}
	}
}

// WithDuration returns ctx ended after d too, if d is not 0.
func WithDuration(ctx context.Context, d Seconds) (context.Context, context.CancelFunc) {
	if d == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(d))
}
