package libbpf

// Thin wrappers over libbpf's feature probes, BPF tokens and the one
// program load the tp_btf probe makes.

/*
#cgo CFLAGS: -O2 -Wall
#include "handler_cgo.h"
#include <unistd.h>

// The probes that load programs, with signals blocked (see
// golibbpf_block_signals).
static int golibbpf_probe_prog_type(enum bpf_prog_type t)
{
	return GOLIBBPF_SIGNALS_BLOCKED(int, libbpf_probe_bpf_prog_type(t, NULL));
}

static int golibbpf_probe_helper(enum bpf_prog_type t, enum bpf_func_id h)
{
	return GOLIBBPF_SIGNALS_BLOCKED(int, libbpf_probe_bpf_helper(t, h, NULL));
}

static int golibbpf_prog_load(enum bpf_prog_type t, const char *license, const struct bpf_insn *insns,
			      size_t n, struct bpf_prog_load_opts *opts)
{
	return GOLIBBPF_SIGNALS_BLOCKED(int, bpf_prog_load(t, NULL, license, insns, n, opts));
}

// golibbpf_probe_uprobe_multi loads a kprobe program of expected attach type
// BPF_TRACE_UPROBE_MULTI and links it at offset 0 of "/": a kernel with
// uprobe_multi links fails that with -EBADF (no regular file), one without
// with -EINVAL (an unknown attach type). It returns the link's result, or
// the load's negative errno as *load_err.
static int golibbpf_probe_uprobe_multi(int *load_err)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, load_opts, .expected_attach_type = BPF_TRACE_UPROBE_MULTI);
	LIBBPF_OPTS(bpf_link_create_opts, link_opts);
	unsigned long offset = 0;
	int prog_fd, link_fd, err;

	*load_err = 0;
	prog_fd = golibbpf_prog_load(BPF_PROG_TYPE_KPROBE, "GPL", insns, 2, &load_opts);
	if (prog_fd < 0) {
		*load_err = prog_fd;
		return 0;
	}
	link_opts.uprobe_multi.path = "/";
	link_opts.uprobe_multi.offsets = &offset;
	link_opts.uprobe_multi.cnt = 1;
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_UPROBE_MULTI, &link_opts);
	err = link_fd < 0 ? link_fd : 0;
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}
*/
import "C"

import "unsafe"

// probeResult converts a libbpf_probe_bpf_* result: 1 yes, 0 no, <0 error.
func probeResult(ret C.int) (bool, error) {
	if ret < 0 {
		return false, errnoOf(ret)
	}
	return ret == 1, nil
}

func probeProgType(t ProgType) (bool, error) {
	return probeResult(C.golibbpf_probe_prog_type(C.enum_bpf_prog_type(t)))
}

func probeMapType(t MapType) (bool, error) {
	return probeResult(C.libbpf_probe_bpf_map_type(C.enum_bpf_map_type(t), nil))
}

func probeHelper(t ProgType, h HelperID) (bool, error) {
	return probeResult(C.golibbpf_probe_helper(C.enum_bpf_prog_type(t), C.enum_bpf_func_id(h)))
}

func tokenCreate(bpffsFD int, flags uint32) (int, error) {
	opts := C.struct_bpf_token_create_opts{sz: C.sizeof_struct_bpf_token_create_opts, flags: C.__u32(flags)}
	fd := C.bpf_token_create(C.int(bpffsFD), &opts)
	if fd < 0 {
		return -1, errnoOf(fd)
	}
	return int(fd), nil
}

// loadTracingStub loads "return 0" as a tracing program of attach type at
// against the vmlinux BTF type btfID, and returns its fd.
func loadTracingStub(at AttachType, btfID uint32) (int, error) {
	insns := []C.struct_bpf_insn{
		{code: C.BPF_ALU64 | C.BPF_MOV | C.BPF_K}, // r0 = 0
		{code: C.BPF_JMP | C.BPF_EXIT},
	}
	opts := C.struct_bpf_prog_load_opts{sz: C.sizeof_struct_bpf_prog_load_opts}
	opts.expected_attach_type = C.enum_bpf_attach_type(at)
	opts.attach_btf_id = C.__u32(btfID)
	license := C.CString("GPL")
	defer free(unsafe.Pointer(license))
	fd := C.golibbpf_prog_load(C.BPF_PROG_TYPE_TRACING, license, &insns[0], C.size_t(len(insns)), &opts)
	if fd < 0 {
		return -1, errnoOf(fd)
	}
	return int(fd), nil
}

// probeUprobeMultiLink tries a uprobe_multi link (see
// golibbpf_probe_uprobe_multi); loadErr is the load's error, linkErr the
// link's.
func probeUprobeMultiLink() (loadErr, linkErr error) {
	var cLoadErr C.int
	ret := C.golibbpf_probe_uprobe_multi(&cLoadErr)
	return errnoOf(cLoadErr), errnoOf(ret)
}
