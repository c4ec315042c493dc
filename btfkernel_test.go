package libbpf_test

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestFindVmlinuxBTFID finds the types tracing programs attach to in the
// kernel's BTF: tp_btf's btf_trace_ typedef, fentry's function.
func TestFindVmlinuxBTFID(t *testing.T) {
	testutil.RequireKernel(t)
	vmlinux, err := libbpf.LoadVmlinuxBTF()
	if err != nil {
		t.Fatal(err)
	}
	defer vmlinux.Close()
	for _, tc := range []struct {
		name, typeName string
		kind           libbpf.BTFKind
		t              libbpf.AttachType
	}{
		{"sched_switch", "btf_trace_sched_switch", libbpf.BTFKindTypedef, libbpf.AttachTypeTraceRawTP},
		{"bpf_fentry_test1", "bpf_fentry_test1", libbpf.BTFKindFunc, libbpf.AttachTypeTraceFentry},
	} {
		want, err := vmlinux.FindByNameKind(tc.typeName, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := libbpf.FindVmlinuxBTFID(tc.name, tc.t); err != nil || id != want {
			t.Errorf("FindVmlinuxBTFID(%s, %s) = %d, %v; want %d", tc.name, tc.t, id, err, want)
		}
	}
	if id, err := libbpf.FindVmlinuxBTFID("golibbpf_no_such_function", libbpf.AttachTypeTraceFentry); !errors.Is(err, unix.ENOENT) {
		t.Errorf("FindVmlinuxBTFID of a missing function = %d, %v; want ENOENT", id, err)
	}
}

// plainBTF builds raw BTF of an int, a struct of two and a pointer to it:
// kinds every kernel with BTF loads, unlike an object's BTF with its signed
// enums (6.0).
func plainBTF(t *testing.T) []byte {
	t.Helper()
	must := mustID(t)
	b := newBTF(t, nil)
	intID := must(b.AddInt("int", 4, libbpf.BTFIntSigned))
	pair := must(b.AddStruct("pair", 8))
	ok(t, b.AddField("a", intID, 0, 0))
	ok(t, b.AddField("b", intID, 32, 0))
	must(b.AddPtr(pair))
	raw, err := b.RawData()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestBTFKernelObjects loads raw BTF, finds it by id among the kernel's BTF
// objects and reads its info, and that of vmlinux where the kernel's own BTF
// has an id (5.11).
func TestBTFKernelObjects(t *testing.T) {
	testutil.RequireKernel(t)
	raw := plainBTF(t)
	before := testutil.OpenFDs(t)
	fd, err := libbpf.BTFLoad(raw, libbpf.BTFLoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	info, err := libbpf.BTFGetInfoByFD(fd)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID == 0 || info.Size != uint32(len(raw)) || info.KernelBTF || info.Name != "" {
		t.Errorf("info of loaded BTF = %+v; want an id, %d bytes, not the kernel's", info, len(raw))
	}

	var ids []uint32
	var vmlinux libbpf.BTFInfo
	for id, err := libbpf.BTFGetNextID(0); ; id, err = libbpf.BTFGetNextID(id) {
		if errors.Is(err, unix.ENOENT) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		if vmlinux.ID == 0 {
			fd, err := libbpf.BTFGetFDByID(id, libbpf.BTFGetFDByIDOptions{})
			if errors.Is(err, unix.ENOENT) {
				continue // unloaded since
			}
			if err != nil {
				t.Fatal(err)
			}
			if i, err := libbpf.BTFGetInfoByFD(fd); err == nil && i.Name == "vmlinux" {
				vmlinux = i
			}
			unix.Close(fd)
		}
	}
	found := false
	for _, id := range ids {
		found = found || id == info.ID
	}
	if !found {
		t.Errorf("BTFGetNextID walked %d ids without the loaded %d", len(ids), info.ID)
	}
	if why, lacks := testutil.KernelLacks(testutil.FeatureKernelBTFID); lacks {
		if vmlinux.ID != 0 {
			t.Errorf("BTF %+v named vmlinux where %s", vmlinux, why)
		}
	} else if !vmlinux.KernelBTF || vmlinux.Size == 0 {
		t.Errorf("vmlinux's BTF info = %+v", vmlinux)
	}
	unix.Close(fd)
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after the walk, %d before", after, before)
	}

	// Errors.
	if _, err := libbpf.BTFLoad(nil, libbpf.BTFLoadOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("BTFLoad(nil): %v, want EINVAL", err)
	}
	if _, err := libbpf.BTFLoad([]byte("not BTF at all, just some bytes"), libbpf.BTFLoadOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("BTFLoad of garbage: %v, want EINVAL", err)
	}
	if _, err := libbpf.BTFGetFDByID(1<<31, libbpf.BTFGetFDByIDOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("BTFGetFDByID of a missing id: %v, want ENOENT", err)
	}
	if _, err := libbpf.BTFGetFDByID(info.ID, libbpf.BTFGetFDByIDOptions{OpenFlags: 1 << 20}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("BTFGetFDByID with bad flags: %v, want EINVAL", err)
	}
	var errno unix.Errno
	if _, err := libbpf.BTFGetInfoByFD(-1); !errors.As(err, &errno) {
		t.Errorf("BTFGetInfoByFD(-1): %v, want an errno", err)
	}
}
