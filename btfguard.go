package libbpf

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// libbpf 1.7.0 follows chains of const, volatile, restrict, typedef and
// type_tag BTF types without a bound (skip_mods_and_typedefs), so an object
// whose BTF links such types into a cycle makes Open spin forever (found by
// FuzzOpenObjectBytes). The kernel would reject such BTF, but libbpf walks
// it first. checkBTFLoops finds such a cycle before libbpf sees the object.
// It reads only the ELF section headers and the .BTF section and reports
// nothing for what it cannot parse: libbpf's own checks judge that.

// readAt returns n bytes of an object at off, or nil when they are not all
// there.
type readAt func(off, n uint64) []byte

func bytesReader(data []byte) readAt {
	return func(off, n uint64) []byte {
		if off > uint64(len(data)) || n > uint64(len(data))-off {
			return nil
		}
		return data[off : off+n]
	}
}

func fileReader(f *os.File, size uint64) readAt {
	return func(off, n uint64) []byte {
		if off > size || n > size-off {
			return nil
		}
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, int64(off)); err != nil && err != io.EOF {
			return nil
		}
		return buf
	}
}

// checkBTFLoopsFile runs checkBTFLoops on the file at path; a file it cannot
// read is left to libbpf.
func checkBTFLoopsFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return checkBTFLoops(fileReader(f, uint64(st.Size())))
}

// checkBTFLoops fails with EINVAL when the object's BTF has a modifier or
// typedef cycle.
func checkBTFLoops(read readAt) error {
	btf := elfSection(read, ".BTF")
	if btf == nil {
		return nil
	}
	if id, ok := btfModifierLoop(btf); ok {
		return fmt.Errorf("BTF type %d: its const/volatile/restrict/typedef/type_tag chain loops back on itself: %w", id, unix.EINVAL)
	}
	return nil
}

// elfSection returns the contents of the 64-bit ELF object's section name,
// or nil.
func elfSection(read readAt, name string) []byte {
	ehdr := read(0, 64)
	if ehdr == nil || string(ehdr[:4]) != "\x7fELF" || ehdr[4] != 2 { // ELFCLASS64
		return nil
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if ehdr[5] == 2 { // ELFDATA2MSB
		bo = binary.BigEndian
	}
	shoff := bo.Uint64(ehdr[0x28:])
	shentsize := uint64(bo.Uint16(ehdr[0x3a:]))
	shnum := uint64(bo.Uint16(ehdr[0x3c:]))
	shstrndx := uint64(bo.Uint16(ehdr[0x3e:]))
	if shentsize < 64 || shstrndx >= shnum {
		return nil
	}
	shdrs := read(shoff, shnum*shentsize)
	if shdrs == nil {
		return nil
	}
	section := func(i uint64) (nameOff uint32, off, size uint64) {
		sh := shdrs[i*shentsize:]
		return bo.Uint32(sh), bo.Uint64(sh[0x18:]), bo.Uint64(sh[0x20:])
	}
	_, strOff, strSize := section(shstrndx)
	names := read(strOff, strSize)
	if names == nil {
		return nil
	}
	for i := range shnum {
		nameOff, off, size := section(i)
		if uint64(nameOff)+uint64(len(name)) < uint64(len(names)) &&
			string(names[nameOff:nameOff+uint32(len(name))]) == name && names[nameOff+uint32(len(name))] == 0 {
			return read(off, size)
		}
	}
	return nil
}

// BTF kinds whose type field libbpf follows without a bound.
const (
	btfKindTypedef  = 8
	btfKindVolatile = 9
	btfKindConst    = 10
	btfKindRestrict = 11
	btfKindTypeTag  = 18
)

// btfTrailer returns the size of the data that follows a BTF type of kind
// with vlen members, or false for a kind this code does not know.
func btfTrailer(kind, vlen uint32) (uint64, bool) {
	switch kind {
	case 2, 7, 8, 9, 10, 11, 12, 16, 18: // ptr, fwd, typedef, volatile, const, restrict, func, float, type_tag
		return 0, true
	case 1, 14, 17: // int, var, decl_tag
		return 4, true
	case 3: // array
		return 12, true
	case 4, 5, 15, 19: // struct, union, datasec, enum64
		return 12 * uint64(vlen), true
	case 6, 13: // enum, func_proto
		return 8 * uint64(vlen), true
	}
	return 0, false
}

// btfModifierLoop reports a type id on a cycle of modifier and typedef
// types in raw BTF, if there is one.
func btfModifierLoop(btf []byte) (uint32, bool) {
	if len(btf) < 24 {
		return 0, false
	}
	var bo binary.ByteOrder
	switch {
	case btf[0] == 0x9f && btf[1] == 0xeb:
		bo = binary.LittleEndian
	case btf[0] == 0xeb && btf[1] == 0x9f:
		bo = binary.BigEndian
	default:
		return 0, false
	}
	hdrLen, typeOff, typeLen := uint64(bo.Uint32(btf[4:])), uint64(bo.Uint32(btf[8:])), uint64(bo.Uint32(btf[12:]))
	start := hdrLen + typeOff
	if start > uint64(len(btf)) || typeLen > uint64(len(btf))-start {
		return 0, false
	}
	types := btf[start : start+typeLen]

	// next[id] is the type a modifier or typedef refers to; 0 ends a chain
	// (type 0 is void, and other kinds are not followed).
	next := make([]uint32, 1, len(types)/12+1)
	for off := uint64(0); off+12 <= uint64(len(types)); {
		info := bo.Uint32(types[off+4:])
		kind, vlen := (info>>24)&0x1f, info&0xffff
		trailer, ok := btfTrailer(kind, vlen)
		if !ok {
			return 0, false
		}
		var target uint32
		switch kind {
		case btfKindTypedef, btfKindVolatile, btfKindConst, btfKindRestrict, btfKindTypeTag:
			target = bo.Uint32(types[off+8:])
		}
		next = append(next, target)
		off += 12 + trailer
	}

	// Walk every chain once: 1 marks the chain being walked, 2 a type known
	// to end.
	state := make([]uint8, len(next))
	for id := range next {
		t := uint32(id)
		for t != 0 && int(t) < len(next) && state[t] == 0 {
			state[t] = 1
			t = next[t]
		}
		if t != 0 && int(t) < len(next) && state[t] == 1 {
			return t, true
		}
		for t := uint32(id); t != 0 && int(t) < len(next) && state[t] == 1; t = next[t] {
			state[t] = 2
		}
	}
	return 0, false
}
