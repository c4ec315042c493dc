package netif

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMalformedSection is wrapped by the error of every section this package
// rejects when an object is opened.
var ErrMalformedSection = errors.New("malformed section")

// hook is where a program of one section form goes.
type hook int

const (
	hookXDP        hook = iota // XDP link on an interface
	hookXDPDevMap              // program for a device map entry, no auto-attach
	hookXDPCPUMap              // program for a CPU map entry, no auto-attach
	hookTCXIngress             // tcx link, ingress
	hookTCXEgress              // tcx link, egress
)

func (h hook) String() string {
	switch h {
	case hookXDP:
		return "xdp"
	case hookXDPDevMap:
		return "xdp devmap"
	case hookXDPCPUMap:
		return "xdp cpumap"
	case hookTCXIngress:
		return "tcx ingress"
	case hookTCXEgress:
		return "tcx egress"
	}
	return fmt.Sprintf("hook(%d)", int(h))
}

// attaches reports whether programs of this hook are attached to an
// interface (rather than left for a map entry).
func (h hook) attaches() bool { return h == hookXDP || h == hookTCXIngress || h == hookTCXEgress }

// prefix is one section prefix this package registers a handler for.
type prefix struct {
	sec   string // the handler's section prefix, ending in '/'
	hook  hook   // for an interface name after it
	frags bool   // loaded with BPF_F_XDP_HAS_FRAGS
}

// prefixes are the handlers Register installs, in registration order.
var prefixes = []prefix{
	{"xdp/", hookXDP, false},
	{"xdp.frags/", hookXDP, true},
	{"tc/ingress/", hookTCXIngress, false},
	{"tc/egress/", hookTCXEgress, false},
	{"tcx/ingress/", hookTCXIngress, false},
	{"tcx/egress/", hookTCXEgress, false},
}

// section is a parsed section name.
type section struct {
	name   string // the whole section name, for messages
	hook   hook
	frags  bool
	ifname string // empty for the map forms
}

// maxIfname is the longest interface name the kernel accepts (IFNAMSIZ-1).
const maxIfname = 15

// parseSection parses a section name of one of this package's forms.
func parseSection(sec string) (section, error) {
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(sec, p.sec)
		if !ok {
			continue
		}
		s := section{name: sec, hook: p.hook, frags: p.frags, ifname: rest}
		if p.hook == hookXDP {
			switch rest {
			case "devmap":
				s.hook, s.ifname = hookXDPDevMap, ""
				return s, nil
			case "cpumap":
				s.hook, s.ifname = hookXDPCPUMap, ""
				return s, nil
			}
		}
		if err := validIfname(rest); err != nil {
			return section{}, fmt.Errorf("netif: SEC(%q): %w", sec, err)
		}
		return s, nil
	}
	return section{}, fmt.Errorf("netif: SEC(%q): not one of the forms %s<ifname>: %w",
		sec, prefixList(), ErrMalformedSection)
}

func prefixList() string {
	var b strings.Builder
	for i, p := range prefixes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.sec)
	}
	return b.String()
}

// validIfname applies the kernel's rules for interface names
// (dev_valid_name): 1..15 bytes, not "." or "..", no '/', ':' or whitespace.
func validIfname(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty interface name: %w", ErrMalformedSection)
	case len(name) > maxIfname:
		return fmt.Errorf("interface name %q is %d bytes long, the limit is %d: %w",
			name, len(name), maxIfname, ErrMalformedSection)
	case name == "." || name == "..":
		return fmt.Errorf("interface name %q is not allowed: %w", name, ErrMalformedSection)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '/':
			return fmt.Errorf("interface name %q contains '/' at byte %d: %w", name, i, ErrMalformedSection)
		case c == ':':
			return fmt.Errorf("interface name %q contains ':' at byte %d: %w", name, i, ErrMalformedSection)
		case isSpace(c):
			return fmt.Errorf("interface name %q contains whitespace at byte %d: %w", name, i, ErrMalformedSection)
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("interface name %q contains control byte %#x at byte %d: %w",
				name, c, i, ErrMalformedSection)
		}
	}
	return nil
}

// isSpace is the C locale's isspace, which the kernel uses for names.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
