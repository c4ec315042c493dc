/* C twins of the benchmark's Go section handlers, and a pure C driver that
 * opens, loads, attaches and closes an object the way a C program using
 * libbpf would. Used only by benchmarks and tests. */
#ifndef GOLIBBPF_CHANDLERS_H
#define GOLIBBPF_CHANDLERS_H

#include <stddef.h>
#include <stdint.h>
#include "../../libbpf_pin.h"

/* What a registered C handler installs. */
enum {
	CH_PREPARE = 1, /* an empty prog_prepare_load_fn */
	CH_ATTACH = 2,  /* a prog_attach_fn that opens a cpu-clock perf event */
	CH_DECLINE = 4, /* a prog_attach_fn that declines: returns 0, no link */
	CH_CROSS = 8,   /* every callback first calls into Go (chCountCrossing) */
};

/* Registers a perf_event-type handler for sec with an empty setup callback
 * and the callbacks flags selects. Returns libbpf's handler id or -errno. */
int ch_register(const char *sec, int flags);
int ch_unregister(int id);

/* Opens a software cpu-clock perf event on the thread ch_set_target chose
 * (0: the calling thread) whose sample period is so large it never fires.
 * Returns the fd or -errno. */
int ch_open_cpu_clock(void);
void ch_set_target(int tid);

/* Phase timings of one ch_cycle, in nanoseconds. */
struct ch_times {
	int64_t open, load, attach, close;
};

enum {
	CH_CYCLE_AUTOATTACH = 1, /* bpf_program__attach every autoattach program */
	CH_CYCLE_PERF = 2,       /* attach every program to a cpu-clock event by hand */
};

/* Opens the object in buf, loads it, attaches it as mode says, destroys the
 * links and closes it: the whole cycle in C. Returns 0 or -errno. */
int ch_cycle(const void *buf, size_t size, int mode, struct ch_times *t);

/* Opens the object in buf, times BPF_PROG_LOAD of its first program alone n
 * times and reports the mean syscall time and the verifier's own reported
 * verification time (log level 4), in nanoseconds. */
int ch_time_prog_load(const void *buf, size_t size, int n, int64_t *syscall_ns, int64_t *verify_ns,
		      int *insns);

/* Times libbpf's parse of the running kernel's BTF (btf__load_vmlinux_btf,
 * what bpf_object__load does for CO-RE objects), in ns, or -errno. */
int64_t ch_time_vmlinux_btf(void);

#endif
