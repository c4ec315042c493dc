package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	pin "github.com/golibbpf/libbpf/libbpf"
)

// builder builds libbpf into out: out/include and out/lib for the plain
// build, out/asan for the AddressSanitizer one, and in out/lib the linker
// scripts the module's #cgo LDFLAGS name.
type builder struct {
	out, work string
	src       string // the source tree, once obtained
	cross     *cross // nil for the machine's own architecture
}

// cross is a cross build's target: the C compiler's triplet and the sysroot
// holding the target's -dev packages (usr/include, usr/lib/<triplet>).
type cross struct {
	triplet, sysroot string
}

// newCross checks a cross build's setup: CC names the target's compiler,
// whose triplet locates the libraries in sysroot.
func newCross(sysroot string) (*cross, error) {
	abs, err := filepath.Abs(sysroot)
	if err != nil {
		return nil, err
	}
	if os.Getenv("CC") == "" {
		return nil, errors.New("-sysroot needs CC set to the target architecture's C compiler (aarch64-linux-gnu-gcc)")
	}
	out, err := exec.Command(cc(), "-dumpmachine").Output()
	if err != nil {
		return nil, fmt.Errorf("%s -dumpmachine: %w", cc(), err)
	}
	c := &cross{triplet: strings.TrimSpace(string(out)), sysroot: abs}
	if !isDir(c.libDir()) {
		return nil, fmt.Errorf("the sysroot %s has no %s (unpack the target's libelf-dev, zlib1g-dev and libzstd-dev there)", abs, c.libDir())
	}
	return c, nil
}

// libDir is the sysroot's multiarch library directory.
func (c *cross) libDir() string { return filepath.Join(c.sysroot, "usr", "lib", c.triplet) }

// cflags are the include directories of the sysroot, after the compiler's own.
func (c *cross) cflags() string {
	return " -idirafter " + filepath.Join(c.sysroot, "usr", "include") +
		" -idirafter " + filepath.Join(c.sysroot, "usr", "include", c.triplet)
}

// pkgConfigEnv makes pkg-config read the sysroot's .pc files and prefix
// their paths with it.
func (c *cross) pkgConfigEnv() []string {
	return []string{
		"PKG_CONFIG_LIBDIR=" + filepath.Join(c.libDir(), "pkgconfig") + ":" + filepath.Join(c.sysroot, "usr", "share", "pkgconfig"),
		"PKG_CONFIG_SYSROOT_DIR=" + c.sysroot,
	}
}

// env is the environment of the commands that look for libbpf's
// dependencies: the machine's, or for a cross build the sysroot's.
func (b *builder) env() []string {
	if b.cross == nil {
		return os.Environ()
	}
	return append(os.Environ(), b.cross.pkgConfigEnv()...)
}

// cflags are a variant's compiler flags for this build's target.
func (b *builder) cflags(v variant) string {
	if b.cross == nil {
		return v.cflags
	}
	return v.cflags + b.cross.cflags()
}

// variant is one build of libbpf.
type variant struct {
	name   string // for messages
	dir    string // install directory, relative to out
	cflags string
	script string // the linker script, in out/lib
}

var (
	plain = variant{name: "libbpf.a", dir: ".", cflags: "-g -O2 -fPIC", script: "libgolibbpf.a"}
	asan  = variant{name: "AddressSanitizer libbpf.a", dir: "asan",
		cflags: "-g -O1 -fPIC -fsanitize=address -fno-omit-frame-pointer", script: "libgolibbpf-asan.a"}
)

