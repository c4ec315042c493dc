package libbpf

import (
	"errors"
	"fmt"
	"iter"
	"sync"
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

// GetFDByIDOptions are the options of the bpf_*_get_fd_by_id_opts calls
// (struct bpf_get_fd_by_id_opts); the zero value calls the plain form.
type GetFDByIDOptions struct {
	// OpenFlags: BPF_F_RDONLY or BPF_F_WRONLY for a map, 0 otherwise.
	OpenFlags uint32
	// TokenFD: a BPF token that grants the right to open it (Linux 6.9).
	TokenFD int
}

// ProgGetFDByID opens the program with the kernel id and returns an fd the
// caller owns (bpf_prog_get_fd_by_id, or bpf_prog_get_fd_by_id_opts with
// options). ProgramFromID wraps it as a *LoadedProgram instead.
func ProgGetFDByID(id uint32, opts GetFDByIDOptions) (int, error) {
	return openByID("program", idProgram, id, opts)
}

// MapGetFDByID opens the map with the kernel id and returns an fd the
// caller owns (bpf_map_get_fd_by_id, or bpf_map_get_fd_by_id_opts with
// options: BPF_F_RDONLY gives an fd that cannot write the map). MapFromFD
// makes it a *Map.
func MapGetFDByID(id uint32, opts GetFDByIDOptions) (int, error) {
	return openByID("map", idMap, id, opts)
}

// LinkGetFDByID opens the link with the kernel id and returns an fd the
// caller owns (bpf_link_get_fd_by_id, or bpf_link_get_fd_by_id_opts with
// options). LinkFromID wraps it as a *LoadedLink instead.
func LinkGetFDByID(id uint32, opts GetFDByIDOptions) (int, error) {
	return openByID("link", idLink, id, opts)
}

func openByID(what string, kind idKind, id uint32, opts GetFDByIDOptions) (int, error) {
	fd, err := getFDByID(kind, id, opts)
	if err != nil {
		return -1, fmt.Errorf("open %s %d: %w", what, id, err)
	}
	return fd, nil
}

// ObjGetInfoByFD fills info with the kernel's struct bpf_prog_info,
// bpf_map_info, bpf_btf_info or bpf_link_info of the object fd
// (bpf_obj_get_info_by_fd) and returns how many bytes of it the kernel
// wrote. The typed forms (Program.Info, Map.Info, LoadedLink.Info,
// BTFGetInfoByFD) decode it for you.
func ObjGetInfoByFD(fd int, info []byte) (int, error) {
	n, err := objGetInfoByFD(fd, info)
	if err != nil {
		return 0, fmt.Errorf("info of fd %d: %w", fd, err)
	}
	return n, nil
}

// TaskFDType is what a task's fd attaches a program to (enum
// bpf_task_fd_type).
type TaskFDType uint32

// The task fd types.
const (
	TaskFDRawTracepoint TaskFDType = 0 // a raw tracepoint link
	TaskFDTracepoint    TaskFDType = 1 // a tracepoint perf event
	TaskFDKprobe        TaskFDType = 2
	TaskFDKretprobe     TaskFDType = 3
	TaskFDUprobe        TaskFDType = 4
	TaskFDUretprobe     TaskFDType = 5
)

// TaskFDQueryInfo is what TaskFDQuery learns of an fd.
type TaskFDQueryInfo struct {
	ProgID uint32
	Type   TaskFDType
	// Name: the tracepoint's name, the probed kernel function, or the
	// probed file's path.
	Name string
	// ProbeOffset and ProbeAddr: the offset in the function or file, and
	// the kernel address of a probe without a function name.
	ProbeOffset, ProbeAddr uint64
}

// TaskFDQuery asks the kernel which program the fd of process pid (a raw
// tracepoint link, or a perf event of a tracepoint or probe) runs, and
// where it is attached (bpf_task_fd_query). flags must be 0.
func TaskFDQuery(pid, fd int, flags uint32) (TaskFDQueryInfo, error) {
	for size := 256; ; {
		q, want, err := taskFDQuery(pid, fd, flags, size)
		if errors.Is(err, unix.ENOSPC) && want > size {
			size = want
			continue
		}
		if err != nil {
			return TaskFDQueryInfo{}, fmt.Errorf("task fd query of pid %d fd %d: %w", pid, fd, err)
		}
		return q, nil
	}
}

// LoadedProgram is a program in the kernel that no Object of this process
// holds: one found by ProgramFromID. It owns its fd until Close.
type LoadedProgram struct{ kernelObject }

// ProgramFromID opens the program with the kernel id
// (bpf_prog_get_fd_by_id). ProgGetFDByID returns the bare fd, with options.
func ProgramFromID(id uint32) (*LoadedProgram, error) {
	fd, err := getFDByID(idProgram, id, GetFDByIDOptions{})
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
// LinkGetFDByID returns the bare fd, with options.
func LinkFromID(id uint32) (*LoadedLink, error) {
	fd, err := getFDByID(idLink, id, GetFDByIDOptions{})
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

// ProgLinfo is the line info of a loaded program as the kernel reports it,
// searchable by instruction or by jited address (libbpf's struct
// bpf_prog_linfo): what a profiler or a dump of the jited code maps back
// to source lines. The file and line offsets index the program's BTF in
// the kernel (ProgramInfo.BTFID). It is safe for concurrent use.
type ProgLinfo struct {
	mu sync.RWMutex
	c  *cProgLinfo // nil once closed
}

// NewProgLinfo reads the line info of the loaded program progFD, with the
// jited addresses when the kernel gives them (a JIT, and the privilege to
// see kernel addresses) (bpf_prog_linfo__new). A program without line
// info fails with ENOENT.
func NewProgLinfo(progFD int) (*ProgLinfo, error) {
	c, err := progLinfoNew(progFD)
	if err != nil {
		return nil, fmt.Errorf("line info of program fd %d: %w", progFD, err)
	}
	return &ProgLinfo{c: c}, nil
}

// search runs fn on the open line info.
func (l *ProgLinfo) search(what string, fn func(*cProgLinfo) (LineInfo, error)) (LineInfo, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.c == nil {
		return LineInfo{}, fmt.Errorf("line info: %s: %w", what, ErrClosed)
	}
	li, err := fn(l.c)
	if err != nil {
		return LineInfo{}, fmt.Errorf("line info: %s: %w", what, err)
	}
	return li, nil
}

// Lfind returns the line of the (xlated) instruction insnOff: the last
// record at or before it, skipping the first nrSkip records
// (bpf_prog_linfo__lfind); ENOENT past the records.
func (l *ProgLinfo) Lfind(insnOff, nrSkip uint32) (LineInfo, error) {
	return l.search(fmt.Sprintf("instruction %d", insnOff), func(c *cProgLinfo) (LineInfo, error) {
		return progLinfoLfind(c, insnOff, nrSkip)
	})
}

// LfindAddrFunc returns the line of the jited address addr in the jited
// function funcIdx, skipping its first nrSkip records
// (bpf_prog_linfo__lfind_addr_func); ENOENT before the function's first
// record, or without jited line info.
func (l *ProgLinfo) LfindAddrFunc(addr uint64, funcIdx, nrSkip uint32) (LineInfo, error) {
	return l.search(fmt.Sprintf("address %#x of function %d", addr, funcIdx), func(c *cProgLinfo) (LineInfo, error) {
		return progLinfoLfindAddrFunc(c, addr, funcIdx, nrSkip)
	})
}

// Close frees the line info (bpf_prog_linfo__free); it is idempotent.
func (l *ProgLinfo) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c != nil {
		progLinfoFree(l.c)
		l.c = nil
	}
	return nil
}
