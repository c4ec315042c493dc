// Package callbacks registers every ready-made handler family of this module
// at once. Each family is a package of its own, usable alone through its
// Register function:
//
//   - perfevent: SEC("perf_event/<event>[:<opt>=<v>,...]") opens perf's
//     software, hardware, hardware-cache and sysfs PMU events by name (and
//     the raw "type=<n>,config=<n>" form) on the selected CPUs and attaches
//     the program to each, without libpfm4.
//   - goprobe: SEC("uprobe.go/<binary>:<Go symbol>") and
//     SEC("uretprobe.go/<binary>:<Go symbol>") probe Go functions; the
//     return probe attaches at every return instruction instead of using a
//     kernel uretprobe, which Go's stack copying breaks.
//   - netif: SEC("xdp/<ifname>"), SEC("xdp.frags/<ifname>"),
//     SEC("tc/ingress/<ifname>") and SEC("tc/egress/<ifname>") attach XDP
//     and tcx links to the interface the section names.
//   - variant: SEC("tp.best/<tracepoint>"), SEC("fentry.best/<function>")
//     and SEC("fexit.best/<function>") load one program as the best variant
//     the kernel supports: tp_btf or raw_tp, fentry/fexit or
//     kprobe/kretprobe.
//   - legacy: the fallback handler, which maps the section names libbpf 0.x
//     accepted and libbpf 1.0 dropped (SEC("classifier/..."),
//     SEC("xdp_prog"), SEC("xdp_devmap/..."), ...) to their program types
//     with a deprecation warning, and fails Open for any other section
//     nothing knows.
//
// Typical use, before opening objects:
//
//	regs, err := callbacks.RegisterAll()
//	if err != nil {
//		return err
//	}
//	defer callbacks.UnregisterAll(regs)
package callbacks

import (
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/goprobe"
	"github.com/golibbpf/libbpf/callbacks/legacy"
	"github.com/golibbpf/libbpf/callbacks/netif"
	"github.com/golibbpf/libbpf/callbacks/perfevent"
	"github.com/golibbpf/libbpf/callbacks/variant"
)

// families are the handler packages RegisterAll installs, in order. Custom
// handlers are matched in registration order; their section prefixes do not
// overlap, and legacy's fallback is tried only after everything else.
var families = []struct {
	name     string
	register func() ([]*libbpf.Registration, error)
}{
	{"perfevent", perfevent.Register},
	{"goprobe", goprobe.Register},
	{"netif", netif.Register},
	{"variant", variant.Register},
	{"legacy", legacy.Register},
}

// RegisterAll registers the handlers of every family: perfevent, goprobe,
// netif, variant and legacy. On error it unregisters everything it
// registered and returns the error (legacy's fails, wrapping unix.EBUSY,
// when another fallback handler is registered).
func RegisterAll() ([]*libbpf.Registration, error) {
	var all []*libbpf.Registration
	for _, f := range families {
		regs, err := f.register()
		if err != nil {
			return nil, errors.Join(fmt.Errorf("callbacks: register %s: %w", f.name, err), UnregisterAll(all))
		}
		all = append(all, regs...)
	}
	return all, nil
}

// UnregisterAll undoes RegisterAll: it is libbpf.UnregisterAll (reverse
// order, every failure joined), kept here beside RegisterAll.
func UnregisterAll(regs []*libbpf.Registration) error {
	return libbpf.UnregisterAll(regs)
}