func (b *builder) run(withASan bool) error {
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	unlock, err := lock(filepath.Join(b.out, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	variants := []variant{plain}
	if withASan {
		variants = append(variants, asan)
	}
	for _, v := range variants {
		if err := b.build(v); err != nil {
			return err
		}
	}
	// The scripts are written on every run: they name libelf's
	// dependencies as pkg-config gives them today.
	libs, dirs, err := b.libbpfDeps(filepath.Join(b.out, "lib", "pkgconfig", "libbpf.pc"))
	if err != nil {
		return err
	}
	var deps []string
	for _, name := range libs {
		deps = append(deps, staticArchive(name, dirs))
	}
	if err := b.writeScripts(deps); err != nil {
		return err
	}
	if err := b.trialLink(); err != nil {
		// Debian 13's libelf.a (elfutils 0.192) references libeu's
		// eu_search_tree_init without holding it (elfutils 0.193 fixes
		// that): a shared libelf still links.
		logf("warning: libbpf does not link with the static archives of its dependencies %s:\n%v\n"+
			"libbpf-setup: linking them dynamically instead", strings.Join(deps, " "), err)
		deps = deps[:0]
		for _, name := range libs {
			deps = append(deps, "-l"+name)
		}
		if err := b.writeScripts(deps); err != nil {
			return err
		}
		if err := b.trialLink(); err != nil {
			return fmt.Errorf("libbpf does not link with its dependencies %s either: %w", strings.Join(deps, " "), err)
		}
	}
	return nil
}

// writeScripts writes the linker script of each variant built.
func (b *builder) writeScripts(deps []string) error {
	for _, v := range []variant{plain, asan} {
		lib := filepath.Join(b.out, v.dir, "lib", "libbpf.a")
		if isFile(lib) {
			if err := writeScript(filepath.Join(b.out, "lib", v.script), v, lib, deps); err != nil {
				return err
			}
		}
	}
	return nil
}

// trialLink links a C program that opens an object through -lgolibbpf, as
// the module does, which pulls in libbpf's use of libelf and zlib.
func (b *builder) trialLink() error {
	dir, err := os.MkdirTemp("", "libbpf-setup-link-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "trial.c")
	prog := "#include <bpf/libbpf.h>\nint main(void) { return bpf_object__open_mem(\"\", 0, 0) != 0; }\n"
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		return err
	}
	out, err := exec.Command(cc(), "-o", filepath.Join(dir, "trial"), src,
		"-I"+filepath.Join(b.out, "include"), "-L"+filepath.Join(b.out, "lib"), "-lgolibbpf").CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) > 6 {
			lines = append(lines[:6], "...")
		}
		return fmt.Errorf("%w: %s", err, strings.Join(lines, "\n"))
	}
	return nil
}

// stampName, in a variant's lib directory, records what the build in it was
// made from: it is rebuilt when that changes.
const stampName = ".golibbpf-stamp"

// build makes one variant with libbpf's own Makefile, unless the build in
// place was made from the same source and flags.
func (b *builder) build(v variant) error {
	dest := filepath.Join(b.out, v.dir)
	lib := filepath.Join(dest, "lib", "libbpf.a")
	origin := "sha256 " + pin.SHA256
	if src := os.Getenv("LIBBPF_SRC"); src != "" {
		abs, err := filepath.Abs(src)
		if err != nil {
			return err
		}
		origin = "tree " + abs
	}
	stamp := fmt.Sprintf("libbpf %s\n%s\ncflags %s\n", pin.Version, origin, b.cflags(v))
	if b.cross != nil {
		stamp += "cc " + cc() + "\n"
	}
	if got, err := os.ReadFile(filepath.Join(dest, "lib", stampName)); err == nil && string(got) == stamp && isFile(lib) {
		now := time.Now()
		return os.Chtimes(lib, now, now) // up to date; make's rule looks at its time
	}
	if b.src == "" {
		src, err := b.source()
		if err != nil {
			return err
		}
		b.src = src
	}
	for _, tool := range []string{"make", cc()} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("building libbpf needs %s (Debian: apt-get install make gcc libelf-dev zlib1g-dev pkg-config): %w", tool, err)
		}
	}
	tmp := filepath.Join(b.out, ".build-"+filepath.Base(v.script))
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	logf("building %s %s into %s", v.name, pin.Version, dest)
	cmd := exec.Command("make", "-s", "-C", filepath.Join(b.src, "src"), fmt.Sprintf("-j%d", runtime.NumCPU()),
		"BUILD_STATIC_ONLY=1", "OBJDIR="+filepath.Join(tmp, "obj"), "DESTDIR="+tmp,
		"PREFIX=/", "LIBDIR=/lib", "INCLUDEDIR=/include", "UAPIDIR=/include",
		"CC="+cc(), "CFLAGS="+b.cflags(v), "install", "install_uapi_headers")
	cmd.Env = b.env()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building libbpf with its Makefile in %s: %w", b.src, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "lib", stampName), []byte(stamp), 0o644); err != nil {
		return err
	}
	for _, d := range []string{"include", "lib"} {
		if err := os.RemoveAll(filepath.Join(dest, d)); err != nil {
			return err
		}
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, d), filepath.Join(dest, d)); err != nil {
			return err
		}
	}
	return nil
}

