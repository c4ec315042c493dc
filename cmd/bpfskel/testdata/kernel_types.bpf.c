/* Large kernel types, for the generator's layout: a global pointer keeps
 * each in the object's BTF, with everything it holds (unions, bitfields,
 * anonymous members, cache-line alignment, zero-size members). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct task_struct *task __attribute__((unused));
struct sk_buff *skb __attribute__((unused));
struct inode *inode __attribute__((unused));
struct page *page __attribute__((unused));
struct perf_event *perf_event __attribute__((unused));
struct bpf_prog *prog __attribute__((unused));
struct net_device *netdev __attribute__((unused));
struct mm_struct *mm __attribute__((unused));
struct sock *sk __attribute__((unused));

char LICENSE[] SEC("license") = "GPL";
