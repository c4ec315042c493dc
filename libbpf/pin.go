// Package libbpf is the pin of the upstream libbpf release that
// github.com/golibbpf/libbpf links: its version and the sha256 of its source
// tarball. Both come from the VERSION file beside this one, which the
// Makefile and cmd/libbpf-setup read as well, so the pin has one source of
// truth, and a command installed from the module cache knows it without a
// checkout. WORKAROUNDS.md beside it lists what the Go code works around
// in the pinned release: moving the pin reviews that list.
package libbpf

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed VERSION
var versionFile string

// Version is the pinned libbpf release, e.g. "1.7.0"; SHA256 is the hex
// sha256 of its source tarball (libbpf-<Version>.tar.gz as upstream
// releases it, which Debian ships as libbpf_<Version>.orig.tar.gz).
var Version, SHA256 = mustParse(versionFile)

// MajorMinor returns the pinned release without its patch level, e.g. "1.7":
// what libbpf's headers declare as LIBBPF_MAJOR_VERSION.LIBBPF_MINOR_VERSION.
func MajorMinor() string {
	parts := strings.SplitN(Version, ".", 3)
	return parts[0] + "." + parts[1]
}

func mustParse(file string) (version, sha256 string) {
	version, sha256, err := parse(file)
	if err != nil {
		panic(err)
	}
	return version, sha256
}

// parse reads the shell-style assignments of VERSION: LIBBPF_VERSION and
// LIBBPF_SHA256; comments and blank lines are skipped.
func parse(file string) (version, sha256 string, err error) {
	for _, line := range strings.Split(file, "\n") {
		line = strings.TrimSpace(line)
		key, value, ok := strings.Cut(line, "=")
		if line == "" || strings.HasPrefix(line, "#") || !ok {
			continue
		}
		switch key {
		case "LIBBPF_VERSION":
			version = value
		case "LIBBPF_SHA256":
			sha256 = value
		}
	}
	if parts := strings.Split(version, "."); len(parts) != 3 {
		return "", "", fmt.Errorf("libbpf/VERSION: LIBBPF_VERSION %q is not major.minor.patch", version)
	}
	if len(sha256) != 64 || strings.Trim(sha256, "0123456789abcdef") != "" {
		return "", "", fmt.Errorf("libbpf/VERSION: LIBBPF_SHA256 %q is not a hex sha256", sha256)
	}
	return version, sha256, nil
}
