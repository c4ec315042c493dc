package netif

import (
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// Register installs this package's handlers: "xdp/", "xdp.frags/",
// "tc/ingress/", "tc/egress/", "tcx/ingress/" and "tcx/egress/". On error
// it unregisters what it registered and returns the error.
func Register() ([]*libbpf.Registration, error) {
	var regs []*libbpf.Registration
	for _, p := range prefixes {
		pt, at := libbpf.ProgTypeXDP, libbpf.AttachTypeXDP
		switch p.hook {
		case hookTCXIngress:
			pt, at = libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXIngress
		case hookTCXEgress:
			pt, at = libbpf.ProgTypeSchedCLS, libbpf.AttachTypeTCXEgress
		}
		r, err := libbpf.RegisterProgHandler(p.sec, pt, at, libbpf.ProgHandler{
			Setup:       setup,
			PrepareLoad: prepareLoad,
			Attach:      attach,
		})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("netif: register %q: %w", p.sec, err), libbpf.UnregisterAll(regs))
		}
		regs = append(regs, r)
	}
	return regs, nil
}

// setup validates the section and sets what the form implies beyond the
// handler's program and attach type: the map attach types and the frags flag.
func setup(prog *libbpf.Program) error {
	s, err := parseSection(prog.SectionName())
	if err != nil {
		return err
	}
	switch s.hook {
	case hookXDPDevMap:
		err = prog.SetExpectedAttachType(libbpf.AttachTypeXDPDevMap)
	case hookXDPCPUMap:
		err = prog.SetExpectedAttachType(libbpf.AttachTypeXDPCPUMap)
	}
	if err != nil {
		return fmt.Errorf("netif: SEC(%q): set expected attach type: %w", s.name, err)
	}
	if s.frags {
		if err := prog.SetFlags(prog.Flags() | unix.BPF_F_XDP_HAS_FRAGS); err != nil {
			return fmt.Errorf("netif: SEC(%q): set BPF_F_XDP_HAS_FRAGS: %w", s.name, err)
		}
	}
	return nil
}

// attach resolves the interface and attaches the program with an XDP or tcx
// link, or with the older mechanism where the kernel lacks the link (see
// fallback.go); the map forms decline (no auto-attach), as libbpf's do.
func attach(prog *libbpf.Program) (*libbpf.Link, error) {
	s, err := parseSection(prog.SectionName())
	if err != nil {
		return nil, err
	}
	if !s.hook.attaches() {
		return nil, nil
	}
	idx, err := ifindex(s.ifname)
	if err != nil {
		return nil, fmt.Errorf("netif: SEC(%q): %w", s.name, err)
	}
	var l *libbpf.Link
	if s.hook == hookXDP {
		l, err = attachXDP(prog, idx)
	} else {
		l, err = attachTC(prog, idx, s.hook)
	}
	if err != nil {
		return nil, fmt.Errorf("netif: SEC(%q): attach %s to interface %q (ifindex %d): %w",
			s.name, s.hook, s.ifname, idx, err)
	}
	return l, nil
}
