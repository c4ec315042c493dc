package btf

import "testing"

// TestModifierCycle checks what the cyclic-BTF guard of Open refuses: a
// chain of modifiers and typedefs that comes back on itself, and nothing
// else (struct members and pointers are not followed, dangling ids end a
// chain, what is not BTF has no cycle).
func TestModifierCycle(t *testing.T) {
	type typ struct {
		kind Kind
		vlen int
		ref  uint32
	}
	raw := func(types ...typ) []byte {
		b := newBuilder()
		for _, tt := range types {
			b.typ("", tt.kind, tt.vlen, false, tt.ref)
			n, _ := TrailerSize(tt.kind, tt.vlen)
			b.types = append(b.types, make([]byte, n)...)
		}
		return b.bytes()
	}
	tests := []struct {
		name  string
		types []typ
		cycle uint32 // 0: none
	}{
		{"chains ending in void and int", []typ{{KindInt, 0, 4}, {KindConst, 0, 1}, {KindTypedef, 0, 2}, {KindVolatile, 0, 0}}, 0},
		{"struct members and pointers are not followed", []typ{{KindStruct, 2, 8}, {KindPtr, 0, 2}, {KindTypedef, 0, 2}}, 0},
		{"dangling id", []typ{{KindConst, 0, 99}}, 0},
		{"typedef of itself", []typ{{KindInt, 0, 4}, {KindTypedef, 0, 2}}, 2},
		{"const and volatile of each other", []typ{{KindConst, 0, 2}, {KindVolatile, 0, 1}}, 1},
		{"cycle behind a chain", []typ{{KindRestrict, 0, 2}, {KindTypeTag, 0, 3}, {KindConst, 0, 2}}, 2},
	}
	for _, tt := range tests {
		id, found := ModifierCycle(raw(tt.types...))
		if found != (tt.cycle != 0) || id != tt.cycle {
			t.Errorf("%s: cycle at %d (%v), want at %d", tt.name, id, found, tt.cycle)
		}
	}
	for _, junk := range [][]byte{nil, []byte("not btf"), raw(typ{31, 0, 0}), raw(typ{KindConst, 0, 1})[:30]} {
		if id, found := ModifierCycle(junk); found {
			t.Errorf("%q: cycle at %d reported in what is not BTF", junk, id)
		}
	}
}
