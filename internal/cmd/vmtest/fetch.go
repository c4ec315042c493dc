package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/golibbpf/libbpf/internal/debianapt"
)

// fetched is a set of Debian packages unpacked into root, fetched once
// and kept while the matrix names the same packages (the stamp file).
type fetched struct {
	root     string
	stamp    string
	suite    string
	packages []string
}

func (f fetched) current() bool {
	data, err := os.ReadFile(f.stamp)
	return err == nil && string(data) == f.stampText()
}

func (f fetched) stampText() string { return f.suite + " " + strings.Join(f.packages, " ") + "\n" }

// fetchAll fetches what is not already unpacked, through one private apt
// configuration on the machine's Debian mirror whose lists cover the
// suites, for Debian architecture arch; apt checks every package against
// Debian's archive keyring.
func fetchAll(want []fetched, suites []string, arch string) error {
	var missing []fetched
	for _, f := range want {
		if !f.current() && !slices.ContainsFunc(missing, func(m fetched) bool { return m.root == f.root }) {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	mirror, err := debianapt.Mirror()
	if err != nil {
		return fmt.Errorf("fetching the kernel packages: %w", err)
	}
	if _, err := os.Stat(debianapt.Keyring); err != nil {
		return fmt.Errorf("Debian's archive keyring verifies the kernel packages (apt-get install debian-archive-keyring): %w", err)
	}
	var sources []string
	for _, s := range suites {
		sources = append(sources, fmt.Sprintf("deb [signed-by=%s] %s %s main", debianapt.Keyring, mirror, s))
	}
	apt, err := debianapt.NewArch(arch, sources...)
	if err != nil {
		return err
	}
	defer apt.Close()
	logf("fetching the %s indexes of suites %s from the machine's Debian mirror", arch, strings.Join(suites, " "))
	if err := apt.Update(); err != nil {
		return err
	}
	for _, f := range missing {
		if err := fetchOne(apt, f, arch); err != nil {
			return err
		}
	}
	return nil
}

func fetchOne(apt *debianapt.Apt, f fetched, arch string) error {
	if err := os.RemoveAll(f.root); err != nil {
		return err
	}
	if err := os.MkdirAll(f.root, 0o755); err != nil {
		return err
	}
	dl := filepath.Join(apt.Dir, "dl")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return err
	}
	for _, pkg := range f.packages {
		logf("downloading %s (%s)", pkg, f.suite)
		deb, err := apt.Download(dl, pkg+"/"+f.suite)
		if err != nil {
			return fmt.Errorf("%w%s", err, candidates(apt, pkg, arch))
		}
		if out, err := exec.Command("dpkg-deb", "-x", deb, f.root).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %v: %s", deb, err, out)
		}
		os.Remove(deb)
	}
	return os.WriteFile(f.stamp, []byte(f.stampText()), 0o644)
}

// candidates names the packages of the same kind that the archive has, for
// an error about a pinned one it no longer has.
func candidates(apt *debianapt.Apt, pkg, arch string) string {
	prefix, _, ok := strings.Cut(pkg, ".")
	if !ok {
		return ""
	}
	out, err := apt.Output("apt-cache", "pkgnames", strings.TrimRightFunc(prefix, func(r rune) bool { return r >= '0' && r <= '9' }))
	if err != nil {
		return ""
	}
	var names []string
	for _, n := range strings.Fields(string(out)) {
		if strings.HasSuffix(n, "-cloud-"+arch) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; the archive has " + strings.Join(names, " ") + " (update vmtest/matrix)"
}

// vmlinuz finds the kernel image in an unpacked kernel: /boot/vmlinuz-* in
// older packages, /usr/lib/modules/<release>/vmlinuz in newer ones.
func vmlinuz(root string) (string, error) {
	for _, pattern := range []string{"boot/vmlinuz-*", "usr/lib/modules/*/vmlinuz", "lib/modules/*/vmlinuz"} {
		if m, _ := filepath.Glob(filepath.Join(root, pattern)); len(m) == 1 {
			return m[0], nil
		}
	}
	return "", fmt.Errorf("no vmlinuz in the kernel packages unpacked in %s", root)
}
