package libbpf

// This file and callback.go are the module's only cgo: each function here is a
// thin Go wrapper over one libbpf call, so that everything above it is plain Go.

/*
#cgo CFLAGS: -O2 -Wall
#include "handler_cgo.h"
*/
import "C"

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

type (
	cObject   = C.struct_bpf_object
	cProgram  = C.struct_bpf_program
	cMap      = C.struct_bpf_map
	cLink     = C.struct_bpf_link
	cLoadOpts = C.struct_bpf_prog_load_opts
)

// errnoOf turns libbpf's negative-errno convention into an error.
func errnoOf(ret C.int) error {
	if ret < 0 {
		return codeError(int(-ret))
	}
	return nil
}

// errnoOrEINVAL keeps errno from a failed call that returned NULL.
func errnoOrEINVAL(err error) error {
	var errno unix.Errno
	if !errors.As(err, &errno) || errno == 0 {
		return unix.EINVAL
	}
	return codeError(int(errno))
}

// codeError is a unix.Errno, or a LibbpfError for libbpf's own codes.
func codeError(code int) error {
	if code >= libbpfErrnoStart && code < libbpfErrnoEnd {
		return LibbpfError(code)
	}
	return unix.Errno(code)
}

const (
	libbpfErrnoStart = C.__LIBBPF_ERRNO__START
	libbpfErrnoEnd   = C.__LIBBPF_ERRNO__END
)

