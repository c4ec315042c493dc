/* opensnoop: the arguments of open() and openat() are kept by thread at
 * the syscall's entry, and a record with the result and the path is sent
 * through a ring buffer at its exit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define PATH_LEN 256
#define NO_ID ((__u32)-1)

struct open_args {
	const char *path;
	__s32 flags;
	__u32 mode;
};

struct event {
	__u64 ts;
	__s32 pid;
	__u32 uid;
	__s32 ret;
	__s32 flags;
	__u32 mode;
	char comm[16];
	char path[PATH_LEN];
};

/* Filters, set before Load: a process, a thread, a user; failed opens only. */
const volatile __u32 only_pid = NO_ID;
const volatile __u32 only_tid = NO_ID;
const volatile __u32 only_uid = NO_ID;
const volatile bool failed_only = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct open_args);
} opening SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct event *events_record __attribute__((unused));

static int remember(const char *path, __s32 flags, __u32 mode)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, uid = (__u32)bpf_get_current_uid_gid();
	struct open_args a = { .path = path, .flags = flags, .mode = mode };

	if (only_pid != NO_ID && (id >> 32) != only_pid)
		return 0;
	if (only_tid != NO_ID && tid != only_tid)
		return 0;
	if (only_uid != NO_ID && uid != only_uid)
		return 0;
	bpf_map_update_elem(&opening, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int enter_open(struct syscall_trace_enter *ctx)
{
	return remember((const char *)ctx->args[0], (__s32)ctx->args[1], (__u32)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct syscall_trace_enter *ctx)
{
	return remember((const char *)ctx->args[1], (__s32)ctx->args[2], (__u32)ctx->args[3]);
}

static int report(struct syscall_trace_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct open_args *a;
	struct event *e;

	a = bpf_map_lookup_elem(&opening, &tid);
	if (!a)
		return 0;
	if (failed_only && ctx->ret >= 0)
		goto done;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto done;
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ctx->ret;
	e->flags = a->flags;
	e->mode = a->mode;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a->path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, 0);
done:
	bpf_map_delete_elem(&opening, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int exit_open(struct syscall_trace_exit *ctx)
{
	return report(ctx);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct syscall_trace_exit *ctx)
{
	return report(ctx);
}

char LICENSE[] SEC("license") = "GPL";
