// Package coverage writes docs/COVERAGE.md: every public function of the
// pinned libbpf (the global symbols of its libbpf.map) with the Go API of
// the root package that reaches it, or the reason it has none (reasons.go).
//
// Reachability comes from the root package's source, parsed with go/ast:
// the C.<name> calls of each Go function, the libbpf calls of the C helpers
// the package defines (handler_cgo.c, cgo preambles), and the package-level
// functions and methods each function refers to. An exported function or
// method reaches a libbpf function when a chain of unexported ones leads
// from it to a C call of it. Every file of the package is read, so new
// *_cgo.go files count without a change here.
package coverage

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Symbol is a public libbpf function and the version node that exports it.
type Symbol struct {
	Name, Version string
}

// ReadMap returns the global symbols of a libbpf.map version script.
func ReadMap(path string) ([]Symbol, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var syms []Symbol
	seen := map[string]bool{}
	version, global := "", false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasSuffix(line, "{"):
			version, global = strings.TrimSpace(strings.TrimSuffix(line, "{")), false
		case line == "global:":
			global = true
		case line == "local:" || strings.HasPrefix(line, "local:"):
			global = false
		case strings.HasPrefix(line, "}"):
			version, global = "", false
		case global && strings.HasSuffix(line, ";"):
			name := strings.TrimSuffix(line, ";")
			if !seen[name] {
				seen[name] = true
				syms = append(syms, Symbol{name, version})
			}
		}
	}
	if len(syms) == 0 {
		return nil, fmt.Errorf("%s: no global symbols", path)
	}
	return syms, sc.Err()
}

// node is a package-level Go function or method.
type node struct {
	name     string          // "Open", "(*Program).Pin"
	exported bool            // reachable by a user of the package
	cCalls   map[string]bool // C.<name> it calls
	refs     []ref           // functions and methods it refers to
}

// ref is a reference to a function (recv "") or to a method by name; recv
// is the method's receiver type when the call is on the enclosing method's
// own receiver, "?" when unknown.
type ref struct{ recv, name string }

// Analysis is what Analyze finds in the root package.
type Analysis struct {
	// Reach gives, for each libbpf function the package reaches, the
	// exported Go APIs that reach it.
	Reach map[string][]string
	// APIs holds the package's exported functions, methods ("(*Map).Lookup")
	// and types: the names the tables of this package may cite.
	APIs map[string]bool
}

