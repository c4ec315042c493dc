package perfevent

import (
	"fmt"

	"github.com/golibbpf/libbpf"
)

// Register installs the handler of SEC("perf_event") and
// SEC("perf_event/<spec>"), overriding libbpf's built-in "perf_event".
// Programs of those sections load as perf_event programs; Setup checks the
// spec so a malformed one fails Open, and Attach (Object.Attach,
// Program.Attach) opens and attaches the events. A bare SEC("perf_event")
// keeps libbpf's meaning: it is not auto-attached.
func Register() ([]*libbpf.Registration, error) {
	r, err := libbpf.RegisterProgHandler(SectionPrefix+"+", libbpf.ProgTypePerfEvent, libbpf.AttachTypePerfEvent,
		libbpf.ProgHandler{Setup: setup, Attach: attach})
	if err != nil {
		return nil, fmt.Errorf("registering the %s+ handler: %w", SectionPrefix, err)
	}
	return []*libbpf.Registration{r}, nil
}

// sectionSpec returns the spec of a perf_event section and whether it has
// one (a bare "perf_event" has none).
func sectionSpec(prog *libbpf.Program) (string, bool) {
	sec := prog.SectionName()
	if sec == SectionPrefix {
		return "", false
	}
	return sec[len(SectionPrefix)+1:], true
}

// setup validates the section's spec at Open. The spec is parsed again at
// attach time (CPUs may come online and PMUs appear in between), so
// nothing is kept per program. The errors need not name the section: the
// root package's CallbackError does.
func setup(prog *libbpf.Program) error {
	spec, ok := sectionSpec(prog)
	if !ok {
		return nil
	}
	_, err := ParseSpec(spec)
	return err
}

// attach opens and attaches the section's events; a bare section declines.
func attach(prog *libbpf.Program) (*libbpf.Link, error) {
	spec, ok := sectionSpec(prog)
	if !ok {
		return nil, nil
	}
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	return AttachSpec(prog, s)
}
