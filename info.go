package libbpf

import (
	"fmt"
	"iter"
	"time"

	"golang.org/x/sys/unix"
)

// ProgramInfo is what the kernel tells about a loaded program (struct
// bpf_prog_info).
type ProgramInfo struct {
	Type         ProgType
	ID           uint32
	Tag          [8]byte
	Name         string
	JitedSize    uint32
	XlatedSize   uint32
	LoadTime     time.Duration // since boot
	CreatedByUID uint32
	// MapIDs are the ids of the maps the program uses (the first 64).
	MapIDs          []uint32
	IfIndex         uint32
	BTFID           uint32
	RunTime         time.Duration // with EnableStats in effect
	RunCount        uint64
	RecursionMisses uint64
	VerifiedInsns   uint32
	AttachBTFObjID  uint32
	AttachBTFID     uint32
}

// LinkType is a BPF link type (enum bpf_link_type).
type LinkType uint32

// The link types.
const (
	LinkTypeUnspec        LinkType = 0
	LinkTypeRawTracepoint LinkType = 1
	LinkTypeTracing       LinkType = 2
	LinkTypeCgroup        LinkType = 3
	LinkTypeIter          LinkType = 4
	LinkTypeNetns         LinkType = 5
	LinkTypeXDP           LinkType = 6
	LinkTypePerfEvent     LinkType = 7
	LinkTypeKprobeMulti   LinkType = 8
	LinkTypeStructOps     LinkType = 9
	LinkTypeNetfilter     LinkType = 10
	LinkTypeTCX           LinkType = 11
	LinkTypeUprobeMulti   LinkType = 12
	LinkTypeNetkit        LinkType = 13
	LinkTypeSockmap       LinkType = 14
)

// PerfEventType is what a perf_event link is attached to (enum
// bpf_perf_event_type).
type PerfEventType uint32

// The perf event link kinds.
const (
	PerfEventUnspec     PerfEventType = 0
	PerfEventUprobe     PerfEventType = 1
	PerfEventUretprobe  PerfEventType = 2
	PerfEventKprobe     PerfEventType = 3
	PerfEventKretprobe  PerfEventType = 4
	PerfEventTracepoint PerfEventType = 5
	PerfEventEvent      PerfEventType = 6
)

// LinkInfo is what the kernel tells about a link (struct bpf_link_info):
// the common part, then the fields of its type's part, zero for the
// others.
type LinkInfo struct {
	Type   LinkType
	ID     uint32
	ProgID uint32

	// Tracing, cgroup, netns, tcx, netkit, sockmap.
	AttachType AttachType
	// The raw tracepoint's name; the iterator's target; the uprobe_multi
	// path; the perf event's file (uprobes), function (kprobes) or
	// tracepoint name.
	Name string
	// Tracing: the target program (freplace) or BTF object, and BTF type.
	TargetObjID uint32
	TargetBTFID uint32
	// XDP, tcx, netkit.
	IfIndex uint32
	// Netns.
	NetnsIno uint32
	// Iterators over a map, struct_ops, sockmap.
	MapID uint32
	// Perf event links: the kind; for PerfEventEvent the perf type and
	// config; for probes the offset (and a kprobe's address).
	PerfEventType PerfEventType
	EventType     uint32
	Config        uint64
	Offset        uint32
	Addr          uint64
	// kprobe_multi and uprobe_multi: function count and flags; the
	// uprobe_multi's pid.
	Count uint32
	Flags uint32
	PID   uint32
	// Cgroup.
	CgroupID uint64
	// The BPF cookie (raw tracepoint, tracing, perf event).
	Cookie uint64
	// Missed runs (kprobes).
	Missed uint64
}

// Info asks the kernel about the loaded program.
func (p *Program) Info() (ProgramInfo, error) {
	fd, err := p.loadedFD()
	var info ProgramInfo
	if err == nil {
		info, err = progGetInfo(fd)
	}
	if err != nil {
		return ProgramInfo{}, p.errorf(err, "info")
	}
	return info, nil
}

