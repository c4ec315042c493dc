// SPDX-License-Identifier: GPL-2.0
// Programs under section names libbpf 0.x accepted and libbpf 1.x rejects;
// each counts its runs in its own slot.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define DROP_PORT 4242

#define LEGACY_TC_ACT_OK 0
#define LEGACY_TC_ACT_SHOT 2
#define LEGACY_TC_ACT_PIPE 3

enum {
	SLOT_CLASSIFIER = 0,
	SLOT_ACTION,
	SLOT_XDP,
	SLOT_SOCKET,
	SLOT_CGROUP_SKB,
	SLOT_CGROUP_SKB_INGRESS,
	SLOT_SYSCALL,
	SLOT_MAX,
};

#define COUNTER_SLOTS SLOT_MAX
#include "../../netif/testdata/counters.h"

SEC("classifier/ingress")
int cls_ingress(struct __sk_buff *skb)
{
	bump(SLOT_CLASSIFIER);
	if (udp_to_port((void *)(long)skb->data, (void *)(long)skb->data_end, DROP_PORT))
		return LEGACY_TC_ACT_SHOT;
	return LEGACY_TC_ACT_OK;
}

SEC("action/mark")
int act_mark(struct __sk_buff *skb)
{
	bump(SLOT_ACTION);
	skb->mark = 0x1234;
	return LEGACY_TC_ACT_PIPE;
}

SEC("xdp_drop_udp")
int xdp_drop(struct xdp_md *ctx)
{
	bump(SLOT_XDP);
	if (udp_to_port((void *)(long)ctx->data, (void *)(long)ctx->data_end, DROP_PORT))
		return XDP_DROP;
	return XDP_PASS;
}

SEC("socket_len")
int sock_len(struct __sk_buff *skb)
{
	bump(SLOT_SOCKET);
	return skb->len;
}

SEC("cgroup/skb_allow")
int cgskb_allow(struct __sk_buff *skb)
{
	bump(SLOT_CGROUP_SKB);
	return 1;
}

SEC("cgroup_skb/ingress_count")
int cgskb_ingress(struct __sk_buff *skb)
{
	bump(SLOT_CGROUP_SKB_INGRESS);
	return 1;
}

/* Loaded only: their types need the attach types the table gives them. */
SEC("xdp_devmap/pass")
int devmap_pass_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("sk_lookup_pass")
int lookup_pass(struct bpf_sk_lookup *ctx)
{
	return SK_PASS;
}

SEC("xdp_cpumap/steer")
int cpumap_pass_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("sockops_rtt")
int sockops_prog(struct bpf_sock_ops *ops)
{
	return 1;
}

SEC("sk_msg_verdict")
int sk_msg_prog(struct sk_msg_md *msg)
{
	return SK_PASS;
}

/* Loads only as a sleepable program: the fallback must set the flag, as
 * libbpf 0.5 did for every syscall* section. */
struct add_args {
	__s32 a;
	__s32 b;
	__s32 sum;
};

SEC("syscall_add")
int sys_add(struct add_args *args)
{
	bump(SLOT_SYSCALL);
	args->sum = args->a + args->b;
	return args->a * args->b;
}

char LICENSE[] SEC("license") = "GPL";
