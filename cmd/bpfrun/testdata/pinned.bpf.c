// SPDX-License-Identifier: GPL-2.0
/* A good object with a map pinned by name: bpfrun removes the pin it made
 * when it exits. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} brt_pin_ok SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_pinner(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&brt_pin_ok, &zero);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
