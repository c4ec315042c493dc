package libbpf_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// readIter runs the iterator of l once and returns its lines.
func readIter(t *testing.T, l *libbpf.Link) []string {
	t.Helper()
	r, err := l.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestIterTask(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("dump_task").AttachIter(libbpf.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	me := fmt.Sprintf("%d %d %s", os.Getpid(), os.Getpid(), strings.TrimSpace(string(comm)))
	for run := 0; run < 2; run++ { // each Open runs the iterator afresh
		lines := readIter(t, l)
		found := false
		for _, line := range lines {
			found = found || line == me
		}
		if !found || len(lines) < 2 {
			t.Errorf("run %d: %d tasks, none is %q; first: %q", run, len(lines), me, lines[:min(3, len(lines))])
		}
	}
}

// TestIterTaskOfProcess limits a task iterator to one process: its threads
// are all that comes out.
func TestIterTaskOfProcess(t *testing.T) {
	obj := loadTracing(t)
	for name, opts := range map[string]libbpf.IterOptions{
		"pid": {PID: os.Getpid()},
		"tid": {TID: os.Getpid()},
	} {
		fds := testutil.OpenFDs(t)
		l, err := obj.Program("dump_tid").AttachIter(opts)
		if why, lacks := testutil.KernelLacks(testutil.FeatureTaskIterParams); lacks {
			t.Log(why)
			if name == "tid" { // the old link_info's map_fd: ignored by task iterators
				if err == nil {
					l.Close()
				}
				continue
			}
			checkClean(t, name, fds, l, err, nil)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines := readIter(t, l)
		l.Close()
		tasks, _ := os.ReadDir("/proc/self/task")
		if len(lines) == 0 || name == "tid" && len(lines) != 1 || name == "pid" && len(lines) < len(tasks)/2 {
			t.Errorf("%s: %d lines for %d threads: %q", name, len(lines), len(tasks), lines)
		}
		for _, line := range lines {
			var tid int
			if _, err := fmt.Sscanf(line, "tid %d", &tid); err != nil {
				t.Fatalf("%s: line %q: %v", name, line, err)
			}
			if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid)); err != nil {
				t.Errorf("%s: tid %d is not one of this process's threads", name, tid)
			}
		}
	}
}

func TestIterMapElem(t *testing.T) {
	testutil.RequireKernel(t)
	fds := testutil.OpenFDs(t)
	obj := openTest(t, "tracing")
	if err := obj.Program("dump_elem").SetAutoload(true); err != nil {
		t.Fatal(err)
	}
	if why, lacks := testutil.KernelLacks(testutil.FeatureMapElemIter); lacks {
		t.Log(why)
		err := obj.Load()
		if !errorsIsErrno(err) {
			t.Errorf("Load with a map element iterator: %v, want an errno", err)
		}
		obj.Close()
		if got := testutil.OpenFDs(t); got != fds {
			t.Errorf("%d fds open after the failed load, %d before", got, fds)
		}
		return
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	elems := obj.Map("elems")
	fds = testutil.OpenFDs(t)
	l, err := obj.Program("dump_elem").AttachIter(libbpf.IterOptions{})
	checkClean(t, "map element iterator without a map", fds, l, err, unix.EBADF)
	want := map[uint32]uint64{}
	for k := uint32(1); k <= 40; k++ {
		want[k] = uint64(k) * 1000003
		if err := elems.Update(u32(k), binary.NativeEndian.AppendUint64(nil, want[k]), libbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	l, err = obj.Program("dump_elem").AttachIter(libbpf.IterOptions{Map: elems})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := map[uint32]uint64{}
	for _, line := range readIter(t, l) {
		var k uint32
		var v uint64
		if _, err := fmt.Sscanf(line, "%d=%d", &k, &v); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if _, dup := got[k]; dup {
			t.Errorf("key %d twice", k)
		}
		got[k] = v
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("iterator listed %v, want %v", got, want)
	}
}

func errorsIsErrno(err error) bool {
	var errno unix.Errno
	return errors.As(err, &errno)
}

// TestIterOptionsInvalid: options that cannot go together, or a map
// iterator without its map, fail cleanly.
func TestIterOptionsInvalid(t *testing.T) {
	obj := loadTracing(t)
	task := obj.Program("dump_task")
	fds := testutil.OpenFDs(t)
	for name, opts := range map[string]libbpf.IterOptions{
		"map and task":    {MapFD: obj.Map("elems").FD(), PID: 1},
		"cgroup and task": {CgroupID: 1, TID: 1},
		"map and map fd":  {Map: obj.Map("elems"), MapFD: obj.Map("elems").FD()},
		"negative pid":    {PID: -1},
	} {
		l, err := task.AttachIter(opts)
		checkClean(t, name, fds, l, err, unix.EINVAL)
	}
	group := libbpf.JoinLinks(mustAttachIter(t, task))
	defer group.Close()
	if r, err := group.Open(); err == nil {
		r.Close()
		t.Error("Open of a link group succeeded")
	}
}

func mustAttachIter(t *testing.T, p *libbpf.Program) *libbpf.Link {
	t.Helper()
	l, err := p.AttachIter(libbpf.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestIterNotIter: Open of a link that is not an iterator fails with the
// kernel's errno.
func TestIterNotIter(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("first").AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fds := testutil.OpenFDs(t)
	if r, err := l.Open(); err == nil {
		r.Close()
		t.Error("Open of a raw tracepoint link succeeded")
	} else if !errorsIsErrno(err) {
		t.Errorf("Open of a raw tracepoint link: %v, want an errno", err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after a failed Open, %d before", got, fds)
	}
}
