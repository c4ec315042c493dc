package libbpf_test

import (
	"errors"
	"log"
	"net"

	"github.com/golibbpf/libbpf"
)

// Attach a SEC("tc") program to eth0's ingress the way libbpf-bootstrap's tc
// example does, on any kernel: with a tcx link where the kernel has tcx,
// else as a classic tc filter. Both Links detach the program on Close.
func ExampleProgram_AttachTC() {
	obj, err := libbpf.OpenObjectFile("tc.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	prog := obj.Program("tc_ingress")
	tcx := libbpf.ProbeTCX() == nil
	if tcx {
		// A tcx program's direction is its expected attach type.
		if err := prog.SetExpectedAttachType(libbpf.AttachTypeTCXIngress); err != nil {
			log.Fatal(err)
		}
	}
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	eth0, err := net.InterfaceByName("eth0")
	if err != nil {
		log.Fatal(err)
	}
	var link *libbpf.Link
	if tcx {
		link, err = prog.AttachTCX(eth0.Index)
	} else {
		link, err = prog.AttachTC(libbpf.TCHook{Ifindex: eth0.Index, AttachPoint: libbpf.TCIngress}, libbpf.TCOptions{})
	}
	if err != nil {
		log.Fatal(err)
	}
	defer link.Close()
}

// Put a program first on a tcx hook, before every program attached there.
func ExampleProgram_AttachTCX() {
	var prog *libbpf.Program // a loaded SEC("tcx/ingress") program
	link, err := prog.AttachTCX(1, libbpf.TCXOptions{Flags: libbpf.AttachBefore})
	if err != nil {
		log.Fatal(err)
	}
	defer link.Close()
}

// Attach XDP through netlink in generic mode, refusing to replace a program
// that is already there, and read back what the interface runs.
func ExampleXDPAttach() {
	var prog *libbpf.Program // a loaded SEC("xdp") program
	err := libbpf.XDPAttach(1, prog.FD(), libbpf.XDPFlagsSKBMode|libbpf.XDPFlagsUpdateIfNoExist, libbpf.XDPAttachOptions{})
	if err != nil {
		log.Fatal(err) // errors.Is(err, unix.EBUSY): the interface has a program
	}
	defer libbpf.XDPDetach(1, libbpf.XDPFlagsSKBMode, libbpf.XDPAttachOptions{OldProgFD: prog.FD()})
	q, err := libbpf.XDPQuery(1, 0)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("program %d attached in mode %d", q.SKBProgID, q.AttachMode)
}

// Tell whether a kernel lacks a mechanism, to pick another.
func ExampleProbeTCX() {
	if err := libbpf.ProbeTCX(); errors.Is(err, libbpf.ErrNotSupported) {
		log.Printf("no tcx here (%v): attaching classic tc filters", err)
	}
}
