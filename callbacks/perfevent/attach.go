package perfevent

import (
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// Attach parses spec (the part after "perf_event/", as in a section name)
// and attaches prog to the events it selects; see AttachSpec. Use it for a
// spec known only at run time, such as one with the pid of a process the
// caller started.
func Attach(prog *libbpf.Program, spec string) (*libbpf.Link, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("perf_event spec %q: %w", spec, err)
	}
	return AttachSpec(prog, s)
}

// AttachSpec opens the spec's event on every selected CPU (or once, on any
// CPU, for a pid without cpus=) and attaches prog, a loaded perf_event
// program, to each. The one Link returned owns them all: Close detaches
// the program from every event and closes every event fd. On failure
// nothing is left open, and the error names the event and wraps the errno
// (unix.ENOENT for an event the machine lacks).
func AttachSpec(prog *libbpf.Program, s Spec) (*libbpf.Link, error) {
	if prog == nil {
		return nil, fmt.Errorf("perf_event %q: program %w (nil *Program)", s.Event, libbpf.ErrNotFound)
	}
	if s.Freq == 0 && s.Period == 0 {
		return nil, fmt.Errorf("perf_event %q: neither a frequency nor a period: the program would never run", s.Event)
	}
	if s.Freq != 0 && s.Period != 0 {
		return nil, fmt.Errorf("perf_event %q: freq=%d and period=%d exclude each other", s.Event, s.Freq, s.Period)
	}
	ts, cgroupFD, err := s.targets()
	if err != nil {
		return nil, fmt.Errorf("perf_event %q: %w", s.Event, err)
	}
	if cgroupFD >= 0 {
		// The events hold their own reference to the cgroup.
		defer unix.Close(cgroupFD)
	}
	attr := s.attr()
	links := make([]*libbpf.Link, 0, len(ts))
	fail := func(err error) (*libbpf.Link, error) {
		for _, l := range links {
			if derr := l.Close(); derr != nil {
				err = errors.Join(err, derr)
			}
		}
		return nil, err
	}
	for _, t := range ts {
		fd, err := perfEventOpen(&attr, t)
		if err != nil {
			return fail(s.openError(t, err))
		}
		l, err := prog.AttachPerfEvent(fd)
		if err != nil {
			unix.Close(fd)
			return fail(fmt.Errorf("perf_event %q %s: attaching program %s: %w", s.Event, t, prog.Name(), err))
		}
		links = append(links, l)
	}
	if len(links) == 1 {
		return links[0], nil
	}
	return libbpf.JoinLinks(links...), nil
}
