package libbpf

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// UpdateFlags says whether Map.Update may create or replace an element.
type UpdateFlags uint64

const (
	UpdateAny     UpdateFlags = 0 // create or replace (BPF_ANY)
	UpdateNoExist UpdateFlags = 1 // create only (BPF_NOEXIST)
	UpdateExist   UpdateFlags = 2 // replace only (BPF_EXIST)
	UpdateLock    UpdateFlags = 4 // under the value's bpf_spin_lock (BPF_F_LOCK)
)

// LookupFlags are the flags of Map.LookupWithFlags and of the batch calls'
// elements.
type LookupFlags uint64

const (
	// LookupLock reads the value under its bpf_spin_lock (BPF_F_LOCK).
	LookupLock LookupFlags = 4
)

// Map is a BPF map: one of an Object (its definition can change between
// Open and Load, its fd belongs to the Object), or one made by CreateMap,
// OpenPinnedMap, MapFromFD or MapFromID, whose fd it owns until Close. Keys
// and values are raw bytes in the kernel's layout; their sizes are checked
// before they reach the kernel. Element access is safe for concurrent use.
//
// A nil *Map, which Object.Map returns for a name the object does not have,
// is safe to use: every method that returns an error returns one wrapping
// ErrNotFound, the others return the zero value (FD -1, Iterate an
// iterator whose Err is that error), and Close does nothing.
type Map struct {
	c        *cMap   // nil for a map not from an Object
	obj      *Object // nil for a map not from an Object
	name     string
	autoLink *Link // struct_ops maps attached by Object.Attach

	// layout is what element access needs, fixed once the map exists:
	// set at creation for a map not from an Object, on first use after
	// Load for an object's map. nil once closed.
	layout atomic.Pointer[mapLayout]
}

// mapLayout is a created map's fd and sizes.
type mapLayout struct {
	fd         int
	typ        MapType
	keySize    int
	valueSize  int // of one value
	lookupSize int // what Lookup takes: valueSize, or all CPUs' values
	maxEntries uint32
	flags      uint32
	info       MapInfo // for a map not from an Object
}

func newMapLayout(fd int, info MapInfo) (*mapLayout, error) {
	l := &mapLayout{fd: fd, typ: info.Type, keySize: int(info.KeySize), valueSize: int(info.ValueSize),
		maxEntries: info.MaxEntries, flags: info.MapFlags, info: info}
	l.lookupSize = l.valueSize
	if isPerCPU(l.typ) {
		n, err := PossibleCPUs()
		if err != nil {
			return nil, err
		}
		l.lookupSize = perCPUValueSize(l.valueSize, n)
	}
	return l, nil
}

// perCPUValueSize is the size of a per-CPU map's value buffer: each CPU's
// value rounded up to 8 bytes, as the kernel copies them.
func perCPUValueSize(valueSize, cpus int) int { return (valueSize + 7) / 8 * 8 * cpus }

// ptr returns the libbpf map of an object's map.
func (m *Map) ptr() (*cMap, error) {
	if m == nil {
		return nil, errNilMap
	}
	if m.c == nil {
		return nil, fmt.Errorf("map %s: not a map of an object: %w", m.name, errInvalidArgument)
	}
	if m.obj.c == nil {
		return nil, fmt.Errorf("map %s: %w", m.name, ErrClosed)
	}
	return m.c, nil
}

