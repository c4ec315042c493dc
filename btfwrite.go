package libbpf

import "fmt"

// Writing BTF: btf.h's btf__add_* functions append a type to a BTF and
// return its id; members, enumerators, parameters and datasec variables are
// added to the type added last. Tools that generate BTF (for a program
// loaded from instructions, for CO-RE against a trimmed base) use them with
// NewEmptyBTF, then Dedup, RawData or LoadIntoKernel. Modifying a BTF
// invalidates nothing in Go: every BTFType is a copy.

// NewEmptyBTF returns a BTF with no types (btf__new_empty), or split BTF
// over base with none of its own (btf__new_empty_split).
func NewEmptyBTF(base *BTF) (*BTF, error) {
	b, err := newSplitBTF("new", base, btfNewEmpty)
	if err != nil {
		return nil, fmt.Errorf("new empty BTF: %w", err)
	}
	return b, nil
}

// add runs a btf__add_* wrapper and wraps its error with what.
func (b *BTF) add(what func() string, fn func(*cBTF) (uint32, error)) (uint32, error) {
	var id uint32
	err := b.do(func(c *cBTF) (err error) {
		id, err = fn(c)
		return err
	}, func() string { return "add " + what() })
	return id, err
}

// addTo runs a wrapper that adds to the last type and returns no id.
func (b *BTF) addTo(what func() string, fn func(*cBTF) error) error {
	return b.do(fn, func() string { return "add " + what() })
}

// source returns src's libbpf BTF for copying into c, which must be
// another BTF: libbpf reads the source while it grows the destination.
func (src *BTF) source(c *cBTF) (*cBTF, error) {
	s, err := src.ptr()
	if err == nil && s == c {
		err = fmt.Errorf("a BTF cannot copy its own types: %w", errInvalidArgument)
	}
	return s, err
}

// AddStr adds s to the string section and returns its offset
// (btf__add_str); a string already there is not added twice.
func (b *BTF) AddStr(s string) (uint32, error) {
	return b.add(func() string { return fmt.Sprintf("string %q", s) }, func(c *cBTF) (uint32, error) { return btfAddStr(c, s) })
}

// AddType copies type srcID of src, with its strings, into b
// (btf__add_type); the ids it refers to are kept as they are. src must be
// another BTF.
func (b *BTF) AddType(src *BTF, srcID uint32) (uint32, error) {
	return b.add(func() string { return fmt.Sprintf("type %d of BTF %s", srcID, src.label()) }, func(c *cBTF) (uint32, error) {
		s, err := src.source(c)
		if err != nil {
			return 0, err
		}
		return btfAddType(c, s, srcID)
	})
}

// AddBTF appends every type of src to b, renumbering their references, and
// returns the id the first one got (btf__add_btf). src must be another
// BTF.
func (b *BTF) AddBTF(src *BTF) (uint32, error) {
	return b.add(func() string { return "the types of BTF " + src.label() }, func(c *cBTF) (uint32, error) {
		s, err := src.source(c)
		if err != nil {
			return 0, err
		}
		return btfAddBTF(c, s)
	})
}

// The BTF_INT_* encoding bits of AddInt.
const (
	BTFIntSigned uint8 = 1 << 0
	BTFIntChar   uint8 = 1 << 1
	BTFIntBool   uint8 = 1 << 2
)

// AddInt adds an integer type of size bytes (btf__add_int).
func (b *BTF) AddInt(name string, size int, encoding uint8) (uint32, error) {
	return b.add(func() string { return "int " + name }, func(c *cBTF) (uint32, error) { return btfAddInt(c, name, size, encoding) })
}

// AddFloat adds a floating-point type of size bytes (btf__add_float).
func (b *BTF) AddFloat(name string, size int) (uint32, error) {
	return b.add(func() string { return "float " + name }, func(c *cBTF) (uint32, error) { return btfAddFloat(c, name, size) })
}

// AddPtr adds a pointer to type ref (btf__add_ptr).
func (b *BTF) AddPtr(ref uint32) (uint32, error) {
	return b.add(func() string { return fmt.Sprintf("pointer to %d", ref) }, func(c *cBTF) (uint32, error) { return btfAddPtr(c, ref) })
}

// AddArray adds an array of nelems elements of elemType indexed by
// indexType (btf__add_array).
func (b *BTF) AddArray(indexType, elemType, nelems uint32) (uint32, error) {
	return b.add(func() string { return fmt.Sprintf("array of %d × %d", nelems, elemType) },
		func(c *cBTF) (uint32, error) { return btfAddArray(c, indexType, elemType, nelems) })
}

// AddStruct adds a struct of size bytes (btf__add_struct); AddField adds
// its members.
func (b *BTF) AddStruct(name string, size uint32) (uint32, error) {
	return b.add(func() string { return "struct " + name }, func(c *cBTF) (uint32, error) { return btfAddStruct(c, name, size, false) })
}

