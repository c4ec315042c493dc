package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks"
	"github.com/golibbpf/libbpf/internal/btf"
)

// listFlag is a repeatable NAME=VALUE flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error {
	name, _, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	*l = append(*l, s)
	return nil
}

type runConfig struct {
	path       string
	interval   time.Duration
	duration   time.Duration
	sets       listFlag
	records    listFlag
	disable    nameList
	mapSizes   listFlag
	output     outputFlag
	perCPU     bool
	maxEntries int
	keep       int
	verbose    bool
}

func runCommand(args []string, stdout, stderr io.Writer) error {
	cfg := runConfig{output: "text"}
	fs := newFlagSet("run", "run [flags] OBJECT.bpf.o", stdout)
	fs.DurationVar(&cfg.interval, "interval", time.Second, "refresh the view this often")
	fs.DurationVar(&cfg.duration, "duration", 0, "stop after this long (default: run until Ctrl-C, SIGTERM or SIGHUP)")
	fs.Var(&cfg.sets, "set", "set a .rodata/.data/.bss global before load: NAME=VALUE or STRUCTVAR.FIELD=VALUE (repeatable)")
	fs.Var(&cfg.records, "record", "decode the records of ring buffer or perf event array MAP as BTF type TYPE: MAP=TYPE (repeatable)")
	fs.Var(&cfg.disable, "disable", "turn autoload off for program PROG: it is neither loaded nor attached (repeatable)")
	fs.Var(&cfg.mapSizes, "map-size", "set map MAP's max_entries (bytes for a ring buffer) before load: MAP=N (repeatable)")
	fs.Var(&cfg.output, "output", "text: a live view; json: print only the final snapshot as one JSON document")
	fs.BoolVar(&cfg.perCPU, "per-cpu", false, "show per-CPU maps' values for each CPU, not only their sum")
	fs.IntVar(&cfg.maxEntries, "max-entries", 20, "show at most this many elements per map (-1: all)")
	fs.IntVar(&cfg.keep, "last", 5, "show the last N records of each ring buffer and perf event array")
	fs.BoolVar(&cfg.verbose, "v", false, "print libbpf's log (and the verifier log of a rejected program)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagErr(fs, err)
	}
	if len(pos) != 1 {
		return usagef("run takes one object file, got %d arguments", len(pos))
	}
	if cfg.interval <= 0 {
		return usagef("--interval must be positive")
	}
	if cfg.duration < 0 {
		return usagef("--duration must not be negative")
	}
	if cfg.maxEntries < -1 {
		return usagef("--max-entries must be -1 (all) or more, got %d", cfg.maxEntries)
	}
	if cfg.keep < 0 {
		return usagef("--last must not be negative, got %d", cfg.keep)
	}
	cfg.path = pos[0]

	// Signals stop the run at any point, even while loading or attaching,
	// so that cleanup always happens. SIGHUP is a closed terminal; SIGPIPE
	// a closed output pipe (`bpfrun run ... | head`), whose failed write
	// then ends the run with an error instead of killing bpfrun.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	r := &runner{cfg: cfg, stdout: stdout, stderr: stderr}
	r.logs = installLogger(stderr, cfg.verbose)
	defer libbpf.SetLogger(nil)
	err = r.run(ctx)
	if cerr := r.cleanup(); err == nil {
		err = cerr
	}
	if err != nil && cfg.verbose {
		var le *libbpf.LoadError
		if errors.As(err, &le) && le.Log != "" {
			fmt.Fprintf(stderr, "verifier log of %s:\n%s\n", le.Program, le.Log)
			err = logShown{err}
		}
	}
	return err
}

// runner is one bpfrun run: everything it holds is released by cleanup.
type runner struct {
	cfg    runConfig
	stdout io.Writer
	stderr io.Writer
	logs   *logCapture

	regs    []*libbpf.Registration
	obj     *libbpf.Object
	spec    *btf.Spec
	stats   io.Closer
	pins    []string       // pin paths this run created
	readers *recordReaders // ring buffers' and perf event arrays' records
	rings   *ringStore
	// sizeNotes says, by map name, which maps bpfrun sized because their
	// max_entries was 0.
	sizeNotes map[string]string

	progs []progRun
	start time.Time
}

type progRun struct {
	p        *libbpf.Program
	handler  HandlerInfo
	attached bool
	state    string
}