// Info asks the kernel about the link.
func (l *Link) Info() (LinkInfo, error) {
	if l == nil {
		return LinkInfo{}, fmt.Errorf("link info: %w", errNilLink)
	}
	fd := l.FD()
	if fd < 0 {
		return LinkInfo{}, fmt.Errorf("link info: no link fd: %w", errInvalidArgument)
	}
	info, err := linkGetInfo(fd)
	if err != nil {
		return LinkInfo{}, fmt.Errorf("link info: %w", err)
	}
	return info, nil
}

// ProgramIDs walks the ids of every program in the kernel
// (bpf_prog_get_next_id), in increasing order; it stops at the first
// error, which it yields.
func ProgramIDs() iter.Seq2[uint32, error] { return ids("program", idProgram) }

// LinkIDs walks the ids of every link in the kernel (bpf_link_get_next_id).
func LinkIDs() iter.Seq2[uint32, error] { return ids("link", idLink) }

// kernelObject is an fd of a program or link found by id, which it owns.
type kernelObject struct {
	what string
	fd   int
}

// FD returns the fd, or -1 once closed.
func (k *kernelObject) FD() int { return k.fd }

// Close closes the fd; it is idempotent.
func (k *kernelObject) Close() error {
	if k.fd < 0 {
		return nil
	}
	fd := k.fd
	k.fd = -1
	if err := unix.Close(fd); err != nil {
		return fmt.Errorf("close %s: %w", k.what, err)
	}
	return nil
}

// query runs fn on the open fd, naming k and what in its error.
func query[T any](k *kernelObject, what string, fn func(fd int) (T, error)) (T, error) {
	var zero T
	if k.fd < 0 {
		return zero, fmt.Errorf("%s: %s: %w", k.what, what, ErrClosed)
	}
	v, err := fn(k.fd)
	if err != nil {
		return zero, fmt.Errorf("%s: %s: %w", k.what, what, err)
	}
	return v, nil
}

// LoadedProgram is a program in the kernel that no Object of this process
// holds: one found by ProgramFromID. It owns its fd until Close.
type LoadedProgram struct{ kernelObject }

// ProgramFromID opens the program with the kernel id
// (bpf_prog_get_fd_by_id).
func ProgramFromID(id uint32) (*LoadedProgram, error) {
	fd, err := progGetFDByID(id)
	if err != nil {
		return nil, fmt.Errorf("program from id %d: %w", id, err)
	}
	return &LoadedProgram{kernelObject{fmt.Sprintf("program %d", id), fd}}, nil
}

// Info asks the kernel about the program.
func (p *LoadedProgram) Info() (ProgramInfo, error) {
	return query(&p.kernelObject, "info", progGetInfo)
}

// LoadedLink is a link in the kernel that no Link of this process holds:
// one found by LinkFromID. It owns its fd until Close, which leaves the
// attachment in place; Detach ends it.
type LoadedLink struct{ kernelObject }

// LinkFromID opens the link with the kernel id (bpf_link_get_fd_by_id).
func LinkFromID(id uint32) (*LoadedLink, error) {
	fd, err := linkGetFDByID(id)
	if err != nil {
		return nil, fmt.Errorf("link from id %d: %w", id, err)
	}
	return &LoadedLink{kernelObject{fmt.Sprintf("link %d", id), fd}}, nil
}

// Info asks the kernel about the link.
func (l *LoadedLink) Info() (LinkInfo, error) {
	return query(&l.kernelObject, "info", linkGetInfo)
}

// Detach detaches the link's program from its hook (bpf_link_detach).
func (l *LoadedLink) Detach() error {
	_, err := query(&l.kernelObject, "detach", func(fd int) (struct{}, error) { return struct{}{}, linkDetachFD(fd) })
	return err
}
