// SPDX-License-Identifier: GPL-2.0
/* The demo object: one program per kind of SEC() the module handles, each
 * leaving visible traces in a map, a global or the ring buffer.
 *
 *   perf_event/cpu-clock:freq=...   callbacks/perfevent: a CPU sampler
 *   uprobe.go/<gotarget>:main.work  callbacks/goprobe: a Go function's entry
 *   uretprobe.go/<gotarget>:main.work   ... and its returns, with the result
 *   usdt/<ctarget>:demo:tick        libbpf's own USDT auto-attach
 *   tracepoint/syscalls/...         a kernel tracepoint
 *
 * The targets' absolute paths are known only when the tree is built: the
 * Makefile passes them as GOTARGET_PATH and CTARGET_PATH (see the
 * examples/demo.bpf.o rule). Run it with `make demo`, or by hand:
 *
 *   bpfrun run --duration 5s --set target_tgid=<ctarget pid> examples/demo.bpf.o
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#ifndef GOTARGET_PATH
#define GOTARGET_PATH "/nonexistent/examples-not-built-by-make/gotarget"
#endif
#ifndef CTARGET_PATH
#define CTARGET_PATH "/nonexistent/examples-not-built-by-make/ctarget"
#endif

/* Set with bpfrun run --set target_tgid=<pid>: the tracepoint counts that
 * process only; 0 counts every process. */
const volatile __u32 target_tgid = 0;

/* Globals the USDT program updates: shown decoded in bpfrun's view. */
__u64 usdt_ticks = 0;
char last_fruit[16] = "";

/* CPU samples of the perf event, one counter per CPU (bpfrun sums them;
 * --per-cpu shows each CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_samples SEC(".maps");

/* Calls of main.work, by process. */
struct calls {
	__u64 count;
	__s64 last_arg;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct calls);
} go_calls SEC(".maps");

/* nanosleep calls, by command name. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, char[16]);
	__type(value, __u64);
} sleeps SEC(".maps");

/* One record per return of main.work. bpfrun decodes the records of a ring
 * buffer map <map> through the type of a global named <map>_record (here a
 * pointer to it, which also makes the compiler keep the type in BTF). */
struct event {
	__u32 pid;
	__s64 result;
	char comm[16];
};
struct event *events_record __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("perf_event/cpu-clock:freq=199")
int on_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&cpu_samples, &zero);

	if (n)
		(*n)++;
	return 0;
}

/* Go's register ABI: the first integer argument and the first integer
 * result are both in RAX. */
SEC("uprobe.go/" GOTARGET_PATH ":main.work")
int on_work_entry(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct calls *c, init = {};

	c = bpf_map_lookup_elem(&go_calls, &pid);
	if (!c) {
		bpf_map_update_elem(&go_calls, &pid, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&go_calls, &pid);
		if (!c)
			return 0;
	}
	__sync_fetch_and_add(&c->count, 1);
	c->last_arg = PT_REGS_RC(ctx);
	return 0;
}

SEC("uretprobe.go/" GOTARGET_PATH ":main.work")
int on_work_return(struct pt_regs *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->result = PT_REGS_RC(ctx);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("usdt/" CTARGET_PATH ":demo:tick")
int BPF_USDT(on_tick, long tick, const char *fruit)
{
	__sync_fetch_and_add(&usdt_ticks, 1);
	bpf_probe_read_user_str(last_fruit, sizeof(last_fruit), fruit);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clock_nanosleep")
int on_nanosleep(void *ctx)
{
	char comm[16] = {};
	__u64 one = 1, *n;

	if (target_tgid && bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	n = bpf_map_lookup_elem(&sleeps, comm);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&sleeps, comm, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
