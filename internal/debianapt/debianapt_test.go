package debianapt_test

import (
	"testing"

	"github.com/golibbpf/libbpf/internal/debianapt"
)

func TestPickMirror(t *testing.T) {
	deb822 := debianapt.ParseDeb822(`Types: deb
# a comment
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://disabled.invalid/debian
Suites: bookworm
Components: main
Enabled: no
`)
	oneLine := debianapt.ParseOneLine(`# third-party archives first
deb [arch=amd64 signed-by=/k.gpg] https://vendor.invalid/linux/debian bookworm stable
deb https://node.invalid/node_20.x nodistro main
deb-src http://mirror.invalid/debian bookworm main
`)
	for _, tc := range []struct {
		name     string
		entries  []debianapt.Entry
		codename string
		want     string
	}{
		{"deb822", deb822, "bookworm", "http://mirror.invalid/debian"},
		{"codename wins", append(oneLine, deb822...), "bookworm", "http://mirror.invalid/debian"},
		{"no codename: first main deb entry", oneLine, "", "https://node.invalid/node_20.x"},
	} {
		got, err := debianapt.PickMirror(tc.entries, tc.codename)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := debianapt.PickMirror(debianapt.ParseOneLine("deb http://mirror.invalid/debian-security bookworm-security main\n"), "bookworm"); err == nil {
		t.Error("a security archive was taken as the mirror")
	}
}