// Analyze reads the root package at dir and finds which of the libbpf
// functions it reaches, and from where.
func Analyze(dir string, libbpf map[string]bool) (*Analysis, error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	cSource := new(strings.Builder)
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if f.Name.Name != "libbpf" {
			continue
		}
		files = append(files, f)
		for _, d := range f.Decls { // the cgo preamble: the comment above import "C"
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.IMPORT {
				continue
			}
			for _, spec := range g.Specs {
				if imp := spec.(*ast.ImportSpec); imp.Path.Value == `"C"` {
					for _, doc := range []*ast.CommentGroup{g.Doc, imp.Doc} {
						if doc != nil {
							cSource.WriteString(doc.Text())
						}
					}
				}
			}
		}
	}
	cFiles, _ := filepath.Glob(filepath.Join(dir, "*.c"))
	for _, p := range cFiles {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		cSource.Write(data)
	}
	helpers := cHelpers(cSource.String(), libbpf)
	info := typeCheck(fset, files)

	nodes := map[string]*node{}
	funcs := map[string]bool{}       // package-level function names
	methods := map[string][]string{} // method name -> receiver types
	vars := map[string]bool{}        // package-level variable names
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					for _, name := range spec.(*ast.ValueSpec).Names {
						vars[name.Name] = true
					}
				}
			}
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			recv := receiver(fd)
			if recv == "" {
				funcs[fd.Name.Name] = true
			} else {
				methods[fd.Name.Name] = append(methods[fd.Name.Name], recv)
			}
		}
	}
	// inspect records the C calls and the references of body in n.
	inspect := func(n *node, body ast.Node, recv, recvName string) {
		ast.Inspect(body, func(x ast.Node) bool {
			switch e := x.(type) {
			case *ast.SelectorExpr:
				if id, ok := e.X.(*ast.Ident); ok && id.Name == "C" {
					n.cCalls[e.Sel.Name] = true
					return true
				}
				if sel := info.Selections[e]; sel != nil {
					if f, ok := sel.Obj().(*types.Func); ok {
						n.refs = append(n.refs, ref{methodRecv(f), f.Name()})
					}
					return true
				}
				if id, ok := e.X.(*ast.Ident); ok && id.Name == recvName && recvName != "" {
					n.refs = append(n.refs, ref{recv, e.Sel.Name})
				} else {
					n.refs = append(n.refs, ref{"?", e.Sel.Name})
				}
			case *ast.Ident:
				if info.Defs[e] != nil {
					return true // a declaration, such as a parameter named like a function
				}
				obj := info.Uses[e]
				f, isFunc := obj.(*types.Func)
				if obj == nil && funcs[e.Name] || isFunc && methodRecv(f) == "" && funcs[e.Name] {
					n.refs = append(n.refs, ref{"", e.Name})
				}
				if v, ok := obj.(*types.Var); ok && vars[e.Name] && v.Parent() == v.Pkg().Scope() {
					n.refs = append(n.refs, ref{"", varKey(e.Name)})
				}
			}
			return true
		})
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				recv := receiver(d)
				n := &node{name: key(recv, d.Name.Name), cCalls: map[string]bool{}}
				n.exported = d.Name.IsExported() && (recv == "" || ast.IsExported(recv))
				inspect(n, d.Body, recv, receiverName(d))
				nodes[n.name] = n
			case *ast.GenDecl:
				// A package-level variable's initializer runs the functions
				// it names for whoever reads the variable, as with
				// sync.OnceValues(f).
				for _, spec := range d.Specs {
					vs, ok := spec.(*ast.ValueSpec)
					if !ok || d.Tok != token.VAR {
						continue
					}
					for _, name := range vs.Names {
						n := &node{name: varKey(name.Name), cCalls: map[string]bool{}}
						for _, v := range vs.Values {
							inspect(n, v, "", "")
						}
						nodes[n.name] = n
					}
				}
			}
		}
	}

	// libbpfOf returns the libbpf functions a C call reaches.
	libbpfOf := func(c string) []string {
		if libbpf[c] {
			return []string{c}
		}
		return helpers[c]
	}
	// targets resolves a reference to the nodes it may mean.
	targets := func(r ref) []*node {
		if r.recv == "" {
			return []*node{nodes[r.name]}
		}
		if r.recv != "?" {
			if n := nodes[key(r.recv, r.name)]; n != nil {
				return []*node{n}
			}
		}
		var out []*node
		for _, recv := range methods[r.name] {
			out = append(out, nodes[key(recv, r.name)])
		}
		return out
	}
	reach := map[string][]string{}
	for _, n := range nodes {
		if !n.exported {
			continue
		}
		seen := map[*node]bool{n: true}
		found := map[string]bool{}
		stack := []*node{n}
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for c := range cur.cCalls {
				for _, s := range libbpfOf(c) {
					found[s] = true
				}
			}
			for _, r := range cur.refs {
				for _, t := range targets(r) {
					if t != nil && !t.exported && !seen[t] {
						seen[t] = true
						stack = append(stack, t)
					}
				}
			}
		}
		for s := range found {
			reach[s] = append(reach[s], n.name)
		}
	}
	for s := range reach {
		sort.Strings(reach[s])
	}
	apis := map[string]bool{}
	for _, n := range nodes {
		if n.exported {
			apis[n.name] = true
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, spec := range g.Specs {
					if ts := spec.(*ast.TypeSpec); ts.Name.IsExported() {
						apis[ts.Name.Name] = true
					}
				}
			}
		}
	}
	return &Analysis{Reach: reach, APIs: apis}, nil
}

// typeCheck type-checks the package as far as it can without cgo: C's
// names stay unresolved, but the Go methods each selector means are known.
func typeCheck(fset *token.FileSet, files []*ast.File) *types.Info {
	info := &types.Info{
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
	}
	conf := types.Config{
		FakeImportC: true,
		Importer:    fakeImporter{},
		Error:       func(error) {}, // C's types are unknown; keep going
	}
	conf.Check("github.com/golibbpf/libbpf", fset, files, info)
	return info
}

// fakeImporter gives every import an empty package: only this package's
// own functions and methods matter, and reading the sources of its imports
// would take half a minute.
type fakeImporter struct{}

func (fakeImporter) Import(path string) (*types.Package, error) {
	pkg := types.NewPackage(path, filepath.Base(path))
	pkg.MarkComplete()
	return pkg, nil
}

// methodRecv names the receiver type of method f.
func methodRecv(f *types.Func) string {
	sig, ok := f.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return ""
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return "?"
}

func receiver(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return "?"
}

func receiverName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 {
		return ""
	}
	return fd.Recv.List[0].Names[0].Name
}

// varKey names the node of a package-level variable, apart from functions.
func varKey(name string) string { return "var " + name }

func key(recv, name string) string {
	if recv == "" {
		return name
	}
	return "(*" + recv + ")." + name
}

