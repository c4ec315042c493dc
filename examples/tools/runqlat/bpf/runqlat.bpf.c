/* runqlat: the time a task waits on a run queue, from its wakeup (or its
 * preemption) to the switch that runs it, as a log2 histogram per run,
 * process, or thread. The programs are SEC("tp.best/..."): tp_btf where the
 * kernel has it, else raw_tp (callbacks/variant), so they keep to the
 * convention both share: BPF_PROG's u64 arguments, and task fields read
 * with BPF_CORE_READ, never with t->field. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "hist.bpf.h"

#define NO_PID ((__u32)-1)
#define RUNNING 0 /* TASK_RUNNING */

const volatile __u32 only_pid = NO_PID;
const volatile enum group group_by = GROUP_ALL;
const volatile bool millis = false;

/* When each runnable task was queued, by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} queued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

static void enqueue(struct task_struct *t)
{
	__u32 tid = BPF_CORE_READ(t, pid);
	__u64 now;

	if (!tid || (only_pid != NO_PID && BPF_CORE_READ(t, tgid) != only_pid))
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&queued, &tid, &now, BPF_ANY);
}

SEC("tp.best/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp.best/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp.best/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(next, pid);
	__u64 *start, delta;

	/* A task switched out while still runnable waits in the queue again. */
	if (BPF_CORE_READ(prev, __state) == RUNNING)
		enqueue(prev);

	start = bpf_map_lookup_elem(&queued, &tid);
	if (!start)
		return 0;
	delta = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&queued, &tid);
	hist_add(&hists, group_by, next, delta, millis);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
