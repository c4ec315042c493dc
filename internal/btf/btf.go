// Package btf decodes the BPF Type Format (the kernel's wire format, as
// libbpf hands out an object's BTF) in pure Go, and uses it to turn raw map
// values into readable values and to encode values into global variables.
package btf

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind is a BTF type kind (BTF_KIND_*).
type Kind uint8

// The BTF kinds.
const (
	KindVoid Kind = iota
	KindInt
	KindPtr
	KindArray
	KindStruct
	KindUnion
	KindEnum
	KindFwd
	KindTypedef
	KindVolatile
	KindConst
	KindRestrict
	KindFunc
	KindFuncProto
	KindVar
	KindDatasec
	KindFloat
	KindDeclTag
	KindTypeTag
	KindEnum64
)

var kindNames = [...]string{"void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef",
	"volatile", "const", "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag",
	"type_tag", "enum64"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Integer encodings (BTF_INT_*).
const (
	IntSigned = 1 << 0
	IntChar   = 1 << 1
	IntBool   = 1 << 2
)

// Member is a struct or union member, a function parameter, or an
// enumerator (Value).
type Member struct {
	Name      string
	Type      uint32
	BitOffset uint32 // from the start of the struct
	BitSize   uint32 // bitfield width; 0 for a regular member
	Value     int64  // enumerators
}

// SecVar is one variable of a DATASEC.
type SecVar struct {
	Type   uint32 // a KindVar
	Offset uint32
	Size   uint32
}

// Type is one decoded BTF type.
type Type struct {
	ID       uint32
	Kind     Kind
	Name     string
	KindFlag bool
	// Size is the byte size of ints, floats, structs, unions, enums and
	// datasecs.
	Size uint32
	// Ref is the referenced type of pointers, typedefs, qualifiers, vars,
	// funcs and decl/type tags, the element type of arrays, the return type
	// of func protos.
	Ref uint32
	// Ints.
	Encoding  uint8
	BitOffset uint8
	Bits      uint8
	// Arrays.
	IndexType uint32
	Nelems    uint32
	// Structs, unions, enums, func protos.
	Members []Member
	// Datasecs.
	Vars []SecVar
	// Vars: 0 static, 1 global, 2 extern.
	Linkage uint32
}

// Spec is a parsed BTF blob. Type id 0 is void.
type Spec struct {
	types []*Type // indexed by id
	order binary.ByteOrder
}

const btfMagic = 0xeB9F

// ErrNotFound is returned for an unknown type id or name.
var ErrNotFound = errors.New("btf: not found")

// Parse decodes raw BTF (header, types, strings).
func Parse(raw []byte) (*Spec, error) {
	order, types, strs, err := sections(raw)
	if err != nil {
		return nil, err
	}
	str := func(off uint32) (string, error) {
		if off >= uint32(len(strs)) {
			if off == 0 {
				return "", nil
			}
			return "", fmt.Errorf("btf: string offset %d beyond %d bytes", off, len(strs))
		}
		end := off
		for end < uint32(len(strs)) && strs[end] != 0 {
			end++
		}
		return string(strs[off:end]), nil
	}
	s := &Spec{types: []*Type{{Kind: KindVoid}}, order: order}
	err = walkTypes(order, types, func(id uint32, r rawType) error {
		t := &Type{ID: id, Kind: r.kind(), KindFlag: r.kindFlag()}
		var err error
		if t.Name, err = str(r.nameOff); err != nil {
			return err
		}
		sz, data, vlen := r.sizeType, r.trailer, r.vlen()
		switch t.Kind {
		case KindInt:
			enc := order.Uint32(data)
			t.Size = sz
			t.Encoding, t.BitOffset, t.Bits = uint8(enc>>24&0xf), uint8(enc>>16), uint8(enc)
		case KindPtr, KindFwd, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindTypeTag, KindDeclTag:
			t.Ref = sz
		case KindArray:
			t.Ref, t.IndexType, t.Nelems = order.Uint32(data), order.Uint32(data[4:]), order.Uint32(data[8:])
		case KindStruct, KindUnion:
			t.Size = sz
			for i := range vlen {
				e := data[12*i:]
				m := Member{Type: order.Uint32(e[4:])}
				if m.Name, err = str(order.Uint32(e)); err != nil {
					return err
				}
				off := order.Uint32(e[8:])
				if t.KindFlag {
					m.BitOffset, m.BitSize = off&0xffffff, off>>24
				} else {
					m.BitOffset = off
				}
				t.Members = append(t.Members, m)
			}
		case KindEnum:
			t.Size = sz
			for i := range vlen {
				e := data[8*i:]
				m := Member{}
				if m.Name, err = str(order.Uint32(e)); err != nil {
					return err
				}
				if t.KindFlag {
					m.Value = int64(int32(order.Uint32(e[4:])))
				} else {
					m.Value = int64(order.Uint32(e[4:]))
				}
				t.Members = append(t.Members, m)
			}
		case KindEnum64:
			t.Size = sz
			for i := range vlen {
				e := data[12*i:]
				m := Member{}
				if m.Name, err = str(order.Uint32(e)); err != nil {
					return err
				}
				m.Value = int64(uint64(order.Uint32(e[4:])) | uint64(order.Uint32(e[8:]))<<32)
				t.Members = append(t.Members, m)
			}
		case KindFuncProto:
			t.Ref = sz
			for i := range vlen {
				e := data[8*i:]
				m := Member{Type: order.Uint32(e[4:])}
				if m.Name, err = str(order.Uint32(e)); err != nil {
					return err
				}
				t.Members = append(t.Members, m)
			}
		case KindVar:
			t.Ref = sz
			t.Linkage = order.Uint32(data)
		case KindDatasec:
			t.Size = sz
			for i := range vlen {
				e := data[12*i:]
				t.Vars = append(t.Vars, SecVar{Type: order.Uint32(e), Offset: order.Uint32(e[4:]), Size: order.Uint32(e[8:])})
			}
		case KindFloat:
			t.Size = sz
		}
		s.types = append(s.types, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// sections checks raw BTF's header and returns its byte order, its type
// section and its string section.
func sections(raw []byte) (order binary.ByteOrder, types, strs []byte, err error) {
	if len(raw) < 24 {
		return nil, nil, nil, fmt.Errorf("btf: %d bytes is too short for a header", len(raw))
	}
	switch {
	case binary.LittleEndian.Uint16(raw) == btfMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint16(raw) == btfMagic:
		order = binary.BigEndian
	default:
		return nil, nil, nil, fmt.Errorf("btf: bad magic %#x", binary.LittleEndian.Uint16(raw))
	}
	hdrLen := order.Uint32(raw[4:])
	typeOff, typeLen := order.Uint32(raw[8:]), order.Uint32(raw[12:])
	strOff, strLen := order.Uint32(raw[16:]), order.Uint32(raw[20:])
	if uint64(hdrLen) > uint64(len(raw)) {
		return nil, nil, nil, fmt.Errorf("btf: header length %d beyond %d bytes", hdrLen, len(raw))
	}
	body := raw[hdrLen:]
	if uint64(typeOff)+uint64(typeLen) > uint64(len(body)) || uint64(strOff)+uint64(strLen) > uint64(len(body)) {
		return nil, nil, nil, fmt.Errorf("btf: type or string section beyond the %d bytes of data", len(body))
	}
	return order, body[typeOff : typeOff+typeLen], body[strOff : strOff+strLen], nil
}

// TrailerSize returns the size of the data that follows the 12-byte common
// part of a type of kind k with vlen entries (struct btf_type), or false
// for a kind this package does not know. It is the one table of BTF type
// sizes in the module.
func TrailerSize(k Kind, vlen int) (int, bool) {
	switch k {
	case KindPtr, KindFwd, KindTypedef, KindVolatile, KindConst, KindRestrict, KindFunc, KindFloat, KindTypeTag:
		return 0, true
	case KindInt, KindVar, KindDeclTag:
		return 4, true
	case KindArray:
		return 12, true
	case KindStruct, KindUnion, KindDatasec, KindEnum64:
		return 12 * vlen, true
	case KindEnum, KindFuncProto:
		return 8 * vlen, true
	}
	return 0, false
}

// rawType is one type of a type section, not yet decoded: the common part
// of struct btf_type and the kind's trailing data.
type rawType struct {
	nameOff, info, sizeType uint32
	trailer                 []byte
}

func (r rawType) kind() Kind     { return Kind(r.info >> 24 & 0x1f) }
func (r rawType) vlen() int      { return int(r.info & 0xffff) }
func (r rawType) kindFlag() bool { return r.info>>31 == 1 }

// walkTypes calls fn for each type of a type section, in id order from 1.
// It fails on a truncated type or a kind it does not know, and stops at
// fn's first error.
func walkTypes(order binary.ByteOrder, data []byte, fn func(id uint32, r rawType) error) error {
	for id := uint32(1); len(data) > 0; id++ {
		if len(data) < 12 {
			return fmt.Errorf("btf: truncated type %d", id)
		}
		r := rawType{nameOff: order.Uint32(data), info: order.Uint32(data[4:]), sizeType: order.Uint32(data[8:])}
		data = data[12:]
		n, ok := TrailerSize(r.kind(), r.vlen())
		if !ok {
			return fmt.Errorf("btf: type %d has unknown kind %d", id, r.kind())
		}
		if len(data) < n {
			return fmt.Errorf("btf: truncated %s type %d", r.kind(), id)
		}
		r.trailer, data = data[:n], data[n:]
		if err := fn(id, r); err != nil {
			return err
		}
	}
	return nil
}

// NewSpec returns a Spec that holds only void, for types built from
// another description than raw BTF (an object's DWARF) with Add.
func NewSpec(order binary.ByteOrder) *Spec {
	return &Spec{types: []*Type{{Kind: KindVoid}}, order: order}
}

// Add appends t to the Spec, setting its ID to the next one, and returns
// it. t may refer to types added before it, or to ones added later.
func (s *Spec) Add(t *Type) uint32 {
	t.ID = uint32(len(s.types))
	s.types = append(s.types, t)
	return t.ID
}

// ByteOrder returns the byte order of the BTF, which is the object's.
func (s *Spec) ByteOrder() binary.ByteOrder { return s.order }

// NumTypes returns the number of types, void included.
func (s *Spec) NumTypes() int { return len(s.types) }

// Type returns the type with id.
func (s *Spec) Type(id uint32) (*Type, error) {
	if int(id) >= len(s.types) {
		return nil, fmt.Errorf("btf: type id %d of %d: %w", id, len(s.types), ErrNotFound)
	}
	return s.types[id], nil
}

// Resolve follows typedefs, qualifiers, type tags and vars to the type that
// gives the layout.
func (s *Spec) Resolve(id uint32) (*Type, error) {
	for range 64 {
		t, err := s.Type(id)
		if err != nil {
			return nil, err
		}
		switch t.Kind {
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag, KindVar:
			id = t.Ref
		default:
			return t, nil
		}
	}
	return nil, fmt.Errorf("btf: type %d: reference chain too long", id)
}

// Size returns the byte size of the type id.
func (s *Spec) Size(id uint32) (uint32, error) {
	t, err := s.Resolve(id)
	if err != nil {
		return 0, err
	}
	switch t.Kind {
	case KindInt, KindStruct, KindUnion, KindEnum, KindEnum64, KindFloat, KindDatasec:
		return t.Size, nil
	case KindPtr:
		return 8, nil
	case KindArray:
		n, err := s.Size(t.Ref)
		if err != nil {
			return 0, err
		}
		return n * t.Nelems, nil
	}
	return 0, fmt.Errorf("btf: type %d (%s %q) has no size", t.ID, t.Kind, t.Name)
}

// ByName returns the types called name, in id order, limited to kinds when
// any are given.
func (s *Spec) ByName(name string, kinds ...Kind) []*Type {
	var out []*Type
	for _, t := range s.types[1:] {
		if t.Name != name {
			continue
		}
		if len(kinds) == 0 {
			out = append(out, t)
			continue
		}
		for _, k := range kinds {
			if t.Kind == k {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// TypeName spells the type id roughly as C would ("struct event",
// "char[16]", "u32").
func (s *Spec) TypeName(id uint32) string {
	t, err := s.Type(id)
	if err != nil {
		return fmt.Sprintf("type#%d", id)
	}
	switch t.Kind {
	case KindVoid:
		return "void"
	case KindStruct, KindUnion, KindEnum, KindEnum64:
		kw := map[Kind]string{KindStruct: "struct", KindUnion: "union", KindEnum: "enum", KindEnum64: "enum"}[t.Kind]
		if t.Name == "" {
			return kw + " {...}"
		}
		return kw + " " + t.Name
	case KindFwd: // the kind flag marks a union
		if t.KindFlag {
			return "union " + t.Name
		}
		return "struct " + t.Name
	case KindPtr:
		return s.TypeName(t.Ref) + " *"
	case KindArray:
		return fmt.Sprintf("%s[%d]", s.TypeName(t.Ref), t.Nelems)
	case KindConst, KindVolatile, KindRestrict, KindTypeTag:
		return s.TypeName(t.Ref)
	case KindVar:
		return s.TypeName(t.Ref)
	}
	if t.Name != "" {
		return t.Name
	}
	return t.Kind.String()
}
