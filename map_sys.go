package libbpf

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Single-element access issues bpf(2) from Go. libbpf's
// bpf_map_lookup_elem_flags, bpf_map_update_elem and friends are this very
// system call with the same attribute layout; making it directly spares a
// cgo crossing on the hottest path of map access, which measured about a
// third of the time of an array lookup besides the system call
// (bench: BenchmarkMaps).

// elemAttr is the BPF_MAP_*_ELEM and BPF_MAP_GET_NEXT_KEY part of union
// bpf_attr.
type elemAttr struct {
	mapFD uint32
	_     uint32
	key   uint64
	value uint64 // or next_key
	flags uint64
}

// sysElem runs one element command; a nil key or value is passed as NULL.
func sysElem(cmd uintptr, fd int, key, value []byte, flags uint64) error {
	attr := elemAttr{mapFD: uint32(fd), key: uint64(uintptr(bytesPtr(key))), value: uint64(uintptr(bytesPtr(value))), flags: flags}
	_, _, errno := unix.Syscall(unix.SYS_BPF, cmd, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(key)
	runtime.KeepAlive(value)
	if errno != 0 {
		return errno
	}
	return nil
}

func mapLookupElem(fd int, key, value []byte, flags uint64) error {
	return sysElem(unix.BPF_MAP_LOOKUP_ELEM, fd, key, value, flags)
}

func mapUpdateElem(fd int, key, value []byte, flags uint64) error {
	return sysElem(unix.BPF_MAP_UPDATE_ELEM, fd, key, value, flags)
}

func mapDeleteElem(fd int, key []byte, flags uint64) error {
	return sysElem(unix.BPF_MAP_DELETE_ELEM, fd, key, nil, flags)
}

func mapLookupAndDeleteElem(fd int, key, value []byte, flags uint64) error {
	return sysElem(unix.BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags)
}

func mapGetNextKey(fd int, key, next []byte) error {
	return sysElem(unix.BPF_MAP_GET_NEXT_KEY, fd, key, next, 0)
}
