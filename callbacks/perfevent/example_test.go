package perfevent_test

import (
	"fmt"
	"log"
	"os"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/perfevent"
)

// Register the handler once, then open, load and auto-attach an object
// whose programs say which events they sample, for instance
//
//	SEC("perf_event/cpu-clock:freq=99")
//	int profile(struct bpf_perf_event_data *ctx) { ... }
func Example() {
	regs, err := perfevent.Register()
	if err != nil {
		log.Fatal(err)
	}
	defer libbpf.UnregisterAll(regs)

	obj, err := libbpf.OpenObjectFile("profile.bpf.o", nil)
	if err != nil {
		log.Fatal(err) // a malformed perf_event section fails here
	}
	defer obj.Close() // destroys every link: closes every event fd
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	if err := obj.Attach(); err != nil {
		log.Fatal(err) // e.g. a hardware event on a machine without a PMU
	}
}

// A spec known only at run time, here a child's pid, is attached to a
// program of a bare SEC("perf_event") section, which Object.Attach skips.
func ExampleAttach() {
	obj, err := libbpf.OpenObjectFile("switches.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer obj.Close()
	if err := obj.Load(); err != nil {
		log.Fatal(err)
	}
	pid := os.Getppid()
	link, err := perfevent.Attach(obj.Program("on_switch"), fmt.Sprintf("context-switches:period=1,pid=%d", pid))
	if err != nil {
		log.Fatal(err)
	}
	defer link.Close()
}

func ExampleParseSpec() {
	s, err := perfevent.ParseSpec("L1-dcache-load-misses:period=10000,cpus=0-3,6")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("type %d config %#x period %d cpus %v\n", s.Type, s.Config, s.Period, s.CPUs)
	fmt.Println(s)

	s, err = perfevent.ParseSpec("type=1,config=0,frequency=49")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)

	_, err = perfevent.ParseSpec("cpu-clock:freq=fast")
	fmt.Println(err)
	// Output:
	// type 3 config 0x10000 period 10000 cpus [0 1 2 3 6]
	// type=3,config=0x10000,period=10000,cpus=0-3,6
	// type=1,config=0x0,freq=49
	// option "freq=fast": "fast" is not a number: invalid syntax
}
