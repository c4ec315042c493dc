/* cpudist: how long tasks run on a CPU between two switches (or, with
 * off_cpu, how long they stay off it), as a log2 histogram per run,
 * process, or thread. The maps have no size here: user space sizes them
 * before Load from the system's pid_max, and allocates their elements as
 * they come (pid_max may be millions). The program is
 * SEC("tp.best/sched_switch"): tp_btf where the kernel has it, else raw_tp
 * (callbacks/variant), so it reads task fields with BPF_CORE_READ, which
 * both conventions allow, never with t->field. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "hist.bpf.h"

#define NO_PID ((__u32)-1)

const volatile __u32 only_pid = NO_PID;
const volatile enum group group_by = GROUP_ALL;
const volatile bool millis = false;
const volatile bool off_cpu = false;

/* When each thread went on (or, with off_cpu, off) a CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} since SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct hist);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hists SEC(".maps");

static __always_inline bool traced(struct task_struct *t)
{
	return BPF_CORE_READ(t, pid) && (only_pid == NO_PID || BPF_CORE_READ(t, tgid) == only_pid);
}

/* stop ends t's current span: its time goes into the histograms. */
static __always_inline void stop(struct task_struct *t, __u64 now)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	__u64 *start;

	start = bpf_map_lookup_elem(&since, &tid);
	if (!start)
		return;
	if (now >= *start)
		hist_add(&hists, group_by, t, now - *start, millis);
	bpf_map_delete_elem(&since, &tid);
}

SEC("tp.best/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	/* On-CPU spans run from next's switch in to its switch out;
	 * off-CPU spans the other way around. */
	struct task_struct *starts = off_cpu ? prev : next;
	struct task_struct *stops = off_cpu ? next : prev;

	if (traced(stops))
		stop(stops, now);
	if (traced(starts)) {
		__u32 tid = BPF_CORE_READ(starts, pid);

		bpf_map_update_elem(&since, &tid, &now, BPF_ANY);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
