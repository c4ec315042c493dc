package libbpf_test

import (
	"errors"
	"testing"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// config is struct config of testdata/maps.bpf.c, laid out as
// encoding/binary encodes it.
type config struct {
	PID     uint32
	Verbose uint8
	Pad     [3]uint8
	Limit   uint64
}

func global(t *testing.T, obj *libbpf.Object, name string) *libbpf.Variable {
	t.Helper()
	v, err := obj.Global(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// runCompute runs the compute program, which returns data_add * ro_mult +
// data_arr[3] + custom_val + ro_cfg.limit.
func runCompute(t *testing.T, obj *libbpf.Object) uint32 {
	t.Helper()
	res, err := obj.Program("compute").Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Return
}

func TestGlobals(t *testing.T) {
	obj := openTest(t, "maps")
	want := map[string]string{
		"ro_mult": ".rodata", "ro_cfg": ".rodata", "ro_name": ".rodata", "data_add": ".data", "data_arr": ".data",
		"bss_out": ".bss", "bss_runs": ".bss", "kver": ".bss", "custom_val": ".data.custom", "LINUX_KERNEL_VERSION": ".kconfig",
	}
	vars, err := obj.Globals()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name()] = v.Section()
	}
	for name, sec := range want {
		if got[name] != sec {
			t.Errorf("global %s in %q, want %q", name, got[name], sec)
		}
	}
	if _, err := obj.Global("nope"); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("Global(nope): %v, want ErrKeyNotExist", err)
	}

	// Before Load: initial values.
	mult := global(t, obj, "ro_mult")
	var m uint64
	if err := mult.Get(&m); err != nil || m != 1 {
		t.Errorf("ro_mult = %d, %v; want 1", m, err)
	}
	set := func(name string, v any) {
		t.Helper()
		if err := global(t, obj, name).Set(v); err != nil {
			t.Fatal(err)
		}
	}
	set("ro_mult", uint64(3))
	set("data_add", uint64(4))
	set("data_arr", [4]int32{0, 0, 0, 10})
	set("custom_val", uint64(1))
	cfg := global(t, obj, "ro_cfg")
	var c config
	if err := cfg.Get(&c); err != nil || c.Limit != 10 {
		t.Errorf("ro_cfg = %+v, %v; want limit 10", c, err)
	}
	limit, err := cfg.Member("limit")
	if err != nil || limit.Size() != 8 || limit.Name() != "ro_cfg.limit" {
		t.Fatalf("Member(limit) = %v, %v", limit, err)
	}
	if err := limit.Set(uint64(100)); err != nil {
		t.Fatal(err)
	}
	if err := global(t, obj, "ro_name").SetText("xyz"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"short integer":   mult.Set(uint32(1)),
		"float":           mult.Set(float64(1)),
		"struct too big":  cfg.Set(struct{ A [5]uint64 }{}),
		"no layout":       mult.Set("text"),
		"bad text":        mult.SetText("-1"),
		"bytes":           mult.SetBytes([]byte{1}),
		"missing member":  errOf(cfg.Member("nope")),
		"member of a u64": errOf(mult.Member("x")),
	} {
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("%s: %v, want EINVAL", name, err)
		}
	}
	kcfg := global(t, obj, "LINUX_KERNEL_VERSION")
	if err := kcfg.Set(uint32(1)); !errors.Is(err, libbpf.ErrReadOnly) {
		t.Errorf("set a .kconfig extern: %v, want ErrReadOnly", err)
	}

	prepareMaps(t, obj, 4)
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if got := runCompute(t, obj); got != 4*3+10+1+100 {
		t.Errorf("compute = %d, want %d", got, 4*3+10+1+100)
	}
	var out uint64
	if err := global(t, obj, "bss_out").Get(&out); err != nil || out != 4*3+10+1+100 {
		t.Errorf("bss_out = %d, %v", out, err)
	}
	// After Load: the program sees writes to .data at once.
	set("data_add", uint64(10))
	set("custom_val", uint64(2))
	if got := runCompute(t, obj); got != 10*3+10+2+100 {
		t.Errorf("compute after a live write = %d, want %d", got, 10*3+10+2+100)
	}
	var runs uint32
	if err := global(t, obj, "bss_runs").Get(&runs); err != nil || runs != 2 {
		t.Errorf("bss_runs = %d, %v; want 2", runs, err)
	}
	// .rodata is frozen; it reads as set.
	if err := mult.Set(uint64(5)); !errors.Is(err, libbpf.ErrReadOnly) {
		t.Errorf("set .rodata after Load: %v, want ErrReadOnly", err)
	}
	if err := mult.Get(&m); err != nil || m != 3 {
		t.Errorf("ro_mult after Load = %d, %v", m, err)
	}
	name, err := global(t, obj, "ro_name").Bytes()
	if err != nil || string(name[:4]) != "xyz\x00" {
		t.Errorf("ro_name = %q, %v", name, err)
	}
	var kv, seen uint32
	if err := kcfg.Get(&kv); err != nil || kv == 0 {
		t.Errorf("LINUX_KERNEL_VERSION = %d, %v", kv, err)
	}
	if err := global(t, obj, "kver").Get(&seen); err != nil || seen != kv {
		t.Errorf("kver seen by the program = %d, %v; want %d", seen, err, kv)
	}
	obj.Close()
	if err := mult.Get(&m); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
}

func errOf[T any](_ T, err error) error { return err }
