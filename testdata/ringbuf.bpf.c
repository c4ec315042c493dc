/* Emits a known sequence into two ring buffers, and reads a global that Go
 * sets before load. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct record {
	__u32 seq;
	__u32 ring;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} even SEC(".maps"), odd SEC(".maps");

volatile const __u32 magic = 7;

/* A raw_tp program run with BPF_PROG_TEST_RUN (Linux 5.10) on one
 * argument, n, the number of records. */
SEC("raw_tp")
int emit(__u64 *ctx)
{
	__u64 n = ctx[0];

	for (__u32 i = 0; i < 64 && i < n; i++) {
		struct record r = { .seq = i, .ring = i & 1 };

		bpf_ringbuf_output(i & 1 ? (void *)&odd : (void *)&even, &r, sizeof(r), 0);
	}
	return magic;
}

char LICENSE[] SEC("license") = "GPL";
