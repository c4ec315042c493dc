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

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include" bpf/runqlat.bpf.c

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
	"github.com/golibbpf/libbpf/examples/tools/internal/hist"
)

type options struct {
	timestamp, millis, perProcess, perThread bool
	pid                                      int64
	every                                    time.Duration
	count                                    int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("runqlat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: runqlat [-T] [-m] [-P | -L] [-p PID] [interval [count]]")
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.timestamp, "T", false, "print the time with each histogram")
	fs.BoolVar(&o.millis, "m", false, "a histogram in milliseconds (default: microseconds)")
	fs.BoolVar(&o.perProcess, "P", false, "a histogram per process")
	fs.BoolVar(&o.perThread, "L", false, "a histogram per thread")
	fs.Int64Var(&o.pid, "p", -1, "trace this `PID` only")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.perProcess && o.perThread {
		return o, fmt.Errorf("-P and -L exclude each other")
	}
	if o.pid < -1 || o.pid >= 1<<32-1 {
		return o, fmt.Errorf("invalid -p %d", o.pid)
	}
	var err error
	o.every, o.count, err = cli.Intervals(fs.Args())
	return o, err
}

// run traces until ctx is done or count intervals passed; the first line
// is written once the programs are attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	skel, err := OpenRunqlat(nil)
	if err != nil {
		return err
	}
	defer skel.Close()
	group, label := RunqlatGroupAll, ""
	if o.perProcess {
		group, label = RunqlatGroupProcess, "pid"
	} else if o.perThread {
		group, label = RunqlatGroupThread, "tid"
	}
	if o.pid >= 0 {
		if err := skel.Rodata.OnlyPid.Set(uint32(o.pid)); err != nil {
			return err
		}
	}
	if err := skel.Rodata.GroupBy.Set(group); err != nil {
		return err
	}
	if err := skel.Rodata.Millis.Set(o.millis); err != nil {
		return err
	}
	if err := skel.Load(); err != nil {
		return err
	}
	if err := skel.Attach(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Tracing run queue latency... Hit Ctrl-C to end.")

	unit := "usecs"
	if o.millis {
		unit = "msecs"
	}
	d := cli.NewDrainer(skel.Maps.Hists)
	var h RunqlatHist
	return cli.Repeat(ctx, o.every, o.count, func() error {
		fmt.Fprintln(stdout)
		if o.timestamp {
			fmt.Fprintf(stdout, "%-8s\n", time.Now().Format("15:04:05"))
		}
		return d.Drain(func(key, value []byte) error {
			if err := h.UnmarshalBinary(value); err != nil {
				return err
			}
			if label != "" {
				fmt.Fprintf(stdout, "\n%s = %d %s\n", label, binary.NativeEndian.Uint32(key), cli.CString(h.Comm[:]))
			}
			hist.PrintLog2(stdout, h.Slots[:], unit)
			return nil
		})
	})
}

func main() { cli.Main(run) }
