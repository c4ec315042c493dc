package main

import (
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// guestFiles is what every guest gets, whatever its kernel: busybox, the
// host tools with their shared libraries, the test binaries next to their
// testdata at the module's own path (so that paths the tests compute from
// their sources hold), and the goprobe targets prebuilt on the host.
type guestFiles struct {
	moduleRoot string
	busybox    string
	tests      []guestTest
	env        []string
	extraDirs  []string // host directories shipped at the same path
	run        string   // -test.run of every test binary, when set
	// root is where the tools and libraries of the guests' architecture
	// are: the host's root, or the unpacked Debian packages of another
	// architecture.
	root string
	// overlay holds another architecture's builds of the testdata's ELF
	// files (BPF objects, test targets) at their paths relative to the
	// checkout; "" when the guests run the host's architecture.
	overlay string
	files   []shipped // every file above but busybox, collected by collect
}

// shipped is a file of the guests at path, copied from src.
type shipped struct {
	path, src string
}

type guestTest struct {
	pkg, dir, binary, skip string
}

// buildTests compiles each test package into a statically linked test
// binary in out, with env added to the go command's environment (a cross
// build's GOARCH, CC and cgo flags).
func buildTests(moduleRoot, out string, tests []testBinary, env []string) ([]guestTest, error) {
	var gts []guestTest
	for _, tb := range tests {
		dir := filepath.Join(moduleRoot, filepath.FromSlash(tb.pkg))
		bin := filepath.Join(out, strings.NewReplacer("/", "_", ".", "_").Replace(strings.TrimPrefix(tb.pkg, "./"))+".test")
		if tb.pkg == "." {
			bin = filepath.Join(out, "root.test")
		}
		logf("building the test binary of %s", tb.pkg)
		// netgo and osusergo: no glibc NSS lookups, which a static binary
		// cannot load.
		cmd := exec.Command("go", "test", "-c", "-o", bin, "-tags", "netgo,osusergo", "-ldflags", "-extldflags -static", tb.pkg)
		cmd.Dir = moduleRoot
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go test -c %s: %w", tb.pkg, err)
		}
		gts = append(gts, guestTest{pkg: tb.pkg, dir: dir, binary: bin, skip: tb.skip})
	}
	return gts, nil
}

// goprobePackage builds its test programs with the Go toolchain, which the
// guests lack.
const goprobePackage = "./callbacks/goprobe"

// prebuildGoprobeTargets runs goprobe's TestBuildTargets on the host, which
// builds the target programs into dir for the guests, which have no Go
// toolchain: GOARCH in its environment makes the host's default build the
// guests' architecture. Another architecture's test binary cannot run on the
// host: the host's build of the package's tests (in out/host-tests) does it.
func prebuildGoprobeTargets(moduleRoot, out string, tests []guestTest, dir string, arch *guestArch) (env string, err error) {
	i := slices.IndexFunc(tests, func(gt guestTest) bool { return gt.pkg == goprobePackage })
	if i < 0 {
		return "", nil
	}
	builder := tests[i]
	if arch.cross() {
		host, err := buildTests(moduleRoot, filepath.Join(out, "host-tests"), []testBinary{{pkg: goprobePackage}}, nil)
		if err != nil {
			return "", err
		}
		builder = host[0]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(builder.binary, "-test.run", "^TestBuildTargets$", "-test.count=1")
	cmd.Dir = builder.dir
	cmd.Env = append(os.Environ(), "GOPROBE_TARGETS="+dir, "GOOS=linux", "GOARCH="+arch.goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("prebuilding goprobe's targets: %v\n%s", err, out)
	}
	return "GOPROBE_TARGETS=" + dir, nil
}

// collect lists the files the guests get besides busybox: the test binaries,
// their testdata (another architecture's builds of its ELF files from the
// overlay), the extra directories, and the tools and the dynamically linked
// test targets with the libraries and loader they need, from g.root.
func (g *guestFiles) collect(tools []string) error {
	var files, programs []shipped
	for _, gt := range g.tests {
		files = append(files, shipped{filepath.Join(gt.dir, "vmtest.test"), gt.binary})
		data, err := g.testdata(filepath.Join(gt.dir, "testdata"))
		if err != nil {
			return err
		}
		for _, f := range data {
			if dynamicELF(f.src) {
				programs = append(programs, f)
			} else {
				files = append(files, f)
			}
		}
	}
	for _, d := range g.extraDirs {
		files = append(files, tree(d)...)
	}
	for _, t := range tools {
		src, err := findIn(g.root, t)
		if err != nil {
			return fmt.Errorf("tool %s: %w", t, err)
		}
		programs = append(programs, shipped{t, src})
	}
	withLibs, err := withLibraries(g.root, programs)
	if err != nil {
		return err
	}
	g.files = append(files, withLibs...)
	return nil
}

// tree lists the regular files under dir, each at its own path.
func tree(dir string) []shipped {
	var out []shipped
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, shipped{path, path})
		}
		return nil
	})
	return out
}

