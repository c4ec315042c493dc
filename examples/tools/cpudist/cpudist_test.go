package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/examples/tools/internal/hist"
	"github.com/golibbpf/libbpf/examples/tools/internal/tooltest"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestCpudistOffCPU traces this process's threads off their CPUs (-O,
// -L, -p) while one sleeps 50 times for 2ms: its histogram has at least
// 50 spans of 1024 microseconds or more, with the tp_btf program and with
// the raw_tp fallback.
func TestCpudistOffCPU(t *testing.T) {
	testutil.RequireKernel(t)
	tooltest.EachVariant(t, &registerVariants, checkOffCPU)
}

// checkOffCPU is TestCpudistOffCPU with the handlers registerVariants has.
func checkOffCPU(t *testing.T) {
	tool := tooltest.Start(t, run, "-O", "-L", "-p", fmt.Sprint(os.Getpid()))
	tool.WaitFor(t, 10*time.Second, "Tracing off-CPU time")
	const sleeps = 50
	tid := tooltest.SpinAndSleep(sleeps, 0, 2*time.Millisecond)
	out := tool.Stop(t)
	rows, ok := hist.ParseSection(out, fmt.Sprintf("tid = %d ", tid))
	var long uint64
	for _, r := range rows {
		if r.Low >= 1024 {
			long += r.Count
		}
	}
	if !ok || long < sleeps {
		t.Errorf("thread %d: %d off-CPU spans of 1024us or more, want %d or more:\n%s", tid, long, sleeps, out)
	}
}

// TestCpudistOnCPU traces on-CPU time (-P) while a thread of this process
// spins and sleeps 20 times: the process's histogram counts 20 spans or
// more.
func TestCpudistOnCPU(t *testing.T) {
	testutil.RequireKernel(t)
	pid := os.Getpid()
	tool := tooltest.Start(t, run, "-P", "-p", fmt.Sprint(pid))
	tool.WaitFor(t, 10*time.Second, "Tracing on-CPU time")
	const rounds = 20
	tooltest.SpinAndSleep(rounds, time.Millisecond, time.Millisecond)
	out := tool.Stop(t)
	rows, ok := hist.ParseSection(out, fmt.Sprintf("pid = %d ", pid))
	if n := hist.Total(rows); !ok || n < rounds {
		t.Errorf("process %d: %d on-CPU spans, want %d or more:\n%s", pid, n, rounds, out)
	}
}

// TestCpudistMapSizes checks that the maps are sized before Load: a start
// time per possible thread, and one histogram without -P or -L.
func TestCpudistMapSizes(t *testing.T) {
	testutil.RequireKernel(t)
	pidMax, err := readPidMax()
	if err != nil {
		t.Fatal(err)
	}
	regs, err := registerVariants()
	if err != nil {
		t.Fatal(err)
	}
	defer libbpf.UnregisterAll(regs)
	for _, tc := range []struct {
		o     hist.Options
		hists uint32
	}{{hist.Options{PID: -1}, 1}, {hist.Options{PID: -1, PerThread: true}, pidMax}} {
		skel, err := load(tc.o, false)
		if err != nil {
			t.Fatal(err)
		}
		info, err := skel.Maps.Hists.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.MaxEntries != tc.hists || skel.Maps.Since.MaxEntries() != pidMax {
			t.Errorf("%+v: hists of %d, since of %d; want %d and %d", tc.o, info.MaxEntries, skel.Maps.Since.MaxEntries(), tc.hists, pidMax)
		}
		skel.Close()
	}
}
