package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// perfPages is the size of each CPU's perf buffer, in pages (bcc's
// libbpf-tools use 16).
const perfPages = 16

// isRecordMap reports whether m carries records programs send to user
// space: a ring buffer or a perf event array.
func isRecordMap(m *libbpf.Map) bool {
	return m.Type() == libbpf.MapTypeRingBuf || m.Type() == libbpf.MapTypePerfEventArray
}

// recordSource is one reader of records: the ring buffers' (one reader
// for all of them) or a perf event array's.
type recordSource struct {
	// read waits for one record (or a lost-samples count) and stores it.
	read  func(ctx context.Context) error
	close func() error
}

// recordReaders reads every record source in the background into one
// store, and drains them when the run stops.
type recordReaders struct {
	store   *ringStore
	sources []recordSource
	wg      sync.WaitGroup
	cancel  context.CancelFunc
}

// newRecordReaders opens the readers of maps (ring buffers and perf event
// arrays, loaded) and starts them.
func newRecordReaders(store *ringStore, maps []*libbpf.Map) (_ *recordReaders, err error) {
	rr := &recordReaders{store: store}
	defer func() {
		if err != nil {
			rr.close()
		}
	}()
	var rings []*libbpf.Map
	for _, m := range maps {
		if m.Type() == libbpf.MapTypeRingBuf {
			rings = append(rings, m)
			continue
		}
		pb, err := libbpf.NewPerfBuffer(m, perfPages, libbpf.PerfBufferOptions{})
		if err != nil {
			return nil, fmt.Errorf("read perf event array %s: %w", m.Name(), err)
		}
		name := m.Name()
		rr.sources = append(rr.sources, recordSource{
			read: func(ctx context.Context) error {
				rec, err := pb.Read(ctx)
				if err != nil {
					return err
				}
				if rec.LostSamples > 0 {
					store.lost(name, rec.LostSamples)
				} else {
					store.add(name, rec.Data, true)
				}
				return nil
			},
			close: pb.Close,
		})
	}
	if len(rings) > 0 {
		rb, err := libbpf.NewRingBuffer(rings...)
		if err != nil {
			return nil, fmt.Errorf("read ring buffers: %w", err)
		}
		rr.sources = append(rr.sources, recordSource{
			read: func(ctx context.Context) error {
				rec, err := rb.Read(ctx)
				if err != nil {
					return err
				}
				store.add(rec.Map.Name(), rec.Data, false)
				return nil
			},
			close: rb.Close,
		})
	}
	var ctx context.Context
	ctx, rr.cancel = context.WithCancel(context.Background())
	for _, src := range rr.sources {
		rr.wg.Add(1)
		go func() {
			defer rr.wg.Done()
			for src.read(ctx) == nil {
			}
			// Stopped by drain or close.
		}()
	}
	return rr, nil
}

// drain stops the background readers and reads what the buffers still
// hold, so that the final snapshot counts every record sent before the run
// stopped. Bounded: a program that keeps sending must not keep bpfrun
// reading forever.
func (rr *recordReaders) drain() {
	if rr == nil {
		return
	}
	rr.cancel()
	rr.wg.Wait()
	end := time.Now().Add(200 * time.Millisecond)
	for _, src := range rr.sources {
		for time.Now().Before(end) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			err := src.read(ctx)
			cancel()
			if err != nil {
				break
			}
		}
	}
}

// close stops the readers and closes the buffers.
func (rr *recordReaders) close() error {
	if rr == nil {
		return nil
	}
	if rr.cancel != nil {
		rr.cancel()
	}
	var errs []error
	for _, src := range rr.sources {
		if err := src.close(); err != nil && !errors.Is(err, libbpf.ErrClosed) {
			errs = append(errs, err)
		}
	}
	rr.wg.Wait()
	return errors.Join(errs...)
}

// ringStore keeps the records the readers received, by map.
type ringStore struct {
	mu    sync.Mutex
	keep  int
	spec  *btf.Spec
	rings map[string]*ringState
	order []string
}

type ringState struct {
	mapType string
	typeID  uint32
	records uint64
	lost    uint64
	last    []RingRecord
}

func newRingStore(spec *btf.Spec, keep int, types map[string]uint32, maps []*libbpf.Map) *ringStore {
	s := &ringStore{keep: keep, spec: spec, rings: map[string]*ringState{}}
	for _, m := range maps {
		s.rings[m.Name()] = &ringState{mapType: m.Type().String(), typeID: types[m.Name()]}
		s.order = append(s.order, m.Name())
	}
	return s
}

// add stores one record of map name. A perf sample is padded: the kernel
// rounds its size up so that the sample with its 4-byte size field ends
// on 8 bytes; those bytes are not shown past a decoded type.
func (s *ringStore) add(name string, data []byte, padded bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.rings[name]
	if rs == nil {
		return
	}
	rs.records++
	if s.keep <= 0 {
		return
	}
	rs.last = append(rs.last, s.decode(rs.typeID, data, padded))
	if len(rs.last) > s.keep {
		rs.last = append(rs.last[:0], rs.last[len(rs.last)-s.keep:]...)
	}
}

