package goprobe

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Section prefixes handled by this package.
const (
	entryPrefix  = "uprobe.go"
	returnPrefix = "uretprobe.go"
)

// ErrInvalidSection is wrapped by every error about a malformed
// uprobe.go/uretprobe.go section name.
var ErrInvalidSection = errors.New("invalid section")

// probeKind tells an entry probe from a return probe.
type probeKind int

const (
	entryProbe probeKind = iota
	returnProbe
)

func (k probeKind) prefix() string {
	if k == returnProbe {
		return returnPrefix
	}
	return entryPrefix
}

// probeSpec is a parsed uprobe.go/uretprobe.go section.
type probeSpec struct {
	kind   probeKind
	path   string // absolute path of the binary, exactly as written
	symbol string // symbol as the binary's symbol table spells it
}

// String formats the spec back into its section name.
func (s probeSpec) String() string {
	return s.kind.prefix() + "/" + s.path + ":" + s.symbol
}

// parseSection parses "uprobe.go/<abs path>:<symbol>" or
// "uretprobe.go/<abs path>:<symbol>".
//
// The path and the symbol are separated by the last ':' that is not inside
// square brackets or a double-quoted string. Go function symbols never
// contain ':' except inside the type arguments of a generic instantiation,
// where a struct type's field tag can hold one (main.F[go.shape.struct { X
// int "json:\"x\"" }]); those sit between brackets and quotes, so they are
// skipped. Everything before the separator is the path, which may itself
// contain ':'.
func parseSection(sec string) (probeSpec, error) {
	var spec probeSpec
	rest, ok := strings.CutPrefix(sec, returnPrefix)
	if ok {
		spec.kind = returnProbe
	} else if rest, ok = strings.CutPrefix(sec, entryPrefix); ok {
		spec.kind = entryProbe
	} else {
		return spec, sectionErr(sec, "want prefix %q or %q", entryPrefix+"/", returnPrefix+"/")
	}
	if rest == "" {
		return spec, sectionErr(sec, "missing \"/<absolute path>:<symbol>\" after %q", spec.kind.prefix())
	}
	rest, ok = strings.CutPrefix(rest, "/")
	if !ok {
		return spec, sectionErr(sec, "want '/' after %q, got %q", spec.kind.prefix(), rest)
	}
	if rest == "" {
		return spec, sectionErr(sec, "missing \"<absolute path>:<symbol>\" after %q", spec.kind.prefix()+"/")
	}
	if !utf8.ValidString(rest) {
		return spec, sectionErr(sec, "not valid UTF-8")
	}
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return spec, sectionErr(sec, "control character %q at byte %d", rest[i], i)
	}
	i := separatorIndex(rest)
	if i < 0 {
		return spec, sectionErr(sec, "missing ':' between path and symbol in %q", rest)
	}
	spec.path, spec.symbol = rest[:i], rest[i+1:]
	switch {
	case spec.path == "":
		return spec, sectionErr(sec, "empty path before ':'")
	case !filepath.IsAbs(spec.path):
		return spec, sectionErr(sec, "path %q is not absolute", spec.path)
	case strings.HasSuffix(spec.path, "/"):
		return spec, sectionErr(sec, "path %q names a directory", spec.path)
	case spec.symbol == "":
		return spec, sectionErr(sec, "empty symbol after ':' (path %q)", spec.path)
	case strings.TrimSpace(spec.symbol) != spec.symbol:
		return spec, sectionErr(sec, "symbol %q has leading or trailing space", spec.symbol)
	}
	return spec, nil
}

// separatorIndex returns the index of the ':' that ends the path in
// "<path>:<symbol>", scanning from the end and skipping ':' inside brackets
// or double-quoted strings of the symbol, or -1.
func separatorIndex(s string) int {
	depth := 0
	quoted := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c == '"' && !escaped(s, i) {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		switch c {
		case ']':
			depth++
		case '[':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// escaped reports whether s[i] is preceded by an odd number of backslashes.
func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func sectionErr(sec, format string, args ...any) error {
	return fmt.Errorf("goprobe: section %q: %s: %w", sec, fmt.Sprintf(format, args...), ErrInvalidSection)
}
