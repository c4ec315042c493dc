package libbpf

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeRing is ring memory as the kernel maps it, built in Go: size bytes of
// data mapped twice (here: kept as two equal copies) and the positions.
type fakeRing struct {
	cons, prod uint64
	data       []byte
}

func newFakeRing(size int) *fakeRing { return &fakeRing{data: make([]byte, 2*size)} }

// put writes b at position pos, in both copies, wrapping around.
func (f *fakeRing) put(pos uint64, b []byte) {
	size := uint64(len(f.data) / 2)
	for i, c := range b {
		off := (pos + uint64(i)) % size
		f.data[off], f.data[off+size] = c, c
	}
}

// record appends a ring buffer record with header flags to the ring.
func (f *fakeRing) record(payload []byte, flags uint32) uint64 {
	at := f.prod
	hdr := binary.NativeEndian.AppendUint32(nil, uint32(len(payload))|flags)
	f.put(at, append(append(hdr, 0, 0, 0, 0), payload...))
	f.prod += (uint64(len(payload)) + ringHeaderSize + 7) &^ 7
	return at
}

func (f *fakeRing) reader() *ringReader {
	return &ringReader{
		ringMem: ringMem{consumerPos: &f.cons, producerPos: &f.prod, data: f.data, mask: uint64(len(f.data)/2 - 1)},
		cons:    f.cons,
		prod:    f.cons,
	}
}

// TestRingReader: the decoder over synthetic memory: a record that wraps
// around the end is read whole through the second mapping, a busy record
// stops the reader until it is submitted, discarded ones are passed over,
// and the consumer position is published after each batch.
func TestRingReader(t *testing.T) {
	f := newFakeRing(128)
	f.cons, f.prod = 104, 104
	r := f.reader()
	f.record([]byte("first"), 0)             // 104..120
	f.record([]byte("gone"), ringDiscardBit) // 120..136: wraps
	wrap := bytes.Repeat([]byte{7}, 20)
	f.record(wrap, 0) // 136..168
	busy := f.record([]byte("busy"), ringBusyBit)
	f.record([]byte("after"), 0)
	var got []string
	collect := func(rec Record) error { got = append(got, string(rec.Data)); return nil }
	n, err := r.process(math.MaxInt, nil, collect)
	if n != 2 || err != nil || got[0] != "first" || got[1] != string(wrap) {
		t.Fatalf("before the busy record: %d %q %v", n, got, err)
	}
	if f.cons != busy {
		t.Errorf("consumer position %d, want %d (the busy record)", f.cons, busy)
	}
	f.put(busy, binary.NativeEndian.AppendUint32(nil, 4))
	got = nil
	if n, err := r.process(1, nil, collect); n != 1 || err != nil || got[0] != "busy" {
		t.Fatalf("submitted busy record: %d %q %v", n, got, err)
	}
	if n, err := r.process(math.MaxInt, nil, collect); n != 1 || err != nil || got[1] != "after" || f.cons != f.prod {
		t.Fatalf("last record: %d %q %v; consumer %d producer %d", n, got, err, f.cons, f.prod)
	}

	// Discarded records alone are released at once by the one-record
	// path too: the kernel wakes the reader only when it has caught up.
	f = newFakeRing(64)
	f.record([]byte("gone"), ringDiscardBit)
	f.record([]byte("gone too"), ringDiscardBit)
	ring := &Ring{reader: *f.reader()}
	if data, ok, err := ring.take(); ok || err != nil || data != nil || f.cons != f.prod {
		t.Errorf("take over discarded records: %q %v %v; consumer %d, producer %d", data, ok, err, f.cons, f.prod)
	}

	// A record that crosses the end of the data pages.
	f = newFakeRing(64)
	f.cons, f.prod = 48, 48
	r = f.reader()
	long := []byte("0123456789abcdefghijklmnopqrstu")
	f.record(long, 0)
	got = nil
	if n, err := r.process(math.MaxInt, nil, collect); n != 1 || err != nil || got[0] != string(long) {
		t.Fatalf("wrapping record: %d %q %v", n, got, err)
	}

	// Bad lengths are errors, not reads past the ring.
	f = newFakeRing(64)
	r = f.reader()
	f.put(0, binary.NativeEndian.AppendUint32(nil, 100))
	f.prod = 16
	if _, err := r.process(math.MaxInt, nil, collect); !errors.Is(err, ErrCorruptRing) || !errors.Is(err, unix.EUCLEAN) {
		t.Errorf("record longer than the data: %v", err)
	}
}