// AddUnion adds a union of size bytes (btf__add_union); AddField adds its
// members.
func (b *BTF) AddUnion(name string, size uint32) (uint32, error) {
	return b.add(func() string { return "union " + name }, func(c *cBTF) (uint32, error) { return btfAddStruct(c, name, size, true) })
}

// AddField adds a member to the struct or union added last
// (btf__add_field); bitSize is 0 unless it is a bitfield.
func (b *BTF) AddField(name string, typ, bitOffset, bitSize uint32) error {
	return b.addTo(func() string { return "field " + name }, func(c *cBTF) error { return btfAddField(c, name, typ, bitOffset, bitSize) })
}

// AddEnum adds an enum of size bytes (btf__add_enum); AddEnumValue adds its
// enumerators.
func (b *BTF) AddEnum(name string, size uint32) (uint32, error) {
	return b.add(func() string { return "enum " + name }, func(c *cBTF) (uint32, error) { return btfAddEnum(c, name, size) })
}

// AddEnumValue adds an enumerator to the enum added last
// (btf__add_enum_value).
func (b *BTF) AddEnumValue(name string, value int64) error {
	return b.addTo(func() string { return "enumerator " + name }, func(c *cBTF) error { return btfAddEnumValue(c, name, value) })
}

// AddEnum64 adds a 64-bit enum (btf__add_enum64); AddEnum64Value adds its
// enumerators.
func (b *BTF) AddEnum64(name string, size uint32, signed bool) (uint32, error) {
	return b.add(func() string { return "enum64 " + name }, func(c *cBTF) (uint32, error) { return btfAddEnum64(c, name, size, signed) })
}

// AddEnum64Value adds an enumerator to the enum64 added last
// (btf__add_enum64_value).
func (b *BTF) AddEnum64Value(name string, value uint64) error {
	return b.addTo(func() string { return "enumerator " + name }, func(c *cBTF) error { return btfAddEnum64Value(c, name, value) })
}

// BTFFwdKind is what a forward declaration declares (enum btf_fwd_kind).
type BTFFwdKind uint32

// The kinds of forward declarations.
const (
	BTFFwdStruct BTFFwdKind = iota
	BTFFwdUnion
	BTFFwdEnum
)

// AddFwd adds a forward declaration (btf__add_fwd).
func (b *BTF) AddFwd(name string, kind BTFFwdKind) (uint32, error) {
	return b.add(func() string { return "forward declaration " + name }, func(c *cBTF) (uint32, error) { return btfAddFwd(c, name, kind) })
}

// addRef adds a type of kind referring to ref.
func (b *BTF) addRef(kind BTFKind, name string, ref uint32, attr bool) (uint32, error) {
	return b.add(func() string { return fmt.Sprintf("%s %s of %d", kind, name, ref) },
		func(c *cBTF) (uint32, error) { return btfAddRef(c, kind, name, ref, attr) })
}

// AddTypedef adds a typedef of ref (btf__add_typedef).
func (b *BTF) AddTypedef(name string, ref uint32) (uint32, error) {
	return b.addRef(BTFKindTypedef, name, ref, false)
}

// AddVolatile adds a volatile ref (btf__add_volatile).
func (b *BTF) AddVolatile(ref uint32) (uint32, error) {
	return b.addRef(BTFKindVolatile, "", ref, false)
}

// AddConst adds a const ref (btf__add_const).
func (b *BTF) AddConst(ref uint32) (uint32, error) { return b.addRef(BTFKindConst, "", ref, false) }

// AddRestrict adds a restrict ref (btf__add_restrict).
func (b *BTF) AddRestrict(ref uint32) (uint32, error) {
	return b.addRef(BTFKindRestrict, "", ref, false)
}

// AddTypeTag adds a btf_type_tag(value) on ref (btf__add_type_tag).
func (b *BTF) AddTypeTag(value string, ref uint32) (uint32, error) {
	return b.addRef(BTFKindTypeTag, value, ref, false)
}

// AddTypeAttr adds a type tag that stands for __attribute__((value)) on ref
// (btf__add_type_attr).
func (b *BTF) AddTypeAttr(value string, ref uint32) (uint32, error) {
	return b.addRef(BTFKindTypeTag, value, ref, true)
}

// The linkages of AddFunc (enum btf_func_linkage) and AddVar.
const (
	BTFLinkageStatic = 0
	BTFLinkageGlobal = 1
	BTFLinkageExtern = 2
)

// AddFunc adds a function of prototype proto (btf__add_func).
func (b *BTF) AddFunc(name string, linkage uint32, proto uint32) (uint32, error) {
	return b.add(func() string { return "func " + name }, func(c *cBTF) (uint32, error) { return btfAddFunc(c, name, linkage, proto) })
}

