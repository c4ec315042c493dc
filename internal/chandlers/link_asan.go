//go:build asan

package chandlers

// Under -asan, the AddressSanitizer build of libbpf, as in the root package.

// #cgo LDFLAGS: ${SRCDIR}/../../libbpf/build-asan/lib/libbpf.a -l:libelf.a -l:libz.a
import "C"
