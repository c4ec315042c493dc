// Package chandlers holds C section handlers equivalent to the Go handlers
// the benchmarks register, registered with libbpf_register_prog_handler in
// the same process, and a pure C open/load/attach/close driver. It exists
// so that benchmarks and tests can compare Go handlers with C ones; it is
// not part of the module's API.
//
// Every handler it registers is for perf_event programs: an empty setup
// callback, optionally an empty prepare-load callback, and optionally an
// attach callback that opens a software cpu-clock perf event on the calling
// thread (or the thread SetTarget names; sample period 2^62, so it never
// fires) and attaches the program to it with bpf_program__attach_perf_event:
// the same work as the Go handlers in bench/.
package chandlers

/*
#cgo CFLAGS: -O2 -Wall
#include <stdlib.h>
#include "chandlers.h"
*/
import "C"

import (
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	// The root package links the static libbpf the handlers register with.
	_ "github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// What Register installs besides the empty setup callback.
const (
	WithPrepareLoad = C.CH_PREPARE
	WithAttach      = C.CH_ATTACH
	WithDecline     = C.CH_DECLINE // an attach callback that declines every program
	// WithCrossing makes every callback first call a Go function that only
	// counts the call: the C→Go round trip of a Go handler without the
	// module's dispatch.
	WithCrossing = C.CH_CROSS
)

var crossings atomic.Int64

//export chCountCrossing
func chCountCrossing() { crossings.Add(1) }

// Crossings returns how many times callbacks registered WithCrossing have
// called into Go.
func Crossings() int64 { return crossings.Load() }

// Handler is a registered C handler.
type Handler struct{ id C.int }

// Register registers a C handler for sec (libbpf's matching: "abc", "abc/",
// "abc+") that gives matching programs the perf_event type. flags adds
// WithPrepareLoad and WithAttach.
//
// It bypasses the Go module's handler table, so the caller must not
// register or unregister C handlers while objects that matched custom
// handlers are open, the same rule the module enforces for Go handlers.
func Register(sec string, flags int) (*Handler, error) {
	csec := C.CString(sec)
	defer C.free(unsafe.Pointer(csec))
	id := C.ch_register(csec, C.int(flags))
	if id < 0 {
		return nil, fmt.Errorf("chandlers: register %q: %w", sec, unix.Errno(-id))
	}
	return &Handler{id: id}, nil
}

// Unregister removes the handler.
func (h *Handler) Unregister() error {
	if ret := C.ch_unregister(h.id); ret < 0 {
		return fmt.Errorf("chandlers: unregister %d: %w", h.id, unix.Errno(-ret))
	}
	return nil
}

// SetTarget chooses the thread (tid) whose cpu-clock events the C attach
// callback and Cycle open; 0, the default, is the calling thread.
func SetTarget(tid int) { C.ch_set_target(C.int(tid)) }

// OpenCPUClock opens the perf event the C attach callback opens: software
// cpu-clock on the SetTarget thread with a sample period of 2^62.
func OpenCPUClock() (int, error) {
	fd := C.ch_open_cpu_clock()
	if fd < 0 {
		return -1, fmt.Errorf("chandlers: perf_event_open: %w", unix.Errno(-fd))
	}
	return int(fd), nil
}

// Times are the phases of one Cycle.
type Times struct {
	Open, Load, Attach, Close time.Duration
}

// How Cycle attaches the programs.
const (
	CycleNoAttach   = 0
	CycleAutoAttach = C.CH_CYCLE_AUTOATTACH // bpf_program__attach each autoattach program
	CyclePerfEvent  = C.CH_CYCLE_PERF       // each program to its own cpu-clock event
)

// Cycle opens the object in data with bpf_object__open_mem, loads it,
// attaches its programs as mode says, destroys the links and closes it,
// all in C, and returns the time each phase took.
func Cycle(data []byte, mode int) (Times, error) {
	if len(data) == 0 {
		return Times{}, fmt.Errorf("chandlers: cycle: no data: %w", unix.EINVAL)
	}
	var t C.struct_ch_times
	ret := C.ch_cycle(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(mode), &t)
	times := Times{
		Open:   time.Duration(t.open),
		Load:   time.Duration(t.load),
		Attach: time.Duration(t.attach),
		Close:  time.Duration(t.close),
	}
	if ret < 0 {
		return times, fmt.Errorf("chandlers: cycle: %w", unix.Errno(-ret))
	}
	return times, nil
}

// ProgLoadTiming is what TimeProgLoad measured.
type ProgLoadTiming struct {
	Syscall      time.Duration // mean BPF_PROG_LOAD syscall time
	Verification time.Duration // mean verification time the verifier reports
	Insns        int
}

// TimeProgLoad loads the first program of the object in data (after libbpf
// relocated it) n times with a bare BPF_PROG_LOAD and n times more with
// the verifier's statistics log, and reports the means.
func TimeProgLoad(data []byte, n int) (ProgLoadTiming, error) {
	if len(data) == 0 || n <= 0 {
		return ProgLoadTiming{}, fmt.Errorf("chandlers: time prog load: %w", unix.EINVAL)
	}
	var sys, ver C.int64_t
	var insns C.int
	if ret := C.ch_time_prog_load(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int(n), &sys, &ver, &insns); ret < 0 {
		return ProgLoadTiming{}, fmt.Errorf("chandlers: time prog load: %w", unix.Errno(-ret))
	}
	return ProgLoadTiming{Syscall: time.Duration(sys), Verification: time.Duration(ver), Insns: int(insns)}, nil
}

// TimeVmlinuxBTF times one btf__load_vmlinux_btf, libbpf's parse of the
// running kernel's BTF, which bpf_object__load does for a CO-RE object.
func TimeVmlinuxBTF() (time.Duration, error) {
	t := C.ch_time_vmlinux_btf()
	if t < 0 {
		return 0, fmt.Errorf("chandlers: load vmlinux BTF: %w", unix.Errno(-t))
	}
	return time.Duration(t), nil
}
