#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* A .kconfig extern whose BTF size (2^31 bytes) does not fit in an int. */
extern char CONFIG_HUGE[0x80000000u] __kconfig;

SEC("syscall")
int f(void *ctx) { return CONFIG_HUGE[0]; }

char LICENSE[] SEC("license") = "GPL";
