package libbpf

import (
	"os"
	"path/filepath"
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

// Every C preamble of the module checks the pin before it includes a libbpf
// header, so that a build without the setup fails with libbpf_pin.h's one
// message naming the setup command, whichever file cgo compiles first.
func TestPreamblesCheckThePinFirst(t *testing.T) {
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	chandlers, _ := filepath.Glob("../internal/chandlers/*.[ch]")
	for _, f := range append(files, chandlers...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.HasSuffix(f, ".go") && !strings.Contains(text, "\nimport \"C\"\n") {
			continue
		}
		pin := strings.Index(text, "libbpf_pin.h\"")
		if alt := strings.Index(text, "#include \"handler_cgo.h\""); alt >= 0 && (pin < 0 || alt < pin) {
			pin = alt
		}
		if alt := strings.Index(text, "#include \"chandlers.h\""); alt >= 0 && (pin < 0 || alt < pin) {
			pin = alt
		}
		if bpf := strings.Index(text, "#include <bpf/"); bpf >= 0 && (pin < 0 || bpf < pin) {
			t.Errorf("%s includes a libbpf header before libbpf_pin.h", f)
		}
	}
}
