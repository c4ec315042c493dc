package btf

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// builder writes raw BTF by hand, little-endian.
type builder struct {
	types []byte
	strs  []byte
	n     uint32
}

func newBuilder() *builder { return &builder{strs: []byte{0}} }

func (b *builder) str(s string) uint32 {
	if s == "" {
		return 0
	}
	off := uint32(len(b.strs))
	b.strs = append(append(b.strs, s...), 0)
	return off
}

func (b *builder) u32(vs ...uint32) {
	for _, v := range vs {
		b.types = binary.LittleEndian.AppendUint32(b.types, v)
	}
}

func (b *builder) typ(name string, kind Kind, vlen int, kflag bool, sizeOrType uint32) uint32 {
	info := uint32(kind)<<24 | uint32(vlen)
	if kflag {
		info |= 1 << 31
	}
	b.u32(b.str(name), info, sizeOrType)
	b.n++
	return b.n
}

func (b *builder) bytes() []byte {
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint16(hdr, btfMagic)
	hdr[2] = 1
	binary.LittleEndian.PutUint32(hdr[4:], 24)
	binary.LittleEndian.PutUint32(hdr[8:], 0)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(b.types)))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(len(b.types)))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(b.strs)))
	return append(append(hdr, b.types...), b.strs...)
}

// testSpec: struct cfg { u32 pid; char name[8]; s16 delta; u8 flag:1, level:3; enum mode mode; } in a
// .data section with a bool.
func testSpec(t *testing.T) (*Spec, map[string]uint32) {
	b := newBuilder()
	ids := map[string]uint32{}
	ids["u32"] = b.typ("unsigned int", KindInt, 0, false, 4)
	b.u32(32)
	ids["char"] = b.typ("char", KindInt, 0, false, 1)
	b.u32(IntSigned<<24 | 8)
	ids["s16"] = b.typ("short", KindInt, 0, false, 2)
	b.u32(IntSigned<<24 | 16)
	ids["u8"] = b.typ("unsigned char", KindInt, 0, false, 1)
	b.u32(8)
	ids["bool"] = b.typ("_Bool", KindInt, 0, false, 1)
	b.u32(IntBool<<24 | 8)
	ids["name"] = b.typ("", KindArray, 0, false, 0)
	b.u32(ids["char"], ids["u32"], 8)
	ids["mode"] = b.typ("mode", KindEnum, 2, false, 4)
	b.u32(b.str("MODE_OFF"), 0, b.str("MODE_ON"), 7)
	ids["cfg"] = b.typ("cfg", KindStruct, 6, true, 24)
	b.u32(b.str("pid"), ids["u32"], 0)
	b.u32(b.str("name"), ids["name"], 32)
	b.u32(b.str("delta"), ids["s16"], 96)
	b.u32(b.str("flag"), ids["u8"], 1<<24|112)
	b.u32(b.str("level"), ids["u8"], 3<<24|113)
	b.u32(b.str("mode"), ids["mode"], 128)
	ids["cfgvar"] = b.typ("config", KindVar, 0, false, ids["cfg"])
	b.u32(1)
	ids["boolvar"] = b.typ("debug", KindVar, 0, false, ids["bool"])
	b.u32(1)
	ids["data"] = b.typ(".data", KindDatasec, 2, false, 32)
	b.u32(ids["cfgvar"], 0, 24, ids["boolvar"], 24, 1)
	spec, err := Parse(b.bytes())
	if err != nil {
		t.Fatal(err)
	}
	return spec, ids
}

func TestDecodeEncode(t *testing.T) {
	spec, ids := testSpec(t)
	if got := spec.TypeName(ids["name"]); got != "char[8]" {
		t.Errorf("TypeName = %q", got)
	}
	if sz, err := spec.Size(ids["data"]); err != nil || sz != 32 {
		t.Errorf("Size(.data) = %d, %v", sz, err)
	}
	data := make([]byte, 32)
	vars, err := spec.DatasecVars(ids["data"])
	if err != nil || len(vars) != 2 || vars[0].Name != "config" || vars[1].Offset != 24 {
		t.Fatalf("DatasecVars = %+v, %v", vars, err)
	}
	set := func(path, value string) error {
		off, typ, err := spec.Member(vars[0].Type, strings.Split(path, "."))
		if err != nil {
			return err
		}
		size, _ := spec.Size(typ)
		return spec.Encode(typ, value, data[off:off+size])
	}
	for path, want := range map[string]string{
		"config.nope":  `config (struct cfg) has no member "nope" (members: pid, name, delta,`,
		"config.pid.x": `config.pid is unsigned int, not a struct: it has no member "x"`,
	} {
		if _, _, err := spec.Member(vars[0].Type, strings.Split(path, ".")); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Member(%s): %v, want an error containing %q", path, err, want)
		}
	}
	for path, v := range map[string]string{"config.pid": "0x1234", "config.name": "abc", "config.delta": "-5", "config.mode": "MODE_ON"} {
		if err := set(path, v); err != nil {
			t.Fatalf("set %s=%s: %v", path, v, err)
		}
	}
	if err := spec.Encode(ids["bool"], "true", data[24:25]); err != nil {
		t.Fatal(err)
	}
	data[14] = 0b1011 // flag=1, level=0b101
	v, err := spec.Decode(ids["data"], data)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"config":{"pid":4660,"name":"abc","delta":-5,"flag":1,"level":5,"mode":"MODE_ON"},"debug":true}`
	if string(js) != want {
		t.Errorf("decoded\n got %s\nwant %s", js, want)
	}
	if got := Format(v); got != `{config={pid=4660 name="abc" delta=-5 flag=1 level=5 mode="MODE_ON"} debug=true}` {
		t.Errorf("Format = %s", got)
	}
	sum := Sum(v, v)
	if js, _ := json.Marshal(sum); !strings.Contains(string(js), `"pid":9320`) || !strings.Contains(string(js), `"name":"abc"`) {
		t.Errorf("Sum = %s", js)
	}

	for _, tc := range []struct{ path, value, want string }{
		{"config.pid", "-1", "negative"},
		{"config.pid", "4294967296", "out of range"},
		{"config.pid", "x", "unsigned 32-bit"},
		{"config.delta", "40000", "out of range"},
		{"config.name", "12345678", "does not fit"},
		{"config.mode", "MODE_MAYBE", "MODE_OFF, MODE_ON"},
		{"config.flag", "1", "bitfield"},
		{"config.nope", "1", `no member "nope"`},
		{"config.pid.x", "1", "not a struct"},
	} {
		err := set(tc.path, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("set %s=%s: %v, want an error with %q", tc.path, tc.value, err, tc.want)
		}
	}
	if err := spec.Encode(ids["bool"], "maybe", data[24:25]); !errors.Is(err, ErrValue) {
		t.Errorf("bool maybe: %v, want ErrValue", err)
	}
}

func TestParseErrors(t *testing.T) {
	spec, _ := testSpec(t)
	_ = spec
	for name, raw := range map[string][]byte{
		"short":     {0x9f, 0xeb},
		"bad magic": make([]byte, 24),
	} {
		if _, err := Parse(raw); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
	b := newBuilder()
	b.typ("x", KindStruct, 3, false, 8) // members missing
	if _, err := Parse(b.bytes()); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated struct: %v", err)
	}
}
