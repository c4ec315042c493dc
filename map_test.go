package libbpf_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

func u64(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

// createMap creates a map outside any object and closes it when the test
// ends.
func createMap(t testing.TB, typ libbpf.MapType, key, value, max uint32, opts libbpf.MapCreateOptions) *libbpf.Map {
	t.Helper()
	testutil.RequireKernel(t)
	m, err := libbpf.CreateMap(typ, "test_map", key, value, max, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// loadMaps opens and loads testdata/maps.bpf.o (see prepareMaps).
func loadMaps(t *testing.T, n uint32) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "maps")
	prepareMaps(t, obj, n)
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	return obj
}

// prepareMaps makes testdata/maps.bpf.o loadable: it sizes its sized map and
// gives its map of maps an inner map.
func prepareMaps(t *testing.T, obj *libbpf.Object, n uint32) {
	t.Helper()
	if err := obj.Map("sized").SetMaxEntries(n); err != nil {
		t.Fatal(err)
	}
	inner := createMap(t, libbpf.MapTypeArray, 4, 4, 1, libbpf.MapCreateOptions{})
	if err := obj.Map("outer").SetInnerMap(inner); err != nil {
		t.Fatal(err)
	}
}

// TestMapSizedBeforeLoad sizes a map declared with max_entries 0, as bcc's
// cpudist and profile do, and checks that it holds exactly that many
// entries; every definition setter then fails with EBUSY.
func TestMapSizedBeforeLoad(t *testing.T) {
	const n = 1000
	obj := loadMaps(t, n)
	m := obj.Map("sized")
	if m.MaxEntries() != n {
		t.Fatalf("MaxEntries = %d, want %d", m.MaxEntries(), n)
	}
	info, err := m.Info()
	if err != nil || info.MaxEntries != n || info.Type != libbpf.MapTypeHash || info.KeySize != 4 || info.ValueSize != 8 || info.Name != "sized" || info.ID == 0 {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	for i := range uint32(n) {
		if err := m.Update(u32(i), u64(uint64(i)), libbpf.UpdateNoExist); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	if err := m.Update(u32(n), u64(0), libbpf.UpdateNoExist); !errors.Is(err, unix.E2BIG) {
		t.Errorf("update beyond max entries: %v, want E2BIG", err)
	}
	// The program sees the sized map too.
	if _, err := obj.Program("fill").Run(nil); err != nil {
		t.Fatal(err)
	}

	inner := createMap(t, libbpf.MapTypeArray, 4, 4, 1, libbpf.MapCreateOptions{})
	for name, err := range map[string]error{
		"SetMaxEntries": m.SetMaxEntries(1),
		"SetType":       m.SetType(libbpf.MapTypeArray),
		"SetKeySize":    m.SetKeySize(8),
		"SetValueSize":  m.SetValueSize(4),
		"SetMapFlags":   m.SetMapFlags(0),
		"SetNumaNode":   m.SetNumaNode(0),
		"SetMapExtra":   m.SetMapExtra(0),
		"SetAutocreate": m.SetAutocreate(false),
		"SetPinPath":    m.SetPinPath("/sys/fs/bpf/x"),
		"SetInnerMap":   obj.Map("outer").SetInnerMap(inner),
		"ReuseFD":       m.ReuseFD(inner.FD()),
		"standalone":    inner.SetMaxEntries(2),
	} {
		if !errors.Is(err, unix.EBUSY) || !strings.Contains(err.Error(), "map ") {
			t.Errorf("%s after Load: %v, want EBUSY naming the map", name, err)
		}
	}
}

// TestMapDefinitionGetters reads back what the setters set before Load.
func TestMapDefinitionGetters(t *testing.T) {
	obj := openTest(t, "maps")
	m := obj.Map("sized")
	if m.FD() != -1 || !m.Autocreate() || m.PinPath() != "" || m.IsPinned() {
		t.Errorf("fresh map: fd %d autocreate %t pin %q pinned %t", m.FD(), m.Autocreate(), m.PinPath(), m.IsPinned())
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.SetMaxEntries(77))
	must(m.SetMapFlags(unix.BPF_F_NO_PREALLOC))
	must(m.SetNumaNode(0))
	must(m.SetMapExtra(0))
	must(m.SetAutocreate(false))
	must(m.SetValueSize(16))
	if m.MaxEntries() != 77 || m.MapFlags() != unix.BPF_F_NO_PREALLOC || m.Autocreate() || m.ValueSize() != 16 {
		t.Errorf("after setters: max %d flags %#x autocreate %t value %d", m.MaxEntries(), m.MapFlags(), m.Autocreate(), m.ValueSize())
	}
	path := fmt.Sprintf("/sys/fs/bpf/golibbpf-test-%d-sized", os.Getpid())
	must(m.SetPinPath(path))
	if m.PinPath() != path {
		t.Errorf("PinPath = %q, want %q", m.PinPath(), path)
	}
	// Element access before Load says so.
	if err := m.Lookup(u32(0), make([]byte, 16)); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("Lookup before Load: %v, want ErrNotLoaded", err)
	}
	// A map of maps without an inner map cannot be created.
	if err := obj.Load(); err == nil {
		t.Error("Load with a map of maps without inner map succeeded")
	}
	var nilMap *libbpf.Map
	if err := nilMap.SetMaxEntries(1); err == nil {
		t.Error("SetMaxEntries on a nil map succeeded")
	}
	if err := nilMap.Lookup(nil, nil); err == nil {
		t.Error("Lookup on a nil map succeeded")
	}
}

func TestMapPin(t *testing.T) {
	obj := loadMaps(t, 16)
	dir := fmt.Sprintf("/sys/fs/bpf/golibbpf-test-%d", os.Getpid())
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	m := obj.Map("sized")
	if err := m.Update(u32(3), u64(33), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "one")
	if err := m.Pin(path); err != nil {
		t.Fatal(err)
	}
	if !m.IsPinned() || m.PinPath() != path {
		t.Errorf("after Pin: pinned %t at %q", m.IsPinned(), m.PinPath())
	}
	pinned, err := libbpf.OpenPinnedMap(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	if err := pinned.Lookup(u32(3), got); err != nil || binary.NativeEndian.Uint64(got) != 33 {
		t.Errorf("pinned lookup = %v, %v", got, err)
	}
	if pinned.Name() != "sized" || pinned.MaxEntries() != 16 || pinned.Object() != nil {
		t.Errorf("pinned map: %q max %d", pinned.Name(), pinned.MaxEntries())
	}
	pinned.Close()
	if err := m.Unpin(""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("pin still there: %v", err)
	}
	if _, err := libbpf.OpenPinnedMap(path); !errors.Is(err, unix.ENOENT) {
		t.Errorf("OpenPinnedMap after Unpin: %v, want ENOENT", err)
	}

	// A map keeps its pin path: pin all of another object.
	obj = loadMaps(t, 16)
	all := filepath.Join(dir, "all")
	if err := obj.PinMaps(all); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(all, "percpu")); err != nil {
		t.Errorf("PinMaps: %v", err)
	}
	if err := obj.UnpinMaps(all); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(all, "percpu")); !os.IsNotExist(err) {
		t.Errorf("UnpinMaps left %v", err)
	}
	progs := filepath.Join(dir, "progs")
	if err := obj.PinPrograms(progs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(progs, "compute")); err != nil {
		t.Errorf("PinPrograms: %v", err)
	}
	if err := obj.UnpinPrograms(progs); err != nil {
		t.Fatal(err)
	}
}

// TestObjPinAndGet pins a map's fd with ObjPin and opens it with ObjGet:
// plainly by path, and relative to a directory fd with BPF_F_PATH_FD (a
// read-only fd then), where the kernel has it.
func TestObjPinAndGet(t *testing.T) {
	obj := loadMaps(t, 16)
	m := obj.Map("sized")
	if err := m.Update(u32(3), u64(33), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	dir := fmt.Sprintf("/sys/fs/bpf/golibbpf-test-%d-obj", os.Getpid())
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fds := testutil.OpenFDs(t)
	path := filepath.Join(dir, "plain")
	if err := libbpf.ObjPin(m.FD(), path, libbpf.ObjPinOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := libbpf.ObjPin(m.FD(), path, libbpf.ObjPinOptions{}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second ObjPin at %s: %v, want EEXIST", path, err)
	}
	fd, err := libbpf.ObjGet(path, libbpf.ObjGetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := mapOfFD(t, fd)
	v := make([]byte, 8)
	if err := got.Lookup(u32(3), v); err != nil || binary.NativeEndian.Uint64(v) != 33 {
		t.Errorf("lookup through ObjGet's fd = %v, %v", v, err)
	}
	got.Close()
	if _, err := libbpf.ObjGet(filepath.Join(dir, "none"), libbpf.ObjGetOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ObjGet of a missing pin: %v, want ENOENT", err)
	}

	dirFD, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirFD)
	err = libbpf.ObjPin(m.FD(), "relative", libbpf.ObjPinOptions{FileFlags: unix.BPF_F_PATH_FD, PathFD: dirFD})
	if why, lacks := testutil.KernelLacks(testutil.FeatureObjPathFD); lacks {
		t.Log(why)
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("ObjPin with BPF_F_PATH_FD: %v, want EINVAL", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "relative")); err != nil {
		t.Errorf("pin relative to the directory fd: %v", err)
	}
	fd, err = libbpf.ObjGet("relative", libbpf.ObjGetOptions{FileFlags: unix.BPF_F_PATH_FD | unix.BPF_F_RDONLY, PathFD: dirFD})
	if err != nil {
		t.Fatal(err)
	}
	ro := mapOfFD(t, fd)
	if err := ro.Update(u32(3), u64(1), libbpf.UpdateAny); !errors.Is(err, unix.EPERM) {
		t.Errorf("update through a read-only ObjGet fd: %v, want EPERM", err)
	}
	ro.Close()
	if got := testutil.OpenFDs(t); got != fds+1 { // the directory's
		t.Errorf("open fds: %d before, %d after", fds, got)
	}
}

// TestMapBeyondObject creates, finds and closes maps that belong to no
// object.
func TestMapBeyondObject(t *testing.T) {
	testutil.RequireKernel(t)
	fds := testutil.OpenFDs(t)
	m, err := libbpf.CreateMap(libbpf.MapTypeHash, "standalone", 4, 8, 32, libbpf.MapCreateOptions{MapFlags: unix.BPF_F_NO_PREALLOC})
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "standalone" || info.Type != libbpf.MapTypeHash || info.KeySize != 4 || info.ValueSize != 8 ||
		info.MaxEntries != 32 || info.MapFlags != unix.BPF_F_NO_PREALLOC || info.ID == 0 {
		t.Errorf("Info = %+v", info)
	}
	if m.MapFlags() != unix.BPF_F_NO_PREALLOC || m.KeySize() != 4 || m.Type() != libbpf.MapTypeHash {
		t.Errorf("getters: flags %#x key %d type %v", m.MapFlags(), m.KeySize(), m.Type())
	}
	var seen bool
	for id, err := range libbpf.MapIDs() {
		if err != nil {
			t.Fatal(err)
		}
		seen = seen || id == info.ID
	}
	if !seen {
		t.Errorf("MapIDs misses %d", info.ID)
	}
	byID, err := libbpf.MapFromID(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Update(u32(1), u64(11), libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	if err := byID.Lookup(u32(1), got); err != nil || binary.NativeEndian.Uint64(got) != 11 {
		t.Errorf("lookup through the id's map = %v, %v", got, err)
	}
	if err := byID.Freeze(); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(u32(2), u64(2), libbpf.UpdateAny); !errors.Is(err, unix.EPERM) {
		t.Errorf("update of a frozen map: %v, want EPERM", err)
	}
	dup, err := unix.Dup(m.FD())
	if err != nil {
		t.Fatal(err)
	}
	byFD, err := libbpf.MapFromFD(dup)
	if err != nil {
		t.Fatal(err)
	}
	if byFD.FD() != dup || byFD.Name() != "standalone" {
		t.Errorf("MapFromFD: fd %d name %q", byFD.FD(), byFD.Name())
	}
	for _, c := range []*libbpf.Map{m, byID, byFD} {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
	if err := m.Lookup(u32(1), got); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Lookup after Close: %v, want ErrClosed", err)
	}
	if _, err := libbpf.MapFromID(0xffffffff); !errors.Is(err, unix.ENOENT) {
		t.Errorf("MapFromID of no map: %v, want ENOENT", err)
	}
	if _, err := libbpf.MapFromFD(-1); !errors.Is(err, unix.EBADF) {
		t.Errorf("MapFromFD(-1): %v, want EBADF", err)
	}
	if _, err := libbpf.CreateMap(libbpf.MapTypeArray, "bad", 3, 4, 1, libbpf.MapCreateOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("CreateMap with a 3-byte array key: %v, want EINVAL", err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open, %d before", got, fds)
	}
	// An object's map is its object's to close.
	obj := loadMaps(t, 4)
	if err := obj.Map("sized").Close(); err != nil || obj.Map("sized").FD() < 0 {
		t.Errorf("Close of an object's map: %v, fd %d", err, obj.Map("sized").FD())
	}
}

func TestMapElementFlags(t *testing.T) {
	obj := loadMaps(t, 8)
	m := obj.Map("sized")
	if err := m.Update(u32(1), u64(1), libbpf.UpdateNoExist); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(u32(1), u64(2), libbpf.UpdateNoExist); !errors.Is(err, unix.EEXIST) {
		t.Errorf("NoExist on an existing key: %v, want EEXIST", err)
	}
	if err := m.Update(u32(2), u64(2), libbpf.UpdateExist); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("Exist on a missing key: %v, want ErrKeyNotExist", err)
	}
	got := make([]byte, 8)
	if why, lacks := testutil.KernelLacks(testutil.FeatureHashLookupAndDelete); lacks {
		// The kernel's ENOTSUPP, and the element stays.
		if err := m.LookupAndDelete(u32(1), got, 0); !errors.Is(err, unix.Errno(524)) {
			t.Errorf("LookupAndDelete where %s: %v, want ENOTSUPP", why, err)
		}
		if err := m.Delete(u32(1)); err != nil {
			t.Error(err)
		}
	} else if err := m.LookupAndDelete(u32(1), got, 0); err != nil || binary.NativeEndian.Uint64(got) != 1 {
		t.Errorf("LookupAndDelete = %v, %v", got, err)
	}
	if err := m.Lookup(u32(1), got); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("Lookup after LookupAndDelete: %v", err)
	}

	q := obj.Map("queue")
	for _, v := range []uint32{5, 6} {
		if err := q.Update(nil, u32(v), libbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	v := make([]byte, 4)
	if err := q.LookupAndDelete(nil, v, 0); err != nil || binary.NativeEndian.Uint32(v) != 5 {
		t.Errorf("queue pop = %v, %v; want 5", v, err)
	}

	locked := obj.Map("locked")
	val := make([]byte, 8) // struct bpf_spin_lock then n
	binary.NativeEndian.PutUint32(val[4:], 42)
	if err := locked.Update(u32(0), val, libbpf.UpdateLock); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 8)
	if err := locked.LookupWithFlags(u32(0), out, libbpf.LookupLock); err != nil || binary.NativeEndian.Uint32(out[4:]) != 42 {
		t.Errorf("LookupWithFlags(LookupLock) = %v, %v", out, err)
	}
	if err := m.LookupWithFlags(u32(0), got, libbpf.LookupLock); !errors.Is(err, unix.EINVAL) {
		t.Errorf("LookupLock on a map without a spin lock: %v, want EINVAL", err)
	}
}

func TestMapPerCPU(t *testing.T) {
	obj := loadMaps(t, 8)
	m := obj.Map("percpu")
	cpus, err := libbpf.PossibleCPUs()
	if err != nil {
		t.Fatal(err)
	}
	size, err := m.LookupValueSize()
	if err != nil || size != 8*cpus {
		t.Fatalf("LookupValueSize = %d, %v; want %d (4 bytes rounded to 8, %d CPUs)", size, err, 8*cpus, cpus)
	}
	val := make([]byte, size)
	for c := range cpus {
		binary.NativeEndian.PutUint32(val[c*8:], uint32(100+c))
	}
	if err := m.Update(u32(2), val, libbpf.UpdateAny); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, size)
	if err := m.Lookup(u32(2), got); err != nil {
		t.Fatal(err)
	}
	for c := range cpus {
		if v := binary.NativeEndian.Uint32(got[c*8:]); v != uint32(100+c) {
			t.Errorf("cpu %d: %d, want %d", c, v, 100+c)
		}
	}
	if err := m.Lookup(u32(2), make([]byte, 4)); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Lookup with one CPU's value: %v, want EINVAL", err)
	}
}

// fillHash stores key i -> i*10 for i < n.
func fillHash(t testing.TB, m *libbpf.Map, n int) {
	t.Helper()
	keys, values := make([]byte, 0, 4*n), make([]byte, 0, 8*n)
	for i := range n {
		keys = binary.NativeEndian.AppendUint32(keys, uint32(i))
		values = binary.NativeEndian.AppendUint64(values, uint64(i)*10)
	}
	done, err := m.UpdateBatch(keys, values, libbpf.BatchOptions{})
	if err != nil || done != n {
		t.Fatalf("UpdateBatch = %d, %v", done, err)
	}
}

func TestMapBatch(t *testing.T) {
	const n = 1000
	m := createMap(t, libbpf.MapTypeHash, 4, 8, n, libbpf.MapCreateOptions{})
	fillHash(t, m, n)
	var cursor libbpf.BatchCursor
	keys, values := make([]byte, 4*64), make([]byte, 8*64)
	seen := map[uint32]bool{}
	for {
		got, err := m.LookupBatch(&cursor, keys, values, libbpf.BatchOptions{})
		for i := range got {
			k := binary.NativeEndian.Uint32(keys[i*4:])
			if v := binary.NativeEndian.Uint64(values[i*8:]); v != uint64(k)*10 {
				t.Fatalf("key %d has %d", k, v)
			}
			if seen[k] {
				t.Fatalf("key %d twice", k)
			}
			seen[k] = true
		}
		if errors.Is(err, libbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != n {
		t.Fatalf("LookupBatch saw %d keys, want %d", len(seen), n)
	}
	// Delete the first 10 keys, then drain the rest.
	if done, err := m.DeleteBatch(keys[:40], libbpf.BatchOptions{}); err != nil || done != 10 {
		t.Fatalf("DeleteBatch = %d, %v", done, err)
	}
	cursor.Reset()
	var drained int
	for {
		got, err := m.LookupAndDeleteBatch(&cursor, keys, values, libbpf.BatchOptions{})
		drained += got
		if errors.Is(err, libbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if drained != n-10 {
		t.Errorf("LookupAndDeleteBatch drained %d, want %d", drained, n-10)
	}
	if err := m.NextKey(nil, make([]byte, 4)); !errors.Is(err, libbpf.ErrKeyNotExist) {
		t.Errorf("map not empty after the drain: %v", err)
	}
	if _, err := m.LookupBatch(&cursor, keys[:3], values, libbpf.BatchOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("LookupBatch with a partial key: %v, want EINVAL", err)
	}
	if _, err := m.LookupBatch(nil, keys, values, libbpf.BatchOptions{}); !errors.Is(err, unix.EINVAL) {
		t.Errorf("LookupBatch without cursor: %v, want EINVAL", err)
	}
}

func TestMapIterate(t *testing.T) {
	const n = 3000
	for _, tc := range []struct {
		typ   libbpf.MapType
		flags uint32
		batch bool
	}{
		{libbpf.MapTypeHash, 0, true},
		{libbpf.MapTypeArray, 0, true},
		{libbpf.MapTypeLPMTrie, unix.BPF_F_NO_PREALLOC, false}, // no batch operations: NextKey
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			keySize := uint32(4)
			if tc.typ == libbpf.MapTypeLPMTrie {
				keySize = 8 // prefix length, then the data
			}
			m := createMap(t, tc.typ, keySize, 8, n, libbpf.MapCreateOptions{MapFlags: tc.flags})
			key := make([]byte, keySize)
			for i := range n {
				binary.NativeEndian.PutUint32(key[keySize-4:], uint32(i))
				if tc.typ == libbpf.MapTypeLPMTrie {
					binary.NativeEndian.PutUint32(key, 32)
				}
				if err := m.Update(key, u64(uint64(i)*3), libbpf.UpdateAny); err != nil {
					t.Fatal(err)
				}
			}
			var got []uint32
			it := m.Iterate()
			for k, v := range it.All() {
				i := binary.NativeEndian.Uint32(k[keySize-4:])
				if binary.NativeEndian.Uint64(v) != uint64(i)*3 {
					t.Fatalf("key %d has %d", i, binary.NativeEndian.Uint64(v))
				}
				got = append(got, i)
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if len(got) != n || got[0] != 0 || got[n-1] != n-1 || len(slices.Compact(got)) != n {
				t.Fatalf("iterated %d keys, want %d distinct", len(got), n)
			}
			// Stopping early is no error, and a new range starts over.
			var count int
			for range it.All() {
				if count++; count == 5 {
					break
				}
			}
			if it.Err() != nil || count != 5 {
				t.Errorf("early stop: %d, %v", count, it.Err())
			}
			// No allocation per element: a whole walk allocates a fixed few.
			allocs := testing.AllocsPerRun(3, func() {
				for range it.All() {
				}
			})
			if allocs > 16 {
				t.Errorf("a walk of %d elements allocated %.0f times", n, allocs)
			}
		})
	}
	// A map type without batch operations: the kernel refuses LookupBatch
	// with ENOTSUPP (errno 524) and copies nothing, and Iterate walks it
	// with NextKey (an empty stack trace map: no element, no error).
	st := createMap(t, libbpf.MapTypeStackTrace, 4, 8*127, 16, libbpf.MapCreateOptions{})
	var cursor libbpf.BatchCursor
	if got, err := st.LookupBatch(&cursor, make([]byte, 4*8), make([]byte, 8*127*8), libbpf.BatchOptions{}); got != 0 || !errors.Is(err, unix.Errno(524)) {
		t.Errorf("LookupBatch of a stack trace map = %d, %v; want 0 elements and ENOTSUPP", got, err)
	}
	sit := st.Iterate()
	for range sit.All() {
		t.Fatal("an empty stack trace map yielded an element")
	}
	if err := sit.Err(); err != nil {
		t.Errorf("iterating an empty stack trace map: %v", err)
	}
	m := createMap(t, libbpf.MapTypeQueue, 0, 4, 4, libbpf.MapCreateOptions{})
	it := m.Iterate()
	for range it.All() {
		t.Fatal("a queue yielded an element")
	}
	if it.Err() == nil {
		t.Error("iterating a queue: no error")
	}
}

// TestMapExclusiveProgram makes a map exclusive to one program: that
// program loads and uses it, a second program that uses it is refused;
// kernels without exclusive maps refuse the map.
func TestMapExclusiveProgram(t *testing.T) {
	obj := openTest(t, "exclusive")
	m, owner, intruder := obj.Map("owned"), obj.Program("owner"), obj.Program("intruder")
	if m.ExclusiveProgram() != nil {
		t.Error("exclusive program before SetExclusiveProgram")
	}
	if err := m.SetExclusiveProgram(owner); err != nil {
		t.Fatal(err)
	}
	if got := m.ExclusiveProgram(); got != owner {
		t.Errorf("ExclusiveProgram = %v, want owner", got)
	}
	other := openTest(t, "basic")
	if err := m.SetExclusiveProgram(other.Program("run_me")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetExclusiveProgram to another object's program: %v, want EINVAL", err)
	}
	err := obj.Load()
	if why, lacks := testutil.KernelLacks(testutil.FeatureExclusiveMap); lacks {
		t.Log(why)
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("Load with an exclusive map: %v, want EINVAL", err)
		}
		return
	}
	if !errors.Is(err, unix.EACCES) || !strings.Contains(err.Error(), "intruder") {
		t.Fatalf("Load with a second program using the exclusive map: %v, want EACCES naming intruder", err)
	}

	obj = openTest(t, "exclusive")
	m, owner, intruder = obj.Map("owned"), obj.Program("owner"), obj.Program("intruder")
	if err := m.SetExclusiveProgram(owner); err != nil {
		t.Fatal(err)
	}
	if err := intruder.SetAutoload(false); err != nil {
		t.Fatal(err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Run(nil); err != nil {
		t.Fatal(err)
	}
	v := make([]byte, 8)
	if err := m.Lookup(u32(0), v); err != nil || binary.NativeEndian.Uint64(v) != 1 {
		t.Errorf("the owner's count = %v, %v; want 1", v, err)
	}
	if err := m.SetExclusiveProgram(owner); !errors.Is(err, unix.EBUSY) {
		t.Errorf("SetExclusiveProgram after Load: %v, want EBUSY", err)
	}
}