// AddFuncProto adds a function prototype returning ret, 0 for void
// (btf__add_func_proto); AddFuncParam adds its parameters.
func (b *BTF) AddFuncProto(ret uint32) (uint32, error) {
	return b.add(func() string { return "func_proto" }, func(c *cBTF) (uint32, error) { return btfAddFuncProto(c, ret) })
}

// AddFuncParam adds a parameter to the prototype added last
// (btf__add_func_param).
func (b *BTF) AddFuncParam(name string, typ uint32) error {
	return b.addTo(func() string { return "parameter " + name }, func(c *cBTF) error { return btfAddFuncParam(c, name, typ) })
}

// AddVar adds a variable (btf__add_var).
func (b *BTF) AddVar(name string, linkage uint32, typ uint32) (uint32, error) {
	return b.add(func() string { return "var " + name }, func(c *cBTF) (uint32, error) { return btfAddVar(c, name, linkage, typ) })
}

// AddDatasec adds a data section of size bytes (btf__add_datasec);
// AddDatasecVarInfo adds its variables.
func (b *BTF) AddDatasec(name string, size uint32) (uint32, error) {
	return b.add(func() string { return "datasec " + name }, func(c *cBTF) (uint32, error) { return btfAddDatasec(c, name, size) })
}

// AddDatasecVarInfo adds variable varType at offset to the datasec added
// last (btf__add_datasec_var_info).
func (b *BTF) AddDatasecVarInfo(varType, offset, size uint32) error {
	return b.addTo(func() string { return fmt.Sprintf("datasec variable %d", varType) },
		func(c *cBTF) error { return btfAddDatasecVarInfo(c, varType, offset, size) })
}

// AddDeclTag adds a btf_decl_tag(value) on ref, or on its member or
// parameter component (-1: ref itself) (btf__add_decl_tag).
func (b *BTF) AddDeclTag(value string, ref uint32, component int) (uint32, error) {
	return b.add(func() string { return "decl tag " + value }, func(c *cBTF) (uint32, error) { return btfAddDeclTag(c, value, ref, component, false) })
}

// AddDeclAttr adds a declaration tag that stands for
// __attribute__((value)) (btf__add_decl_attr).
func (b *BTF) AddDeclAttr(value string, ref uint32, component int) (uint32, error) {
	return b.add(func() string { return "decl attr " + value }, func(c *cBTF) (uint32, error) { return btfAddDeclTag(c, value, ref, component, true) })
}

// Dedup merges duplicate types and strings (btf__dedup); ids change.
func (b *BTF) Dedup() error {
	return b.do(btfDedup, func() string { return "dedup" })
}

// Relocate makes split BTF refer to base instead of the base it was made
// on, matching types by name and shape (btf__relocate); b's Base is base
// afterwards.
func (b *BTF) Relocate(base *BTF) error {
	err := b.do(func(c *cBTF) error {
		cb, err := base.ptr()
		if err != nil {
			return err
		}
		return btfRelocate(c, cb)
	}, func() string { return "relocate onto BTF " + base.label() })
	if err == nil {
		b.base = base
	}
	return err
}

// DistillBase splits split BTF b into a minimal base holding only the base
// types b refers to, and new split BTF over it (btf__distill_base): what a
// module carries so that Relocate can move it onto another kernel's BTF.
// The caller closes both; newSplit's Base is newBase.
func (b *BTF) DistillBase() (newBase, newSplit *BTF, err error) {
	err = b.do(func(c *cBTF) error {
		cb, cs, err := btfDistillBase(c)
		if err != nil {
			return err
		}
		newBase = newBTF(cb, "distilled base of "+b.label(), nil)
		newSplit = newBTF(cs, "distilled "+b.label(), newBase)
		return nil
	}, func() string { return "distill base" })
	return newBase, newSplit, err
}

// Permute renumbers the types in place, updating every reference
// (btf__permute): idMap[id] is the new id of type id, and idMap[0] must be
// 0; of split BTF, idMap[id-first] for its own types, first being its
// base's TypeCnt.
//
// libbpf 1.7's btf__permute leaves the BTF's type buffer smaller than it
// records, so that the next Add* writes past it; Permute therefore replaces
// the libbpf BTF by a copy made from its raw data, keeping its fd
// (libbpf/WORKAROUNDS.md).
func (b *BTF) Permute(idMap []uint32) error {
	return b.do(func(c *cBTF) error {
		if err := btfPermute(c, idMap); err != nil {
			return err
		}
		var base *cBTF
		if b.base != nil {
			base = b.base.c
		}
		fresh, err := btfNew(btfRawData(c), base)
		if err != nil {
			return fmt.Errorf("copy after permuting: %w", err)
		}
		btfSetFD(fresh, btfFD(c))
		btfSetFD(c, -1)
		btfFree(c)
		b.c = fresh
		return nil
	}, func() string { return fmt.Sprintf("permute %d types", len(idMap)) })
}
