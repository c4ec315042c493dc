package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	pin "github.com/golibbpf/libbpf/libbpf"
)

func TestRevisions(t *testing.T) {
	showsrc := "Package: libbpf\nVersion: 1:0.8.1-1\n\nPackage: libbpf\nVersion: " + pin.Version + "-2\n\n" +
		"Package: libbpf\nVersion: " + pin.Version + "-1\nVersion: " + pin.Version + "-2\n"
	if got, want := revisions([]byte(showsrc)), []string{pin.Version + "-2", pin.Version + "-1"}; !slices.Equal(got, want) {
		t.Errorf("revisions: %q, want %q", got, want)
	}
}

func TestRequiresPrivate(t *testing.T) {
	pc := filepath.Join(t.TempDir(), "libbpf.pc")
	if err := os.WriteFile(pc, []byte("Name: libbpf\nRequires.private: libelf >= 0.166, zlib\nLibs: -lbpf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := requiresPrivate(pc)
	if want := []string{"libelf", "zlib"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("requiresPrivate: %q, %v; want %q", got, err, want)
	}
}

// The setup refuses a tarball that is not the pinned one, and a source tree
// of another release.
func TestVerify(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "libbpf.tar.gz")
	if err := os.WriteFile(bad, []byte("not libbpf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := verify(bad); err == nil {
		t.Error("verify accepted a tarball with another sha256")
	}
	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(filepath.Join(tree, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"Makefile":         "all:\n",
		"libbpf_version.h": "#define LIBBPF_MAJOR_VERSION 1\n#define LIBBPF_MINOR_VERSION 99\n",
	} {
		if err := os.WriteFile(filepath.Join(tree, "src", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := userTree(tree); err == nil {
		t.Error("a LIBBPF_SRC tree of libbpf 1.99 was accepted")
	}
}

func TestCgoQuote(t *testing.T) {
	env := cgoEnv("/a b/c")
	if want := "-O2 -g '-I/a b/c/include'"; env[0][1] != want {
		t.Errorf("CGO_CFLAGS %q, want %q", env[0][1], want)
	}
}
