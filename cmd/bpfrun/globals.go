package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// global is one variable of a global-data map.
type global struct {
	m       *libbpf.Map
	section string // the DATASEC's name: .rodata, .data, .bss, .kconfig, .data.custom...
	v       btf.DatasecVar
}

// datasecOf returns the DATASEC type id that describes the internal map m.
func datasecOf(m *libbpf.Map, spec *btf.Spec) (uint32, string, bool) {
	if id := m.ValueTypeID(); id != 0 {
		if t, err := spec.Type(id); err == nil && t.Kind == btf.KindDatasec {
			return id, t.Name, true
		}
	}
	// libbpf names internal maps "<object prefix>.rodata", or after the
	// section itself when it has a dot of its own (.data.custom).
	name := m.Name()
	candidates := []string{name}
	if i := strings.Index(name, "."); i > 0 {
		candidates = append(candidates, name[i:])
	}
	for _, c := range candidates {
		if ts := spec.ByName(c, btf.KindDatasec); len(ts) > 0 {
			return ts[0].ID, c, true
		}
	}
	return 0, "", false
}

// globals lists the variables of the object's global-data maps.
func globals(obj *libbpf.Object, spec *btf.Spec) ([]global, error) {
	var out []global
	for _, m := range obj.Maps() {
		if !m.Internal() {
			continue
		}
		id, sec, ok := datasecOf(m, spec)
		if !ok {
			continue
		}
		vars, err := spec.DatasecVars(id)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", m.Name(), err)
		}
		for _, v := range vars {
			out = append(out, global{m: m, section: sec, v: v})
		}
	}
	return out, nil
}

// applySettings sets --set NAME=VALUE globals before Load. NAME is a
// variable, or a path into a struct variable (cfg.pid).
func applySettings(obj *libbpf.Object, spec *btf.Spec, settings []string) error {
	if len(settings) == 0 {
		return nil
	}
	gs, err := globals(obj, spec)
	if err != nil {
		return fmt.Errorf("--set: %w", err)
	}
	for _, s := range settings {
		name, value, _ := strings.Cut(s, "=")
		path := strings.Split(name, ".")
		var found []global
		for _, g := range gs {
			if g.v.Name == path[0] {
				found = append(found, g)
			}
		}
		switch {
		case len(found) == 0:
			return fmt.Errorf("--set %s: the object has no global variable %q (%s)", s, path[0], globalNames(gs))
		case len(found) > 1:
			return fmt.Errorf("--set %s: %q names a variable in several sections", s, path[0])
		}
		g := found[0]
		if g.section == ".kconfig" {
			return fmt.Errorf("--set %s: %s is a .kconfig extern, which libbpf sets from the kernel's config", s, path[0])
		}
		off, typ, err := spec.Member(g.v.Type, path)
		if err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
		size, err := spec.Size(typ)
		if err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
		data, err := g.m.InitialValue()
		if err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
		start := g.v.Offset + off
		if uint64(start)+uint64(size) > uint64(len(data)) {
			return fmt.Errorf("--set %s: variable lies beyond the %d bytes of %s", s, len(data), g.section)
		}
		if err := spec.Encode(typ, value, data[start:start+size]); err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
		if err := g.m.SetInitialValue(data); err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return nil
}

func globalNames(gs []global) string {
	var names []string
	for _, g := range gs {
		if g.section != ".kconfig" {
			names = append(names, g.v.Name)
		}
	}
	if len(names) == 0 {
		return "it has no .rodata, .data or .bss variables"
	}
	sort.Strings(names)
	return "its globals: " + strings.Join(names, ", ")
}

// pinRoot is where libbpf pins maps declared with
// __uint(pinning, LIBBPF_PIN_BY_NAME) when the object sets no other root.
const pinRoot = "/sys/fs/bpf"

// pinnedMapPaths returns the pin paths of the object's maps whose BTF
// definition asks libbpf to pin them by name.
func pinnedMapPaths(spec *btf.Spec) []string {
	if spec == nil {
		return nil
	}
	var out []string
	for _, ds := range spec.ByName(".maps", btf.KindDatasec) {
		vars, err := spec.DatasecVars(ds.ID)
		if err != nil {
			continue
		}
		for _, v := range vars {
			st, err := spec.Resolve(v.Type)
			if err != nil || st.Kind != btf.KindStruct {
				continue
			}
			for _, m := range st.Members {
				if m.Name != "pinning" {
					continue
				}
				// __uint(pinning, N) is int (*pinning)[N].
				pt, err := spec.Type(m.Type)
				if err != nil || pt.Kind != btf.KindPtr {
					continue
				}
				at, err := spec.Type(pt.Ref)
				if err == nil && at.Kind == btf.KindArray && at.Nelems == 1 { // LIBBPF_PIN_BY_NAME
					out = append(out, filepath.Join(pinRoot, v.Name))
				}
			}
		}
	}
	return out
}

// newPins returns the paths that do not exist yet: the ones Load will pin
// and bpfrun must remove again.
func newPins(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			out = append(out, p)
		}
	}
	return out
}
