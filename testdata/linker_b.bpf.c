/* The other half of the static linker test: the function and the variable
 * linker_a.bpf.c uses, and a program of its own. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

int base_value = 32;

__noinline int add_ten(int x)
{
	return x + 10;
}

SEC("raw_tp")
int linked_other(void *ctx)
{
	return 5;
}
