package libbpf_test

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestLinkPinDetach(t *testing.T) {
	obj := loadBasic(t)
	l, err := obj.Program("on_sys_enter").AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pin := fmt.Sprintf("/sys/fs/bpf/golibbpf_test_%d", os.Getpid())
	if err := l.Pin(pin); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pin); err != nil {
		t.Errorf("pinned link: %v", err)
	}
	if err := l.Unpin(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pin); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Unpin: %v", err)
	}
	waitCount(t, obj, 0, 1, nanosleep)
	// The kernel detaches only some link types (xdp, tcx, cgroup, netns)
	// without destroying them; raw_tp is not one.
	if err := l.Detach(); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("Detach of a raw_tp link: %v, want EOPNOTSUPP", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if l.FD() != -1 {
		t.Errorf("destroyed link has fd %d", l.FD())
	}
	if err := l.Pin(pin); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Pin after Close: %v", err)
	}
}

func TestJoinLinks(t *testing.T) {
	if libbpf.JoinLinks() != nil || libbpf.JoinLinks(nil, nil) != nil {
		t.Error("JoinLinks of nothing is not nil")
	}
	obj := loadBasic(t)
	fds := countFDs(t)
	var links []*libbpf.Link
	for i := 0; i < 3; i++ {
		l, err := attachCPUClock(obj.Program("on_cpu_clock"))
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	group := libbpf.JoinLinks(links...)
	if len(group.Members()) != 3 || group.FD() != links[0].FD() {
		t.Errorf("group of %d with fd %d", len(group.Members()), group.FD())
	}
	if err := group.Close(); err != nil {
		t.Fatal(err)
	}
	for i, l := range links {
		if l.FD() != -1 {
			t.Errorf("member %d survived the group's Close", i)
		}
	}
	if got := countFDs(t); got != fds {
		t.Errorf("%d fds after destroying the group, %d before", got, fds)
	}
}

func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestLibbpfVersion(t *testing.T) {
	if major, minor := libbpf.LibbpfMajorMinor(); major != 1 || minor != 7 {
		t.Errorf("linked libbpf %d.%d, want the pinned 1.7", major, minor)
	}
	if v := libbpf.LibbpfVersion(); v != "v1.7" {
		t.Errorf("LibbpfVersion() = %q", v)
	}
	if s := libbpf.ProgTypeRawTracepoint.String(); s != "raw_tracepoint" {
		t.Errorf("ProgTypeRawTracepoint = %q", s)
	}
	if s := libbpf.AttachTypeTraceUprobeMulti.String(); s != "trace_uprobe_multi" {
		t.Errorf("AttachTypeTraceUprobeMulti = %q", s)
	}
	if s := libbpf.ProgType(9999).String(); s != "ProgType(9999)" {
		t.Errorf("unknown ProgType = %q", s)
	}
	if s := libbpf.LinkTypeUprobeMulti.String(); s != "uprobe_multi" {
		t.Errorf("LinkTypeUprobeMulti = %q", s)
	}
	if s := libbpf.LinkType(9999).String(); s != "LinkType(9999)" {
		t.Errorf("unknown LinkType = %q", s)
	}
}

// TestSetMemlockRlim sets libbpf's default back: the kernels since 5.11
// charge BPF memory to the cgroup, and libbpf never raises the limit nor
// refuses the setting there; before, it refuses once a map or program
// made it raise the limit, as loading one here does.
func TestSetMemlockRlim(t *testing.T) {
	loadBasic(t)
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &before); err != nil {
		t.Fatal(err)
	}
	err := libbpf.SetMemlockRlim(unix.RLIM_INFINITY)
	if why, lacks := testutil.KernelLacks(testutil.FeatureMemcgAccount); lacks {
		t.Log(why)
		if !errors.Is(err, unix.EBUSY) {
			t.Errorf("SetMemlockRlim after a load: %v, want EBUSY", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	loadBasic(t)
	var after unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &after); err != nil || after != before {
		t.Errorf("RLIMIT_MEMLOCK %+v before a load, %+v after (%v): libbpf changed it", before, after, err)
	}
}

// Binaries linking the module carry libbpf, libelf and zlib inside.
func TestStaticallyLinked(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range libs {
		for _, bad := range []string{"libbpf", "libelf", "libz."} {
			if strings.HasPrefix(lib, bad) {
				t.Errorf("test binary depends on %s dynamically", lib)
			}
		}
	}
}
