// SPDX-License-Identifier: GPL-2.0
/* The object bpfrun's tests run: a tracepoint that counts the prctl calls
 * carrying a magic option (set with --set magic=...), tagged with a string
 * global (--set tag=...), recording the first of them in a ring buffer;
 * and programs whose sections do not auto-attach. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u64 magic = 0;
const volatile char tag[8] = "none";
const volatile bool enabled = true;

struct limits {
	__u32 max_records;
	__s32 bias;
};
const volatile struct limits limits = {.max_records = 0, .bias = 0};

__u64 hits = 0;

/* Hits by option, one counter per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} by_option SEC(".maps");

struct hit {
	__u64 count;
	char tag[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct hit);
} last SEC(".maps");

struct rec {
	__u64 seq;
	__s32 bias;
	char tag[8];
};
struct rec *records_record __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} records SEC(".maps");

struct sys_enter {
	__u64 common;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_prctl(struct sys_enter *ctx)
{
	__u64 opt = ctx->args[0], one = 1, *n, seq;
	__u32 idx = 1;
	struct hit *h;
	struct rec *r;

	if (!enabled || !magic || opt != magic)
		return 0;
	seq = __sync_fetch_and_add(&hits, 1);
	n = bpf_map_lookup_elem(&by_option, &opt);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&by_option, &opt, &one, BPF_NOEXIST);
	h = bpf_map_lookup_elem(&last, &idx);
	if (h) {
		__sync_fetch_and_add(&h->count, 1);
		for (int i = 0; i < sizeof(h->tag); i++)
			h->tag[i] = tag[i]; /* volatile reads: the value --set gave */
	}
	if (seq >= limits.max_records)
		return 0;
	r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r)
		return 0;
	r->seq = seq;
	r->bias = limits.bias;
	for (int i = 0; i < sizeof(r->tag); i++)
		r->tag[i] = tag[i];
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* A custom section (callbacks/perfevent). */
SEC("perf_event/cpu-clock:freq=999")
int brt_sample(void *ctx)
{
	return 0;
}

/* Built-in forms that do not auto-attach: xdp has no attach function,
 * a bare uprobe names no target. */
SEC("xdp")
int brt_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("uprobe")
int brt_uprobe(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
