package libbpf

// docs/COVERAGE.md maps every public libbpf function to its Go API; the
// coverage test fails when it is out of date.
//go:generate go run ./internal/cmd/coverage

// types_gen.go and helpers_gen.go hold the program, attach and map types and
// the helper ids of the pinned libbpf's linux/bpf.h; the typesgen tests fail
// when they are out of date.
//go:generate go run ./internal/cmd/typesgen
