package libbpf_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// objectRawBTF returns the object's BTF in the kernel's wire format.
func objectRawBTF(obj *libbpf.Object) ([]byte, error) {
	b, err := obj.BTF()
	if err != nil {
		return nil, err
	}
	return b.RawData()
}

// vmlinuxBTF loads the kernel's BTF and closes it when the test ends.
func vmlinuxBTF(t testing.TB) *libbpf.BTF {
	t.Helper()
	b, err := libbpf.LoadVmlinuxBTF()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestVmlinuxBTFTypes(t *testing.T) {
	testutil.RequireKernel(t)
	b := vmlinuxBTF(t)
	if n := b.TypeCnt(); n < 1000 {
		t.Fatalf("TypeCnt = %d, want the kernel's thousands of types", n)
	}
	if b.Endianness() != binary.LittleEndian || b.PointerSize() != 8 || b.FD() != -1 || b.Base() != nil {
		t.Errorf("endianness %v, pointer size %d, fd %d, base %v; want little endian, 8, -1, nil",
			b.Endianness(), b.PointerSize(), b.FD(), b.Base())
	}

	// A struct, its members and their sizes.
	id, err := b.FindByNameKind("task_struct", libbpf.BTFKindStruct)
	if err != nil {
		t.Fatal(err)
	}
	task, err := b.TypeByID(id)
	if err != nil {
		t.Fatal(err)
	}
	if task.ID != id || task.Kind != libbpf.BTFKindStruct || task.Name != "task_struct" || task.Size < 1000 {
		t.Errorf("task_struct = %d %v %q size %d", task.ID, task.Kind, task.Name, task.Size)
	}
	if size, err := b.ResolveSize(id); err != nil || size != int64(task.Size) {
		t.Errorf("ResolveSize(task_struct) = %d, %v; want %d", size, err, task.Size)
	}
	if align, err := b.AlignOf(id); err != nil || align < 8 {
		t.Errorf("AlignOf(task_struct) = %d, %v", align, err)
	}
	tgid := member(t, task, "tgid")
	if size, err := b.ResolveSize(tgid.Type); err != nil || size != 4 {
		t.Errorf("tgid: size %d, %v; want 4 (pid_t)", size, err)
	}
	if tgid.BitOffset == 0 || tgid.BitOffset%32 != 0 {
		t.Errorf("tgid at bit %d, want a nonzero multiple of 32", tgid.BitOffset)
	}
	typedef, err := b.TypeByID(tgid.Type)
	if err != nil || typedef.Kind != libbpf.BTFKindTypedef || typedef.Name != "pid_t" {
		t.Errorf("tgid's type = %+v, %v; want typedef pid_t", typedef, err)
	}
	if rid, err := b.ResolveType(tgid.Type); err != nil {
		t.Error(err)
	} else if it, err := b.TypeByID(rid); err != nil || it.Kind != libbpf.BTFKindInt || it.Int == nil ||
		it.Int.Bits != 32 || it.Int.Encoding&1 == 0 {
		t.Errorf("pid_t resolves to %+v %+v, %v; want a signed 32-bit int", it, it.Int, err)
	}

	// Bitfields: struct sock's flag bits.
	id, err = b.FindByNameKind("sock", libbpf.BTFKindStruct)
	if err != nil {
		t.Fatal(err)
	}
	sock, err := b.TypeByID(id)
	if err != nil {
		t.Fatal(err)
	}
	var bitfields int
	for _, m := range sock.Members {
		if m.BitfieldSize > 0 {
			bitfields++
		}
	}
	if !sock.KindFlag || bitfields == 0 {
		t.Errorf("struct sock: kind flag %t, %d bitfields; want bitfield members", sock.KindFlag, bitfields)
	}

	// Enum values.
	id, err = b.FindByNameKind("bpf_map_type", libbpf.BTFKindEnum)
	if err != nil {
		t.Fatal(err)
	}
	enum, err := b.TypeByID(id)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := enumValue(enum, "BPF_MAP_TYPE_RINGBUF"); !ok || v != uint64(libbpf.MapTypeRingBuf) || enum.Size != 4 {
		t.Errorf("BPF_MAP_TYPE_RINGBUF = %d, %t (size %d); want %d", v, ok, enum.Size, libbpf.MapTypeRingBuf)
	}

	// A function and its prototype.
	id, err = b.FindByNameKind("vfs_read", libbpf.BTFKindFunc)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := b.TypeByID(id)
	if err != nil {
		t.Fatal(err)
	}
	proto, err := b.TypeByID(fn.Type)
	if err != nil || proto.Kind != libbpf.BTFKindFuncProto {
		t.Fatalf("vfs_read's type = %+v, %v; want a func_proto", proto, err)
	}
	var names []string
	for _, p := range proto.Params {
		names = append(names, p.Name)
	}
	if want := []string{"file", "buf", "count", "pos"}; !slices.Equal(names, want) {
		t.Errorf("vfs_read params %q, want %q", names, want)
	}
	if ret, err := b.TypeByID(proto.Type); err != nil || ret.Name != "ssize_t" {
		t.Errorf("vfs_read returns %+v, %v; want ssize_t", ret, err)
	}

	// Names by offset and by id.
	if got, err := b.FindByName("task_struct"); err != nil || got == 0 {
		t.Errorf("FindByName(task_struct) = %d, %v", got, err)
	}
	off, err := b.FindStr("task_struct")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := b.StrByOffset(off); err != nil || s != "task_struct" || b.NameByOffset(off) != s {
		t.Errorf("StrByOffset(%d) = %q, %v", off, s, err)
	}
	if _, err := b.StrByOffset(1 << 30); !errors.Is(err, unix.EINVAL) {
		t.Errorf("StrByOffset past the end: %v, want EINVAL", err)
	}

	// Errors.
	if _, err := b.FindByName("no_such_type_golibbpf"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("FindByName of a missing type: %v, want ENOENT", err)
	}
	if _, err := b.FindByNameKind("task_struct", libbpf.BTFKindUnion); !errors.Is(err, unix.ENOENT) {
		t.Errorf("FindByNameKind(task_struct, union): %v, want ENOENT", err)
	}
	if _, err := b.TypeByID(b.TypeCnt()); !errors.Is(err, unix.EINVAL) {
		t.Errorf("TypeByID past the last id: %v, want EINVAL", err)
	}
	if void, err := b.TypeByID(0); err != nil || void.Kind != libbpf.BTFKindUnknown {
		t.Errorf("TypeByID(0) = %+v, %v; want void", void, err)
	}
}

func member(t *testing.T, typ *libbpf.BTFType, name string) libbpf.BTFMember {
	t.Helper()
	for _, m := range typ.Members {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("%s has no member %s", typ.Name, name)
	return libbpf.BTFMember{}
}

func enumValue(typ *libbpf.BTFType, name string) (uint64, bool) {
	for _, v := range typ.Values {
		if v.Name == name {
			return v.Value, true
		}
	}
	return 0, false
}

func TestBTFFromFilesAndBytes(t *testing.T) {
	testutil.RequireKernel(t)
	vmlinux := vmlinuxBTF(t)
	raw, err := vmlinux.RawData()
	if err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func() (*libbpf.BTF, error){
		"ParseBTF":        func() (*libbpf.BTF, error) { return libbpf.ParseBTF("/sys/kernel/btf/vmlinux", nil) },
		"ParseBTFRaw":     func() (*libbpf.BTF, error) { return libbpf.ParseBTFRaw("/sys/kernel/btf/vmlinux", nil) },
		"NewBTFFromBytes": func() (*libbpf.BTF, error) { return libbpf.NewBTFFromBytes(raw, nil) },
	} {
		b, err := open()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b.TypeCnt() != vmlinux.TypeCnt() {
			t.Errorf("%s: %d types, vmlinux has %d", name, b.TypeCnt(), vmlinux.TypeCnt())
		}
		b.Close()
		if b.TypeCnt() != 0 || b.Close() != nil {
			t.Errorf("%s: a closed BTF has %d types or fails a second Close", name, b.TypeCnt())
		}
		if _, err := b.TypeByID(1); !errors.Is(err, libbpf.ErrClosed) {
			t.Errorf("%s: TypeByID after Close: %v, want ErrClosed", name, err)
		}
	}

	// An ELF object's .BTF section, by both parsers.
	path := testutil.Object(t, "testdata/core.bpf.o")
	for name, parse := range map[string]func(string, *libbpf.BTF) (*libbpf.BTF, error){
		"ParseBTF": libbpf.ParseBTF, "ParseBTFELF": libbpf.ParseBTFELF,
	} {
		b, err := parse(path, nil)
		if err != nil {
			t.Fatalf("%s(%s): %v", name, path, err)
		}
		if _, err := b.FindByNameKind("read_tgid", libbpf.BTFKindFunc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		b.Close()
	}

	// Split BTF over vmlinux: a raw file holding only vmlinux's header and
	// no types of its own.
	split, err := libbpf.NewBTFFromBytes(emptyRawBTF(), vmlinux)
	if err != nil {
		t.Fatal(err)
	}
	defer split.Close()
	if split.Base() != vmlinux || split.TypeCnt() != vmlinux.TypeCnt() {
		t.Errorf("split BTF: base %p (want %p), %d types (want %d)", split.Base(), vmlinux, split.TypeCnt(), vmlinux.TypeCnt())
	}
	if id, err := split.FindByNameKind("task_struct", libbpf.BTFKindStruct); err != nil || id == 0 {
		t.Errorf("split BTF finds its base's task_struct: %d, %v", id, err)
	}

	// Bad input.
	if _, err := libbpf.ParseBTF("", nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("ParseBTF(\"\"): %v, want EINVAL", err)
	}
	if _, err := libbpf.ParseBTF(filepath.Join(t.TempDir(), "missing"), nil); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ParseBTF of a missing file: %v, want ENOENT", err)
	}
	if _, err := libbpf.NewBTFFromBytes(nil, nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("NewBTFFromBytes(nil): %v, want EINVAL", err)
	}
	if _, err := libbpf.NewBTFFromBytes([]byte("not BTF at all, just some bytes"), nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("NewBTFFromBytes of garbage: %v, want EINVAL", err)
	}
	closed := vmlinuxBTF(t)
	closed.Close()
	if _, err := libbpf.NewBTFFromBytes(raw, closed); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("NewBTFFromBytes on a closed base: %v, want ErrClosed", err)
	}
}

// emptyRawBTF is a BTF header with no types and an empty string section.
func emptyRawBTF() []byte {
	var b []byte
	b = binary.NativeEndian.AppendUint16(b, 0xeb9f)
	b = append(b, 1, 0)                         // version, flags
	b = binary.NativeEndian.AppendUint32(b, 24) // hdr_len
	b = binary.NativeEndian.AppendUint32(b, 0)  // type_off
	b = binary.NativeEndian.AppendUint32(b, 0)  // type_len
	b = binary.NativeEndian.AppendUint32(b, 0)  // str_off
	b = binary.NativeEndian.AppendUint32(b, 1)  // str_len
	return append(b, 0)
}

func TestModuleBTF(t *testing.T) {
	testutil.RequireKernel(t)
	before := testutil.OpenFDs(t)
	if _, err := libbpf.LoadModuleBTF("no_such_module_golibbpf", nil); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LoadModuleBTF of a missing module: %v, want ENOENT", err)
	}
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%d fds open after a failed LoadModuleBTF, %d before", after, before)
	}
	entries, err := os.ReadDir("/sys/kernel/btf")
	if err != nil {
		t.Fatal(err)
	}
	var module string
	for _, e := range entries {
		if e.Name() != "vmlinux" {
			module = e.Name()
			break
		}
	}
	if module == "" {
		testutil.RequireFeature(t, testutil.FeatureModuleBTF)
		t.Skip("no kernel module with BTF is loaded (this kernel has its drivers built in)")
	}
	vmlinux := vmlinuxBTF(t)
	for _, base := range []*libbpf.BTF{vmlinux, nil} {
		b, err := libbpf.LoadModuleBTF(module, base)
		if err != nil {
			t.Fatal(err)
		}
		if b.TypeCnt() <= vmlinux.TypeCnt() || b.Base() == nil {
			t.Errorf("module %s: %d types, vmlinux %d; base %v", module, b.TypeCnt(), vmlinux.TypeCnt(), b.Base())
		}
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestObjectBTF(t *testing.T) {
	obj := openTest(t, "core")
	b, err := obj.BTF()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := obj.BTF(); again != b {
		t.Error("BTF returns a new value on each call")
	}
	raw, err := b.RawData()
	if err != nil || binary.NativeEndian.Uint16(raw) != 0xeb9f {
		t.Fatalf("RawData: %d bytes, %v", len(raw), err)
	}
	m := obj.Map("seen")
	val, err := b.TypeByID(m.ValueTypeID())
	if err != nil || val.Name != "__u64" {
		t.Errorf("the seen map's value type = %+v, %v; want __u64", val, err)
	}
	if b.Close() != nil {
		t.Error("Close of an object's BTF failed")
	}
	if _, err := b.TypeByID(m.ValueTypeID()); err != nil {
		t.Errorf("an object's BTF after its own Close: %v; want it usable until the object closes", err)
	}
	obj.Close()
	if _, err := b.TypeByID(1); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("TypeByID after the object's Close: %v, want ErrClosed", err)
	}
	if _, err := obj.BTF(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("BTF of a closed object: %v, want ErrClosed", err)
	}
}

