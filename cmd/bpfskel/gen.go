package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"sort"
	"strings"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// config is what one run generates.
type config struct {
	object  string            // the .bpf.o to read
	embed   string            // its path for go:embed, relative to the output
	pkg     string            // the Go package
	name    string            // the skeleton's Go name ("Minimal")
	records map[string]string // map name -> C type ("struct event", "event_t")
	types   []string          // more C types to generate
}

// skeleton is what the generated file describes.
type skeleton struct {
	cfg          config
	progs        []progInfo
	maps         []mapInfo
	sections     []sectionInfo
	types        *typeGen
	sectionNames map[string]string // section -> Go name
	mapNames     map[string]string // section -> Go name of its map in Maps
	aux          *typeGen          // over the object's DWARF, for -record and -type types its BTF lacks
	dwarf        *dwarfTypes
	extra        []string // Go names of the -type types
}

type progInfo struct{ goName, name, section string }

type mapInfo struct {
	goName, name, kind string
	key, value, record string // Go types, "" when unknown
}

type sectionInfo struct {
	goName, section string
	vars            []varInfo
}

type varInfo struct {
	goName, name, ctype string
	typ                 goType
}

// generate reads the object and returns the skeleton's Go source.
func generate(cfg config) ([]byte, error) {
	obj, err := libbpf.OpenObjectFile(cfg.object, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	spec, err := objectBTF(obj, cfg.object)
	if err != nil {
		return nil, err
	}
	if spec.ByteOrder().String() != "LittleEndian" {
		return nil, fmt.Errorf("%s: a big-endian object: bpfskel generates for little-endian hosts only", cfg.object)
	}
	used := map[string]bool{}
	for _, n := range []string{cfg.name, "Open" + cfg.name, "OpenAndLoad" + cfg.name, cfg.name + "Progs", cfg.name + "Maps", lowerFirst(cfg.name) + "Object"} {
		used[n] = true
	}
	s := &skeleton{cfg: cfg, types: newTypeGen(spec, cfg.name, used)}
	if err := s.collect(obj, spec); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.object, err)
	}
	src := s.emit()
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("format the generated code (a bpfskel bug): %w\n%s", err, src)
	}
	return out, nil
}

