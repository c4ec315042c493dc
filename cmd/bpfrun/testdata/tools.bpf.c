// SPDX-License-Identifier: GPL-2.0
/* An object shaped like the libbpf-tools bpfrun must run: events through a
 * perf event array, records with a variable-length tail, a map the tool sizes at run time (max_entries 0), a
 * cgroup array (not readable by key), tp_btf and raw_tp twins of one
 * program (a tool loads one of them), bare uprobe/uretprobe/usdt sections
 * (no target: no auto-attach), and a program whose target does not exist on
 * this machine (it fails to attach unless --disable turns it off). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u64 magic = 0;     /* the prctl option counted */
const volatile __u32 target_tgid = 0; /* the twins count this process */
const volatile long prctl_nr = 0;    /* the prctl syscall number */

__u64 twin_hits = 0;

struct event {
	__u64 seq;
	__u32 tgid;
	__u32 pad;
	char comm[16];
};
/* Keeps struct event in the BTF: bpfrun finds the records' type by it. */
struct event *events_record __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Records with a variable-length tail, sent only as far as it is used. */
struct tail {
	__u32 len;
	char data[64];
};
struct tail *tails_record __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} tails SEC(".maps");

/* Sized at run time by its tool: max_entries 0 here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u64);
} counts SEC(".maps");

/* A stack trace map sized at run time, values and entries, as bcc's
 * libbpf-tools declare theirs. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

struct sys_enter {
	__u64 common;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_tool_prctl(struct sys_enter *ctx)
{
	__u64 opt = ctx->args[0], one = 1, *n;
	struct event e = {};

	if (!magic || opt != magic)
		return 0;
	n = bpf_map_lookup_elem(&counts, &opt);
	if (n) {
		e.seq = __sync_fetch_and_add(n, 1) + 1;
	} else {
		bpf_map_update_elem(&counts, &opt, &one, BPF_NOEXIST);
		e.seq = 1;
	}
	e.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	struct {
		__u32 len;
		char data[8];
	} t = {.len = 5, .data = "hello"};
	bpf_ringbuf_output(&tails, &t, sizeof(t.len) + 6, 0); /* "hello" and its NUL */
	return 0;
}

static __always_inline void count_twin(long id)
{
	if (id == prctl_nr && (bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&twin_hits, 1);
}

/* Twins, as runqlat carries: a tool loads one of them. */
SEC("tp_btf/sys_enter")
int brt_twin_btf(__u64 *ctx)
{
	count_twin((long)ctx[1]);
	return 0;
}

SEC("raw_tp/sys_enter")
int brt_twin_raw(__u64 *ctx)
{
	count_twin((long)ctx[1]);
	return 0;
}

/* Bare sections: valid, but they name no target. */
SEC("uprobe")
int brt_bare_uprobe(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int brt_bare_uretprobe(void *ctx)
{
	return 0;
}

SEC("usdt")
int brt_bare_usdt(void *ctx)
{
	return 0;
}

/* A target this machine does not have: attaching it fails. */
SEC("uprobe//nonexistent/brt/binary:main")
int brt_unattachable(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
