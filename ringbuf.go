package libbpf

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Record is one ring buffer sample and the map it came from.
type Record struct {
	Map  *Map
	Data []byte
}

// The header the kernel writes before every ring buffer record: the
// length with two flag bits, and the page offset the kernel uses.
const (
	ringBusyBit    = 1 << 31 // reserved, not yet submitted or discarded
	ringDiscardBit = 1 << 30 // discarded: skip it
	ringHeaderSize = 8
)

// ringMem is one ring as it is mapped: the consumer and producer positions
// and the data pages, mapped twice in a row by the kernel so that a record
// that wraps around the end is contiguous.
type ringMem struct {
	consumerPos *uint64
	producerPos *uint64
	data        []byte // 2 × size bytes
	mask        uint64 // size - 1
}

// ringReader reads the records of one ring in order, as libbpf's
// ringbuf_process_ring does: a busy record stops it, a discarded one is
// skipped, and the consumer position is published after each record or
// batch. It is the Go-side decoder, fed synthetic memory by the fuzz test.
type ringReader struct {
	ringMem
	cons uint64 // position of the next record
	prod uint64 // producer position last read
}

// next returns the next submitted record, in place, and the position after
// it; ok is false when no record is ready (none, or the next is busy).
// Discarded records are passed over. The record stays valid until the
// consumer position moves past it (publish).
func (r *ringReader) next() (data []byte, end uint64, ok bool, err error) {
	for {
		if r.prod <= r.cons {
			r.prod = atomic.LoadUint64(r.producerPos)
			if r.cons == r.prod {
				return nil, 0, false, nil
			}
		}
		if r.prod-r.cons > r.mask+1 {
			return nil, 0, false, r.corrupt("producer position %d is %d bytes ahead", r.prod, r.prod-r.cons)
		}
		off := r.cons & r.mask
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
		if hdr&ringBusyBit != 0 {
			return nil, 0, false, nil
		}
		n := uint64(hdr &^ (ringBusyBit | ringDiscardBit))
		total := (n + ringHeaderSize + 7) &^ 7
		if total > r.prod-r.cons {
			return nil, 0, false, r.corrupt("record of %d bytes runs past the producer position %d", n, r.prod)
		}
		if hdr&ringDiscardBit != 0 {
			r.cons += total
			continue
		}
		off += ringHeaderSize
		return r.data[off : off+n : off+n], r.cons + total, true, nil
	}
}

func (r *ringReader) corrupt(format string, args ...any) error {
	return fmt.Errorf("ring at consumer position %d: %s: %w", r.cons, fmt.Sprintf(format, args...), ErrCorruptRing)
}

// publish hands the space before the reader's position back to the kernel.
func (r *ringReader) publish() { atomic.StoreUint64(r.consumerPos, r.cons) }

// resume starts reading where the consumer position is, as libbpf does on
// every call: another reader of the same map may have moved it.
func (r *ringReader) resume() { r.cons = atomic.LoadUint64(r.consumerPos) }

// process calls fn on up to n records of m in order and publishes the
// consumer position after each batch of records it saw, and before it
// returns.
func (r *ringReader) process(n int, m *Map, fn func(Record) error) (int, error) {
	r.resume()
	count := 0
	start := r.cons
	defer func() {
		if r.cons != start {
			r.publish()
		}
	}()
	for count < n {
		data, end, ok, err := r.next()
		if err != nil || !ok {
			return count, err
		}
		r.cons = end
		count++
		if err := fn(Record{Map: m, Data: data}); err != nil {
			return count, err
		}
		// A batch ends where the producer position read last ends: the
		// kernel gets its space back at least that often.
		if r.cons == r.prod {
			r.publish()
			start = r.cons
		}
	}
	return count, nil
}

// RingBuffer reads the records BPF programs submit to one or more
// BPF_MAP_TYPE_RINGBUF maps (libbpf's struct ring_buffer), in the order
// each ring holds them. It reads the mapped rings directly: no C call and,
// with ReadInto or the callback forms, no allocation per record.
//
// A RingBuffer serves one reader at a time; its methods may be called from
// any goroutine and Close wakes a blocked Read.
type RingBuffer struct {
	poll  *poller
	rings []*Ring
	cur   int // ring ReadInto looks at first
}

