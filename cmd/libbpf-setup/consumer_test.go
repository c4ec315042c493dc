package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golibbpf/libbpf/internal/testutil"
	pin "github.com/golibbpf/libbpf/libbpf"
)

const modulePath = "github.com/golibbpf/libbpf"

// TestConsumerModule does what a new user does: a module of its own requires
// this one at the committed HEAD, served as a module proxy serves it (the
// files of git archive, zipped, without the nested bench module, read-only
// in the module cache, no build folder), runs the setup command against the
// libbpf tarball make already fetched (no network), builds statically and
// runs a program that registers a Go handler and sees its program fire.
//
// Its files live in build/consumer-test/<commit>: the -race and -asan runs
// of make test reuse the libbpf build and the go build cache of the first.
func TestConsumerModule(t *testing.T) {
	testutil.RequireKernel(t)
	c := newConsumer(t)

	c.goCmd(t, c.module, nil, "get", modulePath+"@"+c.version)
	c.goCmd(t, c.module, nil, "run", modulePath+"/cmd/libbpf-setup", "-w")
	bin := filepath.Join(c.work, "consumer")
	c.goCmd(t, c.module, nil, "build", "-ldflags=-extldflags=-static", "-o", bin, ".")
	requireStatic(t, bin)
	modDir := filepath.Join(c.modcache, modulePath+"@"+c.version)
	if _, err := os.Stat(filepath.Join(modDir, "libbpf", "build")); !os.IsNotExist(err) {
		t.Errorf("the build wrote into the module cache: %s/libbpf/build: %v", modDir, err)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("the consumer failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "fired") {
		t.Fatalf("the consumer did not report its program firing:\n%s", out)
	}
	t.Logf("%s", out)

	t.Run("OtherHeaders", func(t *testing.T) {
		// A copy of the installed headers that declares another minor release.
		inc := filepath.Join(c.work, "other-include")
		if err := os.RemoveAll(inc); err != nil {
			t.Fatal(err)
		}
		copyTree(t, filepath.Join(c.cache(), "include"), inc)
		h := filepath.Join(inc, "bpf", "libbpf_version.h")
		data, err := os.ReadFile(h)
		if err != nil {
			t.Fatal(err)
		}
		minor := strings.SplitN(pin.Version, ".", 3)[1]
		other := strings.Replace(string(data), "LIBBPF_MINOR_VERSION "+minor+"\n", "LIBBPF_MINOR_VERSION 99\n", 1)
		if other == string(data) {
			t.Fatalf("%s declares no LIBBPF_MINOR_VERSION %s", h, minor)
		}
		if err := os.WriteFile(h, []byte(other), 0o644); err != nil {
			t.Fatal(err)
		}
		out := c.goFails(t, []string{"CGO_CFLAGS=-O2 -g -I" + inc}, "build", "-o", os.DevNull, ".")
		want := "needs libbpf " + pin.MajorMinor() + " (pinned)"
		if !strings.Contains(out, want) || !strings.Contains(out, "cmd/libbpf-setup") {
			t.Fatalf("the build against libbpf 1.99 headers failed without %q and the setup command:\n%s", want, out)
		}
		if n := strings.Count(out, "error:"); n != 1 {
			t.Errorf("%d errors, want the one #error:\n%s", n, out)
		}
	})

	t.Run("NoSetup", func(t *testing.T) {
		out := c.goFails(t, []string{"GOENV=" + filepath.Join(c.work, "none.env")}, "build", "-o", os.DevNull, ".")
		if !strings.Contains(out, "no libbpf headers found") || !strings.Contains(out, "cmd/libbpf-setup") {
			t.Fatalf("a build before the setup failed without naming it:\n%s", out)
		}
	})

	t.Run("SystemLibbpf", func(t *testing.T) {
		// A pkg-config file like a distribution's, for the libbpf the setup
		// built: the libbpf_system tag must take everything from it.
		pcDir := filepath.Join(c.work, "pkgconfig")
		if err := os.MkdirAll(pcDir, 0o755); err != nil {
			t.Fatal(err)
		}
		pc := fmt.Sprintf("prefix=%s\nName: libbpf\nDescription: BPF library\nVersion: %s\n"+
			"Libs: -L${prefix}/lib -l:libbpf.a -l:libelf.a -l:libz.a\nCflags: -I${prefix}/include\n", c.cache(), pin.Version)
		if err := os.WriteFile(filepath.Join(pcDir, "libbpf.pc"), []byte(pc), 0o644); err != nil {
			t.Fatal(err)
		}
		sysBin := filepath.Join(c.work, "consumer-system")
		c.goCmd(t, c.module, []string{"GOENV=" + filepath.Join(c.work, "none.env"), "PKG_CONFIG_PATH=" + pcDir},
			"build", "-tags=libbpf_system", "-o", sysBin, ".")
		if out, err := exec.Command(sysBin).CombinedOutput(); err != nil || !strings.Contains(string(out), "fired") {
			t.Fatalf("the consumer built with -tags libbpf_system: %v\n%s", err, out)
		}
	})

	t.Run("GoInstallBpfrun", func(t *testing.T) {
		gobin := filepath.Join(c.work, "bin")
		c.goCmd(t, c.work, []string{"GOBIN=" + gobin}, "install", "-ldflags=-extldflags=-static", modulePath+"/cmd/bpfrun@"+c.version)
		bpfrun := filepath.Join(gobin, "bpfrun")
		requireStatic(t, bpfrun)
		out, err := exec.Command(bpfrun, "version").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "libbpf v"+pin.MajorMinor()) {
			t.Fatalf("bpfrun version: %v\n%s", err, out)
		}
	})
}

