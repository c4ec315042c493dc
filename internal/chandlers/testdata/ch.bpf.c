// SPDX-License-Identifier: GPL-2.0
/* Two programs for the C handler of the chandlers test ("ch_test/"). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("ch_test/a")
int ch_a(void *ctx) { return 0; }

SEC("ch_test/b")
int ch_b(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