// created returns the map's layout once it exists in the kernel.
func (m *Map) created(op string) (*mapLayout, error) {
	if m == nil {
		return nil, fmt.Errorf("%s: %w", op, errNilMap)
	}
	if m.c == nil {
		if l := m.layout.Load(); l != nil {
			return l, nil
		}
		return nil, fmt.Errorf("map %s: %s: %w", m.name, op, ErrClosed)
	}
	if m.obj.c == nil {
		return nil, fmt.Errorf("map %s: %s: %w", m.name, op, ErrClosed)
	}
	if l := m.layout.Load(); l != nil {
		return l, nil
	}
	fd := mapFD(m.c)
	if fd < 0 {
		return nil, fmt.Errorf("map %s: %s: %w", m.name, op, ErrNotLoaded)
	}
	l, err := newMapLayout(fd, MapInfo{Type: mapType(m.c), KeySize: uint32(mapKeySize(m.c)),
		ValueSize: uint32(mapValueSize(m.c)), MaxEntries: mapMaxEntries(m.c), MapFlags: mapFlags(m.c)})
	if err != nil {
		return nil, fmt.Errorf("map %s: %s: %w", m.name, op, err)
	}
	m.layout.Store(l)
	return l, nil
}

// Name returns the map's name.
func (m *Map) Name() string {
	if m == nil {
		return ""
	}
	return m.name
}

// Object returns the Object the map belongs to, or nil.
func (m *Map) Object() *Object {
	if m == nil {
		return nil
	}
	return m.obj
}

// def reads one attribute: through libbpf for an object's map, from the
// kernel's info for another; zero once closed.
func def[T any](m *Map, fromObject func(*cMap) T, fromInfo func(*MapInfo) T) T {
	var zero T
	if m == nil {
		return zero
	}
	if m.c == nil {
		if l := m.layout.Load(); l != nil {
			return fromInfo(&l.info)
		}
		return zero
	}
	if m.obj.c == nil {
		return zero
	}
	return fromObject(m.c)
}

// Type returns the map type.
func (m *Map) Type() MapType {
	return def(m, mapType, func(i *MapInfo) MapType { return i.Type })
}

// KeySize returns the size of a key in bytes.
func (m *Map) KeySize() int {
	return def(m, mapKeySize, func(i *MapInfo) int { return int(i.KeySize) })
}

// ValueSize returns the size of one value in bytes (of one CPU's value for
// per-CPU maps).
func (m *Map) ValueSize() int {
	return def(m, mapValueSize, func(i *MapInfo) int { return int(i.ValueSize) })
}

// MaxEntries returns the map's capacity.
func (m *Map) MaxEntries() uint32 {
	return def(m, mapMaxEntries, func(i *MapInfo) uint32 { return i.MaxEntries })
}

// MapFlags returns the map's BPF_F_* creation flags.
func (m *Map) MapFlags() uint32 {
	return def(m, mapFlags, func(i *MapInfo) uint32 { return i.MapFlags })
}

// NumaNode returns the NUMA node the map is to be created on (meaningful
// with BPF_F_NUMA_NODE); 0 for a map not from an Object.
func (m *Map) NumaNode() uint32 {
	return def(m, mapNumaNode, func(*MapInfo) uint32 { return 0 })
}

// MapExtra returns the map's map_extra (the bloom filter's hash count, the
// arena's start address).
func (m *Map) MapExtra() uint64 {
	return def(m, mapExtra, func(i *MapInfo) uint64 { return i.MapExtra })
}

// IfIndex returns the interface the map is offloaded to, or 0.
func (m *Map) IfIndex() uint32 {
	return def(m, mapIfIndex, func(i *MapInfo) uint32 { return i.IfIndex })
}

// Autocreate reports whether Load creates the map (true for maps not from an
// Object: they exist).
func (m *Map) Autocreate() bool {
	return def(m, mapAutocreate, func(*MapInfo) bool { return true })
}

// Autoattach reports whether Object.Attach attaches the (struct_ops) map.
func (m *Map) Autoattach() bool {
	return def(m, mapAutoattach, func(*MapInfo) bool { return false })
}

// PinPath returns where Load pins or reuses the map (SetPinPath, or
// __uint(pinning, LIBBPF_PIN_BY_NAME)), or "".
func (m *Map) PinPath() string {
	return def(m, mapPinPath, func(*MapInfo) string { return "" })
}

