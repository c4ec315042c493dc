package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestBTFDump(t *testing.T) {
	testutil.RequireKernel(t)
	var out, errOut bytes.Buffer
	if code := bpfrun([]string{"btf", "dump"}, &out, &errOut); code != 0 {
		t.Fatalf("btf dump: exit %d: %s", code, errOut.String())
	}
	h := out.String()
	if !strings.HasPrefix(h, "#ifndef __VMLINUX_H__\n") || !strings.Contains(h, "struct task_struct {\n") ||
		!strings.HasSuffix(h, "#endif /* __VMLINUX_H__ */\n") {
		t.Errorf("btf dump wrote %d bytes that are not a vmlinux.h", len(h))
	}
	errOut.Reset()
	if code := bpfrun([]string{"btf", "dump", "/no/such/file"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no such file") {
		t.Errorf("btf dump of a missing file: exit %d, %q", code, errOut.String())
	}
	if code := bpfrun([]string{"btf"}, &out, &errOut); code != 2 {
		t.Errorf("btf without dump: exit %d, want 2", code)
	}
}

// TestBTFDumpCompiles: the header `bpfrun btf dump` writes is a vmlinux.h
// that a CO-RE program builds against: testdata/tools.bpf.c compiles with
// it in place of the build's, and the object runs.
func TestBTFDumpCompiles(t *testing.T) {
	testutil.RequireKernel(t)
	dir := t.TempDir()
	header := filepath.Join(dir, "vmlinux.h")
	r := runBin(t, "btf", "dump")
	if r.code != 0 {
		t.Fatalf("btf dump: exit %d: %s", r.code, r.stderr)
	}
	if err := os.WriteFile(header, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	root := testutil.RepoRoot()
	obj := filepath.Join(dir, "tools.bpf.o")
	cc := exec.Command("clang-19", "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall", "-Werror",
		"-I", dir, "-I", filepath.Join(root, "libbpf/build/include"), "-idirafter", "/usr/include/x86_64-linux-gnu",
		"-c", "testdata/tools.bpf.c", "-o", obj)
	if msg, err := cc.CombinedOutput(); err != nil {
		if _, lookErr := exec.LookPath("clang-19"); lookErr != nil {
			testutil.SkipOrFail(t, "no clang-19: %v", lookErr)
		}
		t.Fatalf("tools.bpf.c does not build against the dumped vmlinux.h: %v\n%s", err, msg)
	}
	runAttaches(t, "brt_tool_prctl", "--disable", "brt_unattachable", obj)
	noLeftovers(t)
}
