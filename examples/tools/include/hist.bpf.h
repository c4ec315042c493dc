/* The log2 histograms of runqlat and cpudist: a struct hist per key of a
 * hash map, slot i counting the values from 2^i to 2^(i+1)-1 (slot 0:
 * 0 and 1), as user space's hist.PrintLog2 prints them. */
#ifndef TOOLS_HIST_BPF_H
#define TOOLS_HIST_BPF_H

#define HIST_SLOTS 26

struct hist {
	__u32 slots[HIST_SLOTS];
	char comm[16];
};

/* How a tool splits its histograms. */
enum group { GROUP_ALL, GROUP_PROCESS, GROUP_THREAD };

static const struct hist empty_hist;

/* The slot of v: floor(log2(v)), 0 for 0, at most HIST_SLOTS-1. */
static __always_inline __u32 hist_slot(__u64 v)
{
	__u32 s = 0;

	while (v > 1 && s < HIST_SLOTS - 1) {
		v >>= 1;
		s++;
	}
	return s;
}

/* hist_add counts delta nanoseconds, in microseconds or milliseconds, in
 * the histogram of task t's group in map hists, made on first use with
 * the task's name. */
static __always_inline void hist_add(void *hists, enum group by, struct task_struct *t,
				     __u64 delta, bool millis)
{
	__u32 key = 0;
	struct hist *h;

	if (by == GROUP_PROCESS)
		key = BPF_CORE_READ(t, tgid);
	else if (by == GROUP_THREAD)
		key = BPF_CORE_READ(t, pid);
	h = bpf_map_lookup_elem(hists, &key);
	if (!h) {
		bpf_map_update_elem(hists, &key, &empty_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(hists, &key);
		if (!h)
			return;
		if (by != GROUP_ALL)
			BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
	}
	delta /= millis ? 1000000 : 1000;
	__sync_fetch_and_add(&h->slots[hist_slot(delta)], 1);
}

#endif
