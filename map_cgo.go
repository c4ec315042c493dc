package libbpf

// Thin wrappers over libbpf's map calls: bpf_map__* on an object's maps,
// and the fd-level bpf_map_* calls every Map uses for its elements.

/*
#include "handler_cgo.h"
*/
import "C"

import (
	"unsafe"
)

// Definition of an object's map, before Load.

func mapFlags(m *cMap) uint32    { return uint32(C.bpf_map__map_flags(m)) }
func mapNumaNode(m *cMap) uint32 { return uint32(C.bpf_map__numa_node(m)) }
func mapExtra(m *cMap) uint64    { return uint64(C.bpf_map__map_extra(m)) }
func mapIfIndex(m *cMap) uint32  { return uint32(C.bpf_map__ifindex(m)) }
func mapAutocreate(m *cMap) bool { return bool(C.bpf_map__autocreate(m)) }
func mapAutoattach(m *cMap) bool { return bool(C.bpf_map__autoattach(m)) }
func mapIsPinned(m *cMap) bool   { return bool(C.bpf_map__is_pinned(m)) }
func mapInnerMap(m *cMap) *cMap  { return C.bpf_map__inner_map(m) }

func mapPinPath(m *cMap) string {
	p := C.bpf_map__pin_path(m)
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

func mapSetType(m *cMap, t MapType) error {
	return errnoOf(C.bpf_map__set_type(m, C.enum_bpf_map_type(t)))
}
func mapSetKeySize(m *cMap, n uint32) error { return errnoOf(C.bpf_map__set_key_size(m, C.__u32(n))) }
func mapSetValueSize(m *cMap, n uint32) error {
	return errnoOf(C.bpf_map__set_value_size(m, C.__u32(n)))
}
func mapSetMaxEntries(m *cMap, n uint32) error {
	return errnoOf(C.bpf_map__set_max_entries(m, C.__u32(n)))
}
func mapSetFlags(m *cMap, f uint32) error    { return errnoOf(C.bpf_map__set_map_flags(m, C.__u32(f))) }
func mapSetNumaNode(m *cMap, n uint32) error { return errnoOf(C.bpf_map__set_numa_node(m, C.__u32(n))) }
func mapSetExtra(m *cMap, v uint64) error    { return errnoOf(C.bpf_map__set_map_extra(m, C.__u64(v))) }
func mapSetIfIndex(m *cMap, i uint32) error  { return errnoOf(C.bpf_map__set_ifindex(m, C.__u32(i))) }
func mapSetAutocreate(m *cMap, on bool) error {
	return errnoOf(C.bpf_map__set_autocreate(m, C.bool(on)))
}
func mapSetAutoattach(m *cMap, on bool) error {
	return errnoOf(C.bpf_map__set_autoattach(m, C.bool(on)))
}
func mapSetInnerMapFD(m *cMap, fd int) error {
	return errnoOf(C.bpf_map__set_inner_map_fd(m, C.int(fd)))
}
func mapReuseFD(m *cMap, fd int) error { return errnoOf(C.bpf_map__reuse_fd(m, C.int(fd))) }

func mapSetPinPath(m *cMap, path string) error {
	cpath := cString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_map__set_pin_path(m, cpath))
}

func mapPin(m *cMap, path string) error {
	cpath := cString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_map__pin(m, cpath))
}

func mapUnpin(m *cMap, path string) error {
	cpath := cString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(C.bpf_map__unpin(m, cpath))
}

// mapMemory returns the memory bpf_map__initial_value points at: the
// global-data map's anonymous mapping before Load, its mmap'd contents
// after; nil when it has none.
func mapMemory(m *cMap) []byte {
	var size C.size_t
	p := C.bpf_map__initial_value(m, &size)
	if p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(p), int(size))
}

// Object-wide pinning.

func objectPath(obj *cObject, path string, fn func(*cObject, *C.char) C.int) error {
	cpath := cString(path)
	defer free(unsafe.Pointer(cpath))
	return errnoOf(fn(obj, cpath))
}

func objectPinMaps(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__pin_maps(o, p) })
}
func objectUnpinMaps(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__unpin_maps(o, p) })
}
func objectPinPrograms(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__pin_programs(o, p) })
}
func objectUnpinPrograms(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__unpin_programs(o, p) })
}
func objectPin(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__pin(o, p) })
}
func objectUnpin(obj *cObject, path string) error {
	return objectPath(obj, path, func(o *cObject, p *C.char) C.int { return C.bpf_object__unpin(o, p) })
}

// fd-level calls.

// fdOrErrno converts the result of a call that returns an fd.
func fdOrErrno(fd C.int) (int, error) {
	if fd < 0 {
		return -1, errnoOf(fd)
	}
	return int(fd), nil
}

