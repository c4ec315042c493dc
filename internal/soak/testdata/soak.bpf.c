// SPDX-License-Identifier: GPL-2.0
/* The soak test's object. Section names hold the placeholder "soak_G_",
 * which the test rewrites in the object's bytes to "soak_<goroutine>_" so
 * that each goroutine's programs match only its own handlers:
 *
 *   soak_G_run/a   a handler-typed syscall program, triggered by a test run
 *   soak_G_perf/a  a perf_event program attached by the Go handler to a
 *                  cpu-clock event on the goroutine's thread
 *   soak_G_fb/a    nothing but the fallback handler matches it; a syscall
 *                  program triggered by a test run
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("soak_G_run/a")
int run_a(void *ctx)
{
	count(0);
	return 42;
}

SEC("soak_G_perf/a")
int perf_a(void *ctx)
{
	count(1);
	return 0;
}

SEC("soak_G_fb/a")
int fb_a(void *ctx)
{
	count(2);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
