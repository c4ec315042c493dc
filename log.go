package libbpf

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
)

// libbpf's print levels (enum libbpf_print_level).
const (
	libbpfWarn  = 0
	libbpfInfo  = 1
	libbpfDebug = 2
)

var currentLogger atomic.Pointer[slog.Logger]

func init() { SetLogger(nil) }

// defaultLogger writes libbpf's warnings, and nothing less severe, to stderr.
func defaultLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// SetLogger sends libbpf's log, and the module's own, to l; nil restores the
// default, which prints warnings to stderr. libbpf's warn, info and debug
// levels map to slog's Warn, Info and Debug; lines below the levels l enables
// when SetLogger is called are dropped in C, before they cost anything.
func SetLogger(l *slog.Logger) {
	if l == nil {
		l = defaultLogger()
	}
	currentLogger.Store(l)
	level := -1
	for lv, sl := range []slog.Level{slog.LevelWarn, slog.LevelInfo, slog.LevelDebug} {
		if l.Enabled(context.Background(), sl) {
			level = lv
		}
	}
	setPrintLevel(level)
}

// SetMemlockRlim sets the RLIMIT_MEMLOCK libbpf raises the process to
// before its first map or program on kernels that charge BPF memory to it
// (before 5.11): RLIM_INFINITY (^uint64(0)) by default, 0 to leave the
// limit alone (libbpf_set_memlock_rlim). Kernels since 5.11 charge BPF
// memory to the cgroup and libbpf leaves the limit alone anyway. Once
// libbpf raised it, a change fails with unix.EBUSY.
func SetMemlockRlim(bytes uint64) error {
	if err := setMemlockRlim(bytes); err != nil {
		return fmt.Errorf("set memlock rlimit to %d: %w", bytes, err)
	}
	return nil
}

// Logger returns the logger SetLogger installed, for handlers that log
// alongside libbpf.
func Logger() *slog.Logger { return currentLogger.Load() }

func logger() *slog.Logger { return currentLogger.Load() }

var (
	loadFailedRe = regexp.MustCompile(`^prog '([^']+)': BPF program load failed`)
	loadLogRe    = regexp.MustCompile(`(?s)^prog '([^']+)': -- BEGIN PROG LOAD LOG --\n(.*)-- END PROG LOAD LOG --`)
)

// logLibbpf receives one line of libbpf's log. During an operation, it also
// keeps what explains a failure: the last warning and the verifier log,
// which libbpf gives only as log text (libbpf/WORKAROUNDS.md).
func logLibbpf(level int, msg string, opHandle uintptr) {
	msg = strings.TrimPrefix(strings.TrimRight(msg, "\n"), "libbpf: ")
	if op := lookupOperation(opHandle); op != nil && level == libbpfWarn {
		if m := loadLogRe.FindStringSubmatch(msg); m != nil {
			op.loadProg, op.loadLog = m[1], m[2]
		} else {
			if m := loadFailedRe.FindStringSubmatch(msg); m != nil && op.loadProg == "" {
				op.loadProg = m[1]
			}
			op.lastWarning = msg
		}
	}
	sl := slog.LevelDebug
	switch level {
	case libbpfWarn:
		sl = slog.LevelWarn
	case libbpfInfo:
		sl = slog.LevelInfo
	}
	l := logger()
	if l.Enabled(context.Background(), sl) {
		l.Log(context.Background(), sl, msg, "source", "libbpf")
	}
}
