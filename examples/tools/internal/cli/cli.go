// Package cli holds what the example tools' commands share: the main
// that runs a tool until Ctrl-C, and the decoding of C strings.
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
