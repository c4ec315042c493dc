package libbpf

import (
	"errors"
	"fmt"
)

// OpenOptions adjusts how an object is opened. The zero value is libbpf's
// default.
type OpenOptions struct {
	// ObjectName overrides the name derived from the file name.
	ObjectName string
	// BTFCustomPath names a kernel BTF file to use for CO-RE relocations
	// instead of the running kernel's.
	BTFCustomPath string
	// KernelLogLevel is the verifier log level for every program (1, 2 or 4
	// for stats); 0 asks for a log only when a load fails.
	KernelLogLevel uint32
	// BPFTokenPath is a BPF file system mounted with delegation options:
	// Load creates a BPF token from it and makes every bpf() call with it,
	// which lets an unprivileged process in a user namespace load (Linux
	// 6.9). Empty: libbpf's default, the path in LIBBPF_BPF_TOKEN_PATH, or
	// /sys/fs/bpf when it has delegation set up.
	BPFTokenPath string
	// NoBPFToken keeps Load from looking for a BPF token at all.
	NoBPFToken bool
}

// Object is an opened BPF ELF object: its programs and maps, and the links
// Attach made. It is not safe for concurrent use; Close releases everything.
//
// A nil *Object (Map.Object of a map not from an object) is safe to use:
// every method that returns an error returns one wrapping ErrNotFound,
// except Close, which has nothing to release and returns nil; the others
// return the zero value.
type Object struct {
	c     *cObject
	name  string
	progs []*Program
	maps  []*Map
	links []*Link // made by Attach, destroyed by Close
	bound bool    // has programs bound to custom handlers
	busy  bool    // a Load or Attach, whose callbacks may reach user code, runs
	btf   *BTF    // the object's BTF once BTF was called

	globals *globalTable // found by the first Global or Globals
}

// OpenObjectFile opens the BPF ELF object at path. Custom handlers matching
// its programs' sections run their Setup callbacks before it returns. An
// object whose BTF chains modifiers or typedefs into a cycle, on which
// libbpf would loop forever, fails with EINVAL, as does an ELF object
// whose headers Go's debug/elf cannot read (the check cannot vouch for it).
func OpenObjectFile(path string, opts *OpenOptions) (*Object, error) {
	if path == "" {
		return nil, fmt.Errorf("open object: empty path: %w", errInvalidArgument)
	}
	if err := checkBTFLoopsFile(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return openObject("open "+path, func(op uintptr) (*cObject, error) {
		return objectOpenFile(path, opts, op)
	})
}

// OpenObjectBytes opens a BPF ELF object held in memory, as OpenObjectFile
// does; data is not retained.
func OpenObjectBytes(data []byte, opts *OpenOptions) (*Object, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("open object from memory: no data: %w", errInvalidArgument)
	}
	if err := checkBTFLoopsBytes(data); err != nil {
		return nil, fmt.Errorf("open object from memory: %w", err)
	}
	return openObject("open object from memory", func(op uintptr) (*cObject, error) {
		return objectOpenMem(data, opts, op)
	})
}

func openObject(what string, open func(op uintptr) (*cObject, error)) (*Object, error) {
	op := newOperation(nil)
	defer op.release()

	c, err := openLocked(op, open)
	if err != nil {
		// libbpf freed the programs whose wrappers Setup callbacks saw.
		for _, p := range op.progs {
			p.c = nil
			p.freeLogBuf()
		}
		return nil, op.failure(what, err)
	}

	o := &Object{c: c, name: objectName(c), bound: op.bound}
	// libbpf's open ran Setup in bpf_object__for_each_program order, the
	// order objectPrograms walks, so the wrappers it saw come up in turn.
	seen := op.progs
	for _, cp := range objectPrograms(c) {
		var p *Program
		if len(seen) > 0 && seen[0].c == cp {
			p, seen = seen[0], seen[1:]
		} else {
			p = newProgram(cp, o)
		}
		p.obj = o
		o.progs = append(o.progs, p)
	}
	for _, cm := range objectMaps(c) {
		o.maps = append(o.maps, &Map{c: cm, obj: o, name: mapName(cm)})
	}
	return o, nil
}

// openLocked runs open with the handler table read-locked (see
// readLockTable): libbpf matches sections against it during open. The
// unlock is deferred so that even a callback ending its goroutine
// (runtime.Goexit) releases it.
func openLocked(op *operation, open func(op uintptr) (*cObject, error)) (*cObject, error) {
	if readLockTable() {
		defer table.mu.RUnlock()
	}
	c, err := open(uintptr(op.handle))
	if err == nil && op.bound {
		table.bound.Add(1)
	}
	return c, err
}

