package goprobe_test

import (
	"fmt"
	"log"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/goprobe"
)

// Count the returns of main.work in /usr/local/bin/app with a BPF program
// written as
//
//	SEC("uretprobe.go//usr/local/bin/app:main.work")
//	int work_return(struct pt_regs *ctx) { ... PT_REGS_RC(ctx) is the result ... }
func Example() {
	regs, err := goprobe.Register()
	if err != nil {
		log.Fatal(err)
	}
	defer libbpf.UnregisterAll(regs)

	obj, err := libbpf.OpenObjectFile("probes.bpf.o", nil) // runs the Setup checks
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	// One uprobe_multi link per program: at every RET of main.work for the
	// uretprobe.go program.
	if err := obj.Attach(); err != nil {
		log.Fatal(err)
	}
}

// The return sites a uretprobe.go program attaches at, for a benchmark or
// a hand-made attachment.
func ExampleReturnOffsets() {
	offsets, err := goprobe.ReturnOffsets("/usr/local/bin/app", "main.work")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d return instructions at file offsets %#x\n", len(offsets), offsets)
}