func mapCreate(t MapType, name string, keySize, valueSize, maxEntries uint32, o *MapCreateOptions) (int, error) {
	cname := cString(name)
	defer free(unsafe.Pointer(cname))
	copts := C.struct_bpf_map_create_opts{sz: C.sizeof_struct_bpf_map_create_opts}
	copts.btf_fd = C.__u32(o.BTFFD)
	copts.btf_key_type_id = C.__u32(o.BTFKeyTypeID)
	copts.btf_value_type_id = C.__u32(o.BTFValueTypeID)
	copts.btf_vmlinux_value_type_id = C.__u32(o.BTFVmlinuxValueTypeID)
	copts.inner_map_fd = C.__u32(o.InnerMapFD)
	copts.map_flags = C.__u32(o.MapFlags)
	copts.map_extra = C.__u64(o.MapExtra)
	copts.numa_node = C.__u32(o.NumaNode)
	copts.map_ifindex = C.__u32(o.MapIfIndex)
	copts.value_type_btf_obj_fd = C.__s32(o.ValueTypeBTFObjFD)
	copts.token_fd = C.__u32(o.TokenFD)
	return fdOrErrno(C.bpf_map_create(C.enum_bpf_map_type(t), cname, C.__u32(keySize), C.__u32(valueSize), C.__u32(maxEntries), &copts))
}

// objGet opens a pinned object: bpf_obj_get, or bpf_obj_get_opts with
// options.
func objGet(path string, o ObjGetOptions) (int, error) {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	if o == (ObjGetOptions{}) {
		return fdOrErrno(C.bpf_obj_get(cpath))
	}
	copts := C.struct_bpf_obj_get_opts{sz: C.sizeof_struct_bpf_obj_get_opts}
	copts.file_flags = C.__u32(o.FileFlags)
	copts.path_fd = C.int(o.PathFD)
	return fdOrErrno(C.bpf_obj_get_opts(cpath, &copts))
}

// objPin pins fd: bpf_obj_pin, or bpf_obj_pin_opts with options.
func objPin(fd int, path string, o ObjPinOptions) error {
	cpath := C.CString(path)
	defer free(unsafe.Pointer(cpath))
	if o == (ObjPinOptions{}) {
		return errnoOf(C.bpf_obj_pin(C.int(fd), cpath))
	}
	copts := C.struct_bpf_obj_pin_opts{sz: C.sizeof_struct_bpf_obj_pin_opts}
	copts.file_flags = C.__u32(o.FileFlags)
	copts.path_fd = C.int(o.PathFD)
	return errnoOf(C.bpf_obj_pin_opts(C.int(fd), cpath, &copts))
}

func mapSetExclusiveProgram(m *cMap, p *cProgram) error {
	return errnoOf(C.bpf_map__set_exclusive_program(m, p))
}

func mapExclusiveProgram(m *cMap) *cProgram { return C.bpf_map__exclusive_program(m) }

func mapFreeze(fd int) error { return errnoOf(C.bpf_map_freeze(C.int(fd))) }

// batchOp selects one of the batch calls.
type batchOp int

const (
	batchLookup batchOp = iota
	batchLookupAndDelete
	batchUpdate
	batchDelete
)

// mapBatch runs one batch call; count is the number of elements in, and
// comes back as the number done (also on error, as libbpf sets it).
func mapBatch(op batchOp, fd int, inBatch, outBatch, keys, values []byte, count *uint32, elemFlags, flags uint64) error {
	copts := C.struct_bpf_map_batch_opts{sz: C.sizeof_struct_bpf_map_batch_opts, elem_flags: C.__u64(elemFlags), flags: C.__u64(flags)}
	n := C.__u32(*count)
	var ret C.int
	switch op {
	case batchLookup:
		ret = C.bpf_map_lookup_batch(C.int(fd), bytesPtr(inBatch), bytesPtr(outBatch), bytesPtr(keys), bytesPtr(values), &n, &copts)
	case batchLookupAndDelete:
		ret = C.bpf_map_lookup_and_delete_batch(C.int(fd), bytesPtr(inBatch), bytesPtr(outBatch), bytesPtr(keys), bytesPtr(values), &n, &copts)
	case batchUpdate:
		ret = C.bpf_map_update_batch(C.int(fd), bytesPtr(keys), bytesPtr(values), &n, &copts)
	case batchDelete:
		ret = C.bpf_map_delete_batch(C.int(fd), bytesPtr(keys), &n, &copts)
	}
	*count = uint32(n)
	return errnoOf(ret)
}

func mapGetInfo(fd int) (MapInfo, error) {
	var info C.struct_bpf_map_info
	size := C.__u32(C.sizeof_struct_bpf_map_info)
	if err := errnoOf(C.bpf_map_get_info_by_fd(C.int(fd), &info, &size)); err != nil {
		return MapInfo{}, err
	}
	return MapInfo{
		Type:                  MapType(info._type),
		ID:                    uint32(info.id),
		KeySize:               uint32(info.key_size),
		ValueSize:             uint32(info.value_size),
		MaxEntries:            uint32(info.max_entries),
		MapFlags:              uint32(info.map_flags),
		Name:                  C.GoString(&info.name[0]),
		IfIndex:               uint32(info.ifindex),
		BTFVmlinuxValueTypeID: uint32(info.btf_vmlinux_value_type_id),
		BTFID:                 uint32(info.btf_id),
		BTFKeyTypeID:          uint32(info.btf_key_type_id),
		BTFValueTypeID:        uint32(info.btf_value_type_id),
		MapExtra:              uint64(info.map_extra),
	}, nil
}
