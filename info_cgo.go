package libbpf

// Thin wrappers over the kernel's id walks and info queries for programs
// and links (bpf_*_get_next_id, bpf_*_get_fd_by_id, bpf_*_get_info_by_fd).
// The C helpers flatten the unions of struct bpf_link_info and fetch the
// variable-length parts (names, map ids) with a second call.

/*
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "handler_cgo.h"

#define GOLIBBPF_NAME_LEN 512

// golibbpf_prog_linfo asks the kernel for the line info of the program fd,
// with the jited addresses when it gives them, and makes a struct
// bpf_prog_linfo of it (which copies what it keeps).
static struct bpf_prog_linfo *golibbpf_prog_linfo(int fd, int *err)
{
	struct bpf_prog_info info, want;
	__u32 len = sizeof(info);
	struct bpf_prog_linfo *linfo = NULL;
	void *line = NULL, *jited = NULL, *ksyms = NULL, *lens = NULL;

	memset(&info, 0, sizeof(info));
	*err = bpf_prog_get_info_by_fd(fd, &info, &len);
	if (*err)
		return NULL;
	if (!info.nr_line_info) {
		*err = -ENOENT;
		return NULL;
	}
	memset(&want, 0, sizeof(want));
	want.nr_line_info = info.nr_line_info;
	want.line_info_rec_size = info.line_info_rec_size;
	line = calloc(info.nr_line_info, info.line_info_rec_size);
	want.line_info = (__u64)(unsigned long)line;
	if (info.nr_jited_line_info && info.nr_jited_ksyms && info.nr_jited_func_lens) {
		want.nr_jited_line_info = info.nr_jited_line_info;
		want.jited_line_info_rec_size = info.jited_line_info_rec_size;
		jited = calloc(info.nr_jited_line_info, info.jited_line_info_rec_size);
		want.jited_line_info = (__u64)(unsigned long)jited;
		want.nr_jited_ksyms = info.nr_jited_ksyms;
		ksyms = calloc(info.nr_jited_ksyms, sizeof(__u64));
		want.jited_ksyms = (__u64)(unsigned long)ksyms;
		want.nr_jited_func_lens = info.nr_jited_func_lens;
		lens = calloc(info.nr_jited_func_lens, sizeof(__u32));
		want.jited_func_lens = (__u64)(unsigned long)lens;
		if (!jited || !ksyms || !lens)
			*err = -ENOMEM;
	}
	if (!line)
		*err = -ENOMEM;
	len = sizeof(want);
	if (!*err)
		*err = bpf_prog_get_info_by_fd(fd, &want, &len);
	if (!*err) {
		linfo = bpf_prog_linfo__new(&want);
		if (!linfo)
			*err = -errno;
	}
	free(line);
	free(jited);
	free(ksyms);
	free(lens);
	return linfo;
}

struct golibbpf_link_info {
	__u32 type, id, prog_id;
	__u32 attach_type, target_obj_id, target_btf_id, ifindex, netns_ino, map_id;
	__u32 perf_type, event_type, count, flags, pid, offset;
	__u64 cgroup_id, cookie, addr, config, missed;
	char name[GOLIBBPF_NAME_LEN];
};

static int golibbpf_link_info(int fd, struct golibbpf_link_info *out)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	memset(out, 0, sizeof(*out));
	err = bpf_link_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	out->type = info.type;
	out->id = info.id;
	out->prog_id = info.prog_id;
	// A second call with a buffer for the name the type has.
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	switch (out->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		info.raw_tracepoint.tp_name = (__u64)(unsigned long)out->name;
		info.raw_tracepoint.tp_name_len = GOLIBBPF_NAME_LEN;
		break;
	case BPF_LINK_TYPE_ITER:
		info.iter.target_name = (__u64)(unsigned long)out->name;
		info.iter.target_name_len = GOLIBBPF_NAME_LEN;
		break;
	case BPF_LINK_TYPE_UPROBE_MULTI:
		info.uprobe_multi.path = (__u64)(unsigned long)out->name;
		info.uprobe_multi.path_size = GOLIBBPF_NAME_LEN;
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		// file_name, func_name and tp_name share their place.
		info.perf_event.uprobe.file_name = (__u64)(unsigned long)out->name;
		info.perf_event.uprobe.name_len = GOLIBBPF_NAME_LEN;
		break;
	}
	err = bpf_link_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	switch (out->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		out->cookie = info.raw_tracepoint.cookie;
		break;
	case BPF_LINK_TYPE_TRACING:
		out->attach_type = info.tracing.attach_type;
		out->target_obj_id = info.tracing.target_obj_id;
		out->target_btf_id = info.tracing.target_btf_id;
		out->cookie = info.tracing.cookie;
		break;
	case BPF_LINK_TYPE_CGROUP:
		out->cgroup_id = info.cgroup.cgroup_id;
		out->attach_type = info.cgroup.attach_type;
		break;
	case BPF_LINK_TYPE_ITER:
		out->map_id = info.iter.map.map_id;
		break;
	case BPF_LINK_TYPE_NETNS:
		out->netns_ino = info.netns.netns_ino;
		out->attach_type = info.netns.attach_type;
		break;
	case BPF_LINK_TYPE_XDP:
		out->ifindex = info.xdp.ifindex;
		break;
	case BPF_LINK_TYPE_STRUCT_OPS:
		out->map_id = info.struct_ops.map_id;
		break;
	case BPF_LINK_TYPE_KPROBE_MULTI:
		out->count = info.kprobe_multi.count;
		out->flags = info.kprobe_multi.flags;
		out->missed = info.kprobe_multi.missed;
		break;
	case BPF_LINK_TYPE_UPROBE_MULTI:
		out->count = info.uprobe_multi.count;
		out->flags = info.uprobe_multi.flags;
		out->pid = info.uprobe_multi.pid;
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		out->perf_type = info.perf_event.type;
		switch (info.perf_event.type) {
		case BPF_PERF_EVENT_UPROBE:
		case BPF_PERF_EVENT_URETPROBE:
			out->offset = info.perf_event.uprobe.offset;
			out->cookie = info.perf_event.uprobe.cookie;
			break;
		case BPF_PERF_EVENT_KPROBE:
		case BPF_PERF_EVENT_KRETPROBE:
			out->offset = info.perf_event.kprobe.offset;
			out->addr = info.perf_event.kprobe.addr;
			out->missed = info.perf_event.kprobe.missed;
			out->cookie = info.perf_event.kprobe.cookie;
			break;
		case BPF_PERF_EVENT_TRACEPOINT:
			out->cookie = info.perf_event.tracepoint.cookie;
			break;
		case BPF_PERF_EVENT_EVENT:
			out->config = info.perf_event.event.config;
			out->event_type = info.perf_event.event.type;
			out->cookie = info.perf_event.event.cookie;
			break;
		}
		break;
	case BPF_LINK_TYPE_TCX:
		out->ifindex = info.tcx.ifindex;
		out->attach_type = info.tcx.attach_type;
		break;
	case BPF_LINK_TYPE_NETKIT:
		out->ifindex = info.netkit.ifindex;
		out->attach_type = info.netkit.attach_type;
		break;
	case BPF_LINK_TYPE_SOCKMAP:
		out->map_id = info.sockmap.map_id;
		out->attach_type = info.sockmap.attach_type;
		break;
	}
	out->name[GOLIBBPF_NAME_LEN - 1] = 0;
	return 0;
}

// Fills info and up to *nr_map_ids of the program's map ids.
static int golibbpf_prog_info(int fd, struct bpf_prog_info *info, __u32 *map_ids, __u32 *nr_map_ids)
{
	__u32 len = sizeof(*info), cap = *nr_map_ids;
	int err;

	memset(info, 0, sizeof(*info));
	info->nr_map_ids = cap;
	info->map_ids = (__u64)(unsigned long)map_ids;
	err = bpf_prog_get_info_by_fd(fd, info, &len);
	*nr_map_ids = info->nr_map_ids;
	return err;
}
*/
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

