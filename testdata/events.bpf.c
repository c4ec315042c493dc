/* Producers for the event readers' tests: numbered records into ring
 * buffers (some discarded) and numbered samples into a perf event array on
 * the CPU the program runs on.
 *
 * Both are raw_tp programs, run with BPF_PROG_TEST_RUN (5.10) on a context
 * of u64 arguments, and loop with bounded loops (5.3) rather than bpf_loop
 * (5.17): the object loads wherever ring buffers (5.8) and raw_tp test runs
 * exist, so every kernel of the matrix reads its events. The user ring
 * buffer's drain, which needs 6.1, is in userringbuf.bpf.c. */
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

/* Records submitted so far, and outputs that found the ring full. */
__u64 ring_seq, ring_dropped;

/* The most records or samples one run emits: the verifier walks each
 * iteration of the bounded loops. */
#define MAX_EMIT 256

struct rec {
	__u64 seq;
	__u64 cpu;
	__u8 fill[240];
};

/* A record's size, 16..sizeof(struct rec): bounds the verifier can see for
 * the variable-sized read of the record on the stack. */
static __always_inline __u32 clamp_size(__u64 size)
{
	if (size < 16)
		return 16;
	if (size > sizeof(struct rec))
		return sizeof(struct rec);
	return size;
}

/* Test run arguments: ctx[0] records of ctx[1] bytes (16..256), a record
 * reserved and discarded before every ctx[2]-th one (0: none), into big if
 * ctx[3] is not 0, else into small. Returns the number of records emitted
 * or dropped, ctx[0] up to MAX_EMIT. */
SEC("raw_tp")
int ring_emit(__u64 *ctx)
{
	__u32 n = ctx[0], size = clamp_size(ctx[1]), every = ctx[2];
	void *rb = ctx[3] ? (void *)&big : (void *)&small;
	struct rec r = {};
	__u32 i;

	for (i = 0; i < MAX_EMIT && i < n; i++) {
		if (every && i % every == 0) {
			__u64 *d = bpf_ringbuf_reserve(rb, 16, 0);

			if (d) {
				*d = ~0ULL;
				bpf_ringbuf_discard(d, 0);
			}
		}
		r.seq = ring_seq;
		r.fill[0] = (__u8)r.seq;
		if (bpf_ringbuf_output(rb, &r, size, 0) == 0)
			ring_seq++;
		else
			ring_dropped++;
	}
	return i;
}

/* Test run arguments: ctx[0] samples of ctx[1] bytes (16..256), each
 * {the CPU's next sample number, the CPU, zeros}. Returns the number of
 * samples output, ctx[0] up to MAX_EMIT, or -1. */
SEC("raw_tp")
int perf_emit(__u64 *ctx)
{
	__u32 n = ctx[0], size = clamp_size(ctx[1]), zero = 0, i;
	__u64 *seq = bpf_map_lookup_elem(&perf_seq, &zero);
	struct rec r = {};

	if (!seq)
		return -1;
	for (i = 0; i < MAX_EMIT && i < n; i++) {
		r.seq = (*seq)++;
		r.cpu = bpf_get_smp_processor_id();
		bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &r, size);
	}
	return i;
}

char LICENSE[] SEC("license") = "GPL";
