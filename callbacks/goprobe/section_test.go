package goprobe

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseSection(t *testing.T) {
	for _, tc := range []struct {
		sec          string
		kind         probeKind
		path, symbol string
	}{
		{"uprobe.go//usr/bin/app:main.work", entryProbe, "/usr/bin/app", "main.work"},
		{"uretprobe.go//usr/bin/app:main.work", returnProbe, "/usr/bin/app", "main.work"},
		{"uprobe.go//srv/web:net/http.(*conn).serve", entryProbe, "/srv/web", "net/http.(*conn).serve"},
		{"uretprobe.go//a/b:main.Sum[go.shape.int]", returnProbe, "/a/b", "main.Sum[go.shape.int]"},
		{"uretprobe.go//a/b:main.Map[go.shape.string,go.shape.*uint8]", returnProbe, "/a/b", "main.Map[go.shape.string,go.shape.*uint8]"},
		{"uprobe.go//a/b:main.main.func1.2", entryProbe, "/a/b", "main.main.func1.2"},
		{"uprobe.go//a/b:main.(*T[go.shape.int]).M", entryProbe, "/a/b", "main.(*T[go.shape.int]).M"},
		// A ':' inside a generic's type arguments (a struct tag) belongs
		// to the symbol; one in the path belongs to the path.
		{`uprobe.go//a/b:main.F[go.shape.struct { X int "json:\"x\"" }]`, entryProbe, "/a/b", `main.F[go.shape.struct { X int "json:\"x\"" }]`},
		{"uprobe.go//opt/c:d/app:main.work", entryProbe, "/opt/c:d/app", "main.work"},
		{`uprobe.go//a/b:main.F[go.shape.struct { X int "a:]\"[" }]`, entryProbe, "/a/b", `main.F[go.shape.struct { X int "a:]\"[" }]`},
		{"uprobe.go//a b/c d:main.work", entryProbe, "/a b/c d", "main.work"},
		{"uprobe.go//a/b:runtime.gcBgMarkWorker", entryProbe, "/a/b", "runtime.gcBgMarkWorker"},
	} {
		spec, err := parseSection(tc.sec)
		if err != nil {
			t.Errorf("parseSection(%q): %v", tc.sec, err)
			continue
		}
		if spec.kind != tc.kind || spec.path != tc.path || spec.symbol != tc.symbol {
			t.Errorf("parseSection(%q) = %v %q %q, want %v %q %q", tc.sec, spec.kind, spec.path, spec.symbol, tc.kind, tc.path, tc.symbol)
		}
		if spec.String() != tc.sec {
			t.Errorf("parseSection(%q).String() = %q", tc.sec, spec.String())
		}
	}
}

func TestParseSectionErrors(t *testing.T) {
	for _, tc := range []struct {
		sec  string
		part string // the offending part the error must name
	}{
		{"uprobe.go", "missing"},
		{"uretprobe.go", "missing"},
		{"uprobe.go/", "missing"},
		{"uprobe.gox/a:b", `"x/a:b"`},
		{"uprobe.go/usr/bin/app:main.work", `"usr/bin/app" is not absolute`},
		{"uprobe.go/./app:main.work", `"./app" is not absolute`},
		{"uprobe.go//usr/bin/app", "missing ':'"},
		{"uprobe.go//usr/bin/app:", "empty symbol"},
		{"uretprobe.go/:main.work", "empty path"},
		{"uprobe.go//usr/bin/:main.work", `"/usr/bin/" names a directory`},
		{"uprobe.go//a/b: main.work", "leading or trailing space"},
		{"uprobe.go//a/b:main.work\n", "control character"},
		{"uprobe.go//a/b:main.F]x", "missing ':'"},
		{"uprobe.go//a/\xffb:main.work", "UTF-8"},
		{"kprobe/foo", "want prefix"},
	} {
		_, err := parseSection(tc.sec)
		if err == nil {
			t.Errorf("parseSection(%q): no error", tc.sec)
			continue
		}
		if !errors.Is(err, ErrInvalidSection) {
			t.Errorf("parseSection(%q): %v does not wrap ErrInvalidSection", tc.sec, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, strconv.Quote(tc.sec)) {
			t.Errorf("parseSection(%q): %q does not name the section", tc.sec, msg)
		}
		if !strings.Contains(msg, tc.part) {
			t.Errorf("parseSection(%q): %q does not mention %q", tc.sec, msg, tc.part)
		}
	}
}

// FuzzParseSection checks that the parser never panics and that whatever
// it accepts is well formed and prints back to the same section.
func FuzzParseSection(f *testing.F) {
	// The committed corpus in testdata/fuzz/FuzzParseSection adds the
	// awkward cases; these are the everyday forms.
	for _, s := range []string{
		"uprobe.go//usr/bin/app:main.work",
		"uretprobe.go//srv/web:net/http.(*conn).serve",
		"uretprobe.go//a/b:main.Sum[go.shape.int]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sec string) {
		spec, err := parseSection(sec)
		if err != nil {
			if !errors.Is(err, ErrInvalidSection) {
				t.Fatalf("parseSection(%q): %v does not wrap ErrInvalidSection", sec, err)
			}
			return
		}
		if !filepath.IsAbs(spec.path) || spec.symbol == "" {
			t.Fatalf("parseSection(%q) accepted path %q, symbol %q", sec, spec.path, spec.symbol)
		}
		if got := spec.String(); got != sec {
			t.Fatalf("parseSection(%q).String() = %q", sec, got)
		}
		again, err := parseSection(spec.String())
		if err != nil || again != spec {
			t.Fatalf("reparse of %q: %+v, %v; want %+v", sec, again, err, spec)
		}
	})
}
