package main

import (
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
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
	tools      []string // host paths, tools and their libraries
	tests      []guestTest
	env        []string
	extraDirs  []string // host directories shipped at the same path
	run        string   // -test.run of every test binary, when set
}

type guestTest struct {
	pkg, dir, binary, skip string
}

// buildTests compiles each test package into a statically linked test
// binary in out.
func buildTests(moduleRoot, out string, tests []testBinary) ([]guestTest, error) {
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
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go test -c %s: %w", tb.pkg, err)
		}
		gts = append(gts, guestTest{pkg: tb.pkg, dir: dir, binary: bin, skip: tb.skip})
	}
	return gts, nil
}

// prebuildGoprobeTargets runs goprobe's TestBuildTargets on the host, which
// builds the target programs into dir for the guests, which have no Go
// toolchain.
func prebuildGoprobeTargets(tests []guestTest, dir string) (env string, err error) {
	i := slices.IndexFunc(tests, func(gt guestTest) bool { return gt.pkg == "./callbacks/goprobe" })
	if i < 0 {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(tests[i].binary, "-test.run", "^TestBuildTargets$", "-test.count=1")
	cmd.Dir = tests[i].dir
	cmd.Env = append(os.Environ(), "GOPROBE_TARGETS="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("prebuilding goprobe's targets: %v\n%s", err, out)
	}
	return "GOPROBE_TARGETS=" + dir, nil
}

// withLibraries returns the host programs and the shared libraries and
// dynamic loader they need, as ldd lists them.
func withLibraries(programs []string) ([]string, error) {
	var out []string
	for _, p := range programs {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
		f, err := elf.Open(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		dynamic := f.Section(".interp") != nil
		f.Close()
		if !dynamic {
			continue
		}
		ldd, err := exec.Command("ldd", p).Output()
		if err != nil {
			return nil, fmt.Errorf("ldd %s: %w", p, err)
		}
		for _, line := range strings.Split(string(ldd), "\n") {
			for _, field := range strings.Fields(line) {
				if strings.HasPrefix(field, "/") && !slices.Contains(out, field) {
					out = append(out, field)
				}
			}
		}
	}
	return out, nil
}

// dynamicTargets lists the dynamically linked test targets in the test
// packages' testdata (the C programs the Makefile builds), whose libraries
// the guests need.
func dynamicTargets(tests []guestTest) []string {
	var out []string
	for _, gt := range tests {
		filepath.WalkDir(filepath.Join(gt.dir, "testdata"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if f, err := elf.Open(path); err == nil {
				if f.Type == elf.ET_EXEC || f.Type == elf.ET_DYN {
					if f.Section(".interp") != nil {
						out = append(out, path)
					}
				}
				f.Close()
			}
			return nil
		})
	}
	return out
}

// writeInitramfs writes a kernel's initramfs: the common guest files, the
// kernel's modules and /init.
func writeInitramfs(path string, g *guestFiles, mods []kernelModule) error {
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
	// At the paths ldd names (through the host's usrmerge links): the
	// programs' loader and library search paths find them there.
	for _, t := range g.tools {
		a.CopyFile(t, t)
	}
	for _, gt := range g.tests {
		a.CopyFile(filepath.Join(gt.dir, "vmtest.test"), gt.binary)
		copyTree(a, filepath.Join(gt.dir, "testdata"))
	}
	for _, d := range g.extraDirs {
		copyTree(a, d)
	}
	for i, m := range mods {
		a.File(fmt.Sprintf("modules/%02d-%s.ko", i, m.name), 0o644, m.data)
	}
	a.File("init", 0o755, []byte(initScript(g)))
	return a.Close()
}

// copyTree adds the regular files under dir at their own paths.
func copyTree(a *initramfs, dir string) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			a.CopyFile(path, path)
		}
		return nil
	})
}

// initScript is the guest's /init: it mounts what the tests need, loads the
// modules and runs each test binary with CI=true, its -test.v output going to
// the second serial port (ttyS1) and its exit status, then the guest's, to
// the third (ttyS2), which nothing else writes to. (QEMU's isa-debug-exit
// device would need /dev/port, which Debian's cloud kernels lack.)
func initScript(g *guestFiles) string {
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
	b.WriteString(`mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/debug/tracing
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# As an init system does: enabling a controller for the root's children also
# gives them the implicit ones (perf_event), which cgroup events need.
echo +pids > /sys/fs/cgroup/cgroup.subtree_control
/bin/ip link set lo up
out=/dev/ttyS1
st=/dev/ttyS2
stty -F $out raw -echo 2>/dev/null
stty -F $st raw -echo 2>/dev/null
mount -t securityfs securityfs /sys/kernel/security
for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || echo "VMTEST-WARN insmod $m failed" > $out
done
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

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