var (
	cFuncDef = regexp.MustCompile(`(?m)^[a-z_][^;(){}=]*?\b([A-Za-z_][A-Za-z_0-9]*)\s*\([^;{}]*\)\s*\{`)
	cIdent   = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9]*`)
)

// cHelpers returns, for each C function defined in src, the libbpf
// functions it calls, directly or through other functions of src.
func cHelpers(src string, libbpf map[string]bool) map[string][]string {
	bodies := map[string]string{}
	for _, m := range cFuncDef.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[2]:m[3]]
		open := m[1] - 1
		depth, end := 0, len(src)
		for i := open; i < len(src); i++ {
			if src[i] == '{' {
				depth++
			} else if src[i] == '}' {
				if depth--; depth == 0 {
					end = i + 1
					break
				}
			}
		}
		bodies[name] += src[open:end]
	}
	out := map[string][]string{}
	for name := range bodies {
		found := map[string]bool{}
		seen := map[string]bool{name: true}
		queue := []string{name}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, id := range cIdent.FindAllString(bodies[cur], -1) {
				switch {
				case libbpf[id]:
					found[id] = true
				case bodies[id] != "" && !seen[id]:
					seen[id] = true
					queue = append(queue, id)
				}
			}
		}
		for s := range found {
			out[name] = append(out[name], s)
		}
		slices.Sort(out[name])
	}
	return out
}

// Markdown renders the coverage table of version's symbols: the Go API
// that reaches each one through libbpf, else its Go twin, else its reason.
func Markdown(version string, syms []Symbol, reach map[string][]string, twins map[string]Twin, reasons map[string]string) []byte {
	var viaLibbpf, viaTwin, explained int
	var missing []string
	for _, s := range syms {
		switch {
		case len(reach[s.Name]) > 0:
			viaLibbpf++
		case len(twins[s.Name].APIs) > 0:
			viaTwin++
		case reasons[s.Name] != "":
			explained++
		default:
			missing = append(missing, s.Name)
		}
	}
	pct := func(n int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(len(syms))) }
	b := new(bytes.Buffer)
	fmt.Fprintf(b, "# libbpf %s from Go: coverage\n\n", version)
	fmt.Fprintf(b, "<!-- Code generated by internal/cmd/coverage (go generate ./...); DO NOT EDIT. -->\n\n")
	fmt.Fprintf(b, "Every public function of libbpf %s (the %d global symbols of its `src/libbpf.map`) and the\n", version, len(syms))
	fmt.Fprintf(b, "Go API of `github.com/golibbpf/libbpf` that calls it, found by reading the package's source:\n")
	fmt.Fprintf(b, "an exported function or method reaches a libbpf function when it, or the unexported code it\n")
	fmt.Fprintf(b, "uses, calls it through cgo. A Go twin does the function's whole job in Go without calling it\n")
	fmt.Fprintf(b, "(the same system call, or the same mapped ring read from Go; internal/coverage/twins.go).\n")
	fmt.Fprintf(b, "A function with neither says why (internal/coverage/reasons.go).\n\n")
	fmt.Fprintf(b, "- reachable from Go: **%d of %d (%s)**: %d through libbpf, %d through Go twins that do the same job without it\n",
		viaLibbpf+viaTwin, len(syms), pct(viaLibbpf+viaTwin), viaLibbpf, viaTwin)
	fmt.Fprintf(b, "- not bound, with a reason: %d (%s)\n", explained, pct(explained))
	fmt.Fprintf(b, "- not bound yet: %d (%s)\n\n", len(missing), pct(len(missing)))
	fmt.Fprintf(b, "| libbpf function | since | Go API |\n|---|---|---|\n")
	sorted := slices.Clone(syms)
	slices.SortFunc(sorted, func(a, b Symbol) int { return strings.Compare(a.Name, b.Name) })
	quote := func(apis []string) string {
		q := make([]string, len(apis))
		for i, a := range apis {
			q[i] = "`" + a + "`"
		}
		return strings.Join(q, ", ")
	}
	for _, s := range sorted {
		var api string
		switch t := twins[s.Name]; {
		case len(reach[s.Name]) > 0:
			api = quote(reach[s.Name])
		case len(t.APIs) > 0:
			api = quote(t.APIs) + " (Go twin: " + t.How + ")"
		case reasons[s.Name] != "":
			api = "none: " + reasons[s.Name]
		default:
			api = "**not bound yet**"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", s.Name, strings.TrimPrefix(s.Version, "LIBBPF_"), api)
	}
	return b.Bytes()
}

var (
	goAPIName  = regexp.MustCompile(`^(\(\*[A-Z]\w*\)\.)?[A-Z]\w*$`)
	libbpfName = regexp.MustCompile(`^[a-z]\w*_\w*$`)
	quoted     = regexp.MustCompile("`([^`]*)`")
)

// Check verifies the twin and reason tables against libbpf's symbols and
// the package: every entry names a libbpf function, every Go API they cite
// (a twin's APIs, a `Name` or `(*Type).Method` in a text) exists, every
// libbpf-like name they quote is a libbpf function, and a twin is neither a
// function the package calls nor one with a reason.
func Check(syms []Symbol, a *Analysis, twins map[string]Twin, reasons map[string]string) error {
	names := map[string]bool{}
	for _, s := range syms {
		names[s.Name] = true
	}
	var errs []string
	checkText := func(sym, text string) {
		for _, m := range quoted.FindAllStringSubmatch(text, -1) {
			switch q := m[1]; {
			case goAPIName.MatchString(q) && !a.APIs[q]:
				errs = append(errs, fmt.Sprintf("%s: the text cites %s, which the package does not export", sym, q))
			case libbpfName.MatchString(q) && !names[q]:
				errs = append(errs, fmt.Sprintf("%s: the text cites %s, which libbpf.map does not export", sym, q))
			}
		}
	}
	for _, sym := range slices.Sorted(maps.Keys(twins)) {
		t := twins[sym]
		switch {
		case !names[sym]:
			errs = append(errs, fmt.Sprintf("twins.go names %s, which libbpf.map does not export", sym))
		case len(a.Reach[sym]) > 0:
			errs = append(errs, fmt.Sprintf("twins.go names %s, which %s reaches through libbpf: remove the twin", sym, a.Reach[sym][0]))
		case reasons[sym] != "":
			errs = append(errs, fmt.Sprintf("%s has both a twin and a reason", sym))
		case len(t.APIs) == 0 || t.How == "":
			errs = append(errs, fmt.Sprintf("twin of %s: no Go API or no word on how", sym))
		}
		for _, api := range t.APIs {
			if !a.APIs[api] {
				errs = append(errs, fmt.Sprintf("twin of %s: %s is not an exported function or method of the package", sym, api))
			}
		}
		checkText(sym, t.How)
	}
	for _, sym := range slices.Sorted(maps.Keys(reasons)) {
		if !names[sym] {
			errs = append(errs, fmt.Sprintf("reasons.go names %s, which libbpf.map does not export", sym))
		}
		checkText(sym, reasons[sym])
	}
	if len(errs) > 0 {
		return fmt.Errorf("coverage tables:\n\t%s", strings.Join(errs, "\n\t"))
	}
	return nil
}

// Generate renders docs/COVERAGE.md for the module at root.
func Generate(root string) ([]byte, error) {
	version, mapPath, err := LibbpfMap(root)
	if err != nil {
		return nil, err
	}
	syms, err := ReadMap(mapPath)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, s := range syms {
		names[s.Name] = true
	}
	a, err := Analyze(root, names)
	if err != nil {
		return nil, err
	}
	if err := Check(syms, a, Twins, Reasons); err != nil {
		return nil, err
	}
	return Markdown(version, syms, a.Reach, Twins, Reasons), nil
}

// LibbpfMap finds the libbpf.map of the pinned source where cmd/libbpf-setup
// took it from for the in-tree build: the tree its stamp names (LIBBPF_SRC),
// else the tarball unpacked at libbpf/work/libbpf-<version>.
func LibbpfMap(root string) (version, path string, err error) {
	data, err := os.ReadFile(filepath.Join(root, "libbpf/VERSION"))
	if err != nil {
		return "", "", fmt.Errorf("pinned libbpf version: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "LIBBPF_VERSION="); ok {
			version = strings.TrimSpace(v)
		}
	}
	if version == "" {
		return "", "", fmt.Errorf("libbpf/VERSION has no LIBBPF_VERSION")
	}
	var candidates []string
	if stamp, err := os.ReadFile(filepath.Join(root, "libbpf/build/lib/.golibbpf-stamp")); err == nil {
		for _, line := range strings.Split(string(stamp), "\n") {
			if tree, ok := strings.CutPrefix(line, "tree "); ok {
				candidates = append(candidates, filepath.Join(tree, "src/libbpf.map"))
			}
		}
	}
	candidates = append(candidates, filepath.Join(root, "libbpf/work/libbpf-"+version, "src/libbpf.map"))
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return version, c, nil
		}
	}
	return "", "", fmt.Errorf("no libbpf.map of libbpf %s at %s: run make libbpf (cmd/libbpf-setup) first",
		version, strings.Join(candidates, " or "))
}
