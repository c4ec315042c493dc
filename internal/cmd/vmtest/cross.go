package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/golibbpf/libbpf/internal/debianapt"
)

// crossBuild makes what guests of another architecture than the host's
// need built for them, in out (build/vmtest/<arch>), without touching the
// system's dpkg architectures or the checkout's own build:
//
//   - a sysroot of that architecture's Debian packages from the host's
//     release: the matrix's -dev packages, which libbpf and the test
//     binaries link against statically, and the packages the host's tools
//     and their libraries come from, whose builds for the guests ship
//     (bash, iproute2, libc6, ...);
//   - libbpf, by cmd/libbpf-setup's cross mode (CC=<triplet>-gcc, -sysroot);
//   - vmlinux.h, from the BTF in the image of the matrix's vmlinux kernel;
//   - the testdata's BPF objects and test targets, by the Makefile's cross
//     rules, under out/tree at their paths in the checkout;
//   - the environment that cross-builds the test binaries (GOARCH, CC and
//     the cgo flags of that libbpf).
type crossBuild struct {
	moduleRoot, out string
	arch            *guestArch
	m               *matrix
	codename        string   // the host's release, the sysroot's suite
	toolPackages    []string // the Debian packages the host's tools come from
}

func newCrossBuild(moduleRoot, out string, arch *guestArch, m *matrix) (*crossBuild, error) {
	if _, err := exec.LookPath(arch.triplet + "-gcc"); err != nil {
		return nil, fmt.Errorf("%s guests need the cross compiler (apt-get install gcc-%s libc6-dev-%s-cross; make vmtest ARCH=%s installs it): %w",
			arch.goarch, arch.triplet, arch.goarch, arch.goarch, err)
	}
	if m.vmlinux == "" {
		return nil, errors.New("the matrix names no vmlinux kernel, whose BTF the BPF objects of another architecture are compiled with")
	}
	x := &crossBuild{moduleRoot: moduleRoot, out: out, arch: arch, m: m, codename: debianapt.Codename()}
	if x.codename == "" {
		return nil, errors.New("no VERSION_CODENAME in /etc/os-release: the sysroot's packages come from the host's release")
	}
	var err error
	if x.toolPackages, err = toolPackages(m.tools); err != nil {
		return nil, err
	}
	return x, nil
}

// toolPackages returns the Debian packages that the host's tools and the
// libraries they load belong to, as dpkg knows them.
func toolPackages(tools []string) ([]string, error) {
	var programs []shipped
	for _, t := range tools {
		programs = append(programs, shipped{t, t})
	}
	files, err := withLibraries("/", programs)
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, f := range files {
		pkg, err := dpkgOwner(f.path)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(pkgs, pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	return pkgs, nil
}

// dpkgOwner is the package that installed path, under either of its names
// (usrNames).
func dpkgOwner(path string) (string, error) {
	for _, p := range usrNames(path) {
		out, err := exec.Command("dpkg-query", "-S", p).Output()
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			pkg, file, ok := strings.Cut(line, ": ")
			if ok && file == p && !strings.HasPrefix(pkg, "diversion ") {
				pkg, _, _ = strings.Cut(pkg, ":") // libc6:amd64
				return pkg, nil
			}
		}
	}
	return "", fmt.Errorf("dpkg-query -S %s: no package installed it (the guests of another architecture get its Debian package's build)", path)
}

func (x *crossBuild) sysroot() string { return filepath.Join(x.out, "sysroot") }

// tree holds the architecture's builds of the testdata's ELF files.
func (x *crossBuild) tree() string { return filepath.Join(x.out, "tree") }

func (x *crossBuild) vmlinuxKernel() kernel {
	i := slices.IndexFunc(x.m.kernels, func(k kernel) bool { return k.name == x.m.vmlinux })
	return x.m.kernels[i]
}

// fetches are the packages the build needs: the sysroot's and the vmlinux
// kernel's.
func (x *crossBuild) fetches() []fetched {
	pkgs := append(slices.Clone(x.m.sysroot), x.toolPackages...)
	return []fetched{
		{root: x.sysroot(), stamp: x.sysroot() + ".stamp", suite: x.codename, packages: pkgs},
		kernelPackages(x.out, x.vmlinuxKernel()),
	}
}

func (x *crossBuild) suites() []string { return []string{x.codename, x.vmlinuxKernel().suite} }

// prepare builds libbpf, vmlinux.h and the ELF files of the tests'
// testdata for the architecture, and returns the environment that
// cross-builds the test binaries.
func (x *crossBuild) prepare(tests []testBinary) ([]string, error) {
	cc := x.arch.triplet + "-gcc"
	libbpfEnv, err := x.libbpf(cc)
	if err != nil {
		return nil, err
	}
	if err := x.vmlinuxH(); err != nil {
		return nil, err
	}
	var dirs []string
	for _, tb := range tests {
		dirs = append(dirs, filepath.Join(x.moduleRoot, filepath.FromSlash(tb.pkg), "testdata"))
	}
	files, err := elfFiles(x.moduleRoot, dirs)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, f := range files {
		targets = append(targets, filepath.Join(x.tree(), f))
	}
	logf("building %d BPF objects and test targets for %s", len(targets), x.arch.goarch)
	cmd := exec.Command("make", append([]string{"-s", "CROSS_DIR=" + x.out, "CROSS_TRIPLET=" + x.arch.triplet,
		"CROSS_BPF_ARCH=" + x.arch.bpfArch}, targets...)...)
	cmd.Dir = x.moduleRoot
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("make (the %s builds of the testdata): %w", x.arch.goarch, err)
	}
	return append([]string{"GOOS=linux", "GOARCH=" + x.arch.goarch, "CGO_ENABLED=1", "CC=" + cc}, libbpfEnv...), nil
}

