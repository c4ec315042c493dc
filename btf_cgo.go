package libbpf

// Thin wrappers over libbpf's btf.h: struct btf and struct btf_dump.

/*
#include "libbpf_pin.h"
#cgo CFLAGS: -O2 -Wall
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

// golibbpf_dump_buf collects btf_dump's output in C memory, so that dumping
// a hundred thousand types crosses into Go once per call, not once per line.
struct golibbpf_dump_buf {
	char *data;
	size_t len, cap;
	int err;
};

static void golibbpf_dump_printf(void *ctx, const char *fmt, va_list args)
{
	struct golibbpf_dump_buf *b = ctx;
	va_list again;
	int n;

	if (b->err)
		return;
	va_copy(again, args);
	n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, args);
	if (n < 0) {
		b->err = EINVAL;
		va_end(again);
		return;
	}
	if (!b->data || b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->err = ENOMEM;
			va_end(again);
			return;
		}
		b->data = p;
		b->cap = cap;
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
	}
	va_end(again);
	b->len += n;
}

static struct btf_dump *golibbpf_btf_dump_new(const struct btf *btf, struct golibbpf_dump_buf *buf)
{
	return btf_dump__new(btf, golibbpf_dump_printf, buf, NULL);
}

static __u32 golibbpf_btf_info(const struct btf_type *t) { return t->info; }
static __u32 golibbpf_btf_size(const struct btf_type *t) { return t->size; }
*/
import "C"

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

type (
	cBTF     = C.struct_btf
	cBTFDump = C.struct_btf_dump
)

// btfOrErrno converts the result of a libbpf call returning a struct btf.
func btfOrErrno(b *cBTF, err error) (*cBTF, error) {
	if b == nil {
		return nil, errnoOrEINVAL(err)
	}
	return b, nil
}

func btfFree(b *cBTF) { C.btf__free(b) }

func btfLoadVmlinux() (*cBTF, error) {
	r, err := C.btf__load_vmlinux_btf()
	return btfOrErrno(r, err)
}

func btfLoadModule(name string, vmlinux *cBTF) (*cBTF, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	r, err := C.btf__load_module_btf(cname, vmlinux)
	return btfOrErrno(r, err)
}

func btfLoadFromKernelByID(id uint32, base *cBTF) (*cBTF, error) {
	if base != nil {
		r, err := C.btf__load_from_kernel_by_id_split(C.__u32(id), base)
		return btfOrErrno(r, err)
	}
	r, err := C.btf__load_from_kernel_by_id(C.__u32(id))
	return btfOrErrno(r, err)
}

// btfParse reads BTF from an ELF file or a raw BTF file (btf__parse and
// btf__parse_split); elfOnly and rawOnly pick btf__parse_elf* or
// btf__parse_raw* instead.
func btfParse(path string, base *cBTF, format btfFormat) (*cBTF, error) {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	switch {
	case format == btfFormatELF && base != nil:
		r, err := C.btf__parse_elf_split(cpath, base)
		return btfOrErrno(r, err)
	case format == btfFormatELF:
		r, err := C.btf__parse_elf(cpath, nil)
		return btfOrErrno(r, err)
	case format == btfFormatRaw && base != nil:
		r, err := C.btf__parse_raw_split(cpath, base)
		return btfOrErrno(r, err)
	case format == btfFormatRaw:
		r, err := C.btf__parse_raw(cpath)
		return btfOrErrno(r, err)
	case base != nil:
		r, err := C.btf__parse_split(cpath, base)
		return btfOrErrno(r, err)
	}
	r, err := C.btf__parse(cpath, nil)
	return btfOrErrno(r, err)
}

func btfNew(data []byte, base *cBTF) (*cBTF, error) {
	if base != nil {
		r, err := C.btf__new_split(bytesPtr(data), C.__u32(len(data)), base)
		return btfOrErrno(r, err)
	}
	r, err := C.btf__new(bytesPtr(data), C.__u32(len(data)))
	return btfOrErrno(r, err)
}

func btfNewEmpty(base *cBTF) (*cBTF, error) {
	if base != nil {
		r, err := C.btf__new_empty_split(base)
		return btfOrErrno(r, err)
	}
	r, err := C.btf__new_empty()
	return btfOrErrno(r, err)
}

func btfRawData(b *cBTF) []byte {
	var size C.__u32
	p := C.btf__raw_data(b, &size)
	if p == nil {
		return nil
	}
	return C.GoBytes(p, C.int(size))
}

