// Command vmtest runs the module's tests on the kernels of the VM matrix
// (vmtest/matrix) under QEMU: it fetches each Debian kernel package by name
// through a private apt configuration (internal/debianapt), builds an
// initramfs with busybox, the statically linked test binaries and their
// testdata, boots each kernel with the BPF LSM enabled, runs the tests with
// CI=true inside and reports per kernel and per test. The test output and
// the exit statuses leave the guest on two channels of their own (serial
// ports on amd64, virtio-serial ports on arm64). Guests of another
// architecture than the host's (-arch arm64 on an amd64 host) run under
// TCG, with the module, libbpf, the BPF objects and the test programs
// cross-built for them (cross.go). make vmtest runs it from the module's
// root:
//
//	go run ./internal/cmd/vmtest [-arch arm64] [-kernels "5.10 sid"]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	matrixPath := flag.String("matrix", "vmtest/matrix", "the matrix `file`")
	kernels := flag.String("kernels", "", "the kernels to run, by name (default: all of the matrix)")
	archName := flag.String("arch", "", "the guests' `architecture`, amd64 or arm64 (default: the host's)")
	out := flag.String("out", "build/vmtest", "keep the packages, initramfs images and logs in `dir` (another architecture than the host's in dir/<arch>)")
	timeout := flag.Duration("timeout", 15*time.Minute, "give each guest this long")
	runTests := flag.String("run", "", "run only the tests matching `regexp` (go test -run) in the guests")
	jobs := flag.Int("jobs", runtime.NumCPU(), "boot up to `n` guests at a time")
	flag.StringVar(&qemuExtra, "qemu", "", "extra `arguments` for the QEMU command, space-separated")
	flag.Parse()
	arch, err := archNamed(*archName)
	if err == nil {
		err = run(*matrixPath, arch, strings.Fields(*kernels), *out, *timeout, *runTests, *jobs)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vmtest: %v\n", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vmtest: "+format+"\n", args...)
}

func run(matrixPath string, arch *guestArch, names []string, out string, timeout time.Duration, runTests string, jobs int) error {
	start := time.Now()
	m, err := readMatrix(matrixPath, arch.goarch)
	if err != nil {
		return err
	}
	ks, err := m.selectKernels(names)
	if err != nil {
		return err
	}
	moduleRoot, err := os.Getwd()
	if err != nil {
		return err
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	if arch.cross() {
		out = filepath.Join(out, arch.goarch)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	busybox := fetched{root: filepath.Join(out, "busybox"), stamp: filepath.Join(out, "busybox.stamp"),
		suite: m.busyboxSuite, packages: []string{m.busyboxPackage}}
	want := []fetched{busybox}
	for _, k := range ks {
		want = append(want, kernelPackages(out, k))
	}
	suites := m.suites(ks)
	var x *crossBuild
	if arch.cross() {
		if x, err = newCrossBuild(moduleRoot, out, arch, m); err != nil {
			return err
		}
		want = append(want, x.fetches()...)
		for _, s := range x.suites() {
			if !slices.Contains(suites, s) {
				suites = append(suites, s)
			}
		}
	}
	if err := fetchAll(want, suites, arch.goarch); err != nil {
		return err
	}

	// The checkout's own build serves the host's architecture; another
	// one gets its libbpf, BPF objects and targets built apart.
	g := &guestFiles{moduleRoot: moduleRoot, busybox: filepath.Join(busybox.root, "bin/busybox"), run: runTests, root: "/"}
	var buildEnv []string
	if x != nil {
		if buildEnv, err = x.prepare(m.tests); err != nil {
			return err
		}
		g.overlay, g.root = x.tree(), x.sysroot()
	}
	tests, err := buildTests(moduleRoot, filepath.Join(out, "tests"), m.tests, buildEnv)
	if err != nil {
		return err
	}
	g.tests = tests
	targets := filepath.Join(out, "goprobe-targets")
	if err := os.RemoveAll(targets); err != nil {
		return err
	}
	env, err := prebuildGoprobeTargets(moduleRoot, out, tests, targets, arch)
	if err != nil {
		return err
	}
	if env != "" {
		g.env = append(g.env, env)
		g.extraDirs = append(g.extraDirs, targets)
	}
	if err := g.collect(m.tools); err != nil {
		return err
	}

	// Each guest gets its own host CPU (single-threaded TCG uses one), so
	// the kernels run side by side, jobs at a time.
	results := make([]*guestRun, len(ks))
	errs := make([]error, len(ks))
	slots := make(chan struct{}, max(1, jobs))
	var wg sync.WaitGroup
	for i, k := range ks {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i], errs[i] = runKernel(out, arch, k, g, m.modules, timeout)
		})
	}
	wg.Wait()
	var runs []*guestRun
	var failed []string
	for i, k := range ks {
		if results[i] != nil {
			runs = append(runs, results[i])
		}
		if errs[i] != nil {
			logf("%v", errs[i])
			failed = append(failed, k.name)
		} else if results[i].status != 0 {
			failed = append(failed, k.name)
		}
	}
	report(os.Stdout, runs)
	fmt.Printf("== %d kernels, %d at a time, in %v with fetching and building\n", len(ks), max(1, jobs), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("failed on kernel %s (logs in %s/<kernel>/)", strings.Join(failed, ", "), out)
	}
	return nil
}

