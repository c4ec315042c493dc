/* Programs for the tracing attach helpers and iterators. Each probe counts
 * its hits in counts[slot] (for the test process only) and keeps the attach
 * cookie of its last hit in cookies[slot]. */
#include "cookie.h"
#include <bpf/bpf_tracing.h>

/* The map the bpf_map_elem iterator walks; the test fills it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} elems SEC(".maps");

SEC("kprobe")
int on_kprobe(struct pt_regs *ctx) { return hit(0, ctx); }

SEC("ksyscall")
int on_ksyscall(struct pt_regs *ctx) { return hit(1, ctx); }

SEC("kprobe.multi")
int on_kprobe_multi(struct pt_regs *ctx) { return hit(2, ctx); }

SEC("uprobe")
int on_uprobe(struct pt_regs *ctx) { return hit(3, ctx); }

SEC("tracepoint")
int on_tracepoint(void *ctx) { return hit(4, ctx); }

/* Raw tracepoint programs may read their cookie only since 6.10; the test
 * loads this one where the kernel has that. */
SEC("?raw_tp")
int on_raw_tp(struct bpf_raw_tracepoint_args *ctx) { return hit(5, ctx); }

SEC("perf_event")
int on_perf_event(void *ctx) { return hit(6, ctx); }

/* Two raw tracepoint programs, one to swap for the other. */
SEC("raw_tp")
int first(struct bpf_raw_tracepoint_args *ctx) { count(7); return 0; }

SEC("raw_tp")
int second(struct bpf_raw_tracepoint_args *ctx) { count(8); return 0; }

/* One line per task: "tgid pid comm". */
SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %s\n", task->tgid, task->pid, task->comm);
	return 0;
}

/* Another task iterator, to swap in with Link.Update: "tid <pid>". */
SEC("iter/task")
int dump_tid(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task)
		BPF_SEQ_PRINTF(ctx->meta->seq, "tid %d\n", task->pid);
	return 0;
}

/* One line per element of the map it is attached with: "key=value". Not
 * loaded unless a test asks: some kernels refuse map element iterators. */
SEC("?iter/bpf_map_elem")
int dump_elem(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *value = ctx->value;

	if (key && value)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u=%llu\n", *key, *value);
	return 0;
}