func (r *runner) run(ctx context.Context) error {
	path := r.cfg.path
	if err := checkObjectFile(path); err != nil {
		return err
	}
	regs, err := callbacks.RegisterAll()
	if err != nil {
		return fmt.Errorf("register the custom section handlers: %w", err)
	}
	r.regs = regs
	if r.obj, err = libbpf.OpenObjectFile(path, nil); err != nil {
		return openError(path, err)
	}
	spec, btfErr := objectBTF(r.obj)
	if btfErr != nil {
		spec = nil
		if len(r.cfg.sets) > 0 {
			return fmt.Errorf("%s has no usable BTF (%v): --set finds globals through it; compile with clang -g", path, btfErr)
		}
		if len(r.cfg.records) > 0 {
			return fmt.Errorf("%s has no usable BTF (%v): --record needs it; compile with clang -g", path, btfErr)
		}
	}
	r.spec = spec
	var gs []*libbpf.Variable
	if spec != nil {
		if gs, err = r.obj.Globals(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := applySettings(r.obj, r.cfg.sets); err != nil {
		return err
	}
	if err := disablePrograms(r.obj, r.cfg.disable); err != nil {
		return err
	}
	if r.sizeNotes, err = sizeMaps(r.obj, r.cfg.mapSizes); err != nil {
		return err
	}
	var recordMaps []*libbpf.Map
	for _, m := range r.obj.Maps() {
		if isRecordMap(m) {
			recordMaps = append(recordMaps, m)
		}
	}
	types, err := recordTypes(spec, recordMaps, r.cfg.records, gs)
	if err != nil {
		return err
	}
	for _, p := range r.obj.Programs() {
		r.progs = append(r.progs, progRun{p: p, handler: handlerOf(p)})
	}
	if err := ctx.Err(); err != nil {
		return nil
	}

	// Load pins the maps that ask for it; remember which pins are ours.
	r.pins = newPins(pinnedMapPaths(spec))
	warned := r.logs.warningCount()
	if err := r.obj.Load(); err != nil {
		return fmt.Errorf("load %s: %w", path, explainLoadFailure(r.obj, err, r.logs.warningsSince(warned)))
	}
	if stats, err := libbpf.EnableStats(); err == nil {
		r.stats = stats
	} else {
		fmt.Fprintf(r.stderr, "bpfrun: warning: %v: run counts and times stay 0\n", err)
	}
	// The readers come first: a perf event array drops what programs send
	// before a reader's buffer is in it.
	if len(recordMaps) > 0 {
		r.rings = newRingStore(spec, r.cfg.keep, types, recordMaps)
		if r.readers, err = newRecordReaders(r.rings, recordMaps); err != nil {
			return err
		}
	}
	if err := r.attach(ctx); err != nil {
		return err
	}
	return r.watch(ctx)
}

// attach auto-attaches the object the way Object.Attach does, one program
// at a time so that progress shows and each program's outcome is known: a
// program whose handler declines (its section names no target, or its
// form does not auto-attach) stays loaded and unattached.
func (r *runner) attach(ctx context.Context) error {
	tty := isTerminal(r.stderr)
	var candidates []int
	orig := make([]bool, len(r.progs))
	for i := range r.progs {
		p := r.progs[i].p
		orig[i] = p.Autoattach()
		p.SetAutoattach(false)
		switch {
		case !p.Autoload():
			r.progs[i].state = "not loaded (autoload off)"
		case !orig[i]:
			r.progs[i].state = "loaded, autoattach off"
		case r.progs[i].handler.Note == noTargetNote:
			r.progs[i].state = "loaded, not attached (the section names no target)"
		case !r.progs[i].handler.AutoAttach && (r.progs[i].handler.Kind != "builtin" || r.progs[i].handler.Form != ""):
			// Known not to attach: skip the Attach call (which walks
			// every program, so skipping keeps big objects fast).
			r.progs[i].state = "loaded, not attached (its SEC() form has no auto-attach)"
		default:
			candidates = append(candidates, i)
		}
	}
	defer func() {
		for i := range r.progs {
			r.progs[i].p.SetAutoattach(orig[i])
		}
	}()
	start := time.Now()
	// With every program's autoattach off, Attach attaches struct_ops maps
	// only.
	if err := r.obj.Attach(); err != nil {
		return fmt.Errorf("attach %s: %w", r.cfg.path, err)
	}
	attached := 0
	for n, i := range candidates {
		if ctx.Err() != nil {
			return nil
		}
		pr := &r.progs[i]
		if tty {
			fmt.Fprintf(r.stderr, "\r\033[K[%d/%d] attaching %s (SEC %q)", n+1, len(candidates), pr.p.Name(), shorten(pr.p.SectionName(), 60))
		}
		before := len(r.obj.Links())
		pr.p.SetAutoattach(true)
		err := r.obj.Attach()
		pr.p.SetAutoattach(false)
		if err != nil {
			if tty {
				fmt.Fprint(r.stderr, "\r\033[K")
			}
			return fmt.Errorf("attach %s: %w; --disable %s skips it", r.cfg.path, err, pr.p.Name())
		}
		if len(r.obj.Links()) > before {
			pr.attached, pr.state = true, "attached"
			attached++
		} else if pr.handler.AutoAttach {
			pr.state = "loaded, not attached (the section names no target)"
		} else {
			pr.state = "loaded, not attached (its SEC() form has no auto-attach)"
		}
	}
	if tty {
		fmt.Fprint(r.stderr, "\r\033[K")
	}
	if len(candidates) > 0 {
		fmt.Fprintf(r.stderr, "bpfrun: attached %d of %d programs in %v\n", attached, len(r.progs),
			time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// watch shows the view every interval until ctx is done or the duration
// passes, then prints the final snapshot.
func (r *runner) watch(ctx context.Context) error {
	r.start = time.Now()
	reader := &mapReader{spec: r.spec, perCPU: r.cfg.perCPU, maxEntries: r.cfg.maxEntries}
	var deadline <-chan time.Time
	if r.cfg.duration > 0 {
		t := time.NewTimer(r.cfg.duration)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(r.cfg.interval)
	defer tick.Stop()
	tty := isTerminal(r.stdout)
	text := r.cfg.output == "text"
	out := &stickyWriter{w: r.stdout}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-deadline:
			break loop
		case <-tick.C:
			if !text {
				continue
			}
			snap := r.snapshot(reader, false)
			if tty {
				fmt.Fprint(out, "\033[H\033[2J")
			}
			render(out, snap)
			if !tty {
				fmt.Fprintln(out)
			}
			if out.err != nil {
				return fmt.Errorf("write the view: %w", out.err)
			}
		}
	}
	r.readers.drain()
	snap := r.snapshot(reader, true)
	if !text {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	if tty {
		fmt.Fprint(out, "\033[H\033[2J")
	}
	render(out, snap)
	if out.err != nil {
		return fmt.Errorf("write the view: %w", out.err)
	}
	return nil
}

// stickyWriter keeps the first write error, so that the view's many small
// writes need one check, and writes nothing after it.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

func (r *runner) snapshot(reader *mapReader, final bool) Snapshot {
	s := Snapshot{Object: r.cfg.path, Name: r.obj.Name(), Libbpf: libbpf.LibbpfVersion(),
		ElapsedSeconds: time.Since(r.start).Seconds(), StatsEnabled: r.stats != nil, Final: final,
		Programs: []ProgramState{}, Maps: []MapState{}}
	for _, pr := range r.progs {
		s.Programs = append(s.Programs, programState(pr.p, pr.handler, pr.attached, pr.state))
	}
	for _, m := range r.obj.Maps() {
		st := reader.read(m)
		st.Sizing = r.sizeNotes[m.Name()]
		s.Maps = append(s.Maps, st)
	}
	s.Globals = collectGlobals(s.Maps)
	s.RingBuffers = r.rings.snapshot()
	return s
}

// cleanup releases everything the run holds, in reverse order: record
// readers, links and object, pins the load made, stats, handlers.
func (r *runner) cleanup() error {
	var errs []error
	if err := r.readers.close(); err != nil {
		errs = append(errs, err)
	}
	if r.obj != nil {
		if err := r.obj.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range r.pins {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove the pin of map %s: %w", p, err))
		}
	}
	if r.stats != nil {
		if err := r.stats.Close(); err != nil {
			errs = append(errs, fmt.Errorf("restore BPF stats: %w", err))
		}
	}
	if r.regs != nil {
		if err := callbacks.UnregisterAll(r.regs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// isTerminal reports whether w is a terminal (TCGETS succeeds on it).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// shorten cuts s to n characters, keeping its start and end.
func shorten(s string, n int) string {
	if len(s) <= n || n < 10 {
		return s
	}
	head := (n - 1) / 2
	return s[:head] + "…" + s[len(s)-(n-1-head):]
}
