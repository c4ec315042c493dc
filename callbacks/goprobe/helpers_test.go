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

// targetVariants are the builds of testdata/target the tests use, by
// GOARCH ("" for the host's) and extra go build flags. TestBuildTargets
// builds them all; with GOPROBE_TARGETS=<dir> it builds them into dir, where
// a test binary run without a Go toolchain (make vmtest's guests) finds them.
var targetVariants = []struct {
	goarch string
	flags  []string
}{
	{"", nil},
	{"", []string{"-buildmode=pie"}},
	{"", []string{"-ldflags=-s -w"}},
	{"amd64", nil},
	{"arm64", nil},
}

// TestBuildTargets builds every variant of the target (make vmtest runs it
// on the host with GOPROBE_TARGETS set to prebuild them for its guests).
func TestBuildTargets(t *testing.T) {
	for _, v := range targetVariants {
		if path := buildTarget(t, v.goarch, v.flags...); path == "" {
			t.Errorf("no target for %q %q", v.goarch, v.flags)
		}
	}
}

// buildTarget builds testdata/target for goarch ("" for the host's) with
// the extra go build flags, once per test binary and variant, and returns
// its absolute path. With GOPROBE_TARGETS=<dir>, a build already in dir is
// used as it is and a missing one is built there.
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
		dir := buildDir
		if prebuilt := os.Getenv("GOPROBE_TARGETS"); prebuilt != "" {
			dir = prebuilt
			name += "-" + strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
					return r
				}
				return '_'
			}, strings.Join(flags, "_"))
			b.path = filepath.Join(dir, name)
			if _, err := os.Stat(b.path); err == nil {
				return
			}
		} else {
			name += fmt.Sprintf("-%d", b.id)
		}
		b.path = filepath.Join(dir, name)
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
