package libbpf

// Thin wrappers over libbpf's network attach calls: the bpf_program__attach_*
// helpers of cgroups, namespaces, sockmaps, tcx, netkit and netfilter, the
// netlink XDP calls (bpf_xdp_*), the fd-level bpf_prog_attach family, and
// the probes that tell which of them the kernel has.

/*
#include "handler_cgo.h"
#include <errno.h>
#include <unistd.h>

// golibbpf_probe_link loads a program of prog_type that returns 0 and tries
// a BPF_LINK_CREATE of attach_type on target; it returns the link call's
// result (a negative errno, or 0 after closing the link it made), or the
// load's negative errno as *load_err.
static int golibbpf_probe_link(enum bpf_prog_type prog_type, enum bpf_attach_type attach_type,
			       int target, int *load_err)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog_fd, link_fd, err;

	*load_err = 0;
	prog_fd = GOLIBBPF_SIGNALS_BLOCKED(int, bpf_prog_load(prog_type, NULL, "GPL", insns, 2, NULL));
	if (prog_fd < 0) {
		*load_err = prog_fd;
		return 0;
	}
	link_fd = bpf_link_create(prog_fd, target, attach_type, NULL);
	err = link_fd < 0 ? link_fd : 0;
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

// golibbpf_probe_load loads a program of prog_type that returns 0 with
// prog_flags and returns the load's result (0, or a negative errno).
static int golibbpf_probe_load(enum bpf_prog_type prog_type, __u32 prog_flags)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = prog_flags);
	int fd = GOLIBBPF_SIGNALS_BLOCKED(int, bpf_prog_load(prog_type, NULL, "GPL", insns, 2, &opts));

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// mprogOpts converts the ordering options shared by tcx, netkit and
// cgroup links (struct bpf_tcx_opts, bpf_netkit_opts, bpf_cgroup_opts have
// the same fields).
func mprogOpts(o TCXOptions) (flags, relFD, relID C.__u32, rev C.__u64) {
	return C.__u32(o.Flags), C.__u32(o.RelativeFD), C.__u32(o.RelativeID), C.__u64(o.ExpectedRevision)
}

func progAttachTCX(p *cProgram, ifindex int, o TCXOptions) (*cLink, error) {
	copts := C.struct_bpf_tcx_opts{sz: C.sizeof_struct_bpf_tcx_opts}
	copts.flags, copts.relative_fd, copts.relative_id, copts.expected_revision = mprogOpts(o)
	link, err := C.bpf_program__attach_tcx(p, C.int(ifindex), &copts)
	return linkOrErrno(link, err)
}

func progAttachNetkit(p *cProgram, ifindex int, o NetkitOptions) (*cLink, error) {
	copts := C.struct_bpf_netkit_opts{sz: C.sizeof_struct_bpf_netkit_opts}
	copts.flags, copts.relative_fd, copts.relative_id, copts.expected_revision = mprogOpts(TCXOptions(o))
	link, err := C.bpf_program__attach_netkit(p, C.int(ifindex), &copts)
	return linkOrErrno(link, err)
}

func progAttachCgroup(p *cProgram, cgroupFD int, o *CgroupOptions) (*cLink, error) {
	if o == nil {
		link, err := C.bpf_program__attach_cgroup(p, C.int(cgroupFD))
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_cgroup_opts{sz: C.sizeof_struct_bpf_cgroup_opts}
	copts.flags, copts.relative_fd, copts.relative_id, copts.expected_revision = mprogOpts(TCXOptions(*o))
	link, err := C.bpf_program__attach_cgroup_opts(p, C.int(cgroupFD), &copts)
	return linkOrErrno(link, err)
}

func progAttachNetns(p *cProgram, netnsFD int) (*cLink, error) {
	link, err := C.bpf_program__attach_netns(p, C.int(netnsFD))
	return linkOrErrno(link, err)
}

func progAttachSockmap(p *cProgram, mapFD int) (*cLink, error) {
	link, err := C.bpf_program__attach_sockmap(p, C.int(mapFD))
	return linkOrErrno(link, err)
}

func progAttachNetfilter(p *cProgram, o NetfilterOptions) (*cLink, error) {
	copts := C.struct_bpf_netfilter_opts{sz: C.sizeof_struct_bpf_netfilter_opts}
	copts.pf, copts.hooknum = C.__u32(o.PF), C.__u32(o.Hooknum)
	copts.priority, copts.flags = C.__s32(o.Priority), C.__u32(o.Flags)
	link, err := C.bpf_program__attach_netfilter(p, &copts)
	return linkOrErrno(link, err)
}

// Netlink XDP.

func xdpAttach(ifindex, progFD int, flags XDPFlags, oldProgFD int) error {
	copts := C.struct_bpf_xdp_attach_opts{sz: C.sizeof_struct_bpf_xdp_attach_opts}
	copts.old_prog_fd = C.int(oldProgFD)
	return errnoOf(C.bpf_xdp_attach(C.int(ifindex), C.int(progFD), C.__u32(flags), &copts))
}

func xdpDetach(ifindex int, flags XDPFlags, oldProgFD int) error {
	copts := C.struct_bpf_xdp_attach_opts{sz: C.sizeof_struct_bpf_xdp_attach_opts}
	copts.old_prog_fd = C.int(oldProgFD)
	return errnoOf(C.bpf_xdp_detach(C.int(ifindex), C.__u32(flags), &copts))
}

func xdpQuery(ifindex int, flags XDPFlags) (XDPQueryResult, error) {
	copts := C.struct_bpf_xdp_query_opts{sz: C.sizeof_struct_bpf_xdp_query_opts}
	if err := errnoOf(C.bpf_xdp_query(C.int(ifindex), C.int(flags), &copts)); err != nil {
		return XDPQueryResult{}, err
	}
	return XDPQueryResult{
		ProgID:       uint32(copts.prog_id),
		DrvProgID:    uint32(copts.drv_prog_id),
		HWProgID:     uint32(copts.hw_prog_id),
		SKBProgID:    uint32(copts.skb_prog_id),
		AttachMode:   XDPAttachMode(copts.attach_mode),
		FeatureFlags: uint64(copts.feature_flags),
		ZCMaxSegs:    uint32(copts.xdp_zc_max_segs),
	}, nil
}

func xdpQueryID(ifindex int, flags XDPFlags) (uint32, error) {
	var id C.__u32
	if err := errnoOf(C.bpf_xdp_query_id(C.int(ifindex), C.int(flags), &id)); err != nil {
		return 0, err
	}
	return uint32(id), nil
}

// fd-level attach (BPF_PROG_ATTACH, BPF_PROG_DETACH, BPF_PROG_QUERY).

func progAttachFD(progFD, target int, t AttachType, o ProgAttachOptions) error {
	if o == (ProgAttachOptions{Flags: o.Flags}) {
		return errnoOf(C.bpf_prog_attach(C.int(progFD), C.int(target), C.enum_bpf_attach_type(t), C.uint(o.Flags)))
	}
	copts := C.struct_bpf_prog_attach_opts{sz: C.sizeof_struct_bpf_prog_attach_opts}
	copts.flags = C.__u32(o.Flags)
	*(*C.int)(unsafe.Pointer(&copts.anon0)) = C.int(o.ReplaceProgFD)
	copts.relative_fd = C.int(o.RelativeFD)
	copts.relative_id = C.__u32(o.RelativeID)
	copts.expected_revision = C.__u64(o.ExpectedRevision)
	return errnoOf(C.bpf_prog_attach_opts(C.int(progFD), C.int(target), C.enum_bpf_attach_type(t), &copts))
}

func progDetachFD(progFD, target int, t AttachType, o ProgDetachOptions) error {
	switch {
	case o == (ProgDetachOptions{}) && progFD == 0:
		return errnoOf(C.bpf_prog_detach(C.int(target), C.enum_bpf_attach_type(t)))
	case o == (ProgDetachOptions{}):
		return errnoOf(C.bpf_prog_detach2(C.int(progFD), C.int(target), C.enum_bpf_attach_type(t)))
	}
	copts := C.struct_bpf_prog_detach_opts{sz: C.sizeof_struct_bpf_prog_detach_opts}
	copts.flags = C.__u32(o.Flags)
	copts.relative_fd = C.int(o.RelativeFD)
	copts.relative_id = C.__u32(o.RelativeID)
	copts.expected_revision = C.__u64(o.ExpectedRevision)
	return errnoOf(C.bpf_prog_detach_opts(C.int(progFD), C.int(target), C.enum_bpf_attach_type(t), &copts))
}

// progQueryFD fills ids (and flags, when not nil) up to their length and
// returns the number attached, the attach flags and the revision.
func progQueryFD(target int, t AttachType, queryFlags uint32, progIDs, progFlags, linkIDs, linkFlags []uint32) (count, attachFlags uint32, revision uint64, err error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	if progFlags == nil && linkIDs == nil && linkFlags == nil {
		// The IDs alone: what the plain form asks, which kernels that
		// predate the rest answer (no revision then).
		var cnt, flags C.__u32 = C.__u32(len(progIDs)), 0
		err = errnoOf(C.bpf_prog_query(C.int(target), C.enum_bpf_attach_type(t), C.__u32(queryFlags), &flags, u32Ptr(&pin, progIDs), &cnt))
		return uint32(cnt), uint32(flags), 0, err
	}
	copts := C.struct_bpf_prog_query_opts{sz: C.sizeof_struct_bpf_prog_query_opts}
	copts.query_flags = C.__u32(queryFlags)
	*(*C.__u32)(unsafe.Pointer(&copts.anon0)) = C.__u32(len(progIDs))
	// The arrays are Go memory the struct points to: pinned for the call,
	// as cgo requires of Go pointers inside memory passed to C.
	copts.prog_ids = u32Ptr(&pin, progIDs)
	copts.prog_attach_flags = u32Ptr(&pin, progFlags)
	copts.link_ids = u32Ptr(&pin, linkIDs)
	copts.link_attach_flags = u32Ptr(&pin, linkFlags)
	err = errnoOf(C.bpf_prog_query_opts(C.int(target), C.enum_bpf_attach_type(t), &copts))
	count = uint32(*(*C.__u32)(unsafe.Pointer(&copts.anon0)))
	return count, uint32(copts.attach_flags), uint64(copts.revision), err
}

func u32Ptr(pin *runtime.Pinner, s []uint32) *C.__u32 {
	if len(s) == 0 {
		return nil
	}
	pin.Pin(&s[0])
	return (*C.__u32)(unsafe.Pointer(&s[0]))
}

// probeLoad loads a trivial program of progType with the BPF_F_* load
// flags and reports the load's error.
func probeLoad(progType ProgType, flags uint32) error {
	return errnoOf(C.golibbpf_probe_load(C.enum_bpf_prog_type(progType), C.__u32(flags)))
}

// newLinkToken returns unique C memory that stands for a Link without a
// kernel link where libbpf expects a struct bpf_link (see Link.token).
func newLinkToken() *cLink { return (*cLink)(C.malloc(1)) }

func freeLinkToken(t *cLink) { C.free(unsafe.Pointer(t)) }

// probeLink loads a trivial program of progType and tries a link of
// attachType on target; loadErr is the load's error, linkErr the link's.
func probeLink(progType ProgType, attachType AttachType, target int) (loadErr, linkErr error) {
	var cLoadErr C.int
	ret := C.golibbpf_probe_link(C.enum_bpf_prog_type(progType), C.enum_bpf_attach_type(attachType),
		C.int(target), &cLoadErr)
	return errnoOf(cLoadErr), errnoOf(ret)
}
