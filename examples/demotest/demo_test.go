// Package demotest tests the README's demo: examples/demo.sh builds bpfrun,
// the bundled Go and C targets and demo.bpf.c, and runs bpfrun on them.
// This test runs the script as `make demo` does and checks that every
// program shows real activity and that nothing stays behind.
package demotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/internal/testutil"
)

type snapshot struct {
	Programs []struct {
		Name     string `json:"name"`
		Section  string `json:"section"`
		ID       uint32 `json:"id"`
		Attached bool   `json:"attached"`
		RunCount uint64 `json:"run_count"`
		Handler  struct {
			Kind string `json:"kind"`
		} `json:"handler"`
	} `json:"programs"`
	Maps []struct {
		Name    string `json:"name"`
		Entries []struct {
			Key   any `json:"key"`
			Value any `json:"value"`
		} `json:"entries"`
	} `json:"maps"`
	Globals     map[string]any `json:"globals"`
	RingBuffers []struct {
		Map        string `json:"map"`
		RecordType string `json:"record_type"`
		Records    uint64 `json:"records"`
		Last       []struct {
			Value map[string]any `json:"value"`
		} `json:"last"`
	} `json:"ring_buffers"`
}

func TestDemo(t *testing.T) {
	testutil.RequireKernel(t)
	root := testutil.RepoRoot()
	for _, f := range []string{"build/include/vmlinux.h", "libbpf/build/include/bpf/usdt.bpf.h"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Fatalf("%s is missing (run make): %v", f, err)
		}
	}
	if _, err := exec.LookPath("clang-19"); err != nil {
		testutil.SkipOrFail(t, "the demo needs clang-19: %v", err)
	}
	// A guard against a hang, not a wait for an event: the script first
	// builds bpfrun statically, which takes minutes on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "examples/demo.sh"))
	// The targets are built in the test's own folder: their probes are by
	// path, so another run of the demo cannot count this one's calls.
	cmd.Env = append(os.Environ(), "DEMO_DURATION=3s", "BPFRUN_FLAGS=--output json", "DEMO_OUT="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo.sh: %v\nstderr:\n%s", err, stderr.String())
	}
	var snap snapshot
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		t.Fatalf("demo output is not bpfrun's JSON: %v\n%s", err, stdout.String())
	}

	wantKind := map[string]string{
		"on_cpu_sample":  "custom",  // perf_event/cpu-clock:freq=...
		"on_work_entry":  "custom",  // uprobe.go/
		"on_work_return": "custom",  // uretprobe.go/
		"on_tick":        "builtin", // usdt/
		"on_nanosleep":   "builtin", // tracepoint/
	}
	for _, p := range snap.Programs {
		kind, ok := wantKind[p.Name]
		if !ok {
			t.Errorf("unexpected program %s", p.Name)
			continue
		}
		delete(wantKind, p.Name)
		if !p.Attached || p.RunCount == 0 || p.Handler.Kind != kind {
			t.Errorf("%s (SEC %q): attached %t, %d runs, %s handler; want attached, runs > 0, %s handler",
				p.Name, p.Section, p.Attached, p.RunCount, p.Handler.Kind, kind)
		}
	}
	for name := range wantKind {
		t.Errorf("program %s missing", name)
	}

	entries := map[string]int{}
	var sleepers []string
	for _, m := range snap.Maps {
		entries[m.Name] = len(m.Entries)
		if m.Name == "sleeps" {
			for _, e := range m.Entries {
				sleepers = append(sleepers, fmt.Sprint(e.Key))
			}
		}
	}
	if entries["cpu_samples"] != 1 || entries["go_calls"] != 1 {
		t.Errorf("map elements %v: want cpu_samples and go_calls filled", entries)
	}
	// demo.sh sets target_tgid to ctarget's pid: only it is counted.
	if len(sleepers) != 1 || sleepers[0] != "ctarget" {
		t.Errorf("sleeps keys %q, want only ctarget", sleepers)
	}
	if n, _ := snap.Globals["usdt_ticks"].(float64); n == 0 {
		t.Errorf("globals.usdt_ticks = %v, want > 0", snap.Globals["usdt_ticks"])
	}
	if f := fmt.Sprint(snap.Globals["last_fruit"]); !strings.Contains("apple banana cherry damson", f) || f == "" {
		t.Errorf("globals.last_fruit = %q, want a fruit the USDT probe passed", f)
	}
	if len(snap.RingBuffers) != 1 || snap.RingBuffers[0].RecordType != "struct event" || snap.RingBuffers[0].Records == 0 {
		t.Fatalf("ring buffers %+v: want records of struct event", snap.RingBuffers)
	}
	for _, r := range snap.RingBuffers[0].Last {
		// work(i) returns 32+...+k for k in 32..63: at least 528.
		if r.Value["comm"] != "gotarget" || r.Value["result"].(float64) < 528 {
			t.Errorf("ring buffer record %v: want gotarget's work() results", r.Value)
		}
	}

	// Nothing stays running or loaded.
	m := regexp.MustCompile(`gotarget \(pid (\d+)\) and ctarget \(pid (\d+)\)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("demo.sh did not report the targets' pids:\n%s", stderr.String())
	}
	for _, pid := range m[1:] {
		n, _ := strconv.Atoi(pid)
		if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", n)); err == nil && bytes.Contains(cmdline, []byte("target")) {
			t.Errorf("target %d still runs after the demo", n)
		}
	}
	for _, p := range snap.Programs {
		if p.ID == 0 {
			continue
		}
		var err error
		for range 40 {
			if err = exec.Command("bpftool", "prog", "show", "id", fmt.Sprint(p.ID)).Run(); err != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err == nil {
			t.Errorf("program %s (id %d) still loaded after the demo", p.Name, p.ID)
		}
	}
}
