//go:build !asan

package libbpf

// The pinned libbpf, built by `make libbpf`, linked statically together with
// libelf and zlib: binaries carry no dynamic libbpf or libelf dependency.

// #cgo LDFLAGS: ${SRCDIR}/libbpf/build/lib/libbpf.a -l:libelf.a -l:libz.a
import "C"
