package libbpf

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

var errInvalidArgument = unix.EINVAL

// Program is one BPF program of an Object. Its setters work until the object
// is loaded; handlers' Setup callbacks use them to shape the program.
//
// A nil *Program, which Object.Program returns for a name the object does
// not have, is safe to use: every method that returns an error returns one
// wrapping ErrNotFound, the others return the zero value (FD -1).
type Program struct {
	c        *cProgram
	obj      *Object // nil while Open runs
	name     string
	section  string
	autoLink *Link          // made by Object.Attach
	handler  *Registration  // the custom handler that matched at Open
	logBuf   unsafe.Pointer // C memory given by SetLogBuf, freed with the object
}

func newProgram(c *cProgram, obj *Object) *Program {
	return &Program{c: c, obj: obj, name: progName(c), section: progSection(c)}
}

// ptr returns the libbpf program, or ErrClosed once its object is closed
// (or, for a wrapper a Setup callback kept, once the Open failed).
func (p *Program) ptr() (*cProgram, error) {
	if p == nil {
		return nil, errNilProgram
	}
	if p.c == nil || p.obj != nil && p.obj.c == nil {
		return nil, fmt.Errorf("program %s: %w", p.name, ErrClosed)
	}
	return p.c, nil
}

// errorf wraps err with the program's name and what failed.
func (p *Program) errorf(err error, format string, args ...any) error {
	if p == nil {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
	}
	return fmt.Errorf("program %s: %s: %w", p.name, fmt.Sprintf(format, args...), err)
}

// loadedFD returns the loaded program's fd: ErrNotLoaded before Load.
func (p *Program) loadedFD() (int, error) {
	c, err := p.ptr()
	if err != nil {
		return -1, err
	}
	if fd := progFD(c); fd >= 0 {
		return fd, nil
	}
	return -1, ErrNotLoaded
}

// Name returns the program's function name.
func (p *Program) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// SectionName returns the program's SEC() name.
func (p *Program) SectionName() string {
	if p == nil {
		return ""
	}
	return p.section
}

// Object returns the program's object; nil inside a Setup callback, while
// Open still runs.
func (p *Program) Object() *Object {
	if p == nil {
		return nil
	}
	return p.obj
}

// Type returns the program type.
func (p *Program) Type() ProgType {
	c, err := p.ptr()
	if err != nil {
		return ProgTypeUnspec
	}
	return progType(c)
}

// SetType sets the program type. As in libbpf, changing the type detaches
// the program from its section handler, unless that is the fallback handler.
func (p *Program) SetType(t ProgType) error {
	return p.set(func(c *cProgram) error {
		changed := progType(c) != t
		if err := progSetType(c, t); err != nil {
			return err
		}
		if changed && p.handler != nil && !p.handler.fallback {
			p.handler = nil
		}
		return nil
	}, func() string { return fmt.Sprintf("set type %s", t) })
}

// Handler returns the custom handler (or the fallback) the program's section
// matched at Open, or nil when it matched libbpf's own or none. A SetType
// that changed the type detaches the program from a non-fallback handler.
func (p *Program) Handler() *Registration {
	if p == nil {
		return nil
	}
	return p.handler
}

// ProgramStats are the kernel's statistics of a loaded program. Run counts
// and times accumulate only while EnableStats is in effect.
type ProgramStats struct {
	ID            uint32
	RunCount      uint64
	RunTime       time.Duration
	VerifiedInsns uint32
}

// Stats returns the loaded program's statistics.
func (p *Program) Stats() (ProgramStats, error) {
	fd, err := p.loadedFD()
	var st ProgramStats
	if err == nil {
		st, err = progStats(fd)
	}
	if err != nil {
		return ProgramStats{}, p.errorf(err, "stats")
	}
	return st, nil
}

// ExpectedAttachType returns the attach type the program is loaded with.
func (p *Program) ExpectedAttachType() AttachType {
	c, err := p.ptr()
	if err != nil {
		return 0
	}
	return progExpectedAttachType(c)
}

// SetExpectedAttachType sets the attach type the program is loaded with.
func (p *Program) SetExpectedAttachType(t AttachType) error {
	return p.set(func(c *cProgram) error { return progSetExpectedAttachType(c, t) },
		func() string { return fmt.Sprintf("set expected attach type %s", t) })
}

