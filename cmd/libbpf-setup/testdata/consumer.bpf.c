/* The program of the consumer module that libbpf-setup's test builds: in a
 * section form only the consumer's Go handler knows, it counts the syscalls
 * of the process whose tgid user space writes into counts[0]. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* counts[0]: the tgid to count, counts[1]: its syscalls so far. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("consumer/sys_enter")
int count_syscalls(void *ctx)
{
	__u32 target_key = 0, count_key = 1;
	__u64 *target = bpf_map_lookup_elem(&counts, &target_key);
	__u64 *n;

	if (!target || *target != bpf_get_current_pid_tgid() >> 32)
		return 0;
	n = bpf_map_lookup_elem(&counts, &count_key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
