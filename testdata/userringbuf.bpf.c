/* A drain of a user ring buffer (6.1) that stores what it saw of each
 * sample: its first 8 bytes, its size and its last byte. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* The ring's size: no sample is larger. */
#define RING_SIZE 4096

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, RING_SIZE);
} urb SEC(".maps");

struct seen {
	__u64 first; /* the sample's first 8 bytes */
	__u32 size;
	__u8 last; /* its last byte */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct seen);
} seen SEC(".maps");

/* sample_size finds the size of the sample without the bpf_dynptr_size
 * kfunc (6.5), with bpf_dynptr_read (5.19), which fails at an offset past
 * the end: the drain is in 6.1. It adds the steps 2048, 1024, ..., 1 whose
 * last byte a one-byte read still finds, up to 4095: every sample fits in
 * the ring. Only the step is a branch condition, so the verifier tracks
 * the size imprecisely and walks each step once.
 *
 * A function of its own with a loop that is not unrolled: sample, size,
 * step and their sum fit the registers that calls preserve, and sample, a
 * pointer the verifier does not let a program spill to the stack, is never
 * spilled. */
static __noinline __u32 sample_size(struct bpf_dynptr *sample)
{
	__u32 size = 0;
	__u8 b;

#pragma clang loop unroll(disable)
	for (__u32 step = RING_SIZE / 2; step; step /= 2)
		if (bpf_dynptr_read(&b, 1, sample, size + step - 1, 0) == 0)
			size += step;
	return size;
}

static long drain_one(struct bpf_dynptr *sample, void *ctx)
{
	__u32 *count = ctx, idx = *count, size = sample_size(sample);
	struct seen s = { .size = size };

	bpf_dynptr_read(&s.first, sizeof(s.first), sample, 0, 0);
	/* Samples are never empty (0 would read at 2^32 - 1, fail, leave 0). */
	bpf_dynptr_read(&s.last, 1, sample, size - 1, 0);
	bpf_map_update_elem(&seen, &idx, &s, 0);
	*count = idx + 1;
	return 0;
}

/* Drains urb; returns the number of samples drained or the error. */
SEC("syscall")
int drain(void *ctx)
{
	__u32 count = 0;
	long n = bpf_user_ringbuf_drain(&urb, drain_one, &count, 0);

	return n < 0 ? n : count;
}

char LICENSE[] SEC("license") = "GPL";