// consumer is the consumer module and the module proxy, cache and go
// environment it is built with.
type consumer struct {
	root, work, version   string
	module, modcache, env string
	goEnv                 []string
}

func newConsumer(t *testing.T) *consumer {
	root := gitOut(t, "", "rev-parse", "--show-toplevel")
	commit := gitOut(t, root, "rev-parse", "HEAD")
	ctime, err := strconv.ParseInt(gitOut(t, root, "show", "-s", "--format=%ct", "HEAD"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	object := testutil.Object(t, "testdata/consumer.bpf.o")
	source := libbpfSource(t, root)

	base := filepath.Join(root, "build", "consumer-test")
	old, _ := filepath.Glob(filepath.Join(base, "*"))
	for _, dir := range old {
		if filepath.Base(dir) != commit[:12] {
			removeAll(t, dir)
		}
	}
	c := &consumer{
		root:    root,
		work:    filepath.Join(base, commit[:12]),
		version: "v0.0.0-" + time.Unix(ctime, 0).UTC().Format("20060102150405") + "-" + commit[:12],
	}
	c.module = filepath.Join(c.work, "module")
	c.modcache = filepath.Join(c.work, "modcache")
	c.env = filepath.Join(c.work, "go.env")
	proxy := filepath.Join(c.work, "proxy")
	if !isFile(filepath.Join(proxy, modulePath, "@v", "list")) {
		writeProxy(t, root, commit, c.version, time.Unix(ctime, 0), proxy)
	}
	// The setup's go env -w writes into c.env, never into the user's.
	if err := os.RemoveAll(c.env); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(c.module, 0o755); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile("testdata/consumer/main.go")
	if err != nil {
		t.Fatal(err)
	}
	bpf, err := os.ReadFile(object)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"go.mod":         []byte("module example.com/consumer\n\ngo 1.26\n"),
		"main.go":        main,
		"consumer.bpf.o": bpf,
	} {
		if err := os.WriteFile(filepath.Join(c.module, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.goEnv = append(cleanEnv(),
		"GOENV="+c.env,
		"GOCACHE="+goEnvValue(t, "GOCACHE"),
		"GOMODCACHE="+c.modcache,
		// This module from the proxy just built, its dependencies from the
		// module cache's download directory, which is a proxy as well.
		"GOPROXY=file://"+proxy+",file://"+filepath.Join(goEnvValue(t, "GOMODCACHE"), "cache", "download"),
		"GOSUMDB=off",
		"GOTOOLCHAIN=local",
		"GOFLAGS=-buildvcs=false",
		"CGO_ENABLED=1",
		"XDG_CACHE_HOME="+filepath.Join(c.work, "cache"),
	)
	c.goEnv = append(c.goEnv, source...)
	return c
}

// cache is the setup's per-user cache directory under the test's
// XDG_CACHE_HOME.
func (c *consumer) cache() string {
	return filepath.Join(c.work, "cache", "golibbpf", "libbpf-"+pin.Version+"-"+pin.SHA256[:12])
}

// goCmd runs go with args in dir, with env added to the consumer's
// environment.
func (c *consumer) goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, append(c.goEnv[:len(c.goEnv):len(c.goEnv)], env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s: %.1fs", strings.Join(args, " "), time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// goFails runs go with args in the consumer module with env added, and
// returns its output, failing the test if the command succeeds.
func (c *consumer) goFails(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = c.module, append(c.goEnv[:len(c.goEnv):len(c.goEnv)], env...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go %s succeeded, want a failure:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

// libbpfSource is the environment that gives the setup libbpf's source
// without network: the caller's LIBBPF_SRC or LIBBPF_TARBALL, else the
// tarball make left in libbpf/work.
func libbpfSource(t *testing.T, root string) []string {
	for _, name := range []string{"LIBBPF_SRC", "LIBBPF_TARBALL"} {
		if v := os.Getenv(name); v != "" {
			return []string{name + "=" + v}
		}
	}
	tarball := filepath.Join(root, "libbpf", "work", "libbpf_"+pin.Version+".orig.tar.gz")
	if !isFile(tarball) {
		t.Fatalf("no libbpf source without network: %s is missing (run make libbpf)", tarball)
	}
	return []string{"LIBBPF_TARBALL=" + tarball}
}

// cleanEnv is the test's environment without what would point the consumer's
// builds elsewhere than the setup does (the Makefile's in-tree cgo flags).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "CGO_CFLAGS", "CGO_LDFLAGS", "CGO_ENABLED", "GOFLAGS", "GOENV", "GOPROXY", "GONOSUMDB", "GONOPROXY",
			"GOPRIVATE", "GOSUMDB", "GOMODCACHE", "GOCACHE", "GOTOOLCHAIN", "XDG_CACHE_HOME",
			"LIBBPF_SRC", "LIBBPF_TARBALL", "PKG_CONFIG_PATH":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func goEnvValue(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		testutil.SkipOrFail(t, "git %s: %v (the test needs the module's git checkout)", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// writeProxy lays out a file-based module proxy (GOPROXY=file://dir) that
// serves the commit as version: the module zip holds the files of git
// archive, less those of nested modules (bench/), as the go command's own
// zips do.
func writeProxy(t *testing.T, root, commit, version string, when time.Time, dir string) {
	t.Helper()
	cmd := exec.Command("git", "archive", "--format=tar", commit)
	cmd.Dir = root
	archive, err := cmd.Output()
	if err != nil {
		t.Fatalf("git archive: %v", err)
	}
	type file struct {
		name string
		data []byte
	}
	var files []file
	nested := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if path.Base(hdr.Name) == "go.mod" && hdr.Name != "go.mod" {
			nested[path.Dir(hdr.Name)] = true
		}
		files = append(files, file{hdr.Name, data})
	}
	inNested := func(name string) bool {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if nested[d] {
				return true
			}
		}
		return false
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	var gomod []byte
	for _, f := range files {
		if inNested(f.name) {
			continue
		}
		if f.name == "go.mod" {
			gomod = f.data
		}
		w, err := zw.Create(modulePath + "@" + version + "/" + f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if gomod == nil {
		t.Fatal("git archive has no go.mod")
	}
	info, err := json.Marshal(map[string]string{"Version": version, "Time": when.UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	v := filepath.Join(dir, modulePath, "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		version + ".info": info,
		version + ".mod":  gomod,
		version + ".zip":  zbuf.Bytes(),
		"list":            []byte(version + "\n"), // last: it marks the proxy complete
	} {
		if err := os.WriteFile(filepath.Join(v, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// requireStatic fails unless bin is a static executable: no interpreter and
// no shared libraries.
func requireStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (has PT_INTERP)", bin)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", bin, libs)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// removeAll removes a tree that may hold the module cache's read-only
// directories.
func removeAll(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}
