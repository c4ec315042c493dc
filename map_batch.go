package libbpf

import (
	"errors"
	"fmt"
	"iter"

	"golang.org/x/sys/unix"
)

// BatchOptions are the options of the batch calls (struct
// bpf_map_batch_opts); the zero value is libbpf's default.
type BatchOptions struct {
	// ElemFlags apply to each element: LookupLock for lookups, an
	// UpdateFlags value for UpdateBatch.
	ElemFlags uint64
	Flags     uint64
}

// BatchCursor is the position of a walk by LookupBatch or
// LookupAndDeleteBatch: libbpf's in_batch and out_batch in one. Its zero
// value starts at the first element; use one cursor per walk and map.
type BatchCursor struct {
	buf     []byte // the kernel's opaque position: a bucket, an index or a key
	started bool
}

// Reset makes the cursor start again at the first element.
func (c *BatchCursor) Reset() { c.started = false }

// errNotSupported is the kernel's internal ENOTSUPP, which leaks to user
// space from bpf(2): map types without batch operations, tracing programs
// attached where no trampoline can be built (kernel functions on arm64
// before 6.4).
const errNotSupported = unix.Errno(524)

// batchDone is the count of elements a batch call processed. A map type
// without the batch operation fails with ENOTSUPP before the kernel writes
// the count back, so libbpf hands back the count it was given: nothing was
// processed.
func batchDone(n uint32, err error) uint32 {
	if errors.Is(err, errNotSupported) {
		return 0
	}
	return n
}

// batchElems validates the key and value buffers of a batch call and
// returns the element count.
func (m *Map) batchElems(op string, keys, values []byte, withValues bool) (*mapLayout, uint32, error) {
	l, err := m.created(op)
	if err != nil {
		return nil, 0, err
	}
	if l.keySize == 0 || len(keys) == 0 || len(keys)%l.keySize != 0 {
		return nil, 0, fmt.Errorf("map %s: %s: keys are %d bytes, want a non-zero multiple of the %d-byte key: %w", m.name, op, len(keys), l.keySize, errInvalidArgument)
	}
	n := len(keys) / l.keySize
	if withValues && len(values) != n*l.lookupSize {
		return nil, 0, fmt.Errorf("map %s: %s: values are %d bytes, want %d for %d elements of %d: %w", m.name, op, len(values), n*l.lookupSize, n, l.lookupSize, errInvalidArgument)
	}
	return l, uint32(n), nil
}

// walkBatch runs a lookup batch call from cursor.
func (m *Map) walkBatch(op batchOp, name string, cursor *BatchCursor, keys, values []byte, opts BatchOptions) (int, error) {
	l, n, err := m.batchElems(name, keys, values, true)
	if err != nil {
		return 0, err
	}
	if cursor == nil {
		return 0, fmt.Errorf("map %s: %s: nil cursor: %w", m.name, name, errInvalidArgument)
	}
	if size := max(l.keySize, 4); len(cursor.buf) != size {
		cursor.buf = make([]byte, size)
	}
	var in []byte
	if cursor.started {
		in = cursor.buf
	}
	err = mapBatch(op, l.fd, in, cursor.buf, keys, values, &n, opts.ElemFlags, opts.Flags)
	n = batchDone(n, err)
	if err == nil || errors.Is(err, unix.ENOENT) {
		cursor.started = true
	}
	if isUnsupportedBatch(err) {
		// Refused before anything was copied; the count is still the one
		// passed in (Linux 5.10 leaves it so for a map without batches).
		n = 0
	}
	return int(n), m.wrap(name, err)
}

// LookupBatch copies up to len(keys)/KeySize elements from the cursor on into
// keys and values (LookupValueSize bytes each) and advances the cursor. It
// returns how many it copied; at the end of the map the error wraps
// ErrKeyNotExist (ENOENT), with the last elements counted. A hash map whose
// bucket holds more elements than fit fails with ENOSPC: retry with more
// room. Linux 5.6 brings batch operations for hash and array maps.
func (m *Map) LookupBatch(cursor *BatchCursor, keys, values []byte, opts BatchOptions) (int, error) {
	return m.walkBatch(batchLookup, "lookup batch", cursor, keys, values, opts)
}

// LookupAndDeleteBatch is LookupBatch that also deletes what it copies.
func (m *Map) LookupAndDeleteBatch(cursor *BatchCursor, keys, values []byte, opts BatchOptions) (int, error) {
	return m.walkBatch(batchLookupAndDelete, "lookup and delete batch", cursor, keys, values, opts)
}

// UpdateBatch stores each of values under the key at the same index of keys
// (opts.ElemFlags is an UpdateFlags value) and returns how many it stored.
func (m *Map) UpdateBatch(keys, values []byte, opts BatchOptions) (int, error) {
	l, n, err := m.batchElems("update batch", keys, values, true)
	if err != nil {
		return 0, err
	}
	err = mapBatch(batchUpdate, l.fd, nil, nil, keys, values, &n, opts.ElemFlags, opts.Flags)
	n = batchDone(n, err)
	return int(n), m.wrap("update batch", err)
}

