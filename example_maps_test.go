package libbpf_test

import (
	"encoding/binary"
	"fmt"
	"log"

	"github.com/golibbpf/libbpf"
)

// Size a map before Load and set globals the way a C skeleton does
// (skel->rodata->target_pid = pid), then change a .data global while the
// programs run.
func ExampleObject_Global() {
	obj, err := libbpf.OpenObjectFile("tool.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Map("hists").SetMaxEntries(4096); err != nil {
		log.Fatal(err)
	}
	pid, err := obj.Global("target_pid") // const volatile __u32 target_pid;
	if err != nil {
		log.Fatal(err)
	}
	if err := pid.Set(uint32(1234)); err != nil {
		log.Fatal(err)
	}
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	verbose, err := obj.Global("verbose") // bool verbose; in .data: live after Load
	if err != nil {
		log.Fatal(err)
	}
	if err := verbose.Set(true); err != nil {
		log.Fatal(err)
	}
}

// Dump a map: batch lookups where the kernel has them, NextKey otherwise,
// and no allocation per element.
func ExampleMap_Iterate() {
	m, err := libbpf.CreateMap(libbpf.MapTypeHash, "counts", 4, 8, 1024, libbpf.MapCreateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	it := m.Iterate()
	for key, value := range it.All() {
		// key and value are valid until the next iteration.
		fmt.Println(binary.NativeEndian.Uint32(key), binary.NativeEndian.Uint64(value))
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
}
