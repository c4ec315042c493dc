//go:build !asan

package chandlers

// The C handlers call into the same static libbpf the root package links.
// cgo test-links each package on its own, so this package names it too; the
// final link resolves every libbpf symbol once.

// #cgo LDFLAGS: ${SRCDIR}/../../libbpf/build/lib/libbpf.a -l:libelf.a -l:libz.a
import "C"
