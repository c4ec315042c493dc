/* syscount: counts system calls by number or by process at
 * raw_syscalls/sys_exit, and with latency on, times each from
 * raw_syscalls/sys_enter. User space dumps and empties the counts map
 * with batch lookups. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_KEYS 1024
#define NO_PID ((__u32)-1)

/* The value per key: a syscall number, or a PID with -P. */
struct counts {
	__u64 count;
	__u64 total_ns;
	char comm[16];
};

const volatile __u32 only_pid = NO_PID;
const volatile bool failed_only = false;
const volatile __s32 only_errno = 0; /* a positive errno, or 0 for any */
const volatile bool by_process = false;
const volatile bool latency = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} entered SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, __u32);
	__type(value, struct counts);
} counts SEC(".maps");

static bool traced(__u64 id)
{
	return only_pid == NO_PID || (id >> 32) == only_pid;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;

	if (!latency || !traced(id))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&entered, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), elapsed = 0, *start;
	__u32 tid = (__u32)id, key;
	static const struct counts zero;
	struct counts *c;

	if (!traced(id) || ctx->id < 0)
		return 0;
	if (latency) {
		start = bpf_map_lookup_elem(&entered, &tid);
		if (!start)
			return 0;
		elapsed = bpf_ktime_get_ns() - *start;
		bpf_map_delete_elem(&entered, &tid);
	}
	if (failed_only && ctx->ret >= 0)
		return 0;
	if (only_errno && ctx->ret != -only_errno)
		return 0;
	key = by_process ? (__u32)(id >> 32) : (__u32)ctx->id;
	c = bpf_map_lookup_elem(&counts, &key);
	if (!c) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &key);
		if (!c)
			return 0;
	}
	if (by_process)
		bpf_get_current_comm(c->comm, sizeof(c->comm));
	__sync_fetch_and_add(&c->count, 1);
	if (latency)
		__sync_fetch_and_add(&c->total_ns, elapsed);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
