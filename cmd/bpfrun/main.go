// Command bpfrun runs any BPF object with every SEC() form this module
// knows, libbpf's own and the custom handlers of callbacks/, and shows what
// its programs do: run counts, run times, map contents decoded through the
// object's BTF, ring buffer and perf event array records.
//
//	bpfrun run [flags] OBJECT.bpf.o   open, load, attach, watch until Ctrl-C
//	bpfrun sections                   every SEC() form bpfrun knows
//	bpfrun inspect OBJECT.bpf.o       programs, their handlers, and maps
//
// See README.md next to this file for the flags and the JSON output.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
)

const usage = `usage:
  bpfrun run [flags] OBJECT.bpf.o   open, load and auto-attach the object, then show
                                    its programs, maps and records until Ctrl-C
  bpfrun sections [--output json]   list every SEC() form bpfrun knows
  bpfrun inspect [--output json] OBJECT.bpf.o
                                    list the object's programs, the handler each
                                    section matches, and its maps
  bpfrun btf dump [--base FILE] [FILE]
                                    write BTF (default /sys/kernel/btf/vmlinux) as a
                                    C header: a vmlinux.h without bpftool
  bpfrun version

Run "bpfrun run -h" for the flags of run.
`

func main() {
	os.Exit(bpfrun(os.Args[1:], os.Stdout, os.Stderr))
}

// bpfrun runs the command line args and returns the exit status.
func bpfrun(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		err = runCommand(rest, stdout, stderr)
	case "sections":
		err = sectionsCommand(rest, stdout, stderr)
	case "inspect":
		err = inspectCommand(rest, stdout, stderr)
	case "btf":
		err = btfCommand(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "bpfrun (github.com/golibbpf/libbpf), libbpf %s\n", libbpf.LibbpfVersion())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "bpfrun: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "bpfrun: %s\n", oneLine(err))
		return 2
	}
	fmt.Fprintf(stderr, "bpfrun: %s\n", oneLine(err))
	return 1
}

// usageError is a bad command line (exit status 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// logShown marks an error whose verifier log was already printed (-v).
type logShown struct{ error }

func (e logShown) Unwrap() error { return e.error }

// oneLine renders err as one line: a verifier rejection keeps its errno and
// the log's last line, the rest of the log being in --verbose output.
func oneLine(err error) string {
	var nl *refusedError
	if errors.As(err, &nl) {
		return nl.Error()
	}
	var le *libbpf.LoadError
	if errors.As(err, &le) {
		last := le.LastLines(1)
		if len(last) == 0 {
			return fmt.Sprintf("program %s failed to load: %v (the kernel produced no verifier log)", le.Program, le.Err)
		}
		msg := fmt.Sprintf("program %s failed the verifier: %v: %s", le.Program, le.Err, last[0])
		if errors.As(err, new(logShown)) {
			return msg + " (verifier log above)"
		}
		return msg + " (-v prints the verifier log)"
	}
	s := err.Error()
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// refusedError is a program the kernel refused at load without a verifier
// log: the verifier never ran (the program or attach type is not allowed,
// or a capability is missing), so -v has nothing to show.
type refusedError struct {
	load     *libbpf.LoadError
	section  string
	progType libbpf.ProgType
}

func (e *refusedError) Error() string {
	msg := fmt.Sprintf("program %s (SEC %q, type %s): the kernel refused", e.load.Program, e.section, e.progType)
	if errors.Is(e.load.Err, unix.EPERM) {
		return msg + " the program type (EPERM) without a verifier log: this kernel does not allow it (for tracing and lsm" +
			" programs: no BPF trampoline; or lockdown), or bpfrun lacks CAP_BPF with CAP_PERFMON or CAP_SYS_ADMIN;" +
			" --disable " + e.load.Program + " loads the rest"
	}
	return fmt.Sprintf("%s it (%v) without a verifier log; --disable %s loads the rest", msg, e.load.Err, e.load.Program)
}

func (e *refusedError) Unwrap() error { return e.load }

// explainLoadFailure names the program behind a failed Load when the
// error alone does not: a program the kernel refused with no verifier log
// becomes a refusedError naming its section and type; a failure before
// the kernel saw any program (libbpf could not prepare one: an fentry
// target missing from the kernel's BTF, ESRCH) gets libbpf's first warning
// about a program, from warnings, the ones logged during Load.
func explainLoadFailure(obj *libbpf.Object, err error, warnings []string) error {
	var le *libbpf.LoadError
	if errors.As(err, &le) {
		if strings.TrimSpace(le.Log) != "" {
			return err
		}
		if p := obj.Program(le.Program); p != nil {
			return &refusedError{load: le, section: p.SectionName(), progType: p.Type()}
		}
		return err
	}
	for _, w := range warnings {
		rest, ok := strings.CutPrefix(w, "prog '")
		if !ok {
			continue
		}
		name, why, ok := strings.Cut(rest, "': ")
		p := obj.Program(name)
		if !ok || p == nil {
			continue
		}
		return fmt.Errorf("program %s (SEC %q): %s; --disable %s loads the rest: %w", name, p.SectionName(), why, name, err)
	}
	return err
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlagSet returns a flag set that reports errors through the returned
// error only.
func newFlagSet(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // printed by flagErr for -h only
	helpers[fs] = func() {
		fmt.Fprintf(stdout, "usage: bpfrun %s\n\nflags:\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// helpers print each flag set's help.
var helpers = map[*flag.FlagSet]func(){}

// flagErr turns a flag parsing error into a usage error; -h prints help.
func flagErr(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		helpers[fs]()
		return err
	}
	return usageError{err}
}

// outputFlag is --output: text or json.
type outputFlag string

func (o *outputFlag) String() string { return string(*o) }
func (o *outputFlag) Set(s string) error {
	switch s {
	case "text", "json":
		*o = outputFlag(s)
		return nil
	}
	return fmt.Errorf("want text or json")
}
