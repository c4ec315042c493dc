/* Maps and globals the map tests exercise: a map sized before load, a
 * per-CPU array, a queue, a spin-locked value, a map of maps, and globals
 * in every kind of data section, read and written by a syscall program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Sized by the test before Load, as bcc's cpudist sizes its maps. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 0);
	__type(key, __u32);
	__type(value, __u64);
} sized SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} queue SEC(".maps");

struct locked {
	struct bpf_spin_lock lock;
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct locked);
} locked SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

/* No inner map is declared: the test gives one before Load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} outer SEC(".maps");

struct config {
	__u32 pid;
	__u8 verbose;
	__u8 pad[3];
	__u64 limit;
};

const volatile __u64 ro_mult = 1;
const volatile struct config ro_cfg = { .limit = 10 };
__u64 data_add = 5;
__s32 data_arr[4] = { 1, 2, 3, 4 };
__u64 bss_out;
__u32 bss_runs;
__u64 custom_val SEC(".data.custom") = 7;
const volatile char ro_name[8] = "abc";
extern __u32 LINUX_KERNEL_VERSION __kconfig;
__u32 kver;

/* Computes from the globals: out = data_add * ro_mult + data_arr[3] +
 * custom_val + ro_cfg.limit, and returns it. */
SEC("raw_tp")
int compute(void *ctx)
{
	bss_out = data_add * ro_mult + data_arr[3] + custom_val + ro_cfg.limit;
	bss_runs++;
	kver = LINUX_KERNEL_VERSION;
	return bss_out;
}

/* Touches the sized map and the queue so that they are part of the program. */
SEC("raw_tp")
int fill(void *ctx)
{
	__u32 key = 1, v = 9;
	__u64 one = 1;

	bpf_map_update_elem(&sized, &key, &one, BPF_ANY);
	bpf_map_push_elem(&queue, &v, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
