/* A program whose verification takes a while: the verifier walks each of
 * the loop's ITERS iterations, since the exact loop counter keeps any two
 * of its states apart, and it checks for a pending signal at every
 * instruction (EAGAIN). ctx[0] seeds a hash the test computes in Go too. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef ITERS
#define ITERS 60000
#endif

SEC("raw_tp")
int slow_verify(__u64 *ctx)
{
	__u64 x = ctx[0], h = x;

	for (__u32 i = 0; i < ITERS; i++)
		h = h * 31 + (x ^ i);
	return h & 0x7fffffff;
}

char LICENSE[] SEC("license") = "GPL";
