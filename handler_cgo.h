/* C side of the binding: trampolines from libbpf's callbacks into Go, and thin
 * wrappers that mark which Go operation a libbpf call belongs to. */
#ifndef GOLIBBPF_HANDLER_CGO_H
#define GOLIBBPF_HANDLER_CGO_H

#include <signal.h>
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
 * with runtime.Goexit, which skips the C frames that would restore it, and
 * unblocks the signals a load blocked on it. */
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

/* golibbpf_block_signals blocks the asynchronous signals on the calling
 * thread and stores the previous mask in old; golibbpf_restore_signals
 * restores it, keeping errno. The kernel cuts a program load (EAGAIN, which
 * libbpf retries only a few times) or a repeated test run (EINTR) short when
 * the thread has a signal pending, and the Go runtime signals its threads at
 * any time (SIGURG preemption, SIGPROF when profiling). Blocked, they arrive
 * when the mask is restored; signals for the process go to other threads.
 * Faults (SIGSEGV, SIGBUS, ...) stay unblocked: a Go callback running inside
 * the call must still turn a nil dereference into a panic. */
void golibbpf_block_signals(sigset_t *old);
void golibbpf_restore_signals(const sigset_t *old);

/* GOLIBBPF_SIGNALS_BLOCKED evaluates expr, of type type, between
 * golibbpf_block_signals and golibbpf_restore_signals, keeping its errno:
 * every call that loads a program goes through it. */
#define GOLIBBPF_SIGNALS_BLOCKED(type, expr)          \
	({                                            \
		sigset_t blocked_old_;                \
		type blocked_ret_;                    \
		golibbpf_block_signals(&blocked_old_); \
		blocked_ret_ = (expr);                \
		golibbpf_restore_signals(&blocked_old_); \
		blocked_ret_;                         \
	})

/* BPF_PROG_TEST_RUN with every buffer passed separately. */
int golibbpf_test_run(int prog_fd, const void *data_in, uint32_t data_size_in, void *data_out,
		      uint32_t *data_size_out, const void *ctx_in, uint32_t ctx_size_in, void *ctx_out,
		      uint32_t *ctx_size_out, int repeat, uint32_t flags, uint32_t cpu,
		      uint32_t *retval, uint32_t *duration);

#endif
