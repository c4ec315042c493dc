package libbpf

// Thin wrappers over libbpf's static linker (struct bpf_linker).

/*
#include "libbpf_pin.h"
#cgo CFLAGS: -O2 -Wall
#include <stdlib.h>
#include <bpf/libbpf.h>
*/
import "C"

import "unsafe"

type cLinker = C.struct_bpf_linker

func linkerOrErrno(l *cLinker, err error) (*cLinker, error) {
	if l == nil {
		return nil, errnoOrEINVAL(err)
	}
	return l, nil
}

func linkerNew(path string) (*cLinker, error) {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	opts := C.struct_bpf_linker_opts{sz: C.sizeof_struct_bpf_linker_opts}
	l, err := C.bpf_linker__new(cpath, &opts)
	return linkerOrErrno(l, err)
}

func linkerNewFD(fd int) (*cLinker, error) {
	opts := C.struct_bpf_linker_opts{sz: C.sizeof_struct_bpf_linker_opts}
	l, err := C.bpf_linker__new_fd(C.int(fd), &opts)
	return linkerOrErrno(l, err)
}

func linkerFileOpts() C.struct_bpf_linker_file_opts {
	return C.struct_bpf_linker_file_opts{sz: C.sizeof_struct_bpf_linker_file_opts}
}

func linkerAddFile(l *cLinker, path string) error {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	opts := linkerFileOpts()
	return errnoOf(C.bpf_linker__add_file(l, cpath, &opts))
}

func linkerAddFD(l *cLinker, fd int) error {
	opts := linkerFileOpts()
	return errnoOf(C.bpf_linker__add_fd(l, C.int(fd), &opts))
}

// linkerAddBuf passes data itself: libbpf copies it into a memfd before it
// returns.
func linkerAddBuf(l *cLinker, data []byte) error {
	opts := linkerFileOpts()
	return errnoOf(C.bpf_linker__add_buf(l, bytesPtr(data), C.size_t(len(data)), &opts))
}

func linkerFinalize(l *cLinker) error { return errnoOf(C.bpf_linker__finalize(l)) }
func linkerFree(l *cLinker)           { C.bpf_linker__free(l) }