// Flags returns the BPF_F_* load flags.
func (p *Program) Flags() uint32 {
	c, err := p.ptr()
	if err != nil {
		return 0
	}
	return progFlags(c)
}

// SetFlags sets the BPF_F_* load flags (e.g. BPF_F_SLEEPABLE).
func (p *Program) SetFlags(flags uint32) error {
	return p.set(func(c *cProgram) error { return progSetFlags(c, flags) },
		func() string { return fmt.Sprintf("set flags %#x", flags) })
}

// Autoload reports whether Load loads the program.
func (p *Program) Autoload() bool {
	c, err := p.ptr()
	return err == nil && progAutoload(c)
}

// SetAutoload chooses whether Load loads the program.
func (p *Program) SetAutoload(on bool) error {
	return p.set(func(c *cProgram) error { return progSetAutoload(c, on) },
		func() string { return fmt.Sprintf("set autoload %t", on) })
}

// Autoattach reports whether Object.Attach attaches the program.
func (p *Program) Autoattach() bool {
	c, err := p.ptr()
	return err == nil && progAutoattach(c)
}

// SetAutoattach chooses whether Object.Attach attaches the program.
func (p *Program) SetAutoattach(on bool) {
	if c, err := p.ptr(); err == nil {
		progSetAutoattach(c, on)
	}
}

// LogLevel returns the verifier log level of the program's load.
func (p *Program) LogLevel() uint32 {
	c, err := p.ptr()
	if err != nil {
		return 0
	}
	return progLogLevel(c)
}

// SetLogLevel sets the verifier log level of the program's load.
func (p *Program) SetLogLevel(level uint32) error {
	return p.set(func(c *cProgram) error { return progSetLogLevel(c, level) },
		func() string { return fmt.Sprintf("set log level %d", level) })
}

// SetIfindex sets the device a program is offloaded to or bound to.
func (p *Program) SetIfindex(ifindex uint32) error {
	return p.set(func(c *cProgram) error { progSetIfindex(c, ifindex); return nil },
		func() string { return fmt.Sprintf("set ifindex %d", ifindex) })
}

// SetAttachTarget sets the BTF target of a tracing or extension program: a
// kernel function (attachProgFD 0) or a function of the program attachProgFD.
func (p *Program) SetAttachTarget(attachProgFD int, attachFuncName string) error {
	return p.set(func(c *cProgram) error { return progSetAttachTarget(c, attachProgFD, attachFuncName) },
		func() string { return fmt.Sprintf("set attach target %q", attachFuncName) })
}

// InstructionCount returns the number of BPF instructions.
func (p *Program) InstructionCount() int {
	c, err := p.ptr()
	if err != nil {
		return 0
	}
	return progInsnCount(c)
}

func (p *Program) set(fn func(*cProgram) error, what func() string) error {
	c, err := p.ptr()
	if err == nil {
		err = fn(c)
	}
	if err != nil {
		return p.errorf(err, "%s", what())
	}
	return nil
}

// FD returns the loaded program's file descriptor, or -1.
func (p *Program) FD() int {
	c, err := p.ptr()
	if err != nil {
		return -1
	}
	return progFD(c)
}

// Unload closes the program's fd (bpf_program__unload): the kernel frees
// the program once no link, pin or other fd holds it, and FD returns -1.
// libbpf loads a program only with its object, so it stays unloaded. From
// a callback of its object's Load or Attach it fails with ErrInCallback.
func (p *Program) Unload() error {
	c, err := p.ptr()
	if err != nil {
		return fmt.Errorf("unload: %w", err)
	}
	if p.obj != nil && p.obj.busy {
		return p.errorf(ErrInCallback, "unload")
	}
	progUnload(c)
	return nil
}

// Attach attaches the program the way its section handler says
// (bpf_program__attach): a custom handler's Attach callback, or libbpf's own.
// A program whose handler cannot or will not attach it fails with
// unix.EOPNOTSUPP; one whose object's Load or Attach is running (Attach
// called from their callbacks) with ErrInCallback.
func (p *Program) Attach() (*Link, error) {
	c, err := p.ptr()
	if err != nil {
		return nil, err
	}
	if p.obj != nil {
		if err := p.obj.enter("attach program " + p.name + " of"); err != nil {
			return nil, err
		}
		defer p.obj.leave()
	}
	op := newOperation(p.obj)
	defer op.release()
	lc, err := progAttach(c, uintptr(op.handle))
	if err != nil {
		return nil, op.failure(fmt.Sprintf("attach program %s (SEC %q)", p.name, p.section), err)
	}
	return op.link(lc), nil
}

