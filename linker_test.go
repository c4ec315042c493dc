package libbpf_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestLinker links two objects, one added as a file and one from memory,
// and runs the programs of the result: linked_main calls a function and
// reads a variable that only the other object defines.
func TestLinker(t *testing.T) {
	testutil.RequireKernel(t)
	a, b := testutil.Object(t, "testdata/linker_a.bpf.o"), testutil.Object(t, "testdata/linker_b.bpf.o")
	bData, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	before := testutil.OpenFDs(t)
	out := filepath.Join(t.TempDir(), "linked.bpf.o")
	l, err := libbpf.NewLinker(out, libbpf.LinkerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddFile(a, libbpf.LinkerFileOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddBuf(bData, libbpf.LinkerFileOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Finalize(); err != nil {
		t.Fatal(err)
	}
	if err := l.AddFile(a, libbpf.LinkerFileOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddFile after Finalize: %v, want EINVAL", err)
	}
	if err := l.Close(); err != nil || l.Close() != nil {
		t.Errorf("Close: %v", err)
	}
	if err := l.AddFile(a, libbpf.LinkerFileOptions{}); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("AddFile after Close: %v, want ErrClosed", err)
	}
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after linking, %d before", after, before)
	}

	obj, err := libbpf.OpenObjectFile(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]uint32{"linked_main": 42, "linked_other": 5} {
		p := obj.Program(name)
		if p == nil {
			t.Fatalf("the linked object has no program %s", name)
		}
		if got := run(t, p); got != want {
			t.Errorf("%s returned %d, want %d", name, got, want)
		}
	}
}

func TestLinkerErrors(t *testing.T) {
	testutil.RequireKernel(t)
	dir := t.TempDir()
	if _, err := libbpf.NewLinker("", libbpf.LinkerOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("NewLinker(\"\"): %v, want EINVAL", err)
	}
	if _, err := libbpf.NewLinker(filepath.Join(dir, "no/such/dir/out.o"), libbpf.LinkerOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("NewLinker in a missing directory: %v, want ENOENT", err)
	}
	before := testutil.OpenFDs(t)
	l, err := libbpf.NewLinker(filepath.Join(dir, "out.o"), libbpf.LinkerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddFile(filepath.Join(dir, "missing.o"), libbpf.LinkerFileOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("AddFile of a missing file: %v, want ENOENT", err)
	}
	if err := l.AddBuf(nil, libbpf.LinkerFileOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddBuf(nil): %v, want EINVAL", err)
	}
	if err := l.AddBuf([]byte("not an ELF file"), libbpf.LinkerFileOptions{}); err == nil {
		t.Error("AddBuf of garbage succeeded")
	}
	// The same object twice defines its program and license twice.
	a := testutil.Object(t, "testdata/linker_b.bpf.o")
	if err := l.AddFile(a, libbpf.LinkerFileOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddFile(a, libbpf.LinkerFileOptions{}); err == nil {
		t.Error("adding an object twice succeeded")
	}
	l.Close()
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after the failed links, %d before", after, before)
	}

	// Linking into an fd the caller keeps.
	f, err := os.Create(filepath.Join(dir, "fd.o"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err = libbpf.NewLinkerFD(int(f.Fd()), libbpf.LinkerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := l.AddFD(int(in.Fd()), libbpf.LinkerFileOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Finalize(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if st, err := f.Stat(); err != nil || st.Size() == 0 {
		t.Errorf("the fd's file after Finalize: %v, %v", st, err)
	}
	if _, err := f.Write(nil); err != nil {
		t.Errorf("the linker closed the caller's fd: %v", err)
	}
}
