package main

import (
	"bytes"
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
