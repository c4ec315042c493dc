//go:build asan

package libbpf

// Under -asan the module links the AddressSanitizer build of libbpf (`make
// libbpf-asan`), so a use-after-free inside libbpf is caught as well.

// #cgo LDFLAGS: ${SRCDIR}/libbpf/build-asan/lib/libbpf.a -l:libelf.a -l:libz.a
import "C"
