package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf/internal/btf"
)

// dwarfTypes finds C types in an object's DWARF (clang -g), where clang
// describes every type of the source, when its BTF lacks them: BTF leaves
// out a type that only local variables use, as most ring buffer records
// are. Found types are converted into a Spec of their own, so that the
// same generator lays them out.
type dwarfTypes struct {
	data *dwarf.Data
	spec *btf.Spec
	ids  map[dwarf.Type]uint32
}

// errNoDWARF: the object has no DWARF (built without -g, or stripped with
// llvm-strip -g, as libbpf-tools' Makefile does).
var errNoDWARF = errors.New("the object has no DWARF")

func openDWARF(path string) (*dwarfTypes, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Section(".debug_info") == nil {
		return nil, errNoDWARF
	}
	// Read the sections raw: debug/elf does not apply BPF relocations, and
	// an object's DWARF relocations are against section symbols of value
	// 0, whose addends REL sections keep in place already.
	sec := func(name string) ([]byte, error) {
		s := f.Section(name)
		if s == nil {
			return nil, nil
		}
		return s.Data()
	}
	var raw [4][]byte
	for i, name := range []string{".debug_abbrev", ".debug_info", ".debug_line", ".debug_str"} {
		if raw[i], err = sec(name); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	d, err := dwarf.New(raw[0], nil, nil, raw[1], raw[2], nil, nil, raw[3])
	if err != nil {
		return nil, fmt.Errorf("DWARF: %w", err)
	}
	for _, name := range []string{".debug_str_offsets", ".debug_addr", ".debug_line_str", ".debug_rnglists", ".debug_loclists"} {
		b, err := sec(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if b != nil {
			if err := d.AddSection(name, b); err != nil {
				return nil, fmt.Errorf("DWARF %s: %w", name, err)
			}
		}
	}
	var order binary.ByteOrder = binary.LittleEndian
	if f.Data == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	return &dwarfTypes{data: d, spec: btf.NewSpec(order), ids: map[dwarf.Type]uint32{}}, nil
}

// find converts the C type c ("struct event", "enum state", "event_t",
// or a bare tag) and returns its id in the Spec.
func (d *dwarfTypes) find(c string) (uint32, error) {
	kw, name, err := cType(c)
	if err != nil {
		return 0, err
	}
	tags := map[string][]dwarf.Tag{
		"":       {dwarf.TagTypedef, dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType},
		"struct": {dwarf.TagStructType}, "union": {dwarf.TagUnionType}, "enum": {dwarf.TagEnumerationType},
	}[kw]
	for _, tag := range tags {
		r := d.data.Reader()
		for {
			e, err := r.Next()
			if err != nil {
				return 0, fmt.Errorf("DWARF: %w", err)
			}
			if e == nil {
				break
			}
			if e.Tag != tag {
				continue
			}
			if n, _ := e.Val(dwarf.AttrName).(string); n != name {
				continue
			}
			if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
				continue
			}
			t, err := d.data.Type(e.Offset)
			if err != nil {
				return 0, fmt.Errorf("DWARF type %s: %w", c, err)
			}
			return d.convert(t)
		}
	}
	return 0, fmt.Errorf("no type %q in the object's BTF or DWARF", c)
}

// convert adds the BTF form of a DWARF type, once (its id is taken before
// the types it refers to are converted, so cycles through pointers end).
func (d *dwarfTypes) convert(t dwarf.Type) (uint32, error) {
	if id, ok := d.ids[t]; ok {
		return id, nil
	}
	bt := &btf.Type{}
	switch t := t.(type) {
	case *dwarf.VoidType, *dwarf.UnspecifiedType:
		return 0, nil
	case *dwarf.IntType:
		bt.Kind, bt.Name, bt.Size, bt.Encoding = btf.KindInt, t.Name, uint32(t.ByteSize), btf.IntSigned
	case *dwarf.UintType:
		bt.Kind, bt.Name, bt.Size = btf.KindInt, t.Name, uint32(t.ByteSize)
	case *dwarf.CharType: // as clang's BTF: by name, no char encoding
		bt.Kind, bt.Name, bt.Size, bt.Encoding = btf.KindInt, t.Name, uint32(t.ByteSize), btf.IntSigned
	case *dwarf.UcharType:
		bt.Kind, bt.Name, bt.Size = btf.KindInt, t.Name, uint32(t.ByteSize)
	case *dwarf.BoolType:
		bt.Kind, bt.Name, bt.Size, bt.Encoding = btf.KindInt, t.Name, uint32(t.ByteSize), btf.IntBool
	case *dwarf.FloatType:
		bt.Kind, bt.Name, bt.Size = btf.KindFloat, t.Name, uint32(t.ByteSize)
	case *dwarf.PtrType:
		bt.Kind = btf.KindPtr
	case *dwarf.FuncType:
		bt.Kind = btf.KindFuncProto
	case *dwarf.TypedefType:
		bt.Kind, bt.Name = btf.KindTypedef, t.Name
	case *dwarf.QualType:
		bt.Kind = map[string]btf.Kind{"const": btf.KindConst, "volatile": btf.KindVolatile, "restrict": btf.KindRestrict}[t.Qual]
		if bt.Kind == 0 {
			return 0, fmt.Errorf("DWARF qualifier %q", t.Qual)
		}
	case *dwarf.ArrayType:
		bt.Kind = btf.KindArray
		if t.Count > 0 {
			bt.Nelems = uint32(t.Count)
		}
	case *dwarf.EnumType:
		bt.Kind, bt.Name, bt.Size = btf.KindEnum, t.EnumName, uint32(t.ByteSize)
		for _, v := range t.Val {
			bt.Members = append(bt.Members, btf.Member{Name: v.Name, Value: v.Val})
			bt.KindFlag = bt.KindFlag || v.Val < 0
		}
	case *dwarf.StructType:
		bt.Name, bt.Size = t.StructName, uint32(t.ByteSize)
		switch {
		case t.Incomplete:
			bt.Kind = btf.KindFwd
		case t.Kind == "union":
			bt.Kind = btf.KindUnion
		default:
			bt.Kind = btf.KindStruct
		}
	default:
		return 0, fmt.Errorf("DWARF type %s (%T) has no BTF form here", t, t)
	}
	id := d.spec.Add(bt)
	d.ids[t] = id
	// Referenced types after the id is taken, as BTF allows.
	var err error
	switch t := t.(type) {
	case *dwarf.TypedefType:
		bt.Ref, err = d.convert(t.Type)
	case *dwarf.QualType:
		bt.Ref, err = d.convert(t.Type)
	case *dwarf.ArrayType:
		bt.Ref, err = d.convert(t.Type)
	case *dwarf.PtrType:
		bt.Ref, err = d.convert(t.Type)
	case *dwarf.StructType:
		for _, f := range t.Field {
			m := btf.Member{Name: f.Name, BitOffset: uint32(f.ByteOffset) * 8}
			if m.Type, err = d.convert(f.Type); err != nil {
				break
			}
			if f.BitSize > 0 {
				bt.KindFlag = true
				m.BitSize = uint32(f.BitSize)
				if f.DataBitOffset != 0 || f.BitOffset == 0 {
					m.BitOffset = uint32(f.DataBitOffset)
				} else { // DWARF 2 style: bits counted from the storage unit's top
					m.BitOffset = uint32(f.ByteOffset*8 + f.ByteSize*8 - f.BitOffset - f.BitSize)
				}
			}
			bt.Members = append(bt.Members, m)
		}
	}
	if err != nil {
		return 0, err
	}
	return id, nil
}
