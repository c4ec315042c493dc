package main

import (
	"fmt"
	"strings"

	"github.com/golibbpf/libbpf/internal/btf"
)

// typeGen turns BTF types into Go declarations whose memory layout is the
// C one, so that the generated code can copy a value's bytes in and out
// without reflection. Every struct and union becomes a named Go type;
// typedefs of scalars become Go's scalars.
type typeGen struct {
	spec   *btf.Spec
	prefix string          // the skeleton's name, before every type name
	used   map[string]bool // package-level identifiers taken
	named  map[uint32]*namedType
	order  []*namedType // in the order they were first needed
}

// namedType is a Go declaration made for a BTF struct, union or enum.
type namedType struct {
	id    uint32
	name  string
	cname string // "struct event", for the doc comment
	align int    // the Go alignment of the declaration
	size  int
	decl  strings.Builder
	// asserts are "expr-value" pairs checked at compile time: the type's
	// size and the offset of each field.
	asserts []string
}

// goType is a Go type expression with its layout.
type goType struct {
	expr  string
	size  int
	align int
}

func newTypeGen(spec *btf.Spec, prefix string, used map[string]bool) *typeGen {
	return &typeGen{spec: spec, prefix: prefix, used: used, named: map[uint32]*namedType{}}
}

// typeOf returns the Go type for the BTF type id. hint names an anonymous
// struct, union or enum ("EventU" for member u of struct event).
func (g *typeGen) typeOf(id uint32, hint string) (goType, error) {
	t, err := g.spec.Type(id)
	if err != nil {
		return goType{}, err
	}
	switch t.Kind {
	case btf.KindTypedef:
		if r, err := g.spec.Resolve(t.Ref); err == nil && r.Name == "" {
			hint = g.prefix + goName(t.Name) // typedef struct {...} name_t
		}
		return g.typeOf(t.Ref, hint)
	case btf.KindConst, btf.KindVolatile, btf.KindRestrict, btf.KindTypeTag, btf.KindVar:
		return g.typeOf(t.Ref, hint)
	case btf.KindInt:
		return intType(t)
	case btf.KindPtr:
		return goType{"uint64", 8, 8}, nil // BPF pointers are 64-bit
	case btf.KindFloat:
		switch t.Size {
		case 4:
			return goType{"float32", 4, 4}, nil
		case 8:
			return goType{"float64", 8, 8}, nil
		}
		return goType{fmt.Sprintf("[%d]byte", t.Size), int(t.Size), 1}, nil
	case btf.KindArray:
		elem, err := g.typeOf(t.Ref, hint)
		if err != nil {
			return goType{}, err
		}
		return goType{fmt.Sprintf("[%d]%s", t.Nelems, elem.expr), elem.size * int(t.Nelems), elem.align}, nil
	case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64:
		n, err := g.declare(t, hint)
		if err != nil {
			return goType{}, err
		}
		return goType{n.name, n.size, n.align}, nil
	case btf.KindFwd:
		return goType{}, fmt.Errorf("%s is only declared (a forward declaration), its layout is unknown", g.spec.TypeName(id))
	}
	return goType{}, fmt.Errorf("type %s (%s) has no Go form", g.spec.TypeName(id), t.Kind)
}

// intType maps a BTF integer to Go: char to byte, _Bool to bool, the
// 128-bit integers to two uint64 (little-endian halves).
func intType(t *btf.Type) (goType, error) {
	signed := t.Encoding&btf.IntSigned != 0
	switch {
	case t.Encoding&btf.IntBool != 0 && t.Size == 1:
		return goType{"bool", 1, 1}, nil
	case t.Name == "char" || t.Encoding&btf.IntChar != 0:
		return goType{"byte", 1, 1}, nil
	case t.Size == 16:
		return goType{"[2]uint64", 16, 8}, nil
	}
	var expr string
	switch t.Size {
	case 1, 2, 4, 8:
		expr = fmt.Sprintf("int%d", t.Size*8)
	default:
		return goType{}, fmt.Errorf("integer %s of %d bytes has no Go form", t.Name, t.Size)
	}
	if !signed {
		expr = "u" + expr
	}
	return goType{expr, int(t.Size), int(t.Size)}, nil
}

