package libbpf_test

import (
	"fmt"
	"log"
	"os"

	"github.com/golibbpf/libbpf"
)

// Write vmlinux.h from the running kernel's BTF, without bpftool.
func ExampleBTF_DumpCHeader() {
	vmlinux, err := libbpf.LoadVmlinuxBTF()
	if err != nil {
		log.Fatal(err)
	}
	defer vmlinux.Close()
	f, err := os.Create("vmlinux.h")
	if err != nil {
		log.Fatal(err)
	}
	if err := vmlinux.DumpCHeader(f); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// Choose between program variants the way libbpf-tools do: tp_btf when the
// kernel can, a ring buffer when it has one, and the task_struct field that
// this kernel names.
func ExampleProbeTPBTF() {
	vmlinux, err := libbpf.LoadVmlinuxBTF()
	if err != nil {
		log.Fatal(err)
	}
	defer vmlinux.Close()
	tpBTF, err := libbpf.ProbeTPBTF("sched_switch", vmlinux)
	if err != nil {
		log.Fatal(err)
	}
	ringbuf, err := libbpf.ProbeRingBuffer()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tp_btf:", tpBTF, "ring buffer:", ringbuf,
		"task_struct.__state:", vmlinux.HasMember("task_struct", "__state"))
}
