package libbpf_test

import (
	"bufio"
	"fmt"
	"log"

	"github.com/golibbpf/libbpf"
)

// Pick a kprobe target at run time, with a cookie the program reads back
// with bpf_get_attach_cookie().
func ExampleProgram_AttachKprobe() {
	obj, err := libbpf.OpenObjectFile("probes.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	for i, fn := range []string{"vfs_read", "vfs_write"} {
		l, err := obj.Program("on_entry").AttachKprobe(fn, libbpf.KprobeOptions{Cookie: uint64(i)})
		if err != nil {
			log.Fatal(err)
		}
		defer l.Close()
	}
}

// Run a task iterator and read what its program prints with
// BPF_SEQ_PRINTF.
func ExampleLink_Open() {
	obj, err := libbpf.OpenObjectFile("tasks.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	link, err := obj.Program("dump_task").AttachIter(libbpf.IterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer link.Close()
	r, err := link.Open() // each Open runs the iterator once
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		fmt.Println(lines.Text())
	}
	if err := lines.Err(); err != nil {
		log.Fatal(err)
	}
}
