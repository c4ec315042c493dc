package libbpf_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// nilHandles are the handle types a lookup returns nil for: Object.Map,
// Object.Program, RingBuffer.Ring, Program.Handler, Map.Object, and a Link
// from JoinLinks of no links.
var nilHandles = []any{
	(*libbpf.Map)(nil),
	(*libbpf.Program)(nil),
	(*libbpf.Link)(nil),
	(*libbpf.Ring)(nil),
	(*libbpf.Registration)(nil),
	(*libbpf.Object)(nil),
}

// nilResults are the documented results of a nil handle's methods that are
// not the zero value (an error result aside, which must wrap ErrNotFound).
var nilResults = map[string]func(t *testing.T, out []reflect.Value){
	"Map.FD":         wantInt(-1),
	"Program.FD":     wantInt(-1),
	"Link.FD":        wantInt(-1),
	"Ring.MapFD":     wantInt(-1),
	"Object.BTFFD":   wantInt(-1),
	"Object.TokenFD": wantInt(-1),
	"Object.FindMapFDByName": func(t *testing.T, out []reflect.Value) {
		wantInt(-1)(t, out)
		err, _ := out[1].Interface().(error)
		checkNotFound(t, err)
	},
	"Registration.String": func(t *testing.T, out []reflect.Value) {
		if out[0].String() == "" {
			t.Error("empty String")
		}
	},
	"Map.Iterate": func(t *testing.T, out []reflect.Value) {
		it := out[0].Interface().(*libbpf.MapIterator)
		for range it.All() {
			t.Error("a nil map yielded an element")
		}
		checkNotFound(t, it.Err())
	},
}

func wantInt(want int64) func(*testing.T, []reflect.Value) {
	return func(t *testing.T, out []reflect.Value) {
		if got := out[0].Int(); got != want {
			t.Errorf("returned %d, want %d", got, want)
		}
	}
}

// checkNotFound checks a nil handle's error: ErrNotFound, ENOENT, never a
// missing key, and a message that says what is missing.
func checkNotFound(t *testing.T, err error) {
	t.Helper()
	switch {
	case !errors.Is(err, libbpf.ErrNotFound) || !errors.Is(err, unix.ENOENT):
		t.Errorf("error %v, want ErrNotFound (ENOENT)", err)
	case errors.Is(err, libbpf.ErrKeyNotExist):
		t.Errorf("error %v is ErrKeyNotExist", err)
	case !strings.Contains(err.Error(), "not found (a nil *"):
		t.Errorf("error %q does not say what is missing", err)
	}
}

// TestNilHandleMethods calls every exported method of every nil handle type
// (new methods are covered as they are added) with zero arguments: none
// panics, every error result wraps ErrNotFound, except Close's, which is
// nil, and every other result is the zero value or the one nilResults
// documents.
func TestNilHandleMethods(t *testing.T) {
	errorType := reflect.TypeFor[error]()
	for _, h := range nilHandles {
		v := reflect.ValueOf(h)
		typ := v.Type()
		if typ.NumMethod() == 0 {
			t.Fatalf("%s has no methods", typ)
		}
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			name := typ.Elem().Name() + "." + m.Name
			t.Run(name, func(t *testing.T) {
				ft := m.Type // the receiver is its first argument
				args := []reflect.Value{v}
				for j := 1; j < ft.NumIn(); j++ {
					args = append(args, reflect.Zero(ft.In(j)))
				}
				var out []reflect.Value
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("panics: %v", r)
						}
					}()
					if ft.IsVariadic() {
						out = m.Func.CallSlice(args)
					} else {
						out = m.Func.Call(args)
					}
				}()
				if check := nilResults[name]; check != nil {
					check(t, out)
					return
				}
				for j, o := range out {
					switch {
					case ft.Out(j) == errorType && m.Name == "Close":
						if !o.IsNil() {
							t.Errorf("Close: %v, want nil: a nil handle has nothing to release", o.Interface())
						}
					case ft.Out(j) == errorType:
						err, _ := o.Interface().(error)
						checkNotFound(t, err)
					case !o.IsZero():
						t.Errorf("result %d is %v, want the zero value", j, o.Interface())
					}
				}
			})
		}
	}
}

