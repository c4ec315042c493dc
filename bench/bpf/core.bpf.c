// SPDX-License-Identifier: GPL-2.0
/* A CO-RE object: 16 perf_event programs, each reading a few fields of the
 * current task through BPF_CORE_READ, so that loading it relocates 60-odd
 * field accesses against the running kernel's vmlinux BTF. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} acc SEC(".maps");

#define PROG(i)                                                               \
	SEC("perf_event")                                                     \
	int core_##i(void *ctx)                                               \
	{                                                                     \
		struct task_struct *t = (void *)bpf_get_current_task();       \
		__u32 k = i;                                                  \
		__u64 *v = bpf_map_lookup_elem(&acc, &k);                     \
		__u64 x = BPF_CORE_READ(t, real_parent, tgid);                \
		x += BPF_CORE_READ(t, mm, total_vm);                          \
		x += BPF_CORE_READ(t, nsproxy, pid_ns_for_children, level);   \
		x += BPF_CORE_READ(t, cred, uid.val) + i;                     \
		if (v)                                                        \
			*v += x;                                              \
		return 0;                                                     \
	}

PROG(0) PROG(1) PROG(2) PROG(3) PROG(4) PROG(5) PROG(6) PROG(7)
PROG(8) PROG(9) PROG(10) PROG(11) PROG(12) PROG(13) PROG(14) PROG(15)

char LICENSE[] SEC("license") = "GPL";
