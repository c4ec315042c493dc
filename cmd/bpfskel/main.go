// Command bpfskel generates a typed Go skeleton for a BPF object, as
// `bpftool gen skeleton` does for C: one Go file that embeds the object and
// holds a struct with a field per program and map, Go types made from the
// object's BTF for map keys and values, ring and perf buffer records and
// every global variable, typed accessors for .rodata, .data, .bss and
// .kconfig, and Open, Load, Attach and Close with the C skeleton's meaning.
//
// Usage, from a go:generate line in the package that uses it:
//
//	//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -o minimal_skel.go minimal.bpf.o
//	//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -cflags "-I bpf" -record "rb=struct event" bpf/bootstrap.bpf.c
//
// Flags: -o FILE (default <stem>_skel.go), -package NAME (default
// $GOPACKAGE), -name IDENT (the skeleton's type, default the stem in Go
// case; it prefixes every generated name), -record MAP=TYPE and -type TYPE
// (repeatable), -cc and -cflags for a .bpf.c.
//
// A .bpf.c is compiled first (clang-19 -O2 -g -target bpf, the target's
// __TARGET_ARCH_ define, the -I flags of CGO_CFLAGS, where libbpf's
// bpf/bpf_helpers.h is, then -cflags) into <stem>.bpf.o next to the
// output. The output embeds the object by go:embed, so the object must sit
// in the output's folder or below it; an object elsewhere is copied next to
// the output. Keep a .bpf.c out of the package's folder (Go refuses C files
// in a package that does not use cgo), or start it with //go:build ignore.
//
// # What the file holds, for minimal.bpf.o
//
//	type Minimal struct {
//		Obj    *libbpf.Object
//		Progs  MinimalProgs  // a *libbpf.Program per program: Progs.HandleTp
//		Maps   MinimalMaps   // a *libbpf.Map per map, then the data sections' maps: Maps.BSS
//		Rodata MinimalRodata // a libbpf.TypedVariable[T] per variable, per data section:
//		BSS    MinimalBSS    // Rodata, Data, BSS, Kconfig, DataCustom for .data.custom
//	}
//	func OpenMinimal(opts *libbpf.OpenOptions) (*Minimal, error) // __open_opts
//	func OpenAndLoadMinimal(opts *libbpf.OpenOptions) (*Minimal, error)
//	func (s *Minimal) Load() error   // __load
//	func (s *Minimal) Attach() error // __attach: Object.Attach, custom SEC() handlers included
//	func (s *Minimal) Close() error  // __destroy
//
// skel.Rodata.MinUs.Set(v) before Load is C's skel->rodata->min_us = v;
// skel.BSS.Counter.Get() after Load reads the live mmap'd value. Custom
// SEC() handlers (callbacks.RegisterAll, or your own) must be registered
// before Open, as for any Object.
//
// # Types
//
// Every struct, union and enum the skeleton needs becomes a named Go type,
// <Name><CName> (struct event -> MinimalEvent), whose memory layout is C's,
// so that values are copied in and out as bytes, without reflection; a
// build checks every size and field offset against the BTF at compile time.
// C integers become Go's (char is byte, _Bool is bool, pointers uint64,
// 128-bit integers [2]uint64); padding becomes blank fields; members of an
// anonymous struct become the parent's fields, as C reaches them.
//
//   - A union is a struct of its bytes (Raw, aligned like the union) with a
//     method per member that returns a pointer to that member's view of
//     them: v.Half().Lo = 1. An anonymous union member is embedded, so its
//     methods are the parent's.
//   - Bitfields live in unexported byte arrays that cover each run of them;
//     a getter and a setter per bitfield (b.Flags(), b.SetFlags(x)) read and
//     write its bits (signed ones sign-extended), as C lays them out on a
//     little-endian target.
//   - A member its C offset does not align for Go (packed structs) is a byte
//     array of its size; a zero-size member (a flexible array) is left out.
//   - An enum is a named integer type of its size, with a constant per
//     enumerator: enum color { COLOR_RED } -> MinimalColorRed.
//   - Structs and unions have MarshalBinary and UnmarshalBinary: their C
//     bytes, for map keys and values and for records.
//
// # Records
//
// A ring or perf buffer map has no value type in BTF, so its record type is
// -record MAP=TYPE, else bpfrun's convention: a global <map>_record (its
// type or what it points to), else a struct or union named like the map or
// like the map without a trailing s. clang leaves a type that only local
// variables use out of BTF: -record and -type then take it from the
// object's DWARF (clang -g writes both; libbpf-tools' Makefile strips the
// DWARF with llvm-strip -g, and a stripped object needs the type in BTF, or
// the .bpf.c).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bpfskel:", err)
		os.Exit(1)
	}
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("bpfskel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default <stem>_skel.go in the current folder, where <stem> is the object's name without .bpf.o)")
	pkg := fs.String("package", "", "Go package of the output (default $GOPACKAGE, set by go generate, else main)")
	name := fs.String("name", "", "Go name of the skeleton type (default the stem in Go case: minimal -> Minimal); it prefixes every generated name")
	var records, types listFlag
	fs.Var(&records, "record", "MAP=TYPE: the C type of the records of a ring or perf buffer map (\"rb=struct event\"); repeatable")
	fs.Var(&types, "type", "one more C type to generate (\"struct event\", \"enum state\", \"event_t\"); repeatable")
	cc := fs.String("cc", "clang-19", "C compiler for a .bpf.c")
	cflags := fs.String("cflags", "", "more compiler flags for a .bpf.c (space-separated), e.g. -I for vmlinux.h")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bpfskel [flags] FILE.bpf.o|FILE.bpf.c")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want one object or source file, got %d arguments", fs.NArg())
	}
	input := fs.Arg(0)
	stem := stemOf(input)
	if *out == "" {
		*out = stem + "_skel.go"
	}
	if *pkg == "" {
		*pkg = os.Getenv("GOPACKAGE")
	}
	if *pkg == "" {
		*pkg = "main"
	}
	if *name == "" {
		*name = goName(stem)
	}
	if goName(*name) != *name {
		return fmt.Errorf("-name %q is not an exported Go identifier", *name)
	}
	cfg := config{pkg: *pkg, name: *name, records: map[string]string{}, types: types}
	for _, r := range records {
		m, t, ok := strings.Cut(r, "=")
		if !ok || m == "" || t == "" {
			return fmt.Errorf("-record %q: want MAP=TYPE", r)
		}
		cfg.records[m] = t
	}
	outDir := filepath.Dir(*out)
	object := input
	if strings.HasSuffix(input, ".c") {
		object = filepath.Join(outDir, stem+".bpf.o")
		if err := compile(*cc, input, object, strings.Fields(*cflags)); err != nil {
			return err
		}
	}
	embed, err := embedPath(object, outDir)
	if err != nil {
		return err
	}
	cfg.object, cfg.embed = object, embed
	src, err := generate(cfg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		return fmt.Errorf("write the skeleton: %w", err)
	}
	return nil
}

