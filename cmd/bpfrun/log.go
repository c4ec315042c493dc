package main

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/golibbpf/libbpf"
)

// logCapture receives libbpf's log (and the handlers'). bpfrun prints it
// only with -v, so that a failure is one line on stderr; it counts the
// warnings, which tell a declined auto-attach from a failed one.
type logCapture struct {
	*warnStore
	next slog.Handler // -v: print; nil: keep quiet
}

type warnStore struct {
	mu       sync.Mutex
	warnings []string
}

func installLogger(stderr io.Writer, verbose bool) *logCapture {
	lc := &logCapture{warnStore: &warnStore{}}
	if verbose {
		lc.next = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	libbpf.SetLogger(slog.New(lc))
	return lc
}

func (lc *logCapture) Enabled(_ context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || (lc.next != nil && l >= slog.LevelInfo)
}

func (lc *logCapture) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		lc.mu.Lock()
		lc.warnings = append(lc.warnings, r.Message)
		lc.mu.Unlock()
	}
	if lc.next != nil {
		return lc.next.Handle(ctx, r)
	}
	return nil
}

func (lc *logCapture) WithAttrs(attrs []slog.Attr) slog.Handler {
	if lc.next == nil {
		return lc
	}
	return &logCapture{warnStore: lc.warnStore, next: lc.next.WithAttrs(attrs)}
}

func (lc *logCapture) WithGroup(name string) slog.Handler {
	if lc.next == nil {
		return lc
	}
	return &logCapture{warnStore: lc.warnStore, next: lc.next.WithGroup(name)}
}

// warningCount returns how many warnings arrived so far.
func (lc *warnStore) warningCount() int {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return len(lc.warnings)
}

// warningsSince returns the warnings after the first n.
func (lc *warnStore) warningsSince(n int) []string {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if n >= len(lc.warnings) {
		return nil
	}
	return append([]string(nil), lc.warnings[n:]...)
}
