/* A BPF LSM program: counts the test process's file opens, allows them. */
#include "common.h"
#include <bpf/bpf_tracing.h>

SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file)
{
	count(12);
	return 0;
}
