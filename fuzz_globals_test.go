package libbpf_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// fuzzGlobals opens testdata/maps.bpf.o (no kernel needed: globals before
// Load live in libbpf's memory) for the whole fuzz run.
func fuzzGlobals(f *testing.F) (*libbpf.Object, []*libbpf.Variable, *btf.Spec) {
	f.Helper()
	obj, err := libbpf.OpenObjectFile(testutil.Object(f, "testdata/maps.bpf.o"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { obj.Close() })
	vars, err := obj.Globals()
	if err != nil {
		f.Fatal(err)
	}
	b, err := obj.BTF()
	if err != nil {
		f.Fatal(err)
	}
	raw, err := b.RawData()
	if err != nil {
		f.Fatal(err)
	}
	spec, err := btf.Parse(raw)
	if err != nil {
		f.Fatal(err)
	}
	return obj, vars, spec
}

// FuzzGlobalSetText writes arbitrary text into each global by its BTF type.
// Whatever the text: no panic; a refused text leaves the bytes as they were;
// an accepted one decodes to a value whose text writes the same bytes
// again.
func FuzzGlobalSetText(f *testing.F) {
	_, vars, spec := fuzzGlobals(f)
	for i := range vars {
		for _, s := range []string{"0", "1", "-1", "0x7f", "true", "abc", "3.5", "18446744073709551615", ""} {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, idx uint8, text string) {
		v := vars[int(idx)%len(vars)]
		if v.Section() == ".kconfig" {
			return
		}
		before, err := v.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if err := v.SetText(text); err != nil {
			if after, _ := v.Bytes(); !bytes.Equal(before, after) {
				t.Fatalf("%s: refused %q but changed %x to %x", v.Name(), text, before, after)
			}
			return
		}
		got, err := v.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		d, err := spec.Decode(v.TypeID(), got)
		if err != nil {
			t.Fatalf("%s: decode what %q wrote: %v", v.Name(), text, err)
		}
		var again string
		switch d := d.(type) {
		case int64, uint64, bool, float64, string:
			again = fmt.Sprint(d)
		default:
			return // arrays of numbers and structs take no text
		}
		if err := v.SetText(again); err != nil {
			t.Fatalf("%s: %q wrote %x, which decodes to %q, refused: %v", v.Name(), text, got, again, err)
		}
		if round, _ := v.Bytes(); !bytes.Equal(round, got) {
			t.Fatalf("%s: %q wrote %x, its decoded text %q wrote %x", v.Name(), text, got, again, round)
		}
	})
}

// FuzzGlobalSetGet writes arbitrary bytes into a struct and an array global
// and checks that Get into the Go types and Set back give the same bytes:
// the encoding/binary layout matches BTF's.
func FuzzGlobalSetGet(f *testing.F) {
	obj, _, _ := fuzzGlobals(f)
	cfg, err := obj.Global("ro_cfg")
	if err != nil {
		f.Fatal(err)
	}
	arr, err := obj.Global("data_arr")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(make([]byte, 16))
	f.Add(bytes.Repeat([]byte{0xff}, 16))
	f.Add([]byte("0123456789abcdef"))
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append(data, make([]byte, 16)...)[:16]
		var c config
		var a [4]int32
		for _, tc := range []struct {
			v   *libbpf.Variable
			out any
			in  func() any
		}{
			{cfg, &c, func() any { return c }},
			{arr, &a, func() any { return a }},
		} {
			if err := tc.v.SetBytes(data); err != nil {
				t.Fatal(err)
			}
			if err := tc.v.Get(tc.out); err != nil {
				t.Fatal(err)
			}
			if err := tc.v.SetBytes(make([]byte, 16)); err != nil {
				t.Fatal(err)
			}
			if err := tc.v.Set(tc.in()); err != nil {
				t.Fatal(err)
			}
			if got, _ := tc.v.Bytes(); !bytes.Equal(got, data) {
				t.Fatalf("%s: %x read as %+v wrote back %x", tc.v.Name(), data, tc.out, got)
			}
		}
	})
}
