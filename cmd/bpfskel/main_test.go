package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden skeletons of internal/skeltest")

// The golden skeletons are Go files of the package internal/skeltest, so
// that they compile (their layout checks run) and its tests drive them.
var goldens = []struct{ object, out string }{
	{"testdata/types.bpf.o", "types_skel.go"},
	{"testdata/events.bpf.o", "events_skel.go"},
}

const goldenDir = "internal/skeltest"

func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.out, func(t *testing.T) {
			obj := testutil.Object(t, filepath.Join(goldenDir, g.object))
			src, err := generate(config{object: obj, embed: g.object, pkg: "skeltest", name: goName(stemOf(g.object))})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, g.out)
			if *update {
				if err := os.WriteFile(path, src, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(src, want) {
				t.Errorf("%s differs from what bpfskel generates now (go test ./cmd/bpfskel -run TestGolden -update rewrites it):\n%s", path, firstDiff(string(want), string(src)))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n golden: %s\n    now: %s", i+1, x, y)
		}
	}
	return "(same lines)"
}

// TestGoldenLayoutChecks checks that the compile-time checks of every
// golden skeleton cover every generated struct: its size and the offset of
// each field, which the generator took from BTF. A build of a skeleton
// whose Go layout is not the C one fails on those checks.
func TestGoldenLayoutChecks(t *testing.T) {
	for _, g := range goldens {
		path := filepath.Join(goldenDir, g.out)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The types of C layout are the ones with MarshalBinary.
		layout := map[string]bool{}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "MarshalBinary" && fd.Recv != nil {
				layout[fmt.Sprint(fd.Recv.List[0].Type.(*ast.StarExpr).X)] = true
			}
		}
		structs := 0
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || !layout[ts.Name.Name] {
					continue
				}
				structs++
				want := fmt.Sprintf("_ = x[unsafe.Sizeof(%s{})-", ts.Name.Name)
				if !bytes.Contains(src, []byte(want)) {
					t.Errorf("%s: no size check for %s", path, ts.Name.Name)
				}
				for _, fl := range st.Fields.List {
					names := fl.Names
					if len(names) == 0 { // embedded
						names = []*ast.Ident{{Name: fmt.Sprint(fl.Type)}}
					}
					for _, n := range names {
						if n.Name == "_" {
							continue
						}
						want := fmt.Sprintf("_ = x[unsafe.Offsetof(%s{}.%s)-", ts.Name.Name, n.Name)
						if !bytes.Contains(src, []byte(want)) {
							t.Errorf("%s: no offset check for %s.%s", path, ts.Name.Name, n.Name)
						}
					}
				}
			}
		}
		if structs == 0 {
			t.Errorf("%s: no generated struct found", path)
		}
	}
}

// unopenable are the test objects libbpf refuses to open on purpose; the
// generator must fail on them with libbpf's error.
var unopenable = map[string]string{
	"testdata/kcfg_huge.bpf.o": "a .kconfig extern of a size libbpf rejects",
	"testdata/linker_a.bpf.o":  "an extern that only linking resolves",
}

