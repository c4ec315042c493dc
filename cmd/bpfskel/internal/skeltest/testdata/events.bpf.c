/* The end-to-end skeleton test: a tracepoint that counts a process's
 * getppid calls in .bss and sends a record per call through a ring
 * buffer, filtered and tagged by .rodata set from Go before Load; a
 * second program in a custom section counts them too. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	__u32 seq;
	__u64 cookie;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Keeps struct event in BTF: the generator types the records of map
 * "events" by it (the <map>_record convention). */
struct event *events_record __attribute__((unused));

const volatile __u32 target_pid = 0;
const volatile __u64 cookie = 0;

__u64 counter = 0;   /* .bss */
__u32 step = 1;      /* .data */

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	struct event *e;

	if ((bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = target_pid;
	e->seq = __sync_fetch_and_add(&counter, step);
	e->cookie = cookie;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

__u64 custom_hits = 0;

/* A section only a Go handler knows: the test registers "skeltest/" with
 * an Attach that puts the program on the same tracepoint, and the
 * skeleton's Attach honours it. */
SEC("skeltest/getppid")
int on_custom(void *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_pid)
		__sync_fetch_and_add(&custom_hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
