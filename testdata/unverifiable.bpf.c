/* A program the verifier rejects: the map value may be NULL. */
#include "common.h"

SEC("raw_tp/sys_enter")
int no_null_check(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	*v += 1;
	return 0;
}
