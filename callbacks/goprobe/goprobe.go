package goprobe

import (
	"errors"
	"fmt"
	"os"

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
			Setup:  setup,
			Attach: attach,
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

// attach resolves the symbol and attaches one uprobe_multi link: past the
// function's stack check for uprobe.go (EntryOffset), at each of its return
// instructions for uretprobe.go (ReturnOffsets).
func attach(prog *libbpf.Program) (*libbpf.Link, error) {
	spec, err := parseSection(prog.SectionName())
	if err != nil {
		return nil, err
	}
	offsets, err := spec.offsets()
	if err != nil {
		return nil, err
	}
	link, err := prog.AttachUprobeMulti(libbpf.UprobeMultiOptions{
		Path:    spec.path,
		Offsets: offsets,
	})
	if err != nil {
		return nil, fmt.Errorf("goprobe: attach %q at %d offset(s) of %s in %s: %w", prog.Name(), len(offsets), spec.symbol, spec.path, err)
	}
	return link, nil
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
