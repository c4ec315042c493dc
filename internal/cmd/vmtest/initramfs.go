package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// initramfs writes a cpio archive in the "newc" format the kernel unpacks
// into its initial root filesystem. Parent directories are added as needed.
type initramfs struct {
	w    *bufio.Writer
	ino  uint32
	dirs map[string]bool
	err  error
}

func newInitramfs(w io.Writer) *initramfs {
	return &initramfs{w: bufio.NewWriterSize(w, 1<<20), dirs: map[string]bool{"": true, ".": true, "/": true}}
}

const (
	cpioDir     = 0o040000
	cpioFile    = 0o100000
	cpioSymlink = 0o120000
)

func (a *initramfs) header(name string, mode uint32, size int) {
	if a.err != nil {
		return
	}
	a.ino++
	nlink := 1
	if mode&0o170000 == cpioDir {
		nlink = 2
	}
	name = strings.TrimPrefix(name, "/")
	_, a.err = fmt.Fprintf(a.w, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\x00",
		a.ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name)+1, 0, name)
	a.pad(110 + len(name) + 1)
}

func (a *initramfs) pad(n int) {
	if a.err == nil && n%4 != 0 {
		_, a.err = a.w.Write(make([]byte, 4-n%4))
	}
}

func (a *initramfs) parents(name string) {
	dir := path.Dir(strings.TrimPrefix(name, "/"))
	if a.dirs[dir] {
		return
	}
	a.parents(dir)
	a.dirs[dir] = true
	a.header(dir, cpioDir|0o755, 0)
}

// Dir adds a directory.
func (a *initramfs) Dir(name string) {
	a.parents(name + "/x")
}

// File adds a regular file with data.
func (a *initramfs) File(name string, perm uint32, data []byte) {
	a.parents(name)
	a.header(name, cpioFile|perm, len(data))
	if a.err == nil {
		_, a.err = a.w.Write(data)
	}
	a.pad(len(data))
}

// CopyFile adds the host file src as name, with src's permissions.
func (a *initramfs) CopyFile(name, src string) {
	if a.err != nil {
		return
	}
	f, err := os.Open(src)
	if err != nil {
		a.err = err
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		a.err = err
		return
	}
	a.parents(name)
	a.header(name, cpioFile|uint32(st.Mode().Perm()), int(st.Size()))
	if a.err == nil {
		var n int64
		n, a.err = io.Copy(a.w, f)
		if a.err == nil && n != st.Size() {
			a.err = fmt.Errorf("%s changed size while being copied", src)
		}
	}
	a.pad(int(st.Size()))
}

// Symlink adds a symbolic link name pointing to target.
func (a *initramfs) Symlink(name, target string) {
	a.parents(name)
	a.header(name, cpioSymlink|0o777, len(target))
	if a.err == nil {
		_, a.err = a.w.WriteString(target)
	}
	a.pad(len(target))
}

// Close writes the trailer and flushes; it returns the first error.
func (a *initramfs) Close() error {
	a.header("TRAILER!!!", 0, 0)
	if a.err == nil {
		a.err = a.w.Flush()
	}
	return a.err
}