// attach runs one bpf_program__attach_* helper and wraps its result. what
// describes the target for an error; it is a function so that a successful
// attach, which handlers do once per program, formats nothing.
func (p *Program) attach(fn func(*cProgram) (*cLink, error), what func() string) (*Link, error) {
	c, err := p.ptr()
	if p == nil {
		return nil, fmt.Errorf("attach: %w", err) // what may read the program
	}
	if err == nil {
		var lc *cLink
		if lc, err = fn(c); err == nil {
			return &Link{c: lc}, nil
		}
	}
	return nil, p.errorf(err, "attach %s", what())
}

// RawTracepointOptions are the options of AttachRawTracepoint (struct
// bpf_raw_tracepoint_opts).
type RawTracepointOptions struct {
	Cookie uint64 // bpf_get_attach_cookie(); raw tracepoint cookies need Linux 6.10
}

// AttachRawTracepoint attaches the program to the raw tracepoint name
// (bpf_program__attach_raw_tracepoint, or its _opts form with options).
// opts is at most one value.
func (p *Program) AttachRawTracepoint(name string, opts ...RawTracepointOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		o, err := optional(opts)
		if err != nil {
			return nil, err
		}
		return progAttachRawTracepoint(c, name, &o)
	}, func() string { return fmt.Sprintf("raw tracepoint %s", name) })
}

// TracepointOptions are the options of AttachTracepoint (struct
// bpf_tracepoint_opts).
type TracepointOptions struct {
	Cookie uint64 // bpf_get_attach_cookie(); needs Linux 5.15
}

// AttachTracepoint attaches the program to the tracepoint category:name
// (bpf_program__attach_tracepoint, or its _opts form with options). opts
// is at most one value.
func (p *Program) AttachTracepoint(category, name string, opts ...TracepointOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		o, err := optional(opts)
		if err != nil {
			return nil, err
		}
		return progAttachTracepoint(c, category, name, &o)
	}, func() string { return fmt.Sprintf("tracepoint %s:%s", category, name) })
}

// PerfEventOptions are the options of AttachPerfEvent (struct
// bpf_perf_event_opts).
type PerfEventOptions struct {
	Cookie           uint64 // bpf_get_attach_cookie(); needs Linux 5.15
	ForceIoctlAttach bool   // attach with PERF_EVENT_IOC_SET_BPF, not a BPF link
	DontEnable       bool   // leave the event disabled (PERF_EVENT_IOC_ENABLE is the caller's)
}

// AttachPerfEvent attaches the program to the perf event fd
// (bpf_program__attach_perf_event, or its _opts form with options). On success the link owns fd:
// destroying the link closes it. opts is at most one value.
func (p *Program) AttachPerfEvent(fd int, opts ...PerfEventOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		o, err := optional(opts)
		if err != nil {
			return nil, err
		}
		return progAttachPerfEvent(c, fd, &o)
	}, func() string { return fmt.Sprintf("perf event fd %d", fd) })
}

// AttachXDP attaches an XDP program to the interface ifindex with a link.
func (p *Program) AttachXDP(ifindex int) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachXDP(c, ifindex) },
		func() string { return fmt.Sprintf("xdp to ifindex %d", ifindex) })
}

// libbpfPID converts a PID option (0: every process) to libbpf's convention
// (-1: every process, 0: the calling process).
func libbpfPID(pid int) (int, error) {
	switch {
	case pid < 0:
		return 0, fmt.Errorf("pid %d: %w", pid, errInvalidArgument)
	case pid == 0:
		return -1, nil
	}
	return pid, nil
}

// UprobeOptions says where a uprobe attaches.
type UprobeOptions struct {
	Path         string // the binary or library
	Symbol       string // function name; Offset is relative to it when set
	Offset       uint64
	PID          int // 0: every process; otherwise that process only
	Retprobe     bool
	Cookie       uint64 // bpf_get_attach_cookie()
	RefCtrOffset uint64 // USDT semaphore
	AttachMode   ProbeAttachMode
}

