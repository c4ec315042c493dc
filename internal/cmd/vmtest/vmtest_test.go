package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

// The pinned matrix parses, names the oldest and newest kernels, and a
// subset is chosen by name.
func TestReadMatrix(t *testing.T) {
	m, err := readMatrix("../../../vmtest/matrix")
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
	if _, err := readMatrix(bad); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("a kernel line without packages: %v, want an error naming the line", err)
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