// FuzzRingRecords runs the ring buffer decoder over arbitrary ring memory
// and positions: it never reads outside the ring, never loops forever,
// returns records that add up to the distance it advanced, and publishes
// where it stopped.
func FuzzRingRecords(f *testing.F) {
	seed := newFakeRing(64)
	seed.cons, seed.prod = 40, 40
	seed.record([]byte("hello"), 0)
	seed.record([]byte("skip"), ringDiscardBit)
	seed.record(bytes.Repeat([]byte{1}, 20), 0)
	seed.record([]byte("busy"), ringBusyBit)
	f.Add(seed.data[:64], uint8(6), uint64(40), seed.prod)
	f.Add([]byte{}, uint8(3), uint64(0), uint64(8))
	f.Fuzz(func(t *testing.T, mem []byte, sizeLog uint8, cons, prod uint64) {
		size := 8 << (sizeLog % 10)
		ring := newFakeRing(size)
		ring.put(0, mem[:min(len(mem), size)])
		ring.cons, ring.prod = cons&^7, prod
		r := ring.reader()
		start, seen := r.cons, uint64(0)
		n, err := r.process(math.MaxInt, nil, func(rec Record) error {
			if len(rec.Data) > size-ringHeaderSize {
				t.Fatalf("record of %d bytes in a ring of %d", len(rec.Data), size)
			}
			seen += (uint64(len(rec.Data)) + ringHeaderSize + 7) &^ 7
			return nil
		})
		if err != nil && !errors.Is(err, unix.EUCLEAN) {
			t.Fatalf("error %v does not say the ring is corrupt", err)
		}
		if adv := r.cons - start; adv < seen || adv > uint64(size) {
			t.Fatalf("advanced %d bytes for %d bytes of %d records", adv, seen, n)
		}
		if ring.cons != r.cons {
			t.Fatalf("published %d, read up to %d", ring.cons, r.cons)
		}
	})
}

// perfRecordBytes encodes a perf record of type typ with body.
func perfRecordBytes(typ uint32, body []byte) []byte {
	size := 8 + len(body)
	b := binary.NativeEndian.AppendUint32(nil, typ)
	b = binary.NativeEndian.AppendUint16(b, 0)
	b = binary.NativeEndian.AppendUint16(b, uint16(size))
	return append(b, body...)
}

// perfSample is a PERF_RECORD_SAMPLE of raw data, padded as the kernel does.
func perfSample(data []byte) []byte {
	n := (4 + len(data) + 7) &^ 7
	body := binary.NativeEndian.AppendUint32(nil, uint32(n-4))
	body = append(body, data...)
	return perfRecordBytes(unix.PERF_RECORD_SAMPLE, append(body, make([]byte, n-4-len(data))...))
}

type fakePerf struct {
	head, tail uint64
	data       []byte
}

func (f *fakePerf) add(rec []byte) {
	for i, c := range rec {
		f.data[(f.head+uint64(i))%uint64(len(f.data))] = c
	}
	f.head += uint64(len(rec))
}

func (f *fakePerf) ring() *perfRing {
	return &perfRing{head: &f.head, tailPos: &f.tail, data: f.data, mask: uint64(len(f.data) - 1), tail: f.tail, headPos: f.tail}
}

// TestPerfRing: samples, a loss and an unknown record type, with a sample
// that wraps around the end of the ring, decode in order.
func TestPerfRing(t *testing.T) {
	f := &fakePerf{data: make([]byte, 128), head: 72, tail: 72}
	p := f.ring()
	f.add(perfSample([]byte("abc")))                                  // 72..88
	f.add(perfRecordBytes(unix.PERF_RECORD_LOST, make([]byte, 16)))   // 88..112
	binary.NativeEndian.PutUint64(f.data[104:], 9)                    // lost = 9
	f.add(perfSample([]byte("0123456789abcdefghij")))                 // 112..144: wraps
	f.add(perfRecordBytes(unix.PERF_RECORD_COMM, []byte("12345678"))) // 144..160
	f.add(perfSample(bytes.Repeat([]byte{5}, 28)))                    // 160..200
	var got []string
	n, err := p.process(math.MaxInt, 3, func(rec PerfRecord) error {
		if rec.CPU != 3 {
			t.Errorf("record of CPU %d, want 3", rec.CPU)
		}
		if rec.LostSamples != 0 {
			got = append(got, "lost:"+string(rune('0'+rec.LostSamples)))
		} else {
			got = append(got, string(bytes.TrimRight(rec.Data, "\x00")))
		}
		return nil
	})
	want := []string{"abc", "lost:9", "0123456789abcdefghij", string(bytes.Repeat([]byte{5}, 28))}
	if n != 4 || err != nil || len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("decoded %d: %q, %v; want %q", n, got, err, want)
	}
	if f.tail != f.head {
		t.Errorf("tail %d, head %d: the tail was not published", f.tail, f.head)
	}

	// Records of other types alone are released by the one-record path.
	f.add(perfRecordBytes(unix.PERF_RECORD_COMM, []byte("12345678")))
	b := &perfCPU{ring: *f.ring()}
	if data, lost, ok, err := b.take(); ok || err != nil || data != nil || lost != 0 || f.tail != f.head {
		t.Errorf("take over a COMM record: %q %d %v %v; tail %d, head %d", data, lost, ok, err, f.tail, f.head)
	}
}

