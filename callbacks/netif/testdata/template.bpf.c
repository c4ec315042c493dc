// SPDX-License-Identifier: GPL-2.0
// One XDP program under a placeholder section name that the tests replace,
// byte for byte, with the section they need (malformed names, unknown
// interfaces) before opening the object from memory.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp/PLACEHOLDER_SECTION_NAME_0123456789ABCDEF")
int template_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