// testdata lists a testdata directory's files. The host's builds of its ELF
// files (BPF objects, test targets) are replaced by the overlay's; one the
// overlay lacks is an error, never a host build in a guest of another
// architecture.
func (g *guestFiles) testdata(dir string) ([]shipped, error) {
	files := tree(dir)
	if g.overlay == "" {
		return files, nil
	}
	for i, f := range files {
		if !isELF(f.src) {
			continue
		}
		rel, err := filepath.Rel(g.moduleRoot, f.path)
		if err != nil {
			return nil, err
		}
		files[i].src = filepath.Join(g.overlay, rel)
		if _, err := os.Stat(files[i].src); err != nil {
			return nil, fmt.Errorf("no build of %s for the guests' architecture: %w", f.path, err)
		}
	}
	return files, nil
}

// elfFiles lists the ELF files in the testdata directories dirs, relative to
// moduleRoot: the builds another architecture needs of its own.
func elfFiles(moduleRoot string, dirs []string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		for _, f := range tree(d) {
			if isELF(f.src) {
				rel, err := filepath.Rel(moduleRoot, f.path)
				if err != nil {
					return nil, err
				}
				out = append(out, rel)
			}
		}
	}
	return out, nil
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == elf.ELFMAG
}

// dynamicELF reports whether path is a dynamically linked program.
func dynamicELF(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return (f.Type == elf.ET_EXEC || f.Type == elf.ET_DYN) && interp(f) != ""
}

// interp is a program's dynamic loader (PT_INTERP), or "".
func interp(f *elf.File) string {
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			data, err := io.ReadAll(p.Open())
			if err == nil {
				return strings.TrimRight(string(data), "\x00")
			}
		}
	}
	return ""
}

