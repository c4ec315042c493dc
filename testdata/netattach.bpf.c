// SPDX-License-Identifier: GPL-2.0
/* Programs of the network attach tests (netattach_test.go, tc_test.go):
 * each counts what reaches its hook in its own slot of "counts", and the
 * tcx pair stamps the order they ran in. Packets count only when they are
 * UDP datagrams to COUNT_PORT, so that other traffic does not disturb the
 * exact counts the tests check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define COUNT_PORT 40101
#define TC_ACT_OK 0
#define NF_ACCEPT 1

enum {
	SLOT_XDP,
	SLOT_TC_INGRESS,
	SLOT_TC_EGRESS,
	SLOT_TCX_A,
	SLOT_TCX_B,
	SLOT_CGROUP_EGRESS,
	SLOT_SK_LOOKUP,
	SLOT_SK_MSG,
	SLOT_NETFILTER,
	SLOT_NETKIT,
	SLOT_MAX,
};

/* "counts", bump() and count_udp(): the callbacks tests' counters. */
#define COUNTER_SLOTS SLOT_MAX
#include "../callbacks/netif/testdata/counters.h"

/* stamps[slot] is the sequence number of the last packet a tcx program saw,
 * from the shared sequence seq: the program that runs first on a packet
 * gets the lower number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stamps SEC(".maps");

__u64 seq;

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

#define SKB_MATCHES(skb) \
	udp_to_port((void *)(long)(skb)->data, (void *)(long)(skb)->data_end, COUNT_PORT)

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	count_udp(SLOT_XDP, (void *)(long)ctx->data, (void *)(long)ctx->data_end, COUNT_PORT);
	return XDP_PASS;
}

SEC("tc")
int tc_ingress_count(struct __sk_buff *skb)
{
	if (SKB_MATCHES(skb))
		bump(SLOT_TC_INGRESS);
	return TC_ACT_OK;
}

SEC("tc")
int tc_egress_count(struct __sk_buff *skb)
{
	if (SKB_MATCHES(skb))
		bump(SLOT_TC_EGRESS);
	return TC_ACT_OK;
}

static __always_inline void stamp(__u32 slot)
{
	__u64 n = __sync_fetch_and_add(&seq, 1) + 1;

	bpf_map_update_elem(&stamps, &slot, &n, BPF_ANY);
	bump(slot);
}

SEC("tcx/ingress")
int tcx_a(struct __sk_buff *skb)
{
	if (SKB_MATCHES(skb))
		stamp(SLOT_TCX_A);
	return TCX_NEXT;
}

SEC("tcx/ingress")
int tcx_b(struct __sk_buff *skb)
{
	if (SKB_MATCHES(skb))
		stamp(SLOT_TCX_B);
	return TCX_NEXT;
}

SEC("netkit/primary")
int netkit_count(struct __sk_buff *skb)
{
	if (SKB_MATCHES(skb))
		bump(SLOT_NETKIT);
	return 0; /* NETKIT_PASS: vmlinux.h of a kernel without netkit lacks the enum */
}

/* cgroup_skb sees the packet from its IP header on. */
SEC("cgroup_skb/egress")
int cgroup_egress_count(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP || ip.ihl != 5)
		return 1;
	if (bpf_skb_load_bytes(skb, sizeof(ip), &udp, sizeof(udp)))
		return 1;
	if (udp.dest == bpf_htons(COUNT_PORT))
		bump(SLOT_CGROUP_EGRESS);
	return 1;
}

SEC("sk_lookup")
int sk_lookup_count(struct bpf_sk_lookup *ctx)
{
	if (ctx->protocol == IPPROTO_UDP && ctx->local_port == COUNT_PORT)
		bump(SLOT_SK_LOOKUP);
	return SK_PASS;
}

SEC("sk_msg")
int sk_msg_count(struct sk_msg_md *msg)
{
	bump(SLOT_SK_MSG);
	return SK_PASS;
}

SEC("netfilter")
int netfilter_count(struct bpf_nf_ctx *ctx)
{
	struct sk_buff *skb = ctx->skb;
	struct iphdr ip;
	struct udphdr udp;
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);

	if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.protocol != IPPROTO_UDP || ip.ihl != 5)
		return NF_ACCEPT;
	if (bpf_probe_read_kernel(&udp, sizeof(udp), head + nh + sizeof(ip)))
		return NF_ACCEPT;
	if (udp.dest == bpf_htons(COUNT_PORT))
		bump(SLOT_NETFILTER);
	return NF_ACCEPT;
}

char LICENSE[] SEC("license") = "GPL";
