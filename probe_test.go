package libbpf_test

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

func TestProbes(t *testing.T) {
	testutil.RequireKernel(t)
	yes := func(what string, ok bool, err error) {
		t.Helper()
		if err != nil || !ok {
			t.Errorf("%s = %t, %v; want true on this kernel", what, ok, err)
		}
	}
	ok, err := libbpf.ProbeProgType(libbpf.ProgTypeSocketFilter)
	yes("ProbeProgType(socket_filter)", ok, err)
	ok, err = libbpf.ProbeProgType(libbpf.ProgTypeSyscall)
	if want := testutil.KernelHas(testutil.FeatureSyscallProg); err != nil || ok != want {
		t.Errorf("ProbeProgType(syscall) = %t, %v; the kernel table says %t", ok, err, want)
	}
	ok, err = libbpf.ProbeMapType(libbpf.MapTypeHash)
	yes("ProbeMapType(hash)", ok, err)
	ok, err = libbpf.ProbeRingBuffer()
	yes("ProbeRingBuffer", ok, err)
	ok, err = libbpf.ProbeHelper(libbpf.ProgTypeTracepoint, libbpf.HelperRingbufOutput)
	yes("ProbeHelper(tracepoint, bpf_ringbuf_output)", ok, err)

	// A helper the program type may not call.
	if ok, err := libbpf.ProbeHelper(libbpf.ProgTypeSocketFilter, libbpf.HelperOverrideReturn); err != nil || ok {
		t.Errorf("ProbeHelper(socket_filter, bpf_override_return) = %t, %v; want false", ok, err)
	}
	// Types and helpers past the kernel's last: libbpf cannot probe them.
	if ok, err := libbpf.ProbeProgType(libbpf.ProgType(1000)); ok || !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("ProbeProgType(1000) = %t, %v; want EOPNOTSUPP", ok, err)
	}
	if ok, err := libbpf.ProbeMapType(libbpf.MapType(1000)); ok || !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("ProbeMapType(1000) = %t, %v; want EOPNOTSUPP", ok, err)
	}
	if ok, err := libbpf.ProbeHelper(libbpf.ProgTypeTracepoint, libbpf.HelperID(100000)); err != nil || ok {
		t.Errorf("ProbeHelper of an unknown helper = %t, %v; want false", ok, err)
	}
	if s := libbpf.HelperRingbufOutput.String(); s != "bpf_ringbuf_output" {
		t.Errorf("HelperRingbufOutput.String() = %q", s)
	}
}

func TestProbeTPBTF(t *testing.T) {
	testutil.RequireKernel(t)
	before := testutil.OpenFDs(t)
	if ok, err := libbpf.ProbeTPBTF("sched_switch", nil); err != nil || !ok {
		t.Errorf("ProbeTPBTF(sched_switch) = %t, %v; want true (Linux 5.5)", ok, err)
	}
	vmlinux := vmlinuxBTF(t)
	if ok, err := libbpf.ProbeTPBTF("no_such_tracepoint_golibbpf", vmlinux); err != nil || ok {
		t.Errorf("ProbeTPBTF of a missing tracepoint = %t, %v; want false", ok, err)
	}
	if _, err := libbpf.ProbeTPBTF("", nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("ProbeTPBTF(\"\"): %v, want EINVAL", err)
	}
	vmlinux.Close()
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after the probes, %d before", after, before)
	}
}

// TestProbeFentry checks the fentry probe against the kernel table: true
// where the kernel has trampolines, false or an errno (EPERM here) where it
// does not, false for a function the BTF lacks; and the kprobe probe.
func TestProbeFentry(t *testing.T) {
	testutil.RequireKernel(t)
	before := testutil.OpenFDs(t)
	ok, err := libbpf.ProbeFentry("bpf_fentry_test1", nil)
	if why, lacks := testutil.KernelLacks(testutil.FeatureTrampoline); lacks {
		t.Log(why)
		if ok || err != nil && !errorsIsErrno(err) {
			t.Errorf("ProbeFentry(bpf_fentry_test1) = %t, %v; want false or an errno", ok, err)
		}
	} else if !ok || err != nil {
		t.Errorf("ProbeFentry(bpf_fentry_test1) = %t, %v; want true", ok, err)
	}
	vmlinux := vmlinuxBTF(t)
	if ok, err := libbpf.ProbeFentry("no_such_function_golibbpf", vmlinux); err != nil || ok {
		t.Errorf("ProbeFentry of a missing function = %t, %v; want false", ok, err)
	}
	if _, err := libbpf.ProbeFentry("", nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("ProbeFentry(\"\"): %v, want EINVAL", err)
	}
	vmlinux.Close()
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after the probes, %d before", after, before)
	}
	if ok, err := libbpf.ProbeKprobes(); err != nil || ok != testutil.KernelHas(testutil.FeatureKprobe) {
		t.Errorf("ProbeKprobes() = %t, %v; the kernel table says %t", ok, err, testutil.KernelHas(testutil.FeatureKprobe))
	}
}