// Ring is one map inside a RingBuffer (libbpf's struct ring). A nil *Ring,
// which RingBuffer.Ring returns past the reader's maps, is safe to use:
// Consume and ConsumeN fail with ErrNotFound, the others return the zero
// value (MapFD -1).
type Ring struct {
	rb     *RingBuffer
	m      *Map
	fd     int
	cons   []byte // the consumer page
	prod   []byte // the producer page and the data pages twice
	reader ringReader
}

// NewRingBuffer returns a reader over the loaded ring buffer maps
// (ring_buffer__new, then ring_buffer__add for every further map).
func NewRingBuffer(maps ...*Map) (_ *RingBuffer, err error) {
	if len(maps) == 0 {
		return nil, fmt.Errorf("ring buffer: no maps: %w", errInvalidArgument)
	}
	rb := &RingBuffer{}
	if rb.poll, err = newPoller("ring buffer"); err != nil {
		return nil, fmt.Errorf("ring buffer: %w", err)
	}
	for _, m := range maps {
		if err := rb.add(m); err != nil {
			rb.release()
			return nil, err
		}
	}
	return rb, nil
}

// Add adds a ring buffer map to the reader (ring_buffer__add).
func (rb *RingBuffer) Add(m *Map) error {
	if err := rb.poll.lock(); err != nil {
		return err
	}
	defer rb.poll.mu.Unlock()
	return rb.add(m)
}

func (rb *RingBuffer) add(m *Map) error {
	if err := readerMap(m, MapTypeRingBuf, "ring buffer map"); err != nil {
		return fmt.Errorf("ring buffer: %w", err)
	}
	r := &Ring{rb: rb, m: m, fd: m.FD()}
	var err error
	r.cons, r.prod, r.reader.ringMem, err = mapRing(r.fd, m.MaxEntries(), unix.PROT_READ|unix.PROT_WRITE, unix.PROT_READ)
	if err != nil {
		return fmt.Errorf("ring buffer: map %s: %w", m.name, err)
	}
	if err := rb.poll.add(r.fd, unix.EPOLLIN); err != nil {
		r.unmap()
		return fmt.Errorf("ring buffer: map %s: %w", m.name, err)
	}
	rb.rings = append(rb.rings, r)
	return nil
}

// mapRing maps the consumer page, and the producer page followed by the data
// pages twice, of a ring buffer map of size bytes, as the kernel lays them
// out for ring buffers and user ring buffers alike.
func mapRing(fd int, size uint32, consProt, prodProt int) (cons, prod []byte, mem ringMem, err error) {
	if size == 0 || size&(size-1) != 0 {
		return nil, nil, mem, fmt.Errorf("size %d is not a power of two: %w", size, errInvalidArgument)
	}
	page := unix.Getpagesize()
	if cons, err = unix.Mmap(fd, 0, page, consProt, unix.MAP_SHARED); err != nil {
		return nil, nil, mem, fmt.Errorf("mmap consumer page: %w", err)
	}
	if prod, err = unix.Mmap(fd, int64(page), page+2*int(size), prodProt, unix.MAP_SHARED); err != nil {
		unix.Munmap(cons)
		return nil, nil, mem, fmt.Errorf("mmap producer page and data: %w", err)
	}
	mem = ringMem{
		consumerPos: (*uint64)(unsafe.Pointer(&cons[0])),
		producerPos: (*uint64)(unsafe.Pointer(&prod[0])),
		data:        prod[page:],
		mask:        uint64(size) - 1,
	}
	return cons, prod, mem, nil
}

func (r *Ring) unmap() {
	unix.Munmap(r.cons)
	unix.Munmap(r.prod)
	r.cons, r.prod = nil, nil
}