// libbpfDeps returns what a static link of libbpf.a needs after it: the
// libraries of the packages its pkg-config file requires privately (libelf,
// zlib), with their own private dependencies, from `pkg-config --static
// --libs`, and the directories it names (a cross build's sysroot first).
func (b *builder) libbpfDeps(pc string) (libs, dirs []string, err error) {
	pkgs, err := requiresPrivate(pc)
	if err != nil {
		return nil, nil, err
	}
	if b.cross != nil {
		dirs = append(dirs, b.cross.libDir())
	}
	cmd := exec.Command("pkg-config", append([]string{"--static", "--libs"}, pkgs...)...)
	cmd.Env = b.env()
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, nil, fmt.Errorf("pkg-config --static --libs %s (Debian: apt-get install pkg-config libelf-dev zlib1g-dev): %w",
			strings.Join(pkgs, " "), err)
	}
	for _, flag := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(flag, "-L"):
			dirs = append(dirs, flag[2:])
		case strings.HasPrefix(flag, "-l"):
			libs = append(libs, flag[2:])
		case flag == "-pthread":
			// libzstd's: every cgo binary links the thread library already.
		default:
			logf("warning: pkg-config flag %s for %s left out of the link", flag, strings.Join(pkgs, " "))
		}
	}
	return libs, dirs, nil
}

// requiresPrivate reads the package names of a .pc file's Requires.private
// (version constraints dropped).
func requiresPrivate(pc string) ([]string, error) {
	f, err := os.Open(pc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		value, ok := strings.CutPrefix(sc.Text(), "Requires.private:")
		if !ok {
			continue
		}
		var pkgs []string
		for _, name := range strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
			if strings.ContainsAny(name[:1], "<>=!0123456789") {
				continue // a version constraint
			}
			pkgs = append(pkgs, name)
		}
		return pkgs, nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s has no Requires.private", pc)
}

// staticArchive finds lib<name>.a (or the file -l:<file> names) in dirs,
// then where the C compiler would; it returns the archive's path, or -l<name>
// when there is none.
func staticArchive(name string, dirs []string) string {
	file := "lib" + name + ".a"
	if f, ok := strings.CutPrefix(name, ":"); ok {
		file = f
	}
	for _, d := range dirs {
		if p := filepath.Join(d, file); isFile(p) {
			return p
		}
	}
	if out, err := exec.Command(cc(), "-print-file-name="+file).Output(); err == nil {
		if p := strings.TrimSpace(string(out)); filepath.IsAbs(p) && isFile(p) {
			return filepath.Clean(p)
		}
	}
	logf("warning: no static %s: -l%s links dynamically", file, name)
	return "-l" + name
}

// writeScript writes the linker script that stands for a variant's libbpf.a
// and its dependencies: ld reads a file it cannot parse as an archive as a
// script, and GROUP resolves the archives' references among each other.
func writeScript(path string, v variant, lib string, deps []string) error {
	var inputs []string
	for _, p := range append([]string{lib}, deps...) {
		if strings.ContainsAny(p, " \t\"") {
			p = `"` + p + `"`
		}
		inputs = append(inputs, p)
	}
	script := fmt.Sprintf("/* Written by libbpf-setup: the %s of libbpf %s (sha256 %s)\n"+
		" * and its dependencies, for github.com/golibbpf/libbpf's #cgo LDFLAGS: -l%s. */\nGROUP ( %s )\n",
		v.name, pin.Version, pin.SHA256[:12], strings.TrimSuffix(strings.TrimPrefix(v.script, "lib"), ".a"),
		strings.Join(inputs, " "))
	if old, err := os.ReadFile(path); err == nil && string(old) == script {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(script), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cc is the C compiler libbpf is built with and libraries are looked up by.
func cc() string {
	if c := os.Getenv("CC"); c != "" {
		return c
	}
	return "cc"
}

// lock takes an exclusive lock on path, waiting for another libbpf-setup
// that holds it.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		logf("waiting for another libbpf-setup working in %s", filepath.Dir(path))
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
	}
	return func() { f.Close() }, nil
}
