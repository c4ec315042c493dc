/* Half of the objects the static linker test links: a program that calls a
 * function of linker_b.bpf.c and reads a variable it defines. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int add_ten(int x);
extern int base_value;

SEC("raw_tp")
int linked_main(void *ctx)
{
	return add_ten(base_value);
}

char LICENSE[] SEC("license") = "GPL";
