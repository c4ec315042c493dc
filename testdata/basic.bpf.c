/* Built-in sections and attach helpers the root package's tests exercise. */
#include "common.h"

SEC("raw_tp/sys_enter")
int on_sys_enter(void *ctx) { count(0); return 0; }

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx) { count(1); return 0; }

SEC("perf_event")
int on_cpu_clock(void *ctx) { count(2); return 0; }

SEC("uprobe")
int on_uprobe(void *ctx) { count(3); return 0; }

SEC("uprobe.multi")
int on_uprobe_multi(void *ctx) { count(4); return 0; }

SEC("syscall")
int run_me(void *ctx) { count(6); return 42; }

SEC("socket")
int filter_me(struct __sk_buff *skb) { count_any(7); return 42; }
