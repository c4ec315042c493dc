// Command coverage writes docs/COVERAGE.md: every public function of the
// pinned libbpf with the Go API that reaches it, or the reason it has none
// (see package internal/coverage). Run it from the module root, or through
// go generate.
package main

import (
	"github.com/golibbpf/libbpf/internal/coverage"
	"github.com/golibbpf/libbpf/internal/genfile"
)

func main() { genfile.Main("coverage", "docs/COVERAGE.md", coverage.Generate) }
