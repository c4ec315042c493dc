// A term the PMU lacks: Open must fail naming the section and the term.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("perf_event/software/nosuchterm=1/")
int bad(struct bpf_perf_event_data *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
