package libbpf

// Thin wrappers over libbpf's tracing attach helpers (kprobes, syscalls,
// trampolines, LSM, freplace, struct_ops) and over the link calls that act
// on an existing link. Where libbpf has a plain form besides the _opts one,
// options libbpf's plain form can express go to it, as a C caller would
// write it; the others go to the _opts form.

/*
#include "handler_cgo.h"
*/
import "C"

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func progAttachKprobe(p *cProgram, funcName string, o *KprobeOptions) (*cLink, error) {
	cname := C.CString(funcName)
	defer free(unsafe.Pointer(cname))
	if *o == (KprobeOptions{Retprobe: o.Retprobe}) {
		link, err := C.bpf_program__attach_kprobe(p, C.bool(o.Retprobe), cname)
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_kprobe_opts{sz: C.sizeof_struct_bpf_kprobe_opts}
	copts.bpf_cookie = C.__u64(o.Cookie)
	copts.offset = C.size_t(o.Offset)
	copts.retprobe = C.bool(o.Retprobe)
	copts.attach_mode = C.enum_probe_attach_mode(o.AttachMode)
	link, err := C.bpf_program__attach_kprobe_opts(p, cname, &copts)
	return linkOrErrno(link, err)
}

func progAttachKsyscall(p *cProgram, syscallName string, o *KsyscallOptions) (*cLink, error) {
	cname := C.CString(syscallName)
	defer free(unsafe.Pointer(cname))
	copts := C.struct_bpf_ksyscall_opts{sz: C.sizeof_struct_bpf_ksyscall_opts}
	copts.bpf_cookie = C.__u64(o.Cookie)
	copts.retprobe = C.bool(o.Retprobe)
	link, err := C.bpf_program__attach_ksyscall(p, cname, &copts)
	return linkOrErrno(link, err)
}

// cStrings copies ss into a C array of C strings; release frees them all.
func cStrings(ss []string) (arr **C.char, release func()) {
	arr = cArray(ss, func(s string) *C.char { return C.CString(s) })
	return arr, func() {
		for _, s := range unsafe.Slice(arr, len(ss)) {
			free(unsafe.Pointer(s))
		}
		free(unsafe.Pointer(arr))
	}
}

func progAttachKprobeMulti(p *cProgram, pattern string, o *KprobeMultiOptions) (*cLink, error) {
	cpattern := cString(pattern)
	defer free(unsafe.Pointer(cpattern))
	copts := C.struct_bpf_kprobe_multi_opts{sz: C.sizeof_struct_bpf_kprobe_multi_opts}
	syms, releaseSyms := cStrings(o.Symbols)
	defer releaseSyms()
	copts.syms = syms
	copts.addrs = cArray(o.Addresses, func(v uint64) C.ulong { return C.ulong(v) })
	defer free(unsafe.Pointer(copts.addrs))
	copts.cookies = cArray(o.Cookies, func(v uint64) C.__u64 { return C.__u64(v) })
	defer free(unsafe.Pointer(copts.cookies))
	copts.cnt = C.size_t(max(len(o.Symbols), len(o.Addresses), len(o.Cookies)))
	copts.retprobe = C.bool(o.Retprobe)
	copts.session = C.bool(o.Session)
	copts.unique_match = C.bool(o.UniqueMatch)
	link, err := C.bpf_program__attach_kprobe_multi_opts(p, cpattern, &copts)
	return linkOrErrno(link, err)
}

func progAttachTrace(p *cProgram, o *TraceOptions) (*cLink, error) {
	if *o == (TraceOptions{}) {
		link, err := C.bpf_program__attach_trace(p)
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_trace_opts{sz: C.sizeof_struct_bpf_trace_opts}
	copts.cookie = C.__u64(o.Cookie)
	link, err := C.bpf_program__attach_trace_opts(p, &copts)
	return linkOrErrno(link, err)
}

func progAttachLSM(p *cProgram) (*cLink, error) {
	link, err := C.bpf_program__attach_lsm(p)
	return linkOrErrno(link, err)
}

func progAttachFreplace(p *cProgram, targetFD int, funcName string) (*cLink, error) {
	cname := cString(funcName)
	defer free(unsafe.Pointer(cname))
	link, err := C.bpf_program__attach_freplace(p, C.int(targetFD), cname)
	return linkOrErrno(link, err)
}

func progAttachTracepoint(p *cProgram, category, name string, o *TracepointOptions) (*cLink, error) {
	ccat, cname := C.CString(category), C.CString(name)
	defer free(unsafe.Pointer(ccat))
	defer free(unsafe.Pointer(cname))
	if *o == (TracepointOptions{}) {
		link, err := C.bpf_program__attach_tracepoint(p, ccat, cname)
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_tracepoint_opts{sz: C.sizeof_struct_bpf_tracepoint_opts}
	copts.bpf_cookie = C.__u64(o.Cookie)
	link, err := C.bpf_program__attach_tracepoint_opts(p, ccat, cname, &copts)
	return linkOrErrno(link, err)
}

func progAttachRawTracepoint(p *cProgram, name string, o *RawTracepointOptions) (*cLink, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	if *o == (RawTracepointOptions{}) {
		link, err := C.bpf_program__attach_raw_tracepoint(p, cname)
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_raw_tracepoint_opts{sz: C.sizeof_struct_bpf_raw_tracepoint_opts}
	copts.cookie = C.__u64(o.Cookie)
	link, err := C.bpf_program__attach_raw_tracepoint_opts(p, cname, &copts)
	return linkOrErrno(link, err)
}

func progAttachPerfEvent(p *cProgram, fd int, o *PerfEventOptions) (*cLink, error) {
	if *o == (PerfEventOptions{}) {
		link, err := C.bpf_program__attach_perf_event(p, C.int(fd))
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_perf_event_opts{sz: C.sizeof_struct_bpf_perf_event_opts}
	copts.bpf_cookie = C.__u64(o.Cookie)
	copts.force_ioctl_attach = C.bool(o.ForceIoctlAttach)
	copts.dont_enable = C.bool(o.DontEnable)
	link, err := C.bpf_program__attach_perf_event_opts(p, C.int(fd), &copts)
	return linkOrErrno(link, err)
}

func assocStructOpsOpts(o ProgAssocStructOpsOptions) C.struct_bpf_prog_assoc_struct_ops_opts {
	copts := C.struct_bpf_prog_assoc_struct_ops_opts{sz: C.sizeof_struct_bpf_prog_assoc_struct_ops_opts}
	copts.flags = C.__u32(o.Flags)
	return copts
}

func progAssocStructOps(progFD, mapFD int, o ProgAssocStructOpsOptions) error {
	copts := assocStructOpsOpts(o)
	return errnoOf(C.bpf_prog_assoc_struct_ops(C.int(progFD), C.int(mapFD), &copts))
}

func progAssocStructOpsMap(p *cProgram, m *cMap, o ProgAssocStructOpsOptions) error {
	copts := assocStructOpsOpts(o)
	return errnoOf(C.bpf_program__assoc_struct_ops(p, m, &copts))
}

func mapAttachStructOps(m *cMap) (*cLink, error) {
	link, err := C.bpf_map__attach_struct_ops(m)
	return linkOrErrno(link, err)
}

func mapIsStructOps(m *cMap) bool { return mapType(m) == MapTypeStructOps }

// structOpsSetData writes the struct a struct_ops map gives the kernel at
// load into libbpf's copy of it, which bpf_map__set_initial_value does not.
func structOpsSetData(m *cMap, data []byte) error {
	if mapFD(m) >= 0 {
		return unix.EBUSY
	}
	var size C.size_t
	p := C.bpf_map__initial_value(m, &size)
	if p == nil || int(size) != len(data) {
		return unix.EINVAL
	}
	copy(unsafe.Slice((*byte)(p), len(data)), data)
	return nil
}

// Existing links.

func linkUpdateProgram(l *cLink, p *cProgram) error {
	return errnoOf(C.bpf_link__update_program(l, p))
}

// linkUpdateMap must only be given a struct_ops link: libbpf reads past
// any other kind of link.
func linkUpdateMap(l *cLink, m *cMap) error { return errnoOf(C.bpf_link__update_map(l, m)) }

func linkCreateFD(progFD, target int, t AttachType, o LinkCreateOptions) (int, error) {
	copts := C.struct_bpf_link_create_opts{sz: C.sizeof_struct_bpf_link_create_opts}
	copts.flags = C.__u32(o.Flags)
	copts.target_btf_id = C.__u32(o.TargetBTFID)
	return fdOrErrno(C.bpf_link_create(C.int(progFD), C.int(target), C.enum_bpf_attach_type(t), &copts))
}

func linkUpdateFD(linkFD, newProgFD int, o LinkUpdateOptions) error {
	copts := C.struct_bpf_link_update_opts{sz: C.sizeof_struct_bpf_link_update_opts}
	copts.flags = C.__u32(o.Flags)
	copts.old_prog_fd = C.__u32(o.OldProgFD)
	copts.old_map_fd = C.__u32(o.OldMapFD)
	return errnoOf(C.bpf_link_update(C.int(linkFD), C.int(newProgFD), &copts))
}

// rawTracepointOpen opens a raw tracepoint link: bpf_raw_tracepoint_open,
// or bpf_raw_tracepoint_open_opts with a cookie.
func rawTracepointOpen(name string, progFD int, o RawTracepointOptions) (int, error) {
	cname := cString(name)
	defer free(unsafe.Pointer(cname))
	if o == (RawTracepointOptions{}) {
		return fdOrErrno(C.bpf_raw_tracepoint_open(cname, C.int(progFD)))
	}
	copts := C.struct_bpf_raw_tp_opts{sz: C.sizeof_struct_bpf_raw_tp_opts}
	copts.tp_name = cname
	copts.cookie = C.__u64(o.Cookie)
	return fdOrErrno(C.bpf_raw_tracepoint_open_opts(C.int(progFD), &copts))
}

func linkDisconnect(l *cLink) { C.bpf_link__disconnect(l) }

func linkPinPath(l *cLink) string { return C.GoString(C.bpf_link__pin_path(l)) }

func linkOpen(path string) (*cLink, error) {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	link, err := C.bpf_link__open(cpath)
	return linkOrErrno(link, err)
}
