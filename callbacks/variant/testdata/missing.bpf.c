// SPDX-License-Identifier: GPL-2.0
// A tp.best program whose tracepoint the kernel does not have.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp.best/no_such_tracepoint_golibbpf")
int BPF_PROG(on_missing)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
