package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/examples/tools/internal/tooltest"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestExecsnoop runs execsnoop with -x and -T, execs /bin/true with known
// arguments and a missing binary, and finds both lines: the PID, the PPID
// (this process), the return value (0, and -2 for ENOENT) and the
// arguments.
func TestExecsnoop(t *testing.T) {
	testutil.RequireKernel(t)
	tool := tooltest.Start(t, run, "-x", "-T")
	tool.WaitFor(t, 10*time.Second, "PCOMM")

	marker := fmt.Sprintf("execsnoop-test-%d", os.Getpid())
	cmd := exec.Command("/bin/true", marker, "second arg")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	missing := "/nonexistent/" + marker
	if err := exec.Command(missing, "x").Run(); err == nil {
		t.Fatalf("%s ran", missing)
	}
	out := tool.WaitFor(t, 10*time.Second, "/bin/true "+marker+" second arg", missing+" x")

	ok := tooltest.Lines(out, "/bin/true "+marker)
	f := strings.Fields(ok[0])
	// TIME PCOMM PID PPID RET ARGS...
	if len(f) < 6 || f[1] != "true" || f[2] != fmt.Sprint(cmd.Process.Pid) || f[3] != fmt.Sprint(os.Getpid()) || f[4] != "0" {
		t.Errorf("line %q: want TIME true %d %d 0 ARGS", ok[0], cmd.Process.Pid, os.Getpid())
	}
	if _, err := time.Parse("15:04:05", f[0]); err != nil {
		t.Errorf("line %q: -T column: %v", ok[0], err)
	}
	failed := tooltest.Lines(out, missing)
	if f := strings.Fields(failed[0]); len(f) < 5 || f[4] != "-2" {
		t.Errorf("line %q: want RET -2 (ENOENT)", failed[0])
	}
}

// TestExecsnoopFilters checks -u (the kernel side drops other users'
// execs), -q and -max-args, and that failed execs are left out without -x.
func TestExecsnoopFilters(t *testing.T) {
	testutil.RequireKernel(t)
	const uid = 54321
	tool := tooltest.Start(t, run, "-u", fmt.Sprint(uid), "-q", "-max-args", "3", "-U")
	tool.WaitFor(t, 10*time.Second, "PCOMM")

	marker := fmt.Sprintf("execsnoop-filter-%d", os.Getpid())
	asRoot := exec.Command("/bin/true", marker, "root")
	if err := asRoot.Run(); err != nil {
		t.Fatal(err)
	}
	failed := exec.Command("/nonexistent/"+marker, "failed")
	failed.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	if err := failed.Run(); err == nil {
		t.Fatal("the missing binary ran")
	}
	asUser := exec.Command("/bin/true", marker, "user", "a", "b", "c")
	asUser.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	if err := asUser.Run(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`"/bin/true" "%s" "user" ...`, marker)
	out := tool.WaitFor(t, 10*time.Second, want)
	if !strings.HasPrefix(tooltest.Lines(out, want)[0], fmt.Sprint(uid)) {
		t.Errorf("no UID column in %q", tooltest.Lines(out, want)[0])
	}
	out = tool.Stop(t)
	if l := tooltest.Lines(out, `"root"`); len(l) > 0 {
		t.Errorf("-u %d printed root's exec: %q", uid, l)
	}
	if l := tooltest.Lines(out, `"failed"`); len(l) > 0 {
		t.Errorf("a failed exec printed without -x: %q", l)
	}
}