// AttachUprobe attaches a uprobe or uretprobe (bpf_program__attach_uprobe
// for a file offset alone, bpf_program__attach_uprobe_opts otherwise).
func (p *Program) AttachUprobe(opts UprobeOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		pid, err := libbpfPID(opts.PID)
		if err != nil {
			return nil, err
		}
		return progAttachUprobe(c, pid, &opts)
	}, func() string { return fmt.Sprintf("uprobe %s:%s+%#x", opts.Path, opts.Symbol, opts.Offset) })
}

// UprobeMultiOptions says where a uprobe_multi link attaches: the functions
// matching Pattern, or those named by Symbols, or the file offsets Offsets.
type UprobeMultiOptions struct {
	Path          string
	Pattern       string   // glob over the binary's symbols
	Symbols       []string // or exact names
	Offsets       []uint64 // or file offsets
	RefCtrOffsets []uint64 // optional, one per probe
	Cookies       []uint64 // optional, one per probe
	PID           int      // 0: every process
	Retprobe      bool
	Session       bool // uprobe.session: one program for entry and return
}

// AttachUprobeMulti attaches many uprobes as one uprobe_multi link. The
// program must be loaded with AttachTypeTraceUprobeMulti.
func (p *Program) AttachUprobeMulti(opts UprobeMultiOptions) (*Link, error) {
	l, err := p.attach(func(c *cProgram) (*cLink, error) {
		pid, err := libbpfPID(opts.PID)
		if err != nil {
			return nil, err
		}
		if len(opts.Symbols) > 0 && len(opts.Offsets) > 0 && len(opts.Symbols) != len(opts.Offsets) {
			return nil, fmt.Errorf("%d symbols but %d offsets: %w", len(opts.Symbols), len(opts.Offsets), errInvalidArgument)
		}
		n := max(len(opts.Symbols), len(opts.Offsets))
		for _, extra := range [][]uint64{opts.RefCtrOffsets, opts.Cookies} {
			if len(extra) > 0 && len(extra) != n {
				return nil, fmt.Errorf("%d probes but %d cookies or ref_ctr offsets: %w", n, len(extra), errInvalidArgument)
			}
		}
		return progAttachUprobeMulti(c, pid, &opts)
	}, func() string {
		return fmt.Sprintf("uprobe_multi %s (pattern %q, %d symbols, %d offsets)", opts.Path, opts.Pattern, len(opts.Symbols), len(opts.Offsets))
	})
	return l, needs(err, ProbeUprobeMulti)
}

// USDTOptions says which USDT probe a program attaches to.
type USDTOptions struct {
	Path     string
	Provider string
	Name     string
	PID      int // 0: every process
	Cookie   uint64
}

// AttachUSDT attaches the program to a USDT probe (SEC("usdt") programs).
func (p *Program) AttachUSDT(opts USDTOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		pid, err := libbpfPID(opts.PID)
		if err != nil {
			return nil, err
		}
		return progAttachUSDT(c, pid, &opts)
	}, func() string { return fmt.Sprintf("usdt %s:%s:%s", opts.Path, opts.Provider, opts.Name) })
}

// RunOptions is the input of a BPF_PROG_TEST_RUN.
type RunOptions struct {
	Data       []byte // packet for network programs
	DataOut    []byte // receives the resulting packet
	Context    []byte // program context, e.g. the arguments of a syscall program
	ContextOut []byte // receives the resulting context; a syscall program writes back into Context instead
	Repeat     int
	Flags      uint32
	CPU        int
}

// RunResult is the outcome of a test run.
type RunResult struct {
	Return     uint32
	DataOut    []byte // the filled part of RunOptions.DataOut
	ContextOut []byte
	Duration   time.Duration // average per repetition
}

// Run runs the loaded program once (or Repeat times) in the kernel with
// BPF_PROG_TEST_RUN; syscall, XDP, tc and socket filter programs support it.
// Signals to the calling thread, such as the Go runtime's preemption
// requests, wait until the run ends instead of cutting it short with EINTR.
func (p *Program) Run(opts *RunOptions) (RunResult, error) {
	if opts == nil {
		opts = &RunOptions{}
	}
	fd, err := p.loadedFD()
	var res RunResult
	if err == nil {
		res, err = progTestRun(fd, opts)
	}
	if err != nil {
		return RunResult{}, p.errorf(err, "test run")
	}
	return res, nil
}
