// Package perfevent teaches libbpf to open and attach the perf events that
// a perf_event program's section names, with perf's own event names and
// without libpfm4:
//
//	SEC("perf_event/cpu-clock:freq=1000")
//	int on_tick(struct bpf_perf_event_data *ctx) { ... }
//
// Call Register once before opening objects; Object.Attach (or
// Program.Attach) then opens the event on every selected CPU and attaches
// the program to each, and the one Link it returns owns them all.
//
// # Section forms
//
// A section is "perf_event" or "perf_event/<event>" or
// "perf_event/<event>:<option>=<value>,<option>=<value>...".
//
//	SEC("perf_event")
//
// keeps libbpf's meaning: the program loads as a perf_event program and is
// not auto-attached (Program.Attach fails with EOPNOTSUPP); attach it with
// Attach or Program.AttachPerfEvent.
//
// <event> is one of:
//
//   - A software event, by perf's name: cpu-clock, task-clock,
//     page-faults (faults), context-switches (cs), cpu-migrations
//     (migrations), minor-faults, major-faults, alignment-faults,
//     emulation-faults, dummy, bpf-output, cgroup-switches.
//
//   - A hardware event: cpu-cycles (cycles), instructions,
//     cache-references, cache-misses, branch-instructions (branches),
//     branch-misses, bus-cycles, stalled-cycles-frontend
//     (idle-cycles-frontend), stalled-cycles-backend (idle-cycles-backend),
//     ref-cycles. A machine without a hardware PMU (most VMs) fails Attach
//     with an error that names the event and wraps unix.ENOENT.
//
//   - A hardware-cache event <cache>[-<op>][-<result>], perf's full
//     matrix with its aliases, case-insensitive: cache is L1-dcache (l1-d,
//     l1d, L1-data), L1-icache (l1-i, l1i, L1-instruction), LLC (L2), dTLB
//     (d-tlb, Data-TLB), iTLB (i-tlb, Instruction-TLB), branch (branches,
//     bpu, btb, bpc) or node; op is load (loads, read; the default), store
//     (stores, write) or prefetch (prefetches, speculative-read,
//     speculative-load); result is refs (Reference, ops, access; the
//     default) or misses (miss). Combinations perf rejects (an iTLB store)
//     are rejected. Examples: L1-dcache-load-misses, LLC-load-misses,
//     dTLB-load-misses, branch-load-misses, L1-icache-loads, node-stores.
//
//   - A raw PMU event r<hex>, as perf writes it: r003c is type
//     PERF_TYPE_RAW, config 0x3c.
//
//   - A sysfs PMU event <pmu>/<terms>/, decoded from
//     /sys/bus/event_source/devices/<pmu>: its type file gives the
//     perf_event_attr type, format/* the bit layout of each term, events/*
//     the named events. <terms> is a comma-separated list of
//     <field>=<value> (a format field; value decimal or 0x-hex), <field>
//     (the same with value 1), <event> (a named event, expanded in place),
//     config=, config1=, config2=, config3= (whole config words), period=
//     and freq=. Later terms override earlier ones. When the PMU has a
//     cpumask file, its CPUs are the default CPUs. Because the spec holds
//     slashes, the section reads perf_event/<pmu>/<terms>/:<options>:
//
//     SEC("perf_event/cpu/event=0x3c,umask=0x0/:period=1000000")
//     SEC("perf_event/cpu/mem-loads,ldlat=30/:period=10000")
//     SEC("perf_event/software/config=0/") // type 1 config 0: cpu-clock
//
//     The kernel must be able to sample the event: a counting-only PMU
//     (msr, most uncore PMUs) and the tracepoint PMU (whose events take
//     tracepoint programs, not perf_event ones) parse, and fail Attach
//     with EINVAL.
//
//   - The raw form of cloudflare/ebpf_exporter, a comma-separated list
//     with type=<n> and config=<n>, both required (config1= to config3=
//     optional), frequency=<hz>
//     (or freq=) or period=<n>, and any option below:
//
//     SEC("perf_event/type=1,config=0,frequency=99")
//
// # Options
//
//   - u, k, h, p: perf's event modifiers, as one item. u samples user
//     space, k the kernel, h the hypervisor; naming any of them excludes
//     the others (cpu-clock:u samples user space only). Each p (up to 3)
//     asks the PMU for less skid (perf_event_attr.precise_ip).
//
//   - freq=<hz> samples that many times a second (perf_event_attr.freq;
//     the kernel adjusts the period to match), period=<n> once every n
//     events. freq and period exclude each other. With neither, the event
//     samples at DefaultFrequency, 99 Hz, like perf record -F 99. At most
//     kernel.perf_event_max_sample_rate, a sysctl that can change at any
//     time, so the kernel checks it: a higher freq opens and loads, and
//     fails Attach with EINVAL naming the event and the limit. The timer
//     events (cpu-clock, task-clock) fire only while their CPU runs
//     something: a CPU that idles on a tickless kernel may not be sampled
//     at all.
//
//   - cpus=<list> (or cpu=<list>) opens the event on these CPUs only, in the kernel's list
//     format (0-3,6: the commas of the list do not end the option).
//     Default: every CPU online when the program is attached
//     (/sys/devices/system/cpu/online).
//
//   - pid=<n> follows the thread n (for a single-threaded process, the
//     process) wherever it runs: one event on any CPU, or one per CPU of
//     cpus= when given. The threads and processes it starts after the
//     attach are followed too (the event is inherited, as perf does);
//     other threads that already exist are not: attach once per thread id
//     (/proc/<pid>/task) to cover them.
//
//   - cgroup=<path> samples only the tasks of a cgroup v2 directory: an
//     absolute path or one relative to the cgroup v2 mount (/sys/fs/cgroup,
//     /sys/fs/cgroup/unified on a hybrid system). The path may not hold a
//     comma. The kernel needs
//     one event per CPU for it (PERF_FLAG_PID_CGROUP), opened on cpus= or
//     every online CPU. pid and cgroup exclude each other.
//
// Examples:
//
//	SEC("perf_event/cpu-clock")                       // 99 Hz on every CPU
//	SEC("perf_event/cpu-clock:u,freq=49")             // user space only
//	SEC("perf_event/cpu-clock:freq=1000,cpus=0")      // 1 kHz, CPU 0 only
//	SEC("perf_event/page-faults:period=1")            // every page fault
//	SEC("perf_event/cs:period=1,cgroup=system.slice") // context switches of a cgroup
//	SEC("perf_event/LLC-load-misses:period=10000,cpus=0-3,6")
//
// A malformed section fails Object Open with an error that names the
// section and the offending part ("unknown event", "option ...", "PMU ...").
// A spec known only at run time (a pid the caller starts) is attached with
// Attach or AttachSpec; ParseSpec parses one.
package perfevent
