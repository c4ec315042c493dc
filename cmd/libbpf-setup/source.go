package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	pin "github.com/golibbpf/libbpf/libbpf"
)

// verifiedMarker, inside a tree unpacked from a tarball, holds the sha256 the
// tarball had: such a tree is reused without unpacking it again.
const verifiedMarker = ".golibbpf-sha256"

// source returns a libbpf source tree of the pinned release (one that has
// src/Makefile), obtained as the package comment says.
func (b *builder) source() (string, error) {
	if dir := os.Getenv("LIBBPF_SRC"); dir != "" {
		return userTree(dir)
	}
	tarball := filepath.Join(b.work, "libbpf_"+pin.Version+".orig.tar.gz")
	tree := filepath.Join(b.work, "libbpf-"+pin.Version)
	if given := os.Getenv("LIBBPF_TARBALL"); given != "" {
		if err := verify(given); err != nil {
			return "", err
		}
		if err := copyFile(given, tarball); err != nil {
			return "", err
		}
	} else if !isFile(tarball) {
		if err := fetchDebian(tarball); err != nil {
			return "", err
		}
	}
	if err := verify(tarball); err != nil {
		return "", err
	}
	if mark, err := os.ReadFile(filepath.Join(tree, verifiedMarker)); err == nil &&
		strings.TrimSpace(string(mark)) == pin.SHA256 && isFile(filepath.Join(tree, "src", "Makefile")) {
		return tree, nil
	}
	logf("unpacking %s into %s", tarball, tree)
	if err := unpack(tarball, tree); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tree, verifiedMarker), []byte(pin.SHA256+"\n"), 0o644); err != nil {
		return "", err
	}
	return tree, nil
}

// userTree checks a LIBBPF_SRC tree: it must hold libbpf's sources of the
// pinned major.minor release. There is no checksum to compare a tree with.
func userTree(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if !isFile(filepath.Join(dir, "src", "Makefile")) {
		return "", fmt.Errorf("LIBBPF_SRC=%s has no src/Makefile: not a libbpf source tree", dir)
	}
	got, err := treeVersion(dir)
	if err != nil {
		return "", fmt.Errorf("LIBBPF_SRC=%s: %w", dir, err)
	}
	if got != pin.MajorMinor() {
		return "", fmt.Errorf("LIBBPF_SRC=%s holds libbpf %s, the module is pinned to %s", dir, got, pin.Version)
	}
	logf("using the source tree LIBBPF_SRC=%s (libbpf %s, not checksummed)", dir, got)
	return dir, nil
}

// treeVersion reads major.minor from a source tree's src/libbpf_version.h.
func treeVersion(dir string) (string, error) {
	f, err := os.Open(filepath.Join(dir, "src", "libbpf_version.h"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	var major, minor string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || fields[0] != "#define" {
			continue
		}
		switch fields[1] {
		case "LIBBPF_MAJOR_VERSION":
			major = fields[2]
		case "LIBBPF_MINOR_VERSION":
			minor = fields[2]
		}
	}
	if major == "" || minor == "" {
		return "", errors.New("src/libbpf_version.h declares no LIBBPF_MAJOR_VERSION/LIBBPF_MINOR_VERSION")
	}
	return major + "." + minor, sc.Err()
}

// verify checks a tarball against the pinned sha256.
func verify(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != pin.SHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s (libbpf %s)", path, got, pin.SHA256, pin.Version)
	}
	return nil
}

// copyFile copies src to dst through a temporary file, unless both are the
// same file.
func copyFile(src, dst string) error {
	if a, err := os.Stat(src); err == nil {
		if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
			return nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// unpack extracts a gzip'ed tarball whose entries share one top directory
// into dir, without that top directory. The previous dir is replaced.
func unpack(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", tarball, err)
	}
	tmp := dir + ".unpack"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tarball, err)
		}
		_, rel, _ := strings.Cut(strings.TrimPrefix(hdr.Name, "./"), "/")
		if rel == "" {
			continue // the top directory itself
		}
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("%s: entry %q leaves the tree", tarball, hdr.Name)
		}
		if err := extract(tr, hdr, tmp, rel); err != nil {
			return fmt.Errorf("%s: %w", tarball, err)
		}
	}
	if !isFile(filepath.Join(tmp, "src", "Makefile")) {
		return fmt.Errorf("%s does not hold a libbpf source tree (no src/Makefile)", tarball)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// extract writes one tar entry to rel inside dir.
func extract(r io.Reader, hdr *tar.Header, dir, rel string) error {
	path := filepath.Join(dir, rel)
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(path, 0o755)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, hdr.FileInfo().Mode().Perm()|0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case tar.TypeSymlink:
		if filepath.IsAbs(hdr.Linkname) || !filepath.IsLocal(filepath.Join(filepath.Dir(rel), hdr.Linkname)) {
			return fmt.Errorf("symlink %s -> %s leaves the tree", hdr.Name, hdr.Linkname)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.Symlink(hdr.Linkname, path)
	default:
		return nil // pax headers and the like carry nothing to extract
	}
}
