package btf

// ModifierCycle reports a type on a cycle of typedef, volatile, const,
// restrict and type_tag types in raw BTF, if there is one: a chain libbpf
// 1.7 follows without a bound (skip_mods_and_typedefs), so that opening an
// object with such BTF never returns (libbpf/WORKAROUNDS.md). BTF this
// package cannot decode reports no cycle: libbpf's own checks judge it.
func ModifierCycle(raw []byte) (id uint32, found bool) {
	order, types, _, err := sections(raw)
	if err != nil {
		return 0, false
	}
	// next[id] is the type a modifier or typedef refers to; 0 ends a chain
	// (type 0 is void, and other kinds are not followed).
	next := make([]uint32, 1, len(types)/12+1)
	err = walkTypes(order, types, func(_ uint32, r rawType) error {
		var target uint32
		switch r.kind() {
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
			target = r.sizeType
		}
		next = append(next, target)
		return nil
	})
	if err != nil {
		return 0, false
	}

	// Walk every chain once: 1 marks the chain being walked, 2 a type known
	// to end.
	state := make([]uint8, len(next))
	for start := range next {
		t := uint32(start)
		for t != 0 && int(t) < len(next) && state[t] == 0 {
			state[t] = 1
			t = next[t]
		}
		if t != 0 && int(t) < len(next) && state[t] == 1 {
			return t, true
		}
		for t := uint32(start); t != 0 && int(t) < len(next) && state[t] == 1; t = next[t] {
			state[t] = 2
		}
	}
	return 0, false
}
