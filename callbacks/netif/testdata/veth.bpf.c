// SPDX-License-Identifier: GPL-2.0
// Counters for the veth test: frames injected on nifb cross to its peer nifa.
// Native XDP and tcx ingress count them on nifa, tcx egress on nifb.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum {
	SLOT_XDP_NIFA = 0,
	SLOT_TC_INGRESS_NIFA,
	SLOT_TC_EGRESS_NIFB,
	SLOT_MAX,
};

#define COUNTER_SLOTS SLOT_MAX
#include "counters.h"

#define COUNT_PORT 40001
#define COUNT(slot, ctx) \
	count_udp(slot, (void *)(long)(ctx)->data, (void *)(long)(ctx)->data_end, COUNT_PORT)

SEC("xdp/nifa")
int xdp_nifa(struct xdp_md *ctx)
{
	COUNT(SLOT_XDP_NIFA, ctx);
	return XDP_PASS;
}

SEC("tc/ingress/nifa")
int tc_ingress_nifa(struct __sk_buff *skb)
{
	COUNT(SLOT_TC_INGRESS_NIFA, skb);
	return TCX_NEXT;
}

SEC("tc/egress/nifb")
int tc_egress_nifb(struct __sk_buff *skb)
{
	COUNT(SLOT_TC_EGRESS_NIFB, skb);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
