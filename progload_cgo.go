package libbpf

// Thin wrappers over the program calls around a load: instructions, the
// per-program verifier log buffer, func and line info, pinning, and
// binding a map.

/*
#include "libbpf_pin.h"
#cgo CFLAGS: -O2 -Wall
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
*/
import "C"

import "unsafe"

func progStreamRead(progFD int, streamID uint32, buf []byte) (int, error) {
	n := C.bpf_prog_stream_read(C.int(progFD), C.__u32(streamID), bytesPtr(buf), C.__u32(len(buf)), nil)
	if n < 0 {
		return 0, errnoOf(n)
	}
	return int(n), nil
}

// insnSize is the size of struct bpf_insn.
const insnSize = C.sizeof_struct_bpf_insn

// progInsnsRaw returns a copy of the program's instructions as libbpf holds
// them, insnSize bytes each.
func progInsnsRaw(p *cProgram) []byte {
	insns, n := C.bpf_program__insns(p), C.bpf_program__insn_cnt(p)
	if insns == nil || n == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(insns), C.int(n*insnSize))
}

func progSetInsnsRaw(p *cProgram, raw []byte) error {
	return errnoOf(C.bpf_program__set_insns(p, (*C.struct_bpf_insn)(bytesPtr(raw)), C.size_t(len(raw)/insnSize)))
}

// progSetLogBuf hands libbpf a C buffer of size bytes for the program's
// verifier log (nil, 0 removes it); the caller frees it after libbpf is done.
func progSetLogBuf(p *cProgram, buf unsafe.Pointer, size int) error {
	return errnoOf(C.bpf_program__set_log_buf(p, (*C.char)(buf), C.size_t(size)))
}

func progLogBuf(p *cProgram) string {
	var size C.size_t
	buf := C.bpf_program__log_buf(p, &size)
	if buf == nil || size == 0 {
		return ""
	}
	return C.GoStringN(buf, C.int(C.strnlen(buf, size)))
}

func cCalloc(size int) unsafe.Pointer { return C.calloc(1, C.size_t(size)) }

func progFuncInfo(p *cProgram) ([]FuncInfo, error) {
	info, err := C.bpf_program__func_info(p)
	n := int(C.bpf_program__func_info_cnt(p))
	if info == nil {
		if n == 0 {
			return nil, nil
		}
		return nil, errnoOrEINVAL(err)
	}
	out := make([]FuncInfo, n)
	for i, r := range unsafe.Slice(info, n) {
		out[i] = FuncInfo{InsnOff: uint32(r.insn_off), TypeID: uint32(r.type_id)}
	}
	return out, nil
}

func progLineInfo(p *cProgram) ([]LineInfo, error) {
	info, err := C.bpf_program__line_info(p)
	n := int(C.bpf_program__line_info_cnt(p))
	if info == nil {
		if n == 0 {
			return nil, nil
		}
		return nil, errnoOrEINVAL(err)
	}
	recs, out := unsafe.Slice(info, n), make([]LineInfo, n)
	for i := range recs {
		out[i] = lineInfoOf(&recs[i])
	}
	return out, nil
}

func lineInfoOf(r *C.struct_bpf_line_info) LineInfo {
	return LineInfo{InsnOff: uint32(r.insn_off), FileNameOff: uint32(r.file_name_off),
		LineOff: uint32(r.line_off), LineCol: uint32(r.line_col)}
}

func progPin(p *cProgram, path string) error {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_program__pin(p, cpath))
}

func progUnpin(p *cProgram, path string) error {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_program__unpin(p, cpath))
}

func progBindMap(progFD, mapFD int) error {
	return errnoOf(C.bpf_prog_bind_map(C.int(progFD), C.int(mapFD), nil))
}
