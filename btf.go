package libbpf

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BTF is BPF Type Format data held by libbpf (struct btf): the kernel's
// (LoadVmlinuxBTF, LoadModuleBTF), an object's (Object.BTF), or one read from
// a file or bytes. Its methods are the btf__* functions. A BTF is not safe
// for concurrent use while it is modified; reading it concurrently is fine.
//
// Split BTF (a module's, or any made with a base) refers to its base's types
// by id; the base must stay open as long as the split BTF is used.
type BTF struct {
	c        *cBTF
	name     string  // for errors: "vmlinux", a module's name, a path
	base     *BTF    // the base of split BTF
	ownsBase bool    // Close closes base too
	owner    *Object // non-nil for an object's BTF, which the object frees
	kfuncs   map[uint32]bool
}

// btfFormat chooses which of libbpf's parsers ParseBTF* uses.
type btfFormat int

const (
	btfFormatAny btfFormat = iota
	btfFormatELF
	btfFormatRaw
)

func newBTF(c *cBTF, name string, base *BTF) *BTF { return &BTF{c: c, name: name, base: base} }

// ptr returns the libbpf BTF, or ErrClosed once it (or its object) is closed.
func (b *BTF) ptr() (*cBTF, error) {
	if b == nil || b.c == nil || b.owner != nil && b.owner.c == nil {
		return nil, fmt.Errorf("BTF %s: %w", b.label(), ErrClosed)
	}
	return b.c, nil
}

func (b *BTF) label() string {
	if b == nil {
		return "<nil>"
	}
	return b.name
}

// errorf wraps err with the BTF's name and what failed.
func (b *BTF) errorf(err error, format string, args ...any) error {
	return fmt.Errorf("BTF %s: %s: %w", b.label(), fmt.Sprintf(format, args...), err)
}

// basePtr is base's libbpf BTF, nil for no base.
func basePtr(base *BTF) (*cBTF, error) {
	if base == nil {
		return nil, nil
	}
	return base.ptr()
}

// LoadVmlinuxBTF loads the running kernel's BTF (btf__load_vmlinux_btf),
// from /sys/kernel/btf/vmlinux or the usual fallback locations.
func LoadVmlinuxBTF() (*BTF, error) {
	c, err := btfLoadVmlinux()
	if err != nil {
		return nil, fmt.Errorf("load vmlinux BTF: %w", err)
	}
	return newBTF(c, "vmlinux", nil), nil
}

// LoadModuleBTF loads the BTF of the kernel module name
// (/sys/kernel/btf/<name>), which is split BTF on top of vmlinux's
// (btf__load_module_btf). With a nil vmlinux it loads the kernel's BTF
// itself and closes it with the module's.
func LoadModuleBTF(name string, vmlinux *BTF) (*BTF, error) {
	owns := vmlinux == nil
	if owns {
		var err error
		if vmlinux, err = LoadVmlinuxBTF(); err != nil {
			return nil, fmt.Errorf("load BTF of module %s: %w", name, err)
		}
	}
	b, err := newSplitBTF(name, vmlinux, func(base *cBTF) (*cBTF, error) { return btfLoadModule(name, base) })
	if err != nil {
		if owns {
			vmlinux.Close()
		}
		return nil, fmt.Errorf("load BTF of module %s: %w", name, err)
	}
	b.ownsBase = owns
	return b, nil
}

// newSplitBTF runs load with base's libbpf BTF and wraps the result.
func newSplitBTF(name string, base *BTF, load func(base *cBTF) (*cBTF, error)) (*BTF, error) {
	cbase, err := basePtr(base)
	if err != nil {
		return nil, err
	}
	c, err := load(cbase)
	if err != nil {
		return nil, err
	}
	return newBTF(c, name, base), nil
}

// LoadBTFFromKernelByID reads the BTF object id from the kernel
// (btf__load_from_kernel_by_id, or its _split variant with a base). As in
// libbpf, the result keeps no fd: FD returns -1.
func LoadBTFFromKernelByID(id uint32, base *BTF) (*BTF, error) {
	name := fmt.Sprintf("id %d", id)
	b, err := newSplitBTF(name, base, func(cbase *cBTF) (*cBTF, error) { return btfLoadFromKernelByID(id, cbase) })
	if err != nil {
		return nil, fmt.Errorf("load BTF %s from the kernel: %w", name, err)
	}
	return b, nil
}

