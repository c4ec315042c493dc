package libbpf_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestLinkUpdateIter swaps the program of an iterator link: the next run
// prints the new program's lines.
func TestLinkUpdateIter(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("dump_task").AttachIter(libbpf.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if lines := readIter(t, l); len(lines) == 0 || strings.HasPrefix(lines[0], "tid ") {
		t.Fatalf("before Update: %q", lines[:min(3, len(lines))])
	}
	if err := l.Update(obj.Program("dump_tid")); err != nil {
		t.Fatal(err)
	}
	lines := readIter(t, l)
	if len(lines) == 0 {
		t.Fatal("no output after Update")
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "tid ") {
			t.Fatalf("after Update: line %q is not the new program's", line)
		}
	}
	// A program of another type: the kernel refuses it, the link stays.
	if err := l.Update(obj.Program("second")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Update to a raw_tp program: %v, want EINVAL", err)
	}
	if len(readIter(t, l)) == 0 {
		t.Error("no output after the refused Update")
	}
}

// TestLinkUpdateFD swaps an iterator link's program at the fd level, once
// refused because the link's program is not the one named as the old one.
func TestLinkUpdateFD(t *testing.T) {
	obj := loadTracing(t)
	task, tid := obj.Program("dump_task"), obj.Program("dump_tid")
	l, err := task.AttachIter(libbpf.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = libbpf.LinkUpdate(l.FD(), tid.FD(), libbpf.LinkUpdateOptions{Flags: unix.BPF_F_REPLACE, OldProgFD: tid.FD()})
	if !errors.Is(err, unix.EPERM) {
		t.Errorf("LinkUpdate naming the wrong old program: %v, want EPERM", err)
	}
	if lines := readIter(t, l); len(lines) == 0 || strings.HasPrefix(lines[0], "tid ") {
		t.Fatalf("after the refused LinkUpdate: %q", lines[:min(3, len(lines))])
	}
	if err := libbpf.LinkUpdate(l.FD(), tid.FD(), libbpf.LinkUpdateOptions{Flags: unix.BPF_F_REPLACE, OldProgFD: task.FD()}); err != nil {
		t.Fatal(err)
	}
	if lines := readIter(t, l); len(lines) == 0 || !strings.HasPrefix(lines[0], "tid ") {
		t.Fatalf("after LinkUpdate: %q, want the new program's lines", lines[:min(3, len(lines))])
	}
	if err := libbpf.LinkUpdate(-1, tid.FD(), libbpf.LinkUpdateOptions{}); !errors.Is(err, unix.EBADF) {
		t.Errorf("LinkUpdate of fd -1: %v, want EBADF", err)
	}
}

// TestLinkUpdateRawTracepoint: the kernel has no update for raw tracepoint
// links; Update fails with its EINVAL and the old program keeps running.
func TestLinkUpdateRawTracepoint(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("first").AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	waitCount(t, obj, 7, 1, getppid)
	if err := l.Update(obj.Program("second")); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Update of a raw tracepoint link: %v, want EINVAL", err)
	}
	before := counter(t, obj, 7)
	waitCount(t, obj, 7, before+1, getppid)
	if got := counter(t, obj, 8); got != 0 {
		t.Errorf("refused Update, yet the new program ran %d times", got)
	}
}

func TestLinkUpdateInvalid(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("dump_task").AttachIter(libbpf.IterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Update(nil); !errors.Is(err, libbpf.ErrNotFound) {
		t.Errorf("Update(nil): %v", err)
	}
	if err := l.UpdateMap(obj.Map("counts")); !errors.Is(err, libbpf.ErrNotStructOps) || !errors.Is(err, unix.EINVAL) {
		t.Errorf("UpdateMap of an iterator link: %v, want ErrNotStructOps", err)
	}
	if _, err := obj.Map("counts").AttachStructOps(); !errors.Is(err, libbpf.ErrNotStructOps) {
		t.Errorf("AttachStructOps of an array: %v, want ErrNotStructOps", err)
	}
	unloaded := openTest(t, "tracing")
	if err := l.Update(unloaded.Program("dump_tid")); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("Update to an unloaded program: %v, want ErrNotLoaded", err)
	}
	group := libbpf.JoinLinks(l)
	if err := group.Update(obj.Program("dump_tid")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Update of a group: %v", err)
	}
	l.Close()
	if err := l.Update(obj.Program("dump_tid")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Update after Close: %v", err)
	}
}

// pinPath is a bpffs path no other test process uses.
func pinPath(t *testing.T, name string) string {
	path := fmt.Sprintf("/sys/fs/bpf/golibbpf_%s_%d", name, os.Getpid())
	t.Cleanup(func() { os.Remove(path) })
	return path
}

// TestOpenPinnedLink: a pinned link outlives its Link; OpenPinnedLink gets
// it back, and unpinning and destroying that one detaches the program.
func TestOpenPinnedLink(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("first").AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	path := pinPath(t, "link")
	if err := l.Pin(path); err != nil {
		t.Fatal(err)
	}
	if l.PinPath() != path {
		t.Errorf("PinPath() = %q, want %q", l.PinPath(), path)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	before := counter(t, obj, 7)
	waitCount(t, obj, 7, before+1, getppid) // the pin keeps it attached

	fds := testutil.OpenFDs(t)
	pinned, err := libbpf.OpenPinnedLink(path)
	if err != nil {
		t.Fatal(err)
	}
	if pinned.FD() < 0 || pinned.PinPath() != path {
		t.Errorf("opened link: fd %d, pin path %q", pinned.FD(), pinned.PinPath())
	}
	if err := pinned.Unpin(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pin after Unpin: %v", err)
	}
	if err := pinned.Close(); err != nil {
		t.Fatal(err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after destroying the opened link, %d before", got, fds)
	}
	checkStopped(t, obj, 7, "after its last link went")

	if _, err := libbpf.OpenPinnedLink(path); !errors.Is(err, unix.ENOENT) || !strings.Contains(err.Error(), path) {
		t.Errorf("OpenPinnedLink of a removed pin: %v, want ENOENT naming it", err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after a failed OpenPinnedLink, %d before", got, fds)
	}
}

// TestLinkDisconnect: a disconnected link stays attached after Close,
// until its fd is closed.
func TestLinkDisconnect(t *testing.T) {
	obj := loadTracing(t)
	l, err := obj.Program("first").AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	fd := l.FD()
	l.Disconnect()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	before := counter(t, obj, 7)
	waitCount(t, obj, 7, before+1, getppid)
	if err := unix.Close(fd); err != nil {
		t.Fatalf("the disconnected link's fd %d: %v", fd, err)
	}
	checkStopped(t, obj, 7, "after the fd was closed")
}

// checkStopped checks that the program of slot stops running on getppid:
// a burst of calls that it does not count, within a few seconds (a kernel
// may release a link's attachment after its last fd closes).
func checkStopped(t *testing.T, obj *libbpf.Object, slot uint32, when string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		before := counter(t, obj, slot)
		for range 100 {
			getppid()
		}
		ran := counter(t, obj, slot) - before
		if ran == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("program of slot %d still ran %d times in 100 calls %s", slot, ran, when)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
