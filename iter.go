package libbpf

import (
	"fmt"
	"io"
	"os"
)

// CgroupIterOrder is the walk of an iter/cgroup iterator (enum
// bpf_cgroup_iter_order).
type CgroupIterOrder uint32

const (
	CgroupIterOrderUnspec     CgroupIterOrder = iota
	CgroupIterSelfOnly                        // the start cgroup only
	CgroupIterDescendantsPre                  // its descendants, parents first
	CgroupIterDescendantsPost                 // its descendants, children first
	CgroupIterAncestorsUp                     // it and its ancestors, up to the root
	CgroupIterChildren                        // its immediate children, not itself
)

// IterOptions are the parameters of an iterator link (union
// bpf_iter_link_info in struct bpf_iter_attach_opts). Set at most one
// group: a map, a cgroup, or a task; the zero value walks everything.
type IterOptions struct {
	// Map is the map an iter/bpf_map_elem (or bpf_sk_storage_map, sockmap)
	// iterator walks; MapFD names it by fd instead.
	Map   *Map
	MapFD int

	// CgroupFD or CgroupID is where an iter/cgroup walk starts (neither:
	// the cgroup v2 root), in Order.
	CgroupFD int
	CgroupID uint64
	Order    CgroupIterOrder

	// TID, PID or PIDFD limit an iter/task, task_file or task_vma
	// iterator to one thread, one process, or the process of a pidfd
	// (Linux 6.1). Older kernels refuse PID and PIDFD with E2BIG but
	// ignore TID, which shares its place with MapFD, and walk every task.
	TID, PID, PIDFD int
}

// params converts o into the union member it fills and its values.
func (o *IterOptions) params() (kind iterKind, a, b, c uint32, id uint64, err error) {
	mapFD := o.MapFD
	if o.Map != nil {
		if o.MapFD != 0 {
			return 0, 0, 0, 0, 0, fmt.Errorf("both Map and MapFD: %w", errInvalidArgument)
		}
		if mapFD = o.Map.FD(); mapFD < 0 {
			return 0, 0, 0, 0, 0, fmt.Errorf("map %s: %w", o.Map.Name(), ErrNotLoaded)
		}
	}
	kind = iterPlain
	for _, g := range []struct {
		kind iterKind
		set  bool
	}{
		{iterMap, mapFD != 0},
		{iterCgroup, o.CgroupFD != 0 || o.CgroupID != 0 || o.Order != 0},
		{iterTask, o.TID != 0 || o.PID != 0 || o.PIDFD != 0},
	} {
		if g.set && kind != iterPlain {
			return 0, 0, 0, 0, 0, fmt.Errorf("options of more than one of map, cgroup and task: %w", errInvalidArgument)
		}
		if g.set {
			kind = g.kind
		}
	}
	for _, v := range []int{mapFD, o.CgroupFD, o.TID, o.PID, o.PIDFD} {
		if v < 0 {
			return 0, 0, 0, 0, 0, fmt.Errorf("negative fd or id %d: %w", v, errInvalidArgument)
		}
	}
	switch kind {
	case iterMap:
		return kind, uint32(mapFD), 0, 0, 0, nil
	case iterCgroup:
		return kind, uint32(o.Order), uint32(o.CgroupFD), 0, o.CgroupID, nil
	case iterTask:
		return kind, uint32(o.TID), uint32(o.PID), uint32(o.PIDFD), 0, nil
	}
	return kind, 0, 0, 0, 0, nil
}

// AttachIter attaches an iterator program (SEC("iter/...")) with its
// parameters (bpf_program__attach_iter). The link does nothing by itself:
// each Open of it runs the iterator once.
func (p *Program) AttachIter(opts IterOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		kind, a, b, cc, id, err := opts.params()
		if err != nil {
			return nil, err
		}
		return progAttachIter(c, kind, a, b, cc, id)
	}, func() string { return fmt.Sprintf("iterator (SEC %q)", p.section) })
}

// Open starts a run of the iterator link l (bpf_iter_create) and returns
// its output: what the program writes with BPF_SEQ_PRINTF and
// bpf_seq_write, read to io.EOF. Each Open runs the iterator afresh; Close
// the reader when done. Reads block while the kernel runs the program.
func (l *Link) Open() (io.ReadCloser, error) {
	if l == nil {
		return nil, fmt.Errorf("open iterator: %w", errNilLink)
	}
	if l.members != nil {
		return nil, fmt.Errorf("open iterator of a link group: %w", errInvalidArgument)
	}
	if l.c == nil {
		return nil, fmt.Errorf("open iterator: link destroyed: %w", errInvalidArgument)
	}
	linkFD := linkFD(l.c)
	fd, err := iterCreate(linkFD)
	if err != nil {
		return nil, fmt.Errorf("open iterator of link fd %d: %w", linkFD, err)
	}
	return os.NewFile(uintptr(fd), fmt.Sprintf("bpf_iter (link fd %d)", linkFD)), nil
}
