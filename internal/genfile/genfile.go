// Package genfile is what the module's generators share: the command that
// writes a generated file (run by go generate from the module root) and
// the test that fails when the committed file is stale.
package genfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Generator returns the content of a generated file for the module at root.
type Generator func(root string) ([]byte, error)

// Main writes output (relative to the module root, the first argument or
// ".") with generate, and exits non-zero with name's error when it fails.
func Main(name, output string, generate Generator) {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	content, err := generate(root)
	if err == nil {
		err = os.WriteFile(filepath.Join(root, output), content, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// generatedGo is the line that marks a generated Go file
// (https://go.dev/s/generatedcode).
var generatedGo = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// CheckUpToDate fails t when output under root differs from what generate
// writes, or when a generated .go file lacks the standard "Code generated
// ... DO NOT EDIT." line.
func CheckUpToDate(t testing.TB, root, output string, generate Generator) {
	t.Helper()
	want, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run `go generate ./...` in the module root and commit it", output)
	}
	if filepath.Ext(output) == ".go" && !generatedGo.Match(want) {
		t.Errorf("%s lacks the standard \"// Code generated ... DO NOT EDIT.\" line", output)
	}
}
