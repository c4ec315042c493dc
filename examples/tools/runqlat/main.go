// Command runqlat summarizes run queue latency, like bcc's libbpf-tools
// runqlat: how long tasks wait, runnable, for a CPU, as a log2 histogram
// (per process or thread on request). Run it as root; it prints at
// Ctrl-C, or every interval.
//
//	runqlat         # one histogram, at Ctrl-C
//	runqlat 1 10    # every second, 10 times
//	runqlat -mT 1   # every second, in milliseconds, with the time
//	runqlat -P      # a histogram per process
//	runqlat -p 185  # process 185 only
package main

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include -I ../include" bpf/runqlat.bpf.c

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/variant"
	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
	"github.com/golibbpf/libbpf/examples/tools/internal/hist"
)

// run traces until ctx is done or count intervals passed; the first line
// is written once the programs are attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o hist.Options
	fs := flag.NewFlagSet("runqlat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := o.Parse(fs, args); err != nil {
		return err
	}
	// The programs are SEC("tp.best/..."): tp_btf, or raw_tp on kernels
	// without it. The handlers must be registered before Open.
	regs, err := registerVariants()
	if err != nil {
		return err
	}
	defer libbpf.UnregisterAll(regs)
	skel, err := OpenRunqlat(nil)
	if err != nil {
		return err
	}
	defer skel.Close()
	if o.PID >= 0 {
		if err := skel.Rodata.OnlyPid.Set(uint32(o.PID)); err != nil {
			return err
		}
	}
	if err := skel.Rodata.GroupBy.Set(RunqlatGroup(o.Group())); err != nil {
		return err
	}
	if err := skel.Rodata.Millis.Set(o.Millis); err != nil {
		return err
	}
	if err := skel.Load(); err != nil {
		return err
	}
	if err := skel.Attach(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Tracing run queue latency... Hit Ctrl-C to end.")

	return o.Report(ctx, stdout, skel.Maps.Hists)
}

// registerVariants registers the tp.best handlers of callbacks/variant;
// the tests also run the tool with variant.RegisterFallbacks in its place.
var registerVariants = variant.Register

func main() { cli.Main(run) }
