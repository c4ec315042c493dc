package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// Snapshot is what bpfrun run shows every interval, and the JSON document
// of --output json (documented in README.md).
type Snapshot struct {
	Object         string         `json:"object"`
	Name           string         `json:"name"`
	Libbpf         string         `json:"libbpf"`
	ElapsedSeconds float64        `json:"elapsed_seconds"`
	StatsEnabled   bool           `json:"stats_enabled"`
	Final          bool           `json:"final"`
	Programs       []ProgramState `json:"programs"`
	Maps           []MapState     `json:"maps"`
	Globals        btf.Struct     `json:"globals"`
	RingBuffers    []RingState    `json:"ring_buffers"`
}

// ProgramState is one program of a Snapshot.
type ProgramState struct {
	Name          string      `json:"name"`
	Section       string      `json:"section"`
	ProgType      string      `json:"prog_type"`
	AttachType    string      `json:"attach_type,omitempty"`
	Handler       HandlerInfo `json:"handler"`
	Loaded        bool        `json:"loaded"`
	Attached      bool        `json:"attached"`
	State         string      `json:"state"`
	ID            uint32      `json:"id,omitempty"`
	RunCount      uint64      `json:"run_count"`
	RunTimeNs     uint64      `json:"run_time_ns"`
	AvgRunTimeNs  uint64      `json:"avg_run_time_ns"`
	VerifiedInsns uint32      `json:"verified_insns,omitempty"`
	Error         string      `json:"error,omitempty"`
}