// TestRepoObjects generates a skeleton for every BPF object of the module
// (test objects written for other purposes: CO-RE, struct_ops, USDT,
// kconfig, custom sections...), twice to check that the output is
// deterministic, and vets them all together as one package, which
// type-checks their layout checks.
func TestRepoObjects(t *testing.T) {
	root := testutil.RepoRoot()
	var objects []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "libbpf" || d.Name() == "build" || d.Name() == "bench") && path != root {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".bpf.o") && !strings.Contains(path, "/fuzz/") {
			objects = append(objects, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) < 10 {
		t.Fatalf("found %d objects under %s (run make)", len(objects), root)
	}
	files := map[string][]byte{}
	for i, obj := range objects {
		rel, _ := filepath.Rel(root, obj)
		embed := fmt.Sprintf("o%d.bpf.o", i)
		cfg := config{object: obj, embed: embed, pkg: "vet", name: fmt.Sprintf("S%d%s", i, goName(stemOf(obj)))}
		a, err := generate(cfg)
		if why, bad := unopenable[rel]; bad {
			if err == nil {
				t.Errorf("%s (%s): generated a skeleton, want an error", rel, why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		b, err := generate(cfg)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ (%v)", rel, err)
		}
		if files[embed], err = os.ReadFile(obj); err != nil {
			t.Fatal(err)
		}
		files[fmt.Sprintf("o%d_skel.go", i)] = a
	}
	t.Logf("generated %d skeletons", len(files)/2)
	vetPackage(t, files)
}

// vetPackage writes files into a scratch package of the module and runs go
// vet on it, which type-checks the layout checks of the skeletons.
func vetPackage(t *testing.T, files map[string][]byte) {
	t.Helper()
	dir, err := os.MkdirTemp("internal", "vet")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("go", "vet", "./"+dir).CombinedOutput()
	if err != nil {
		t.Errorf("go vet of the generated skeletons: %v\n%s", err, out)
	}
}

// TestKernelTypes generates Go types for large kernel structs (task_struct,
// sk_buff, ...) and compiles them: every size and offset of a few hundred
// types, bitfields, unions and cache-line-aligned members among them, must
// be the kernel's.
func TestKernelTypes(t *testing.T) {
	obj := testutil.Object(t, "testdata/kernel_types.bpf.o")
	cfg := config{object: obj, embed: "kernel_types.bpf.o", pkg: "vet", name: "K"}
	for _, c := range []string{"task_struct", "sk_buff", "inode", "page", "perf_event", "bpf_prog", "net_device", "mm_struct", "sock"} {
		cfg.types = append(cfg.types, "struct "+c)
	}
	src, err := generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	types, offsets := bytes.Count(src, []byte("\ntype ")), bytes.Count(src, []byte("unsafe.Offsetof("))
	if types < 100 || offsets < 1000 {
		t.Errorf("%d types and %d offset checks; want the kernel's hundreds", types, offsets)
	}
	// sk_buff.pkt_type is a bitfield (in an anonymous struct on recent kernels).
	for _, want := range []string{"type KTaskStruct struct {", "type KSkBuff struct {", ") PktType() uint8 {"} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("no %q in the generated types", want)
		}
	}
	t.Logf("%d types, %d offset checks", types, offsets)
	vetPackage(t, map[string][]byte{"kernel_types.bpf.o": data, "k_skel.go": src})
}

