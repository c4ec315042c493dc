// SPDX-License-Identifier: GPL-2.0
/* A program the verifier rejects (a hash map value used without its NULL
 * check), next to a good one and a map pinned by name: a failed run must
 * leave neither loaded programs nor the pin behind. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} brt_pinned SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_good(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_bad(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&brt_pinned, &zero);

	return *v; /* no NULL check */
}

char LICENSE[] SEC("license") = "GPL";