// IsPinned reports whether the map is pinned at its PinPath.
func (m *Map) IsPinned() bool {
	return def(m, mapIsPinned, func(*MapInfo) bool { return false })
}

// FD returns the map's file descriptor once created, or -1.
func (m *Map) FD() int {
	if l, err := m.created("fd"); err == nil {
		return l.fd
	}
	return -1
}

// PerCPU reports whether the map holds one value per possible CPU.
func (m *Map) PerCPU() bool { return isPerCPU(m.Type()) }

func isPerCPU(t MapType) bool {
	switch t {
	case MapTypePerCPUHash, MapTypePerCPUArray, MapTypeLRUPerCPUHash, MapTypePerCPUCgroupStorage:
		return true
	}
	return false
}

// LookupValueSize is the size of the value buffer Lookup and Update take:
// ValueSize, or for per-CPU maps ValueSize rounded up to 8 bytes times
// PossibleCPUs.
func (m *Map) LookupValueSize() (int, error) {
	if m == nil {
		return 0, errNilMap
	}
	if l := m.layout.Load(); l != nil {
		return l.lookupSize, nil
	}
	if !m.PerCPU() {
		return m.ValueSize(), nil
	}
	n, err := PossibleCPUs()
	if err != nil {
		return 0, err
	}
	return perCPUValueSize(m.ValueSize(), n), nil
}

// Definition setters: between Open and Load.

// set runs a definition setter, which libbpf allows only before the map is
// created: an EBUSY from it says so.
func (m *Map) set(what string, fn func(*cMap) error) error {
	if m != nil && m.c == nil {
		return fmt.Errorf("map %s: %s: the map exists already, only an object's map can be changed before Load: %w", m.name, what, unix.EBUSY)
	}
	c, err := m.ptr()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := fn(c); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("map %s: %s: the map is created already (set it after Open, before Load): %w", m.name, what, err)
		}
		return fmt.Errorf("map %s: %s: %w", m.name, what, err)
	}
	return nil
}

// notCreated fails with EBUSY for setters libbpf itself does not guard.
func notCreated(c *cMap) error {
	if mapFD(c) >= 0 {
		return unix.EBUSY
	}
	return nil
}

// SetType sets the map type before Load.
func (m *Map) SetType(t MapType) error {
	return m.set(fmt.Sprintf("set type %s", t), func(c *cMap) error { return mapSetType(c, t) })
}

// SetKeySize sets the key size in bytes before Load.
func (m *Map) SetKeySize(n uint32) error {
	return m.set(fmt.Sprintf("set key size %d", n), func(c *cMap) error { return mapSetKeySize(c, n) })
}

// SetValueSize sets the value size in bytes before Load. For a global-data
// map only the last variable, an array, can grow or shrink with it.
func (m *Map) SetValueSize(n uint32) error {
	return m.set(fmt.Sprintf("set value size %d", n), func(c *cMap) error { return mapSetValueSize(c, n) })
}

// SetMaxEntries sets the map's capacity before Load: how tools size maps
// declared with max_entries 0 (per CPU, per pid...).
func (m *Map) SetMaxEntries(n uint32) error {
	return m.set(fmt.Sprintf("set max entries %d", n), func(c *cMap) error { return mapSetMaxEntries(c, n) })
}

// SetMapFlags sets the BPF_F_* creation flags before Load.
func (m *Map) SetMapFlags(flags uint32) error {
	return m.set(fmt.Sprintf("set map flags %#x", flags), func(c *cMap) error { return mapSetFlags(c, flags) })
}

// SetNumaNode sets the NUMA node to create the map on (with BPF_F_NUMA_NODE).
func (m *Map) SetNumaNode(node uint32) error {
	return m.set(fmt.Sprintf("set NUMA node %d", node), func(c *cMap) error { return mapSetNumaNode(c, node) })
}

// SetMapExtra sets map_extra before Load (a bloom filter's hash count, an
// arena's start address).
func (m *Map) SetMapExtra(v uint64) error {
	return m.set(fmt.Sprintf("set map extra %#x", v), func(c *cMap) error { return mapSetExtra(c, v) })
}