// TestCompileSource runs the command on a .bpf.c: it compiles the source
// next to the output and generates what the object gives.
func TestCompileSource(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "events_skel.go")
	inc := filepath.Join(testutil.RepoRoot(), "build", "include")
	var stderr bytes.Buffer
	err := run([]string{"-o", out, "-package", "skeltest", "-cflags", "-I " + inc, filepath.Join(goldenDir, "testdata/events.bpf.c")}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "events.bpf.o")); err != nil {
		t.Fatalf("the object is not next to the output: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(goldenDir, "events_skel.go"))
	if err != nil {
		t.Fatal(err)
	}
	// The same skeleton, but for where the object is.
	want = bytes.ReplaceAll(want, []byte("testdata/events.bpf.o"), []byte("events.bpf.o"))
	if !bytes.Equal(got, want) {
		t.Errorf("the skeleton of the compiled source differs from the golden one:\n%s", firstDiff(string(want), string(got)))
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	obj := testutil.Object(t, filepath.Join(goldenDir, "testdata/events.bpf.o"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "want one object"},
		{[]string{"-record", "events", obj}, "want MAP=TYPE"},
		{[]string{"-record", "nomap=struct event", obj}, "has no map nomap"},
		{[]string{"-record", "events=struct nosuch", obj}, `no type "struct nosuch" in the object's BTF or DWARF`},
		{[]string{"-type", "class foo", obj}, "want [struct|union|enum] NAME"},
		{[]string{"-name", "lower", obj}, "not an exported Go identifier"},
		{[]string{filepath.Join(dir, "missing.bpf.o")}, "missing.bpf.o"},
	} {
		var stderr bytes.Buffer
		args := append([]string{"-o", filepath.Join(dir, "x_skel.go")}, c.args...)
		err := run(args, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bpfskel %q: %v, want an error with %q", c.args, err, c.want)
		}
	}
}

// TestLocalRecordType generates a skeleton for an object whose record type
// only a local variable uses: its BTF lacks it, -record takes it from the
// object's DWARF, and a stripped object says what is missing.
func TestLocalRecordType(t *testing.T) {
	dir := t.TempDir()
	obj := testutil.Object(t, "testdata/localrec.bpf.o")
	spec, err := readBTF(obj)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := findType(spec, "struct event"); err == nil {
		t.Fatal("struct event is in the object's BTF: the test needs a type only DWARF has")
	}
	for _, c := range []struct{ name, input string }{
		{"object", obj},
		{"source", "testdata/localrec.bpf.c"},
	} {
		out := filepath.Join(dir, c.name, "localrec_skel.go")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		inc := "-I " + filepath.Join(testutil.RepoRoot(), "build", "include")
		if err := run([]string{"-o", out, "-cflags", inc, "-record", "rb=struct event", c.input}, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, stderr.String())
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"Rb *libbpf.Map // rb: ringbuf, records LocalrecEvent",
			"type LocalrecEvent struct {",
			"Flags uint8",
			"_ = x[unsafe.Offsetof(LocalrecEvent{}.Comm)-5]",
		} {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("%s: the skeleton lacks %q:\n%s", c.name, want, got)
			}
		}
	}

	stripped := filepath.Join(dir, "stripped.bpf.o")
	if out, err := exec.Command("llvm-strip-19", "-g", obj, "-o", stripped).CombinedOutput(); err != nil {
		t.Fatalf("llvm-strip-19: %v\n%s", err, out)
	}
	err = run([]string{"-o", filepath.Join(dir, "stripped_skel.go"), "-record", "rb=struct event", stripped}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no DWARF") {
		t.Errorf("-record on a stripped object: %v, want an error that says it has no DWARF", err)
	}
}

// TestDWARFMatchesBTF generates the same types from an object's BTF and
// from its DWARF, which -record and -type fall back to, and wants the same
// Go: the kernel's large structs and types.bpf.c's unions, bitfields,
// anonymous and packed members.
func TestDWARFMatchesBTF(t *testing.T) {
	for _, c := range []struct {
		object string
		types  []string
	}{
		{"testdata/kernel_types.bpf.o", []string{"struct task_struct", "struct sk_buff", "struct inode", "struct page", "struct perf_event", "struct bpf_prog", "struct net_device", "struct mm_struct", "struct sock"}},
		{filepath.Join(goldenDir, "testdata/types.bpf.o"), []string{"struct bits", "union value", "struct padded", "struct packed", "item_t", "enum big", "union low_bits", "struct rodata"}},
	} {
		obj := testutil.Object(t, c.object)
		spec, err := readBTF(obj)
		if err != nil {
			t.Fatal(err)
		}
		d, err := openDWARF(obj)
		if err != nil {
			t.Fatal(err)
		}
		fromBTF, fromDWARF := newTypeGen(spec, "K", map[string]bool{}), newTypeGen(d.spec, "K", map[string]bool{})
		for _, name := range c.types {
			id, err := findType(spec, name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fromBTF.typeOf(id, "K"+goName(name)); err != nil {
				t.Fatalf("%s from BTF: %v", name, err)
			}
			if id, err = d.find(name); err != nil {
				t.Fatal(err)
			}
			if _, err := fromDWARF.typeOf(id, "K"+goName(name)); err != nil {
				t.Fatalf("%s from DWARF: %v", name, err)
			}
		}
		a, b := declarations(fromBTF), declarations(fromDWARF)
		if a != b {
			t.Errorf("%s: the Go types from DWARF differ from those from BTF:\n%s", c.object, firstDiff(a, b))
		}
		t.Logf("%s: %d types, the same from both", c.object, len(fromBTF.order))
	}
}

func declarations(g *typeGen) string {
	var b strings.Builder
	for _, n := range g.order {
		b.WriteString(n.decl.String())
		b.WriteString(strings.Join(n.asserts, "\n"))
	}
	return b.String()
}
