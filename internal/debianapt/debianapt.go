// Package debianapt fetches Debian packages with apt through a private
// configuration: a sources list of its own built on the machine's own Debian
// archive entry, private index and cache directories and no sources.list.d,
// so that the system's apt setup and state are neither read for packages nor
// changed. cmd/libbpf-setup fetches libbpf's source package with it and
// internal/vmtest the kernels and busybox of the VM matrix.
package debianapt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Keyring is Debian's archive keyring (package debian-archive-keyring), the
// signature that binary packages fetched from a private list are checked
// against.
const Keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// ErrNoMirror is returned when the machine's apt sources have no Debian
// archive entry to derive a private list from.
var ErrNoMirror = errors.New("no Debian archive entry (deb, component main) in the apt sources")

// Apt is a private apt configuration in a directory of its own.
type Apt struct {
	// Dir holds the sources list, the indexes and the cache.
	Dir string
	// Log receives apt's output; os.Stderr when nil.
	Log  io.Writer
	opts []string
}

// New writes sources (one-line format, one entry a line) into a private
// configuration in a fresh temporary directory; Close removes it.
func New(sources ...string) (*Apt, error) { return NewArch("", sources...) }

// NewArch is New for the packages of Debian architecture arch (arm64): the
// indexes and downloads are that architecture's only, whatever the
// machine's dpkg architectures are; "" is the machine's own.
func NewArch(arch string, sources ...string) (*Apt, error) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return nil, fmt.Errorf("apt-get not found: %w", err)
	}
	dir, err := os.MkdirTemp("", "debianapt-*")
	if err != nil {
		return nil, err
	}
	a, err := newIn(dir, arch, sources)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return a, nil
}

func newIn(dir, arch string, sources []string) (*Apt, error) {
	// apt drops to its sandbox user to download; that user cannot write
	// into a private directory of root's.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	list := filepath.Join(dir, "sources.list")
	if err := os.WriteFile(list, []byte(strings.Join(sources, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + list,
		"-o", "Dir::Etc::SourceParts=/nonexistent",
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(dir, "cache"),
		"-o", "Acquire::Languages=none",
		"-o", "APT::Get::List-Cleanup=0",
	}
	if arch != "" {
		opts = append(opts, "-o", "APT::Architecture="+arch, "-o", "APT::Architectures="+arch)
	}
	if os.Geteuid() == 0 {
		opts = append(opts, "-o", "APT::Sandbox::User=root")
	}
	return &Apt{Dir: dir, opts: opts}, nil
}

// Close removes the configuration's directory.
func (a *Apt) Close() error { return os.RemoveAll(a.Dir) }

// Update fetches the indexes of the private sources list.
func (a *Apt) Update() error {
	if err := a.Run(a.Dir, "apt-get", "-qq", "update"); err != nil {
		return fmt.Errorf("apt-get update of the private sources list %s: %w", filepath.Join(a.Dir, "sources.list"), err)
	}
	return nil
}

// Run runs an apt command (apt-get, apt-cache) with the private
// configuration in dir, its output going to a.Log.
func (a *Apt) Run(dir, name string, args ...string) error {
	cmd := exec.Command(name, append(slices.Clone(a.opts), args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = a.log(), a.log()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// Output runs an apt command with the private configuration and returns its
// standard output.
func (a *Apt) Output(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, append(slices.Clone(a.opts), args...)...)
	cmd.Stderr = a.log()
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return out, nil
}

// Download fetches the binary package pkg (name, name=version or
// name/suite) into dir
// and returns the path of its .deb; apt checks it against the signed index.
func (a *Apt) Download(dir, pkg string) (string, error) {
	before, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if err := a.Run(dir, "apt-get", "-qq", "download", pkg); err != nil {
		return "", err
	}
	after, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	name := strings.FieldsFunc(pkg, func(r rune) bool { return r == '=' || r == '/' })[0]
	for _, f := range after {
		if !slices.Contains(before, f) && strings.HasPrefix(filepath.Base(f), name+"_") {
			return f, nil
		}
	}
	return "", fmt.Errorf("apt-get download %s left no %s_*.deb in %s", pkg, name, dir)
}

func (a *Apt) log() io.Writer {
	if a.Log != nil {
		return a.Log
	}
	return os.Stderr
}

// Fields returns the values of field (e.g. "Version") in apt-cache output
// of stanzas (showsrc, show), in order and without repeats.
func Fields(stanzas []byte, field string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(stanzas))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), field+": ")
		if ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Entry is one line of a one-line sources list, or one stanza of a deb822
// .sources file, with one URI.
type Entry struct {
	Types, Suites, Components []string
	URI                       string
}

// Mirror returns the archive URI of the machine's own Debian entry: a deb
// entry for component main whose suite is the release's codename (from
// /etc/os-release), else the first such entry of any suite; security
// archives are never it.
func Mirror() (string, error) {
	var entries []Entry
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	for _, f := range append([]string{"/etc/apt/sources.list"}, files...) {
		if data, err := os.ReadFile(f); err == nil {
			entries = append(entries, ParseOneLine(string(data))...)
		}
	}
	files, _ = filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			entries = append(entries, ParseDeb822(string(data))...)
		}
	}
	return PickMirror(entries, Codename())
}

// PickMirror is Mirror's choice among entries for the release codename.
func PickMirror(entries []Entry, codename string) (string, error) {
	var first string
	for _, e := range entries {
		if !slices.Contains(e.Types, "deb") || !slices.Contains(e.Components, "main") ||
			strings.Contains(e.URI, "security") {
			continue
		}
		if codename != "" && slices.Contains(e.Suites, codename) {
			return e.URI, nil
		}
		if first == "" {
			first = e.URI
		}
	}
	if first == "" {
		return "", ErrNoMirror
	}
	return first, nil
}

// ParseOneLine reads "deb [options] uri suite component..." lines.
func ParseOneLine(data string) []Entry {
	var out []Entry
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
		out = append(out, Entry{Types: f[:1], URI: f[1], Suites: f[2:3], Components: f[3:]})
	}
	return out
}

// ParseDeb822 reads the stanzas of a .sources file; a stanza with several
// URIs gives one entry each. Disabled stanzas (Enabled: no) are skipped.
func ParseDeb822(data string) []Entry {
	var out []Entry
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
			out = append(out, Entry{Types: fields["types"], URI: uri, Suites: fields["suites"], Components: fields["components"]})
		}
	}
	return out
}

// Codename is VERSION_CODENAME from /etc/os-release, or "".
func Codename() string {
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
