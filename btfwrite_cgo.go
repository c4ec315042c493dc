package libbpf

// Thin wrappers over btf.h's writer: btf__add_*, dedup, relocation,
// distillation and permutation of BTF.

/*
#include "libbpf_pin.h"
#cgo CFLAGS: -O2 -Wall
#include <errno.h>
#include <stdlib.h>
#include <bpf/btf.h>
*/
import "C"

import "unsafe"

// btfAdd runs a btf__add_* call that takes a name (nil for "") and returns
// the new type's id, or a string offset.
func btfAdd(name string, fn func(cname *C.char) C.int) (uint32, error) {
	cname := cString(name)
	defer free(unsafe.Pointer(cname))
	return btfIDOrErrno(fn(cname))
}

func btfAddStr(b *cBTF, s string) (uint32, error) {
	cs := C.CString(s) // "" is a valid string to add
	defer free(unsafe.Pointer(cs))
	return btfIDOrErrno(C.btf__add_str(b, cs))
}

func btfAddType(b, src *cBTF, srcID uint32) (uint32, error) {
	t, err := C.btf__type_by_id(src, C.__u32(srcID))
	if t == nil {
		return 0, errnoOrEINVAL(err)
	}
	return btfIDOrErrno(C.btf__add_type(b, src, t))
}

func btfAddBTF(b, src *cBTF) (uint32, error) { return btfIDOrErrno(C.btf__add_btf(b, src)) }

func btfAddInt(b *cBTF, name string, size int, encoding uint8) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_int(b, n, C.size_t(size), C.int(encoding)) })
}

func btfAddFloat(b *cBTF, name string, size int) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_float(b, n, C.size_t(size)) })
}

func btfAddPtr(b *cBTF, ref uint32) (uint32, error) {
	return btfIDOrErrno(C.btf__add_ptr(b, C.int(ref)))
}

func btfAddArray(b *cBTF, indexType, elemType, nelems uint32) (uint32, error) {
	return btfIDOrErrno(C.btf__add_array(b, C.int(indexType), C.int(elemType), C.__u32(nelems)))
}

func btfAddStruct(b *cBTF, name string, size uint32, union bool) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int {
		if union {
			return C.btf__add_union(b, n, C.__u32(size))
		}
		return C.btf__add_struct(b, n, C.__u32(size))
	})
}

func btfAddField(b *cBTF, name string, typ, bitOffset, bitSize uint32) error {
	_, err := btfAdd(name, func(n *C.char) C.int {
		return C.btf__add_field(b, n, C.int(typ), C.__u32(bitOffset), C.__u32(bitSize))
	})
	return err
}

func btfAddEnum(b *cBTF, name string, size uint32) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_enum(b, n, C.__u32(size)) })
}

func btfAddEnumValue(b *cBTF, name string, v int64) error {
	_, err := btfAdd(name, func(n *C.char) C.int { return C.btf__add_enum_value(b, n, C.__s64(v)) })
	return err
}

func btfAddEnum64(b *cBTF, name string, size uint32, signed bool) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_enum64(b, n, C.__u32(size), C.bool(signed)) })
}

func btfAddEnum64Value(b *cBTF, name string, v uint64) error {
	_, err := btfAdd(name, func(n *C.char) C.int { return C.btf__add_enum64_value(b, n, C.__u64(v)) })
	return err
}

func btfAddFwd(b *cBTF, name string, kind BTFFwdKind) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_fwd(b, n, C.enum_btf_fwd_kind(kind)) })
}

// btfAddRef adds a type that refers to ref: a typedef (named), a modifier
// or a type tag or attribute (value in name).
func btfAddRef(b *cBTF, kind BTFKind, name string, ref uint32, attr bool) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int {
		r := C.int(ref)
		switch {
		case kind == BTFKindTypedef:
			return C.btf__add_typedef(b, n, r)
		case kind == BTFKindVolatile:
			return C.btf__add_volatile(b, r)
		case kind == BTFKindConst:
			return C.btf__add_const(b, r)
		case kind == BTFKindRestrict:
			return C.btf__add_restrict(b, r)
		case kind == BTFKindTypeTag && attr:
			return C.btf__add_type_attr(b, n, r)
		case kind == BTFKindTypeTag:
			return C.btf__add_type_tag(b, n, r)
		}
		return -C.EINVAL
	})
}

func btfAddFunc(b *cBTF, name string, linkage uint32, proto uint32) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int {
		return C.btf__add_func(b, n, C.enum_btf_func_linkage(linkage), C.int(proto))
	})
}

func btfAddFuncProto(b *cBTF, ret uint32) (uint32, error) {
	return btfIDOrErrno(C.btf__add_func_proto(b, C.int(ret)))
}

func btfAddFuncParam(b *cBTF, name string, typ uint32) error {
	_, err := btfAdd(name, func(n *C.char) C.int { return C.btf__add_func_param(b, n, C.int(typ)) })
	return err
}

func btfAddVar(b *cBTF, name string, linkage uint32, typ uint32) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_var(b, n, C.int(linkage), C.int(typ)) })
}

func btfAddDatasec(b *cBTF, name string, size uint32) (uint32, error) {
	return btfAdd(name, func(n *C.char) C.int { return C.btf__add_datasec(b, n, C.__u32(size)) })
}

func btfAddDatasecVarInfo(b *cBTF, varType, offset, size uint32) error {
	return errnoOf(C.btf__add_datasec_var_info(b, C.int(varType), C.__u32(offset), C.__u32(size)))
}

func btfAddDeclTag(b *cBTF, value string, ref uint32, component int, attr bool) (uint32, error) {
	return btfAdd(value, func(n *C.char) C.int {
		if attr {
			return C.btf__add_decl_attr(b, n, C.int(ref), C.int(component))
		}
		return C.btf__add_decl_tag(b, n, C.int(ref), C.int(component))
	})
}

func btfDedup(b *cBTF) error {
	opts := C.struct_btf_dedup_opts{sz: C.sizeof_struct_btf_dedup_opts}
	return errnoOf(C.btf__dedup(b, &opts))
}

func btfRelocate(b, base *cBTF) error { return errnoOf(C.btf__relocate(b, base)) }

func btfDistillBase(src *cBTF) (base, split *cBTF, err error) {
	if err := errnoOf(C.btf__distill_base(src, &base, &split)); err != nil {
		return nil, nil, err
	}
	return base, split, nil
}

func btfPermute(b *cBTF, idMap []uint32) error {
	opts := C.struct_btf_permute_opts{sz: C.sizeof_struct_btf_permute_opts}
	ids := cArray(idMap, func(v uint32) C.__u32 { return C.__u32(v) })
	defer free(unsafe.Pointer(ids))
	return errnoOf(C.btf__permute(b, ids, C.__u32(len(idMap)), &opts))
}