// idKind selects which kernel objects nextID walks.
type idKind int

const (
	idMap idKind = iota
	idProgram
	idLink
	idBTF // getFDByID only
)

// nextID returns the id after start of a map, program or link.
func nextID(kind idKind, start uint32) (uint32, error) {
	var next C.__u32
	var ret C.int
	switch kind {
	case idMap:
		ret = C.bpf_map_get_next_id(C.__u32(start), &next)
	case idProgram:
		ret = C.bpf_prog_get_next_id(C.__u32(start), &next)
	case idLink:
		ret = C.bpf_link_get_next_id(C.__u32(start), &next)
	}
	return uint32(next), errnoOf(ret)
}

// getFDByID opens the kernel object id of kind: libbpf's plain
// bpf_*_get_fd_by_id without options, its _opts form with them.
func getFDByID(kind idKind, id uint32, o GetFDByIDOptions) (int, error) {
	cid := C.__u32(id)
	if o == (GetFDByIDOptions{}) {
		switch kind {
		case idMap:
			return fdOrErrno(C.bpf_map_get_fd_by_id(cid))
		case idProgram:
			return fdOrErrno(C.bpf_prog_get_fd_by_id(cid))
		case idLink:
			return fdOrErrno(C.bpf_link_get_fd_by_id(cid))
		default:
			return fdOrErrno(C.bpf_btf_get_fd_by_id(cid))
		}
	}
	copts := C.struct_bpf_get_fd_by_id_opts{sz: C.sizeof_struct_bpf_get_fd_by_id_opts}
	copts.open_flags = C.__u32(o.OpenFlags)
	copts.token_fd = C.__u32(o.TokenFD)
	switch kind {
	case idMap:
		return fdOrErrno(C.bpf_map_get_fd_by_id_opts(cid, &copts))
	case idProgram:
		return fdOrErrno(C.bpf_prog_get_fd_by_id_opts(cid, &copts))
	case idLink:
		return fdOrErrno(C.bpf_link_get_fd_by_id_opts(cid, &copts))
	default:
		return fdOrErrno(C.bpf_btf_get_fd_by_id_opts(cid, &copts))
	}
}

