package testutil

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
)

// QuietLibbpf sends libbpf's log to stderr at error level only, for a
// TestMain: the warnings about failures the tests provoke on purpose would
// bury the output, and the errors carry what matters. LIBBPF_DEBUG=1 shows
// libbpf's whole log.
func QuietLibbpf() {
	level := slog.LevelError
	if os.Getenv("LIBBPF_DEBUG") != "" {
		level = slog.LevelDebug
	}
	libbpf.SetLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}

// CaptureLog sends the module's log at level and above to the returned
// buffer until t ends, for a test of what a handler logs.
func CaptureLog(t testing.TB, level slog.Level) *bytes.Buffer {
	var buf bytes.Buffer
	old := libbpf.Logger()
	libbpf.SetLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
	t.Cleanup(func() { libbpf.SetLogger(old) })
	return &buf
}

// OpenCPUClock opens a software cpu-clock perf event on thread tid (0: the
// calling thread) that samples once every period nanoseconds of its CPU
// time. It is opened disabled, and attaching a program enables it (libbpf
// does after attaching), so that it never fires while its program is being
// set: Debian's 5.10 kernel on arm64 crashes then, its overflow handler
// running the program before the ioctl has stored it (a NULL event->prog
// in bpf_overflow_handler).
func OpenCPUClock(tid int, period uint64) (int, error) {
	attr := unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_SOFTWARE,
		Size:   uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Config: unix.PERF_COUNT_SW_CPU_CLOCK,
		Sample: period,
		Bits:   unix.PerfBitDisabled,
	}
	fd, err := unix.PerfEventOpen(&attr, tid, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("perf_event_open cpu-clock: %w", err)
	}
	return fd, nil
}

// AttachCPUClock attaches prog to a new OpenCPUClock event; the link owns
// the event's fd.
func AttachCPUClock(prog *libbpf.Program, tid int, period uint64) (*libbpf.Link, error) {
	fd, err := OpenCPUClock(tid, period)
	if err != nil {
		return nil, err
	}
	link, err := prog.AttachPerfEvent(fd)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return link, nil
}

// progTypeFeatures are the program types that not every kernel of the matrix
// has, with the feature that brings each.
var progTypeFeatures = map[libbpf.ProgType]Feature{
	libbpf.ProgTypeSyscall: FeatureSyscallProg,
}

// LeaveOutMissing turns autoload off for the programs of obj, just opened,
// whose program type the kernel table says the running kernel lacks (syscall
// programs before 5.14), so that the rest of the object loads there; a test
// of those programs requires the feature itself. It logs what it leaves out.
func LeaveOutMissing(t testing.TB, obj *libbpf.Object) {
	t.Helper()
	for _, p := range obj.Programs() {
		f, ok := progTypeFeatures[p.Type()]
		if !ok || !p.Autoload() {
			continue
		}
		if why, lacks := KernelLacks(f); lacks {
			if err := p.SetAutoload(false); err != nil {
				t.Fatalf("leave %s out of the load: %v", p.Name(), err)
			}
			t.Logf("program %s left out of the load: %s", p.Name(), why)
		}
	}
}
