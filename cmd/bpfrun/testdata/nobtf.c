/* Compiled by the tests without -g, so that it has no BTF (not named
 * .bpf.c: the Makefile compiles those with -g). */
#define SEC(name) __attribute__((section(name), used))

/* A global: without BTF, bpfrun shows its data section as raw bytes. */
volatile int brt_nobtf_global = 0x2a;

SEC("tracepoint/syscalls/sys_enter_prctl")
int brt_nobtf(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