func TestBTFFeatureProbes(t *testing.T) {
	testutil.RequireKernel(t)
	b := vmlinuxBTF(t)
	for _, c := range []struct {
		what string
		got  bool
		want bool
	}{
		{"kfunc bpf_task_acquire", b.HasKfunc("bpf_task_acquire"), testutil.KernelHas(testutil.FeatureTaskKfuncs)},
		// Without bpf_kfunc declaration tags any function counts, as
		// libbpf's resolution of a __ksym extern does.
		{"kfunc vfs_read (a function, not a kfunc)", b.HasKfunc("vfs_read"), !testutil.KernelHas(testutil.FeatureKfuncDeclTag)},
		{"kfunc no_such_kfunc", b.HasKfunc("no_such_kfunc_golibbpf"), false},
		{"member task_struct.tgid", b.HasMember("task_struct", "tgid"), true},
		// __state replaced state in 5.14; tools pick their read by it.
		{"member task_struct.__state", b.HasMember("task_struct", "__state"), testutil.KernelHas(testutil.FeatureTaskState)},
		{"member task_struct.state", b.HasMember("task_struct", "state"), !testutil.KernelHas(testutil.FeatureTaskState)},
		// sk_buff's len sits in an anonymous struct member.
		{"member sk_buff.len (anonymous struct)", b.HasMember("sk_buff", "len"), true},
		{"member of a missing struct", b.HasMember("no_such_struct_golibbpf", "x"), false},
	} {
		if c.got != c.want {
			t.Errorf("%s: %t, want %t", c.what, c.got, c.want)
		}
	}
	if v, ok := b.EnumValue("bpf_map_type", "BPF_MAP_TYPE_RINGBUF"); !ok || v != uint64(libbpf.MapTypeRingBuf) {
		t.Errorf("EnumValue(bpf_map_type, BPF_MAP_TYPE_RINGBUF) = %d, %t", v, ok)
	}
	// BPF_FUNC_* values are in an anonymous enum.
	if v, ok := b.EnumValue("", "BPF_FUNC_ringbuf_output"); !ok || v != uint64(libbpf.HelperRingbufOutput) {
		t.Errorf("EnumValue(\"\", BPF_FUNC_ringbuf_output) = %d, %t", v, ok)
	}
	if _, ok := b.EnumValue("bpf_map_type", "BPF_MAP_TYPE_NO_SUCH_GOLIBBPF"); ok {
		t.Error("EnumValue found a missing enumerator")
	}
}

// TestBPFToken checks that tokens fail cleanly where the kernel refuses
// them: in the initial user namespace (EOPNOTSUPP; EINVAL where the kernel
// has no tokens, 6.9) and from a directory that is no BPF file system
// (EINVAL). Creating one needs a user namespace with its own delegated bpffs
// mount.
func TestBPFToken(t *testing.T) {
	testutil.RequireKernel(t)
	before := testutil.OpenFDs(t)
	noToken := unix.EOPNOTSUPP
	if !testutil.KernelHas(testutil.FeatureBPFToken) {
		noToken = unix.EINVAL
	}
	if fd, err := libbpf.BPFTokenCreatePath("/sys/fs/bpf", libbpf.BPFTokenCreateOptions{}); !errors.Is(err, noToken) {
		t.Errorf("BPFTokenCreatePath(/sys/fs/bpf) = %d, %v; want %v in the initial user namespace", fd, err, noToken)
	}
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if fd, err := libbpf.BPFTokenCreate(int(dir.Fd()), libbpf.BPFTokenCreateOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("BPFTokenCreate of a plain directory = %d, %v; want EINVAL", fd, err)
	}
	dir.Close()
	if _, err := libbpf.BPFTokenCreatePath("/no/such/bpffs", libbpf.BPFTokenCreateOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("BPFTokenCreatePath of a missing path: %v, want ENOENT", err)
	}

	// An object told to use a token fails to load when none can be made;
	// told to use none, it loads.
	path := testutil.Object(t, "testdata/basic.bpf.o")
	for _, c := range []struct {
		opts libbpf.OpenOptions
		want error
	}{
		{libbpf.OpenOptions{BPFTokenPath: "/sys/fs/bpf"}, noToken},
		{libbpf.OpenOptions{BPFTokenPath: "/sys/fs/bpf", NoBPFToken: true}, nil},
	} {
		obj, err := libbpf.OpenObjectFile(path, &c.opts)
		if err == nil {
			testutil.LeaveOutMissing(t, obj)
			err = obj.Load()
			obj.Close()
		}
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("open and load with %+v: %v, want %v", c.opts, err, c.want)
		}
	}
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after the token tests, %d before", after, before)
	}
}
