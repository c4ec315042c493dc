package libbpf

// Thin wrappers over libbpf's iterator calls: attach with the iterator's
// parameters, and bpf_iter_create.

/*
#include <string.h>
#include "handler_cgo.h"

enum { ITER_PLAIN, ITER_MAP, ITER_CGROUP, ITER_TASK };

// iter_attach fills the union bpf_iter_link_info of kind with a, b, c and
// id, so that the union never lives in Go memory.
static struct bpf_link *iter_attach(const struct bpf_program *prog, int kind,
				    __u32 a, __u32 b, __u32 c, __u64 id)
{
	union bpf_iter_link_info info;
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);

	memset(&info, 0, sizeof(info));
	switch (kind) {
	case ITER_MAP:
		info.map.map_fd = a;
		break;
	case ITER_CGROUP:
		info.cgroup.order = a;
		info.cgroup.cgroup_fd = b;
		info.cgroup.cgroup_id = id;
		break;
	case ITER_TASK:
		info.task.tid = a;
		info.task.pid = b;
		info.task.pid_fd = c;
		break;
	default:
		return bpf_program__attach_iter(prog, NULL);
	}
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	return bpf_program__attach_iter(prog, &opts);
}
*/
import "C"

// iterKind says which member of union bpf_iter_link_info an attach fills.
type iterKind C.int

const (
	iterPlain  iterKind = C.ITER_PLAIN
	iterMap    iterKind = C.ITER_MAP
	iterCgroup iterKind = C.ITER_CGROUP
	iterTask   iterKind = C.ITER_TASK
)

func progAttachIter(p *cProgram, kind iterKind, a, b, c uint32, id uint64) (*cLink, error) {
	link, err := C.iter_attach(p, C.int(kind), C.__u32(a), C.__u32(b), C.__u32(c), C.__u64(id))
	return linkOrErrno(link, err)
}

func iterCreate(linkFD int) (int, error) {
	fd := C.bpf_iter_create(C.int(linkFD))
	if fd < 0 {
		return -1, errnoOf(fd)
	}
	return int(fd), nil
}
