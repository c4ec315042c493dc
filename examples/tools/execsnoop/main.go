// Command execsnoop traces exec() system calls, like bcc's libbpf-tools
// execsnoop: a line per exec with the command name, its process and
// parent ids, the return value and the arguments. Run it as root; stop it
// with Ctrl-C.
//
//	execsnoop           # every successful exec()
//	execsnoop -x        # failed ones too
//	execsnoop -u 1000   # only UID 1000
//	execsnoop -T        # with the time of day (HH:MM:SS)
package main

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I ../../../build/include" -record "events=struct event" bpf/execsnoop.bpf.c

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unsafe"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/examples/tools/internal/cli"
)

const (
	maxArgsLimit = 60 // MAX_ARGS of the BPF side
	perfPages    = 64
)

type options struct {
	time, timestamp, fails, quote, printUID bool
	uid                                     int64
	name, line                              string
	maxArgs                                 int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("execsnoop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.time, "T", false, "include a time column (HH:MM:SS)")
	fs.BoolVar(&o.timestamp, "t", false, "include a timestamp column (seconds since start)")
	fs.BoolVar(&o.fails, "x", false, "include failed exec()s")
	fs.Int64Var(&o.uid, "u", -1, "trace this `UID` only")
	fs.BoolVar(&o.quote, "q", false, `put quotemarks (") around arguments`)
	fs.StringVar(&o.name, "n", "", "only print commands whose name contains `NAME`")
	fs.StringVar(&o.line, "l", "", "only print commands whose arguments contain `LINE`")
	fs.BoolVar(&o.printUID, "U", false, "print a UID column")
	fs.IntVar(&o.maxArgs, "max-args", 20, "the most arguments parsed and shown (1 to 60)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.uid < -1 || o.uid >= 1<<32-1 {
		return o, fmt.Errorf("invalid UID %d", o.uid)
	}
	if o.maxArgs < 1 || o.maxArgs > maxArgsLimit {
		return o, fmt.Errorf("invalid -max-args %d: want 1 to %d", o.maxArgs, maxArgsLimit)
	}
	return o, nil
}

// run traces until ctx is done; the header line is written once the
// programs are attached.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	skel, err := OpenExecsnoop(nil)
	if err != nil {
		return err
	}
	defer skel.Close()
	if err := skel.Rodata.IncludeFailed.Set(o.fails); err != nil {
		return err
	}
	if o.uid >= 0 {
		if err := skel.Rodata.OnlyUid.Set(uint32(o.uid)); err != nil {
			return err
		}
	}
	if err := skel.Rodata.MaxArgs.Set(uint32(o.maxArgs)); err != nil {
		return err
	}
	if err := skel.Load(); err != nil {
		return err
	}
	start := time.Now()
	if err := skel.Attach(); err != nil {
		return err
	}
	pb, err := libbpf.NewPerfBuffer(skel.Maps.Events, perfPages, libbpf.PerfBufferOptions{})
	if err != nil {
		return err
	}
	defer pb.Close()

	if o.time {
		fmt.Fprintf(stdout, "%-9s", "TIME")
	}
	if o.timestamp {
		fmt.Fprintf(stdout, "%-8s ", "TIME(s)")
	}
	if o.printUID {
		fmt.Fprintf(stdout, "%-6s ", "UID")
	}
	fmt.Fprintf(stdout, "%-16s %-6s %-6s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS")

	var e ExecsnoopEvent
	show := func(rec libbpf.PerfRecord) error {
		if rec.LostSamples != 0 {
			fmt.Fprintf(stderr, "Lost %d events on CPU #%d!\n", rec.LostSamples, rec.CPU)
			return nil
		}
		if err := e.UnmarshalBinary(rec.Data); err != nil {
			return err
		}
		rest := rec.Data[unsafe.Sizeof(e):]
		args := rest[:min(int(e.ArgsSize), len(rest))]
		comm := cli.CString(e.Comm[:])
		if o.name != "" && !strings.Contains(comm, o.name) {
			return nil
		}
		if o.line != "" && !bytes.Contains(args, []byte(o.line)) {
			return nil
		}
		if o.time {
			fmt.Fprintf(stdout, "%-8s ", time.Now().Format("15:04:05"))
		}
		if o.timestamp {
			fmt.Fprintf(stdout, "%-8.3f", time.Since(start).Seconds())
		}
		if o.printUID {
			fmt.Fprintf(stdout, "%-6d", e.Uid)
		}
		fmt.Fprintf(stdout, "%-16s %-6d %-6d %3d %s\n", comm, e.Pid, e.Ppid, e.Retval,
			formatArgs(args, int(e.ArgsCount), o))
		return nil
	}
	for {
		if _, err := pb.ReadFunc(ctx, time.Second, show); err != nil {
			if cli.Done(err) {
				return nil
			}
			return err
		}
	}
}

// formatArgs joins the NUL-terminated arguments by spaces, quoted with -q,
// and marks arguments left out past -max-args with "...".
func formatArgs(args []byte, count int, o options) string {
	var b strings.Builder
	parts := strings.Split(strings.TrimSuffix(string(args), "\x00"), "\x00")
	for i, a := range parts[:min(len(parts), count)] {
		if i > 0 {
			b.WriteByte(' ')
		}
		if o.quote {
			b.WriteString(`"` + strings.NewReplacer(`"`, `\"`, "\t", `\t`, "\n", `\n`).Replace(a) + `"`)
		} else {
			b.WriteString(a)
		}
	}
	if count == o.maxArgs+1 {
		b.WriteString(" ...")
	}
	return b.String()
}

func main() { cli.Main(run) }
