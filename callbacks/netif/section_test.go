package netif

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSection(t *testing.T) {
	good := []struct {
		sec    string
		hook   hook
		frags  bool
		ifname string
	}{
		{"xdp/eth0", hookXDP, false, "eth0"},
		{"xdp/lo", hookXDP, false, "lo"},
		{"xdp.frags/veth-a", hookXDP, true, "veth-a"},
		{"xdp/devmap", hookXDPDevMap, false, ""},
		{"xdp/cpumap", hookXDPCPUMap, false, ""},
		{"xdp.frags/devmap", hookXDPDevMap, true, ""},
		{"xdp.frags/cpumap", hookXDPCPUMap, true, ""},
		{"tc/ingress/eth0", hookTCXIngress, false, "eth0"},
		{"tc/egress/eth0", hookTCXEgress, false, "eth0"},
		{"tcx/ingress/br-0123456789ab", hookTCXIngress, false, "br-0123456789ab"},
		{"tcx/egress/enp0s31f6.100", hookTCXEgress, false, "enp0s31f6.100"},
		{"xdp/devmap0", hookXDP, false, "devmap0"},
	}
	for _, tc := range good {
		s, err := parseSection(tc.sec)
		if err != nil {
			t.Errorf("parseSection(%q): %v", tc.sec, err)
			continue
		}
		if s.hook != tc.hook || s.frags != tc.frags || s.ifname != tc.ifname || s.name != tc.sec {
			t.Errorf("parseSection(%q) = %+v, want hook %v frags %v ifname %q", tc.sec, s, tc.hook, tc.frags, tc.ifname)
		}
	}

	bad := []struct {
		sec, part string // part: text the error must contain besides the section
	}{
		{"xdp/", "empty interface name"},
		{"tc/ingress/", "empty interface name"},
		{"xdp/0123456789abcdef", `"0123456789abcdef" is 16 bytes`},
		{"tc/egress/a b", `"a b" contains whitespace`},
		{"tcx/ingress/a\tb", "contains whitespace"},
		{"xdp/eth0/extra", `"eth0/extra" contains '/'`},
		{"xdp/eth0:1", `contains ':'`},
		{"xdp/.", `"." is not allowed`},
		{"xdp.frags/..", `".." is not allowed`},
		{"xdp", "not one of the forms"},
		{"tc/ingress", "not one of the forms"},
	}
	for _, tc := range bad {
		_, err := parseSection(tc.sec)
		if err == nil {
			t.Errorf("parseSection(%q) succeeded", tc.sec)
			continue
		}
		if !errors.Is(err, ErrMalformedSection) {
			t.Errorf("parseSection(%q): %v does not wrap ErrMalformedSection", tc.sec, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.sec) && !strings.Contains(msg, `SEC("`+strings.ReplaceAll(tc.sec, "\t", `\t`)+`")`) {
			t.Errorf("parseSection(%q): error %q does not name the section", tc.sec, msg)
		}
		if !strings.Contains(msg, tc.part) {
			t.Errorf("parseSection(%q): error %q does not contain %q", tc.sec, msg, tc.part)
		}
	}
}

func TestHookAttaches(t *testing.T) {
	for h, want := range map[hook]bool{
		hookXDP: true, hookTCXIngress: true, hookTCXEgress: true,
		hookXDPDevMap: false, hookXDPCPUMap: false,
	} {
		if h.attaches() != want {
			t.Errorf("%v.attaches() = %v, want %v", h, !want, want)
		}
	}
}

func TestIfindex(t *testing.T) {
	idx, err := ifindex("lo")
	if err != nil {
		t.Fatalf("ifindex(lo): %v", err)
	}
	if idx <= 0 {
		t.Fatalf("ifindex(lo) = %d", idx)
	}
	_, err = ifindex("nosuchif0")
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("ifindex(nosuchif0) = %v, want ENODEV", err)
	}
	if !strings.Contains(err.Error(), `"nosuchif0"`) {
		t.Fatalf("ifindex(nosuchif0): error %q does not name the interface", err)
	}
}

// FuzzParseSection checks that no section name panics the parser, that a
// rejected one always wraps ErrMalformedSection and names itself, and that
// an accepted one names a valid interface (or a map form).
func FuzzParseSection(f *testing.F) {
	for _, s := range []string{"xdp/eth0", "xdp/", "xdp.frags/devmap", "tc/ingress/a b", "tcx/egress/x:y", "xdp/..", "tc/egress/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sec string) {
		s, err := parseSection(sec)
		if err != nil {
			if !errors.Is(err, ErrMalformedSection) {
				t.Fatalf("parseSection(%q): %v does not wrap ErrMalformedSection", sec, err)
			}
			return
		}
		if s.hook.attaches() {
			if validIfname(s.ifname) != nil || !strings.HasSuffix(sec, "/"+s.ifname) {
				t.Fatalf("parseSection(%q) accepted interface %q", sec, s.ifname)
			}
		} else if s.ifname != "" {
			t.Fatalf("parseSection(%q): map form with interface %q", sec, s.ifname)
		}
	})
}