func kernelPackages(out string, k kernel) fetched {
	return fetched{root: filepath.Join(out, "kernels", k.name), stamp: filepath.Join(out, "kernels", k.name+".stamp"),
		suite: k.suite, packages: k.packages}
}

// runKernel writes a kernel's initramfs and boots it.
func runKernel(out string, arch *guestArch, k kernel, g *guestFiles, modules []string, timeout time.Duration) (*guestRun, error) {
	dir := filepath.Join(out, k.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root := kernelPackages(out, k).root
	image, err := vmlinuz(root)
	if err != nil {
		return nil, err
	}
	mods, absent, err := resolveModules(root, append(slices.Clone(arch.channelModules), modules...))
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", k.name, err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.name)
	}
	logf("kernel %s: modules %s; built in or absent: %s", k.name, strings.Join(names, " "), strings.Join(absent, " "))
	initrd := filepath.Join(dir, "initramfs.cpio")
	if err := writeInitramfs(initrd, arch, g, mods); err != nil {
		return nil, fmt.Errorf("kernel %s: writing %s: %w", k.name, initrd, err)
	}
	logf("kernel %s: booting %s", k.name, image)
	r, err := bootGuest(arch, k, image, initrd, dir, timeout)
	if r != nil {
		for _, gt := range g.tests {
			if !slices.ContainsFunc(r.packages, func(p packageRun) bool { return p.pkg == gt.pkg }) {
				r.packages = append(r.packages, packageRun{pkg: gt.pkg, exit: -1})
			}
		}
		logf("kernel %s: %s in %v", k.name, r.summary(), r.elapsed.Round(time.Second))
	}
	return r, err
}

func (r *guestRun) summary() string {
	n := map[string]int{}
	for _, t := range r.tests {
		n[t.outcome]++
	}
	state := "passed"
	if r.status != 0 {
		state = "FAILED"
	}
	return fmt.Sprintf("%s (%s): %d passed, %d failed, %d skipped (tests and subtests)", state, r.release, n["PASS"], n["FAIL"], n["SKIP"])
}

// report prints per kernel: the time, each package's exit and counts, and
// the tests that failed or skipped.
func report(w *os.File, runs []*guestRun) {
	for _, r := range runs {
		fmt.Fprintf(w, "== kernel %s (%s): %s, %v\n", r.kernel, r.arch, r.summary(), r.elapsed.Round(time.Second))
		if r.lsm != "" {
			fmt.Fprintf(w, "   LSMs: %s\n", r.lsm)
		}
		for _, wr := range r.warnings {
			fmt.Fprintf(w, "   warning: %s\n", wr)
		}
		for _, p := range r.packages {
			n := map[string]int{}
			for _, t := range r.tests {
				if t.pkg == p.pkg {
					n[t.outcome]++
				}
			}
			state := fmt.Sprintf("exit %d", p.exit)
			if !p.ended {
				state = "did not end"
			}
			fmt.Fprintf(w, "   %-24s %-11s %4ds  %d passed, %d failed, %d skipped\n", p.pkg, state, p.seconds, n["PASS"], n["FAIL"], n["SKIP"])
		}
		for _, outcome := range []string{"FAIL", "SKIP"} {
			var names []string
			for _, t := range r.tests {
				if t.outcome == outcome {
					names = append(names, t.pkg+" "+t.name)
				}
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(w, "   %s %s\n", outcome, n)
			}
		}
	}
}