// objectBTF returns the object's BTF, as libbpf fixed it up at open
// (data section sizes and variable offsets filled in).
func objectBTF(obj *libbpf.Object, path string) (*btf.Spec, error) {
	b, err := obj.BTF()
	if err != nil {
		return nil, fmt.Errorf("%s: the generator reads types from BTF (compile with clang -g): %w", path, err)
	}
	raw, err := b.RawData()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	spec, err := btf.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

// readBTF returns the BTF of the object at path.
func readBTF(path string) (*btf.Spec, error) {
	obj, err := libbpf.OpenObjectFile(path, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return objectBTF(obj, path)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (s *skeleton) collect(obj *libbpf.Object, spec *btf.Spec) error {
	names := map[string]bool{}
	for _, p := range obj.Programs() {
		s.progs = append(s.progs, progInfo{uniqueName(names, goName(p.Name())), p.Name(), p.SectionName()})
	}
	globals, err := obj.Globals()
	if err != nil {
		return err
	}
	s.reserveSections(globals)
	names = map[string]bool{}
	for _, m := range obj.Maps() {
		if m.Internal() {
			continue
		}
		mi := mapInfo{goName: uniqueName(names, goName(m.Name())), name: m.Name(), kind: m.Type().String()}
		for _, kv := range []struct {
			id  uint32
			out *string
			sfx string
		}{{m.KeyTypeID(), &mi.key, "Key"}, {m.ValueTypeID(), &mi.value, "Value"}} {
			if kv.id == 0 {
				continue
			}
			t, err := s.types.typeOf(kv.id, s.cfg.name+mi.goName+kv.sfx)
			if err != nil {
				return fmt.Errorf("map %s: %w", m.Name(), err)
			}
			*kv.out = t.expr
		}
		if c, ok := s.cfg.records[m.Name()]; ok {
			t, err := s.namedType(c, s.cfg.name+mi.goName+"Record")
			if err != nil {
				return fmt.Errorf("-record %s=%s: %w", m.Name(), c, err)
			}
			mi.record = t.expr
		} else if id := recordType(m, spec, globals); id != 0 {
			t, err := s.types.typeOf(id, s.cfg.name+mi.goName+"Record")
			if err != nil {
				return fmt.Errorf("map %s: record: %w", m.Name(), err)
			}
			mi.record = t.expr
		}
		s.maps = append(s.maps, mi)
	}
	s.mapNames = map[string]string{}
	for _, v := range globals {
		if _, ok := s.mapNames[v.Section()]; !ok {
			s.mapNames[v.Section()] = uniqueName(names, s.sectionNames[v.Section()])
		}
	}
	for _, name := range sortedKeys(s.cfg.records) {
		if obj.Map(name) == nil || obj.Map(name).Internal() {
			return fmt.Errorf("-record %s=...: the object has no map %s", name, name)
		}
	}
	bySection := map[string]int{}
	for _, v := range globals {
		i, ok := bySection[v.Section()]
		if !ok {
			i = len(s.sections)
			bySection[v.Section()] = i
			s.sections = append(s.sections, sectionInfo{goName: s.sectionNames[v.Section()], section: v.Section()})
		}
		sec := &s.sections[i]
		typ, err := s.types.typeOf(v.TypeID(), s.cfg.name+sec.goName+goName(v.Name()))
		if err != nil {
			return fmt.Errorf("global %s: %w", v.Name(), err)
		}
		if typ.size != v.Size() {
			return fmt.Errorf("global %s: Go type %s is %d bytes, BTF says %d (a bpfskel bug)", v.Name(), typ.expr, typ.size, v.Size())
		}
		vnames := map[string]bool{}
		for _, o := range sec.vars {
			vnames[o.goName] = true
		}
		sec.vars = append(sec.vars, varInfo{uniqueName(vnames, goName(v.Name())), v.Name(), v.TypeName(), typ})
	}
	for _, name := range s.cfg.types {
		t, err := s.namedType(name, s.cfg.name+goName(name))
		if err != nil {
			return fmt.Errorf("-type %s: %w", name, err)
		}
		s.extra = append(s.extra, t.expr)
	}
	return nil
}

// reserveSections names the data sections' fields and types before any
// C type takes a name (a C struct rodata would otherwise take the type of
// the Rodata field).
func (s *skeleton) reserveSections(globals []*libbpf.Variable) {
	s.sectionNames = map[string]string{}
	fields := map[string]bool{"Obj": true, "Progs": true, "Maps": true}
	for _, v := range globals {
		if _, ok := s.sectionNames[v.Section()]; ok {
			continue
		}
		name := uniqueName(fields, sectionGoName(v.Section()))
		for s.types.used[s.cfg.name+name] {
			name = uniqueName(fields, name)
		}
		s.types.used[s.cfg.name+name] = true
		s.sectionNames[v.Section()] = name
	}
}

// sectionGoName names a data section's field: .rodata -> Rodata, .bss ->
// BSS, .data.custom -> DataCustom.
func sectionGoName(sec string) string {
	switch sec {
	case ".bss":
		return "BSS"
	case ".kconfig":
		return "Kconfig"
	}
	return goName(sec)
}

// namedType generates the C type a flag names, from the object's BTF, or
// from its DWARF when the BTF lacks it (a type only local variables use).
func (s *skeleton) namedType(c, hint string) (goType, error) {
	id, err := findType(s.types.spec, c)
	if err == nil {
		return s.types.typeOf(id, hint)
	}
	if s.dwarf == nil {
		d, derr := openDWARF(s.cfg.object)
		if errors.Is(derr, errNoDWARF) {
			return goType{}, fmt.Errorf("%w, and the object has no DWARF to take it from (built without -g, or stripped by llvm-strip -g): give the .bpf.c, or declare a global of it", err)
		}
		if derr != nil {
			return goType{}, fmt.Errorf("%w; reading the object's DWARF for it: %w", err, derr)
		}
		s.dwarf = d
		s.aux = newTypeGen(d.spec, s.cfg.name, s.types.used)
	}
	id, err = s.dwarf.find(c)
	if err != nil {
		return goType{}, err
	}
	return s.aux.typeOf(id, hint)
}

// recordType finds the type of a ring or perf buffer's records by bpfrun's
// convention: a global <map>_record (its type, or what it points to), else
// a struct or union named like the map or like the map without a trailing
// s.
func recordType(m *libbpf.Map, spec *btf.Spec, globals []*libbpf.Variable) uint32 {
	if m.Type() != libbpf.MapTypeRingBuf && m.Type() != libbpf.MapTypePerfEventArray {
		return 0
	}
	for _, v := range globals {
		if v.Name() != m.Name()+"_record" {
			continue
		}
		id := v.TypeID()
		if t, err := spec.Resolve(id); err == nil && t.Kind == btf.KindPtr {
			id = t.Ref
		}
		return id
	}
	for _, name := range []string{m.Name(), strings.TrimSuffix(m.Name(), "s")} {
		if ts := spec.ByName(name, btf.KindStruct, btf.KindUnion); len(ts) > 0 {
			return ts[0].ID
		}
	}
	return 0
}

// cType splits a C type as the flags name it: "struct event" gives
// ("struct", "event"), a bare "event_t" gives ("", "event_t").
func cType(c string) (keyword, name string, err error) {
	c = strings.TrimSpace(c)
	kw, name, ok := strings.Cut(c, " ")
	if !ok {
		return "", c, nil
	}
	switch kw {
	case "struct", "union", "enum":
		return kw, strings.TrimSpace(name), nil
	}
	return "", "", fmt.Errorf("want [struct|union|enum] NAME, got %q", c)
}

// findType finds a C type by name: "struct event", "union u", "enum e", or
// a bare name (a typedef, else a struct, union or enum).
func findType(spec *btf.Spec, c string) (uint32, error) {
	kw, name, err := cType(c)
	if err != nil {
		return 0, err
	}
	kinds := map[string][]btf.Kind{
		"":       {btf.KindTypedef, btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64},
		"struct": {btf.KindStruct}, "union": {btf.KindUnion}, "enum": {btf.KindEnum, btf.KindEnum64},
	}[kw]
	for _, k := range kinds {
		if ts := spec.ByName(name, k); len(ts) > 0 {
			return ts[0].ID, nil
		}
	}
	return 0, fmt.Errorf("no type %q in the object's BTF (a type only local variables use is not in BTF)", c)
}

// emit writes the file, unformatted.
func (s *skeleton) emit() []byte {
	var w bytes.Buffer
	n := s.cfg.name
	objVar := lowerFirst(n) + "Object"
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	p("// Code generated by bpfskel; DO NOT EDIT.\n")
	p("// Source: %s\n\n", s.cfg.embed)
	p("package %s\n\n", s.cfg.pkg)
	p("import (\n\t_ \"embed\"\n\t\"fmt\"\n\t\"unsafe\"\n\n\t\"github.com/golibbpf/libbpf\"\n)\n\n")
	p("//go:embed %s\nvar %s []byte\n\n", s.cfg.embed, objVar)

	p("// %s is the skeleton of %s: its programs, maps and global variables,\n", n, s.cfg.embed)
	p("// bound by Open%s. Obj is the object under it.\n", n)
	p("type %s struct {\n\tObj *libbpf.Object\n\tProgs %sProgs\n\tMaps %sMaps\n", n, n, n)
	for _, sec := range s.sections {
		p("\t%s %s%s // %s\n", sec.goName, n, sec.goName, sec.section)
	}
	p("}\n\n")

	p("// %sProgs holds the programs of %s.\ntype %sProgs struct {\n", n, s.cfg.embed, n)
	for _, pr := range s.progs {
		p("\t%s *libbpf.Program // %s, SEC(%q)\n", pr.goName, pr.name, pr.section)
	}
	p("}\n\n")
	p("// %sMaps holds the maps of %s, then the global data maps of the\n// sections with variables.\ntype %sMaps struct {\n", n, s.cfg.embed, n)
	for _, m := range s.maps {
		p("\t%s *libbpf.Map // %s: %s%s\n", m.goName, m.name, m.kind, mapTypes(m))
	}
	for _, sec := range s.sections {
		p("\t%s *libbpf.Map // %s\n", s.mapNames[sec.section], sec.section)
	}
	p("}\n\n")
	for _, sec := range s.sections {
		p("// %s%s holds the variables of %s%s.\ntype %s%s struct {\n", n, sec.goName, sec.section, sectionNote(sec.section), n, sec.goName)
		for _, v := range sec.vars {
			p("\t%s libbpf.TypedVariable[%s] // %s %s\n", v.goName, v.typ.expr, v.ctype, v.name)
		}
		p("}\n\n")
	}

	p(`// Open%[1]s opens the embedded object (opts may be nil) and binds the
// skeleton's fields, like a C skeleton's __open_opts: custom SEC() handlers
// registered before it (callbacks.RegisterAll, or your own) run their Setup.
// Set .rodata and .data variables and map sizes between Open%[1]s and Load.
func Open%[1]s(opts *libbpf.OpenOptions) (*%[1]s, error) {
	obj, err := libbpf.OpenObjectBytes(%[2]s, opts)
	if err != nil {
		return nil, fmt.Errorf("open %[1]s: %%w", err)
	}
	s := &%[1]s{Obj: obj}
	if err := s.bind(); err != nil {
		obj.Close()
		return nil, fmt.Errorf("open %[1]s: %%w", err)
	}
	return s, nil
}

// OpenAndLoad%[1]s opens and loads the object, like a C skeleton's
// __open_and_load.
func OpenAndLoad%[1]s(opts *libbpf.OpenOptions) (*%[1]s, error) {
	s, err := Open%[1]s(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Load(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Load creates the maps and loads the programs; afterwards .data and .bss
// variables are read and written live, and .rodata is frozen.
func (s *%[1]s) Load() error { return s.Obj.Load() }

// Attach auto-attaches every program whose section says how (custom SEC()
// handlers included), like a C skeleton's __attach; Close detaches them.
func (s *%[1]s) Attach() error { return s.Obj.Attach() }

// Close detaches what Attach attached and frees the object, like a C
// skeleton's __destroy. It may be called on a nil skeleton.
func (s *%[1]s) Close() error {
	if s == nil {
		return nil
	}
	return s.Obj.Close()
}

func (s *%[1]s) bind() error {
`, n, objVar)
	if len(s.sections) > 0 {
		p("\tvar err error\n")
	}
	for _, pr := range s.progs {
		p("\tif s.Progs.%s = s.Obj.Program(%q); s.Progs.%s == nil {\n\t\treturn fmt.Errorf(\"no program %s\")\n\t}\n", pr.goName, pr.name, pr.goName, pr.name)
	}
	for _, m := range s.maps {
		p("\tif s.Maps.%s = s.Obj.Map(%q); s.Maps.%s == nil {\n\t\treturn fmt.Errorf(\"no map %s\")\n\t}\n", m.goName, m.name, m.goName, m.name)
	}
	for _, sec := range s.sections {
		for _, v := range sec.vars {
			p("\tif s.%s.%s, err = libbpf.NewTypedVariable[%s](s.Obj, %q, %q); err != nil {\n\t\treturn err\n\t}\n", sec.goName, v.goName, v.typ.expr, sec.section, v.name)
		}
		p("\ts.Maps.%s = s.%s.%s.Variable().Map()\n", s.mapNames[sec.section], sec.goName, sec.vars[0].goName)
	}
	p("\treturn nil\n}\n")

	var asserts []string
	for _, g := range []*typeGen{s.types, s.aux} {
		if g == nil {
			continue
		}
		for _, t := range g.order {
			p("\n%s", t.decl.String())
			asserts = append(asserts, t.asserts...)
		}
	}
	if len(asserts) > 0 {
		p("\n// The Go layouts are C's: a build where a size or an offset differs\n// from the object's BTF fails here.\nfunc _() {\n\tvar x [1]struct{}\n")
		for _, a := range asserts {
			p("\t_ = x[%s]\n", a)
		}
		p("}\n")
	}
	out := w.Bytes()
	if !bytes.Contains(out[bytes.Index(out, []byte("\n)\n")):], []byte("unsafe.")) {
		out = bytes.Replace(out, []byte("\t\"unsafe\"\n"), nil, 1)
	}
	return out
}

func sectionNote(sec string) string {
	switch {
	case strings.HasPrefix(sec, ".rodata"):
		return ": set them between Open and Load; Load freezes them"
	case sec == ".kconfig":
		return ": libbpf sets them at Load from the kernel's configuration"
	}
	return ": set them before Load to change their initial values, read and write them live after"
}

func mapTypes(m mapInfo) string {
	var parts []string
	if m.key != "" {
		parts = append(parts, "key "+m.key)
	}
	if m.value != "" {
		parts = append(parts, "value "+m.value)
	}
	if m.record != "" {
		parts = append(parts, "records "+m.record)
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
