// Command syscount counts system calls, like bcc's libbpf-tools syscount:
// a table of the busiest syscalls (or processes, with -P) with their
// counts, and with -L the time spent in them. Run it as root; stop it
// with Ctrl-C or -d.
//
//	syscount            # top 10 syscalls, printed at Ctrl-C
//	syscount -L -i 1    # with latency, every second
//	syscount -p 181 -P  # process 181's calls, by process
//	syscount -x -e ENOENT
package main

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include" bpf/syscount.bpf.c
//go:generate ./syscallnames.sh

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
)

type options struct {
	pid                     int64
	interval, duration      cli.Seconds
	top                     int
	failures, latency, ms   bool
	byProcess, listSyscalls bool
	errno                   unix.Errno
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{top: 10}
	fs := flag.NewFlagSet("syscount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Int64Var(&o.pid, "p", -1, "trace this `PID` only")
	fs.Var(&o.interval, "i", "print a summary every `INTERVAL` (seconds, or 500ms); 0: at the end only")
	fs.Var(&o.duration, "d", "trace for this `DURATION` (seconds, or 500ms), then stop")
	fs.IntVar(&o.top, "T", 10, "print only the `TOP` syscalls")
	fs.BoolVar(&o.failures, "x", false, "count failed syscalls only")
	fs.BoolVar(&o.latency, "L", false, "collect syscall latency")
	fs.BoolVar(&o.ms, "m", false, "show latency in milliseconds (default: microseconds)")
	fs.BoolVar(&o.byProcess, "P", false, "count by process, not by syscall")
	fs.Func("e", "count only syscalls that fail with `ERRNO` (a number, or a name: EPERM)", func(v string) error {
		if n, err := strconv.ParseUint(v, 10, 16); err == nil && n > 0 {
			o.errno = unix.Errno(n)
			return nil
		}
		for n := unix.Errno(1); n < 4096; n++ {
			if unix.ErrnoName(n) == v {
				o.errno = n
				return nil
			}
		}
		return fmt.Errorf("unknown errno %q", v)
	})
	fs.BoolVar(&o.listSyscalls, "l", false, "print the syscalls known by name, and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.pid < -1 || o.pid >= 1<<32-1 {
		return o, fmt.Errorf("invalid -p %d", o.pid)
	}
	if o.top < 1 {
		return o, fmt.Errorf("invalid -T %d: want 1 or more", o.top)
	}
	return o, nil
}

// row is one line of the table: a syscall number or a PID, and its counts.
type row struct {
	key  uint32
	vals SyscountCounts
}

// run counts until ctx is done or -d passes, printing a table every -i
// and at the end; the first line is written once the programs are
// attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.listSyscalls {
		for _, nr := range slices.Sorted(maps.Keys(syscallNames)) {
			fmt.Fprintf(stdout, "%3d %s\n", nr, syscallNames[nr])
		}
		return nil
	}
	skel, err := OpenSyscount(nil)
	if err != nil {
		return err
	}
	defer skel.Close()
	if o.pid >= 0 {
		if err := skel.Rodata.OnlyPid.Set(uint32(o.pid)); err != nil {
			return err
		}
	}
	for _, set := range []error{
		skel.Rodata.FailedOnly.Set(o.failures),
		skel.Rodata.OnlyErrno.Set(int32(o.errno)),
		skel.Rodata.ByProcess.Set(o.byProcess),
		skel.Rodata.Latency.Set(o.latency),
	} {
		if set != nil {
			return set
		}
	}
	// sys_enter only times calls: without -L it stays unloaded.
	if err := skel.Progs.SysEnter.SetAutoload(o.latency); err != nil {
		return err
	}
	if err := skel.Load(); err != nil {
		return err
	}
	if err := skel.Attach(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Tracing syscalls, printing top %d... Ctrl+C to quit.\n", o.top)

	ctx, cancel := cli.WithDuration(ctx, o.duration)
	defer cancel()
	d := cli.NewDrainer(skel.Maps.Counts)
	return cli.Repeat(ctx, time.Duration(o.interval), 0, func() error { return report(stdout, d, o) })
}

// report empties the counts map and prints what it held, busiest first.
func report(w io.Writer, d *cli.Drainer, o options) error {
	var rows []row
	err := d.Drain(func(key, value []byte) error {
		r := row{key: binary.NativeEndian.Uint32(key)}
		rows = append(rows, r)
		return rows[len(rows)-1].vals.UnmarshalBinary(value)
	})
	if err != nil || len(rows) == 0 {
		return err
	}
	slices.SortFunc(rows, func(a, b row) int {
		if o.latency && a.vals.TotalNs != b.vals.TotalNs {
			return cmpDesc(a.vals.TotalNs, b.vals.TotalNs)
		}
		return cmpDesc(a.vals.Count, b.vals.Count)
	})
	fmt.Fprintf(w, "[%s]\n", time.Now().Format("15:04:05"))
	keyCol := "SYSCALL"
	if o.byProcess {
		keyCol = "PID    COMM"
	}
	div, timeCol := 1e3, "TIME (us)"
	if o.ms {
		div, timeCol = 1e6, "TIME (ms)"
	}
	if o.latency {
		fmt.Fprintf(w, "%-22s %8s %16s\n", keyCol, "COUNT", timeCol)
	} else {
		fmt.Fprintf(w, "%-22s %8s\n", keyCol, "COUNT")
	}
	for _, r := range rows[:min(len(rows), o.top)] {
		var key string
		if o.byProcess {
			key = fmt.Sprintf("%-6d %-15s", r.key, cli.CString(r.vals.Comm[:]))
		} else if name, ok := syscallNames[r.key]; ok {
			key = name
		} else {
			key = fmt.Sprintf("[unknown: %d]", r.key)
		}
		if o.latency {
			fmt.Fprintf(w, "%-22s %8d %16.3f\n", key, r.vals.Count, float64(r.vals.TotalNs)/div)
		} else {
			fmt.Fprintf(w, "%-22s %8d\n", key, r.vals.Count)
		}
	}
	fmt.Fprintln(w)
	return nil
}

func cmpDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func main() { cli.Main(run) }
