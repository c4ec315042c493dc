package netif_test

import (
	"fmt"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/netif"
)

// An object whose programs say where they go:
//
//	SEC("xdp/eth0")        int filter(struct xdp_md *ctx)     { ... }
//	SEC("tc/egress/eth0")  int shape(struct __sk_buff *skb)   { ... }
//	SEC("xdp/devmap")      int on_redirect(struct xdp_md *ctx) { ... }
//
// Object.Attach attaches filter with an XDP link and shape with a tcx link
// to eth0; on_redirect loads for a device map entry and is not attached.
func Example() {
	regs, err := netif.Register()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer libbpf.UnregisterAll(regs)

	obj, err := libbpf.OpenObjectFile("filter.bpf.o", nil)
	if err != nil {
		fmt.Println(err) // a malformed interface name fails here
		return
	}
	defer obj.Close() // destroys the links Attach made
	if err := obj.Load(); err != nil {
		fmt.Println(err)
		return
	}
	if err := obj.Attach(); err != nil {
		fmt.Println(err) // an interface that does not exist fails here (ENODEV)
	}
}