// libbpf builds libbpf for the architecture into out/libbpf with
// cmd/libbpf-setup and returns the cgo environment it prints.
func (x *crossBuild) libbpf(cc string) ([]string, error) {
	cmd := exec.Command("go", "run", "./cmd/libbpf-setup", "-out", filepath.Join(x.out, "libbpf"),
		"-work", filepath.Join(x.moduleRoot, "libbpf", "work"), "-sysroot", x.sysroot())
	cmd.Dir = x.moduleRoot
	cmd.Env = append(os.Environ(), "CC="+cc, "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("libbpf-setup for %s: %w", x.arch.goarch, err)
	}
	return parseExports(string(out))
}

// parseExports reads the `export NAME='value'` lines libbpf-setup prints.
func parseExports(out string) ([]string, error) {
	var env []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		kv, ok := strings.CutPrefix(line, "export ")
		name, value, ok2 := strings.Cut(kv, "=")
		if !ok || !ok2 || len(value) < 2 || value[0] != '\'' || value[len(value)-1] != '\'' {
			return nil, fmt.Errorf("libbpf-setup printed %q, want export NAME='value'", line)
		}
		env = append(env, name+"="+strings.ReplaceAll(value[1:len(value)-1], `'\''`, `'`))
	}
	return env, nil
}

// vmlinuxH writes out/include/vmlinux.h from the vmlinux kernel's BTF,
// leaving it untouched (and the objects built with it current) when it has
// not changed.
func (x *crossBuild) vmlinuxH() error {
	k := x.vmlinuxKernel()
	image, err := vmlinuz(kernelPackages(x.out, k).root)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(image)
	if err != nil {
		return err
	}
	btf, err := imageBTF(data)
	if err != nil {
		return fmt.Errorf("kernel %s: %s: %w", k.name, image, err)
	}
	dir := filepath.Join(x.out, "include")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw := filepath.Join(dir, "vmlinux.btf")
	if err := os.WriteFile(raw, btf, 0o644); err != nil {
		return err
	}
	h, err := exec.Command("bpftool", "btf", "dump", "file", raw, "format", "c").Output()
	if err != nil {
		return fmt.Errorf("bpftool btf dump file %s format c: %w", raw, err)
	}
	path := filepath.Join(dir, "vmlinux.h")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, h) {
		return nil
	}
	logf("vmlinux.h for %s from kernel %s's BTF", x.arch.goarch, k.name)
	return os.WriteFile(path, h, 0o644)
}

// imageBTF finds the kernel's BTF (what it serves as /sys/kernel/btf/vmlinux,
// the .BTF section of vmlinux) in a kernel image, uncompressed or gzipped
// (arm64's Image and Image.gz): it is the largest blob that starts with a
// little-endian BTF header of version 1 whose type and string sections
// follow it back to back, the strings starting with the empty one.
func imageBTF(image []byte) ([]byte, error) {
	if bytes.HasPrefix(image, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(image))
		if err != nil {
			return nil, err
		}
		if image, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	const hdrLen = 24
	magic := []byte{0x9f, 0xeb, 1, 0, hdrLen, 0, 0, 0} // magic 0xeB9F, version 1, flags 0, hdr_len
	var best []byte
	for off := 0; ; {
		i := bytes.Index(image[off:], magic)
		if i < 0 {
			break
		}
		start := off + i
		off = start + 1
		if len(image)-start < hdrLen {
			break
		}
		h := image[start:]
		typeOff, typeLen := binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
		strOff, strLen := binary.LittleEndian.Uint32(h[16:]), binary.LittleEndian.Uint32(h[20:])
		size := uint64(hdrLen) + uint64(strOff) + uint64(strLen)
		if typeOff != 0 || strOff != typeLen || typeLen == 0 || strLen == 0 || size > uint64(len(h)) || h[hdrLen+strOff] != 0 {
			continue
		}
		if int(size) > len(best) {
			best = h[:size]
		}
	}
	if best == nil {
		return nil, errors.New("no BTF in the kernel image (built without CONFIG_DEBUG_INFO_BTF?)")
	}
	return best, nil
}
