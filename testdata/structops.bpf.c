/* Two versions of a minimal TCP congestion control, as struct_ops links: a
 * Reno-like ssthresh and undo_cwnd, and an init that counts new
 * connections (slot 14 for the first version, 15 for the second). The
 * kernel knows the algorithm by its name while a link registers it; only
 * the test's connections select it. */
#include "common.h"
#include <bpf/bpf_tracing.h>

SEC("struct_ops")
__u32 BPF_PROG(cc_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;

	return tp->snd_cwnd > 4 ? tp->snd_cwnd / 2 : 2;
}

SEC("struct_ops")
void BPF_PROG(cc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops")
__u32 BPF_PROG(cc_undo_cwnd, struct sock *sk)
{
	return ((const struct tcp_sock *)sk)->snd_cwnd;
}

SEC("struct_ops")
void BPF_PROG(cc_init_v1, struct sock *sk) { count_any(14); }

SEC("struct_ops")
void BPF_PROG(cc_init_v2, struct sock *sk) { count_any(15); }

SEC(".struct_ops.link")
struct tcp_congestion_ops cc_v1 = {
	.init = (void *)cc_init_v1,
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "golibbpf_test",
};

SEC(".struct_ops.link")
struct tcp_congestion_ops cc_v2 = {
	.init = (void *)cc_init_v2,
	.ssthresh = (void *)cc_ssthresh,
	.cong_avoid = (void *)cc_cong_avoid,
	.undo_cwnd = (void *)cc_undo_cwnd,
	.name = "golibbpf_test",
};
