package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/golibbpf/libbpf"
)

// btfCommand runs "bpfrun btf dump": it writes BTF as a C header, what
// `bpftool btf dump file FILE format c` writes, so that a vmlinux.h needs
// no bpftool.
func btfCommand(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "dump" {
		return usagef("btf: want \"btf dump [--base FILE] [FILE]\"")
	}
	fs := newFlagSet("btf dump", "btf dump [--base FILE] [FILE]", stdout)
	baseFile := fs.String("base", "", "base BTF of FILE when FILE is split BTF, e.g. /sys/kernel/btf/vmlinux for a module's")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return flagErr(fs, err)
	}
	if len(pos) > 1 {
		return usagef("btf dump takes one file, got %q", pos)
	}
	file := "/sys/kernel/btf/vmlinux"
	if len(pos) == 1 {
		file = pos[0]
	}
	var base *libbpf.BTF
	if *baseFile != "" {
		if base, err = libbpf.ParseBTF(*baseFile, nil); err != nil {
			return err
		}
		defer base.Close()
	}
	b, err := libbpf.ParseBTF(file, base)
	if err != nil {
		return err
	}
	defer b.Close()
	w := bufio.NewWriterSize(stdout, 1<<16)
	if err := b.DumpCHeader(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write the header: %w", err)
	}
	return nil
}