func btfTypeCount(b *cBTF) uint32     { return uint32(C.btf__type_cnt(b)) }
func btfBase(b *cBTF) *cBTF           { return (*cBTF)(unsafe.Pointer(C.btf__base_btf(b))) }
func btfFD(b *cBTF) int               { return int(C.btf__fd(b)) }
func btfSetFD(b *cBTF, fd int)        { C.btf__set_fd(b, C.int(fd)) }
func btfPointerSize(b *cBTF) int      { return int(C.btf__pointer_size(b)) }
func btfBigEndian(b *cBTF) bool       { return C.btf__endianness(b) == C.BTF_BIG_ENDIAN }
func btfLoadIntoKernel(b *cBTF) error { return errnoOf(C.btf__load_into_kernel(b)) }

func btfSetPointerSize(b *cBTF, size int) error {
	return errnoOf(C.btf__set_pointer_size(b, C.size_t(size)))
}

func btfSetBigEndian(b *cBTF, big bool) error {
	order := C.enum_btf_endianness(C.BTF_LITTLE_ENDIAN)
	if big {
		order = C.BTF_BIG_ENDIAN
	}
	return errnoOf(C.btf__set_endianness(b, order))
}

// btfIDOrErrno converts a type id or a negative errno.
func btfIDOrErrno(ret C.int) (uint32, error) {
	if ret < 0 {
		return 0, errnoOf(ret)
	}
	return uint32(ret), nil
}

func btfFindByName(b *cBTF, name string) (uint32, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	return btfIDOrErrno(C.int(C.btf__find_by_name(b, cname)))
}

func btfFindByNameKind(b *cBTF, name string, kind BTFKind) (uint32, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	return btfIDOrErrno(C.int(C.btf__find_by_name_kind(b, cname, C.__u32(kind))))
}

func btfResolveSize(b *cBTF, id uint32) (int64, error) {
	n := C.btf__resolve_size(b, C.__u32(id))
	if n < 0 {
		return 0, errnoOf(C.int(n))
	}
	return int64(n), nil
}

func btfResolveType(b *cBTF, id uint32) (uint32, error) {
	return btfIDOrErrno(C.btf__resolve_type(b, C.__u32(id)))
}

func btfAlignOf(b *cBTF, id uint32) (int, error) {
	n, err := btfIDOrErrno(C.btf__align_of(b, C.__u32(id)))
	return int(n), err
}

func btfNameByOffset(b *cBTF, off uint32) string {
	return C.GoString(C.btf__name_by_offset(b, C.__u32(off)))
}

func btfStrByOffset(b *cBTF, off uint32) (string, bool) {
	p := C.btf__str_by_offset(b, C.__u32(off))
	return C.GoString(p), p != nil
}

// btfRawType returns the fixed part of type id (name offset, info, size or
// type) and the kind-specific words after it, which stay valid while the BTF
// lives and is not modified.
func btfRawType(b *cBTF, id uint32) (hdr [3]uint32, extra unsafe.Pointer, err error) {
	t, err := C.btf__type_by_id(b, C.__u32(id))
	if t == nil {
		return hdr, nil, errnoOrEINVAL(err)
	}
	hdr = [3]uint32{uint32(t.name_off), uint32(C.golibbpf_btf_info(t)), uint32(C.golibbpf_btf_size(t))}
	return hdr, unsafe.Add(unsafe.Pointer(t), C.sizeof_struct_btf_type), nil
}

func btfFindStr(b *cBTF, s string) (uint32, error) {
	cs := C.CString(s)
	defer free(unsafe.Pointer(cs))
	return btfIDOrErrno(C.btf__find_str(b, cs))
}

// btf_dump.

type cDumpBuf = C.struct_golibbpf_dump_buf

// newDumpBuf allocates the output buffer a btf_dump writes into; it must be
// in C memory because libbpf keeps the pointer.
func newDumpBuf() *cDumpBuf {
	return (*cDumpBuf)(C.calloc(1, C.sizeof_struct_golibbpf_dump_buf))
}

func freeDumpBuf(b *cDumpBuf) {
	free(unsafe.Pointer(b.data))
	free(unsafe.Pointer(b))
}

// takeDumpBuf returns what was printed since the last take, or the error
// the printer hit, and empties the buffer.
func takeDumpBuf(b *cDumpBuf) ([]byte, error) {
	if b.err != 0 {
		err := codeError(int(b.err))
		b.err, b.len = 0, 0
		return nil, err
	}
	if b.len == 0 {
		return nil, nil
	}
	out := C.GoBytes(unsafe.Pointer(b.data), C.int(b.len))
	b.len = 0
	return out, nil
}