// DeleteBatch deletes keys and returns how many it deleted; it stops at the
// first missing key with ErrKeyNotExist.
func (m *Map) DeleteBatch(keys []byte, opts BatchOptions) (int, error) {
	l, n, err := m.batchElems("delete batch", keys, nil, false)
	if err != nil {
		return 0, err
	}
	err = mapBatch(batchDelete, l.fd, nil, nil, keys, nil, &n, opts.ElemFlags, opts.Flags)
	n = batchDone(n, err)
	return int(n), m.wrap("delete batch", err)
}

// MapIterator walks a map's elements; see Map.Iterate.
type MapIterator struct {
	m   *Map
	err error
	// noBatch: the kernel refused batch lookups for the map, so later
	// walks go straight to NextKey (without the refused call's error
	// allocations).
	noBatch bool
}

// Iterate returns an iterator over the map's keys and values:
//
//	it := m.Iterate()
//	for key, value := range it.All() { ... }
//	if err := it.Err(); err != nil { ... }
//
// It reads many elements per system call with LookupBatch where the kernel
// has batch operations for the map type, and NextKey and Lookup otherwise.
// The yielded slices are the iterator's own buffers, reused without
// allocating: they are valid until the loop body returns; copy what you
// keep. Elements that change during the walk may be seen or missed; with
// NextKey, a hash map whose current key is deleted starts over.
func (m *Map) Iterate() *MapIterator { return &MapIterator{m: m} }

// Err returns the error that ended the last walk, or nil when it reached
// the end (or the loop stopped early).
func (it *MapIterator) Err() error { return it.err }

// iterBatchBytes bounds the memory of one batch of the iterator.
const (
	iterBatchMax   = 4096
	iterBatchBytes = 4 << 20
)

// isUnsupportedBatch reports whether err is the kernel refusing a batch
// operation as a whole: the map type has none (ENOTSUPP, EOPNOTSUPP) or the
// kernel does not know the command or its flags (EINVAL).
func isUnsupportedBatch(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, errNotSupported) || errors.Is(err, unix.EOPNOTSUPP)
}

// All returns the walk; each range over it starts from the first element.
func (it *MapIterator) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) {
		it.err = nil
		l, err := it.m.created("iterate")
		if err != nil {
			it.err = err
			return
		}
		if !it.noBatch {
			done, err := it.batches(l, yield)
			if done || err != nil {
				it.err = err
				return
			}
			it.noBatch = true
		}
		it.err = it.nextKeys(l, yield)
	}
}

// batches walks with LookupBatch. It returns done false, having yielded
// nothing, when the kernel lacks batch lookups for the map.
func (it *MapIterator) batches(l *mapLayout, yield func(key, value []byte) bool) (bool, error) {
	n := min(int(l.maxEntries), iterBatchMax, max(1, iterBatchBytes/(l.keySize+l.lookupSize)))
	n = max(n, 1)
	keys, values := make([]byte, n*l.keySize), make([]byte, n*l.lookupSize)
	var cursor BatchCursor
	first := true
	for {
		got, err := it.m.LookupBatch(&cursor, keys, values, BatchOptions{})
		if first && got == 0 && isUnsupportedBatch(err) {
			return false, nil
		}
		first = false
		if errors.Is(err, unix.ENOSPC) && got == 0 {
			// A hash bucket holds more than n elements.
			n *= 2
			keys, values = make([]byte, n*l.keySize), make([]byte, n*l.lookupSize)
			continue
		}
		for i := range got {
			k := keys[i*l.keySize : (i+1)*l.keySize : (i+1)*l.keySize]
			v := values[i*l.lookupSize : (i+1)*l.lookupSize : (i+1)*l.lookupSize]
			if !yield(k, v) {
				return true, nil
			}
		}
		if errors.Is(err, ErrKeyNotExist) {
			return true, nil
		}
		if err != nil {
			return true, err
		}
	}
}

// nextKeys walks with NextKey and Lookup.
func (it *MapIterator) nextKeys(l *mapLayout, yield func(key, value []byte) bool) error {
	key, next, value := make([]byte, l.keySize), make([]byte, l.keySize), make([]byte, l.lookupSize)
	var prev []byte // nil: from the first key
	for {
		if err := it.m.NextKey(prev, next); err != nil {
			if errors.Is(err, ErrKeyNotExist) {
				return nil
			}
			return err
		}
		key, next = next, key
		prev = key
		err := it.m.Lookup(key, value)
		if errors.Is(err, ErrKeyNotExist) {
			continue // deleted since NextKey
		}
		if err != nil {
			return err
		}
		if !yield(key, value) {
			return nil
		}
	}
}
