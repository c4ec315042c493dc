// Command opensnoop traces open() and openat() system calls, like bcc's
// libbpf-tools opensnoop: a line per open with the process, the file
// descriptor or the error, and the path. Run it as root; stop it with
// Ctrl-C or -d.
//
//	opensnoop           # every open
//	opensnoop -x        # failed opens only
//	opensnoop -p 181    # only process 181
//	opensnoop -n main   # only commands whose name contains "main"
package main

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include" bpf/opensnoop.bpf.c

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
)

type options struct {
	duration                      cli.Seconds
	extended, timestamp, printUID bool
	failed                        bool
	name                          string
	pid, tid, uid                 int64
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("opensnoop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&o.duration, "d", "trace for this `DURATION` (seconds, or 500ms), then stop")
	fs.BoolVar(&o.extended, "e", false, "print the open flags and mode")
	fs.StringVar(&o.name, "n", "", "trace process names containing `NAME`")
	fs.Int64Var(&o.pid, "p", -1, "trace this `PID` only")
	fs.Int64Var(&o.tid, "t", -1, "trace this `TID` only")
	fs.BoolVar(&o.timestamp, "T", false, "print the time (HH:MM:SS)")
	fs.Int64Var(&o.uid, "u", -1, "trace this `UID` only")
	fs.BoolVar(&o.printUID, "U", false, "print a UID column")
	fs.BoolVar(&o.failed, "x", false, "failed opens only")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, id := range []struct {
		flag string
		v    int64
	}{{"-p", o.pid}, {"-t", o.tid}, {"-u", o.uid}} {
		if id.v < -1 || id.v >= 1<<32-1 {
			return o, fmt.Errorf("invalid %s %d", id.flag, id.v)
		}
	}
	return o, nil
}

// run traces until ctx is done or -d passes; the header line is written
// once the programs are attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	skel, err := OpenOpensnoop(nil)
	if err != nil {
		return err
	}
	defer skel.Close()
	for _, f := range []struct {
		v   int64
		set libbpf.TypedVariable[uint32]
	}{{o.pid, skel.Rodata.OnlyPid}, {o.tid, skel.Rodata.OnlyTid}, {o.uid, skel.Rodata.OnlyUid}} {
		if f.v >= 0 {
			if err := f.set.Set(uint32(f.v)); err != nil {
				return err
			}
		}
	}
	if err := skel.Rodata.FailedOnly.Set(o.failed); err != nil {
		return err
	}
	if err := skel.Load(); err != nil {
		return err
	}
	if err := skel.Attach(); err != nil {
		return err
	}
	rb, err := libbpf.NewRingBuffer(skel.Maps.Events)
	if err != nil {
		return err
	}
	defer rb.Close()
	ctx, cancel := cli.WithDuration(ctx, o.duration)
	defer cancel()

	if o.timestamp {
		fmt.Fprintf(stdout, "%-8s ", "TIME")
	}
	if o.printUID {
		fmt.Fprintf(stdout, "%-7s ", "UID")
	}
	fmt.Fprintf(stdout, "%-6s %-16s %3s %3s ", "PID", "COMM", "FD", "ERR")
	if o.extended {
		fmt.Fprintf(stdout, "%-8s %-5s ", "FLAGS", "MODE")
	}
	fmt.Fprintln(stdout, "PATH")

	var e OpensnoopEvent
	show := func(rec libbpf.Record) error {
		if err := e.UnmarshalBinary(rec.Data); err != nil {
			return err
		}
		comm := cli.CString(e.Comm[:])
		if o.name != "" && !strings.Contains(comm, o.name) {
			return nil
		}
		fd, errno := int(e.Ret), 0
		if e.Ret < 0 {
			fd, errno = -1, int(-e.Ret)
		}
		if o.timestamp {
			fmt.Fprintf(stdout, "%-8s ", time.Now().Format("15:04:05"))
		}
		if o.printUID {
			fmt.Fprintf(stdout, "%-7d ", e.Uid)
		}
		fmt.Fprintf(stdout, "%-6d %-16s %3d %3d ", e.Pid, comm, fd, errno)
		if o.extended {
			// The mode means something only when the file may be created.
			if e.Mode == 0 && e.Flags&unix.O_CREAT == 0 && e.Flags&unix.O_TMPFILE != unix.O_TMPFILE {
				fmt.Fprintf(stdout, "%08o n/a  ", e.Flags)
			} else {
				fmt.Fprintf(stdout, "%08o %04o ", e.Flags, e.Mode)
			}
		}
		fmt.Fprintln(stdout, cli.CString(e.Path[:]))
		return nil
	}
	for {
		if _, err := rb.ReadFunc(ctx, time.Second, show); err != nil {
			if cli.Done(err) {
				return nil
			}
			return err
		}
	}
}

func main() { cli.Main(run) }
