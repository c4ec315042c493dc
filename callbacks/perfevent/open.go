package perfevent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cgroupRoot is where a relative cgroup= path is looked up when no cgroup
// v2 mount is listed in /proc/self/mounts.
const cgroupRoot = "/sys/fs/cgroup"

// cgroup2Mount returns where the cgroup v2 hierarchy is mounted:
// /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one.
func cgroup2Mount() string {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return cgroupRoot
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[2] == "cgroup2" {
			return f[1]
		}
	}
	return cgroupRoot
}

// perfEventAttr is struct perf_event_attr up to config3 (PERF_ATTR_SIZE_VER9);
// x/sys stops one word short of it.
type perfEventAttr struct {
	unix.PerfEventAttr
	Config3 uint64
}

// attr builds the perf_event_attr of the spec. The event is opened
// disabled: attaching the program enables it, so nothing is sampled before
// the program runs. An event on a pid is inherited by the threads and
// processes that pid starts later.
func (s Spec) attr() perfEventAttr {
	var a perfEventAttr
	a.Type = s.Type
	a.Size = unix.PERF_ATTR_SIZE_VER8
	a.Config = s.Config
	a.Ext1 = s.Config1
	a.Ext2 = s.Config2
	if s.Config3 != 0 {
		a.Config3 = s.Config3
		a.Size = unix.PERF_ATTR_SIZE_VER9
	}
	a.Bits = unix.PerfBitDisabled
	if s.ExcludeUser {
		a.Bits |= unix.PerfBitExcludeUser
	}
	if s.ExcludeKernel {
		a.Bits |= unix.PerfBitExcludeKernel
	}
	if s.ExcludeHV {
		a.Bits |= unix.PerfBitExcludeHv
	}
	if s.PreciseIP&1 != 0 {
		a.Bits |= unix.PerfBitPreciseIPBit1
	}
	if s.PreciseIP&2 != 0 {
		a.Bits |= unix.PerfBitPreciseIPBit2
	}
	if s.PID > 0 {
		// Follow the threads and processes the target starts, like perf.
		a.Bits |= unix.PerfBitInherit
	}
	if s.Freq != 0 {
		a.Sample = s.Freq
		a.Bits |= unix.PerfBitFreq
	} else {
		a.Sample = s.Period
	}
	return a
}

// target is one perf_event_open call: the pid and cpu arguments and the
// flags (PERF_FLAG_PID_CGROUP makes pid a cgroup directory fd).
type target struct {
	pid, cpu int
	flags    int
	cgroup   string // for messages
}

func (t target) String() string {
	switch {
	case t.cgroup != "":
		return fmt.Sprintf("for cgroup %s on CPU %d", t.cgroup, t.cpu)
	case t.pid > 0 && t.cpu < 0:
		return fmt.Sprintf("for pid %d on any CPU", t.pid)
	case t.pid > 0:
		return fmt.Sprintf("for pid %d on CPU %d", t.pid, t.cpu)
	}
	return fmt.Sprintf("on CPU %d", t.cpu)
}

