package goprobe

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/golibbpf/libbpf"
)

// Register registers the uprobe.go and uretprobe.go section handlers with
// libbpf. Programs of both are kprobe-type programs loaded with the
// uprobe_multi expected attach type. On error nothing stays registered.
//
// The sections are registered as "uprobe.go+" and "uretprobe.go+", so a
// bare SEC("uprobe.go") reaches Setup and fails Open with a clear error
// instead of being taken for another section.
func Register() ([]*libbpf.Registration, error) {
	var regs []*libbpf.Registration
	for _, kind := range []probeKind{entryProbe, returnProbe} {
		h := libbpf.ProgHandler{
			Setup:       setup,
			PrepareLoad: prepareLoad,
			Attach:      attach,
		}
		r, err := libbpf.RegisterProgHandler(kind.prefix()+"+", libbpf.ProgTypeKprobe, libbpf.AttachTypeTraceUprobeMulti, h)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("goprobe: register %q: %w", kind.prefix()+"+", err), libbpf.UnregisterAll(regs))
		}
		regs = append(regs, r)
	}
	return regs, nil
}

// setup validates the section during Open and checks that the binary
// exists, so a typo in either fails Open rather than a later Attach.
func setup(prog *libbpf.Program) error {
	spec, err := parseSection(prog.SectionName())
	if err != nil {
		return err
	}
	st, err := os.Stat(spec.path)
	if err != nil {
		return fmt.Errorf("goprobe: section %q: binary: %w", spec.String(), err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("goprobe: section %q: binary %s is not a regular file (mode %v): %w", spec.String(), spec.path, st.Mode(), ErrInvalidSection)
	}
	return nil
}

// prepareLoad loads the program without the uprobe_multi expected attach
// type where classic uprobes replace uprobe_multi links: a kernel that has
// those links refuses a classic uprobe to a program loaded for them.
func prepareLoad(_ *libbpf.Program, opts *libbpf.LoadOptions) error {
	if useClassicUprobes() {
		opts.ExpectedAttachType = 0
	}
	return nil
}

// attach resolves the symbol and attaches one uprobe_multi link: past the
// function's stack check for uprobe.go (EntryOffset), at each of its return
// instructions for uretprobe.go (ReturnOffsets). Where the kernel lacks
// uprobe_multi links (before 6.6) it attaches one classic uprobe per offset
// instead, joined into one Link: still an entry probe at each site, so
// still no uretprobe.
func attach(prog *libbpf.Program) (*libbpf.Link, error) {
	spec, err := parseSection(prog.SectionName())
	if err != nil {
		return nil, err
	}
	offsets, err := spec.offsets()
	if err != nil {
		return nil, err
	}
	var link *libbpf.Link
	if useClassicUprobes() {
		link, err = attachClassic(prog, spec.path, offsets)
	} else {
		link, err = prog.AttachUprobeMulti(libbpf.UprobeMultiOptions{
			Path:    spec.path,
			Offsets: offsets,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("goprobe: attach %q at %d offset(s) of %s in %s: %w", prog.Name(), len(offsets), spec.symbol, spec.path, err)
	}
	return link, nil
}

// useClassicUprobes reports, probing the kernel once, whether it lacks
// uprobe_multi links; the fallback is logged once when taken. A probe that
// cannot tell keeps uprobe_multi, whose own error then says what is wrong.
var useClassicUprobes = sync.OnceValue(func() bool {
	err := libbpf.ProbeUprobeMulti()
	switch {
	case errors.Is(err, libbpf.ErrNotSupported):
		libbpf.Logger().Info("goprobe: uprobe_multi links are missing: each probe site attaches as a classic uprobe", "probe", err.Error())
		return true
	case err != nil:
		libbpf.Logger().Warn("goprobe: probe failed, attaching with uprobe_multi links", "error", err.Error())
	}
	return false
})

// attachClassic attaches prog as one classic uprobe at each offset of path
// and joins them into one Link; on error it detaches those it made.
func attachClassic(prog *libbpf.Program, path string, offsets []uint64) (*libbpf.Link, error) {
	links := make([]*libbpf.Link, 0, len(offsets))
	for _, off := range offsets {
		l, err := prog.AttachUprobe(libbpf.UprobeOptions{Path: path, Offset: off})
		if err != nil {
			for _, l := range links {
				l.Close()
			}
			return nil, fmt.Errorf("classic uprobe at offset %#x: %w", off, err)
		}
		links = append(links, l)
	}
	return libbpf.JoinLinks(links...), nil
}

// offsets returns the file offsets the spec's probe attaches at.
func (s probeSpec) offsets() ([]uint64, error) {
	if s.kind == returnProbe {
		return ReturnOffsets(s.path, s.symbol)
	}
	off, err := EntryOffset(s.path, s.symbol)
	if err != nil {
		return nil, err
	}
	return []uint64{off}, nil
}
