/* Shared by the root package's test programs: a counter array indexed by
 * program, and a filter that counts only the test process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* target[0] holds the tgid to count; 0 counts every process. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

static __always_inline int is_target(void)
{
	__u32 zero = 0, *pid = bpf_map_lookup_elem(&target, &zero);

	return pid && (*pid == 0 || *pid == bpf_get_current_pid_tgid() >> 32);
}

/* count_any counts whatever process runs the program: for program types
 * that run outside process context or may not ask for the current task
 * (socket filters before Linux 6.x). */
static __always_inline void count_any(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void count(__u32 idx)
{
	if (is_target())
		count_any(idx);
}

char LICENSE[] SEC("license") = "GPL";
