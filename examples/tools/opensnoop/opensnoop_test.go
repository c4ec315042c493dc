package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/examples/tools/internal/tooltest"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestOpensnoop runs opensnoop on this process (-p) with -e and -T,
// opens an existing file and a missing one, and finds both: the file
// descriptor the open returned, and FD -1 with ERR 2 (ENOENT).
func TestOpensnoop(t *testing.T) {
	testutil.RequireKernel(t)
	tool := tooltest.Start(t, run, "-p", fmt.Sprint(os.Getpid()), "-e", "-T")
	tool.WaitFor(t, 10*time.Second, "PATH")

	existing := filepath.Join(t.TempDir(), "opensnoop-exists")
	f, err := os.Create(existing)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	missing := fmt.Sprintf("/nonexistent/opensnoop-%d", os.Getpid())
	if _, err := os.Open(missing); err == nil {
		t.Fatalf("%s opened", missing)
	}
	out := tool.WaitFor(t, 10*time.Second, existing, missing)

	// TIME PID COMM FD ERR FLAGS MODE PATH
	created := strings.Fields(tooltest.Lines(out, existing)[0])
	pid, fd := fmt.Sprint(os.Getpid()), fmt.Sprint(f.Fd())
	if len(created) != 8 || created[1] != pid || created[3] != fd || created[4] != "0" || created[6] != "0666" || created[7] != existing {
		t.Errorf("line %q: want TIME %s COMM %s 0 FLAGS 0666 %s", tooltest.Lines(out, existing)[0], pid, fd, existing)
	}
	failed := strings.Fields(tooltest.Lines(out, missing)[0])
	if len(failed) != 8 || failed[3] != "-1" || failed[4] != "2" || failed[6] != "n/a" {
		t.Errorf("line %q: want FD -1, ERR 2 and MODE n/a", tooltest.Lines(out, missing)[0])
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if f := strings.Fields(l); len(f) < 2 || f[1] != fmt.Sprint(os.Getpid()) {
			t.Errorf("-p %d printed another process's open: %q", os.Getpid(), l)
		}
	}
}

// TestOpensnoopFailedByName checks -x (failed opens only, dropped in the
// kernel) and -n (the command name, matched in user space) on opens by
// cat children.
func TestOpensnoopFailedByName(t *testing.T) {
	testutil.RequireKernel(t)
	tool := tooltest.Start(t, run, "-x", "-n", "cat")
	tool.WaitFor(t, 10*time.Second, "PATH")

	existing := filepath.Join(t.TempDir(), "opensnoop-exists")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := fmt.Sprintf("/nonexistent/opensnoop-x-%d", os.Getpid())
	if err := exec.Command("cat", existing).Run(); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("cat", missing).Run(); err == nil {
		t.Fatalf("cat %s succeeded", missing)
	}
	if _, err := os.Open(missing + "-not-cat"); err == nil {
		t.Fatal("opened a missing file")
	}
	out := tool.WaitFor(t, 10*time.Second, missing)
	if f := strings.Fields(tooltest.Lines(out, missing)[0]); len(f) != 5 || f[1] != "cat" || f[3] != "2" {
		t.Errorf("line %q: want PID cat -1 2 PATH", tooltest.Lines(out, missing)[0])
	}
	out = tool.Stop(t)
	if l := tooltest.Lines(out, existing); len(l) > 0 {
		t.Errorf("-x printed a successful open: %q", l)
	}
	if l := tooltest.Lines(out, "-not-cat"); len(l) > 0 {
		t.Errorf("-n cat printed another command's open: %q", l)
	}
}

// TestOpensnoopDuration checks that -d ends the tool by itself.
func TestOpensnoopDuration(t *testing.T) {
	testutil.RequireKernel(t)
	start := time.Now()
	var stdout, stderr strings.Builder
	if err := run(t.Context(), []string{"-d", "300ms"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 10*time.Second {
		t.Errorf("-d 300ms ran for %v", d)
	}
	if !strings.HasPrefix(stdout.String(), "PID") {
		t.Errorf("no header: %q", stdout.String())
	}
	if err := run(t.Context(), []string{"-p", "-5"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "invalid -p") {
		t.Errorf("-p -5: %v, want an invalid -p error", err)
	}
}
