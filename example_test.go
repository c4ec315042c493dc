package libbpf_test

import (
	"errors"
	"fmt"
	"log"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
)

// Teach libbpf a new section form: SEC("sysenter/<anything>") programs become
// raw tracepoints auto-attached to sys_enter.
func ExampleRegisterProgHandler() {
	reg, err := libbpf.RegisterProgHandler("sysenter/", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			if p.SectionName() == "sysenter/" {
				return fmt.Errorf("section %q needs a suffix: %w", p.SectionName(), unix.EINVAL)
			}
			return nil
		},
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachRawTracepoint("sys_enter")
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Unregister() // after every object using it is closed
}

// A fallback handler serves every section nothing else knows; here it makes
// such programs sleepable syscall programs that are loaded but not attached.
func ExampleRegisterFallbackProgHandler() {
	reg, err := libbpf.RegisterFallbackProgHandler(libbpf.ProgTypeSyscall, 0, libbpf.ProgHandler{
		PrepareLoad: func(p *libbpf.Program, opts *libbpf.LoadOptions) error {
			opts.ProgFlags |= unix.BPF_F_SLEEPABLE
			return nil
		},
	})
	if errors.Is(err, unix.EBUSY) {
		log.Fatal("another fallback handler is registered")
	}
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Unregister()
}

// Open, load and auto-attach an object, then read a counter from a map.
func ExampleObject() {
	obj, err := libbpf.OpenObjectFile("testdata/basic.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close() // destroys the links Attach made

	if err := obj.Load(); err != nil {
		var le *libbpf.LoadError
		if errors.As(err, &le) {
			log.Fatalf("verifier refused %s:\n%s", le.Program, le.Log)
		}
		log.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		log.Fatal(err)
	}
	value := make([]byte, 8)
	if err := obj.Map("counts").Lookup([]byte{0, 0, 0, 0}, value); err != nil {
		log.Fatal(err)
	}
}
