// Command coverage writes docs/COVERAGE.md: every public function of the
// pinned libbpf with the Go API that reaches it, or the reason it has none
// (see package internal/coverage). Run it from the module root, or through
// go generate.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/golibbpf/libbpf/internal/coverage"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	doc, err := coverage.Generate(root)
	if err == nil {
		err = os.WriteFile(filepath.Join(root, "docs/COVERAGE.md"), doc, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coverage:", err)
		os.Exit(1)
	}
}