func TestBTFLoadIntoKernel(t *testing.T) {
	obj := openTest(t, "core")
	raw, err := objectRawBTF(obj)
	if err != nil {
		t.Fatal(err)
	}
	b, err := libbpf.NewBTFFromBytes(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// core.bpf.o's BTF has a signed enum, which older kernels refuse.
	if why, lacks := testutil.KernelLacks(testutil.FeatureBTFEnum64); lacks {
		if err := b.LoadIntoKernel(); !errors.Is(err, unix.EINVAL) || b.FD() >= 0 {
			t.Errorf("LoadIntoKernel where %s: %v, fd %d; want EINVAL and no fd", why, err, b.FD())
		}
		return
	}
	if err := b.LoadIntoKernel(); err != nil {
		t.Fatal(err)
	}
	if b.FD() < 0 {
		t.Fatalf("FD after LoadIntoKernel = %d", b.FD())
	}
	id := btfID(t, b.FD())
	k, err := libbpf.LoadBTFFromKernelByID(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if k.TypeCnt() != b.TypeCnt() {
		t.Errorf("BTF %d from the kernel: %d types, fd %d; loaded %d types", id, k.TypeCnt(), k.FD(), b.TypeCnt())
	}
	if _, err := k.FindByNameKind("read_tgid", libbpf.BTFKindFunc); err != nil {
		t.Error(err)
	}
	if _, err := libbpf.LoadBTFFromKernelByID(1<<31, nil); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LoadBTFFromKernelByID of a missing id: %v, want ENOENT", err)
	}
}

// btfID asks the kernel for the id of the BTF object fd.
func btfID(t *testing.T, fd int) uint32 {
	return binary.NativeEndian.Uint32(objInfo(t, fd)[12:]) // struct bpf_btf_info's id
}

// TestDumpCHeader writes vmlinux.h from the kernel's BTF, compiles a CO-RE
// program against it with clang, loads it and sees it read the calling
// process's tgid through relocated offsets.
func TestDumpCHeader(t *testing.T) {
	testutil.RequireKernel(t)
	clang, err := exec.LookPath("clang-19")
	if err != nil {
		testutil.SkipOrFail(t, "clang-19 is needed to compile against the generated header: %v", err)
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "vmlinux.h"))
	if err != nil {
		t.Fatal(err)
	}
	if err := vmlinuxBTF(t).DumpCHeader(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	header, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#ifndef __VMLINUX_H__\n", "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n",
		"struct task_struct {\n", "#endif /* __VMLINUX_H__ */\n"} {
		if !bytes.Contains(header, []byte(want)) {
			t.Errorf("the generated vmlinux.h lacks %q", want)
		}
	}

	root := testutil.RepoRoot()
	obj := filepath.Join(dir, "core.bpf.o")
	cmd := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall", "-Werror",
		"-I", dir, "-I", filepath.Join(root, "libbpf/build/include"), "-idirafter", "/usr/include/x86_64-linux-gnu",
		"-c", filepath.Join(root, "testdata/core.bpf.c"), "-o", obj)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	o, err := libbpf.OpenObjectFile(obj, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Load(); err != nil {
		t.Fatal(err)
	}
	if err := o.Attach(); err != nil {
		t.Fatal(err)
	}
	seen := o.Map("seen")
	v := make([]byte, 8)
	deadline := time.Now().Add(10 * time.Second)
	for {
		unix.Getppid()
		if err := seen.Lookup(u32(0), v); err != nil {
			t.Fatal(err)
		}
		if binary.NativeEndian.Uint64(v) == uint64(os.Getpid()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the CO-RE program saw tgid %d, want %d", binary.NativeEndian.Uint64(v), os.Getpid())
		}
		time.Sleep(time.Millisecond)
	}
	if err := seen.Lookup(u32(1), v); err != nil || binary.NativeEndian.Uint64(v) != 1 {
		t.Errorf("bpf_core_field_exists(task->tgid) = %d, %v; want 1", binary.NativeEndian.Uint64(v), err)
	}
}

