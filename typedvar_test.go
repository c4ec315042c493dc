package libbpf_test

import (
	"errors"
	"testing"

	"github.com/golibbpf/libbpf"
	"golang.org/x/sys/unix"
)

// TestTypedVariable reads and writes globals of maps.bpf.o as Go types,
// before Load (initial values) and after (the live maps), and checks the
// errors for a wrong size, a wrong section or name, and .rodata after Load.
func TestTypedVariable(t *testing.T) {
	obj := openTest(t, "maps")
	cfg, err := libbpf.NewTypedVariable[config](obj, ".rodata", "ro_cfg")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := cfg.Get(); err != nil || got.Limit != 10 {
		t.Errorf("ro_cfg = %+v, %v; want limit 10", got, err)
	}
	if cfg.Variable().Name() != "ro_cfg" {
		t.Errorf("Variable().Name() = %q", cfg.Variable().Name())
	}
	custom, err := libbpf.NewTypedVariable[uint64](obj, ".data.custom", "custom_val")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := libbpf.NewTypedVariable[uint32](obj, ".data.custom", "custom_val"); !errors.Is(err, unix.EINVAL) {
		t.Errorf("a uint32 for a __u64: %v, want EINVAL", err)
	}
	if _, err := libbpf.NewTypedVariable[uint64](obj, ".data", "custom_val"); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("custom_val in .data: %v, want ErrKeyNotExist", err)
	}
	var zero libbpf.TypedVariable[uint64]
	if _, err := zero.Get(); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Get on the zero TypedVariable: %v, want EINVAL", err)
	}

	if err := cfg.Set(config{Limit: 20}); err != nil {
		t.Fatal(err)
	}
	if err := custom.Set(100); err != nil {
		t.Fatal(err)
	}
	prepareMaps(t, obj, 4)
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	// compute returns data_add * ro_mult + data_arr[3] + custom_val + ro_cfg.limit.
	if got := runCompute(t, obj); got != 5*1+4+100+20 {
		t.Errorf("compute = %d, want %d", got, 5*1+4+100+20)
	}
	if err := custom.Set(1000); err != nil {
		t.Fatal(err)
	}
	if got := runCompute(t, obj); got != 5*1+4+1000+20 {
		t.Errorf("compute after a live write = %d, want %d", got, 5*1+4+1000+20)
	}
	if err := cfg.Set(config{}); !errors.Is(err, libbpf.ErrReadOnly) {
		t.Errorf(".rodata Set after Load: %v, want ErrReadOnly", err)
	}
	obj.Close()
	if _, err := custom.Get(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
}
