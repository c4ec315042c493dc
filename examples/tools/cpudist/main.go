// Command cpudist summarizes how long tasks run on a CPU at a time, like
// bcc's libbpf-tools cpudist, as a log2 histogram (per process or thread
// on request); -O measures the time off a CPU instead. Run it as root;
// it prints at Ctrl-C, or every interval.
//
//	cpudist         # on-CPU time, one histogram at Ctrl-C
//	cpudist -O 1 5  # off-CPU time, every second, 5 times
//	cpudist -mT 1   # every second, in milliseconds, with the time
//	cpudist -P      # a histogram per process
//	cpudist -p 185  # process 185 only
package main

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include -I ../include" bpf/cpudist.bpf.c

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/variant"
	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
	"github.com/golibbpf/libbpf/examples/tools/internal/hist"
)

// run traces until ctx is done or count intervals passed; the first line
// is written once the programs are attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		o      hist.Options
		offCPU bool
	)
	fs := flag.NewFlagSet("cpudist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&offCPU, "O", false, "measure off-CPU time")
	if err := o.Parse(fs, args); err != nil {
		return err
	}
	// The program is SEC("tp.best/sched_switch"): tp_btf, or raw_tp on
	// kernels without it. The handlers must be registered before Open.
	regs, err := registerVariants()
	if err != nil {
		return err
	}
	defer libbpf.UnregisterAll(regs)
	skel, err := load(o, offCPU)
	if err != nil {
		return err
	}
	defer skel.Close()
	if err := skel.Attach(); err != nil {
		return err
	}
	what := "on-CPU"
	if offCPU {
		what = "off-CPU"
	}
	fmt.Fprintf(stdout, "Tracing %s time... Hit Ctrl-C to end.\n", what)
	return o.Report(ctx, stdout, skel.Maps.Hists)
}

// load opens the object, sizes its maps for the system's pid_max, sets
// the options and loads it; the variant handlers must be registered.
func load(o hist.Options, offCPU bool) (_ *Cpudist, err error) {
	pidMax, err := readPidMax()
	if err != nil {
		return nil, err
	}
	skel, err := OpenCpudist(nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			skel.Close()
		}
	}()
	// A start time per thread the system may have, and one histogram
	// per process or thread, or a single one.
	histograms := uint32(1)
	if o.PerProcess || o.PerThread {
		histograms = pidMax
	}
	if err := skel.Maps.Since.SetMaxEntries(pidMax); err != nil {
		return nil, err
	}
	if err := skel.Maps.Hists.SetMaxEntries(histograms); err != nil {
		return nil, err
	}
	if o.PID >= 0 {
		if err := skel.Rodata.OnlyPid.Set(uint32(o.PID)); err != nil {
			return nil, err
		}
	}
	for _, err := range []error{
		skel.Rodata.GroupBy.Set(CpudistGroup(o.Group())),
		skel.Rodata.Millis.Set(o.Millis),
		skel.Rodata.OffCpu.Set(offCPU),
	} {
		if err != nil {
			return nil, err
		}
	}
	if err := skel.Load(); err != nil {
		return nil, err
	}
	return skel, nil
}

// readPidMax returns the kernel's pid_max: the most thread ids in use.
func readPidMax() (uint32, error) {
	b, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		return 0, fmt.Errorf("read pid_max: %w", err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("pid_max %q: not a count", b)
	}
	return uint32(n), nil
}

// registerVariants registers the tp.best handlers of callbacks/variant;
// the tests also run the tool with variant.RegisterFallbacks in its place.
var registerVariants = variant.Register

func main() { cli.Main(run) }
