package btf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrValue is wrapped by Encode errors about the value text itself.
var ErrValue = errors.New("invalid value")

// Member finds the member path under the type id, and returns its byte
// offset from the start of id and its type. path[0] names id itself (e.g.
// the variable "cfg"), for messages; the rest are member names ("pid").
// A path of one name is id itself.
func (s *Spec) Member(id uint32, path []string) (off uint32, typ uint32, err error) {
	typ = id
	for i := 1; i < len(path); i++ {
		name := path[i]
		t, err := s.Resolve(typ)
		if err != nil {
			return 0, 0, err
		}
		if t.Kind != KindStruct && t.Kind != KindUnion {
			return 0, 0, fmt.Errorf("%s is %s, not a struct: it has no member %q",
				strings.Join(path[:i], "."), s.TypeName(typ), name)
		}
		moff, mtyp, ok, err := s.findMember(t, name)
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			var names []string
			for _, m := range t.Members {
				names = append(names, m.Name)
			}
			return 0, 0, fmt.Errorf("%s (%s) has no member %q (members: %s)",
				strings.Join(path[:i], "."), s.TypeName(typ), name, strings.Join(names, ", "))
		}
		off += moff
		typ = mtyp
	}
	return off, typ, nil
}

// findMember looks name up in t, descending into anonymous members.
func (s *Spec) findMember(t *Type, name string) (uint32, uint32, bool, error) {
	for _, m := range t.Members {
		if m.Name == "" {
			inner, err := s.Resolve(m.Type)
			if err != nil {
				return 0, 0, false, err
			}
			if inner.Kind == KindStruct || inner.Kind == KindUnion {
				if off, typ, ok, err := s.findMember(inner, name); ok || err != nil {
					return off + m.BitOffset/8, typ, ok, err
				}
			}
			continue
		}
		if m.Name != name {
			continue
		}
		if m.BitSize != 0 || m.BitOffset%8 != 0 {
			return 0, 0, false, fmt.Errorf("member %s is a bitfield, which cannot be set", name)
		}
		return m.BitOffset / 8, m.Type, true, nil
	}
	return 0, 0, false, nil
}

// Encode writes text, parsed as the type id, into buf (at least the type's
// size): integers (decimal, 0x hex, 0o/0 octal, 0b binary; negative for
// signed types; range-checked), bools (true/false/1/0/yes/no/on/off),
// enums (an enumerator name or a number), floats, and strings into char
// arrays (they must leave room for the terminating NUL).
func (s *Spec) Encode(id uint32, text string, buf []byte) error {
	t, err := s.Resolve(id)
	if err != nil {
		return err
	}
	size, err := s.Size(id)
	if err != nil {
		return err
	}
	if uint32(len(buf)) < size {
		return fmt.Errorf("btf: %s needs %d bytes, have %d", s.TypeName(id), size, len(buf))
	}
	bad := func(why string) error {
		return fmt.Errorf("%w %q for %s: %s", ErrValue, text, s.TypeName(id), why)
	}
	switch t.Kind {
	case KindInt:
		if t.Encoding&IntBool != 0 {
			v, ok := parseBool(text)
			if !ok {
				return bad("want true or false")
			}
			s.put(buf[:size], b2u(v))
			return nil
		}
		if size > 8 {
			return bad(fmt.Sprintf("%d-byte integers cannot be set", size))
		}
		v, err := parseInt(text, size, t.Encoding&IntSigned != 0)
		if err != nil {
			return bad(err.Error())
		}
		s.put(buf[:size], v)
		return nil
	case KindEnum, KindEnum64:
		for _, m := range t.Members {
			if m.Name == text {
				s.put(buf[:size], uint64(m.Value)&sizeMask(size))
				return nil
			}
		}
		v, err := parseInt(text, size, t.KindFlag)
		if err != nil {
			var names []string
			for _, m := range t.Members {
				names = append(names, m.Name)
			}
			return bad("want one of " + strings.Join(names, ", ") + " or a number")
		}
		s.put(buf[:size], v)
		return nil
	case KindFloat:
		f, err := strconv.ParseFloat(text, int(size*8))
		if err != nil || (size != 4 && size != 8) {
			return bad("want a number")
		}
		if size == 4 {
			s.put(buf[:4], uint64(math.Float32bits(float32(f))))
		} else {
			s.put(buf[:8], math.Float64bits(f))
		}
		return nil
	case KindArray:
		if !s.isChar(t.Ref) {
			return bad("only char arrays can be set (as strings)")
		}
		if strings.IndexByte(text, 0) >= 0 {
			return bad("a C string cannot hold a NUL byte")
		}
		if uint32(len(text)) >= t.Nelems {
			return bad(fmt.Sprintf("string of %d bytes does not fit with its NUL", len(text)))
		}
		clear(buf[:size])
		copy(buf, text)
		return nil
	case KindPtr:
		return bad("pointers cannot be set")
	}
	return bad(fmt.Sprintf("a %s cannot be set from text", t.Kind))
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func parseBool(text string) (bool, bool) {
	switch strings.ToLower(text) {
	case "true", "1", "yes", "on", "y", "t":
		return true, true
	case "false", "0", "no", "off", "n", "f":
		return false, true
	}
	return false, false
}

// parseInt parses text as an integer of size bytes and returns its bits.
func parseInt(text string, size uint32, signed bool) (uint64, error) {
	bits := int(size * 8)
	if signed {
		v, err := strconv.ParseInt(text, 0, bits)
		if err != nil {
			return 0, numErr(err, fmt.Sprintf("want a signed %d-bit integer", bits))
		}
		return uint64(v) & sizeMask(size), nil
	}
	if strings.HasPrefix(text, "-") {
		return 0, fmt.Errorf("negative value for an unsigned %d-bit integer", bits)
	}
	v, err := strconv.ParseUint(text, 0, bits)
	if err != nil {
		return 0, numErr(err, fmt.Sprintf("want an unsigned %d-bit integer", bits))
	}
	return v, nil
}

func numErr(err error, want string) error {
	if errors.Is(err, strconv.ErrRange) {
		return errors.New("out of range: " + want)
	}
	return errors.New(want)
}

func (s *Spec) put(b []byte, v uint64) {
	switch len(b) {
	case 1:
		b[0] = byte(v)
	case 2:
		s.order.PutUint16(b, uint16(v))
	case 4:
		s.order.PutUint32(b, uint32(v))
	case 8:
		s.order.PutUint64(b, v)
	}
}

// DatasecVar is a global variable of a data section.
type DatasecVar struct {
	Name   string
	Type   uint32 // the variable's type (not the VAR)
	Offset uint32
	Size   uint32
}

// DatasecVars lists the variables of the DATASEC id.
func (s *Spec) DatasecVars(id uint32) ([]DatasecVar, error) {
	t, err := s.Type(id)
	if err != nil {
		return nil, err
	}
	if t.Kind != KindDatasec {
		return nil, fmt.Errorf("btf: type %d is %s, not a datasec", id, t.Kind)
	}
	var out []DatasecVar
	for _, v := range t.Vars {
		vt, err := s.Type(v.Type)
		if err != nil {
			return nil, err
		}
		out = append(out, DatasecVar{Name: vt.Name, Type: vt.Ref, Offset: v.Offset, Size: v.Size})
	}
	return out, nil
}
