/* A CO-RE program for the BTF tests: TestDumpCHeader compiles it against the
 * vmlinux.h that BTF.DumpCHeader writes, loads it and checks that it reads the
 * calling task's tgid through relocated field offsets. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* seen[0]: the tgid of the last task that called getppid; seen[1]: whether
 * task_struct has a tgid member, as the verifier saw it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_tgid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u32 k0 = 0, k1 = 1;
	__u64 tgid = BPF_CORE_READ(task, tgid);
	__u64 has = bpf_core_field_exists(task->tgid);

	bpf_map_update_elem(&seen, &k0, &tgid, BPF_ANY);
	bpf_map_update_elem(&seen, &k1, &has, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
