package libbpf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// mustID returns a function that returns an id, failing t on an error.
func mustID(t *testing.T) func(uint32, error) uint32 {
	return func(id uint32, err error) uint32 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
}

// newBTF returns new empty BTF on base (nil: none), closed when the test
// ends.
func newBTF(t *testing.T, base *libbpf.BTF) *libbpf.BTF {
	t.Helper()
	b, err := libbpf.NewEmptyBTF(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestBTFWrite builds BTF with every writer, dumps it as C, dedups and
// permutes it, and loads it into the kernel.
func TestBTFWrite(t *testing.T) {
	testutil.RequireKernel(t)
	must := mustID(t)
	b := newBTF(t, nil)
	intID := must(b.AddInt("int", 4, libbpf.BTFIntSigned))
	u64 := must(b.AddInt("unsigned long long", 8, 0))
	dbl := must(b.AddFloat("double", 8))
	ptr := must(b.AddPtr(intID))
	arr := must(b.AddArray(intID, intID, 4))
	pair := must(b.AddStruct("pair", 24))
	ok(t, b.AddField("a", intID, 0, 0))
	ok(t, b.AddField("flag", intID, 32, 1))
	ok(t, b.AddField("p", ptr, 64, 0))
	ok(t, b.AddField("d", dbl, 128, 0))
	must(b.AddUnion("either", 16))
	ok(t, b.AddField("n", intID, 0, 0))
	ok(t, b.AddField("a", arr, 0, 0))
	must(b.AddEnum("color", 4))
	ok(t, b.AddEnumValue("RED", -1))
	ok(t, b.AddEnumValue("GREEN", 2))
	big := must(b.AddEnum64("big", 8, false))
	ok(t, b.AddEnum64Value("HUGE", 1<<40))
	must(b.AddFwd("later", libbpf.BTFFwdStruct))
	td := must(b.AddTypedef("myint", intID))
	cst := must(b.AddConst(td))
	must(b.AddVolatile(intID))
	must(b.AddRestrict(ptr))
	must(b.AddTypeTag("user", intID))
	must(b.AddTypeAttr("aligned(8)", intID))
	proto := must(b.AddFuncProto(intID))
	ok(t, b.AddFuncParam("x", cst))
	ok(t, b.AddFuncParam("p", pair))
	fn := must(b.AddFunc("combine", libbpf.BTFLinkageGlobal, proto))
	must(b.AddDeclTag("hot", fn, -1))
	must(b.AddDeclAttr("noinline", fn, -1))
	v := must(b.AddVar("counter", libbpf.BTFLinkageGlobal, u64))
	must(b.AddDatasec(".data", 8))
	ok(t, b.AddDatasecVarInfo(v, 0, 8))
	off := must(b.AddStr("extra"))
	if s, err := b.StrByOffset(off); err != nil || s != "extra" {
		t.Errorf("AddStr's offset %d holds %q, %v", off, s, err)
	}

	pt, err := b.TypeByID(pair)
	if err != nil || len(pt.Members) != 4 || pt.Members[1].BitfieldSize != 1 || pt.Members[3].BitOffset != 128 || !pt.KindFlag {
		t.Errorf("struct pair = %+v, %v", pt, err)
	}
	if bt, err := b.TypeByID(big); err != nil || bt.Kind != libbpf.BTFKindEnum64 || len(bt.Values) != 1 || bt.Values[0].Value != 1<<40 {
		t.Errorf("enum big = %+v, %v; want enum64 HUGE = 1<<40", bt, err)
	}
	if id, err := b.FindByNameKind("color", libbpf.BTFKindEnum); err != nil {
		t.Error(err)
	} else if ct, _ := b.TypeByID(id); len(ct.Values) != 2 || int64(ct.Values[0].Value) != -1 {
		t.Errorf("enum color = %+v; want RED = -1", ct.Values)
	}

	var out bytes.Buffer
	d, err := libbpf.NewBTFDump(b, &out)
	if err != nil {
		t.Fatal(err)
	}
	ok(t, d.DumpType(pair))
	ok(t, d.EmitTypeDecl(proto, libbpf.EmitTypeDeclOptions{FieldName: "combine"}))
	d.Close()
	for _, want := range []string{"struct pair {\n\tint a;\n\tint flag: 1;\n\tint *p;\n\tdouble d;\n};", "int combine(const myint x, struct pair p)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the dump lacks %q:\n%s", want, out.String())
		}
	}

	// The same types once more from a copy, then dedup.
	raw, err := b.RawData()
	if err != nil {
		t.Fatal(err)
	}
	c, err := libbpf.NewBTFFromBytes(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := b.AddBTF(b); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddBTF of itself: %v, want EINVAL", err)
	}
	n := b.TypeCnt()
	first := must(b.AddBTF(c))
	if first != n || b.TypeCnt() != 2*n-1 {
		t.Fatalf("AddBTF: first id %d, %d types; want %d, %d", first, b.TypeCnt(), n, 2*n-1)
	}
	copied := must(b.AddType(c, intID))
	if ct, _ := b.TypeByID(copied); ct.Name != "int" {
		t.Errorf("AddType copied %+v", ct)
	}
	ok(t, b.Dedup())
	var pairs int
	for id := uint32(1); id < b.TypeCnt(); id++ {
		if ty, _ := b.TypeByID(id); ty.Name == "pair" {
			pairs++
		}
	}
	if b.TypeCnt() >= 2*n-1 || pairs != 1 {
		t.Errorf("%d types and %d struct pair after Dedup; want fewer than %d and one", b.TypeCnt(), pairs, 2*n-1)
	}

	// Swap ids 1 and 2 (int and unsigned long long).
	idMap := make([]uint32, b.TypeCnt())
	for i := range idMap {
		idMap[i] = uint32(i)
	}
	idMap[intID], idMap[u64] = u64, intID
	ok(t, b.Permute(idMap))
	if it, _ := b.TypeByID(u64); it.Name != "int" {
		t.Errorf("type %d after Permute is %q, want int", u64, it.Name)
	}
	if err := b.Permute(idMap[:3]); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Permute with a short map: %v, want EINVAL", err)
	}

	// The kernel accepts it, where it knows enum64 and the attribute forms
	// of type and declaration tags; an older one refuses it cleanly.
	if why, lacks := testutil.KernelLacks(testutil.FeatureBTFTagAttrs); lacks {
		if err := b.LoadIntoKernel(); !errors.Is(err, unix.EINVAL) || b.FD() >= 0 {
			t.Errorf("LoadIntoKernel where %s: %v, fd %d; want EINVAL and no fd", why, err, b.FD())
		}
	} else {
		ok(t, b.LoadIntoKernel())
		if b.FD() < 0 {
			t.Error("no fd after LoadIntoKernel")
		}
	}

	// Bad input.
	must(b.AddPtr(intID)) // the BTF stays writable after Permute
	if _, err := b.AddInt("", 4, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddInt without a name: %v, want EINVAL", err)
	}
	if _, err := b.AddStruct("", 0); err != nil {
		t.Errorf("an anonymous struct: %v", err)
	}
	empty, _ := libbpf.NewEmptyBTF(nil)
	if err := empty.AddField("x", 1, 0, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AddField without a struct: %v, want EINVAL", err)
	}
	empty.Close()
	if _, err := empty.AddInt("int", 4, 0); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("AddInt on a closed BTF: %v, want ErrClosed", err)
	}
}

