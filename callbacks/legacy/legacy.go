package legacy

import (
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf"
)

// ErrUnknownSection is wrapped by the Open error of a program whose section
// nothing knows: not libbpf 1.x, not another handler, not the legacy table.
var ErrUnknownSection = errors.New("unknown section")

// Register installs the fallback handler. It fails, wrapping unix.EBUSY,
// when another fallback handler is registered (libbpf has one slot).
func Register() ([]*libbpf.Registration, error) {
	// The type is a placeholder: Setup sets the real one, and a fallback
	// program keeps its handler across SetType.
	r, err := libbpf.RegisterFallbackProgHandler(libbpf.ProgTypeUnspec, 0, libbpf.ProgHandler{Setup: setup})
	if err != nil {
		return nil, fmt.Errorf("legacy: register the fallback handler: %w", err)
	}
	return []*libbpf.Registration{r}, nil
}

// setup gives a program of a legacy section the types and load flags libbpf
// 0.x gave it, with a deprecation warning, and fails any other section.
func setup(prog *libbpf.Program) error {
	sec := prog.SectionName()
	d, ok := Lookup(sec)
	if !ok {
		return fmt.Errorf("legacy: program %q: SEC(%q) is neither a libbpf 1.x section, nor a registered handler's, nor a libbpf 0.x one: %w",
			prog.Name(), sec, ErrUnknownSection)
	}
	if err := prog.SetType(d.ProgType); err != nil {
		return fmt.Errorf("legacy: program %q: SEC(%q): set program type %v: %w", prog.Name(), sec, d.ProgType, err)
	}
	if err := prog.SetExpectedAttachType(d.AttachType); err != nil {
		return fmt.Errorf("legacy: program %q: SEC(%q): set expected attach type %v: %w", prog.Name(), sec, d.AttachType, err)
	}
	if d.Flags != 0 {
		if err := prog.SetFlags(prog.Flags() | d.Flags); err != nil {
			return fmt.Errorf("legacy: program %q: SEC(%q): set load flags %#x: %w", prog.Name(), sec, d.Flags, err)
		}
	}
	libbpf.Logger().Warn("deprecated libbpf 0.x SEC() name",
		"program", prog.Name(),
		"section", sec,
		"legacy_prefix", d.Prefix,
		"prog_type", d.ProgType,
		"use", d.Use)
	return nil
}