// FuzzPerfRecords runs the perf ring decoder over arbitrary memory and
// positions: no read outside the ring, no endless loop, samples no longer
// than their record, the tail published where it stopped.
func FuzzPerfRecords(f *testing.F) {
	seed := &fakePerf{data: make([]byte, 64), head: 24, tail: 24}
	seed.add(perfSample([]byte("abc")))
	seed.add(perfRecordBytes(unix.PERF_RECORD_LOST, make([]byte, 16)))
	seed.add(perfSample([]byte("0123456789abcdefghij")))
	f.Add(seed.data, uint8(6), uint64(24), seed.head)
	f.Add([]byte{}, uint8(3), uint64(0), uint64(8))
	f.Fuzz(func(t *testing.T, mem []byte, sizeLog uint8, tail, head uint64) {
		size := 8 << (sizeLog % 10)
		fp := &fakePerf{data: make([]byte, size), head: head, tail: tail}
		copy(fp.data, mem)
		p := fp.ring()
		start := p.tail
		n, err := p.process(math.MaxInt, 0, func(rec PerfRecord) error {
			if len(rec.Data) > size {
				t.Fatalf("sample of %d bytes in a ring of %d", len(rec.Data), size)
			}
			return nil
		})
		if err != nil && !errors.Is(err, unix.EUCLEAN) {
			t.Fatalf("error %v does not say the ring is corrupt", err)
		}
		if adv := p.tail - start; adv > uint64(size) || uint64(n)*8 > adv {
			t.Fatalf("advanced %d bytes for %d records", adv, n)
		}
		if fp.tail != p.tail {
			t.Fatalf("published %d, read up to %d", fp.tail, p.tail)
		}
	})
}

// BenchmarkRingProcess and BenchmarkPerfProcess time the decoders alone
// over synthetic rings full of 16-byte records: the floor of Consume.
func BenchmarkRingProcess(b *testing.B) {
	f := newFakeRing(1 << 20)
	for f.prod+24 <= 1<<20 {
		f.record(make([]byte, 16), 0)
	}
	n := int(f.prod / 24)
	b.ResetTimer()
	for range b.N {
		f.cons = 0
		r := f.reader()
		got, _ := r.process(math.MaxInt, nil, func(Record) error { return nil })
		if got != n {
			b.Fatal(got)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

func BenchmarkPerfProcess(b *testing.B) {
	f := &fakePerf{data: make([]byte, 1<<20)}
	for f.head+32 <= 1<<20 {
		f.add(perfSample(make([]byte, 16)))
	}
	n := int(f.head / 32)
	b.ResetTimer()
	for range b.N {
		f.tail = 0
		p := f.ring()
		got, _ := p.process(math.MaxInt, 0, func(PerfRecord) error { return nil })
		if got != n {
			b.Fatal(got)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// BenchmarkRingReadInto times RingBuffer.ReadInto alone over a synthetic
// ring full of 16-byte records.
func BenchmarkRingReadInto(b *testing.B) {
	f := newFakeRing(1 << 20)
	for f.prod+24 <= 1<<20 {
		f.record(make([]byte, 16), 0)
	}
	n := int(f.prod / 24)
	rb := &RingBuffer{poll: &poller{what: "ring buffer"}, rings: []*Ring{{reader: *f.reader()}}}
	rb.rings[0].rb = rb
	var rec Record
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%n == 0 {
			f.cons = 0
		}
		if err := rb.ReadInto(ctx, &rec); err != nil {
			b.Fatal(err)
		}
	}
}
