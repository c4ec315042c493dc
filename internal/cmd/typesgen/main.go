// Command typesgen writes types_gen.go (the ProgType, AttachType and
// MapType constants of the root package) and helpers_gen.go (the HelperID
// constants) from the pinned libbpf's UAPI header (see package
// internal/typesgen). Run it from the module root, or
// through go generate.
package main

import (
	"github.com/golibbpf/libbpf/internal/genfile"
	"github.com/golibbpf/libbpf/internal/typesgen"
)

func main() {
	genfile.Main("typesgen", typesgen.Output, typesgen.Generate)
	genfile.Main("typesgen", typesgen.HelpersOutput, typesgen.GenerateHelpers)
}
