package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	pin "github.com/golibbpf/libbpf/libbpf"
)

// fetchDebian downloads the orig tarball of Debian's source package libbpf
// <pin>-N from suite sid into dst, trying each revision N that the index lists
// until one's tarball has the pinned sha256. apt runs with a private sources
// list (one deb-src line on the machine's own Debian mirror), private index
// and cache directories, and no sources.list.d: the system's apt setup and
// state are neither read for packages nor changed. The tarball's integrity
// comes from the pinned sha256, so the private index is read as trusted.
func fetchDebian(dst string) error {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("no libbpf source: apt-get not found; set LIBBPF_SRC=<libbpf tree> or LIBBPF_TARBALL=<libbpf-" + pin.Version + ".tar.gz>")
	}
	mirror, err := debianMirror()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "libbpf-setup-apt-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// apt drops to its sandbox user to download; that user cannot write
	// into a private directory of root's.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial", "dl"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	list := filepath.Join(tmp, "sources.list")
	if err := os.WriteFile(list, []byte("deb-src [trusted=yes] "+mirror+" sid main\n"), 0o644); err != nil {
		return err
	}
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + list,
		"-o", "Dir::Etc::SourceParts=/nonexistent",
		"-o", "Dir::State::Lists=" + filepath.Join(tmp, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(tmp, "cache"),
		"-o", "Acquire::Languages=none",
		"-o", "APT::Get::List-Cleanup=0",
	}
	if os.Geteuid() == 0 {
		opts = append(opts, "-o", "APT::Sandbox::User=root")
	}
	logf("fetching the source index of Debian suite sid from the machine's mirror")
	if err := apt(tmp, "apt-get", opts, "-qq", "update"); err != nil {
		return fmt.Errorf("apt-get update of the private source list (deb-src %s sid main): %w", mirror, err)
	}
	showsrc, err := exec.Command("apt-cache", append(opts, "showsrc", "libbpf")...).Output()
	if err != nil {
		return fmt.Errorf("apt-cache showsrc libbpf: %w", err)
	}
	versions := revisions(showsrc)
	if len(versions) == 0 {
		return fmt.Errorf("Debian sid has no libbpf %s-N source package; set LIBBPF_SRC or LIBBPF_TARBALL", pin.Version)
	}
	orig := "libbpf_" + pin.Version + ".orig.tar.gz"
	var tried []string
	for _, v := range versions {
		logf("downloading Debian's source package libbpf %s", v)
		dl := filepath.Join(tmp, "dl", v)
		if err := os.MkdirAll(dl, 0o755); err != nil {
			return err
		}
		if err := apt(dl, "apt-get", opts, "-qq", "source", "--download-only", "libbpf="+v); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", v, err))
			continue
		}
		if err := verify(filepath.Join(dl, orig)); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", v, err))
			continue
		}
		return copyFile(filepath.Join(dl, orig), dst)
	}
	return fmt.Errorf("no Debian source package of libbpf %s has the pinned tarball: %s", pin.Version, strings.Join(tried, "; "))
}

// apt runs an apt command in dir with its output on stderr.
func apt(dir, name string, opts []string, args ...string) error {
	cmd := exec.Command(name, append(slices.Clone(opts), args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// revisions picks the versions <pin>-N out of apt-cache showsrc's output.
func revisions(showsrc []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(showsrc))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "Version: ")
		if ok && strings.HasPrefix(v, pin.Version+"-") && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// aptEntry is one line of a one-line sources list, or one stanza of a
// deb822 .sources file, with one URI.
type aptEntry struct {
	types, suites, components []string
	uri                       string
}

// debianMirror returns the archive URI of the machine's own Debian entry: a
// deb entry for component main whose suite is the release's codename (from
// /etc/os-release), else the first such entry of any suite; security
// archives are never it.
func debianMirror() (string, error) {
	var entries []aptEntry
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	for _, f := range append([]string{"/etc/apt/sources.list"}, files...) {
		if data, err := os.ReadFile(f); err == nil {
			entries = append(entries, parseOneLine(string(data))...)
		}
	}
	files, _ = filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			entries = append(entries, parseDeb822(string(data))...)
		}
	}
	return pickMirror(entries, osCodename())
}

func pickMirror(entries []aptEntry, codename string) (string, error) {
	var first string
	for _, e := range entries {
		if !slices.Contains(e.types, "deb") || !slices.Contains(e.components, "main") ||
			strings.Contains(e.uri, "security") {
			continue
		}
		if codename != "" && slices.Contains(e.suites, codename) {
			return e.uri, nil
		}
		if first == "" {
			first = e.uri
		}
	}
	if first == "" {
		return "", errors.New("no Debian entry in the apt sources to fetch libbpf's source package from; set LIBBPF_SRC=<libbpf tree> or LIBBPF_TARBALL=<libbpf-" + pin.Version + ".tar.gz>")
	}
	return first, nil
}

// parseOneLine reads "deb [options] uri suite component..." lines.
func parseOneLine(data string) []aptEntry {
	var out []aptEntry
	for _, line := range strings.Split(data, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if i := strings.Index(line, "["); i >= 0 {
			if j := strings.Index(line[i:], "]"); j >= 0 {
				line = line[:i] + line[i+j+1:]
			}
		}
		f := strings.Fields(line)
		if len(f) < 4 || (f[0] != "deb" && f[0] != "deb-src") {
			continue
		}
		out = append(out, aptEntry{types: f[:1], uri: f[1], suites: f[2:3], components: f[3:]})
	}
	return out
}

// parseDeb822 reads the stanzas of a .sources file; a stanza with several
// URIs gives one entry each. Disabled stanzas (Enabled: no) are skipped.
func parseDeb822(data string) []aptEntry {
	var out []aptEntry
	for _, stanza := range strings.Split(strings.ReplaceAll(data, "\r", ""), "\n\n") {
		fields := map[string][]string{}
		for _, line := range strings.Split(stanza, "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			if key, value, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
				fields[strings.ToLower(strings.TrimSpace(key))] = strings.Fields(value)
			}
		}
		if en := fields["enabled"]; len(en) == 1 && en[0] == "no" {
			continue
		}
		for _, uri := range fields["uris"] {
			out = append(out, aptEntry{types: fields["types"], uri: uri, suites: fields["suites"], components: fields["components"]})
		}
	}
	return out
}

// osCodename is VERSION_CODENAME from /etc/os-release, or "".
func osCodename() string {
	data, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VERSION_CODENAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}