func TestBTFDump(t *testing.T) {
	testutil.RequireKernel(t)
	b := vmlinuxBTF(t)
	var out bytes.Buffer
	d, err := libbpf.NewBTFDump(b, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	fn, err := b.FindByNameKind("vfs_read", libbpf.BTFKindFunc)
	if err != nil {
		t.Fatal(err)
	}
	vfsRead, _ := b.TypeByID(fn)
	if err := d.EmitTypeDecl(vfsRead.Type, libbpf.EmitTypeDeclOptions{FieldName: "vfs_read"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)"; got != want {
		t.Errorf("EmitTypeDecl = %q, want %q", got, want)
	}

	out.Reset()
	ts, err := b.FindByNameKind("__kernel_timespec", libbpf.BTFKindStruct)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.DumpType(ts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "struct __kernel_timespec {\n\t__kernel_time64_t tv_sec;\n\tlong long int tv_nsec;\n};") {
		t.Errorf("DumpType(__kernel_timespec) =\n%s", out.String())
	}

	out.Reset()
	data := binary.NativeEndian.AppendUint64(binary.NativeEndian.AppendUint64(nil, 7), 9)
	n, err := d.DumpTypeData(ts, data, libbpf.DumpTypeDataOptions{Compact: true})
	if err != nil || n != 16 {
		t.Fatalf("DumpTypeData = %d, %v; want 16", n, err)
	}
	if got, want := out.String(), "(struct __kernel_timespec){.tv_sec = (__kernel_time64_t)7,.tv_nsec = (long long int)9,}"; got != want {
		t.Errorf("DumpTypeData = %q, want %q", got, want)
	}
	if _, err := d.DumpTypeData(ts, data[:8], libbpf.DumpTypeDataOptions{}); !errors.Is(err, unix.E2BIG) {
		t.Errorf("DumpTypeData of too little data: %v, want E2BIG", err)
	}
	if err := d.DumpType(b.TypeCnt()); !errors.Is(err, unix.EINVAL) {
		t.Errorf("DumpType past the last id: %v, want EINVAL", err)
	}
	d.Close()
	if err := d.DumpType(ts); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("DumpType after Close: %v, want ErrClosed", err)
	}
	if _, err := libbpf.NewBTFDump(b, nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("NewBTFDump with a nil writer: %v, want EINVAL", err)
	}
}
