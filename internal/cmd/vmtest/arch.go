package main

import (
	"debug/elf"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// guestArch is what differs between the guests' architectures: the QEMU that
// boots them, the console, the two channels the results and the status leave
// by, and the names the toolchains and Debian give the architecture. Every
// other step is the same for all of them.
type guestArch struct {
	// goarch is GOARCH, also Debian's name for the architecture and the
	// {arch} of vmtest/matrix.
	goarch string
	// triplet is the GNU triplet: the cross compiler's prefix and the
	// multiarch library directory (/usr/lib/<triplet>).
	triplet string
	// bpfArch is libbpf's __TARGET_ARCH_ name (bpf_tracing.h).
	bpfArch string
	// elfMachine is its programs' e_machine: whose library directories
	// a program's libraries are looked up in.
	elfMachine elf.Machine
	qemu       string   // the QEMU binary
	board      []string // its machine options
	cpu        string   // its CPU model under TCG
	// console is the device of console= (the board's first UART).
	console string
	// channels are the QEMU options of the results and the status channel,
	// written to the two files; resultsDev and statusDev are their devices
	// in the guest.
	channels              func(results, status string) []string
	resultsDev, statusDev string
	// channelModules are the kernel modules the channels need, loaded
	// before anything else where the kernel has them as modules.
	channelModules []string
}

var arches = map[string]*guestArch{
	// The PC has four UARTs: the second and third are the channels.
	"amd64": {
		goarch: "amd64", triplet: "x86_64-linux-gnu", bpfArch: "x86", elfMachine: elf.EM_X86_64,
		qemu: "qemu-system-x86_64", cpu: "max",
		console: "ttyS0",
		channels: func(results, status string) []string {
			return []string{"-serial", "file:" + results, "-serial", "file:" + status}
		},
		resultsDev: "/dev/ttyS1", statusDev: "/dev/ttyS2",
	},
	// virt has one UART (PL011), the console; the channels are two ports
	// of a virtio-serial device on virtio-mmio. A port's write returns once
	// QEMU has taken the data, so the status written before poweroff is in
	// the file. pauth-impdef: TCG computes pointer authentication codes
	// with a cheap implementation-defined hash instead of QARMA, which
	// otherwise costs a large share of the guest's time; the guest cannot
	// tell. Poweroff goes through PSCI.
	"arm64": {
		goarch: "arm64", triplet: "aarch64-linux-gnu", bpfArch: "arm64", elfMachine: elf.EM_AARCH64,
		qemu: "qemu-system-aarch64", board: []string{"-M", "virt"}, cpu: "max,pauth-impdef=on",
		console: "ttyAMA0",
		channels: func(results, status string) []string {
			return []string{"-device", "virtio-serial-device",
				"-chardev", "file,id=results,path=" + results, "-device", "virtserialport,chardev=results,name=results,nr=1",
				"-chardev", "file,id=status,path=" + status, "-device", "virtserialport,chardev=status,name=status,nr=2"}
		},
		// vport<virtio device index>p<port number>: the serial device is
		// the guest's only virtio device.
		resultsDev: "/dev/vport0p1", statusDev: "/dev/vport0p2",
		channelModules: []string{"virtio_mmio", "virtio_console"},
	},
}

// archNamed returns the architecture name stands for ("" for the host's).
func archNamed(name string) (*guestArch, error) {
	if name == "" {
		name = runtime.GOARCH
	}
	a, ok := arches[name]
	if !ok {
		var known []string
		for n := range arches {
			known = append(known, n)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("no guest architecture %q (vmtest knows %s)", name, strings.Join(known, " "))
	}
	return a, nil
}

// cross reports whether the guests' architecture is not the host's: the
// module's code and the guests' programs are then built for it apart from
// the checkout's own build.
func (a *guestArch) cross() bool { return a.goarch != runtime.GOARCH }

// accel is QEMU's board and accelerator: KVM when the guest runs the host's
// architecture and /dev/kvm can be opened, else single-threaded TCG
// (multi-threaded TCG livelocks guests whose kernel patches its own code, as
// attaching and detaching programs does) with the guest's clock counting
// executed instructions (-icount): otherwise a vCPU that waits for the host
// thread sees its timers fire late, and timer-driven programs (perf_event
// sampling at a frequency) run at a fraction of their rate.
func (a *guestArch) accel() []string {
	if !a.cross() {
		if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
			f.Close()
			return append(slices.Clone(a.board), "-accel", "kvm", "-cpu", "host")
		}
	}
	return append(slices.Clone(a.board), "-accel", "tcg,thread=single", "-icount", "shift=auto,sleep=on", "-cpu", a.cpu)
}
