package libbpf

// Thin wrappers over libbpf's classic tc calls (bpf_tc_*), which attach
// sched_cls programs as cls_bpf filters of a clsact qdisc through netlink.

/*
#include "handler_cgo.h"
*/
import "C"

import "unsafe"

// withTCHook runs fn with h as a struct bpf_tc_hook.
func withTCHook(h TCHook, fn func(*C.struct_bpf_tc_hook) C.int) error {
	ch := C.struct_bpf_tc_hook{sz: C.sizeof_struct_bpf_tc_hook}
	ch.ifindex = C.int(h.Ifindex)
	ch.attach_point = C.enum_bpf_tc_attach_point(h.AttachPoint)
	ch.parent = C.__u32(h.Parent)
	ch.handle = C.__u32(h.Handle)
	ch.qdisc = cString(h.Qdisc)
	defer free(unsafe.Pointer(ch.qdisc))
	return errnoOf(fn(&ch))
}

func cTCOpts(o TCOptions) C.struct_bpf_tc_opts {
	co := C.struct_bpf_tc_opts{sz: C.sizeof_struct_bpf_tc_opts}
	co.prog_fd = C.int(o.ProgFD)
	co.flags = C.__u32(o.Flags)
	co.prog_id = C.__u32(o.ProgID)
	co.handle = C.__u32(o.Handle)
	co.priority = C.__u32(o.Priority)
	return co
}

func goTCOpts(co *C.struct_bpf_tc_opts) TCOptions {
	return TCOptions{ProgFD: int(co.prog_fd), Flags: TCFlags(co.flags), ProgID: uint32(co.prog_id),
		Handle: uint32(co.handle), Priority: uint32(co.priority)}
}

func tcHookCreate(h TCHook) error {
	return withTCHook(h, func(ch *C.struct_bpf_tc_hook) C.int { return C.bpf_tc_hook_create(ch) })
}

func tcHookDestroy(h TCHook) error {
	return withTCHook(h, func(ch *C.struct_bpf_tc_hook) C.int { return C.bpf_tc_hook_destroy(ch) })
}

// tcCall runs bpf_tc_attach or bpf_tc_query, which fill in the options.
func tcCall(h TCHook, o TCOptions, query bool) (TCOptions, error) {
	co := cTCOpts(o)
	err := withTCHook(h, func(ch *C.struct_bpf_tc_hook) C.int {
		if query {
			return C.bpf_tc_query(ch, &co)
		}
		return C.bpf_tc_attach(ch, &co)
	})
	return goTCOpts(&co), err
}

func tcDetach(h TCHook, o TCOptions) error {
	co := cTCOpts(o)
	return withTCHook(h, func(ch *C.struct_bpf_tc_hook) C.int { return C.bpf_tc_detach(ch, &co) })
}
