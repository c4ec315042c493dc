// The program of the consumer module that libbpf-setup's test builds in a
// module of its own, which requires github.com/golibbpf/libbpf through the
// module system: it registers a Go handler for SEC("consumer/..."), opens,
// loads and attaches the embedded object, and checks that the program
// counts this process's syscalls.
package main

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"os"
	"syscall"

	"github.com/golibbpf/libbpf"
)

//go:embed consumer.bpf.o
var object []byte

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
}

func run() error {
	setups := 0
	reg, err := libbpf.RegisterProgHandler("consumer/", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			setups++
			return nil
		},
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachRawTracepoint("sys_enter")
		},
	})
	if err != nil {
		return err
	}
	defer reg.Unregister()

	obj, err := libbpf.OpenObjectBytes(object, nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	if setups != 1 {
		return fmt.Errorf("the Go handler's Setup ran %d times, want 1", setups)
	}
	if err := obj.Load(); err != nil {
		return err
	}
	counts := obj.Map("counts")
	key, value := make([]byte, 4), make([]byte, 8)
	binary.LittleEndian.PutUint64(value, uint64(os.Getpid()))
	if err := counts.Update(key, value, libbpf.UpdateAny); err != nil {
		return err
	}
	if err := obj.Attach(); err != nil {
		return err
	}
	const calls = 100
	for range calls {
		syscall.Getppid()
	}
	binary.LittleEndian.PutUint32(key, 1)
	if err := counts.Lookup(key, value); err != nil {
		return err
	}
	n := binary.LittleEndian.Uint64(value)
	if n < calls {
		return fmt.Errorf("the program counted %d syscalls, want at least %d", n, calls)
	}
	fmt.Printf("consumer: the Go handler attached the program, which fired %d times (libbpf %s)\n", n, libbpf.LibbpfVersion())
	return nil
}