// readerMap checks that m, the map of an event reader, is a loaded map of
// type t (described as kind).
func readerMap(m *Map, t MapType, kind string) error {
	if m == nil {
		return errNilMap
	}
	if m.Type() != t || m.FD() < 0 {
		return fmt.Errorf("map %s is not a loaded %s: %w", m.name, kind, errInvalidArgument)
	}
	return nil
}

// Read returns a copy of the next record, waiting until one arrives, ctx
// is done (its error is returned) or the reader is closed (ErrClosed).
// Copies of small records share 16 KiB blocks, so that reading allocates
// once per many records; keeping one record keeps its block.
func (rb *RingBuffer) Read(ctx context.Context) (Record, error) {
	if err := rb.poll.lock(); err != nil {
		return Record{}, err
	}
	defer rb.poll.mu.Unlock()
	r, data, err := rb.take(ctx)
	if err != nil {
		return Record{}, err
	}
	rec := Record{Map: r.m, Data: rb.poll.copyOut(data)}
	r.reader.publish()
	return rec, nil
}

// ReadInto is Read into rec, reusing the capacity of rec.Data: once it is
// large enough, reading allocates nothing.
func (rb *RingBuffer) ReadInto(ctx context.Context, rec *Record) error {
	if err := rb.poll.lock(); err != nil {
		return err
	}
	defer rb.poll.mu.Unlock()
	r, data, err := rb.take(ctx)
	if err != nil {
		return err
	}
	rec.Map = r.m
	rec.Data = append(rec.Data[:0], data...)
	r.reader.publish()
	return nil
}

// take waits for the next record and returns it in place, the ring's
// reader moved past it: the caller copies it, then publishes. Rings are
// visited in turn, each in its own order. The caller holds the lock.
func (rb *RingBuffer) take(ctx context.Context) (*Ring, []byte, error) {
	// The common case: the ring read last has another record.
	r := rb.rings[rb.cur]
	if data, ok, err := r.take(); ok || err != nil {
		return r, data, err
	}
	var data []byte
	err := next(rb.poll, ctx, rb.rings, &rb.cur, func(ring *Ring) (ok bool, err error) {
		data, ok, err = ring.take()
		r = ring
		return ok, err
	})
	return r, data, err
}

// take returns the ring's next record in place, if one is ready, and moves
// the reader past it without publishing; discarded records before it are
// passed over.
func (r *Ring) take() ([]byte, bool, error) {
	r.reader.resume()
	start := r.reader.cons
	data, end, ok, err := r.reader.next()
	if err != nil {
		return nil, false, fmt.Errorf("ring buffer: map %s: %w", r.m.name, err)
	}
	if ok {
		r.reader.cons = end
	} else if r.reader.cons != start {
		// Only discarded records: give their space back now, or the
		// kernel, seeing the consumer behind, would not wake us again.
		r.reader.publish()
	}
	return data, ok, nil
}

// Consume calls fn on every record ready in every ring, without waiting
// (ring_buffer__consume), and returns how many it saw. Each record is in
// place in the ring: its Data is valid only during the call, and read-only.
// An error from fn stops consuming and is returned; the record it was
// given counts as consumed.
func (rb *RingBuffer) Consume(fn func(Record) error) (int, error) {
	return rb.ConsumeN(math.MaxInt, fn)
}

// ConsumeN is Consume for at most n records (ring_buffer__consume_n).
func (rb *RingBuffer) ConsumeN(n int, fn func(Record) error) (int, error) {
	if err := rb.poll.lock(); err != nil {
		return 0, err
	}
	defer rb.poll.mu.Unlock()
	return rb.consume(n, fn)
}

// consume is ConsumeN; the caller holds the lock.
func (rb *RingBuffer) consume(n int, fn func(Record) error) (int, error) {
	total := 0
	for _, r := range rb.rings {
		got, err := r.consume(n-total, fn)
		total += got
		if err != nil || total >= n {
			return total, err
		}
	}
	return total, nil
}

