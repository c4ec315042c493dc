package libbpf

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// TypedVariable is a global variable seen as the Go type T: the accessor
// that the skeletons cmd/bpfskel generates give for every variable of
// .rodata, .data, .bss and .kconfig, the twin of C's skel->bss->name. Get
// and Set copy T's bytes from and to the variable's memory (its initial
// value before Load, the mmap'd map after), without reflection; the rules
// of Variable apply (.rodata is frozen by Load, .kconfig is libbpf's).
//
// T must be a pointer-free type with the variable's C layout, as bpfskel
// generates them; NewTypedVariable checks its size against the BTF.
type TypedVariable[T any] struct {
	v *Variable
}

// NewTypedVariable finds the global variable name of section (".bss",
// ".rodata.str", ...) in o and checks that T has its size and that the
// object's byte order is the host's.
func NewTypedVariable[T any](o *Object, section, name string) (TypedVariable[T], error) {
	vars, err := o.Globals()
	if err != nil {
		return TypedVariable[T]{}, err
	}
	for _, v := range vars {
		if v.section != section || v.name != name {
			continue
		}
		var zero T
		if size := unsafe.Sizeof(zero); size != uintptr(v.size) {
			return TypedVariable[T]{}, fmt.Errorf("object %q: global %s (%s): %T is %d bytes, its BTF type %s is %d: %w",
				o.name, name, section, zero, size, v.TypeName(), v.size, errInvalidArgument)
		}
		if v.spec.ByteOrder() != hostByteOrder() {
			return TypedVariable[T]{}, fmt.Errorf("object %q: global %s: the object is %s, the host %s: %w",
				o.name, name, v.spec.ByteOrder(), hostByteOrder(), errInvalidArgument)
		}
		return TypedVariable[T]{v: v}, nil
	}
	return TypedVariable[T]{}, fmt.Errorf("object %q has no global variable %q in %s (%s): %w",
		o.name, name, section, globalNames(vars), ErrKeyNotExist)
}

// hostByteOrder returns binary.LittleEndian or binary.BigEndian, whichever
// the host is.
func hostByteOrder() binary.ByteOrder {
	one := uint16(1)
	if *(*byte)(unsafe.Pointer(&one)) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// Variable returns the untyped Variable behind t (nil for the zero
// TypedVariable).
func (t TypedVariable[T]) Variable() *Variable { return t.v }

// Get returns the variable's value.
func (t TypedVariable[T]) Get() (T, error) {
	var out T
	if t.v == nil {
		return out, fmt.Errorf("global of type %T: not bound to an object: %w", out, errInvalidArgument)
	}
	mem, err := t.v.memory(false)
	if err != nil {
		return out, err
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&out)), unsafe.Sizeof(out)), mem)
	return out, nil
}

// Set writes value: before Load, the value the variable starts with; after
// Load, the live value a running program sees at once (.data and .bss).
func (t TypedVariable[T]) Set(value T) error {
	if t.v == nil {
		return fmt.Errorf("global of type %T: not bound to an object: %w", value, errInvalidArgument)
	}
	mem, err := t.v.memory(true)
	if err != nil {
		return err
	}
	copy(mem, unsafe.Slice((*byte)(unsafe.Pointer(&value)), unsafe.Sizeof(value)))
	return nil
}
