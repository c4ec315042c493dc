// A malformed option: Open must fail naming the section and the option.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("perf_event/cpu-clock:freq=fast")
int bad(struct bpf_perf_event_data *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
