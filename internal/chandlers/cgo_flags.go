package chandlers

// The C handlers call into the same libbpf the root package links (see its
// cgo_flags.go). cgo test-links each package on its own, so this package
// names it too; the final link resolves every libbpf symbol once.

// #cgo !libbpf_system,!asan LDFLAGS: -lgolibbpf
// #cgo !libbpf_system,asan LDFLAGS: -lgolibbpf-asan
// #cgo libbpf_system pkg-config: libbpf
import "C"
