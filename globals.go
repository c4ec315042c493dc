package libbpf

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/golibbpf/libbpf/internal/btf"
)

// Variable is a global variable of an object's data sections (.rodata,
// .data, .bss, .kconfig, and custom .data.* and .rodata.* sections), the
// Go twin of a C skeleton's skel->rodata->name. Before Load, Set changes the
// value the variable starts with; after Load, Get and Set read and write the
// live map through libbpf's mmap of it, so a running program sees a write at
// once. .rodata variables are frozen by Load and .kconfig ones are libbpf's
// to fill: writing them then fails with ErrReadOnly. Reads and writes are
// plain memory copies, not atomic with respect to the programs.
type Variable struct {
	m       *Map
	spec    *btf.Spec
	name    string // with the member path for a Member view
	section string
	typ     uint32 // BTF type id of the value
	offset  uint32 // in the section
	size    uint32
}

// globalTable is an object's variables, found once.
type globalTable struct {
	spec *btf.Spec
	vars []*Variable
	err  error
}

// Name returns the variable's name ("cfg", or "cfg.pid" for a Member).
func (v *Variable) Name() string { return v.name }

// Section returns the name of the variable's data section (".rodata",
// ".data.custom", ...).
func (v *Variable) Section() string { return v.section }

// Size returns the variable's size in bytes, as its BTF type gives it.
func (v *Variable) Size() int { return int(v.size) }

// Offset returns the variable's offset in its section.
func (v *Variable) Offset() int { return int(v.offset) }

// Map returns the global-data map that holds the variable.
func (v *Variable) Map() *Map { return v.m }

// TypeID returns the BTF type id of the variable's type in Object.BTF.
func (v *Variable) TypeID() uint32 { return v.typ }

// TypeName spells the variable's C type ("struct config", "char[16]").
func (v *Variable) TypeName() string { return v.spec.TypeName(v.typ) }

// Globals returns every variable of the object's global-data maps, in map
// then section order. It needs the object's BTF (clang -g).
func (o *Object) Globals() ([]*Variable, error) {
	t, err := o.globalTable()
	if err != nil {
		return nil, err
	}
	return append([]*Variable(nil), t.vars...), nil
}

// Global returns the global variable called name. A name that several
// sections use (static variables may) is an error that names the sections.
func (o *Object) Global(name string) (*Variable, error) {
	t, err := o.globalTable()
	if err != nil {
		return nil, err
	}
	var found []*Variable
	for _, v := range t.vars {
		if v.name == name {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("object %q has no global variable %q (%s): %w", o.name, name, globalNames(t.vars), ErrKeyNotExist)
	}
	var secs []string
	for _, v := range found {
		secs = append(secs, v.section)
	}
	return nil, fmt.Errorf("object %q: global %q is in several sections (%s): %w", o.name, name, strings.Join(secs, ", "), errInvalidArgument)
}

func globalNames(vars []*Variable) string {
	var names []string
	for _, v := range vars {
		names = append(names, v.name)
	}
	if len(names) == 0 {
		return "it has no global variables"
	}
	sort.Strings(names)
	return "its globals: " + strings.Join(names, ", ")
}

// MapGlobals returns the variables that the global-data map m holds, in
// section order.
func (o *Object) MapGlobals(m *Map) ([]*Variable, error) {
	t, err := o.globalTable()
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("object %q: globals: %w", o.name, errNilMap)
	}
	var out []*Variable
	for _, v := range t.vars {
		if v.m == m {
			out = append(out, v)
		}
	}
	return out, nil
}

func (o *Object) globalTable() (*globalTable, error) {
	if o == nil {
		return nil, fmt.Errorf("globals: %w", errNilObject)
	}
	if o.c == nil {
		return nil, fmt.Errorf("object %q: globals: %w", o.name, ErrClosed)
	}
	if o.globals == nil {
		o.globals = o.findGlobals()
	}
	return o.globals, o.globals.err
}

func (o *Object) findGlobals() *globalTable {
	b, err := o.BTF()
	if err != nil {
		return &globalTable{err: fmt.Errorf("globals: %w", err)}
	}
	raw, err := b.RawData()
	if err != nil {
		return &globalTable{err: fmt.Errorf("globals: %w", err)}
	}
	spec, err := btf.Parse(raw)
	if err != nil {
		return &globalTable{err: fmt.Errorf("object %q: globals: %w", o.name, err)}
	}
	t := &globalTable{spec: spec}
	for _, m := range o.maps {
		if !m.Internal() {
			continue
		}
		id, sec, ok := datasecOf(m, spec)
		if !ok {
			continue
		}
		vars, err := spec.DatasecVars(id)
		if err != nil {
			t.err = fmt.Errorf("object %q: map %s: %w", o.name, m.name, err)
			return t
		}
		for _, dv := range vars {
			t.vars = append(t.vars, &Variable{m: m, spec: spec, name: dv.Name, section: sec,
				typ: dv.Type, offset: dv.Offset, size: dv.Size})
		}
	}
	return t
}

// datasecOf returns the DATASEC type that describes the internal map m.
func datasecOf(m *Map, spec *btf.Spec) (uint32, string, bool) {
	if id := m.ValueTypeID(); id != 0 {
		if t, err := spec.Type(id); err == nil && t.Kind == btf.KindDatasec {
			return id, t.Name, true
		}
	}
	// libbpf names internal maps "<object prefix>.rodata", or after the
	// section itself when it has a dot of its own (.data.custom).
	candidates := []string{m.name}
	if i := strings.Index(m.name, "."); i > 0 {
		candidates = append(candidates, m.name[i:])
	}
	for _, c := range candidates {
		if ts := spec.ByName(c, btf.KindDatasec); len(ts) > 0 {
			return ts[0].ID, c, true
		}
	}
	return 0, "", false
}

