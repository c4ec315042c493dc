package hist

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
)

// Slots and commLen are struct hist's, of include/hist.bpf.h.
const (
	Slots   = 26
	commLen = 16
)

// Options are the flags and arguments runqlat and cpudist share.
type Options struct {
	Timestamp, Millis, PerProcess, PerThread bool
	PID                                      int64 // -1: every process
	Every                                    time.Duration
	Count                                    int
}

// Parse reads args: [-T] [-m] [-P | -L] [-p PID] [interval [count]], and
// the tool's own flags that add registers on fs.
func (o *Options) Parse(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags] [interval [count]]\n", fs.Name())
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.Timestamp, "T", false, "print the time with each report")
	fs.BoolVar(&o.Millis, "m", false, "a histogram in milliseconds (default: microseconds)")
	fs.BoolVar(&o.PerProcess, "P", false, "a histogram per process")
	fs.BoolVar(&o.PerThread, "L", false, "a histogram per thread")
	fs.Int64Var(&o.PID, "p", -1, "trace this `PID` only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.PerProcess && o.PerThread {
		return fmt.Errorf("-P and -L exclude each other")
	}
	if o.PID < -1 || o.PID >= 1<<32-1 {
		return fmt.Errorf("invalid -p %d", o.PID)
	}
	var err error
	o.Every, o.Count, err = cli.Intervals(fs.Args())
	return err
}

// Group is the value of the BPF side's enum group for the options.
func (o *Options) Group() uint32 {
	switch {
	case o.PerProcess:
		return 1 // GROUP_PROCESS
	case o.PerThread:
		return 2 // GROUP_THREAD
	}
	return 0 // GROUP_ALL
}

// Report prints the histograms of the loaded map hists every interval
// (or once at the end), emptying it each time, until ctx is done or
// Count reports are out.
func (o *Options) Report(ctx context.Context, w io.Writer, hists *libbpf.Map) error {
	if want := Slots*4 + commLen; hists.ValueSize() != want {
		return fmt.Errorf("map %s: values of %d bytes, want a struct hist of %d", hists.Name(), hists.ValueSize(), want)
	}
	unit, label := "usecs", ""
	if o.Millis {
		unit = "msecs"
	}
	if o.PerProcess {
		label = "pid"
	} else if o.PerThread {
		label = "tid"
	}
	d := cli.NewDrainer(hists)
	slots := make([]uint32, Slots)
	return cli.Repeat(ctx, o.Every, o.Count, func() error {
		fmt.Fprintln(w)
		if o.Timestamp {
			fmt.Fprintf(w, "%-8s\n", time.Now().Format("15:04:05"))
		}
		return d.Drain(func(key, value []byte) error {
			if label != "" {
				fmt.Fprintf(w, "\n%s = %d %s\n", label, binary.NativeEndian.Uint32(key), cli.CString(value[Slots*4:]))
			}
			for i := range slots {
				slots[i] = binary.NativeEndian.Uint32(value[i*4:])
			}
			PrintLog2(w, slots, unit)
			return nil
		})
	})
}
