package libbpf

// How cgo finds libbpf. The headers come from CGO_CFLAGS and the library
// from the -L in CGO_LDFLAGS, both as cmd/libbpf-setup writes them (the
// Makefile exports the same for in-tree builds): -lgolibbpf is the linker
// script the setup puts there, which names its static libbpf.a and the
// static archives of libelf and of libelf's own dependencies on this machine
// (pkg-config --static), so binaries carry no dynamic libbpf or libelf.
// Under -asan it is -lgolibbpf-asan, the AddressSanitizer build of libbpf
// (libbpf-setup -asan), so that a use-after-free inside libbpf is caught too.
// With the libbpf_system build tag the system's libbpf is used instead,
// through pkg-config; it must be release 1.7 as well.

// #cgo !libbpf_system,!asan LDFLAGS: -lgolibbpf
// #cgo !libbpf_system,asan LDFLAGS: -lgolibbpf-asan
// #cgo libbpf_system pkg-config: libbpf
import "C"
