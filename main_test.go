package libbpf_test

import (
	"log/slog"
	"os"
	"testing"

	"github.com/golibbpf/libbpf"
)

func TestMain(m *testing.M) {
	// libbpf's warnings about the failures the tests provoke on purpose
	// would bury the test output; the errors carry what matters.
	// LIBBPF_DEBUG=1 shows libbpf's whole log.
	level := slog.LevelError
	if os.Getenv("LIBBPF_DEBUG") != "" {
		level = slog.LevelDebug
	}
	libbpf.SetLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	os.Exit(m.Run())
}
