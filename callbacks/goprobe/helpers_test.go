package goprobe

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// targetBuilds caches the target program built once per test binary for
// each GOOS/GOARCH/flags variant, in a directory TestMain removes.
var (
	buildDir    string
	buildsMu    sync.Mutex
	targetBuild = map[string]*builtTarget{}
)

type builtTarget struct {
	id   int // makes the file name unique
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goprobe-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildTarget builds testdata/target for goarch ("" for the host's) with
// the extra go build flags, once per test binary and variant, and returns
// its absolute path.
func buildTarget(t testing.TB, goarch string, flags ...string) string {
	t.Helper()
	key := goarch + "|" + strings.Join(flags, " ")
	buildsMu.Lock()
	b := targetBuild[key]
	if b == nil {
		b = &builtTarget{id: len(targetBuild)}
		targetBuild[key] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		name := "target"
		if goarch != "" {
			name += "-" + goarch
		}
		name += fmt.Sprintf("-%d", b.id)
		b.path = filepath.Join(buildDir, name)
		args := append([]string{"build", "-o", b.path}, flags...)
		args = append(args, "./testdata/target")
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
		if goarch != "" {
			cmd.Env = append(cmd.Env, "GOOS=linux", "GOARCH="+goarch)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}
