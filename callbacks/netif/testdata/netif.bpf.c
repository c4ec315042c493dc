// SPDX-License-Identifier: GPL-2.0
// Counters for the netif tests on lo: every attached program counts the UDP
// datagrams to port COUNT_PORT it sees, one slot per program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum {
	SLOT_XDP = 0,
	SLOT_TC_INGRESS,
	SLOT_TC_EGRESS,
	SLOT_TCX_INGRESS,
	SLOT_TCX_EGRESS,
	SLOT_XDP_FRAGS,
	SLOT_MAX,
};

#define COUNTER_SLOTS SLOT_MAX
#include "counters.h"

#define COUNT_PORT 40001
#define COUNT(slot, ctx) \
	count_udp(slot, (void *)(long)(ctx)->data, (void *)(long)(ctx)->data_end, COUNT_PORT)

SEC("xdp/lo")
int xdp_lo(struct xdp_md *ctx)
{
	COUNT(SLOT_XDP, ctx);
	return XDP_PASS;
}

SEC("xdp.frags/lo")
int xdp_frags_lo(struct xdp_md *ctx)
{
	COUNT(SLOT_XDP_FRAGS, ctx);
	return XDP_PASS;
}

SEC("tc/ingress/lo")
int tc_ingress_lo(struct __sk_buff *skb)
{
	COUNT(SLOT_TC_INGRESS, skb);
	return TCX_NEXT;
}

SEC("tc/egress/lo")
int tc_egress_lo(struct __sk_buff *skb)
{
	COUNT(SLOT_TC_EGRESS, skb);
	return TCX_NEXT;
}

SEC("tcx/ingress/lo")
int tcx_ingress_lo(struct __sk_buff *skb)
{
	COUNT(SLOT_TCX_INGRESS, skb);
	return TCX_NEXT;
}

SEC("tcx/egress/lo")
int tcx_egress_lo(struct __sk_buff *skb)
{
	COUNT(SLOT_TCX_EGRESS, skb);
	return TCX_NEXT;
}

/* libbpf's own forms, which this package's "xdp/" and "xdp.frags/" handlers
 * see first: loaded for map entries, never auto-attached. */
SEC("xdp/devmap")
int xdp_devmap(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp/cpumap")
int xdp_cpumap(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp.frags/cpumap")
int xdp_frags_cpumap(struct xdp_md *ctx) { return XDP_PASS; }

/* Bare forms keep libbpf's meaning: loaded, never auto-attached. */
SEC("xdp")
int xdp_bare(struct xdp_md *ctx) { return XDP_PASS; }

SEC("tc/ingress")
int tc_ingress_bare(struct __sk_buff *skb) { return TCX_NEXT; }

char LICENSE[] SEC("license") = "GPL";
