package libbpf

import "fmt"

// Linker is libbpf's static linker (struct bpf_linker): it combines BPF ELF
// objects into one, as `bpftool gen object` does, resolving extern
// functions, maps and variables between them. Add the objects, Finalize,
// then Close.
type Linker struct {
	c    *cLinker
	name string // the output, for errors
}

// LinkerOptions are the options of NewLinker; libbpf 1.7 has none yet.
type LinkerOptions struct{}

// LinkerFileOptions are the options of adding an object; libbpf 1.7 has
// none yet.
type LinkerFileOptions struct{}

// NewLinker starts linking into the file path (bpf_linker__new).
func NewLinker(path string, opts LinkerOptions) (*Linker, error) {
	if path == "" {
		return nil, fmt.Errorf("new linker: empty path: %w", errInvalidArgument)
	}
	c, err := linkerNew(path)
	if err != nil {
		return nil, fmt.Errorf("new linker for %s: %w", path, err)
	}
	return &Linker{c: c, name: path}, nil
}

// NewLinkerFD starts linking into the open file fd (bpf_linker__new_fd); the
// caller keeps fd and closes it after Close.
func NewLinkerFD(fd int, opts LinkerOptions) (*Linker, error) {
	c, err := linkerNewFD(fd)
	if err != nil {
		return nil, fmt.Errorf("new linker for fd %d: %w", fd, err)
	}
	return &Linker{c: c, name: fmt.Sprintf("fd %d", fd)}, nil
}

// do runs fn on the libbpf linker and wraps its error with what.
func (l *Linker) do(what string, fn func(*cLinker) error) error {
	if l == nil || l.c == nil {
		return fmt.Errorf("linker: %s: %w", what, ErrClosed)
	}
	if err := fn(l.c); err != nil {
		return fmt.Errorf("linker for %s: %s: %w", l.name, what, err)
	}
	return nil
}

// AddFile adds the BPF ELF object at path (bpf_linker__add_file).
func (l *Linker) AddFile(path string, opts LinkerFileOptions) error {
	return l.do("add "+path, func(c *cLinker) error { return linkerAddFile(c, path) })
}

// AddFD adds the BPF ELF object open as fd (bpf_linker__add_fd); the caller
// keeps fd.
func (l *Linker) AddFD(fd int, opts LinkerFileOptions) error {
	return l.do(fmt.Sprintf("add fd %d", fd), func(c *cLinker) error { return linkerAddFD(c, fd) })
}

// AddBuf adds a BPF ELF object held in memory (bpf_linker__add_buf); data
// is not retained.
func (l *Linker) AddBuf(data []byte, opts LinkerFileOptions) error {
	return l.do(fmt.Sprintf("add %d bytes", len(data)), func(c *cLinker) error {
		if len(data) == 0 {
			return errInvalidArgument
		}
		return linkerAddBuf(c, data)
	})
}

// Finalize writes the linked object (bpf_linker__finalize). Nothing can be
// added afterwards.
func (l *Linker) Finalize() error {
	return l.do("finalize", linkerFinalize)
}

// Close frees the linker (bpf_linker__free), and closes the output file it
// opened. Close is idempotent.
func (l *Linker) Close() error {
	if l == nil || l.c == nil {
		return nil
	}
	linkerFree(l.c)
	l.c = nil
	return nil
}
