// Command libbpf-setup prepares a machine to build Go programs that import
// github.com/golibbpf/libbpf: it obtains the pinned libbpf source, verifies
// its sha256, builds a static libbpf.a into a per-user cache and configures
// cgo to compile and link against it. Run it once per machine (and again
// after upgrading to a module version that pins another libbpf), from a
// module that requires github.com/golibbpf/libbpf:
//
//	go run github.com/golibbpf/libbpf/cmd/libbpf-setup -w
//
// It prints the cgo environment as shell export lines; -w also writes it with
// `go env -w`, so that every later go build finds libbpf. The module's Makefile
// runs the same command to build libbpf/build for in-tree work.
//
// The source comes from, in this order: LIBBPF_SRC, a libbpf source tree of
// the pinned major.minor release (not checksummed); LIBBPF_TARBALL, the
// upstream release tarball; a tarball already in the work directory; or
// Debian's source package of suite sid, fetched with apt through a private
// configuration built from the machine's own Debian entry, which leaves the
// system's apt state untouched. Every tarball is checked against the pinned
// sha256.
//
// The build needs make, a C compiler, pkg-config and libelf's and zlib's
// static libraries (Debian: make gcc pkg-config libelf-dev zlib1g-dev).
// libelf's own dependencies are taken from `pkg-config --static`, so a libelf
// built with zstd adds libzstd.a to the link.
//
// Cross builds: with CC set to a cross compiler (aarch64-linux-gnu-gcc) and
// -sysroot naming a directory where the target architecture's Debian -dev
// packages (libelf-dev, zlib1g-dev, libzstd-dev) are unpacked, libbpf is
// compiled for that architecture against their headers and linked, through
// the same linker script, with their static libraries; the system's dpkg
// architectures are left alone. make vmtest ARCH=arm64 builds its arm64 test
// binaries that way.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	pin "github.com/golibbpf/libbpf/libbpf"
)

func main() {
	out := flag.String("out", "", "install libbpf into `dir` (dir/include, dir/lib) instead of the per-user cache")
	work := flag.String("work", "", "keep the source tarball and its unpacked tree in `dir` (default: <out>/src)")
	asan := flag.Bool("asan", false, "also build the AddressSanitizer variant that go build -asan links")
	write := flag.Bool("w", false, "write the cgo environment with go env -w, for every later go command")
	sysroot := flag.String("sysroot", "", "cross-build with $CC against the -dev packages of the target architecture unpacked in `dir`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: libbpf-setup [flags]\n\n"+
			"Builds the pinned libbpf %s for github.com/golibbpf/libbpf and prints the cgo\n"+
			"environment that uses it (eval it, or pass -w).\n"+
			"Source: LIBBPF_SRC=<tree>, LIBBPF_TARBALL=<file>, or Debian's source package.\n\n", pin.Version)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *work, *sysroot, *asan, *write); err != nil {
		fmt.Fprintf(os.Stderr, "libbpf-setup: %v\n", err)
		os.Exit(1)
	}
}

func run(out, work, sysroot string, asan, write bool) error {
	if out == "" {
		dir, err := cacheDir()
		if err != nil {
			return err
		}
		out = dir
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if work == "" {
		work = filepath.Join(out, "src")
	}
	if work, err = filepath.Abs(work); err != nil {
		return err
	}
	b := &builder{out: out, work: work}
	if sysroot != "" {
		if b.cross, err = newCross(sysroot); err != nil {
			return err
		}
	}
	if err := b.run(asan); err != nil {
		return err
	}
	env := cgoEnv(out)
	for _, kv := range env {
		fmt.Printf("export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	if write {
		return goEnvWrite(env)
	}
	return nil
}

// cacheDir is the per-user install directory, keyed by the pinned version and
// the first 12 digits of its checksum, so that module versions pinning
// different releases keep separate builds.
func cacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no per-user cache directory (set -out): %w", err)
	}
	return filepath.Join(dir, "golibbpf", "libbpf-"+pin.Version+"-"+pin.SHA256[:12]), nil
}

// cgoEnv is the environment that points cgo at the build in out: its headers,
// and the directory of the linker scripts the module's #cgo LDFLAGS name
// (-lgolibbpf, -lgolibbpf-asan). -O2 -g are cgo's defaults, which setting
// the variables would otherwise drop.
func cgoEnv(out string) [][2]string {
	return [][2]string{
		{"CGO_CFLAGS", "-O2 -g " + cgoQuote("-I"+filepath.Join(out, "include"))},
		{"CGO_LDFLAGS", "-O2 -g " + cgoQuote("-L"+filepath.Join(out, "lib"))},
	}
}

// cgoQuote quotes a flag with a space the way the go command splits
// CGO_CFLAGS and CGO_LDFLAGS.
func cgoQuote(flag string) string {
	if !strings.ContainsAny(flag, " \t\n'\"") {
		return flag
	}
	if !strings.Contains(flag, "'") {
		return "'" + flag + "'"
	}
	return `"` + flag + `"`
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// goEnvWrite stores env in the go command's environment file (go env GOENV).
func goEnvWrite(env [][2]string) error {
	args := []string{"env", "-w"}
	for _, kv := range env {
		args = append(args, kv[0]+"="+kv[1])
		if cur, ok := os.LookupEnv(kv[0]); ok && cur != kv[1] {
			logf("warning: %s is set in your environment, which overrides what go env -w writes", kv[0])
		}
	}
	cmd := exec.Command(goCommand(), args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go env -w: %w", err)
	}
	logf("wrote CGO_CFLAGS and CGO_LDFLAGS with go env -w")
	return nil
}

// goCommand is the go command that runs this one, if the environment names
// it (go run sets GOROOT for its child only sometimes), else the one on PATH.
func goCommand() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); isFile(p) {
			return p
		}
	}
	return "go"
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "libbpf-setup: "+format+"\n", args...)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