// withLibraries returns the programs with the loader and the shared
// libraries they need, recursively, found in root the way the loader of
// Debian's multiarch layout finds them (/lib/<triplet>, /usr/lib/<triplet>,
// /lib, /usr/lib), each at the path it is found at. A library already
// loaded by its name (the loader, which libc names) is not looked up again.
func withLibraries(root string, programs []shipped) ([]shipped, error) {
	var out []shipped
	seen, loaded := map[string]bool{}, map[string]bool{}
	var add func(f shipped) error
	add = func(f shipped) error {
		if seen[f.path] {
			return nil
		}
		seen[f.path] = true
		loaded[path.Base(f.path)] = true
		out = append(out, f)
		ef, err := elf.Open(f.src)
		if err != nil {
			return fmt.Errorf("%s: %w", f.src, err)
		}
		defer ef.Close()
		loader := interp(ef)
		needed, err := ef.ImportedLibraries()
		if err != nil {
			return fmt.Errorf("%s: %w", f.src, err)
		}
		var deps []shipped
		if loader != "" {
			src, err := findIn(root, loader)
			if err != nil {
				return fmt.Errorf("the loader of %s: %w", f.path, err)
			}
			deps = append(deps, shipped{loader, src})
		}
		dirs := libraryDirs(ef.Machine)
	needs:
		for _, lib := range needed {
			if loaded[lib] || loader != "" && path.Base(loader) == lib {
				continue
			}
			for _, d := range dirs {
				p := path.Join(d, lib)
				if src, err := findIn(root, p); err == nil {
					deps = append(deps, shipped{p, src})
					continue needs
				}
			}
			return fmt.Errorf("%s needs %s, which is in none of %s under %s", f.path, lib, strings.Join(dirs, " "), root)
		}
		for _, d := range deps {
			if err := add(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range programs {
		if err := add(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// libraryDirs are the directories the loader searches for a machine's
// libraries.
func libraryDirs(m elf.Machine) []string {
	var dirs []string
	for _, a := range arches {
		if a.elfMachine == m {
			dirs = append(dirs, "/lib/"+a.triplet, "/usr/lib/"+a.triplet)
		}
	}
	return append(dirs, "/lib", "/usr/lib")
}

// findIn returns the file that stands at the absolute path p under root,
// following symbolic links inside root (an absolute target is relative to
// root), under either of p's names (usrNames).
func findIn(root, p string) (string, error) {
	var first error
	for _, name := range usrNames(p) {
		src, err := resolveIn(root, name)
		if err == nil {
			return src, nil
		}
		if first == nil {
			first = err
		}
	}
	return "", first
}

// usrNames are a path's names: Debian's packages before the /usr merge put
// /bin, /sbin and /lib files outside /usr, and merged systems reach them
// through both, so /usr/bin/bash is also /bin/bash and the other way round.
func usrNames(p string) []string {
	if rest, ok := strings.CutPrefix(p, "/usr/"); ok {
		return []string{p, "/" + rest}
	}
	return []string{p, "/usr" + p}
}

func resolveIn(root, p string) (string, error) {
	for range 40 {
		host := filepath.Join(root, p)
		st, err := os.Lstat(host)
		if err != nil {
			return "", err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return host, nil
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", err
		}
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(p), target)
		}
		p = target
	}
	return "", fmt.Errorf("%s under %s: too many levels of symbolic links", p, root)
}

// writeInitramfs writes a kernel's initramfs: the common guest files, the
// kernel's modules and /init.
func writeInitramfs(path string, arch *guestArch, g *guestFiles, mods []kernelModule) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	a := newInitramfs(f)
	for _, d := range []string{"dev", "proc", "sys", "tmp", "run", "root", "sbin", "usr/bin", "usr/sbin"} {
		a.Dir(d)
	}
	a.CopyFile("bin/busybox", g.busybox)
	// Programs and libraries at the paths the loader and its library
	// search find them at.
	for _, s := range g.files {
		a.CopyFile(s.path, s.src)
	}
	for i, m := range mods {
		a.File(fmt.Sprintf("modules/%02d-%s.ko", i, m.name), 0o644, m.data)
	}
	a.File("init", 0o755, []byte(initScript(arch, g)))
	return a.Close()
}

// initScript is the guest's /init: it mounts what the tests need, loads the
// modules (the channels' first) and runs each test binary with CI=true, its
// -test.v output going to the results channel and its exit status, then the
// guest's, to the status channel, which nothing else writes to. (QEMU's
// isa-debug-exit device would need /dev/port, which Debian's cloud kernels
// lack.)
func initScript(arch *guestArch, g *guestFiles) string {
	var b strings.Builder
	b.WriteString(`#!/bin/busybox sh
/bin/busybox mkdir -p /bin /sbin
for a in $(/bin/busybox --list); do [ -e /bin/$a ] || /bin/busybox ln -s busybox /bin/$a; done
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp CI=true
`)
	for _, e := range g.env {
		fmt.Fprintf(&b, "export %s\n", shellQuote(e))
	}
	fmt.Fprintf(&b, "VMTEST_RUN=%s\n", shellQuote(g.run))
	fmt.Fprintf(&b, "out=%s\nst=%s\n", shellQuote(arch.resultsDev), shellQuote(arch.statusDev))
	b.WriteString(`mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
`)
	// Scratch file systems on /tmp and /run, unless the guest's files are
	// there (a checkout under /tmp), which a mount would hide: the
	// initramfs's root is in memory already.
	for _, dir := range []string{"/tmp", "/run"} {
		if g.shipsUnder(dir) {
			fmt.Fprintf(&b, "chmod 1777 %s\n", dir)
		} else {
			fmt.Fprintf(&b, "mount -t tmpfs tmpfs %s\n", dir)
		}
	}
	b.WriteString(`mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/debug/tracing
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# As an init system does: enabling a controller for the root's children also
# gives them the implicit ones (perf_event), which cgroup events need.
echo +pids > /sys/fs/cgroup/cgroup.subtree_control
/bin/ip link set lo up
failed=
for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || failed="$failed $m"
done
# A virtio port appears once its driver has heard of it from QEMU.
for d in $out $st; do
	n=0
	while [ ! -e $d ] && [ $n -lt 30 ]; do sleep 1; n=$((n+1)); done
	[ -e $d ] || echo "VMTEST: no channel device $d" > /dev/console
done
stty -F $out raw -echo 2>/dev/null
stty -F $st raw -echo 2>/dev/null
mount -t securityfs securityfs /sys/kernel/security
for m in $failed; do echo "VMTEST-WARN insmod $m failed" > $out; done
echo "VMTEST-KERNEL $(uname -r)" > $out
echo "VMTEST-LSM $(cat /sys/kernel/security/lsm 2>/dev/null)" > $out
echo "VMTEST-CGROUP2 $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" > $out
echo "VMTEST-CGROUPS $(tr '\n\t' '; ' < /proc/cgroups)" > $out
status=0
run() {
	echo "VMTEST-BEGIN $1" > $out
	cd "$2"
	start=$(date +%s)
	set -- "$1" "$2" "$3" -test.v -test.count=1 -test.timeout=10m
	[ -n "$3" ] && set -- "$@" -test.skip "$3"
	[ -n "$VMTEST_RUN" ] && set -- "$@" -test.run "$VMTEST_RUN"
	pkg=$1
	shift 3
	./vmtest.test "$@" > $out 2>&1
	rc=$?
	echo "VMTEST-END $pkg $rc $(( $(date +%s) - start ))" > $out
	echo "exit $pkg $rc" > $st
	[ $rc = 0 ] || status=1
	cd /
}
`)
	for _, gt := range g.tests {
		fmt.Fprintf(&b, "run %s %s %s\n", shellQuote(gt.pkg), shellQuote(gt.dir), shellQuote(gt.skip))
	}
	b.WriteString(`echo "VMTEST-DONE $status" > $out
echo "status $status" > $st
sync
poweroff -f
`)
	return b.String()
}

// shipsUnder reports whether a file the guests get lies under dir.
func (g *guestFiles) shipsUnder(dir string) bool {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	return slices.ContainsFunc(g.files, func(s shipped) bool { return strings.HasPrefix(s.path, prefix) })
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
