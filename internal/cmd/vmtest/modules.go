package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// kernelModule is a module file of an unpacked kernel, decompressed.
type kernelModule struct {
	name string
	data []byte
}

// resolveModules returns the modules named in want that the kernel has as
// modules, each after the modules it depends on (its .modinfo depends=);
// names it has no module of (built in, or missing) are returned apart.
func resolveModules(root string, want []string) (mods []kernelModule, absent []string, err error) {
	files := map[string]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := d.Name()
		for _, ext := range []string{".ko", ".ko.xz", ".ko.zst", ".ko.gz"} {
			if name, ok := strings.CutSuffix(base, ext); ok {
				files[strings.ReplaceAll(name, "-", "_")] = path
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	done := map[string]bool{}
	var add func(name string, required bool) error
	add = func(name string, required bool) error {
		name = strings.ReplaceAll(name, "-", "_")
		if done[name] {
			return nil
		}
		done[name] = true
		path, ok := files[name]
		if !ok {
			if required {
				return fmt.Errorf("module %s, a dependency, is not in %s", name, root)
			}
			absent = append(absent, name)
			return nil
		}
		data, err := readModule(path)
		if err != nil {
			return err
		}
		deps, err := moduleDepends(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, dep := range deps {
			if err := add(dep, true); err != nil {
				return err
			}
		}
		mods = append(mods, kernelModule{name: name, data: data})
		return nil
	}
	for _, name := range want {
		if err := add(name, false); err != nil {
			return nil, nil, err
		}
	}
	return mods, absent, nil
}

// readModule reads a module file, decompressing it with xz, zstd or gzip by
// its extension.
func readModule(path string) ([]byte, error) {
	var tool string
	switch filepath.Ext(path) {
	case ".ko":
		return os.ReadFile(path)
	case ".xz":
		tool = "xz"
	case ".zst":
		tool = "zstd"
	case ".gz":
		tool = "gzip"
	}
	out, err := exec.Command(tool, "-dc", path).Output()
	if err != nil {
		return nil, fmt.Errorf("%s -dc %s: %w", tool, path, err)
	}
	return out, nil
}

// moduleDepends reads depends= from a module's .modinfo section.
func moduleDepends(data []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("no .modinfo section")
	}
	info, err := sec.Data()
	if err != nil {
		return nil, err
	}
	for _, kv := range bytes.Split(info, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}
