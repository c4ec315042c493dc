// SPDX-License-Identifier: GPL-2.0
// A legacy section next to one that nothing knows: Open must fail and name
// the unknown one.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("classifier/ok")
int legacy_ok(struct __sk_buff *skb)
{
	return 0;
}

SEC("not_a_section/at_all")
int unknown_prog(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
