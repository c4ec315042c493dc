package skeltest

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

func openTypes(t *testing.T) *Types {
	t.Helper()
	s, err := OpenTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get[T any](t *testing.T, v libbpf.TypedVariable[T]) T {
	t.Helper()
	x, err := v.Get()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestTypesInitialValues reads the C initializers of types.bpf.c through
// the generated types: every bitfield, union view, padded, anonymous,
// packed and nested member lands where C put it.
func TestTypesInitialValues(t *testing.T) {
	s := openTypes(t)

	b := get(t, s.Data.GBits)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"a", b.A(), uint32(5)}, {"b", b.B(), int32(-3)}, {"c", b.C(), uint32(0xabcde)}, {"flag", b.Flag, uint8(0x7f)},
		{"wide", b.Wide(), uint64(0x123456789a)}, {"neg", b.Neg(), int64(-1000)}, {"col", b.Col(), TypesColorGreen},
	} {
		if c.got != c.want {
			t.Errorf("g_bits.%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	v := get(t, s.Data.GValue)
	if h := v.Half(); h.Lo != 0x1111 || h.Hi != 0x2222 || *v.U() != 0x22221111 {
		t.Errorf("g_value: half %+v, u %#x; want lo 0x1111, hi 0x2222, u 0x22221111", *h, *v.U())
	}

	p := get(t, s.Data.GPadded)
	if p.Tag != 9 || p.Count != 1<<40 || p.Port != 443 || p.Addr != [4]uint32{1, 2, 3, 4} || p.X != 77 || p.Y != 78 ||
		*p.AsU32() != 0xdeadbeef || p.AsU16()[1] != 0xdead || p.Nested.S != -5 || p.Nested.T != 6 ||
		p.Color != TypesColorBlue || string(p.Name[:4]) != "abcd" {
		t.Errorf("g_padded = %+v", p)
	}

	k := get(t, s.Data.GPacked)
	if k.A != 1 || binary.LittleEndian.Uint64(k.B[:]) != 0x0102030405060708 || binary.LittleEndian.Uint16(k.C[:]) != 0x0a0b {
		t.Errorf("g_packed = %+v", k)
	}

	items := get(t, s.Data.GItems)
	if items[0].Id != 1 || *items[0].V.U() != 10 || items[1].Id != 2 || *items[1].V.I() != [2]int32{-1, -2} {
		t.Errorf("g_items = %+v", items)
	}
	if got := get(t, s.Data.GBig); got != TypesBigHuge {
		t.Errorf("g_big = %d, want %d", got, TypesBigHuge)
	}
	if got := get(t, s.Data.GNamed); got != (TypesRodata2{NotASection: 11}) {
		t.Errorf("g_named = %+v (struct rodata, renamed past the .rodata section's type)", got)
	}
	low := get(t, s.Data.GLow)
	if *low.All() != 0x35 || low.Anon2().Lo() != 5 || low.Anon2().Hi() != 3 {
		t.Errorf("g_low: all %#x, lo %d, hi %d; want 0x35, 5, 3", *low.All(), low.Anon2().Lo(), low.Anon2().Hi())
	}
	if got := get(t, s.Rodata.GKey); got != (TypesPidCpu{Pid: 42, Cpu: 3}) {
		t.Errorf("g_key = %+v", got)
	}
}

// TestBitfieldSetters checks that each setter changes its bits only, and
// that the bytes are what C would hold.
func TestBitfieldSetters(t *testing.T) {
	s := openTypes(t)
	b := get(t, s.Data.GBits)
	b.SetB(-7)
	b.SetC(0x12345)
	b.SetNeg(1 << 22)
	b.SetCol(TypesColorBlue)
	b.SetWide(1<<41 | 3) // bit 41 is beyond the 40 bits: dropped
	if b.A() != 5 || b.B() != -7 || b.C() != 0x12345 || b.Flag != 0x7f || b.Neg() != 1<<22 || b.Col() != TypesColorBlue || b.Wide() != 3 {
		t.Errorf("after the setters: a %d b %d c %#x flag %#x neg %d col %d wide %#x", b.A(), b.B(), b.C(), b.Flag, b.Neg(), b.Col(), b.Wide())
	}
	b.SetNeg(-(1 << 23)) // the smallest 24-bit value
	if b.Neg() != -(1<<23) || b.Col() != TypesColorBlue {
		t.Errorf("neg %d col %d, want %d and %d", b.Neg(), b.Col(), -(1 << 23), TypesColorBlue)
	}
	raw, _ := b.MarshalBinary()
	// a=5 (bits 0-2), b=-7 (bits 3-7: 11001), pad (8-11), c=0x12345 (12-31).
	if got := binary.LittleEndian.Uint32(raw); got != 5|0x19<<3|0x12345<<12 {
		t.Errorf("first word %#x", got)
	}
	if err := s.Data.GBits.Set(b); err != nil {
		t.Fatal(err)
	}
	mem, err := s.Data.GBits.Variable().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if string(mem) != string(raw) {
		t.Errorf("variable bytes %x, want %x", mem, raw)
	}
}

// TestTypesRunInKernel sets globals and a map entry through the generated
// types, then runs the program, which reads them in C: the sum it returns
// and the .bss value it writes show that the kernel sees Go's layout.
func TestTypesRunInKernel(t *testing.T) {
	testutil.RequireKernel(t)
	testutil.RequireFeature(t, testutil.FeatureSyscallProg)
	s := openTypes(t)

	b := get(t, s.Data.GBits)
	b.SetA(2)
	must(t, s.Data.GBits.Set(b))
	v := get(t, s.Data.GValue)
	v.I()[0] = 10
	must(t, s.Data.GValue.Set(v))
	p := get(t, s.Data.GPadded)
	p.X = 100
	must(t, s.Data.GPadded.Set(p))
	k := get(t, s.Data.GPacked)
	binary.LittleEndian.PutUint16(k.C[:], 5)
	must(t, s.Data.GPacked.Set(k))
	items := get(t, s.Data.GItems)
	items[1].Id = 7
	must(t, s.Data.GItems.Set(items))
	must(t, s.Data.GBig.Set(1000))
	key := TypesPidCpu{Pid: 1, Cpu: 2}
	must(t, s.Rodata.GKey.Set(key))

	must(t, s.Load())
	if err := s.Rodata.GKey.Set(key); !errors.Is(err, libbpf.ErrReadOnly) {
		t.Errorf(".rodata set after load: %v, want ErrReadOnly", err)
	}
	kb, _ := key.MarshalBinary()
	item := TypesItemT{Id: 33}
	ib, _ := item.MarshalBinary()
	must(t, s.Maps.Items.Update(kb, ib, 0))

	res, err := s.Progs.Touch.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint32(2 + 10 + 100 + 5 + 7 + 1000); res.Return != want {
		t.Errorf("program sum %d, want %d", res.Return, want)
	}
	if got := get(t, s.BSS.GZero); got != 33 {
		t.Errorf("g_zero = %d after the run, want 33 (the item under the .rodata key)", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