// ParseBTF reads BTF from path, an ELF file's .BTF section or a raw BTF
// file such as /sys/kernel/btf/vmlinux (btf__parse, btf__parse_split with a
// base).
func ParseBTF(path string, base *BTF) (*BTF, error) { return parseBTF(path, base, btfFormatAny) }

// ParseBTFELF reads the .BTF section of the ELF file path (btf__parse_elf,
// btf__parse_elf_split).
func ParseBTFELF(path string, base *BTF) (*BTF, error) { return parseBTF(path, base, btfFormatELF) }

// ParseBTFRaw reads the raw BTF file path (btf__parse_raw,
// btf__parse_raw_split).
func ParseBTFRaw(path string, base *BTF) (*BTF, error) { return parseBTF(path, base, btfFormatRaw) }

func parseBTF(path string, base *BTF, format btfFormat) (*BTF, error) {
	if path == "" {
		return nil, fmt.Errorf("parse BTF: empty path: %w", errInvalidArgument)
	}
	b, err := newSplitBTF(path, base, func(cbase *cBTF) (*cBTF, error) { return btfParse(path, cbase, format) })
	if err != nil {
		return nil, fmt.Errorf("parse BTF %s: %w", path, err)
	}
	return b, nil
}

// NewBTFFromBytes parses raw BTF data (btf__new, btf__new_split with a
// base); data is copied.
func NewBTFFromBytes(data []byte, base *BTF) (*BTF, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("new BTF from bytes: no data: %w", errInvalidArgument)
	}
	b, err := newSplitBTF("from bytes", base, func(cbase *cBTF) (*cBTF, error) { return btfNew(data, cbase) })
	if err != nil {
		return nil, fmt.Errorf("new BTF from %d bytes: %w", len(data), err)
	}
	return b, nil
}

// Close frees the BTF (btf__free), and its base when LoadModuleBTF loaded
// that. An object's BTF belongs to the object: its Close does nothing. Close
// is idempotent.
func (b *BTF) Close() error {
	if b == nil || b.c == nil || b.owner != nil {
		return nil
	}
	btfFree(b.c)
	b.c = nil
	if b.ownsBase {
		return b.base.Close()
	}
	return nil
}

// Base returns the base of split BTF, or nil.
func (b *BTF) Base() *BTF { return b.base }

// RawData returns the BTF in the kernel's wire format (btf__raw_data).
func (b *BTF) RawData() ([]byte, error) {
	c, err := b.ptr()
	if err != nil {
		return nil, err
	}
	data := btfRawData(c)
	if data == nil {
		return nil, b.errorf(errInvalidArgument, "raw data")
	}
	return data, nil
}

// TypeCnt returns the number of types plus one, the void type 0: valid ids
// are 1 to TypeCnt()-1 (btf__type_cnt). For split BTF it counts the base's
// types too.
func (b *BTF) TypeCnt() uint32 {
	c, err := b.ptr()
	if err != nil {
		return 0
	}
	return btfTypeCount(c)
}

// FindByName returns the id of the first type called name
// (btf__find_by_name); unix.ENOENT when there is none.
func (b *BTF) FindByName(name string) (uint32, error) {
	return b.find(name, func(c *cBTF) (uint32, error) { return btfFindByName(c, name) })
}

// FindByNameKind returns the id of the type called name of kind kind
// (btf__find_by_name_kind); unix.ENOENT when there is none.
func (b *BTF) FindByNameKind(name string, kind BTFKind) (uint32, error) {
	return b.find(name+" ("+kind.String()+")", func(c *cBTF) (uint32, error) { return btfFindByNameKind(c, name, kind) })
}

func (b *BTF) find(what string, fn func(*cBTF) (uint32, error)) (uint32, error) {
	c, err := b.ptr()
	if err == nil {
		var id uint32
		if id, err = fn(c); err == nil {
			return id, nil
		}
	}
	return 0, b.errorf(err, "find type %s", what)
}

// ResolveSize returns the size in bytes of type id, following typedefs and
// modifiers (btf__resolve_size).
func (b *BTF) ResolveSize(id uint32) (int64, error) {
	c, err := b.ptr()
	if err == nil {
		var n int64
		if n, err = btfResolveSize(c, id); err == nil {
			return n, nil
		}
	}
	return 0, b.errorf(err, "resolve size of type %d", id)
}

