// SPDX-License-Identifier: GPL-2.0
/* A program type the kernel of the test VM refuses with EPERM and no
 * verifier log (fentry: no trampolines there). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("fentry/do_nanosleep")
int brt_eperm(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
