/* The libbpf release the module is pinned to (libbpf/VERSION; a test checks
 * that both agree), checked against the headers cgo finds: every C file of
 * the module includes this first, through handler_cgo.h, so that missing
 * headers or those of another release fail the build with one message
 * instead of a cascade of errors. cmd/libbpf-setup installs the right ones. */
#ifndef GOLIBBPF_LIBBPF_PIN_H
#define GOLIBBPF_LIBBPF_PIN_H

#define GOLIBBPF_PIN_MAJOR 1
#define GOLIBBPF_PIN_MINOR 7

#if !__has_include(<bpf/libbpf_version.h>)
#error "github.com/golibbpf/libbpf: no libbpf headers found; it needs libbpf 1.7: run `go run github.com/golibbpf/libbpf/cmd/libbpf-setup -w` once (see the README)"
#else
#include <bpf/libbpf_version.h>
#if LIBBPF_MAJOR_VERSION != GOLIBBPF_PIN_MAJOR || LIBBPF_MINOR_VERSION != GOLIBBPF_PIN_MINOR
#error "github.com/golibbpf/libbpf needs libbpf 1.7 (pinned) and found the headers of another release: run `go run github.com/golibbpf/libbpf/cmd/libbpf-setup -w` (see the README)"
#endif
#endif

#endif