// ResolveType returns the id that type id stands for once typedefs and
// modifiers are skipped (btf__resolve_type).
func (b *BTF) ResolveType(id uint32) (uint32, error) {
	return b.idOp(id, "resolve type", btfResolveType)
}

// AlignOf returns the alignment of type id in bytes (btf__align_of).
func (b *BTF) AlignOf(id uint32) (int, error) {
	n, err := b.idOp(id, "alignment of type", func(c *cBTF, id uint32) (uint32, error) {
		n, err := btfAlignOf(c, id)
		return uint32(n), err
	})
	return int(n), err
}

func (b *BTF) idOp(id uint32, what string, fn func(*cBTF, uint32) (uint32, error)) (uint32, error) {
	c, err := b.ptr()
	if err == nil {
		var v uint32
		if v, err = fn(c, id); err == nil {
			return v, nil
		}
	}
	return 0, b.errorf(err, "%s %d", what, id)
}

// NameByOffset returns the string at offset off of the string section, ""
// for an invalid offset (btf__name_by_offset).
func (b *BTF) NameByOffset(off uint32) string {
	c, err := b.ptr()
	if err != nil {
		return ""
	}
	return btfNameByOffset(c, off)
}

// StrByOffset returns the string at offset off, with an error for an
// invalid offset (btf__str_by_offset).
func (b *BTF) StrByOffset(off uint32) (string, error) {
	c, err := b.ptr()
	if err != nil {
		return "", err
	}
	s, ok := btfStrByOffset(c, off)
	if !ok {
		return "", b.errorf(errInvalidArgument, "string at offset %d", off)
	}
	return s, nil
}

// FindStr returns the offset of the string s in the string section
// (btf__find_str); unix.ENOENT when it is not there.
func (b *BTF) FindStr(s string) (uint32, error) {
	return b.find(fmt.Sprintf("string %q", s), func(c *cBTF) (uint32, error) { return btfFindStr(c, s) })
}