// targets lists where the spec's event is opened. When it returns a cgroup
// directory fd (>= 0), the caller closes it once every event is open.
func (s Spec) targets() ([]target, int, error) {
	if s.PID > 0 && s.Cgroup != "" {
		return nil, -1, fmt.Errorf("pid=%d and cgroup=%s exclude each other", s.PID, s.Cgroup)
	}
	if s.PID > 0 && s.CPUs == nil {
		return []target{{pid: s.PID, cpu: -1}}, -1, nil
	}
	cpus := s.CPUs
	if cpus == nil {
		var err error
		if cpus, err = OnlineCPUs(); err != nil {
			return nil, -1, fmt.Errorf("listing online CPUs: %w", err)
		}
	}
	if len(cpus) == 0 {
		return nil, -1, fmt.Errorf("no CPU to open the event on")
	}
	ts := make([]target, 0, len(cpus))
	if s.Cgroup != "" {
		path := s.Cgroup
		if !filepath.IsAbs(path) {
			path = filepath.Join(cgroup2Mount(), path)
		}
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, -1, fmt.Errorf("opening cgroup %s: %w", path, err)
		}
		// The kernel answers a directory outside a cgroup file system with
		// EBADF; say what is wrong instead (a hybrid system mounts cgroup v2
		// at /sys/fs/cgroup/unified, under a tmpfs at /sys/fs/cgroup).
		var st unix.Statfs_t
		if err := unix.Fstatfs(fd, &st); err == nil && st.Type != unix.CGROUP2_SUPER_MAGIC && st.Type != unix.CGROUP_SUPER_MAGIC {
			unix.Close(fd)
			return nil, -1, fmt.Errorf("cgroup %s is not a cgroup directory (cgroup v2 is mounted at %s; a relative path is looked up there): %w",
				path, cgroup2Mount(), unix.ENOTDIR)
		}
		for _, cpu := range cpus {
			ts = append(ts, target{pid: fd, cpu: cpu, flags: unix.PERF_FLAG_PID_CGROUP, cgroup: path})
		}
		return ts, fd, nil
	}
	pid := -1
	if s.PID > 0 {
		pid = s.PID
	}
	for _, cpu := range cpus {
		ts = append(ts, target{pid: pid, cpu: cpu})
	}
	return ts, -1, nil
}

// perfEventOpen wraps the perf_event_open system call; the fd is
// close-on-exec.
func perfEventOpen(attr *perfEventAttr, t target) (int, error) {
	fd, _, errno := unix.Syscall6(unix.SYS_PERF_EVENT_OPEN, uintptr(unsafe.Pointer(attr)),
		uintptr(t.pid), uintptr(t.cpu), ^uintptr(0), uintptr(t.flags|unix.PERF_FLAG_FD_CLOEXEC), 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// openError describes a failed perf_event_open: the event as written, its
// type and config, where it was opened, and a hint for the usual causes.
// It wraps the errno.
func (s Spec) openError(t target, err error) error {
	hint := ""
	switch {
	case (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENODEV)) && t.cpu >= 0 && !cpuOnline(t.cpu):
		hint = fmt.Sprintf(" (CPU %d is not online)", t.cpu)
	case errors.Is(err, unix.ENOENT) && t.flags&unix.PERF_FLAG_PID_CGROUP != 0:
		// The kernel gives a new cgroup v2 directory the implicit
		// perf_event controller only once the hierarchy's controllers
		// have been set up, which an init system does at boot.
		hint = fmt.Sprintf(" (cgroup %s has no perf_event controller: on cgroup v2 it comes with the first write to the root's cgroup.subtree_control, which a bare init never made)", t.cgroup)
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP):
		hint = " (this machine does not have the event; a VM often has no hardware PMU)"
	case errors.Is(err, unix.EINVAL):
		if max, ok := maxSampleRate(); ok && s.Freq > max {
			hint = fmt.Sprintf(" (freq=%d is above kernel.perf_event_max_sample_rate=%d)", s.Freq, max)
		} else {
			hint = " (can the event be sampled? counting-only PMUs and tracepoints cannot)"
		}
	case errors.Is(err, unix.ESRCH):
		hint = " (no such thread)"
	}
	return fmt.Errorf("perf_event %q (type %d, config %#x) %s: perf_event_open: %w%s",
		s.Event, s.Type, s.Config, t, err, hint)
}

// maxSampleRate reads the kernel's ceiling on sampling frequencies.
func maxSampleRate() (uint64, bool) {
	data, err := os.ReadFile("/proc/sys/kernel/perf_event_max_sample_rate")
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil
}

// cpuOnline reports whether cpu is online now; true when that is unknown.
func cpuOnline(cpu int) bool {
	cpus, err := OnlineCPUs()
	if err != nil {
		return true
	}
	for _, c := range cpus {
		if c == cpu {
			return true
		}
	}
	return false
}
