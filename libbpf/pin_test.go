package libbpf

import (
	"os"
	"strings"
	"testing"
)

func TestPin(t *testing.T) {
	if Version == "" || len(SHA256) != 64 {
		t.Fatalf("Version %q, SHA256 %q", Version, SHA256)
	}
	if _, _, err := parse("LIBBPF_VERSION=1.7\nLIBBPF_SHA256=" + SHA256 + "\n"); err == nil {
		t.Error("a version without patch level was accepted")
	}
	if _, _, err := parse("LIBBPF_VERSION=1.7.0\nLIBBPF_SHA256=xyz\n"); err == nil {
		t.Error("a malformed sha256 was accepted")
	}
}

// The C header that checks libbpf's version at compile time states the pin
// again, in the preprocessor's terms: it must agree with VERSION.
func TestPinHeaderAgrees(t *testing.T) {
	data, err := os.ReadFile("../libbpf_pin.h")
	if err != nil {
		t.Fatal(err)
	}
	major, minor, _ := strings.Cut(MajorMinor(), ".")
	for _, want := range []string{
		"#define GOLIBBPF_PIN_MAJOR " + major + "\n",
		"#define GOLIBBPF_PIN_MINOR " + minor + "\n",
		"needs libbpf " + MajorMinor() + " (pinned)",
		"it needs libbpf " + MajorMinor() + ":",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("libbpf_pin.h lacks %q (libbpf/VERSION pins %s)", want, Version)
		}
	}
}
