package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/bench/cmapdump"
	"golang.org/x/sys/unix"
)

// dumpEntries is the size of the map BenchmarkMaps dumps; dumpBatch the
// elements per batch call, the same for every case.
const (
	dumpEntries = 100_000
	dumpBatch   = 4096
	singleOps   = 200
)

// BenchmarkMaps compares user space's side of map access, interleaved:
//
//	dump     a full read of a 100,000-entry hash map (u32 keys, u64
//	         values): "c" is a loop of bpf_map_lookup_batch calls in C
//	         (bench/cmapdump), "batch" LookupBatch with a cursor, "iter"
//	         Map.Iterate, "cilium_batch" cilium's BatchLookup. 4096
//	         elements per batch.
//	dump_iter  the same dump by iterators: "iter" Map.Iterate against
//	         "cilium_iter", cilium's MapIterator, which has no batch path
//	         (NextKey and Lookup per element, ~100 times slower: its own
//	         benchmark, so that it does not starve the others of rounds).
//	lookup, update   200 single Lookups or Updates (BPF_ANY) of an array
//	         and a hash map: "ours", "cilium", and "syscall", a bare
//	         unix.Syscall(SYS_BPF) loop, the floor both share.
func BenchmarkMaps(b *testing.B) {
	requireKernel(b)
	hash, err := libbpf.CreateMap(libbpf.MapTypeHash, "bench_dump", 4, 8, dumpEntries, libbpf.MapCreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer hash.Close()
	keys, values := make([]byte, 4*dumpEntries), make([]byte, 8*dumpEntries)
	for i := range dumpEntries {
		binary.NativeEndian.PutUint32(keys[i*4:], uint32(i))
		binary.NativeEndian.PutUint64(values[i*8:], uint64(i))
	}
	if _, err := hash.UpdateBatch(keys, values, libbpf.BatchOptions{}); err != nil {
		b.Fatal(err)
	}
	cHash := ciliumMap(b, hash)

	b.Run("dump", func(b *testing.B) {
		d := cmapdump.New(hash.FD(), dumpBatch, 4, 8)
		defer d.Close()
		bk, bv := make([]byte, 4*dumpBatch), make([]byte, 8*dumpBatch)
		ck, cv := make([]uint32, dumpBatch), make([]uint64, dumpBatch)
		it := hash.Iterate()
		interleave(b, alternate([]icase{
			{"c", func(*[4]time.Duration) error {
				n, err := d.Dump()
				if err != nil {
					return err
				}
				return wantDumped(n)
			}},
			{"batch", func(*[4]time.Duration) error {
				var cursor libbpf.BatchCursor
				total := 0
				for {
					n, err := hash.LookupBatch(&cursor, bk, bv, libbpf.BatchOptions{})
					total += n
					if errors.Is(err, libbpf.ErrKeyNotExist) {
						return wantDumped(total)
					}
					if err != nil {
						return err
					}
				}
			}},
			{"iter", func(*[4]time.Duration) error { return countAll(it) }},
			{"cilium_batch", func(*[4]time.Duration) error {
				var cursor ebpf.MapBatchCursor
				total := 0
				for {
					n, err := cHash.BatchLookup(&cursor, ck, cv, nil)
					total += n
					if errors.Is(err, ebpf.ErrKeyNotExist) {
						return wantDumped(total)
					}
					if err != nil {
						return err
					}
				}
			}},
		}))
	})
	b.Run("dump_iter", func(b *testing.B) {
		it := hash.Iterate()
		interleave(b, alternate([]icase{
			{"iter", func(*[4]time.Duration) error { return countAll(it) }},
			{"cilium_iter", func(*[4]time.Duration) error {
				var k uint32
				var v uint64
				n := 0
				ci := cHash.Iterate()
				for ci.Next(&k, &v) {
					n++
				}
				if err := ci.Err(); err != nil {
					return err
				}
				return wantDumped(n)
			}},
		}))
	})

	array, err := libbpf.CreateMap(libbpf.MapTypeArray, "bench_array", 4, 8, 1024, libbpf.MapCreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer array.Close()
	for _, m := range []*libbpf.Map{array, hash} {
		cm := ciliumMap(b, m)
		key, value := make([]byte, 4), make([]byte, 8)
		binary.NativeEndian.PutUint32(key, 7)
		for _, op := range []struct {
			name string
			cmd  uintptr
			ours func() error
			cil  func() error
		}{
			{"lookup", unix.BPF_MAP_LOOKUP_ELEM,
				func() error { return m.Lookup(key, value) },
				func() error { return cm.Lookup(key, value) }},
			{"update", unix.BPF_MAP_UPDATE_ELEM,
				func() error { return m.Update(key, value, libbpf.UpdateAny) },
				func() error { return cm.Update(key, value, ebpf.UpdateAny) }},
		} {
			b.Run(fmt.Sprintf("%s/%s", op.name, m.Type()), func(b *testing.B) {
				loop := func(fn func() error) func(*[4]time.Duration) error {
					return func(*[4]time.Duration) error {
						for range singleOps {
							if err := fn(); err != nil {
								return err
							}
						}
						return nil
					}
				}
				raw := func() error { return rawElem(op.cmd, m.FD(), key, value) }
				interleave(b, alternate([]icase{{"ours", loop(op.ours)}, {"cilium", loop(op.cil)}, {"syscall", loop(raw)}}))
			})
		}
	}
}

// rawElem is one BPF_MAP_*_ELEM command by a bare system call.
func rawElem(cmd uintptr, fd int, key, value []byte) error {
	attr := struct {
		fd         uint32
		_          uint32
		key, value uint64
		flags      uint64
	}{fd: uint32(fd), key: uint64(uintptr(unsafe.Pointer(&key[0]))), value: uint64(uintptr(unsafe.Pointer(&value[0])))}
	_, _, errno := unix.Syscall(unix.SYS_BPF, cmd, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return errno
	}
	return nil
}

func wantDumped(n int) error {
	if n != dumpEntries {
		return fmt.Errorf("dumped %d elements, want %d", n, dumpEntries)
	}
	return nil
}

// countAll walks it and checks the count.
func countAll(it *libbpf.MapIterator) error {
	n := 0
	for range it.All() {
		n++
	}
	if err := it.Err(); err != nil {
		return err
	}
	return wantDumped(n)
}
