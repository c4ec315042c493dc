/* Shared by the tracing test programs: hit(slot, ctx) counts a hit of the
 * test process in counts[slot] and keeps the attach cookie it saw in
 * cookies[slot]. On kernels without bpf_get_attach_cookie (before 5.15;
 * 5.19 for tracing programs) the CO-RE check makes the call dead code,
 * which the verifier never visits, and the cookie reads 0. */
#include "common.h"
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cookies SEC(".maps");

static __always_inline int hit(__u32 slot, void *ctx)
{
	__u64 cookie = 0;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_attach_cookie))
		cookie = bpf_get_attach_cookie(ctx);
	if (!is_target())
		return 0;
	count(slot);
	bpf_map_update_elem(&cookies, &slot, &cookie, BPF_ANY);
	return 0;
}
