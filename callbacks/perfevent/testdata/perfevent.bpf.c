// Programs for the perfevent kernel tests: each counts its runs in a slot
// of counts, and per CPU in hits[slot * MAX_CPUS + cpu].
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum {
	SLOT_CPU_CLOCK,
	SLOT_PAGE_FAULTS,
	SLOT_RAW,
	SLOT_CPU0,
	SLOT_ANY,
	SLOT_CYCLES,
	SLOT_PMU,
	NR_SLOTS,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

#define MAX_CPUS 256

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_SLOTS * MAX_CPUS);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
	if (cpu < MAX_CPUS) {
		cpu += slot * MAX_CPUS;
		v = bpf_map_lookup_elem(&hits, &cpu);
		if (v)
			__sync_fetch_and_add(v, 1);
	}
}

SEC("perf_event/cpu-clock:freq=1000")
int on_cpu_clock(struct bpf_perf_event_data *ctx)
{
	count(SLOT_CPU_CLOCK);
	return 0;
}

SEC("perf_event/page-faults:period=1")
int on_page_fault(struct bpf_perf_event_data *ctx)
{
	count(SLOT_PAGE_FAULTS);
	return 0;
}

/* cloudflare/ebpf_exporter's raw form: cpu-clock at 500 Hz. */
SEC("perf_event/type=1,config=0,frequency=500")
int on_raw(struct bpf_perf_event_data *ctx)
{
	count(SLOT_RAW);
	return 0;
}

SEC("perf_event/cpu-clock:freq=1000,cpus=0")
int on_cpu0(struct bpf_perf_event_data *ctx)
{
	count(SLOT_CPU0);
	return 0;
}

/* A bare section is not auto-attached: the tests attach it with a spec
 * known only at run time. */
SEC("perf_event")
int on_any(struct bpf_perf_event_data *ctx)
{
	count(SLOT_ANY);
	return 0;
}

/* A hardware event: a VM without a PMU fails Attach for it. */
SEC("perf_event/cycles:period=1000000")
int on_cycles(struct bpf_perf_event_data *ctx)
{
	count(SLOT_CYCLES);
	return 0;
}

/* The software PMU through sysfs: type 1, config 0 is cpu-clock. */
SEC("perf_event/software/config=0/:freq=500,cpus=0")
int on_pmu(struct bpf_perf_event_data *ctx)
{
	count(SLOT_PMU);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
