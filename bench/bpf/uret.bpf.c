// SPDX-License-Identifier: GPL-2.0
/* Return probes on main.manyReturns of bench/rettarget, whose absolute path
 * the Makefile passes as TARGET: one uretprobe.go program (callbacks/goprobe
 * attaches it at every return instruction as one uprobe_multi link) and one
 * plain uprobe program the benchmark attaches once per return site. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef TARGET
#define TARGET "/nonexistent"
#endif

__u64 hits;

SEC("uretprobe.go/" TARGET ":main.manyReturns")
int ret_go(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("uprobe")
int ret_classic(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
