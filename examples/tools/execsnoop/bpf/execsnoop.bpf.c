/* execsnoop: one record per execve, built at sys_enter_execve (the
 * arguments are still in the caller's memory then) and sent at
 * sys_exit_execve with the return value and the new command name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define ARG_LEN 128       /* room for one argument, NUL included */
#define MAX_ARGS 60       /* the most arguments -max-args allows */
#define ARGS_ROOM (MAX_ARGS * ARG_LEN)
#define NO_UID ((__u32)-1)

/* The record's header; args_size bytes of NUL-terminated arguments
 * follow it. args_count is max_args+1 when arguments were left out. */
struct event {
	__s32 pid;
	__s32 ppid;
	__u32 uid;
	__s32 retval;
	__u32 args_count;
	__u32 args_size;
	char comm[16];
};

/* An exec in flight: the record, header and arguments in a row. */
struct pending {
	struct event ev;
	char args[ARGS_ROOM];
};

const volatile bool include_failed = false;
const volatile __u32 only_uid = NO_UID;
const volatile __u32 max_args = 20;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct pending);
	/* 7.7 KB a value: allocated per exec in flight, not 10240 up front. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} pending SEC(".maps");

/* The zeroed value an exec starts from (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending);
} blank SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static bool uid_filtered(__u32 uid)
{
	return only_uid != NO_UID && uid != only_uid;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct syscall_trace_enter *ctx)
{
	const char *const *argv = (const char *const *)ctx->args[1];
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, zero = 0, i;
	struct task_struct *task;
	struct pending *p, *init;
	const char *arg;
	long n;

	if (uid_filtered(uid))
		return 0;
	init = bpf_map_lookup_elem(&blank, &zero);
	if (!init || bpf_map_update_elem(&pending, &tid, init, BPF_NOEXIST))
		return 0;
	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	p->ev.pid = id >> 32;
	p->ev.ppid = BPF_CORE_READ(task, real_parent, tgid);
	p->ev.uid = uid;

	/* argv[0] is the path execve was given. */
	n = bpf_probe_read_user_str(p->args, ARG_LEN, (const char *)ctx->args[0]);
	if (n < 0)
		n = 0;
	p->ev.args_size = n > 0 ? n : 1;
	p->ev.args_count = 1;
	for (i = 1; i < MAX_ARGS; i++) {
		__u32 off = p->ev.args_size;

		if (i >= max_args)
			break;
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			return 0;
		if (off > ARGS_ROOM - ARG_LEN)
			return 0;
		n = bpf_probe_read_user_str(&p->args[off], ARG_LEN, arg);
		if (n <= 0)
			return 0;
		p->ev.args_count++;
		p->ev.args_size += n;
	}
	/* One more pointer that is not NULL: arguments were left out. */
	if (!bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) && arg)
		p->ev.args_count++;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exit_execve(struct syscall_trace_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p;
	__u64 size;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	p->ev.retval = ctx->ret;
	if (ctx->ret >= 0 || include_failed) {
		bpf_get_current_comm(p->ev.comm, sizeof(p->ev.comm));
		size = sizeof(p->ev) + p->ev.args_size;
		if (size <= sizeof(*p))
			bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, p, size);
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
