package libbpf

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// moduleRoot is the module root, seen from this package's folder.
const moduleRoot = ".."

var (
	quoted   = regexp.MustCompile("`([^`\n]+)`")
	symbolIn = regexp.MustCompile(`^([\w./-]+\.(?:go|c|h)):(\S+)$`)
	repoPath = regexp.MustCompile(`^(?:[\w./-]+\.(?:go|c|h|md)|testdata/[\w./-]+)$`)
	testName = regexp.MustCompile(`^(?:Test|Fuzz|Benchmark|Example)\w*$`)
)

// TestWorkaroundsListed keeps WORKAROUNDS.md true: every file:symbol it
// names in backquotes is declared in that file, every path exists, every
// test it names by itself exists in some _test.go of the module, and every
// item names at least one test that guards it.
func TestWorkaroundsListed(t *testing.T) {
	doc, err := os.ReadFile("WORKAROUNDS.md")
	if err != nil {
		t.Fatal(err)
	}
	tests := moduleTests(t)
	for _, m := range quoted.FindAllStringSubmatch(string(doc), -1) {
		ref := m[1]
		switch {
		case symbolIn.MatchString(ref):
			p := symbolIn.FindStringSubmatch(ref)
			if !declares(t, filepath.Join(moduleRoot, p[1]), p[2]) {
				t.Errorf("WORKAROUNDS.md names %s, which %s does not declare", ref, p[1])
			}
		case repoPath.MatchString(ref):
			if _, err := os.Stat(filepath.Join(moduleRoot, ref)); err != nil {
				t.Errorf("WORKAROUNDS.md names %s: %v", ref, err)
			}
		case testName.MatchString(ref):
			if !tests[ref] {
				t.Errorf("WORKAROUNDS.md names %s, which no _test.go of the module declares", ref)
			}
		}
	}
	items := strings.Split(string(doc), "\n### ")[1:]
	if len(items) < 12 {
		t.Errorf("WORKAROUNDS.md lists %d items, want the 12 or more it had", len(items))
	}
	guard := regexp.MustCompile("`[\\w./-]+_test\\.go:(?:Test|Fuzz)\\w+`")
	for _, item := range items {
		title, _, _ := strings.Cut(item, "\n")
		_, guards, ok := strings.Cut(item, "**Guarded by:**")
		if !ok || !guard.MatchString(guards) {
			t.Errorf("WORKAROUNDS.md item %q names no test_file.go:TestName that guards it", title)
		}
	}
}

// declares reports whether the Go or C file at path declares symbol: a
// top-level Go function, type, variable or constant, a method written
// "(*T).M" or "(T).M", or a C function.
func declares(t *testing.T, path, symbol string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return false
	}
	if !strings.HasSuffix(path, ".go") {
		return regexp.MustCompile(`(?m)^[\w\s*]*\b` + regexp.QuoteMeta(symbol) + `\s*\(`).Match(src)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Error(err)
		return false
	}
	for _, name := range goDecls(f) {
		if name == symbol {
			return true
		}
	}
	return false
}

// goDecls returns the names a Go file declares at top level, methods as
// "(*T).M" or "(T).M".
func goDecls(f *ast.File) []string {
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil || len(d.Recv.List) == 0 {
				names = append(names, d.Name.Name)
				continue
			}
			recv := d.Recv.List[0].Type
			if idx, ok := recv.(*ast.IndexExpr); ok { // generic receiver
				recv = idx.X
			}
			switch r := recv.(type) {
			case *ast.StarExpr:
				if id, ok := r.X.(*ast.Ident); ok {
					names = append(names, "(*"+id.Name+")."+d.Name.Name)
				}
			case *ast.Ident:
				names = append(names, "("+r.Name+")."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// moduleTests returns the names of the test, fuzz, benchmark and example
// functions of every _test.go in the module (outside the libbpf build and
// source trees).
func moduleTests(t *testing.T) map[string]bool {
	tests := map[string]bool{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "build" || d.Name() == "work" || strings.HasPrefix(d.Name(), ".")) && path != moduleRoot {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, name := range goDecls(f) {
			if testName.MatchString(name) {
				tests[name] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tests
}
