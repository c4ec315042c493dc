/* SPDX-License-Identifier: GPL-2.0 */
/* Run counters shared by the callbacks test programs (netif, legacy): an
 * array map "counts" of COUNTER_SLOTS u64 slots, and packet matching. Define
 * COUNTER_SLOTS before including. */
#ifndef CALLBACKS_TESTDATA_COUNTERS_H
#define CALLBACKS_TESTDATA_COUNTERS_H

#include <bpf/bpf_endian.h>

#ifndef COUNTER_SLOTS
#error "define COUNTER_SLOTS before including counters.h"
#endif

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COUNTER_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* bump adds one to a slot. */
static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* udp_to_port reports whether [data, data_end) is an Ethernet frame holding
 * an IPv4 UDP datagram to port (host order). */
static __always_inline int udp_to_port(void *data, void *data_end, __u16 port)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return 0;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return 0;
	return udp->dest == bpf_htons(port);
}

/* count_udp bumps slot for a frame holding a UDP datagram to port. */
static __always_inline void count_udp(__u32 slot, void *data, void *data_end, __u16 port)
{
	if (udp_to_port(data, data_end, port))
		bump(slot);
}

#endif