// declare makes (once) the named Go type of a struct, union or enum.
func (g *typeGen) declare(t *btf.Type, hint string) (*namedType, error) {
	if n := g.named[t.ID]; n != nil {
		return n, nil
	}
	name := hint
	if t.Name != "" {
		name = g.prefix + goName(t.Name)
	}
	if name == "" {
		name = fmt.Sprintf("%sAnon%d", g.prefix, t.ID)
	}
	n := &namedType{id: t.ID, name: uniqueName(g.used, name), cname: g.spec.TypeName(t.ID), size: int(t.Size)}
	g.named[t.ID] = n
	var err error
	switch t.Kind {
	case btf.KindEnum, btf.KindEnum64:
		err = g.enumDecl(n, t)
	case btf.KindUnion:
		err = g.unionDecl(n, t)
	default:
		err = g.structDecl(n, t)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.cname, err)
	}
	g.order = append(g.order, n)
	return n, nil
}

func (g *typeGen) enumDecl(n *namedType, t *btf.Type) error {
	under := fmt.Sprintf("int%d", t.Size*8)
	if !t.KindFlag {
		under = "u" + under
	}
	switch t.Size {
	case 1, 2, 4, 8:
	default:
		return fmt.Errorf("an enum of %d bytes has no Go form", t.Size)
	}
	n.align = int(t.Size)
	fmt.Fprintf(&n.decl, "// %s is %s.\ntype %s %s\n\n", n.name, n.cname, n.name, under)
	if len(t.Members) == 0 {
		return nil
	}
	strip := strings.ToUpper(t.Name) + "_"
	n.decl.WriteString("const (\n")
	for _, m := range t.Members {
		cn := m.Name
		if t.Name != "" && strings.HasPrefix(strings.ToUpper(cn), strip) && len(cn) > len(strip) {
			cn = cn[len(strip):]
		}
		name := uniqueName(g.used, n.name+goName(cn))
		value := fmt.Sprint(m.Value)
		if !t.KindFlag {
			value = fmt.Sprint(uint64(m.Value) & sizeMask(t.Size))
		}
		fmt.Fprintf(&n.decl, "\t%s %s = %s // %s\n", name, n.name, value, m.Name)
	}
	n.decl.WriteString(")\n")
	return nil
}

func sizeMask(size uint32) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}

// field is one Go field of a struct in the making.
type field struct {
	name     string
	typ      goType
	offset   int
	cname    string // the C member, for the comment
	embedded bool   // an anonymous union, whose accessors Go promotes
}

// bitfield is an accessor pair for a C bitfield, reading the bytes of the
// storage field that holds its run of bitfields.
type bitfield struct {
	name    string
	cname   string
	storage string // the storage field
	byteLo  int    // first byte in the storage
	nbytes  int
	shift   int // bit position in the little-endian integer of those bytes
	bits    int
	typ     goType
	signed  bool
}

// member is a C member at its place in the outermost struct.
type member struct {
	btf.Member
	bitOffset uint32 // from the start of the struct being declared
}

