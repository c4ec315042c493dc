package libbpf

// The Go functions libbpf's callbacks reach through the C trampolines in
// handler_cgo.c. Each converts its C arguments and hands over to plain Go
// (dispatch in handler.go), which recovers panics before returning to C.

/*
#include "handler_cgo.h"
*/
import "C"

import "unsafe"

//export goProgSetup
func goProgSetup(prog *C.struct_bpf_program, cookie, op C.uintptr_t) C.int {
	return C.int(dispatch(PhaseSetup, prog, uintptr(cookie), uintptr(op), callSetup))
}

//export goProgPrepareLoad
func goProgPrepareLoad(prog *C.struct_bpf_program, opts *C.struct_bpf_prog_load_opts, cookie, op C.uintptr_t) C.int {
	return C.int(dispatch(PhasePrepareLoad, prog, uintptr(cookie), uintptr(op), func(r *Registration, p *Program, _ *operation) error {
		lo := LoadOptions{
			ExpectedAttachType: AttachType(opts.expected_attach_type),
			ProgFlags:          uint32(opts.prog_flags),
			KernVersion:        uint32(opts.kern_version),
			ProgIfindex:        uint32(opts.prog_ifindex),
			AttachBTFID:        uint32(opts.attach_btf_id),
			AttachBTFObjFD:     int(opts.attach_btf_obj_fd),
			AttachProgFD:       int(opts.attach_prog_fd),
		}
		if err := r.handler.PrepareLoad(p, &lo); err != nil {
			return err
		}
		opts.expected_attach_type = C.enum_bpf_attach_type(lo.ExpectedAttachType)
		opts.prog_flags = C.__u32(lo.ProgFlags)
		opts.kern_version = C.__u32(lo.KernVersion)
		opts.prog_ifindex = C.__u32(lo.ProgIfindex)
		opts.attach_btf_id = C.__u32(lo.AttachBTFID)
		opts.attach_btf_obj_fd = C.__u32(lo.AttachBTFObjFD)
		opts.attach_prog_fd = C.__u32(lo.AttachProgFD)
		return nil
	}))
}

//export goProgAttach
func goProgAttach(prog *C.struct_bpf_program, cookie, op C.uintptr_t, out **C.struct_bpf_link) C.int {
	return C.int(dispatch(PhaseAttach, prog, uintptr(cookie), uintptr(op), func(r *Registration, p *Program, o *operation) error {
		link, err := callAttach(r, p, o)
		*out = link
		return err
	}))
}

//export goLibbpfPrint
func goLibbpfPrint(level C.int, msg *C.char, n C.int, op C.uintptr_t) {
	logLibbpf(int(level), C.GoStringN(msg, n), uintptr(op))
}

//export goRingBufferSample
func goRingBufferSample(ctx C.uintptr_t, data unsafe.Pointer, size C.size_t) C.int {
	return C.int(ringBufferSample(uintptr(ctx), C.GoBytes(data, C.int(size))))
}
