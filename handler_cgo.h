/* C side of the binding: trampolines from libbpf's callbacks into Go, and thin
 * wrappers that mark which Go operation a libbpf call belongs to. */
#ifndef GOLIBBPF_HANDLER_CGO_H
#define GOLIBBPF_HANDLER_CGO_H

#include <stdint.h>
#include <stdlib.h>
#include "libbpf_pin.h"
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Registers a custom handler whose callbacks are the Go trampolines; cookie is
 * the cgo.Handle of the Go registration. The setup trampoline is always
 * installed (it records which programs are bound to custom handlers). */
int golibbpf_register(const char *sec, enum bpf_prog_type prog_type,
		      enum bpf_attach_type attach_type, uintptr_t cookie,
		      int prepare_load, int attach);

/* Nonzero while this thread runs a Go callback called by libbpf. */
int golibbpf_in_callback(void);

/* Forgets this thread's callback state after a Go callback ended its goroutine
 * with runtime.Goexit, which skips the C frames that would restore it. */
void golibbpf_callback_abandoned(void);

/* Installs the print trampoline; level is the most verbose libbpf level that
 * reaches Go (-1: none), warnings always reach Go during an operation. */
void golibbpf_set_print_level(int level);

/* Each wrapper runs one libbpf call with op (a cgo.Handle of the Go
 * operation, or 0) current on this thread, so that callbacks and log lines it
 * triggers are attributed to that operation. errno is preserved. */
struct bpf_object *golibbpf_open_file(const char *path, const struct bpf_object_open_opts *opts, uintptr_t op);
struct bpf_object *golibbpf_open_mem(const void *buf, size_t size, const struct bpf_object_open_opts *opts, uintptr_t op);
int golibbpf_load(struct bpf_object *obj, uintptr_t op);
int golibbpf_prepare(struct bpf_object *obj, uintptr_t op);
struct bpf_link *golibbpf_attach(struct bpf_program *prog, uintptr_t op);

/* Auto-attaches one program (or one struct_ops map) exactly as
 * bpf_object__attach_skeleton does, through a one-entry skeleton. *link is
 * NULL afterwards when the program is skipped. */
int golibbpf_autoattach_program(struct bpf_program *prog, struct bpf_link **link, uintptr_t op);
int golibbpf_autoattach_map(struct bpf_map *map, struct bpf_link **link, uintptr_t op);

/* BPF_PROG_TEST_RUN with every buffer passed separately. */
int golibbpf_test_run(int prog_fd, const void *data_in, uint32_t data_size_in, void *data_out,
		      uint32_t *data_size_out, const void *ctx_in, uint32_t ctx_size_in, void *ctx_out,
		      uint32_t *ctx_size_out, int repeat, uint32_t flags, uint32_t cpu,
		      uint32_t *retval, uint32_t *duration);

#endif
