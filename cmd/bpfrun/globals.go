package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// applySettings sets --set NAME=VALUE globals before Load. NAME is a
// variable, or a path into a struct variable (cfg.pid); the library finds
// and encodes it (Object.Global, Variable.Member, Variable.SetText).
func applySettings(obj *libbpf.Object, settings []string) error {
	for _, s := range settings {
		name, value, _ := strings.Cut(s, "=")
		path := strings.Split(name, ".")
		v, err := obj.Global(path[0])
		if err == nil && len(path) > 1 {
			v, err = v.Member(path[1:]...)
		}
		if err == nil {
			err = v.SetText(value)
		}
		if err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return nil
}

// decodeGlobals decodes the contents of the global-data map m by its
// variables, or returns false when the object's BTF describes none.
func decodeGlobals(spec *btf.Spec, m *libbpf.Map, data []byte) (btf.Struct, bool, error) {
	vars, err := m.Object().MapGlobals(m)
	if err != nil || len(vars) == 0 {
		return nil, false, nil
	}
	var out btf.Struct
	for _, v := range vars {
		end := v.Offset() + v.Size()
		if end > len(data) {
			return nil, true, fmt.Errorf("variable %s beyond the %d bytes of %s", v.Name(), len(data), v.Section())
		}
		d, err := spec.Decode(v.TypeID(), data[v.Offset():end])
		if err != nil {
			return nil, true, fmt.Errorf("variable %s: %w", v.Name(), err)
		}
		out = append(out, btf.Field{Name: v.Name(), Value: d})
	}
	return out, true, nil
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