// Name returns the object's name.
func (o *Object) Name() string {
	if o == nil {
		return ""
	}
	return o.name
}

// Program returns the program called name, or nil
// (bpf_object__find_program_by_name). Every method of a nil *Program is
// safe: those that return an error return one wrapping ErrNotFound, so
// obj.Program("typo").Attach() fails instead of panicking.
func (o *Object) Program(name string) *Program {
	if o == nil || o.c == nil {
		return nil
	}
	c := objectFindProgram(o.c, name)
	for _, p := range o.progs {
		if c != nil && p.c == c {
			return p
		}
	}
	return nil
}

// Programs returns the object's programs in ELF order.
func (o *Object) Programs() []*Program {
	if o == nil {
		return nil
	}
	return append([]*Program(nil), o.progs...)
}

// Map returns the map called name, or nil (bpf_object__find_map_by_name):
// a global data map answers to its section name (".rodata") as well. Every
// method of a nil *Map is safe: those that return an error return one
// wrapping ErrNotFound (which matches unix.ENOENT but not ErrKeyNotExist),
// so obj.Map("typo").Lookup(k, v) fails instead of panicking.
func (o *Object) Map(name string) *Map {
	if o == nil || o.c == nil {
		return nil
	}
	c := objectFindMap(o.c, name)
	for _, m := range o.maps {
		if c != nil && m.c == c {
			return m
		}
	}
	return nil
}

// FindMapFDByName returns the fd of the map called name
// (bpf_object__find_map_fd_by_name): ENOENT if there is none, ErrNotLoaded
// before Load (or Prepare) created it. The Object owns the fd.
func (o *Object) FindMapFDByName(name string) (int, error) {
	if o == nil {
		return -1, fmt.Errorf("map %s fd: %w", name, errNilObject)
	}
	if o.c == nil {
		return -1, fmt.Errorf("object %q: map %s fd: %w", o.name, name, ErrClosed)
	}
	fd, err := objectFindMapFD(o.c, name)
	if err != nil {
		return -1, fmt.Errorf("object %q: map %s fd: %w", o.name, name, err)
	}
	if fd < 0 {
		return -1, fmt.Errorf("object %q: map %s fd: %w", o.name, name, ErrNotLoaded)
	}
	return fd, nil
}

// KVersion returns the kernel version the object declares in its "version"
// section, or was given by SetKVersion (bpf_object__kversion); 0 if none.
// Only kprobe programs of kernels before 5.0 need it.
func (o *Object) KVersion() uint32 {
	if o == nil || o.c == nil {
		return 0
	}
	return objectKVersion(o.c)
}

// SetKVersion sets the kernel version the object's programs are loaded
// with, before Load (bpf_object__set_kversion).
func (o *Object) SetKVersion(v uint32) error {
	if o == nil {
		return fmt.Errorf("set kernel version: %w", errNilObject)
	}
	if o.c == nil {
		return fmt.Errorf("object %q: set kernel version: %w", o.name, ErrClosed)
	}
	if err := objectSetKVersion(o.c, v); err != nil {
		return fmt.Errorf("object %q: set kernel version %#x: %w", o.name, v, err)
	}
	return nil
}

// TokenFD returns the fd of the BPF token Load created for the object
// (bpf_object__token_fd, see OpenOptions.BPFTokenPath), or -1 if it uses
// none. The Object owns it.
func (o *Object) TokenFD() int {
	if o == nil || o.c == nil {
		return -1
	}
	return objectTokenFD(o.c)
}

// BTFFD returns the fd of the object's BTF in the kernel once Load (or
// Prepare) loaded it (bpf_object__btf_fd), or -1. The Object owns it.
func (o *Object) BTFFD() int {
	if o == nil || o.c == nil {
		return -1
	}
	return objectBTFFD(o.c)
}

// Maps returns the object's maps, including the ones for global data.
func (o *Object) Maps() []*Map {
	if o == nil {
		return nil
	}
	return append([]*Map(nil), o.maps...)
}

// Load creates the maps and loads the programs whose autoload is on. A
// program the verifier rejects fails it with a *LoadError that sums up the
// verifier log and holds all of it; after a failed Load libbpf has released
// every map and program, and the Object can only be closed. Signals to the
// calling thread, such as the Go runtime's preemption requests or SIGPROF,
// wait until the load ends instead of cutting verification short (EAGAIN).
func (o *Object) Load() error { return o.loadStep("load", objectLoad) }

