/* Producers for the event readers' tests: numbered records into ring
 * buffers (some discarded), numbered samples into a perf event array on
 * the CPU the program runs on, and a drain of a user ring buffer that
 * stores what it saw. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* The next sample number of each CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} perf_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
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

/* Records submitted so far, and outputs that found the ring full. */
__u64 ring_seq, ring_dropped;

struct rec {
	__u64 seq;
	__u64 cpu;
	__u8 fill[240];
};

struct ring_args {
	__u32 n;
	__u32 size;          /* bytes per record, 16..256 */
	__u32 discard_every; /* every so many records one is reserved and discarded */
	__u32 big;           /* into big instead of small */
};

static __always_inline __u32 clamp_size(__u32 size)
{
	if (size < 16)
		return 16;
	if (size > sizeof(struct rec))
		return sizeof(struct rec);
	return size;
}

static long ring_emit_one(__u32 i, void *ctx)
{
	struct ring_args *a = ctx;
	void *rb = a->big ? (void *)&big : (void *)&small;
	__u32 every = a->discard_every;
	struct rec r = {};

	if (every && i % every == 0) {
		__u64 *d = bpf_ringbuf_reserve(rb, 16, 0);

		if (d) {
			*d = ~0ULL;
			bpf_ringbuf_discard(d, 0);
		}
	}
	r.seq = ring_seq;
	r.fill[0] = (__u8)r.seq;
	if (bpf_ringbuf_output(rb, &r, clamp_size(a->size), 0) == 0)
		ring_seq++;
	else
		ring_dropped++;
	return 0;
}

SEC("syscall")
int ring_emit(struct ring_args *args)
{
	struct ring_args a = *args;
	/* A 32-bit load: the inlined bpf_loop checks the whole register. */
	__u64 n = *(volatile __u32 *)&args->n;

	return bpf_loop(n, ring_emit_one, &a, 0);
}

struct perf_args {
	__u64 *ctx;
	__u32 size;
};

static long perf_emit_one(__u32 i, void *ctx)
{
	struct perf_args *a = ctx;
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&perf_seq, &zero);
	struct rec r = {};

	if (!seq)
		return 1;
	r.seq = (*seq)++;
	r.cpu = bpf_get_smp_processor_id();
	bpf_perf_event_output(a->ctx, &events, BPF_F_CURRENT_CPU, &r, clamp_size(a->size));
	return 0;
}

/* Test run arguments: ctx[0] samples of ctx[1] bytes. */
SEC("raw_tp")
int perf_emit(__u64 *ctx)
{
	struct perf_args a = { .ctx = ctx, .size = ctx[1] };

	bpf_loop(ctx[0], perf_emit_one, &a, 0);
	return 0;
}

extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;

static long drain_one(struct bpf_dynptr *sample, void *ctx)
{
	__u32 *count = ctx, idx = *count, size = bpf_dynptr_size(sample);
	struct seen s = { .size = size };

	bpf_dynptr_read(&s.first, sizeof(s.first), sample, 0, 0);
	if (size > 0)
		bpf_dynptr_read(&s.last, 1, sample, size - 1, 0);
	bpf_map_update_elem(&seen, &idx, &s, 0);
	*count = idx + 1;
	return 0;
}

SEC("syscall")
int drain(void *ctx)
{
	__u32 count = 0;
	long n = bpf_user_ringbuf_drain(&urb, drain_one, &count, 0);

	return n < 0 ? n : count;
}

char LICENSE[] SEC("license") = "GPL";