// Poll waits up to timeout (negative: no limit) for records, then consumes
// them as Consume does (ring_buffer__poll). It returns 0 and no error when
// the time passed without a record.
func (rb *RingBuffer) Poll(timeout time.Duration, fn func(Record) error) (int, error) {
	return rb.ReadFunc(context.Background(), timeout, fn)
}

// ReadFunc is Poll that also ends when ctx is done, with ctx's error.
func (rb *RingBuffer) ReadFunc(ctx context.Context, timeout time.Duration, fn func(Record) error) (int, error) {
	return rb.poll.pollThen(ctx, timeout, func() (int, error) { return rb.consume(math.MaxInt, fn) })
}

// EpollFD returns the epoll fd the reader waits on (ring_buffer__epoll_fd):
// it is readable when a ring has data, or when the reader is being woken.
func (rb *RingBuffer) EpollFD() int {
	if rb.poll.closed.Load() {
		return -1
	}
	return rb.poll.epfd
}

// Ring returns the i-th map of the reader, in the order they were added
// (ring_buffer__ring), or nil.
func (rb *RingBuffer) Ring(i int) *Ring {
	rb.poll.mu.Lock()
	defer rb.poll.mu.Unlock()
	if i < 0 || i >= len(rb.rings) {
		return nil
	}
	return rb.rings[i]
}

// Close wakes a blocked Read and frees the reader; it is idempotent.
func (rb *RingBuffer) Close() error { return rb.poll.shut(rb.release) }

func (rb *RingBuffer) release() {
	for _, r := range rb.rings {
		r.unmap()
	}
	rb.rings = nil
	rb.poll.close()
}

// consume is ring__consume_n; the caller holds the lock.
func (r *Ring) consume(n int, fn func(Record) error) (int, error) {
	got, err := r.reader.process(n, r.m, fn)
	if err != nil {
		return got, fmt.Errorf("ring buffer: map %s: %w", r.m.name, err)
	}
	return got, nil
}

// Consume calls fn on every record ready in this ring (ring__consume), as
// RingBuffer.Consume does.
func (r *Ring) Consume(fn func(Record) error) (int, error) { return r.ConsumeN(math.MaxInt, fn) }

// ConsumeN is Consume for at most n records (ring__consume_n).
func (r *Ring) ConsumeN(n int, fn func(Record) error) (int, error) {
	if r == nil {
		return 0, fmt.Errorf("ring buffer: consume: %w", errNilRing)
	}
	if err := r.rb.poll.lock(); err != nil {
		return 0, err
	}
	defer r.rb.poll.mu.Unlock()
	return r.consume(n, fn)
}

// position reads a position of the ring while it is mapped, 0 after Close.
func (r *Ring) position(p func(*ringMem) *uint64) uint64 {
	if r == nil || r.rb.poll.lock() != nil {
		return 0
	}
	defer r.rb.poll.mu.Unlock()
	return atomic.LoadUint64(p(&r.reader.ringMem))
}

// ConsumerPos returns the ring's consumer position (ring__consumer_pos).
func (r *Ring) ConsumerPos() uint64 {
	return r.position(func(m *ringMem) *uint64 { return m.consumerPos })
}

// ProducerPos returns the ring's producer position (ring__producer_pos).
func (r *Ring) ProducerPos() uint64 {
	return r.position(func(m *ringMem) *uint64 { return m.producerPos })
}

// AvailDataSize returns how many bytes of records, headers included, wait
// to be consumed (ring__avail_data_size).
func (r *Ring) AvailDataSize() uint64 {
	return r.ProducerPos() - r.ConsumerPos()
}

// Size returns the ring's data size in bytes (ring__size).
func (r *Ring) Size() uint64 {
	if r == nil {
		return 0
	}
	return r.reader.mask + 1
}

// MapFD returns the fd of the ring's map (ring__map_fd).
func (r *Ring) MapFD() int {
	if r == nil {
		return -1
	}
	return r.fd
}

// Map returns the ring's map.
func (r *Ring) Map() *Map {
	if r == nil {
		return nil
	}
	return r.m
}
