package netif

import (
	"errors"
	"sync"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// The kernels without tcx (before 6.6) or without XDP links (before 5.9)
// get the older mechanism: a classic tc filter on a clsact qdisc, or an XDP
// program attached through netlink. Each is chosen by probing the kernel
// once per process, and logged once when taken. Either way Attach returns a
// Link whose Close detaches the program. Tests replace the variables to
// force a fallback on a kernel that does not need it.
var (
	useClassicTC  = probeOnce(libbpf.ProbeTCX, "tcx links are missing: tc programs attach as classic tc filters of a clsact qdisc")
	useXDPNetlink = probeOnce(libbpf.ProbeXDPLink, "XDP links are missing: XDP programs attach through netlink")
	dropXDPFrags  = probeOnce(libbpf.ProbeXDPFrags, "XDP frags programs are missing: xdp.frags programs load as plain XDP programs")
)

// probeOnce returns a function that reports, probing once, whether probe
// says the kernel lacks a mechanism; the probe logs the fallback. A probe
// that cannot tell keeps the link (whose own error then says what is
// wrong), and logs why.
func probeOnce(probe func() error, fallback string) func() bool {
	return sync.OnceValue(func() bool {
		err := probe()
		switch {
		case errors.Is(err, libbpf.ErrNotSupported):
			libbpf.Logger().Info("netif: "+fallback, "probe", err.Error())
			return true
		case err != nil:
			libbpf.Logger().Warn("netif: probe failed, attaching with a link", "error", err.Error())
		}
		return false
	})
}

// prepareLoad adapts the load to a kernel that needs a fallback: a classic
// tc filter loads without the tcx attach type (kernels before 6.6 may
// refuse it), and an xdp.frags program without BPF_F_XDP_HAS_FRAGS where
// the kernel lacks it (before 5.18, where no packet has fragments anyway).
func prepareLoad(prog *libbpf.Program, opts *libbpf.LoadOptions) error {
	s, err := parseSection(prog.SectionName())
	if err != nil {
		return err
	}
	switch {
	case (s.hook == hookTCXIngress || s.hook == hookTCXEgress) && useClassicTC():
		opts.ExpectedAttachType = 0
	case s.frags && dropXDPFrags():
		opts.ProgFlags &^= unix.BPF_F_XDP_HAS_FRAGS
	}
	return nil
}

// attachXDP attaches an XDP program to ifindex with a link, or through
// netlink where the kernel lacks XDP links.
func attachXDP(prog *libbpf.Program, ifindex int) (*libbpf.Link, error) {
	if useXDPNetlink() {
		return prog.AttachXDPNetlink(ifindex, 0)
	}
	return prog.AttachXDP(ifindex)
}

// attachTC attaches a tc program to the ingress or egress of ifindex with
// a tcx link, or as a classic tc filter where the kernel lacks tcx.
func attachTC(prog *libbpf.Program, ifindex int, h hook) (*libbpf.Link, error) {
	if !useClassicTC() {
		return prog.AttachTCX(ifindex)
	}
	point := libbpf.TCIngress
	if h == hookTCXEgress {
		point = libbpf.TCEgress
	}
	return prog.AttachTC(libbpf.TCHook{Ifindex: ifindex, AttachPoint: point}, libbpf.TCOptions{})
}