// loadStep runs Load or Prepare: step is the libbpf call, run with the
// operation its callbacks find.
func (o *Object) loadStep(what string, step func(*cObject, uintptr) error) error {
	if err := o.enter(what); err != nil {
		return err
	}
	defer o.leave()
	op := newOperation(o)
	defer op.release()
	if err := step(o.c, uintptr(op.handle)); err != nil {
		return op.failure(fmt.Sprintf("%s object %q", what, o.name), err)
	}
	return nil
}

// Prepare does the first half of Load (bpf_object__prepare): it resolves
// externs, relocates, loads the object's BTF and creates the maps, but
// loads no program. Between Prepare and Load the maps exist and can be
// filled, their fds given to other code, before any program runs. Load
// then loads the programs. As with Load, a failed Prepare leaves an Object
// that can only be closed; a second Prepare fails with EINVAL.
func (o *Object) Prepare() error { return o.loadStep("prepare", objectPrepare) }

// Attach auto-attaches the object the way a libbpf skeleton does: every
// program with autoload and autoattach on whose handler can attach it, in ELF
// order (a handler's (nil, nil) skips the program), then struct_ops maps. The
// Object keeps the links and Close destroys them. A program attached by an
// earlier Attach is not attached again. On error, the links made by this call
// are destroyed and the error names the program.
func (o *Object) Attach() error {
	if err := o.enter("attach"); err != nil {
		return err
	}
	defer o.leave()
	op := newOperation(o)
	defer op.release()
	var made []**Link // the slots this call filled, to undo on failure
	keep := func(slot **Link, l *Link) {
		*slot = l
		made = append(made, slot)
		o.links = append(o.links, l)
	}
	fail := func(what string, err error) error {
		err = op.failure(what, err)
		for _, slot := range made {
			(*slot).Close()
			*slot = nil
		}
		o.links = o.links[:len(o.links)-len(made)]
		return err
	}
	for i, p := range o.progs {
		if p.autoLink != nil {
			continue
		}
		op.next, op.attached = i, nil
		c, err := autoattachProgram(p.c, uintptr(op.handle))
		if err != nil {
			return fail(fmt.Sprintf("auto-attach program %s (SEC %q)", p.name, p.section), err)
		}
		if c != nil {
			keep(&p.autoLink, op.link(c))
		}
	}
	for _, m := range o.maps {
		if m.autoLink != nil {
			continue
		}
		c, err := autoattachMap(m.c, uintptr(op.handle))
		if err != nil {
			return fail(fmt.Sprintf("auto-attach map %s", m.name), err)
		}
		if c != nil {
			keep(&m.autoLink, &Link{c: c, structOps: true})
		}
	}
	return nil
}

// enter marks the object busy for a Load or Attach. A callback of that call
// cannot load, attach or close the object under it (ErrInCallback): libbpf
// would go on with freed or half-changed state when the callback returns.
func (o *Object) enter(what string) error {
	if o == nil {
		return fmt.Errorf("%s: %w", what, errNilObject)
	}
	if o.c == nil {
		return fmt.Errorf("%s object %q: %w", what, o.name, ErrClosed)
	}
	if o.busy {
		return fmt.Errorf("%s object %q: %w", what, o.name, ErrInCallback)
	}
	o.busy = true
	return nil
}

func (o *Object) leave() { o.busy = false }

// Links returns the links Attach made.
func (o *Object) Links() []*Link {
	if o == nil {
		return nil
	}
	return append([]*Link(nil), o.links...)
}

// Close destroys the links Attach made and frees the object: every program
// and map fd is closed. Links made by Program.Attach and the attach helpers
// belong to the caller and stay. Close is idempotent. From a callback of
// this object's own Load or Attach it fails with ErrInCallback.
func (o *Object) Close() error {
	if o == nil || o.c == nil {
		return nil
	}
	if o.busy {
		return fmt.Errorf("close object %q: %w", o.name, ErrInCallback)
	}
	var errs []error
	for _, l := range o.links {
		if err := l.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	o.links = nil
	objectClose(o.c)
	o.c = nil
	for _, p := range o.progs {
		p.freeLogBuf()
	}
	if o.bound {
		o.bound = false
		table.bound.Add(-1)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close object %q: %w", o.name, err)
	}
	return nil
}