func btfDumpNew(b *cBTF, buf *cDumpBuf) (*cBTFDump, error) {
	d, err := C.golibbpf_btf_dump_new(b, buf)
	if d == nil {
		return nil, errnoOrEINVAL(err)
	}
	return d, nil
}

func btfDumpFree(d *cBTFDump) { C.btf_dump__free(d) }

func btfDumpType(d *cBTFDump, id uint32) error {
	return errnoOf(C.btf_dump__dump_type(d, C.__u32(id)))
}

func btfDumpEmitTypeDecl(d *cBTFDump, id uint32, o *EmitTypeDeclOptions) error {
	copts := C.struct_btf_dump_emit_type_decl_opts{sz: C.sizeof_struct_btf_dump_emit_type_decl_opts}
	copts.field_name = cString(o.FieldName)
	defer free(unsafe.Pointer(copts.field_name))
	copts.indent_level = C.int(o.IndentLevel)
	copts.strip_mods = C.bool(o.StripMods)
	return errnoOf(C.btf_dump__emit_type_decl(d, C.__u32(id), &copts))
}

func btfDumpTypeData(d *cBTFDump, id uint32, data []byte, o *DumpTypeDataOptions) (int, error) {
	copts := C.struct_btf_dump_type_data_opts{sz: C.sizeof_struct_btf_dump_type_data_opts}
	copts.indent_str = cString(o.IndentString)
	defer free(unsafe.Pointer(copts.indent_str))
	copts.indent_level = C.int(o.IndentLevel)
	copts.compact = C.bool(o.Compact)
	copts.skip_names = C.bool(o.SkipNames)
	copts.emit_zeroes = C.bool(o.EmitZeroes)
	copts.emit_strings = C.bool(o.EmitStrings)
	n := C.btf_dump__dump_type_data(d, C.__u32(id), bytesPtr(data), C.size_t(len(data)), &copts)
	if n < 0 {
		return 0, errnoOf(n)
	}
	return int(n), nil
}

func objectBTF(obj *cObject) *cBTF { return C.bpf_object__btf(obj) }

func dumpBufLen(b *cDumpBuf) int { return int(b.len) }

// BTF objects in the kernel, by fd and id.

func btfLoadRaw(data []byte, flags uint32, tokenFD int) (int, error) {
	opts := C.struct_bpf_btf_load_opts{sz: C.sizeof_struct_bpf_btf_load_opts}
	opts.btf_flags = C.__u32(flags)
	opts.token_fd = C.__u32(tokenFD)
	return fdOrErrno(C.bpf_btf_load(bytesPtr(data), C.size_t(len(data)), &opts))
}

func findVmlinuxBTFID(name string, t AttachType) (uint32, error) {
	cname := C.CString(name)
	defer free(unsafe.Pointer(cname))
	id := C.libbpf_find_vmlinux_btf_id(cname, C.enum_bpf_attach_type(t))
	if id < 0 {
		return 0, errnoOf(id)
	}
	return uint32(id), nil
}

func btfGetNextID(start uint32) (uint32, error) {
	var next C.__u32
	if err := errnoOf(C.bpf_btf_get_next_id(C.__u32(start), &next)); err != nil {
		return 0, err
	}
	return uint32(next), nil
}

// btfNameMax bounds the name BTFGetInfoByFD reads (the kernel's
// BPF_OBJ_NAME_LEN is 16; module names are up to 56).
const btfNameMax = 64

func btfGetInfoByFD(fd int) (BTFInfo, error) {
	name := (*C.char)(cCalloc(btfNameMax))
	defer free(unsafe.Pointer(name))
	var info C.struct_bpf_btf_info
	info.name = C.__u64(uintptr(unsafe.Pointer(name)))
	info.name_len = btfNameMax
	size := C.__u32(C.sizeof_struct_bpf_btf_info)
	err := errnoOf(C.bpf_btf_get_info_by_fd(C.int(fd), &info, &size))
	if errors.Is(err, unix.E2BIG) {
		// Kernels before 5.11 know no name: they refuse a request for one
		// (E2BIG) and answer one for the fields they have, which leaves
		// the name empty, as it is for every BTF object they have.
		info = C.struct_bpf_btf_info{}
		size = C.__u32(unsafe.Offsetof(info.name))
		err = errnoOf(C.bpf_btf_get_info_by_fd(C.int(fd), &info, &size))
	}
	if err != nil {
		return BTFInfo{}, err
	}
	return BTFInfo{ID: uint32(info.id), Size: uint32(info.btf_size), Name: C.GoString(name), KernelBTF: info.kernel_btf != 0}, nil
}