// SetIfIndex offloads the map to the device ifindex.
func (m *Map) SetIfIndex(ifindex uint32) error {
	return m.set(fmt.Sprintf("set ifindex %d", ifindex), func(c *cMap) error { return mapSetIfIndex(c, ifindex) })
}

// SetAutocreate says whether Load creates the map; a program that uses a map
// left out fails to load unless it is left out too.
func (m *Map) SetAutocreate(on bool) error {
	return m.set(fmt.Sprintf("set autocreate %t", on), func(c *cMap) error { return mapSetAutocreate(c, on) })
}

// SetAutoattach says whether Object.Attach attaches the (struct_ops) map.
func (m *Map) SetAutoattach(on bool) error {
	return m.set(fmt.Sprintf("set autoattach %t", on), func(c *cMap) error { return mapSetAutoattach(c, on) })
}

// SetInnerMap makes inner the template of a map-in-map's inner maps before
// Load (bpf_map__set_inner_map_fd with inner's fd): any created map of the
// inner type and sizes.
func (m *Map) SetInnerMap(inner *Map) error {
	l, err := inner.created("as inner map")
	if err != nil {
		return fmt.Errorf("map %s: set inner map: %w", m.Name(), err)
	}
	return m.SetInnerMapFD(l.fd)
}

// SetInnerMapFD is SetInnerMap with a map's fd, which must stay open until
// Load.
func (m *Map) SetInnerMapFD(fd int) error {
	return m.set(fmt.Sprintf("set inner map fd %d", fd), func(c *cMap) error {
		if err := notCreated(c); err != nil {
			return err
		}
		return mapSetInnerMapFD(c, fd)
	})
}

// SetExclusiveProgram makes the map exclusive to prog, a program of the
// same object, before Load (bpf_map__set_exclusive_program): the map is
// created with the hash of prog's instructions, and the kernel refuses
// every other program that uses it (Linux 6.18; older kernels refuse
// the map).
func (m *Map) SetExclusiveProgram(prog *Program) error {
	if prog == nil {
		return fmt.Errorf("map %s: set exclusive program: %w", m.Name(), errNilProgram)
	}
	return m.set("set exclusive program "+prog.name, func(c *cMap) error {
		pc, err := prog.ptr()
		if err != nil {
			return err
		}
		if prog.obj != m.obj {
			return fmt.Errorf("program %s is not of the map's object: %w", prog.name, errInvalidArgument)
		}
		if err := notCreated(c); err != nil {
			return err
		}
		return mapSetExclusiveProgram(c, pc)
	})
}

// ExclusiveProgram returns the program SetExclusiveProgram gave the map,
// or nil (bpf_map__exclusive_program).
func (m *Map) ExclusiveProgram() *Program {
	c, err := m.ptr()
	if err != nil {
		return nil
	}
	pc := mapExclusiveProgram(c)
	for _, p := range m.obj.progs {
		if pc != nil && p.c == pc {
			return p
		}
	}
	return nil
}

// InnerMap returns the definition of a map-in-map's inner map, or nil.
func (m *Map) InnerMap() *Map {
	c, err := m.ptr()
	if err != nil {
		return nil
	}
	inner := mapInnerMap(c)
	if inner == nil {
		return nil
	}
	return &Map{c: inner, obj: m.obj, name: mapName(inner)}
}

// SetPinPath sets where Load pins the map, or reuses the map pinned there
// when it is compatible; "" clears it.
func (m *Map) SetPinPath(path string) error {
	return m.set(fmt.Sprintf("set pin path %q", path), func(c *cMap) error {
		if err := notCreated(c); err != nil {
			return err
		}
		return mapSetPinPath(c, path)
	})
}