// MapState is one map of a Snapshot with its contents.
type MapState struct {
	MapInfo
	// Entries are the map's elements, sorted by key; array maps list
	// only the elements that are not all zero. Global-data maps have one
	// entry, key 0, whose value holds their variables.
	Entries []Entry `json:"entries"`
	// Count is the number of elements read (for arrays, the non-zero
	// ones); Entries holds at most --max-entries of them.
	Count     int    `json:"count"`
	Truncated bool   `json:"truncated,omitempty"`
	Note      string `json:"note,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Entry is one map element: key and value decoded through BTF (numbers,
// strings, objects for structs). Without BTF, 4- and 8-byte keys and values
// are unsigned numbers and others hex strings.
type Entry struct {
	Key   any `json:"key"`
	Value any `json:"value"` // summed over CPUs for per-CPU maps
	// PerCPU holds each CPU's value, with --per-cpu.
	PerCPU []any `json:"per_cpu,omitempty"`
}

// RingState is one ring buffer or perf event array map of a Snapshot:
// both carry records a program sent, shown the same way.
type RingState struct {
	Map        string       `json:"map"`
	Type       string       `json:"type"` // "ringbuf" or "perf_event_array"
	RecordType string       `json:"record_type,omitempty"`
	Records    uint64       `json:"records"`
	Lost       uint64       `json:"lost,omitempty"` // samples the kernel dropped (perf event arrays)
	Last       []RingRecord `json:"last"`
}

// RingRecord is one ring buffer or perf event array record: decoded
// through the record type, or a hex string.
type RingRecord struct {
	Size  int `json:"size"`
	Value any `json:"value"`
	// Rest holds the bytes past the record type's size (a variable-length
	// record's payload).
	Rest btf.Hex `json:"rest,omitempty"`
}

// mapReader reads and decodes map contents.
type mapReader struct {
	spec       *btf.Spec // nil without BTF
	perCPU     bool
	maxEntries int
	cpus       int
}

// notReadable is the note of a map whose elements the kernel does not
// give to user space by key (its lookup fails with ENOTSUPP).
const notReadable = "contents not readable by key from user space"

// errNotSupported is the kernel's ENOTSUPP (524), which golang.org/x/sys
// does not name: the answer to a lookup in a map type without one.
const errNotSupported = unix.Errno(524)

// maxIterate bounds the keys read from one map per snapshot.
const maxIterate = 1 << 16

func (r *mapReader) read(m *libbpf.Map) MapState {
	st := MapState{MapInfo: mapInfo(m, r.spec), Entries: []Entry{}}
	switch m.Type() {
	case libbpf.MapTypeRingBuf:
		st.Note = "ring buffer: its records are under ring_buffers"
		return st
	case libbpf.MapTypePerfEventArray:
		st.Note = "perf event array: its records are under ring_buffers"
		return st
	case libbpf.MapTypeUserRingBuf, libbpf.MapTypeQueue, libbpf.MapTypeStack,
		libbpf.MapTypeBloomFilter, libbpf.MapTypeStructOps, libbpf.MapTypeArena, libbpf.MapTypeSKStorage,
		libbpf.MapTypeInodeStorage, libbpf.MapTypeTaskStorage, libbpf.MapTypeCgrpStorage,
		libbpf.MapTypeCgroupStorage, libbpf.MapTypePerCPUCgroupStorage, libbpf.MapTypeSockMap,
		libbpf.MapTypeSockHash, libbpf.MapTypeReuseportSockArray, libbpf.MapTypeXskmap, libbpf.MapTypeInsnArray,
		libbpf.MapTypeCgroupArray:
		st.Note = notReadable
		return st
	}
	if m.FD() < 0 {
		st.Note = "not created"
		return st
	}
	if m.Internal() {
		r.readInternal(m, &st)
		return st
	}
	isArray := m.Type() == libbpf.MapTypeArray || m.Type() == libbpf.MapTypePerCPUArray
	type raw struct{ key, val []byte }
	var elems []raw
	it := m.Iterate()
	n := 0
	for key, val := range it.All() {
		if n == maxIterate {
			st.Truncated = true
			break
		}
		n++
		if isArray && allZero(val) {
			continue
		}
		elems = append(elems, raw{bytes.Clone(key), bytes.Clone(val)})
	}
	if err := it.Err(); errors.Is(err, errNotSupported) {
		// A map type the kernel gives no lookup from user space that the
		// list above lacks: say so, as for the known ones.
		st.Note = notReadable
		st.Entries = []Entry{}
		return st
	} else if err != nil {
		st.Error = err.Error()
	}
	st.Count = len(elems)
	entries := make([]Entry, 0, len(elems))
	for _, e := range elems {
		entries = append(entries, r.entry(m, e.key, e.val))
	}
	sortEntries(entries, isArray)
	if r.maxEntries >= 0 && len(entries) > r.maxEntries {
		entries = entries[:r.maxEntries]
		st.Truncated = true
	}
	st.Entries = entries
	return st
}

func (r *mapReader) readInternal(m *libbpf.Map, st *MapState) {
	val := make([]byte, m.ValueSize())
	if err := m.Lookup(make([]byte, m.KeySize()), val); err != nil {
		// .kconfig and friends may not be readable; fall back to what
		// libbpf holds.
		iv, ierr := m.InitialValue()
		if ierr != nil || len(iv) != len(val) {
			st.Error = err.Error()
			return
		}
		val = iv
	}
	st.Count = 1
	var v any = btf.Hex(val)
	if r.spec != nil {
		if d, ok, err := decodeGlobals(r.spec, m, val); err != nil {
			st.Error = err.Error()
		} else if ok {
			v = d
		}
	}
	st.Entries = []Entry{{Key: uint64(0), Value: v}}
}

// entry decodes one element; a per-CPU value is split by CPU and summed.
func (r *mapReader) entry(m *libbpf.Map, key, val []byte) Entry {
	e := Entry{Key: r.decode(m.KeyTypeID(), key, m.Type() == libbpf.MapTypeArray || m.Type() == libbpf.MapTypePerCPUArray)}
	if !m.PerCPU() {
		e.Value = r.decode(m.ValueTypeID(), val, false)
		return e
	}
	stride := (m.ValueSize() + 7) / 8 * 8
	var sum any
	for cpu := 0; cpu*stride+m.ValueSize() <= len(val); cpu++ {
		v := r.decode(m.ValueTypeID(), val[cpu*stride:cpu*stride+m.ValueSize()], false)
		if cpu == 0 {
			sum = v
		} else {
			sum = btf.Sum(sum, v)
		}
		if r.perCPU {
			e.PerCPU = append(e.PerCPU, v)
		}
	}
	if _, isHex := sum.(btf.Hex); isHex && !r.perCPU {
		e.PerCPU = nil
	}
	e.Value = sum
	return e
}

// decode turns bytes into a readable value through the BTF type id; without
// one, array indexes are numbers and the rest hex.
func (r *mapReader) decode(id uint32, b []byte, index bool) any {
	if r.spec != nil && id != 0 {
		if v, err := r.spec.Decode(id, b); err == nil {
			return v
		}
	}
	if index && len(b) == 4 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	if len(b) == 8 || len(b) == 4 {
		// Without BTF, u32 and u64 values are the common case (counters):
		// show them as numbers, as bpftool does for its plain dumps.
		if len(b) == 4 {
			return uint64(binary.LittleEndian.Uint32(b))
		}
		return binary.LittleEndian.Uint64(b)
	}
	return btf.Hex(append([]byte(nil), b...))
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// sortEntries orders entries by key: numbers numerically, the rest by
// their text.
func sortEntries(es []Entry, isArray bool) {
	if isArray {
		return // already in index order
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Key, es[j].Key
		if x, ok := num(a); ok {
			if y, ok := num(b); ok {
				return x < y
			}
		}
		return btf.Format(a) < btf.Format(b)
	})
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// typeByName finds "struct x", "union x", "enum x" or a plain type name.
func typeByName(spec *btf.Spec, name string) (uint32, bool) {
	kinds := []btf.Kind{btf.KindStruct, btf.KindUnion, btf.KindTypedef, btf.KindInt, btf.KindEnum, btf.KindEnum64, btf.KindFloat}
	for kw, k := range map[string]btf.Kind{"struct ": btf.KindStruct, "union ": btf.KindUnion, "enum ": btf.KindEnum} {
		if rest, ok := strings.CutPrefix(name, kw); ok {
			name, kinds = strings.TrimSpace(rest), []btf.Kind{k}
			if k == btf.KindEnum {
				kinds = append(kinds, btf.KindEnum64)
			}
		}
	}
	for _, t := range spec.ByName(name, kinds...) {
		if t.Kind == btf.KindStruct || t.Kind == btf.KindUnion {
			if t.Size == 0 && len(t.Members) == 0 {
				continue
			}
		}
		return t.ID, true
	}
	return 0, false
}

// collectGlobals flattens the variables of the global-data maps of the
// snapshot into one name -> value object.
func collectGlobals(maps []MapState) btf.Struct {
	out := btf.Struct{}
	for _, m := range maps {
		if !m.Internal || len(m.Entries) != 1 {
			continue
		}
		if s, ok := m.Entries[0].Value.(btf.Struct); ok {
			out = append(out, s...)
		}
	}
	return out
}

// programState reads a program's kernel statistics.
func programState(p *libbpf.Program, h HandlerInfo, attached bool, state string) ProgramState {
	ps := ProgramState{Name: p.Name(), Section: p.SectionName(), ProgType: p.Type().String(),
		AttachType: attachTypeOf(p.Type(), p.ExpectedAttachType()), Handler: h,
		Loaded: p.FD() >= 0, Attached: attached, State: state}
	if !ps.Loaded {
		return ps
	}
	st, err := p.Stats()
	if err != nil {
		ps.Error = err.Error()
		return ps
	}
	ps.ID, ps.RunCount, ps.VerifiedInsns = st.ID, st.RunCount, st.VerifiedInsns
	ps.RunTimeNs = uint64(st.RunTime / time.Nanosecond)
	if st.RunCount > 0 {
		ps.AvgRunTimeNs = ps.RunTimeNs / st.RunCount
	}
	return ps
}