// rivals counts the other types of b that libbpf 1.7's relocation takes for
// candidates of a distilled struct id: structs of its name and size, and
// forward declarations of its name (btf_relocate.c matches a distilled
// struct to a base fwd without looking at the base type's kind).
func rivals(t *testing.T, b *libbpf.BTF, id uint32) int {
	t.Helper()
	want, err := b.TypeByID(id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := uint32(1); i < b.TypeCnt(); i++ {
		typ, err := b.TypeByID(i)
		if err != nil || i == id || typ.Name != want.Name {
			continue
		}
		if typ.Kind == libbpf.BTFKindFwd || typ.Kind == want.Kind && typ.Size == want.Size {
			n++
		}
	}
	return n
}

// TestBTFSplitDistillRelocate makes split BTF over vmlinux that refers to
// task_struct, distills a minimal base from it and relocates the split BTF
// back onto vmlinux.
func TestBTFSplitDistillRelocate(t *testing.T) {
	testutil.RequireKernel(t)
	must := mustID(t)
	vmlinux := vmlinuxBTF(t)
	task := must(vmlinux.FindByNameKind("task_struct", libbpf.BTFKindStruct))
	split := newBTF(t, vmlinux)
	ptr := must(split.AddPtr(task))
	if ptr != vmlinux.TypeCnt() {
		t.Errorf("the first split type has id %d, want %d", ptr, vmlinux.TypeCnt())
	}
	base, split2, err := split.DistillBase()
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	defer split2.Close()
	if base.TypeCnt() >= 100 || split2.Base() != base {
		t.Errorf("distilled base: %d types; split's base %p, want %p", base.TypeCnt(), split2.Base(), base)
	}
	if _, err := base.FindByName("task_struct"); err != nil {
		t.Errorf("the distilled base lacks task_struct: %v", err)
	}
	if n := rivals(t, vmlinux, task); n > 0 {
		// This kernel's BTF also declares task_struct forward (5.10 on
		// arm64): relocation finds two candidates and refuses.
		if err := split2.Relocate(vmlinux); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Relocate onto a base with %d more candidates for task_struct: %v, want EINVAL", n, err)
		}
	} else {
		ok(t, split2.Relocate(vmlinux))
		if split2.Base() != vmlinux {
			t.Error("Base after Relocate is not vmlinux")
		}
		id, err := split2.FindByNameKind("task_struct", libbpf.BTFKindStruct)
		if err != nil || id != task {
			t.Errorf("task_struct after Relocate: %d, %v; want vmlinux's %d", id, err, task)
		}
	}
	if _, _, err := vmlinux.DistillBase(); !errors.Is(err, unix.EINVAL) {
		t.Errorf("DistillBase of base BTF: %v, want EINVAL", err)
	}
}
