// SPDX-License-Identifier: GPL-2.0
/* Probes for the goprobe tests.
 *
 * The target binary's path is known only at run time, so every program's
 * section name is a placeholder of fixed length, "GOPROBE_SECTION_<i>_"
 * followed by 220 'x': the test rewrites it in the object's bytes (in the
 * ELF string table and in .BTF, padded with NULs) into the uprobe.go/ or
 * uretprobe.go/ section it needs, then opens the object from memory.
 *
 * Program i counts its hits in counts[i] and adds the first integer result
 * of a Go function under ABIInternal (RAX on amd64, R0 on arm64: the return
 * register PT_REGS_RC reads) to sums[i]. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NPROGS 8

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NPROGS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NPROGS);
	__type(key, __u32);
	__type(value, __u64);
} sums SEC(".maps");

static __always_inline int hit(struct pt_regs *ctx, __u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &i);
	__u64 *s = bpf_map_lookup_elem(&sums, &i);

	if (c)
		__sync_fetch_and_add(c, 1);
	if (s)
		__sync_fetch_and_add(s, PT_REGS_RC(ctx));
	return 0;
}

#define X10 "xxxxxxxxxx"
#define X110 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define PLACEHOLDER(i) "GOPROBE_SECTION_" #i "_" X110 X110

#define PROBE(i)                                          \
	SEC(PLACEHOLDER(i))                               \
	int probe##i(struct pt_regs *ctx)                 \
	{                                                 \
		return hit(ctx, i);                       \
	}

PROBE(0)
PROBE(1)
PROBE(2)
PROBE(3)
PROBE(4)
PROBE(5)
PROBE(6)
PROBE(7)

char LICENSE[] SEC("license") = "GPL";