// decode decodes a record through its type id (0: none, hex). A record
// longer than the type is decoded up to the type's size, the bytes past it
// kept as Rest, except a perf sample's padding. A record shorter than the
// type is decoded when only the type's last member, an array, is cut
// short: a variable-length tail, sent only as far as it is used (execsnoop's
// arguments); the missing elements read as zero.
func (s *ringStore) decode(typeID uint32, data []byte, padded bool) RingRecord {
	r := RingRecord{Size: len(data), Value: btf.Hex(data)}
	if typeID == 0 {
		return r
	}
	size, err := s.spec.Size(typeID)
	if err != nil {
		return r
	}
	if int(size) > len(data) {
		if !s.arrayTailCut(typeID, len(data)) {
			return r
		}
		full := make([]byte, size)
		copy(full, data)
		if d, err := s.spec.Decode(typeID, full); err == nil {
			r.Value = d
		}
		return r
	}
	d, err := s.spec.Decode(typeID, data[:size])
	if err != nil {
		return r
	}
	r.Value = d
	if padded && len(data) == (int(size)+4+7)/8*8-4 {
		r.Size = int(size) // the rest is the padding of a perf sample
		return r
	}
	if int(size) < len(data) {
		r.Rest = btf.Hex(data[size:])
	}
	return r
}

// arrayTailCut reports whether n bytes of struct typeID hold every member
// but (part of) the last, and the last is an array.
func (s *ringStore) arrayTailCut(typeID uint32, n int) bool {
	t, err := s.spec.Resolve(typeID)
	if err != nil || t.Kind != btf.KindStruct || len(t.Members) == 0 {
		return false
	}
	last := t.Members[len(t.Members)-1]
	lt, err := s.spec.Resolve(last.Type)
	return err == nil && lt.Kind == btf.KindArray && last.BitSize == 0 && int(last.BitOffset/8) <= n
}

// lost counts samples the kernel dropped for map name.
func (s *ringStore) lost(name string, n uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rs := s.rings[name]; rs != nil {
		rs.lost += n
	}
}

func (s *ringStore) snapshot() []RingState {
	out := []RingState{}
	if s == nil {
		return out
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range s.order {
		rs := s.rings[name]
		st := RingState{Map: name, Type: rs.mapType, Records: rs.records, Lost: rs.lost, Last: append([]RingRecord{}, rs.last...)}
		if rs.typeID != 0 {
			st.RecordType = s.spec.TypeName(rs.typeID)
		}
		out = append(out, st)
	}
	return out
}

// recordTypes finds the BTF type of the records of each ring buffer and
// perf event array: --record MAP=TYPE first, then a global named
// <map>_record (its type, or what it points to), then a struct named after
// the map or after the map without its plural s (events: struct event).
func recordTypes(spec *btf.Spec, rings []*libbpf.Map, flags []string, gs []*libbpf.Variable) (map[string]uint32, error) {
	out := map[string]uint32{}
	isRing := map[string]bool{}
	var names []string
	for _, m := range rings {
		isRing[m.Name()] = true
		names = append(names, m.Name())
	}
	for _, f := range flags {
		mapName, typ, _ := strings.Cut(f, "=")
		if !isRing[mapName] {
			if len(names) == 0 {
				return nil, fmt.Errorf("--record %s: the object has no ring buffer or perf event array map", f)
			}
			return nil, fmt.Errorf("--record %s: no ring buffer or perf event array map %q (they are: %s)", f, mapName, strings.Join(names, ", "))
		}
		if spec == nil {
			return nil, fmt.Errorf("--record %s: the object has no BTF to find type %q in", f, typ)
		}
		id, ok := typeByName(spec, typ)
		if !ok {
			return nil, fmt.Errorf("--record %s: no type %q in the object's BTF", f, typ)
		}
		out[mapName] = id
	}
	if spec == nil {
		return out, nil
	}
	for _, name := range names {
		if out[name] != 0 {
			continue
		}
		for _, g := range gs {
			if g.Name() == name+"_record" {
				id := g.TypeID()
				if t, err := spec.Resolve(id); err == nil && t.Kind == btf.KindPtr {
					id = t.Ref
				}
				out[name] = id
			}
		}
		if out[name] != 0 {
			continue
		}
		for _, cand := range []string{name, strings.TrimSuffix(name, "s")} {
			if ts := spec.ByName(cand, btf.KindStruct, btf.KindUnion); len(ts) > 0 && ts[0].Size > 0 {
				out[name] = ts[0].ID
				break
			}
		}
	}
	return out, nil
}
