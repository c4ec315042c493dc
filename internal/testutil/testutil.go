// Package testutil holds the helpers the module's kernel tests share: the
// privilege and filesystem checks every test needs before it touches the
// kernel, and the location of the compiled BPF test objects.
package testutil

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// InCI reports whether the tests run in CI, where a kernel test that cannot
// run is a failure rather than a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test outside CI and fails it in CI.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("cannot run in CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

var mountOnce sync.Once
var mountErr error

// RequireKernel checks that the test can load BPF programs (root) and that
// tracefs and bpffs are mounted, mounting them when they are missing.
func RequireKernel(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "needs root to load BPF programs")
	}
	mountOnce.Do(func() { mountErr = mountKernelFilesystems() })
	if mountErr != nil {
		t.Fatalf("mounting kernel filesystems: %v", mountErr)
	}
}

func mountKernelFilesystems() error {
	fss := []struct {
		dir, fstype string
		magic       int64
	}{
		{"/sys/kernel/tracing", "tracefs", unix.TRACEFS_MAGIC},
		{"/sys/fs/bpf", "bpf", unix.BPF_FS_MAGIC},
	}
	for _, fs := range fss {
		var st unix.Statfs_t
		if err := unix.Statfs(fs.dir, &st); err == nil && st.Type == fs.magic {
			continue
		}
		if err := os.MkdirAll(fs.dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := unix.Mount(fs.fstype, fs.dir, fs.fstype, 0, ""); err != nil {
			return &os.PathError{Op: "mount " + fs.fstype, Path: fs.dir, Err: err}
		}
	}
	return nil
}

// RepoRoot returns the module's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Object returns the path of a compiled BPF test object (the Makefile builds
// every testdata/*.bpf.c next to its source), failing the test when it is
// missing. name is relative to the calling package's directory, e.g.
// "testdata/counter.bpf.o".
func Object(t testing.TB, name string) string {
	t.Helper()
	if _, err := os.Stat(name); err != nil {
		t.Fatalf("BPF test object %s is missing (run make): %v", name, err)
	}
	return name
}

// startNetpoll makes the Go runtime create its network poller (an epoll fd
// and an eventfd, kept for the life of the process), which it does at the
// first pollable file: otherwise that may come between two counts. go test
// does it early (its log file); a test binary run by hand does not.
var startNetpoll = sync.OnceFunc(func() {
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
})

// OpenFDs counts the file descriptors open in this process.
func OpenFDs(t testing.TB) int {
	t.Helper()
	startNetpoll()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents) - 1 // the directory's own fd
}

// UDPFrame builds an Ethernet frame (broadcast destination) holding an IPv4
// UDP datagram from 127.0.0.1:12345 to 127.0.0.1:dport carrying payload, for
// feeding network programs through test runs or veth injection.
func UDPFrame(dport uint16, payload []byte) []byte {
	f := make([]byte, 14+20+8+len(payload))
	copy(f[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(f[6:12], []byte{0x02, 0, 0, 0, 0, 0x01})
	binary.BigEndian.PutUint16(f[12:], unix.ETH_P_IP)
	ip := f[14:]
	ip[0] = 0x45 // version 4, 5 words
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8] = 64 // TTL
	ip[9] = unix.IPPROTO_UDP
	copy(ip[12:], []byte{127, 0, 0, 1})
	copy(ip[16:], []byte{127, 0, 0, 1})
	udp := ip[20:]
	binary.BigEndian.PutUint16(udp[0:], 12345)
	binary.BigEndian.PutUint16(udp[2:], dport)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	copy(udp[8:], payload)
	return f
}

// PinThread locks the calling goroutine to its thread and binds the thread
// to cpu. A locked goroutine that returns takes its thread, and the
// thread's affinity, with it.
func PinThread(cpu int) error {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("pinning to CPU %d: %w", cpu, err)
	}
	return nil
}
