package libbpf

// docs/COVERAGE.md maps every public libbpf function to its Go API; the
// coverage test fails when it is out of date.
//go:generate go run ./internal/cmd/coverage

// types_gen.go holds the program, attach and map types of the pinned
// libbpf's linux/bpf.h; the typesgen test fails when it is out of date.
//go:generate go run ./internal/cmd/typesgen