// ReuseFD makes Load use the existing map fd (which libbpf duplicates)
// instead of creating the map.
func (m *Map) ReuseFD(fd int) error {
	return m.set(fmt.Sprintf("reuse fd %d", fd), func(c *cMap) error {
		if err := notCreated(c); err != nil {
			return err
		}
		return mapReuseFD(c, fd)
	})
}

// Pin pins the created map at path on a bpffs; "" means its PinPath. The map
// then outlives the process until Unpin.
func (m *Map) Pin(path string) error {
	if m != nil && m.c == nil {
		l, err := m.created("pin")
		if err == nil {
			err = objPin(l.fd, path, ObjPinOptions{})
		}
		if err != nil {
			return fmt.Errorf("map %s: pin at %q: %w", m.name, path, err)
		}
		return nil
	}
	return m.set(fmt.Sprintf("pin at %q", path), func(c *cMap) error { return mapPin(c, path) })
}

// Unpin removes the pin at path ("" means its PinPath).
func (m *Map) Unpin(path string) error {
	if m != nil && m.c == nil {
		if path == "" {
			return fmt.Errorf("map %s: unpin: no path: %w", m.name, errInvalidArgument)
		}
		if err := unix.Unlink(path); err != nil {
			return fmt.Errorf("map %s: unpin %q: %w", m.name, path, err)
		}
		return nil
	}
	return m.set(fmt.Sprintf("unpin %q", path), func(c *cMap) error { return mapUnpin(c, path) })
}

// Element access.

