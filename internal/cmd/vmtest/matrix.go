package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
)

// kernel is one kernel of the matrix: its name (make vmtest KERNELS=...),
// the Debian suite its packages come from and the packages.
type kernel struct {
	name, suite string
	packages    []string
}

// testBinary is one package whose test binary runs in the guests, and the
// tests left to the host run.
type testBinary struct {
	pkg, skip string
}

// matrix is the parsed vmtest/matrix file, for one architecture.
type matrix struct {
	kernels        []kernel
	busyboxSuite   string
	busyboxPackage string
	modules        []string
	tools          []string
	tests          []testBinary
	sysroot        []string // -dev packages a cross build compiles and links against
	vmlinux        string   // the kernel whose BTF a cross build's BPF objects see
}

// readMatrix reads the matrix for the guests of Debian architecture arch,
// which stands in for {arch} in package names.
func readMatrix(path, arch string) (*matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := &matrix{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		bad := func(usage string) error {
			return fmt.Errorf("%s:%d: want %q, got %q", path, n, usage, strings.TrimSpace(line))
		}
		switch dir, args := fields[0], fields[1:]; dir {
		case "kernel":
			if len(args) < 3 {
				return nil, bad("kernel <name> <suite> <package>...")
			}
			if slices.ContainsFunc(m.kernels, func(k kernel) bool { return k.name == args[0] }) {
				return nil, fmt.Errorf("%s:%d: kernel %s listed twice", path, n, args[0])
			}
			var pkgs []string
			for _, p := range args[2:] {
				pkgs = append(pkgs, strings.ReplaceAll(p, "{arch}", arch))
			}
			m.kernels = append(m.kernels, kernel{name: args[0], suite: args[1], packages: pkgs})
		case "busybox":
			if len(args) != 2 {
				return nil, bad("busybox <suite> <package>")
			}
			m.busyboxSuite, m.busyboxPackage = args[0], args[1]
		case "sysroot":
			m.sysroot = append(m.sysroot, args...)
		case "vmlinux":
			if len(args) != 1 {
				return nil, bad("vmlinux <kernel>")
			}
			m.vmlinux = args[0]
		case "module":
			m.modules = append(m.modules, args...)
		case "tool":
			m.tools = append(m.tools, args...)
		case "test":
			if len(args) < 1 || len(args) > 2 {
				return nil, bad("test <package> [<skip regexp>]")
			}
			tb := testBinary{pkg: args[0]}
			if len(args) == 2 {
				tb.skip = args[1]
			}
			m.tests = append(m.tests, tb)
		default:
			return nil, fmt.Errorf("%s:%d: unknown directive %q", path, n, dir)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(m.kernels) == 0 || m.busyboxPackage == "" || len(m.tests) == 0 {
		return nil, fmt.Errorf("%s: needs kernel, busybox and test lines", path)
	}
	if m.vmlinux != "" && !slices.ContainsFunc(m.kernels, func(k kernel) bool { return k.name == m.vmlinux }) {
		return nil, fmt.Errorf("%s: vmlinux names kernel %s, which has no kernel line", path, m.vmlinux)
	}
	return m, nil
}

// selectKernels returns the kernels named in names (all when empty).
func (m *matrix) selectKernels(names []string) ([]kernel, error) {
	if len(names) == 0 {
		return m.kernels, nil
	}
	var out []kernel
	for _, name := range names {
		i := slices.IndexFunc(m.kernels, func(k kernel) bool { return k.name == name })
		if i < 0 {
			var known []string
			for _, k := range m.kernels {
				known = append(known, k.name)
			}
			return nil, fmt.Errorf("no kernel %q in the matrix (it has %s)", name, strings.Join(known, " "))
		}
		out = append(out, m.kernels[i])
	}
	return out, nil
}

// suites are the Debian suites the matrix fetches from, in order.
func (m *matrix) suites(ks []kernel) []string {
	out := []string{m.busyboxSuite}
	for _, k := range ks {
		if !slices.Contains(out, k.suite) {
			out = append(out, k.suite)
		}
	}
	return out
}
