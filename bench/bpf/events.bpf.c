/* Fills ring buffers and perf event arrays for the drain benchmarks: a test
 * run of fill writes n records of 16 or 256 bytes into one target. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* 1,000,000 records of 16 bytes take 24 MB with their headers, of 256
 * bytes 264 MB. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 25);
} ring16 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 29);
} ring256 SEC(".maps");

/* One perf event array per reader: each reader stores its own events. */
struct perf_array {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
};
struct perf_array perf_ours SEC(".maps"), perf_c SEC(".maps"), perf_cilium SEC(".maps");

enum target { RING, PERF_OURS, PERF_C, PERF_CILIUM };

struct fill_args {
	__u64 *ctx;
	__u32 target;
	__u32 big;
	__u32 failed;
};

struct rec {
	__u64 seq;
	__u8 fill[248];
};

static long fill_one(__u32 i, void *data)
{
	struct fill_args *a = data;
	struct rec r = { .seq = i };
	long err;

	switch (a->target) {
	case RING:
		err = a->big ? bpf_ringbuf_output(&ring256, &r, 256, 0) : bpf_ringbuf_output(&ring16, &r, 16, 0);
		break;
	case PERF_OURS:
		err = a->big ? bpf_perf_event_output(a->ctx, &perf_ours, BPF_F_CURRENT_CPU, &r, 256)
			     : bpf_perf_event_output(a->ctx, &perf_ours, BPF_F_CURRENT_CPU, &r, 16);
		break;
	case PERF_C:
		err = a->big ? bpf_perf_event_output(a->ctx, &perf_c, BPF_F_CURRENT_CPU, &r, 256)
			     : bpf_perf_event_output(a->ctx, &perf_c, BPF_F_CURRENT_CPU, &r, 16);
		break;
	default:
		err = a->big ? bpf_perf_event_output(a->ctx, &perf_cilium, BPF_F_CURRENT_CPU, &r, 256)
			     : bpf_perf_event_output(a->ctx, &perf_cilium, BPF_F_CURRENT_CPU, &r, 16);
	}
	if (err)
		a->failed++;
	return 0;
}

/* Test run arguments: ctx[0] records, ctx[1] target, ctx[2] 256-byte
 * records instead of 16. Returns how many outputs failed. */
SEC("raw_tp")
int fill(__u64 *ctx)
{
	struct fill_args a = { .ctx = ctx, .target = ctx[1], .big = ctx[2] };

	bpf_loop(ctx[0], fill_one, &a, 0);
	return a.failed;
}

char LICENSE[] SEC("license") = "GPL";
