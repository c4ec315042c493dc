package libbpf

// docs/COVERAGE.md maps every public libbpf function to its Go API; the
// coverage test fails when it is out of date.
//go:generate go run ./internal/cmd/coverage
