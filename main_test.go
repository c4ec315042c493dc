package libbpf_test

import (
	"os"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.RunChild() // a helper child of a test exits here
	testutil.QuietLibbpf()
	os.Exit(m.Run())
}