// flatten lists a struct's members with the members of anonymous structs
// in place, the way C reaches them (s.x for a member x of an anonymous
// struct of s). Anonymous unions stay members.
func (g *typeGen) flatten(t *btf.Type, base uint32, out []member) ([]member, error) {
	for _, m := range t.Members {
		m := member{Member: m, bitOffset: base + m.BitOffset}
		if m.Name == "" && m.BitSize == 0 {
			r, err := g.spec.Resolve(m.Type)
			if err != nil {
				return nil, err
			}
			if r.Kind == btf.KindStruct {
				var err error
				if out, err = g.flatten(r, m.bitOffset, out); err != nil {
					return nil, err
				}
				continue
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// bitfieldOf says whether m is a bitfield: its width and its offset
// (structs without BTF's kind flag encode them in the int type).
func (g *typeGen) bitfieldOf(m member) (bits, offset uint32, err error) {
	if m.BitSize != 0 {
		return m.BitSize, m.bitOffset, nil
	}
	r, err := g.spec.Resolve(m.Type)
	if err != nil {
		return 0, 0, err
	}
	if r.Kind == btf.KindInt && (uint32(r.Bits) != r.Size*8 || r.BitOffset != 0) && !(r.Encoding&btf.IntBool != 0 && r.Bits == 1 && r.BitOffset == 0) {
		return uint32(r.Bits), m.bitOffset + uint32(r.BitOffset), nil
	}
	if m.bitOffset%8 != 0 {
		return 0, 0, fmt.Errorf("member %s at bit %d is not a bitfield and not at a byte boundary", m.Name, m.bitOffset)
	}
	return 0, m.bitOffset, nil
}

func (g *typeGen) structDecl(n *namedType, t *btf.Type) error {
	members, err := g.flatten(t, 0, nil)
	if err != nil {
		return err
	}
	names := map[string]bool{"MarshalBinary": true, "UnmarshalBinary": true}
	var fields []field
	var bfs []bitfield
	var omitted []string
	for i := 0; i < len(members); i++ {
		m := members[i]
		bits, off, err := g.bitfieldOf(m)
		if err != nil {
			return err
		}
		if bits == 0 {
			typ, err := g.memberType(m, n.name)
			if err != nil {
				return err
			}
			if typ.size == 0 {
				omitted = append(omitted, m.Name)
				continue
			}
			name, embedded := goName(m.Name), m.Name == ""
			if embedded { // an anonymous union: embedded, its accessors promoted
				name = typ.expr
			}
			fields = append(fields, field{name: uniqueName(names, name), typ: typ, offset: int(off / 8),
				cname: strings.TrimSpace(g.spec.TypeName(m.Type) + " " + m.Name), embedded: embedded})
			continue
		}
		// A run of bitfields: one byte array covering them all.
		type bfm struct {
			m         member
			bits, off uint32
		}
		run := []bfm{{m, bits, off}}
		for i+1 < len(members) {
			b, o, err := g.bitfieldOf(members[i+1])
			if err != nil {
				return err
			}
			if b == 0 {
				break
			}
			i++
			run = append(run, bfm{members[i], b, o})
		}
		lo, hi := run[0].off/8, uint32(0)
		for _, b := range run {
			hi = max(hi, (b.off+b.bits+7)/8)
		}
		storage := uniqueName(names, fmt.Sprintf("bitfields%d", len(bfs)))
		fields = append(fields, field{name: storage, typ: goType{fmt.Sprintf("[%d]byte", hi-lo), int(hi - lo), 1}, offset: int(lo),
			cname: "bitfields " + bitfieldNames(run[0].m.Name, run[len(run)-1].m.Name)})
		for _, b := range run {
			if b.m.Name == "" { // unnamed padding bitfield
				continue
			}
			typ, err := g.typeOf(b.m.Type, "")
			if err != nil {
				return fmt.Errorf("bitfield %s: %w", b.m.Name, err)
			}
			r, _ := g.spec.Resolve(b.m.Type)
			signed := r.Kind == btf.KindInt && r.Encoding&btf.IntSigned != 0 || (r.Kind == btf.KindEnum || r.Kind == btf.KindEnum64) && r.KindFlag
			byteLo := b.off/8 - lo
			shift := b.off % 8
			nbytes := (shift + b.bits + 7) / 8
			if nbytes > 8 {
				return fmt.Errorf("bitfield %s spans %d bytes; at most 8 are supported", b.m.Name, nbytes)
			}
			bfs = append(bfs, bitfield{name: uniqueName(names, goName(b.m.Name)), cname: b.m.Name, storage: storage,
				byteLo: int(byteLo), nbytes: int(nbytes), shift: int(shift), bits: int(b.bits), typ: typ, signed: signed})
		}
	}
	fields = fitLayout(fields, int(t.Size))
	n.align = structAlign(fields)
	fmt.Fprintf(&n.decl, "// %s is %s (%d bytes).", n.name, n.cname, t.Size)
	if len(bfs) > 0 {
		n.decl.WriteString(" Its bitfields are read and written by methods, over the bytes that hold them.")
	}
	for _, o := range omitted {
		fmt.Fprintf(&n.decl, " The zero-size member %s (a flexible array, or an empty struct) is left out.", o)
	}
	fmt.Fprintf(&n.decl, "\ntype %s struct {\n", n.name)
	n.asserts = append(n.asserts, fmt.Sprintf("unsafe.Sizeof(%s{})-%d", n.name, t.Size))
	cur := 0
	for _, f := range fields {
		if f.offset > cur {
			fmt.Fprintf(&n.decl, "\t_ [%d]byte\n", f.offset-cur)
		}
		if f.embedded {
			fmt.Fprintf(&n.decl, "\t%s // anonymous union\n", f.name)
		} else {
			fmt.Fprintf(&n.decl, "\t%s %s // %s\n", f.name, f.typ.expr, f.cname)
		}
		n.asserts = append(n.asserts, fmt.Sprintf("unsafe.Offsetof(%s{}.%s)-%d", n.name, f.name, f.offset))
		cur = f.offset + f.typ.size
	}
	if cur < int(t.Size) {
		fmt.Fprintf(&n.decl, "\t_ [%d]byte\n", int(t.Size)-cur)
	}
	n.decl.WriteString("}\n")
	for _, b := range bfs {
		writeBitfield(&n.decl, n.name, b)
	}
	writeBinaryMethods(&n.decl, n.name)
	return nil
}

func bitfieldNames(first, last string) string {
	if first == last {
		return first
	}
	return first + " to " + last
}

// memberType is the Go type of a member; anonymous structs and unions are
// named after the struct and the member.
func (g *typeGen) memberType(m member, parent string) (goType, error) {
	hint := parent + goName(m.Name)
	if m.Name == "" {
		hint = parent + "Union"
	}
	typ, err := g.typeOf(m.Type, hint)
	if err != nil {
		return goType{}, fmt.Errorf("member %s: %w", m.Name, err)
	}
	return typ, nil
}

// fitLayout makes the Go layout the C one: a field whose Go alignment its
// offset does not honour, or that the struct's size does not allow (packed
// structs), becomes a byte array of its size, so that Go adds no padding
// of its own.
func fitLayout(fields []field, size int) []field {
	maxAlign := 8
	for size%maxAlign != 0 {
		maxAlign /= 2
	}
	for i, f := range fields {
		if f.typ.align > maxAlign || f.offset%f.typ.align != 0 {
			fields[i].typ = goType{fmt.Sprintf("[%d]byte", f.typ.size), f.typ.size, 1}
			fields[i].cname += " (unaligned in C: its bytes)"
			fields[i].embedded = false
		}
	}
	return fields
}

func structAlign(fields []field) int {
	a := 1
	for _, f := range fields {
		a = max(a, f.typ.align)
	}
	return a
}

// writeBitfield writes the getter and setter of one bitfield. The bytes
// that hold it are read as a little-endian integer (BTF's bit offsets on a
// little-endian object count from the least significant bit of the first
// byte).
func writeBitfield(w *strings.Builder, typ string, b bitfield) {
	span := fmt.Sprintf("s.%s[%d:%d]", b.storage, b.byteLo, b.byteLo+b.nbytes)
	fmt.Fprintf(w, "\n// %s returns the bitfield %s (%d bits).\nfunc (s *%s) %s() %s {\n", b.name, b.cname, b.bits, typ, b.name, b.typ.expr)
	fmt.Fprintf(w, "\tvar v uint64\n\tfor i, c := range %s {\n\t\tv |= uint64(c) << (8 * i)\n\t}\n", span)
	switch {
	case b.typ.expr == "bool":
		fmt.Fprintf(w, "\treturn v>>%d&1 != 0\n}\n", b.shift)
	case b.signed:
		fmt.Fprintf(w, "\treturn %s(int64(v<<%d) >> %d)\n}\n", b.typ.expr, 64-b.shift-b.bits, 64-b.bits)
	default:
		fmt.Fprintf(w, "\treturn %s(v%s & %#x)\n}\n", b.typ.expr, shiftBy(">>", b.shift), uint64(1)<<b.bits-1)
	}
	fmt.Fprintf(w, "\n// Set%s sets the bitfield %s; bits beyond its %d are dropped.\nfunc (s *%s) Set%s(x %s) {\n", b.name, b.cname, b.bits, typ, b.name, b.typ.expr)
	if b.typ.expr == "bool" {
		w.WriteString("\tvar u uint64\n\tif x {\n\t\tu = 1\n\t}\n")
	} else {
		w.WriteString("\tu := uint64(x)\n")
	}
	mask := (uint64(1)<<b.bits - 1) << b.shift
	if b.bits == 64 {
		mask = ^uint64(0)
	}
	fmt.Fprintf(w, "\tconst mask = uint64(%#x)\n\tv := u%s & mask\n", mask, shiftBy("<<", b.shift))
	fmt.Fprintf(w, "\tfor i := range %s {\n\t\tm := byte(mask >> (8 * i))\n\t\ts.%s[%d+i] = s.%s[%d+i]&^m | byte(v>>(8*i))&m\n\t}\n}\n",
		span, b.storage, b.byteLo, b.storage, b.byteLo)
}

// shiftBy spells a shift, or nothing for a shift by 0.
func shiftBy(op string, n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" %s %d", op, n)
}

// writeBinaryMethods gives a struct or union encoding.BinaryMarshaler and
// BinaryUnmarshaler: its bytes as C lays them out, for map keys and values
// and for records.
func writeBinaryMethods(w *strings.Builder, typ string) {
	fmt.Fprintf(w, `
// MarshalBinary returns the value's bytes in C's layout.
func (s *%[1]s) MarshalBinary() ([]byte, error) {
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))...), nil
}

// UnmarshalBinary sets the value from its C bytes: a record or a map value.
// data may be longer (a record with a payload past the struct).
func (s *%[1]s) UnmarshalBinary(data []byte) error {
	if len(data) < int(unsafe.Sizeof(*s)) {
		return fmt.Errorf("%[1]s: %%d bytes, want %%d", len(data), unsafe.Sizeof(*s))
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s)), data)
	return nil
}
`, typ)
}

// unionDecl makes a union a byte array aligned like the union, with a
// method per member that returns a pointer to the member's view of it.
func (g *typeGen) unionDecl(n *namedType, t *btf.Type) error {
	type view struct {
		name, cname string
		typ         goType
	}
	names := map[string]bool{"MarshalBinary": true, "UnmarshalBinary": true, "Raw": true}
	var views []view
	var notes strings.Builder
	align := 1
	for i, m := range t.Members {
		if m.BitSize != 0 || m.BitOffset != 0 {
			fmt.Fprintf(&notes, "// The bitfield member %s has no view: use Raw.\n", m.Name)
			continue
		}
		hint := n.name + goName(m.Name)
		name := goName(m.Name)
		if m.Name == "" {
			name = fmt.Sprintf("Anon%d", i)
			hint = n.name + name
		}
		typ, err := g.typeOf(m.Type, hint)
		if err != nil {
			return fmt.Errorf("member %s: %w", m.Name, err)
		}
		if typ.size == 0 {
			continue
		}
		align = max(align, typ.align)
		views = append(views, view{uniqueName(names, name), m.Name, typ})
	}
	for int(t.Size)%align != 0 {
		align /= 2
	}
	n.align = align
	fmt.Fprintf(&n.decl, "// %s is %s (%d bytes): its bytes, and a method per member that views them as the member's type.\ntype %s struct {\n", n.name, n.cname, t.Size, n.name)
	if align > 1 {
		fmt.Fprintf(&n.decl, "\t_ [0]uint%d // the union's alignment\n", align*8)
	}
	fmt.Fprintf(&n.decl, "\tRaw [%d]byte\n}\n", t.Size)
	n.asserts = append(n.asserts, fmt.Sprintf("unsafe.Sizeof(%s{})-%d", n.name, t.Size),
		fmt.Sprintf("unsafe.Offsetof(%s{}.Raw)-0", n.name))
	for _, v := range views {
		if v.typ.align > align {
			// Only in a packed union: the member cannot be viewed in place.
			fmt.Fprintf(&n.decl, "\n// The member %s of %s is not aligned in Go: use Raw.\n", v.cname, n.cname)
			continue
		}
		cname := v.cname
		if cname == "" {
			cname = "(anonymous)"
		}
		fmt.Fprintf(&n.decl, "\n// %s views the union as its member %s.\nfunc (u *%s) %s() *%s {\n\treturn (*%s)(unsafe.Pointer(&u.Raw))\n}\n",
			v.name, cname, n.name, v.name, v.typ.expr, v.typ.expr)
	}
	if notes.Len() > 0 {
		n.decl.WriteString("\n" + notes.String())
	}
	writeBinaryMethods(&n.decl, n.name)
	return nil
}

// goName turns a C name into an exported Go identifier, a word per
// underscore-separated part: min_us -> MinUs, COLOR_RED -> ColorRed.
func goName(c string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(c, func(r rune) bool { return !isAlnum(r) }) {
		if strings.ToUpper(part) == part {
			part = strings.ToLower(part)
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "X" + s
	}
	return s
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// uniqueName returns name, or name with a number appended when name is
// taken, and marks it taken.
func uniqueName(used map[string]bool, name string) string {
	n := name
	for i := 2; used[n]; i++ {
		n = fmt.Sprintf("%s%d", name, i)
	}
	used[n] = true
	return n
}
