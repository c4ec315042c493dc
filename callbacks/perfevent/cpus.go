package perfevent

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// maxCPU bounds the CPU numbers a list may name: the kernel's largest
// NR_CPUS (MAXSMP) is 8192.
const maxCPU = 8192

// onlineCPUsPath lists the CPUs the kernel runs on now, in the list format
// parseCPUList reads.
const onlineCPUsPath = "/sys/devices/system/cpu/online"

// parseCPUList parses a CPU list in the kernel's format ("0-3,6", the format
// of /sys/devices/system/cpu/online and of perf's -C) into ascending,
// de-duplicated CPU numbers.
func parseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty CPU list")
	}
	var set [maxCPU / 64]uint64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := parseCPU(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", s, err)
		}
		last := first
		if isRange {
			if last, err = parseCPU(hi); err != nil {
				return nil, fmt.Errorf("CPU list %q: %w", s, err)
			}
			if last < first {
				return nil, fmt.Errorf("CPU list %q: range %q ends before it starts", s, part)
			}
		}
		for cpu := first; cpu <= last; cpu++ {
			set[cpu/64] |= 1 << (cpu % 64)
		}
	}
	var cpus []int
	for cpu := 0; cpu < maxCPU; cpu++ {
		if set[cpu/64]&(1<<(cpu%64)) != 0 {
			cpus = append(cpus, cpu)
		}
	}
	return cpus, nil
}

func parseCPU(s string) (int, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, fmt.Errorf("%q is not a CPU number", s)
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n >= maxCPU {
		return 0, fmt.Errorf("%q is not a CPU number below %d", s, maxCPU)
	}
	return int(n), nil
}

// readCPUList reads a CPU list file such as the online CPUs or a PMU's
// cpumask.
func readCPUList(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cpus, err := parseCPUList(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cpus, nil
}

// OnlineCPUs returns the CPUs that are online now, the default set of CPUs
// an event is opened on.
func OnlineCPUs() ([]int, error) {
	return readCPUList(onlineCPUsPath)
}
