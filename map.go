package libbpf

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// UpdateFlags says whether Map.Update may create or replace an element.
type UpdateFlags uint64

const (
	UpdateAny     UpdateFlags = 0 // create or replace
	UpdateNoExist UpdateFlags = 1 // create only
	UpdateExist   UpdateFlags = 2 // replace only
	UpdateLock    UpdateFlags = 4 // under the value's bpf_spin_lock
)

// Map is one map of an Object. Keys and values are raw bytes in the
// kernel's layout; their sizes are checked before they reach the kernel.
type Map struct {
	c        *cMap
	obj      *Object
	name     string
	autoLink *Link // struct_ops maps attached by Object.Attach
}

func (m *Map) ptr() (*cMap, error) {
	if m.obj.c == nil {
		return nil, fmt.Errorf("map %s: %w", m.name, ErrClosed)
	}
	return m.c, nil
}

// Name returns the map's name.
func (m *Map) Name() string { return m.name }

// Type returns the map type.
func (m *Map) Type() MapType { return MapType(m.get(func(c *cMap) int { return int(mapType(c)) })) }

// KeySize returns the size of a key in bytes.
func (m *Map) KeySize() int { return m.get(mapKeySize) }

// ValueSize returns the size of one value in bytes (of one CPU's value for
// per-CPU maps).
func (m *Map) ValueSize() int { return m.get(mapValueSize) }

// MaxEntries returns the map's capacity.
func (m *Map) MaxEntries() uint32 {
	return uint32(m.get(func(c *cMap) int { return int(mapMaxEntries(c)) }))
}

// FD returns the map's file descriptor once loaded, or -1.
func (m *Map) FD() int {
	c, err := m.ptr()
	if err != nil {
		return -1
	}
	return mapFD(c)
}

func (m *Map) get(fn func(*cMap) int) int {
	c, err := m.ptr()
	if err != nil {
		return 0
	}
	return fn(c)
}

// PerCPU reports whether the map holds one value per possible CPU.
func (m *Map) PerCPU() bool {
	switch m.Type() {
	case MapTypePerCPUHash, MapTypePerCPUArray, MapTypeLRUPerCPUHash, MapTypePerCPUCgroupStorage:
		return true
	}
	return false
}

// LookupValueSize is the size of the value buffer Lookup and Update take:
// ValueSize, or for per-CPU maps ValueSize rounded up to 8 bytes times
// PossibleCPUs.
func (m *Map) LookupValueSize() (int, error) {
	if !m.PerCPU() {
		return m.ValueSize(), nil
	}
	n, err := PossibleCPUs()
	if err != nil {
		return 0, err
	}
	return (m.ValueSize() + 7) / 8 * 8 * n, nil
}

// check validates the buffers of one operation against the map; withValue
// says the operation takes a value (nil then fails as 0 bytes).
func (m *Map) check(op string, key, value []byte, withValue bool) (*cMap, error) {
	c, err := m.ptr()
	if err != nil {
		return nil, err
	}
	if mapFD(c) < 0 {
		return nil, fmt.Errorf("map %s: %s: %w", m.name, op, ErrNotLoaded)
	}
	if len(key) != m.KeySize() {
		return nil, fmt.Errorf("map %s: %s: key is %d bytes, the map's are %d: %w", m.name, op, len(key), m.KeySize(), errInvalidArgument)
	}
	if withValue {
		want, err := m.LookupValueSize()
		if err != nil {
			return nil, fmt.Errorf("map %s: %s: %w", m.name, op, err)
		}
		if len(value) != want {
			return nil, fmt.Errorf("map %s: %s: value is %d bytes, want %d: %w", m.name, op, len(value), want, errInvalidArgument)
		}
	}
	return c, nil
}

// wrap adds context to a failed map operation, ErrKeyNotExist for ENOENT.
func (m *Map) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.ENOENT) {
		err = ErrKeyNotExist
	}
	return fmt.Errorf("map %s: %s: %w", m.name, op, err)
}

// Lookup copies the value stored under key into value.
func (m *Map) Lookup(key, value []byte) error {
	c, err := m.check("lookup", key, value, true)
	if err != nil {
		return err
	}
	return m.wrap("lookup", mapLookup(c, key, value))
}

// Update stores value under key.
func (m *Map) Update(key, value []byte, flags UpdateFlags) error {
	c, err := m.check("update", key, value, true)
	if err != nil {
		return err
	}
	return m.wrap("update", mapUpdate(c, key, value, uint64(flags)))
}

// Delete removes key.
func (m *Map) Delete(key []byte) error {
	c, err := m.check("delete", key, nil, false)
	if err != nil {
		return err
	}
	return m.wrap("delete", mapDelete(c, key))
}

// NextKey stores in next the key that follows key, or the first key when key
// is nil; ErrKeyNotExist means there is none.
func (m *Map) NextKey(key, next []byte) error {
	c, err := m.check("next key", next, nil, false)
	if err != nil {
		return err
	}
	if key != nil && len(key) != len(next) {
		return fmt.Errorf("map %s: next key: key is %d bytes, the map's are %d: %w", m.name, len(key), len(next), errInvalidArgument)
	}
	return m.wrap("next key", mapNextKey(c, key, next))
}

// PossibleCPUs returns the number of possible CPUs, the number of values of
// a per-CPU map element.
func PossibleCPUs() (int, error) {
	n, err := numPossibleCPUs()
	if err != nil {
		return 0, fmt.Errorf("possible CPUs: %w", err)
	}
	return n, nil
}

// KeyTypeID returns the BTF type id of the map's key in Object.BTF, or 0.
func (m *Map) KeyTypeID() uint32 {
	return uint32(m.get(func(c *cMap) int { return int(mapKeyTypeID(c)) }))
}

// ValueTypeID returns the BTF type id of the map's value in Object.BTF, or 0.
func (m *Map) ValueTypeID() uint32 {
	return uint32(m.get(func(c *cMap) int { return int(mapValueTypeID(c)) }))
}

// Internal reports whether libbpf made the map for global data (.data,
// .rodata, .bss, .kconfig).
func (m *Map) Internal() bool {
	return m.get(func(c *cMap) int { return boolInt(mapInternal(c)) }) == 1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// InitialValue returns a copy of a global-data map's contents: the values
// its variables start with (before Load) or have (after, for mmapable maps).
func (m *Map) InitialValue() ([]byte, error) {
	c, err := m.ptr()
	if err != nil {
		return nil, err
	}
	data := mapInitialValue(c)
	if data == nil {
		return nil, fmt.Errorf("map %s: no initial value (not a global-data map): %w", m.name, errInvalidArgument)
	}
	return data, nil
}

// SetInitialValue replaces a global-data map's contents before Load; data
// must be as long as the map's value.
func (m *Map) SetInitialValue(data []byte) error {
	c, err := m.ptr()
	if err == nil {
		err = mapSetInitialValue(c, data)
	}
	if err != nil {
		return fmt.Errorf("map %s: set initial value (%d bytes): %w", m.name, len(data), err)
	}
	return nil
}