// handleArgCalls pass nil for the handle argument of every exported
// function and method that takes one, on real values otherwise; each
// returns the call's error. A function that legitimately takes a nil
// handle returns nil here and is listed in nilArgOK.
func handleArgCalls(t *testing.T) map[string]func() error {
	obj, events := loadBasic(t), loadEvents(t)
	link, err := obj.Program("on_sys_enter").Attach()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { link.Close() })
	rb, err := libbpf.NewRingBuffer(events.Map("small"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rb.Close() })
	first := func(_ any, err error) error { return err }
	return map[string]func() error{
		"NewRingBuffer":           func() error { return first(libbpf.NewRingBuffer(events.Map("small"), nil)) },
		"RingBuffer.Add":          func() error { return rb.Add(nil) },
		"NewPerfBuffer":           func() error { return first(libbpf.NewPerfBuffer(nil, 1, libbpf.PerfBufferOptions{})) },
		"NewUserRingBuffer":       func() error { return first(libbpf.NewUserRingBuffer(nil)) },
		"Link.Update":             func() error { return link.Update(nil) },
		"Link.UpdateMap":          func() error { return link.UpdateMap(nil) },
		"Map.SetInnerMap":         func() error { return obj.Map("counts").SetInnerMap(nil) },
		"Program.BindMap":         func() error { return obj.Program("on_sys_enter").BindMap(nil) },
		"Object.MapGlobals":       func() error { return first(obj.MapGlobals(nil)) },
		"Map.SetExclusiveProgram": func() error { return obj.Map("counts").SetExclusiveProgram(nil) },
		"Program.AssocStructOps":  func() error { return obj.Program("on_sys_enter").AssocStructOps(nil) },
		"NewTypedVariable": func() error {
			return first(libbpf.NewTypedVariable[uint64](nil, ".bss", "counter"))
		},
		"JoinLinks": func() error {
			if l := libbpf.JoinLinks(nil, nil); l != nil {
				t.Errorf("JoinLinks(nil, nil) = %v, want nil", l)
			}
			return nil
		},
	}
}

// nilArgOK are the functions for which a nil handle is a valid argument.
var nilArgOK = []string{"JoinLinks"}

// TestNilHandleArguments passes nil for a handle argument (as
// NewRingBuffer(obj.Map("typo")) does) to every exported function and
// method that takes a handle, found by parsing the package: each fails with
// ErrNotFound instead of crashing.
func TestNilHandleArguments(t *testing.T) {
	calls := handleArgCalls(t)
	for _, name := range handleTakers(t) {
		call := calls[name]
		if call == nil {
			t.Errorf("%s takes a handle but has no case in handleArgCalls", name)
			continue
		}
		delete(calls, name)
		t.Run(name, func(t *testing.T) {
			err := call()
			if slices.Contains(nilArgOK, name) {
				return
			}
			checkNotFound(t, err)
		})
	}
	for name := range calls {
		t.Errorf("handleArgCalls has %s, which takes no handle", name)
	}
}

// handleTakers lists the package's exported functions and methods (of
// exported types) with a parameter of a nil handle's type.
func handleTakers(t *testing.T) []string {
	handles := map[string]bool{}
	for _, h := range nilHandles {
		handles[reflect.TypeOf(h).Elem().Name()] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() || !takesHandle(fn.Type.Params, handles) {
				continue
			}
			name := fn.Name.Name
			if fn.Recv != nil {
				recv := fn.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				id, ok := recv.(*ast.Ident)
				if !ok || !id.IsExported() {
					continue
				}
				name = id.Name + "." + name
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Fatal("found no function that takes a handle")
	}
	return names
}

func takesHandle(params *ast.FieldList, handles map[string]bool) bool {
	for _, p := range params.List {
		typ := p.Type
		if e, ok := typ.(*ast.Ellipsis); ok {
			typ = e.Elt
		}
		if star, ok := typ.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && handles[id.Name] {
				return true
			}
		}
	}
	return false
}

// TestMissingMapLookup is the README's example with a name the object does
// not have: obj.Map("typo").Lookup(key, value) fails with ErrNotFound, which
// a caller tells apart from a missing key; obj.Program("typo") likewise.
func TestMissingMapLookup(t *testing.T) {
	obj := loadBasic(t)
	value := make([]byte, 8)
	err := obj.Map("typo").Lookup(u32(0), value)
	checkNotFound(t, err)
	if !strings.HasPrefix(err.Error(), "lookup: map not found") {
		t.Errorf("error %q does not start with what failed", err)
	}
	// The same lookup in a map the object has, for a key it lacks.
	if err := obj.Map("counts").Lookup(u32(1<<20), make([]byte, obj.Map("counts").ValueSize())); !errors.Is(err, libbpf.ErrKeyNotExist) || errors.Is(err, libbpf.ErrNotFound) {
		t.Errorf("missing key: %v, want ErrKeyNotExist only", err)
	}
	_, err = obj.Program("typo").Attach()
	checkNotFound(t, err)
	if !strings.Contains(err.Error(), "program not found") {
		t.Errorf("error %q does not say the program is missing", err)
	}
	_, err = libbpf.NewRingBuffer(obj.Map("typo"))
	checkNotFound(t, err)
}