func linkDetachFD(fd int) error { return errnoOf(C.bpf_link_detach(C.int(fd))) }

type cProgLinfo = C.struct_bpf_prog_linfo

func progLinfoNew(progFD int) (*cProgLinfo, error) {
	var cerr C.int
	l := C.golibbpf_prog_linfo(C.int(progFD), &cerr)
	if l == nil {
		return nil, errnoOf(cerr)
	}
	return l, nil
}

func progLinfoFree(l *cProgLinfo) { C.bpf_prog_linfo__free(l) }

func progLinfoLfind(l *cProgLinfo, insnOff, nrSkip uint32) (LineInfo, error) {
	r, err := C.bpf_prog_linfo__lfind(l, C.__u32(insnOff), C.__u32(nrSkip))
	if r == nil {
		return LineInfo{}, errnoOrEINVAL(err)
	}
	return lineInfoOf(r), nil
}

func progLinfoLfindAddrFunc(l *cProgLinfo, addr uint64, funcIdx, nrSkip uint32) (LineInfo, error) {
	r, err := C.bpf_prog_linfo__lfind_addr_func(l, C.__u64(addr), C.__u32(funcIdx), C.__u32(nrSkip))
	if r == nil {
		return LineInfo{}, errnoOrEINVAL(err)
	}
	return lineInfoOf(r), nil
}

