package libbpf_test

import (
	"os"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.QuietLibbpf()
	os.Exit(m.Run())
}
