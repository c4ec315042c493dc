// Package tools_test checks the example tools as a set: that their
// committed skeletons are what their go:generate lines make today.
package tools_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const generatePrefix = "//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel "

// TestSkeletonsUpToDate builds cmd/bpfskel, runs every tool's bpfskel
// go:generate line with the output sent to a temporary folder, and
// compares the result with the committed <name>_skel.go: a change of the
// BPF source or of the generator without go generate fails here.
func TestSkeletonsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	bpfskel := filepath.Join(tmp, "bpfskel")
	if out, err := exec.Command("go", "build", "-o", bpfskel, "github.com/golibbpf/libbpf/cmd/bpfskel").CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/bpfskel: %v\n%s", err, out)
	}
	mains, err := filepath.Glob("*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("no tools: %v", err)
	}
	for _, main := range mains {
		dir := filepath.Dir(main)
		t.Run(dir, func(t *testing.T) {
			src, err := os.ReadFile(main)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, line := range strings.Split(string(src), "\n") {
				if rest, ok := strings.CutPrefix(line, generatePrefix); ok {
					args = splitQuoted(rest)
				}
			}
			if args == nil {
				t.Fatalf("%s has no bpfskel go:generate line", main)
			}
			name := dir + "_skel.go"
			out := filepath.Join(tmp, dir, name)
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bpfskel, append([]string{"-o", out}, args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPACKAGE=main")
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("bpfskel %q: %v\n%s", args, err, msg)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from what its go:generate line makes now: run go generate ./examples/tools/%s", dir, name, dir)
			}
		})
	}
}

// splitQuoted splits a go:generate line's arguments at spaces, keeping
// double-quoted runs whole, as go generate does.
func splitQuoted(s string) []string {
	var (
		args   []string
		cur    strings.Builder
		quoted bool
		inArg  bool
	)
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inArg = !quoted, true
		case r == ' ' && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
