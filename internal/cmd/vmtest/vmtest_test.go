package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

// The pinned matrix parses for each architecture, names the oldest and
// newest kernels with the architecture's packages, and a subset is chosen
// by name.
func TestReadMatrix(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		m, err := readMatrix("../../../vmtest/matrix", arch)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range m.kernels {
			for _, p := range k.packages {
				if !strings.HasSuffix(p, "-cloud-"+arch) {
					t.Errorf("%s: kernel %s package %s, want one for %s", arch, k.name, p, arch)
				}
			}
		}
		if m.vmlinux == "" || len(m.sysroot) == 0 {
			t.Errorf("%s: no vmlinux kernel or sysroot packages for cross builds", arch)
		}
	}
	m, err := readMatrix("../../../vmtest/matrix", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := m.selectKernels([]string{"5.10", "sid"})
	if err != nil || len(ks) != 2 || ks[0].name != "5.10" || ks[1].name != "sid" {
		t.Fatalf("selectKernels(5.10 sid) = %+v, %v", ks, err)
	}
	for _, k := range m.kernels {
		if k.suite == "" || len(k.packages) == 0 {
			t.Errorf("kernel %s has no suite or packages", k.name)
		}
	}
	if !slices.ContainsFunc(m.tests, func(tb testBinary) bool { return tb.pkg == "." }) || m.busyboxPackage == "" {
		t.Errorf("matrix without the root package's tests or busybox: %+v", m)
	}
	if _, err := m.selectKernels([]string{"2.6"}); err == nil || !strings.Contains(err.Error(), "5.10") {
		t.Errorf("an unknown kernel: %v, want an error listing the matrix's kernels", err)
	}
	bad := filepath.Join(t.TempDir(), "matrix")
	if err := os.WriteFile(bad, []byte("kernel 6.1 bookworm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readMatrix(bad, "amd64"); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("a kernel line without packages: %v, want an error naming the line", err)
	}
	if err := os.WriteFile(bad, []byte("kernel 6.1 bookworm linux-image-6.1\nbusybox bookworm busybox-static\ntest .\nvmlinux sid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readMatrix(bad, "amd64"); err == nil || !strings.Contains(err.Error(), "sid") {
		t.Errorf("vmlinux naming no kernel of the matrix: %v, want an error", err)
	}
}

// The architectures are known by GOARCH, the host's by default.
func TestArchNamed(t *testing.T) {
	if a, err := archNamed(""); err != nil || a.goarch != runtime.GOARCH || a.cross() {
		t.Errorf("archNamed(\"\") = %+v, %v; want the host's", a, err)
	}
	a, err := archNamed("arm64")
	if err != nil {
		t.Fatal(err)
	}
	if a.cross() != (runtime.GOARCH != "arm64") {
		t.Errorf("arm64 cross = %v on %s", a.cross(), runtime.GOARCH)
	}
	if !slices.Contains(a.channels("r", "s"), "file,id=results,path=r") || !strings.Contains(bootOptions(a), "console=ttyAMA0") {
		t.Errorf("arm64 channels %q, boot options %q", a.channels("r", "s"), bootOptions(a))
	}
	if _, err := archNamed("mips"); err == nil || !strings.Contains(err.Error(), "arm64") {
		t.Errorf("archNamed(mips) = %v, want an error naming the known ones", err)
	}
}

// The BTF blob is found in an image among bytes that look like its header
// but are not one, gzipped or not.
func TestImageBTF(t *testing.T) {
	blob := func(types, strs []byte) []byte {
		h := make([]byte, 24)
		copy(h, []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0})
		binary.LittleEndian.PutUint32(h[12:], uint32(len(types)))
		binary.LittleEndian.PutUint32(h[16:], uint32(len(types)))
		binary.LittleEndian.PutUint32(h[20:], uint32(len(strs)))
		return append(append(h, types...), strs...)
	}
	want := blob(make([]byte, 12), []byte("\x00int\x00"))
	decoy := blob(make([]byte, 4), []byte("xx")) // strings not starting with ""
	image := append(append(append([]byte("MZ..."), decoy...), want...), []byte("tail")...)
	got, err := imageBTF(image)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("imageBTF = %x, %v; want %x", got, err, want)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(image)
	zw.Close()
	if got, err := imageBTF(gz.Bytes()); err != nil || !bytes.Equal(got, want) {
		t.Errorf("imageBTF(gzipped) = %x, %v", got, err)
	}
	if _, err := imageBTF(decoy); err == nil {
		t.Error("imageBTF found BTF in an image without it")
	}
}

// The library resolver finds what ldd finds for a host program: its loader
// and every library it loads.
func TestWithLibraries(t *testing.T) {
	ldd, err := exec.LookPath("ldd")
	if err != nil {
		testutil.SkipOrFail(t, "ldd is needed to compare: %v", err)
	}
	for _, prog := range []string{"/usr/bin/bash", "/usr/sbin/ip"} {
		files, err := withLibraries("/", []shipped{{prog, prog}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range files {
			got = append(got, f.path)
		}
		out, err := exec.Command(ldd, prog).Output()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{prog}
		for _, field := range strings.Fields(string(out)) {
			if strings.HasPrefix(field, "/") {
				want = append(want, field)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("withLibraries(%s) = %q, ldd lists %q", prog, got, want)
		}
	}
}

func TestParseExports(t *testing.T) {
	env, err := parseExports("export CGO_CFLAGS='-O2 -g -I/a/include'\nexport CGO_LDFLAGS='-L/it'\\''s'\n")
	if want := []string{"CGO_CFLAGS=-O2 -g -I/a/include", "CGO_LDFLAGS=-L/it's"}; err != nil || !slices.Equal(env, want) {
		t.Errorf("parseExports = %q, %v; want %q", env, err, want)
	}
	if _, err := parseExports("CGO_CFLAGS=x"); err == nil {
		t.Error("parseExports accepted a line without export")
	}
}

// The initramfs writer's archive is one cpio (GNU cpio, an independent
// reader) lists with its directories, file contents and links.
func TestInitramfs(t *testing.T) {
	cpio, err := exec.LookPath("cpio")
	if err != nil {
		testutil.SkipOrFail(t, "cpio is needed to read the archive back: %v", err)
	}
	var buf bytes.Buffer
	a := newInitramfs(&buf)
	a.Dir("dev")
	a.File("usr/lib/x/data", 0o644, []byte("hello"))
	a.Symlink("bin/sh", "busybox")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(cpio, "-idm", "--quiet")
	cmd.Dir, cmd.Stdin = dir, &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -id: %v: %s", err, out)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "usr/lib/x/data")); err != nil || string(data) != "hello" {
		t.Errorf("usr/lib/x/data = %q, %v", data, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || target != "busybox" {
		t.Errorf("bin/sh -> %q, %v", target, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "dev")); err != nil || !st.IsDir() {
		t.Errorf("dev: %v, %v", st, err)
	}
}

// A checkout under /tmp keeps its files in the guest: /init mounts no
// tmpfs over a directory the initramfs ships files in.
func TestInitScriptKeepsShippedDirs(t *testing.T) {
	arch, err := archNamed("amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		checkout string
		mounts   []string
	}{
		{"/work/checkout", []string{"/tmp", "/run"}},
		{"/tmp/checkout", []string{"/run"}},
		{"/run/user/checkout", []string{"/tmp"}},
	} {
		g := &guestFiles{files: []shipped{{tc.checkout + "/vmtest.test", "/bin/true"}}}
		script := initScript(arch, g)
		for _, dir := range []string{"/tmp", "/run"} {
			mounted := strings.Contains(script, "mount -t tmpfs tmpfs "+dir+"\n")
			if want := slices.Contains(tc.mounts, dir); mounted != want {
				t.Errorf("checkout %s: tmpfs on %s: %v, want %v", tc.checkout, dir, mounted, want)
			}
		}
	}
}