func objGetInfoByFD(fd int, info []byte) (int, error) {
	n := C.__u32(len(info))
	if err := errnoOf(C.bpf_obj_get_info_by_fd(C.int(fd), bytesPtr(info), &n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

// taskFDQuery asks about fd of process pid with a name buffer of size
// bytes; want is the size the name needs when it did not fit (ENOSPC).
func taskFDQuery(pid, fd int, flags uint32, size int) (q TaskFDQueryInfo, want int, err error) {
	buf := make([]byte, size)
	n := C.__u32(size)
	var progID, fdType C.__u32
	var offset, addr C.__u64
	err = errnoOf(C.bpf_task_fd_query(C.int(pid), C.int(fd), C.__u32(flags), (*C.char)(bytesPtr(buf)), &n, &progID, &fdType, &offset, &addr))
	if err != nil {
		return TaskFDQueryInfo{}, int(n) + 1, err
	}
	name, _, _ := strings.Cut(string(buf[:min(int(n), size)]), "\x00")
	return TaskFDQueryInfo{ProgID: uint32(progID), Type: TaskFDType(fdType), Name: name,
		ProbeOffset: uint64(offset), ProbeAddr: uint64(addr)}, 0, nil
}

// progInfoMapIDs is how many map ids ProgramInfo holds at most.
const progInfoMapIDs = 64

func progGetInfo(fd int) (ProgramInfo, error) {
	var info C.struct_bpf_prog_info
	ids := (*C.__u32)(cAlloc(progInfoMapIDs * 4))
	defer free(unsafe.Pointer(ids))
	n := C.__u32(progInfoMapIDs)
	if err := errnoOf(C.golibbpf_prog_info(C.int(fd), &info, ids, &n)); err != nil {
		return ProgramInfo{}, err
	}
	pi := ProgramInfo{
		Type:            ProgType(info._type),
		ID:              uint32(info.id),
		Name:            C.GoString(&info.name[0]),
		JitedSize:       uint32(info.jited_prog_len),
		XlatedSize:      uint32(info.xlated_prog_len),
		LoadTime:        time.Duration(info.load_time),
		CreatedByUID:    uint32(info.created_by_uid),
		IfIndex:         uint32(info.ifindex),
		BTFID:           uint32(info.btf_id),
		RunTime:         time.Duration(info.run_time_ns),
		RunCount:        uint64(info.run_cnt),
		RecursionMisses: uint64(info.recursion_misses),
		VerifiedInsns:   uint32(info.verified_insns),
		AttachBTFObjID:  uint32(info.attach_btf_obj_id),
		AttachBTFID:     uint32(info.attach_btf_id),
	}
	for i, b := range info.tag {
		pi.Tag[i] = byte(b)
	}
	for _, id := range unsafe.Slice(ids, min(int(n), progInfoMapIDs)) {
		pi.MapIDs = append(pi.MapIDs, uint32(id))
	}
	return pi, nil
}

func linkGetInfo(fd int) (LinkInfo, error) {
	var out C.struct_golibbpf_link_info
	if err := errnoOf(C.golibbpf_link_info(C.int(fd), &out)); err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{
		Type:          LinkType(out._type),
		ID:            uint32(out.id),
		ProgID:        uint32(out.prog_id),
		AttachType:    AttachType(out.attach_type),
		Name:          C.GoString(&out.name[0]),
		TargetObjID:   uint32(out.target_obj_id),
		TargetBTFID:   uint32(out.target_btf_id),
		IfIndex:       uint32(out.ifindex),
		NetnsIno:      uint32(out.netns_ino),
		MapID:         uint32(out.map_id),
		PerfEventType: PerfEventType(out.perf_type),
		EventType:     uint32(out.event_type),
		Count:         uint32(out.count),
		Flags:         uint32(out.flags),
		PID:           uint32(out.pid),
		Offset:        uint32(out.offset),
		CgroupID:      uint64(out.cgroup_id),
		Cookie:        uint64(out.cookie),
		Addr:          uint64(out.addr),
		Config:        uint64(out.config),
		Missed:        uint64(out.missed),
	}, nil
}
