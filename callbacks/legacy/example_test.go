package legacy_test

import (
	"fmt"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/legacy"
)

// An object written for libbpf 0.x:
//
//	SEC("classifier/ingress") int cls(struct __sk_buff *skb) { ... }
//	SEC("xdp_prog")           int xdp(struct xdp_md *ctx)    { ... }
//
// opens with libbpf 1.x once the fallback is registered: cls is a sched_cls
// program and xdp an XDP one, and libbpf.Logger() warns about both
// names.
func Example() {
	regs, err := legacy.Register()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer regs[0].Unregister()

	obj, err := libbpf.OpenObjectFile("old.bpf.o", nil)
	if err != nil {
		fmt.Println(err) // a section nothing knows fails here
		return
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(obj.Program("cls").Type())
}

func ExampleLookup() {
	d, ok := legacy.Lookup("xdp_devmap/redirect")
	fmt.Println(ok, d.Prefix, d.Use)
	// Output: true xdp_devmap/ xdp/devmap
}
