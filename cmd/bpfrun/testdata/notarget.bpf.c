// SPDX-License-Identifier: GPL-2.0
/* An fentry program whose target the kernel does not have, as tools ship
 * them (a dummy name they replace at run time): libbpf fails Load before
 * the kernel sees the program (ESRCH). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("fentry/brt_no_such_function")
int brt_missing_fn(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_fine(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
