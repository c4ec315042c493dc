package btf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A decoded value is one of:
//
//	int64, uint64   integers, enums without a matching name, pointers
//	bool            bool
//	float64         floats
//	string          char arrays (up to the first NUL), enum names
//	Hex             what has no readable form (void, funcs, __int128)
//	[]any           arrays
//	Struct          structs, unions and datasecs: fields in layout order

// Field is one named member of a decoded Struct.
type Field struct {
	Name  string
	Value any
}

// Struct is a decoded struct: its fields in order. It marshals to a JSON
// object that keeps the order.
type Struct []Field

// MarshalJSON writes the fields as a JSON object, in order.
func (s Struct) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Hex is raw bytes shown as hex; it marshals to a JSON string.
type Hex []byte

func (h Hex) String() string { return hex.EncodeToString(h) }

// MarshalJSON writes the hex string.
func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }

// Decode decodes data as the type id. data must hold at least the type's
// size.
func (s *Spec) Decode(id uint32, data []byte) (any, error) {
	return s.decode(id, data, 0)
}

func (s *Spec) decode(id uint32, data []byte, depth int) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("btf: type %d nests too deep", id)
	}
	t, err := s.Resolve(id)
	if err != nil {
		return nil, err
	}
	size, err := s.Size(t.ID)
	if err != nil {
		if t.Kind == KindVoid || t.Kind == KindFwd || t.Kind == KindFunc || t.Kind == KindFuncProto {
			return Hex(append([]byte(nil), data...)), nil
		}
		return nil, err
	}
	if uint32(len(data)) < size {
		return nil, fmt.Errorf("btf: %s needs %d bytes, have %d", s.TypeName(id), size, len(data))
	}
	data = data[:size]
	switch t.Kind {
	case KindInt:
		if t.Encoding&IntBool != 0 {
			return s.uint(data) != 0, nil
		}
		if size > 8 {
			return Hex(append([]byte(nil), data...)), nil
		}
		if t.Encoding&IntSigned != 0 {
			return s.int(data), nil
		}
		return s.uint(data), nil
	case KindPtr:
		return s.uint(data), nil
	case KindEnum, KindEnum64:
		v := s.uint(data)
		signed := t.KindFlag
		var sv int64
		if signed {
			sv = s.int(data)
		}
		for _, m := range t.Members {
			if (signed && m.Value == sv) || (!signed && uint64(m.Value)&sizeMask(size) == v) {
				return m.Name, nil
			}
		}
		if signed {
			return sv, nil
		}
		return v, nil
	case KindFloat:
		switch size {
		case 4:
			return float64(math.Float32frombits(uint32(s.uint(data)))), nil
		case 8:
			return math.Float64frombits(s.uint(data)), nil
		}
		return Hex(append([]byte(nil), data...)), nil
	case KindArray:
		if s.isChar(t.Ref) {
			if i := bytes.IndexByte(data, 0); i >= 0 {
				data = data[:i]
			}
			return string(data), nil
		}
		esize, err := s.Size(t.Ref)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, t.Nelems)
		for i := uint32(0); i < t.Nelems; i++ {
			v, err := s.decode(t.Ref, data[i*esize:], depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case KindStruct, KindUnion:
		var out Struct
		for _, m := range t.Members {
			v, err := s.member(m, data, depth)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", m.Name, err)
			}
			if inner, ok := v.(Struct); ok && m.Name == "" {
				out = append(out, inner...) // anonymous struct or union: its fields are the outer's
				continue
			}
			out = append(out, Field{m.Name, v})
		}
		return out, nil
	case KindDatasec:
		var out Struct
		for _, sv := range t.Vars {
			vt, err := s.Type(sv.Type)
			if err != nil {
				return nil, err
			}
			if uint64(sv.Offset)+uint64(sv.Size) > uint64(len(data)) {
				return nil, fmt.Errorf("btf: variable %s beyond its section", vt.Name)
			}
			v, err := s.decode(sv.Type, data[sv.Offset:sv.Offset+sv.Size], depth+1)
			if err != nil {
				return nil, fmt.Errorf("variable %s: %w", vt.Name, err)
			}
			out = append(out, Field{vt.Name, v})
		}
		return out, nil
	}
	return Hex(append([]byte(nil), data...)), nil
}

