// SPDX-License-Identifier: GPL-2.0
/* A section no handler knows, next to a known one. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_known(void *ctx)
{
	return 0;
}

SEC("brt_bogus/section")
int brt_unknown(void *ctx)
{
	return 0;
}

SEC("brt_bogus_too")
int brt_unknown_too(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
