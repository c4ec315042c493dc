/* A map a test makes exclusive to one program (Map.SetExclusiveProgram),
 * and a second program that uses it too. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} owned SEC(".maps");

SEC("syscall")
int owner(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&owned, &zero);

	if (v)
		*v += 1;
	return 0;
}

SEC("syscall")
int intruder(void *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&owned, &zero);

	return v ? *v : 0;
}