// check validates the buffers of one operation against the map; withValue
// says the operation takes a value (nil then fails as 0 bytes).
func (m *Map) check(op string, key, value []byte, withValue bool) (*mapLayout, error) {
	l, err := m.created(op)
	if err != nil {
		return nil, err
	}
	if len(key) != l.keySize {
		return nil, fmt.Errorf("map %s: %s: key is %d bytes, the map's are %d: %w", m.name, op, len(key), l.keySize, errInvalidArgument)
	}
	if withValue && len(value) != l.lookupSize {
		return nil, fmt.Errorf("map %s: %s: value is %d bytes, want %d: %w", m.name, op, len(value), l.lookupSize, errInvalidArgument)
	}
	return l, nil
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

// Lookup copies the value stored under key into value (LookupValueSize
// bytes: per-CPU maps hold every possible CPU's value, each rounded up to 8
// bytes).
func (m *Map) Lookup(key, value []byte) error {
	return m.LookupWithFlags(key, value, 0)
}

// LookupWithFlags is Lookup with flags (LookupLock).
func (m *Map) LookupWithFlags(key, value []byte, flags LookupFlags) error {
	l, err := m.check("lookup", key, value, true)
	if err != nil {
		return err
	}
	if err := mapLookupElem(l.fd, key, value, uint64(flags)); err != nil {
		return m.wrap("lookup", err)
	}
	return nil
}

// Update stores value under key.
func (m *Map) Update(key, value []byte, flags UpdateFlags) error {
	l, err := m.check("update", key, value, true)
	if err != nil {
		return err
	}
	if err := mapUpdateElem(l.fd, key, value, uint64(flags)); err != nil {
		return m.wrap("update", err)
	}
	return nil
}

// Delete removes key.
func (m *Map) Delete(key []byte) error {
	l, err := m.check("delete", key, nil, false)
	if err != nil {
		return err
	}
	return m.wrap("delete", mapDeleteElem(l.fd, key, 0))
}

// LookupAndDelete copies the value under key into value and removes the
// element in one step; for queue and stack maps key is nil (0 bytes) and it
// pops the next value. flags may be LookupLock.
func (m *Map) LookupAndDelete(key, value []byte, flags LookupFlags) error {
	l, err := m.created("lookup and delete")
	if err == nil && !(key == nil && l.keySize == 0) {
		l, err = m.check("lookup and delete", key, value, true)
	}
	if err != nil {
		return err
	}
	if len(value) != l.lookupSize {
		return fmt.Errorf("map %s: lookup and delete: value is %d bytes, want %d: %w", m.name, len(value), l.lookupSize, errInvalidArgument)
	}
	return m.wrap("lookup and delete", mapLookupAndDeleteElem(l.fd, key, value, uint64(flags)))
}

// NextKey stores in next the key that follows key, or the first key when key
// is nil; ErrKeyNotExist means there is none.
func (m *Map) NextKey(key, next []byte) error {
	l, err := m.check("next key", next, nil, false)
	if err != nil {
		return err
	}
	if key != nil && len(key) != len(next) {
		return fmt.Errorf("map %s: next key: key is %d bytes, the map's are %d: %w", m.name, len(key), len(next), errInvalidArgument)
	}
	return m.wrap("next key", mapGetNextKey(l.fd, key, next))
}

// Freeze makes the map read-only for user space (bpf_map_freeze); programs
// still write it unless it was created with BPF_F_RDONLY_PROG.
func (m *Map) Freeze() error {
	l, err := m.created("freeze")
	if err != nil {
		return err
	}
	return m.wrap("freeze", mapFreeze(l.fd))
}

var possibleCPUs = sync.OnceValues(numPossibleCPUs)

// PossibleCPUs returns the number of possible CPUs, the number of values of
// a per-CPU map element.
func PossibleCPUs() (int, error) {
	n, err := possibleCPUs()
	if err != nil {
		return 0, fmt.Errorf("possible CPUs: %w", err)
	}
	return n, nil
}

// KeyTypeID returns the BTF type id of the map's key in Object.BTF, or 0.
func (m *Map) KeyTypeID() uint32 {
	return def(m, mapKeyTypeID, func(i *MapInfo) uint32 { return i.BTFKeyTypeID })
}

// ValueTypeID returns the BTF type id of the map's value in Object.BTF, or 0.
func (m *Map) ValueTypeID() uint32 {
	return def(m, mapValueTypeID, func(i *MapInfo) uint32 { return i.BTFValueTypeID })
}

// Internal reports whether libbpf made the map for global data (.data,
// .rodata, .bss, .kconfig).
func (m *Map) Internal() bool {
	return def(m, mapInternal, func(*MapInfo) bool { return false })
}

// InitialValue returns a copy of a global-data map's contents: the values
// its variables start with (before Load) or have (after, for mmapable maps).
func (m *Map) InitialValue() ([]byte, error) {
	c, err := m.ptr()
	if err != nil {
		return nil, err
	}
	data := mapMemory(c)
	if data == nil {
		return nil, fmt.Errorf("map %s: no initial value (not a global-data map): %w", m.name, errInvalidArgument)
	}
	return append([]byte(nil), data...), nil
}

// SetInitialValue replaces a global-data map's contents before Load; data
// must be as long as the map's value. For a struct_ops map it replaces the
// struct given to the kernel at Load (its plain fields, such as a name;
// the function pointers stay the programs of the object), as writing
// through a libbpf skeleton's struct_ops pointer does.
func (m *Map) SetInitialValue(data []byte) error {
	c, err := m.ptr()
	switch {
	case err != nil:
	case mapIsStructOps(c):
		err = structOpsSetData(c, data)
	default:
		err = mapSetInitialValue(c, data)
	}
	if err != nil {
		return fmt.Errorf("map %s: set initial value (%d bytes): %w", m.Name(), len(data), err)
	}
	return nil
}

// Close closes the fd of a map made by CreateMap, OpenPinnedMap, MapFromFD or
// MapFromID; it is idempotent. An Object's map belongs to its Object, which
// closes it: Close on it does nothing.
func (m *Map) Close() error {
	if m == nil || m.c != nil {
		return nil
	}
	l := m.layout.Swap(nil)
	if l == nil {
		return nil
	}
	if err := unix.Close(l.fd); err != nil {
		return fmt.Errorf("map %s: close: %w", m.name, err)
	}
	return nil
}