// Member returns a view of a member of a struct or union variable, by path
// ("limits", "max"): a Variable of its own name, offset, type and size.
func (v *Variable) Member(path ...string) (*Variable, error) {
	off, typ, err := v.spec.Member(v.typ, append([]string{v.name}, path...))
	if err != nil {
		return nil, fmt.Errorf("global %s: %w: %w", v.name, err, errInvalidArgument)
	}
	size, err := v.spec.Size(typ)
	if err != nil {
		return nil, fmt.Errorf("global %s: %w", v.name, err)
	}
	m := *v
	m.name = strings.Join(append([]string{v.name}, path...), ".")
	m.typ, m.offset, m.size = typ, v.offset+off, size
	return &m, nil
}

// memory returns the variable's bytes in libbpf's memory for the map: the
// initial value before Load, the mmap'd map after.
func (v *Variable) memory(write bool) ([]byte, error) {
	c, err := v.m.ptr()
	if err != nil {
		return nil, fmt.Errorf("global %s: %w", v.name, err)
	}
	loaded := mapFD(c) >= 0
	if write {
		switch {
		case v.section == ".kconfig":
			return nil, fmt.Errorf("global %s: a .kconfig extern, which libbpf sets from the kernel's config at Load: %w", v.name, ErrReadOnly)
		case loaded && strings.HasPrefix(v.section, ".rodata"):
			return nil, fmt.Errorf("global %s: %s is frozen once loaded; set it before Load: %w", v.name, v.section, ErrReadOnly)
		}
	}
	data := mapMemory(c)
	if data == nil {
		return nil, fmt.Errorf("global %s: map %s is not mmap'd (memory-mapped global data needs Linux 5.5): %w", v.name, v.m.name, ErrNotLoaded)
	}
	end := uint64(v.offset) + uint64(v.size)
	if end > uint64(len(data)) {
		return nil, fmt.Errorf("global %s: lies beyond the %d bytes of %s: %w", v.name, len(data), v.section, errInvalidArgument)
	}
	return data[v.offset:end:end], nil
}

// Bytes returns a copy of the variable's bytes.
func (v *Variable) Bytes() ([]byte, error) {
	mem, err := v.memory(false)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), mem...), nil
}

// SetBytes writes the variable's bytes; data must be Size bytes.
func (v *Variable) SetBytes(data []byte) error {
	if len(data) != int(v.size) {
		return fmt.Errorf("global %s: %d bytes for %s of %d: %w", v.name, len(data), v.TypeName(), v.size, errInvalidArgument)
	}
	mem, err := v.memory(true)
	if err != nil {
		return err
	}
	copy(mem, data)
	return nil
}

// Set writes value, encoded as encoding/binary does in the object's byte
// order: an integer, bool or float, an array or slice, or a struct whose
// layout matches the C one (padding as explicit fields). Its size must be
// the variable's, and a scalar must meet a scalar of its kind.
func (v *Variable) Set(value any) error {
	if err := v.compatible(value); err != nil {
		return err
	}
	mem, err := v.memory(true)
	if err != nil {
		return err
	}
	buf, err := binary.Append(make([]byte, 0, v.size), v.spec.ByteOrder(), value)
	if err != nil {
		return fmt.Errorf("global %s: %w", v.name, err)
	}
	copy(mem, buf)
	return nil
}

// Get reads the variable into out, a pointer to (or slice of) what Set
// takes.
func (v *Variable) Get(out any) error {
	if err := v.compatible(out); err != nil {
		return err
	}
	mem, err := v.memory(false)
	if err != nil {
		return err
	}
	if _, err := binary.Decode(mem, v.spec.ByteOrder(), out); err != nil {
		return fmt.Errorf("global %s: %w", v.name, err)
	}
	return nil
}

// SetText writes text parsed as the variable's C type: an integer (0x, 0o,
// 0b prefixes; range-checked), a bool, an enumerator name, a float, or a
// string into a char array. Command-line tools use it for NAME=VALUE
// settings.
func (v *Variable) SetText(text string) error {
	buf := make([]byte, v.size)
	if err := v.spec.Encode(v.typ, text, buf); err != nil {
		return fmt.Errorf("global %s: %w: %w", v.name, err, errInvalidArgument)
	}
	mem, err := v.memory(true)
	if err != nil {
		return err
	}
	copy(mem, buf)
	return nil
}

// compatible checks a Go value against the variable's size and BTF kind.
func (v *Variable) compatible(value any) error {
	size := binary.Size(value)
	if size < 0 {
		return fmt.Errorf("global %s: %T has no encoding/binary layout: %w", v.name, value, errInvalidArgument)
	}
	if size != int(v.size) {
		return fmt.Errorf("global %s: %T is %d bytes, %s is %d: %w", v.name, value, size, v.TypeName(), v.size, errInvalidArgument)
	}
	t, err := v.spec.Resolve(v.typ)
	if err != nil {
		return fmt.Errorf("global %s: %w", v.name, err)
	}
	rt := reflect.TypeOf(value)
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	var want []btf.Kind
	switch rt.Kind() {
	case reflect.Bool, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = []btf.Kind{btf.KindInt, btf.KindEnum, btf.KindEnum64, btf.KindPtr}
	case reflect.Float32, reflect.Float64:
		want = []btf.Kind{btf.KindFloat}
	}
	if want != nil && !containsKind(want, t.Kind) {
		return fmt.Errorf("global %s: a Go %s does not fit %s: %w", v.name, rt, v.TypeName(), errInvalidArgument)
	}
	return nil
}

func containsKind(kinds []btf.Kind, k btf.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}
