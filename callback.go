package libbpf

// The Go functions libbpf's callbacks reach through the C trampolines in
// handler_cgo.c. Each converts its C arguments and hands over to plain Go
// (dispatch in handler.go), which recovers panics before returning to C.
//
// A callback that calls runtime.Goexit (t.Fatal and t.FailNow do) cannot be
// stopped: the goroutine unwinds through libbpf's frames without returning to
// them. Each export defers survive, which resets the thread's trampoline state
// so later calls on the thread are not misattributed; the Go callers release
// their locks and handles in defers too. What libbpf had half built for that
// call is lost with its frames.

/*
#include "handler_cgo.h"
*/
import "C"

// survive runs when an exported callback ends; *returned is false only when
// the goroutine is exiting through it (runtime.Goexit): no panic gets this far.
func survive(returned *bool) {
	if !*returned {
		C.golibbpf_callback_abandoned()
		logger().Error("a libbpf callback called runtime.Goexit; the libbpf call it served is abandoned")
	}
}

// goProgSetup gets the program's name and section from C, which spares the
// wrapper it creates two calls back into C.
//
//export goProgSetup
func goProgSetup(prog *C.struct_bpf_program, name, section *C.char, cookie, op C.uintptr_t) C.int {
	returned := false
	defer survive(&returned)
	ret := dispatch(&callback{phase: PhaseSetup, cookie: uintptr(cookie), op: uintptr(op), prog: prog,
		name: C.GoString(name), section: C.GoString(section)})
	returned = true
	return C.int(ret)
}

//export goProgPrepareLoad
func goProgPrepareLoad(prog *C.struct_bpf_program, opts *C.struct_bpf_prog_load_opts, cookie, op C.uintptr_t) C.int {
	returned := false
	defer survive(&returned)
	ret := dispatch(&callback{phase: PhasePrepareLoad, cookie: uintptr(cookie), op: uintptr(op), prog: prog, loadOpts: opts})
	returned = true
	return C.int(ret)
}

//export goProgAttach
func goProgAttach(prog *C.struct_bpf_program, cookie, op C.uintptr_t, out **C.struct_bpf_link) C.int {
	returned := false
	defer survive(&returned)
	*out = nil
	ret := dispatch(&callback{phase: PhaseAttach, cookie: uintptr(cookie), op: uintptr(op), prog: prog, link: out})
	returned = true
	return C.int(ret)
}

// readLoadOptions copies the writable load attributes into lo, for a
// PrepareLoad callback (callPrepareLoad).
func readLoadOptions(opts *C.struct_bpf_prog_load_opts, lo *LoadOptions) {
	*lo = LoadOptions{
		ExpectedAttachType: AttachType(opts.expected_attach_type),
		ProgFlags:          uint32(opts.prog_flags),
		KernVersion:        uint32(opts.kern_version),
		ProgIfindex:        uint32(opts.prog_ifindex),
		AttachBTFID:        uint32(opts.attach_btf_id),
		AttachBTFObjFD:     int(opts.attach_btf_obj_fd),
		AttachProgFD:       int(opts.attach_prog_fd),
	}
}

// writeLoadOptions copies what a PrepareLoad callback left in lo back.
func writeLoadOptions(opts *C.struct_bpf_prog_load_opts, lo *LoadOptions) {
	opts.expected_attach_type = C.enum_bpf_attach_type(lo.ExpectedAttachType)
	opts.prog_flags = C.__u32(lo.ProgFlags)
	opts.kern_version = C.__u32(lo.KernVersion)
	opts.prog_ifindex = C.__u32(lo.ProgIfindex)
	opts.attach_btf_id = C.__u32(lo.AttachBTFID)
	opts.attach_btf_obj_fd = C.__u32(lo.AttachBTFObjFD)
	opts.attach_prog_fd = C.__u32(lo.AttachProgFD)
}

//export goLibbpfPrint
func goLibbpfPrint(level C.int, msg *C.char, n C.int, op C.uintptr_t) {
	returned := false
	defer survive(&returned)
	text := C.GoStringN(msg, n)
	// A Logger that panics loses the line rather than unwinding through C.
	_ = protect(func() error { logLibbpf(int(level), text, uintptr(op)); return nil })
	returned = true
}