func libbpfStrerror(code int) string {
	var buf [128]C.char
	C.libbpf_strerror(C.int(code), &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

func cString(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

func free(p unsafe.Pointer) { C.free(p) }

func libbpfVersion() (major, minor uint32) {
	return uint32(C.libbpf_major_version()), uint32(C.libbpf_minor_version())
}

func libbpfVersionString() string { return C.GoString(C.libbpf_version_string()) }

func progTypeString(t ProgType) string {
	return C.GoString(C.libbpf_bpf_prog_type_str(C.enum_bpf_prog_type(t)))
}

func attachTypeString(t AttachType) string {
	return C.GoString(C.libbpf_bpf_attach_type_str(C.enum_bpf_attach_type(t)))
}

func linkTypeString(t LinkType) string {
	return C.GoString(C.libbpf_bpf_link_type_str(C.enum_bpf_link_type(t)))
}

func mapTypeString(t MapType) string {
	return C.GoString(C.libbpf_bpf_map_type_str(C.enum_bpf_map_type(t)))
}

func numPossibleCPUs() (int, error) {
	n := C.libbpf_num_possible_cpus()
	if n < 0 {
		return 0, errnoOf(n)
	}
	return int(n), nil
}

// Handler table.

func registerHandler(sec string, fallback bool, progType ProgType, attachType AttachType, cookie uintptr, prepareLoad, attach bool) (int, error) {
	var csec *C.char
	if !fallback {
		csec = C.CString(sec)
		defer free(unsafe.Pointer(csec))
	}
	id := C.golibbpf_register(csec, C.enum_bpf_prog_type(progType), C.enum_bpf_attach_type(attachType),
		C.uintptr_t(cookie), cBool(prepareLoad), cBool(attach))
	if id < 0 {
		return 0, errnoOf(id)
	}
	return int(id), nil
}

func unregisterHandler(id int) error {
	return errnoOf(C.libbpf_unregister_prog_handler(C.int(id)))
}

func inCallback() bool { return C.golibbpf_in_callback() != 0 }

func setPrintLevel(level int) { C.golibbpf_set_print_level(C.int(level)) }

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Objects.

func newOpenOpts(opts *OpenOptions) (*C.struct_bpf_object_open_opts, func()) {
	copts := (*C.struct_bpf_object_open_opts)(C.calloc(1, C.sizeof_struct_bpf_object_open_opts))
	copts.sz = C.sizeof_struct_bpf_object_open_opts
	if opts != nil {
		copts.object_name = cString(opts.ObjectName)
		copts.btf_custom_path = cString(opts.BTFCustomPath)
		copts.kernel_log_level = C.__u32(opts.KernelLogLevel)
		if opts.NoBPFToken {
			copts.bpf_token_path = C.CString("") // libbpf: "" prevents a token
		} else {
			copts.bpf_token_path = cString(opts.BPFTokenPath)
		}
	}
	return copts, func() {
		free(unsafe.Pointer(copts.object_name))
		free(unsafe.Pointer(copts.btf_custom_path))
		free(unsafe.Pointer(copts.bpf_token_path))
		free(unsafe.Pointer(copts))
	}
}

func objectOpenFile(path string, opts *OpenOptions, op uintptr) (*cObject, error) {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	copts, release := newOpenOpts(opts)
	defer release()
	obj, err := C.golibbpf_open_file(cpath, copts, C.uintptr_t(op))
	if obj == nil {
		return nil, errnoOrEINVAL(err)
	}
	return obj, nil
}

func objectOpenMem(data []byte, opts *OpenOptions, op uintptr) (*cObject, error) {
	copts, release := newOpenOpts(opts)
	defer release()
	obj, err := C.golibbpf_open_mem(unsafe.Pointer(&data[0]), C.size_t(len(data)), copts, C.uintptr_t(op))
	if obj == nil {
		return nil, errnoOrEINVAL(err)
	}
	return obj, nil
}

func objectLoad(obj *cObject, op uintptr) error {
	return errnoOf(C.golibbpf_load(obj, C.uintptr_t(op)))
}

func objectPrepare(obj *cObject, op uintptr) error {
	return errnoOf(C.golibbpf_prepare(obj, C.uintptr_t(op)))
}

func objectClose(obj *cObject) { C.bpf_object__close(obj) }

func objectFindProgram(obj *cObject, name string) *cProgram {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	return C.bpf_object__find_program_by_name(obj, cname)
}

func objectFindMap(obj *cObject, name string) *cMap {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	return C.bpf_object__find_map_by_name(obj, cname)
}

// objectFindMapFD returns the map's fd, -1 if it has none yet, or ENOENT
// for a missing map (libbpf's EINVAL: it asks bpf_map__fd of NULL).
func objectFindMapFD(obj *cObject, name string) (int, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	fd := C.bpf_object__find_map_fd_by_name(obj, cname)
	if fd == -C.int(unix.EINVAL) {
		return -1, unix.ENOENT
	}
	return max(int(fd), -1), nil
}

func objectKVersion(obj *cObject) uint32 { return uint32(C.bpf_object__kversion(obj)) }

func objectSetKVersion(obj *cObject, v uint32) error {
	return errnoOf(C.bpf_object__set_kversion(obj, C.__u32(v)))
}

func objectTokenFD(obj *cObject) int { return max(int(C.bpf_object__token_fd(obj)), -1) }
func objectBTFFD(obj *cObject) int   { return max(int(C.bpf_object__btf_fd(obj)), -1) }

func objectName(obj *cObject) string { return C.GoString(C.bpf_object__name(obj)) }

func objectPrograms(obj *cObject) []*cProgram {
	var progs []*cProgram
	for p := C.bpf_object__next_program(obj, nil); p != nil; p = C.bpf_object__next_program(obj, p) {
		progs = append(progs, p)
	}
	return progs
}

func objectMaps(obj *cObject) []*cMap {
	var maps []*cMap
	for m := C.bpf_object__next_map(obj, nil); m != nil; m = C.bpf_object__next_map(obj, m) {
		maps = append(maps, m)
	}
	return maps
}

func autoattachProgram(prog *cProgram, op uintptr) (*cLink, error) {
	var link *cLink
	err := errnoOf(C.golibbpf_autoattach_program(prog, &link, C.uintptr_t(op)))
	return link, err
}

func autoattachMap(m *cMap, op uintptr) (*cLink, error) {
	var link *cLink
	err := errnoOf(C.golibbpf_autoattach_map(m, &link, C.uintptr_t(op)))
	return link, err
}

// Programs.

func progName(p *cProgram) string                { return C.GoString(C.bpf_program__name(p)) }
func progSection(p *cProgram) string             { return C.GoString(C.bpf_program__section_name(p)) }
func progType(p *cProgram) ProgType              { return ProgType(C.bpf_program__type(p)) }
func progAutoload(p *cProgram) bool              { return bool(C.bpf_program__autoload(p)) }
func progAutoattach(p *cProgram) bool            { return bool(C.bpf_program__autoattach(p)) }
func progFlags(p *cProgram) uint32               { return uint32(C.bpf_program__flags(p)) }
func progLogLevel(p *cProgram) uint32            { return uint32(C.bpf_program__log_level(p)) }
func progInsnCount(p *cProgram) int              { return int(C.bpf_program__insn_cnt(p)) }
func progSetAutoattach(p *cProgram, on bool)     { C.bpf_program__set_autoattach(p, C.bool(on)) }
func progSetIfindex(p *cProgram, ifindex uint32) { C.bpf_program__set_ifindex(p, C.__u32(ifindex)) }

func progUnload(p *cProgram) { C.bpf_program__unload(p) }

func progExpectedAttachType(p *cProgram) AttachType {
	return AttachType(C.bpf_program__expected_attach_type(p))
}

func progFD(p *cProgram) int {
	fd := C.bpf_program__fd(p)
	if fd < 0 {
		return -1
	}
	return int(fd)
}

func progSetType(p *cProgram, t ProgType) error {
	return errnoOf(C.bpf_program__set_type(p, C.enum_bpf_prog_type(t)))
}

func progSetExpectedAttachType(p *cProgram, t AttachType) error {
	return errnoOf(C.bpf_program__set_expected_attach_type(p, C.enum_bpf_attach_type(t)))
}

func progSetAutoload(p *cProgram, on bool) error {
	return errnoOf(C.bpf_program__set_autoload(p, C.bool(on)))
}

func progSetFlags(p *cProgram, flags uint32) error {
	return errnoOf(C.bpf_program__set_flags(p, C.__u32(flags)))
}

func progSetLogLevel(p *cProgram, level uint32) error {
	return errnoOf(C.bpf_program__set_log_level(p, C.__u32(level)))
}

func progSetAttachTarget(p *cProgram, attachProgFD int, funcName string) error {
	cname := cString(funcName)
	defer free(unsafe.Pointer(cname))
	return errnoOf(C.bpf_program__set_attach_target(p, C.int(attachProgFD), cname))
}

func progAttach(p *cProgram, op uintptr) (*cLink, error) {
	link, err := C.golibbpf_attach(p, C.uintptr_t(op))
	if link == nil {
		return nil, errnoOrEINVAL(err)
	}
	return link, nil
}

// linkOrErrno converts the result of a bpf_program__attach_* call.
func linkOrErrno(link *cLink, err error) (*cLink, error) {
	if link == nil {
		return nil, errnoOrEINVAL(err)
	}
	return link, nil
}

func progAttachXDP(p *cProgram, ifindex int) (*cLink, error) {
	link, err := C.bpf_program__attach_xdp(p, C.int(ifindex))
	return linkOrErrno(link, err)
}

func progAttachUprobe(p *cProgram, pid int, o *UprobeOptions) (*cLink, error) {
	path := C.CString(o.Path)
	defer free(unsafe.Pointer(path))
	// The plain form takes what the retprobe flag and an offset in the
	// binary say (PID was turned into pid by the caller).
	if *o == (UprobeOptions{Path: o.Path, Offset: o.Offset, PID: o.PID, Retprobe: o.Retprobe}) {
		link, err := C.bpf_program__attach_uprobe(p, C.bool(o.Retprobe), C.pid_t(pid), path, C.size_t(o.Offset))
		return linkOrErrno(link, err)
	}
	copts := C.struct_bpf_uprobe_opts{sz: C.sizeof_struct_bpf_uprobe_opts}
	copts.ref_ctr_offset = C.size_t(o.RefCtrOffset)
	copts.bpf_cookie = C.__u64(o.Cookie)
	copts.retprobe = C.bool(o.Retprobe)
	copts.attach_mode = C.enum_probe_attach_mode(o.AttachMode)
	copts.func_name = cString(o.Symbol)
	defer free(unsafe.Pointer(copts.func_name))
	link, err := C.bpf_program__attach_uprobe_opts(p, C.pid_t(pid), path, C.size_t(o.Offset), &copts)
	return linkOrErrno(link, err)
}

func cAlloc(size uintptr) unsafe.Pointer { return C.malloc(C.size_t(size)) }

// cArray copies values into C memory converted by conv; the caller frees it.
func cArray[T, E any](values []T, conv func(T) E) *E {
	if len(values) == 0 {
		return nil
	}
	var zero E
	arr := unsafe.Slice((*E)(cAlloc(uintptr(len(values))*unsafe.Sizeof(zero))), len(values))
	for i, v := range values {
		arr[i] = conv(v)
	}
	return &arr[0]
}

func progAttachUprobeMulti(p *cProgram, pid int, o *UprobeMultiOptions) (*cLink, error) {
	path := C.CString(o.Path)
	defer free(unsafe.Pointer(path))
	pattern := cString(o.Pattern)
	defer free(unsafe.Pointer(pattern))
	copts := C.struct_bpf_uprobe_multi_opts{sz: C.sizeof_struct_bpf_uprobe_multi_opts}
	syms, releaseSyms := cStrings(o.Symbols)
	defer releaseSyms()
	copts.syms = syms
	toULong := func(v uint64) C.ulong { return C.ulong(v) }
	copts.offsets = cArray(o.Offsets, toULong)
	defer free(unsafe.Pointer(copts.offsets))
	copts.ref_ctr_offsets = cArray(o.RefCtrOffsets, toULong)
	defer free(unsafe.Pointer(copts.ref_ctr_offsets))
	copts.cookies = cArray(o.Cookies, func(v uint64) C.__u64 { return C.__u64(v) })
	defer free(unsafe.Pointer(copts.cookies))
	copts.cnt = C.size_t(max(len(o.Symbols), len(o.Offsets)))
	copts.retprobe = C.bool(o.Retprobe)
	copts.session = C.bool(o.Session)
	link, err := C.bpf_program__attach_uprobe_multi(p, C.pid_t(pid), path, pattern, &copts)
	return linkOrErrno(link, err)
}

func progAttachUSDT(p *cProgram, pid int, o *USDTOptions) (*cLink, error) {
	path, provider, name := C.CString(o.Path), C.CString(o.Provider), C.CString(o.Name)
	defer free(unsafe.Pointer(path))
	defer free(unsafe.Pointer(provider))
	defer free(unsafe.Pointer(name))
	copts := C.struct_bpf_usdt_opts{sz: C.sizeof_struct_bpf_usdt_opts}
	copts.usdt_cookie = C.__u64(o.Cookie)
	link, err := C.bpf_program__attach_usdt(p, C.pid_t(pid), path, provider, name, &copts)
	return linkOrErrno(link, err)
}

// bytesPtr returns the address of b's first byte, or nil for an empty b.
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func progTestRun(fd int, o *RunOptions) (RunResult, error) {
	dataOutSize, ctxOutSize := C.uint32_t(len(o.DataOut)), C.uint32_t(len(o.ContextOut))
	var retval, duration C.uint32_t
	err := errnoOf(C.golibbpf_test_run(C.int(fd),
		bytesPtr(o.Data), C.uint32_t(len(o.Data)), bytesPtr(o.DataOut), &dataOutSize,
		bytesPtr(o.Context), C.uint32_t(len(o.Context)), bytesPtr(o.ContextOut), &ctxOutSize,
		C.int(o.Repeat), C.uint32_t(o.Flags), C.uint32_t(o.CPU), &retval, &duration))
	if err != nil {
		return RunResult{}, err
	}
	return RunResult{
		Return:     uint32(retval),
		DataOut:    o.DataOut[:min(int(dataOutSize), len(o.DataOut))],
		ContextOut: o.ContextOut[:min(int(ctxOutSize), len(o.ContextOut))],
		Duration:   time.Duration(duration),
	}, nil
}

// Links.

func linkFD(l *cLink) int        { return int(C.bpf_link__fd(l)) }
func linkDestroy(l *cLink) error { return errnoOf(C.bpf_link__destroy(l)) }
func linkDetach(l *cLink) error  { return errnoOf(C.bpf_link__detach(l)) }
func linkUnpin(l *cLink) error   { return errnoOf(C.bpf_link__unpin(l)) }

func linkPin(l *cLink, path string) error {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_link__pin(l, cpath))
}

// Maps.

func mapName(m *cMap) string       { return C.GoString(C.bpf_map__name(m)) }
func mapType(m *cMap) MapType      { return MapType(C.bpf_map__type(m)) }
func mapKeySize(m *cMap) int       { return int(C.bpf_map__key_size(m)) }
func mapValueSize(m *cMap) int     { return int(C.bpf_map__value_size(m)) }
func mapMaxEntries(m *cMap) uint32 { return uint32(C.bpf_map__max_entries(m)) }

func mapFD(m *cMap) int {
	fd := C.bpf_map__fd(m)
	if fd < 0 {
		return -1
	}
	return int(fd)
}

func mapKeyTypeID(m *cMap) uint32   { return uint32(C.bpf_map__btf_key_type_id(m)) }
func mapValueTypeID(m *cMap) uint32 { return uint32(C.bpf_map__btf_value_type_id(m)) }
func mapInternal(m *cMap) bool      { return bool(C.bpf_map__is_internal(m)) }

func mapInitialValue(m *cMap) []byte {
	var size C.size_t
	p := C.bpf_map__initial_value(m, &size)
	if p == nil {
		return nil
	}
	return C.GoBytes(p, C.int(size))
}

func mapSetInitialValue(m *cMap, data []byte) error {
	return errnoOf(C.bpf_map__set_initial_value(m, bytesPtr(data), C.size_t(len(data))))
}

func sectionDefinition(sec string) (ProgType, AttachType, error) {
	csec := C.CString(sec)
	defer free(unsafe.Pointer(csec))
	var pt C.enum_bpf_prog_type
	var at C.enum_bpf_attach_type
	if err := errnoOf(C.libbpf_prog_type_by_name(csec, &pt, &at)); err != nil {
		return 0, 0, err
	}
	return ProgType(pt), AttachType(at), nil
}

func attachTypeByName(sec string) (AttachType, error) {
	csec := C.CString(sec)
	defer free(unsafe.Pointer(csec))
	var at C.enum_bpf_attach_type
	if err := errnoOf(C.libbpf_attach_type_by_name(csec, &at)); err != nil {
		return 0, err
	}
	return AttachType(at), nil
}

func setMemlockRlim(bytes uint64) error {
	return errnoOf(C.libbpf_set_memlock_rlim(C.size_t(bytes)))
}

func progStats(fd int) (ProgramStats, error) {
	var info C.struct_bpf_prog_info
	size := C.__u32(C.sizeof_struct_bpf_prog_info)
	if err := errnoOf(C.bpf_prog_get_info_by_fd(C.int(fd), &info, &size)); err != nil {
		return ProgramStats{}, err
	}
	return ProgramStats{
		ID:            uint32(info.id),
		RunCount:      uint64(info.run_cnt),
		RunTime:       time.Duration(info.run_time_ns),
		VerifiedInsns: uint32(info.verified_insns),
	}, nil
}

func enableStats() (int, error) {
	fd := C.bpf_enable_stats(C.BPF_STATS_RUN_TIME)
	if fd < 0 {
		return -1, errnoOf(fd)
	}
	return int(fd), nil
}
