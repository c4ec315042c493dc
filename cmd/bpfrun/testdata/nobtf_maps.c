/* Compiled by the tests without -g, like nobtf.c, but with a map declared
 * the BTF way (in .maps): libbpf needs BTF to open it and, lacking it,
 * fails with ENOENT, which bpfrun must not show as a missing file. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 4);
} brt_nobtf_map SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_nobtf_maps(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
