// An unknown event name: Open must fail naming the section and the event.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("perf_event/cpu-clok:freq=99")
int bad(struct bpf_perf_event_data *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
