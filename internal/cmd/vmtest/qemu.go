package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// bootOptions is the kernel command line: the console on the board's first
// UART, a reboot (which ends QEMU) on panic, the BPF LSM enabled, the CPU's
// random numbers trusted so that early getrandom does not block, and the
// delay loop's calibration given (lpj): under TCG, 5.10 calibrates the
// second vCPU's loop for about four minutes before it gives up.
func bootOptions(arch *guestArch) string {
	return "console=" + arch.console + " panic=-1 oops=panic lsm=capability,bpf random.trust_cpu=on mitigations=off loglevel=4 lpj=4000000"
}

// qemuExtra are arguments added to every QEMU command line (-qemu).
var qemuExtra string

// qemuCommand boots vmlinuz with initrd on arch's QEMU (accelerated as
// arch.accel says), the console and the two channels going to their files.
func qemuCommand(ctx context.Context, arch *guestArch, vmlinuz, initrd, console, results, status string) *exec.Cmd {
	args := append(arch.accel(),
		"-smp", "2", "-m", "2G",
		"-nodefaults", "-display", "none", "-no-reboot",
		"-kernel", vmlinuz, "-initrd", initrd, "-append", bootOptions(arch),
		"-serial", "file:"+console,
	)
	args = append(args, arch.channels(results, status)...)
	args = append(args, strings.Fields(qemuExtra)...)
	return exec.CommandContext(ctx, arch.qemu, args...)
}

// testResult is one test's outcome in a guest.
type testResult struct {
	pkg, name, outcome string // outcome: PASS, FAIL, SKIP
}

// packageRun is one test binary's run in a guest.
type packageRun struct {
	pkg     string
	exit    int
	seconds int
	ended   bool
}

// guestRun is what one guest reported.
type guestRun struct {
	kernel, arch, release, lsm string
	status                     int // from the status channel: 0 passed, 1 failed, -1 none
	packages                   []packageRun
	tests                      []testResult
	warnings                   []string
	elapsed                    time.Duration
}

var resultLine = regexp.MustCompile(`^(\s*)--- (PASS|FAIL|SKIP): (\S+) `)

// bootGuest runs one kernel and reads its results.
func bootGuest(arch *guestArch, k kernel, vmlinuz, initrd, dir string, timeout time.Duration) (*guestRun, error) {
	console, results, status := filepath.Join(dir, "console.log"), filepath.Join(dir, "results.log"), filepath.Join(dir, "status")
	for _, f := range []string{console, results, status} {
		os.Remove(f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := qemuCommand(ctx, arch, vmlinuz, initrd, console, results, status)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	err := cmd.Run()
	run := &guestRun{kernel: k.name, arch: arch.goarch, status: -1, elapsed: time.Since(start)}
	switch {
	case ctx.Err() != nil:
		return run, fmt.Errorf("kernel %s: no result within %v (console: %s)", k.name, timeout, console)
	case err != nil:
		return run, fmt.Errorf("%s for kernel %s: %w", arch.qemu, k.name, err)
	}
	if err := parseStatus(run, status); err != nil {
		return run, err
	}
	if err := parseResults(run, results); err != nil {
		return run, err
	}
	if run.status < 0 {
		return run, fmt.Errorf("kernel %s: the guest stopped without reporting a status (console: %s)", k.name, console)
	}
	return run, nil
}

// parseStatus reads the status channel: "exit <package> <status>" per test
// binary, then "status <guest status>".
func parseStatus(run *guestRun, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "exit":
			rc, _ := strconv.Atoi(f[2])
			run.packages = append(run.packages, packageRun{pkg: f[1], exit: rc, ended: true})
		case len(f) == 2 && f[0] == "status":
			run.status, _ = strconv.Atoi(f[1])
		}
	}
	return nil
}

func parseResults(run *guestRun, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	pkg := ""
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 1 && fields[0] == "VMTEST-KERNEL":
			run.release = strings.Join(fields[1:], " ")
		case len(fields) >= 1 && fields[0] == "VMTEST-LSM":
			run.lsm = strings.Join(fields[1:], " ")
		case len(fields) >= 1 && fields[0] == "VMTEST-WARN":
			run.warnings = append(run.warnings, strings.Join(fields[1:], " "))
		case len(fields) == 2 && fields[0] == "VMTEST-BEGIN":
			pkg = fields[1]
		case len(fields) == 4 && fields[0] == "VMTEST-END":
			for i := range run.packages {
				if run.packages[i].pkg == fields[1] {
					run.packages[i].seconds, _ = strconv.Atoi(fields[3])
				}
			}
		default:
			if m := resultLine.FindStringSubmatch(line); m != nil {
				run.tests = append(run.tests, testResult{pkg: pkg, name: m[3], outcome: m[2]})
			}
		}
	}
	return sc.Err()
}
