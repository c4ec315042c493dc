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
	libbpf.SetLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}
