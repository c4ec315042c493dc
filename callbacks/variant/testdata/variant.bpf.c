// SPDX-License-Identifier: GPL-2.0
// Programs of the variant tests: each counts its runs in the calling process
// (target_tgid) in a slot of its own.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum {
	SLOT_SYS_ENTER = 0,
	SLOT_FENTRY,
	SLOT_FEXIT,
	SLOT_MAX,
};

#define COUNTER_SLOTS SLOT_MAX
#include "../../netif/testdata/counters.h"

const volatile __u32 target_tgid;
const volatile long watched_nr = -1; /* the syscall number counted */

static __always_inline bool in_target(void)
{
	return bpf_get_current_pid_tgid() >> 32 == target_tgid;
}

/* The raw tracepoint convention, which tp_btf shares: BPF_PROG's u64
 * arguments. regs is not dereferenced (a tp_btf program could, a raw_tp
 * one could not). */
SEC("tp.best/sys_enter")
int BPF_PROG(count_sys_enter, struct pt_regs *regs, long id)
{
	if (in_target() && id == watched_nr)
		bump(SLOT_SYS_ENTER);
	return 0;
}

/* fentry.best and fexit.best programs do not read their context. */
SEC("fentry.best/vfs_read")
int count_fentry(void *ctx)
{
	if (in_target())
		bump(SLOT_FENTRY);
	return 0;
}

SEC("fexit.best/vfs_read")
int count_fexit(void *ctx)
{
	if (in_target())
		bump(SLOT_FEXIT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
