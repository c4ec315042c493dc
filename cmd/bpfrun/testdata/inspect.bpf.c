// SPDX-License-Identifier: GPL-2.0
/* One program per kind of handler bpfrun inspect tells apart: custom
 * (callbacks/perfevent), built-in (libbpf's tracepoint+ and xdp) and the
 * fallback (callbacks/legacy's classifier/...). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} brt_counts SEC(".maps");

SEC("perf_event/cpu-clock")
int brt_custom(void *ctx)
{
	return 0;
}

/* Sections the custom handlers leave with libbpf's meaning: no auto-attach. */
SEC("perf_event")
int brt_custom_bare(void *ctx)
{
	return 0;
}

SEC("xdp/devmap")
int brt_devmap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_builtin(void *ctx)
{
	return 0;
}

SEC("xdp")
int brt_xdp_only(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("classifier/brt")
int brt_legacy(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