// member decodes one struct member, bitfields included.
func (s *Spec) member(m Member, data []byte, depth int) (any, error) {
	if m.BitSize == 0 {
		mt, err := s.Resolve(m.Type)
		if err != nil {
			return nil, err
		}
		if m.BitOffset%8 == 0 && !(mt.Kind == KindInt && mt.Bits != 0 && uint32(mt.Bits) != mt.Size*8) {
			off := m.BitOffset / 8
			if off > uint32(len(data)) {
				return nil, fmt.Errorf("btf: offset %d beyond %d bytes", off, len(data))
			}
			return s.decode(m.Type, data[off:], depth+1)
		}
		if mt.Kind == KindInt {
			m.BitSize = uint32(mt.Bits)
		} else {
			return nil, fmt.Errorf("btf: unaligned member of kind %s", mt.Kind)
		}
	}
	// A bitfield: read the bytes that hold it, little-endian on LE targets.
	mt, err := s.Resolve(m.Type)
	if err != nil {
		return nil, err
	}
	start := m.BitOffset / 8
	end := (m.BitOffset + m.BitSize + 7) / 8
	if end > uint32(len(data)) || end-start > 8 {
		return nil, fmt.Errorf("btf: bitfield beyond its struct")
	}
	var raw uint64
	chunk := data[start:end]
	shift := m.BitOffset % 8
	if s.order.String() == "LittleEndian" {
		for i := len(chunk) - 1; i >= 0; i-- {
			raw = raw<<8 | uint64(chunk[i])
		}
		raw >>= shift
	} else {
		for _, b := range chunk {
			raw = raw<<8 | uint64(b)
		}
		raw >>= uint32(len(chunk))*8 - shift - m.BitSize
	}
	raw &= 1<<m.BitSize - 1
	signed := (mt.Kind == KindInt && mt.Encoding&IntSigned != 0) || (mt.Kind == KindEnum && mt.KindFlag)
	if mt.Kind == KindInt && mt.Encoding&IntBool != 0 {
		return raw != 0, nil
	}
	if signed && raw&(1<<(m.BitSize-1)) != 0 {
		return int64(raw | ^uint64(0)<<m.BitSize), nil
	}
	if signed {
		return int64(raw), nil
	}
	return raw, nil
}

func sizeMask(size uint32) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}

func (s *Spec) uint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(s.order.Uint16(b))
	case 4:
		return uint64(s.order.Uint32(b))
	case 8:
		return s.order.Uint64(b)
	}
	var v uint64
	for i := range b {
		if s.order.String() == "LittleEndian" {
			v |= uint64(b[i]) << (8 * i)
		} else {
			v = v<<8 | uint64(b[i])
		}
	}
	return v
}

func (s *Spec) int(b []byte) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(s.order.Uint16(b)))
	case 4:
		return int64(int32(s.order.Uint32(b)))
	}
	return int64(s.uint(b))
}

// isChar reports whether the array element id is a C char: an int named
// "char" (through qualifiers, not typedefs: a __u8 array is bytes), or one
// with the char encoding.
func (s *Spec) isChar(id uint32) bool {
	for range 16 {
		t, err := s.Type(id)
		if err != nil {
			return false
		}
		switch t.Kind {
		case KindConst, KindVolatile, KindRestrict, KindTypeTag:
			id = t.Ref
			continue
		case KindInt:
			return t.Size == 1 && (t.Name == "char" || t.Encoding&IntChar != 0)
		}
		return false
	}
	return false
}

// Sum adds b into a: integers and floats add, structs and arrays add
// member by member, anything else keeps a. It sums per-CPU values.
func Sum(a, b any) any {
	switch x := a.(type) {
	case uint64:
		if y, ok := b.(uint64); ok {
			return x + y
		}
	case int64:
		if y, ok := b.(int64); ok {
			return x + y
		}
	case float64:
		if y, ok := b.(float64); ok {
			return x + y
		}
	case []any:
		if y, ok := b.([]any); ok && len(x) == len(y) {
			out := make([]any, len(x))
			for i := range x {
				out[i] = Sum(x[i], y[i])
			}
			return out
		}
	case Struct:
		if y, ok := b.(Struct); ok && len(x) == len(y) {
			out := make(Struct, len(x))
			for i := range x {
				out[i] = Field{x[i].Name, Sum(x[i].Value, y[i].Value)}
			}
			return out
		}
	}
	return a
}

// Format renders a decoded value on one line: numbers as numbers, strings
// quoted, structs as {name=value ...}, arrays as [a b c].
func Format(v any) string {
	var b strings.Builder
	format(&b, v)
	return b.String()
}

func format(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("-")
	case string:
		b.WriteString(strconv.Quote(x))
	case Struct:
		b.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f.Name)
			b.WriteByte('=')
			format(b, f.Value)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			format(b, e)
		}
		b.WriteByte(']')
	case Hex:
		b.WriteString("0x")
		b.WriteString(x.String())
	default:
		fmt.Fprint(b, x)
	}
}