// stemOf names a skeleton after its file: minimal.bpf.o -> minimal.
func stemOf(path string) string {
	base := filepath.Base(path)
	for _, sfx := range []string{".bpf.o", ".bpf.c", ".o", ".c"} {
		if s, ok := strings.CutSuffix(base, sfx); ok {
			return s
		}
	}
	return base
}

// embedPath returns the object's path relative to the output folder, for
// go:embed; an object outside that folder is copied into it.
func embedPath(object, outDir string) (string, error) {
	absObj, err := filepath.Abs(object)
	if err != nil {
		return "", err
	}
	absDir, err := filepath.Abs(outDir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absDir, absObj)
	if err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel), nil
	}
	data, err := os.ReadFile(object)
	if err != nil {
		return "", fmt.Errorf("read the object: %w", err)
	}
	dst := filepath.Join(outDir, filepath.Base(object))
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return "", fmt.Errorf("copy the object next to the output, for go:embed: %w", err)
	}
	return filepath.Base(object), nil
}

// compile builds a .bpf.c as the module's Makefile does: clang -O2 -g
// -target bpf, the target architecture's define, the -I flags of
// CGO_CFLAGS (where libbpf's bpf/bpf_helpers.h is), the system's
// multiarch headers after everything else, and the caller's flags.
func compile(cc, src, object string, extra []string) error {
	arch := map[string]string{"amd64": "x86", "arm64": "arm64", "riscv64": "riscv", "s390x": "s390", "ppc64le": "powerpc", "loong64": "loongarch"}[runtime.GOARCH]
	args := []string{"-O2", "-g", "-target", "bpf", "-c"}
	if arch != "" {
		args = append(args, "-D__TARGET_ARCH_"+arch)
	}
	cgo := os.Getenv("CGO_CFLAGS")
	if cgo == "" {
		if b, err := exec.Command("go", "env", "CGO_CFLAGS").Output(); err == nil {
			cgo = string(bytes.TrimSpace(b))
		}
	}
	fields := strings.Fields(cgo)
	for i, f := range fields {
		switch {
		case f == "-I" && i+1 < len(fields):
			args = append(args, "-I", fields[i+1])
		case strings.HasPrefix(f, "-I") && len(f) > 2:
			args = append(args, f)
		}
	}
	args = append(args, extra...)
	if multi, err := exec.Command("gcc", "-print-multiarch").Output(); err == nil && len(bytes.TrimSpace(multi)) > 0 {
		args = append(args, "-idirafter", "/usr/include/"+string(bytes.TrimSpace(multi)))
	}
	args = append(args, src, "-o", object)
	cmd := exec.Command(cc, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		hint := ""
		if strings.Contains(stderr.String(), "'bpf/bpf_") {
			hint = "\n(libbpf's headers are not on the include path: run go run github.com/golibbpf/libbpf/cmd/libbpf-setup -w, which puts them into CGO_CFLAGS, or pass -cflags -I<dir>)"
		}
		return fmt.Errorf("compile %s: %s %s: %w\n%s%s", src, cc, strings.Join(args, " "), err, stderr.String(), hint)
	}
	return nil
}