// Endianness returns the byte order of the BTF data (btf__endianness).
func (b *BTF) Endianness() binary.ByteOrder {
	if c, err := b.ptr(); err == nil && btfBigEndian(c) {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// SetEndianness sets the byte order RawData writes (btf__set_endianness):
// binary.LittleEndian or binary.BigEndian.
func (b *BTF) SetEndianness(order binary.ByteOrder) error {
	return b.do(func(c *cBTF) error {
		if order != binary.LittleEndian && order != binary.BigEndian {
			return errInvalidArgument
		}
		return btfSetBigEndian(c, order == binary.BigEndian)
	}, func() string { return fmt.Sprintf("set endianness %v", order) })
}

// do runs fn on the libbpf BTF and wraps its error with what.
func (b *BTF) do(fn func(*cBTF) error, what func() string) error {
	c, err := b.ptr()
	if err == nil {
		err = fn(c)
	}
	if err != nil {
		return b.errorf(err, "%s", what())
	}
	return nil
}

// PointerSize returns the size of a pointer of the BTF's target, 0 when
// unknown (btf__pointer_size).
func (b *BTF) PointerSize() int {
	c, err := b.ptr()
	if err != nil {
		return 0
	}
	return btfPointerSize(c)
}

// SetPointerSize sets the target's pointer size, 4 or 8
// (btf__set_pointer_size).
func (b *BTF) SetPointerSize(size int) error {
	return b.do(func(c *cBTF) error { return btfSetPointerSize(c, size) },
		func() string { return fmt.Sprintf("set pointer size %d", size) })
}

// FD returns the fd of the BTF in the kernel, or -1 when it was not loaded
// into (or read from) the kernel (btf__fd).
func (b *BTF) FD() int {
	c, err := b.ptr()
	if err != nil {
		return -1
	}
	return btfFD(c)
}

// SetFD makes fd the BTF's kernel fd (btf__set_fd). The BTF owns it from
// then on: Close closes it.
func (b *BTF) SetFD(fd int) error {
	c, err := b.ptr()
	if err != nil {
		return err
	}
	btfSetFD(c, fd)
	return nil
}

// LoadIntoKernel loads the BTF into the kernel (btf__load_into_kernel);
// FD returns its fd afterwards and Close closes it.
func (b *BTF) LoadIntoKernel() error {
	return b.do(btfLoadIntoKernel, func() string { return "load into the kernel" })
}

// TypeByID returns a Go view of type id (btf__type_by_id). Id 0 is void.
func (b *BTF) TypeByID(id uint32) (*BTFType, error) {
	c, err := b.ptr()
	if err != nil {
		return nil, err
	}
	hdr, extra, err := btfRawType(c, id)
	if err != nil {
		return nil, b.errorf(err, "type %d", id)
	}
	return b.decodeType(c, id, hdr, extra), nil
}

// kind returns the kind of type id without decoding it; BTFKindUnknown for
// an invalid id.
func (b *BTF) kind(id uint32) BTFKind {
	c, err := b.ptr()
	if err != nil {
		return BTFKindUnknown
	}
	hdr, _, err := btfRawType(c, id)
	if err != nil {
		return BTFKindUnknown
	}
	return kindOf(hdr[1])
}

func kindOf(info uint32) BTFKind { return BTFKind(info >> 24 & 0x1f) }

// BTFKind is the kind of a BTF type (BTF_KIND_*).
type BTFKind uint8

// The BTF kinds.
const (
	BTFKindUnknown BTFKind = iota // void
	BTFKindInt
	BTFKindPtr
	BTFKindArray
	BTFKindStruct
	BTFKindUnion
	BTFKindEnum
	BTFKindFwd
	BTFKindTypedef
	BTFKindVolatile
	BTFKindConst
	BTFKindRestrict
	BTFKindFunc
	BTFKindFuncProto
	BTFKindVar
	BTFKindDatasec
	BTFKindFloat
	BTFKindDeclTag
	BTFKindTypeTag
	BTFKindEnum64
)

var btfKindNames = [...]string{"unknown", "int", "ptr", "array", "struct", "union", "enum", "fwd",
	"typedef", "volatile", "const", "restrict", "func", "func_proto", "var", "datasec", "float",
	"decl_tag", "type_tag", "enum64"}

// String returns the kind's name as bpftool prints it, e.g. "func_proto".
func (k BTFKind) String() string {
	if int(k) < len(btfKindNames) {
		return btfKindNames[k]
	}
	return fmt.Sprintf("BTFKind(%d)", k)
}

// BTFType is a Go view of one BTF type. Which fields are set depends on
// Kind; the rest are zero.
type BTFType struct {
	ID   uint32
	Kind BTFKind
	Name string
	// Size in bytes: int, float, struct, union, enum, enum64, datasec.
	Size uint32
	// Type is the type referred to: ptr, typedef, modifiers, type_tag,
	// func (its func_proto), var, decl_tag; a func_proto's return type.
	Type uint32
	// KindFlag is the kind_flag bit: a struct whose members have bitfield
	// sizes, a union fwd, a signed enum, an attribute-style tag.
	KindFlag bool
	// Int is the encoding of an int.
	Int *BTFInt
	// Array describes an array.
	Array *BTFArray
	// Members of a struct or union.
	Members []BTFMember
	// Values of an enum or enum64.
	Values []BTFEnumValue
	// Params of a func_proto; Type is its return type.
	Params []BTFParam
	// Linkage of a func (BTF_FUNC_*) or var (BTF_VAR_*).
	Linkage uint32
	// Vars of a datasec.
	Vars []BTFVarSecinfo
	// ComponentIdx of a decl_tag: -1 for the type itself, else the member
	// or parameter index.
	ComponentIdx int32
}

// BTFInt is the encoding of an int type.
type BTFInt struct {
	Encoding uint8 // BTF_INT_SIGNED, BTF_INT_CHAR, BTF_INT_BOOL bits
	Offset   uint8 // bit offset of the value
	Bits     uint8
}

// BTFArray is an array type: Nelems elements of type Type.
type BTFArray struct {
	Type, IndexType, Nelems uint32
}

// BTFMember is a member of a struct or union.
type BTFMember struct {
	Name         string
	Type         uint32
	BitOffset    uint32
	BitfieldSize uint32 // 0 unless a bitfield
}

// BTFEnumValue is a value of an enum or enum64. Value holds the bits; read
// it as int64 when the enum is signed (KindFlag).
type BTFEnumValue struct {
	Name  string
	Value uint64
}

// BTFParam is a parameter of a function prototype; a variadic prototype
// ends with one whose Name is "" and Type is 0.
type BTFParam struct {
	Name string
	Type uint32
}

// BTFVarSecinfo is a variable of a datasec.
type BTFVarSecinfo struct {
	Type, Offset, Size uint32
}

// decodeType builds the Go view of a raw type: hdr is name_off, info and
// size-or-type; extra points at the kind-specific words after it.
func (b *BTF) decodeType(c *cBTF, id uint32, hdr [3]uint32, extra unsafe.Pointer) *BTFType {
	info := hdr[1]
	t := &BTFType{
		ID:       id,
		Kind:     kindOf(info),
		Name:     btfNameByOffset(c, hdr[0]),
		KindFlag: info>>31 == 1,
	}
	vlen := int(info & 0xffff)
	words := func(n int) []uint32 { return unsafe.Slice((*uint32)(extra), n) }
	switch t.Kind {
	case BTFKindInt:
		t.Size = hdr[2]
		w := words(1)[0]
		t.Int = &BTFInt{Encoding: uint8(w >> 24 & 0x0f), Offset: uint8(w >> 16), Bits: uint8(w)}
	case BTFKindFloat:
		t.Size = hdr[2]
	case BTFKindArray:
		w := words(3)
		t.Array = &BTFArray{Type: w[0], IndexType: w[1], Nelems: w[2]}
	case BTFKindStruct, BTFKindUnion:
		t.Size = hdr[2]
		w := words(3 * vlen)
		t.Members = make([]BTFMember, vlen)
		for i := range t.Members {
			m := &t.Members[i]
			m.Name, m.Type, m.BitOffset = btfNameByOffset(c, w[3*i]), w[3*i+1], w[3*i+2]
			if t.KindFlag {
				m.BitfieldSize, m.BitOffset = m.BitOffset>>24, m.BitOffset&0xffffff
			}
		}
	case BTFKindEnum:
		t.Size = hdr[2]
		w := words(2 * vlen)
		t.Values = make([]BTFEnumValue, vlen)
		for i := range t.Values {
			v := uint64(w[2*i+1])
			if t.KindFlag { // signed: sign-extend
				v = uint64(int64(int32(w[2*i+1])))
			}
			t.Values[i] = BTFEnumValue{Name: btfNameByOffset(c, w[2*i]), Value: v}
		}
	case BTFKindEnum64:
		t.Size = hdr[2]
		w := words(3 * vlen)
		t.Values = make([]BTFEnumValue, vlen)
		for i := range t.Values {
			t.Values[i] = BTFEnumValue{Name: btfNameByOffset(c, w[3*i]), Value: uint64(w[3*i+2])<<32 | uint64(w[3*i+1])}
		}
	case BTFKindFuncProto:
		t.Type = hdr[2]
		w := words(2 * vlen)
		t.Params = make([]BTFParam, vlen)
		for i := range t.Params {
			t.Params[i] = BTFParam{Name: btfNameByOffset(c, w[2*i]), Type: w[2*i+1]}
		}
	case BTFKindFunc:
		t.Type, t.Linkage = hdr[2], uint32(vlen)
	case BTFKindVar:
		t.Type, t.Linkage = hdr[2], words(1)[0]
	case BTFKindDatasec:
		t.Size = hdr[2]
		w := words(3 * vlen)
		t.Vars = make([]BTFVarSecinfo, vlen)
		for i := range t.Vars {
			t.Vars[i] = BTFVarSecinfo{Type: w[3*i], Offset: w[3*i+1], Size: w[3*i+2]}
		}
	case BTFKindDeclTag:
		t.Type, t.ComponentIdx = hdr[2], int32(words(1)[0])
	case BTFKindPtr, BTFKindTypedef, BTFKindVolatile, BTFKindConst, BTFKindRestrict, BTFKindTypeTag:
		t.Type = hdr[2]
	}
	return t
}

// The BTF of an object.

// BTF returns the object's BTF, the types that Map.KeyTypeID and
// Map.ValueTypeID refer to (bpf_object__btf). The object owns it: it is
// valid until the object is closed, and its Close does nothing.
func (o *Object) BTF() (*BTF, error) {
	if o == nil {
		return nil, fmt.Errorf("BTF: %w", errNilObject)
	}
	if o.c == nil {
		return nil, fmt.Errorf("object %q: BTF: %w", o.name, ErrClosed)
	}
	if o.btf == nil {
		c := objectBTF(o.c)
		if c == nil {
			return nil, fmt.Errorf("object %q has no BTF: %w", o.name, unix.ENOENT)
		}
		o.btf = &BTF{c: c, name: "of object " + o.name, owner: o}
	}
	return o.btf, nil
}
