package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golibbpf/libbpf/internal/debianapt"
	pin "github.com/golibbpf/libbpf/libbpf"
)

// fetchDebian downloads the orig tarball of Debian's source package libbpf
// <pin>-N from suite sid into dst, trying each revision N that the index lists
// until one's tarball has the pinned sha256. apt runs with a private
// configuration (internal/debianapt: one deb-src line on the machine's own
// Debian mirror); the system's apt setup and state are neither read for
// packages nor changed. The tarball's integrity comes from the pinned sha256,
// so the private index is read as trusted.
func fetchDebian(dst string) error {
	hint := "set LIBBPF_SRC=<libbpf tree> or LIBBPF_TARBALL=<libbpf-" + pin.Version + ".tar.gz>"
	mirror, err := debianapt.Mirror()
	if errors.Is(err, debianapt.ErrNoMirror) {
		return fmt.Errorf("no libbpf source: %w; %s", err, hint)
	}
	if err != nil {
		return err
	}
	apt, err := debianapt.New("deb-src [trusted=yes] " + mirror + " sid main")
	if err != nil {
		return fmt.Errorf("no libbpf source: %w; %s", err, hint)
	}
	defer apt.Close()
	logf("fetching the source index of Debian suite sid from the machine's mirror")
	if err := apt.Update(); err != nil {
		return err
	}
	showsrc, err := apt.Output("apt-cache", "showsrc", "libbpf")
	if err != nil {
		return err
	}
	versions := revisions(showsrc)
	if len(versions) == 0 {
		return fmt.Errorf("Debian sid has no libbpf %s-N source package; %s", pin.Version, hint)
	}
	orig := "libbpf_" + pin.Version + ".orig.tar.gz"
	var tried []string
	for _, v := range versions {
		logf("downloading Debian's source package libbpf %s", v)
		dl := filepath.Join(apt.Dir, "dl", v)
		if err := os.MkdirAll(dl, 0o755); err != nil {
			return err
		}
		if err := apt.Run(dl, "apt-get", "-qq", "source", "--download-only", "libbpf="+v); err != nil {
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

// revisions picks the versions <pin>-N out of apt-cache showsrc's output.
func revisions(showsrc []byte) []string {
	var out []string
	for _, v := range debianapt.Fields(showsrc, "Version") {
		if strings.HasPrefix(v, pin.Version+"-") {
			out = append(out, v)
		}
	}
	return out
}
