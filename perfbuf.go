package libbpf

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PerfRecord is one sample a BPF program wrote to a perf event array with
// bpf_perf_event_output, or a count of samples the kernel dropped.
type PerfRecord struct {
	CPU int // the CPU whose buffer held the record
	// Data is the raw sample as the kernel stores it: the program's bytes,
	// followed by up to 7 bytes of padding that align the record to 8.
	Data []byte
	// LostSamples, when not 0, says the kernel dropped that many samples
	// on CPU for lack of room, at this point of the stream; Data is empty.
	LostSamples uint64
}

// PerfBufferOptions are the options of NewPerfBuffer; the zero value means
// libbpf's defaults: every sample wakes the reader, one buffer per online
// CPU stored under the CPU's number.
type PerfBufferOptions struct {
	// SamplePeriod wakes a waiting reader after that many samples (libbpf's
	// sample_period, the event's wakeup_events); 0 means 1.
	SamplePeriod uint32
	// Watermark, if not 0, wakes a waiting reader once that many bytes are
	// in a buffer instead (wakeup_watermark, as perf_buffer__new_raw allows).
	Watermark uint32
	// CPUs and MapKeys, if set, name the CPUs to open buffers on and the
	// map key each buffer is stored under, pairwise (perf_buffer_raw_opts).
	CPUs    []int
	MapKeys []int
}

// PerfBuffer reads the samples BPF programs write to a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY (libbpf's struct perf_buffer): one mapped
// ring per CPU, read directly from Go with no C call and, with ReadInto or
// the callback forms, no allocation per record. Within a CPU, records keep
// their order; lost samples are reported as records, never dropped silently.
//
// A PerfBuffer serves one reader at a time; its methods may be called from
// any goroutine and Close wakes a blocked Read.
type PerfBuffer struct {
	poll *poller
	m    *Map
	bufs []*perfCPU
	cur  int // buffer ReadInto looks at first
}

// perfCPU is one CPU's event and its mapped ring.
type perfCPU struct {
	cpu, key, fd int
	mem          []byte // the metadata page and the data pages
	ring         perfRing
}

// perfRing reads the records of one perf ring in order, as libbpf's
// perf_event_read_simple does; it is the Go-side decoder the fuzz test
// feeds synthetic memory.
type perfRing struct {
	head    *uint64 // data_head, written by the kernel
	tailPos *uint64 // data_tail, written by the reader
	data    []byte
	mask    uint64
	tail    uint64 // position of the next record
	headPos uint64 // data_head last read
	scratch []byte // a record that wraps around the end, made contiguous
}

// next decodes the record at the tail: a sample's data (in place, or in
// scratch when it wraps) or a count of lost samples, and the position after
// it. ok is false when the ring is empty. Record types other than samples
// and losses are passed over.
func (p *perfRing) next() (data []byte, lost, end uint64, ok bool, err error) {
	for {
		if p.tail == p.headPos {
			p.headPos = atomic.LoadUint64(p.head)
			if p.tail == p.headPos {
				return nil, 0, 0, false, nil
			}
		}
		avail := p.headPos - p.tail
		off := p.tail & p.mask
		if avail > p.mask+1 || off&7 != 0 {
			return nil, 0, 0, false, p.corrupt("head %d is %d bytes ahead", p.headPos, avail)
		}
		// Records are 8-byte aligned: the 8-byte header never wraps. The
		// kernel wrote the record before it published the head we loaded.
		hdr := *(*uint64)(unsafe.Pointer(&p.data[off]))
		typ, size := uint32(hdr), hdr>>48
		if size < 8 || size > avail {
			return nil, 0, 0, false, p.corrupt("record of type %d claims %d bytes, %d are there", typ, size, avail)
		}
		end = p.tail + size
		if typ == unix.PERF_RECORD_SAMPLE && size >= 12 && off+size <= uint64(len(p.data)) {
			// The common case, a sample that does not wrap, read in place.
			n := 12 + uint64(*(*uint32)(unsafe.Pointer(&p.data[off+8])))
			if n > size {
				return nil, 0, 0, false, p.corrupt("sample of %d bytes is too short for its contents", size)
			}
			return p.data[off+12 : off+n : off+n], 0, end, true, nil
		}
		switch typ {
		case unix.PERF_RECORD_SAMPLE:
			rec := p.record(off, size)
			if size < 12 || 12+uint64(binary.NativeEndian.Uint32(rec[8:])) > size {
				return nil, 0, 0, false, p.corrupt("sample of %d bytes is too short for its contents", size)
			}
			n := 12 + binary.NativeEndian.Uint32(rec[8:])
			return rec[12:n:n], 0, end, true, nil
		case unix.PERF_RECORD_LOST:
			if size < 24 {
				return nil, 0, 0, false, p.corrupt("lost record of %d bytes", size)
			}
			return nil, binary.NativeEndian.Uint64(p.record(off, size)[16:]), end, true, nil
		}
		p.tail = end
	}
}

// record returns the size bytes at off contiguously: in place, or copied
// into scratch when they wrap around the end of the ring.
func (p *perfRing) record(off, size uint64) []byte {
	if off+size <= uint64(len(p.data)) {
		return p.data[off : off+size]
	}
	p.scratch = append(append(p.scratch[:0], p.data[off:]...), p.data[:off+size-uint64(len(p.data))]...)
	return p.scratch
}

func (p *perfRing) corrupt(format string, args ...any) error {
	return fmt.Errorf("perf ring at tail %d: %s: %w", p.tail, fmt.Sprintf(format, args...), ErrCorruptRing)
}

// publish hands the space before the reader's position back to the kernel.
func (p *perfRing) publish() { atomic.StoreUint64(p.tailPos, p.tail) }

// process calls fn on up to n records of cpu in order and publishes the
// tail after each batch of records it saw, and before it returns.
func (p *perfRing) process(n, cpu int, fn func(PerfRecord) error) (int, error) {
	count := 0
	start := p.tail
	defer func() {
		if p.tail != start {
			p.publish()
		}
	}()
	for count < n {
		data, lost, end, ok, err := p.next()
		if err != nil || !ok {
			return count, err
		}
		p.tail = end
		count++
		if err := fn(PerfRecord{CPU: cpu, Data: data, LostSamples: lost}); err != nil {
			return count, err
		}
		if p.tail == p.headPos {
			p.publish()
			start = p.tail
		}
	}
	return count, nil
}

// NewPerfBuffer opens a buffer of pageCount pages (a power of two) per CPU
// for the loaded perf event array m and stores each CPU's event in m
// (perf_buffer__new, or perf_buffer__new_raw's attributes and CPUs through
// opts).
func NewPerfBuffer(m *Map, pageCount int, opts PerfBufferOptions) (_ *PerfBuffer, err error) {
	if err := readerMap(m, MapTypePerfEventArray, "perf event array"); err != nil {
		return nil, fmt.Errorf("perf buffer: %w", err)
	}
	if pageCount <= 0 || pageCount&(pageCount-1) != 0 {
		return nil, fmt.Errorf("perf buffer: map %s: page count %d is not a power of two: %w", m.name, pageCount, errInvalidArgument)
	}
	if len(opts.CPUs) != len(opts.MapKeys) {
		return nil, fmt.Errorf("perf buffer: map %s: %d CPUs but %d map keys: %w", m.name, len(opts.CPUs), len(opts.MapKeys), errInvalidArgument)
	}
	cpus, keys := opts.CPUs, opts.MapKeys
	if len(cpus) == 0 {
		if cpus, err = onlineCPUs(int(m.MaxEntries())); err != nil {
			return nil, fmt.Errorf("perf buffer: map %s: %w", m.name, err)
		}
		keys = cpus
	}
	pb := &PerfBuffer{m: m}
	if pb.poll, err = newPoller("perf buffer"); err != nil {
		return nil, fmt.Errorf("perf buffer: map %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			pb.release()
		}
	}()
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_SOFTWARE,
		Config:      unix.PERF_COUNT_SW_BPF_OUTPUT,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample_type: unix.PERF_SAMPLE_RAW,
		Wakeup:      max(opts.SamplePeriod, 1),
	}
	if opts.Watermark != 0 {
		attr.Bits |= unix.PerfBitWatermark
		attr.Wakeup = opts.Watermark
	}
	for i, cpu := range cpus {
		if err := pb.open(&attr, cpu, keys[i], pageCount); err != nil {
			return nil, fmt.Errorf("perf buffer: map %s: CPU %d: %w", m.name, cpu, err)
		}
	}
	if len(pb.bufs) == 0 {
		return nil, fmt.Errorf("perf buffer: map %s: no CPU to open a buffer on: %w", m.name, errInvalidArgument)
	}
	return pb, nil
}

// open opens, maps and enables the event of one CPU and stores it in the map.
func (pb *PerfBuffer) open(attr *unix.PerfEventAttr, cpu, key, pageCount int) error {
	fd, err := unix.PerfEventOpen(attr, -1, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("perf_event_open: %w", err)
	}
	page := unix.Getpagesize()
	mem, err := unix.Mmap(fd, 0, (1+pageCount)*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return fmt.Errorf("mmap %d pages: %w", pageCount, err)
	}
	meta := (*unix.PerfEventMmapPage)(unsafe.Pointer(&mem[0]))
	b := &perfCPU{cpu: cpu, key: -1, fd: fd, mem: mem, ring: perfRing{
		head:    &meta.Data_head,
		tailPos: &meta.Data_tail,
		data:    mem[page:],
		mask:    uint64(pageCount*page) - 1,
	}}
	b.ring.tail = atomic.LoadUint64(b.ring.tailPos)
	b.ring.headPos = b.ring.tail
	pb.bufs = append(pb.bufs, b)
	if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
		return fmt.Errorf("enable: %w", err)
	}
	if err := pb.m.Update(u32Bytes(uint32(key)), u32Bytes(uint32(fd)), UpdateAny); err != nil {
		return err
	}
	b.key = key
	return pb.poll.add(fd, unix.EPOLLIN)
}

func u32Bytes(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// onlineCPUs returns the online CPUs below limit (when not 0), as libbpf
// opens buffers on them.
func onlineCPUs(limit int) ([]int, error) {
	text, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("online CPUs: %w", err)
	}
	cpus, err := parseCPUList(strings.TrimSpace(string(text)))
	if err != nil {
		return nil, fmt.Errorf("online CPUs: %w", err)
	}
	if limit > 0 {
		for i, c := range cpus {
			if c >= limit {
				return cpus[:i], nil
			}
		}
	}
	return cpus, nil
}

// parseCPUList parses a kernel CPU list such as "0-3,5".
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || b < a {
			return nil, fmt.Errorf("bad CPU list %q: %w", s, errInvalidArgument)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// Read returns a copy of the next record, waiting until one arrives, ctx
// is done (its error is returned) or the buffer is closed (ErrClosed).
// Copies of small records share 16 KiB blocks, as RingBuffer.Read's do.
func (pb *PerfBuffer) Read(ctx context.Context) (PerfRecord, error) {
	if err := pb.poll.lock(); err != nil {
		return PerfRecord{}, err
	}
	defer pb.poll.mu.Unlock()
	b, data, lost, err := pb.take(ctx)
	if err != nil {
		return PerfRecord{}, err
	}
	rec := PerfRecord{CPU: b.cpu, Data: pb.poll.copyOut(data), LostSamples: lost}
	b.ring.publish()
	return rec, nil
}

// ReadInto is Read into rec, reusing the capacity of rec.Data: once it is
// large enough, reading allocates nothing.
func (pb *PerfBuffer) ReadInto(ctx context.Context, rec *PerfRecord) error {
	if err := pb.poll.lock(); err != nil {
		return err
	}
	defer pb.poll.mu.Unlock()
	b, data, lost, err := pb.take(ctx)
	if err != nil {
		return err
	}
	rec.CPU = b.cpu
	rec.Data = append(rec.Data[:0], data...)
	rec.LostSamples = lost
	b.ring.publish()
	return nil
}

// take waits for the next record and returns it in place, the buffer's
// reader moved past it: the caller copies it, then publishes. Buffers are
// visited in turn, each in its own order. The caller holds the lock.
func (pb *PerfBuffer) take(ctx context.Context) (b *perfCPU, data []byte, lost uint64, err error) {
	// The common case: the buffer read last has another record.
	b = pb.bufs[pb.cur]
	if data, lost, ok, err := b.take(); ok || err != nil {
		return b, data, lost, err
	}
	err = next(pb.poll, ctx, pb.bufs, &pb.cur, func(buf *perfCPU) (ok bool, err error) {
		data, lost, ok, err = buf.take()
		b = buf
		return ok, err
	})
	return b, data, lost, err
}

// take returns the buffer's next record in place, if one is ready, and
// moves the reader past it without publishing.
func (b *perfCPU) take() (data []byte, lost uint64, ok bool, err error) {
	start := b.ring.tail
	data, lost, end, ok, err := b.ring.next()
	if err != nil {
		return nil, 0, false, fmt.Errorf("perf buffer: CPU %d: %w", b.cpu, err)
	}
	if ok {
		b.ring.tail = end
	} else if b.ring.tail != start {
		b.ring.publish() // records of other types only: release them
	}
	return data, lost, ok, nil
}

// Consume calls fn on every record ready in every CPU's buffer, without
// waiting (perf_buffer__consume), and returns how many it saw. Each record
// is in place in the ring (or in a scratch buffer if it wraps around its
// end): its Data is valid only during the call, and read-only. An error
// from fn stops consuming and is returned.
func (pb *PerfBuffer) Consume(fn func(PerfRecord) error) (int, error) {
	if err := pb.poll.lock(); err != nil {
		return 0, err
	}
	defer pb.poll.mu.Unlock()
	return pb.consume(fn)
}

// consume is Consume; the caller holds the lock.
func (pb *PerfBuffer) consume(fn func(PerfRecord) error) (int, error) {
	total := 0
	for _, b := range pb.bufs {
		n, err := b.consume(fn)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (b *perfCPU) consume(fn func(PerfRecord) error) (int, error) {
	n, err := b.ring.process(math.MaxInt, b.cpu, fn)
	if err != nil {
		return n, fmt.Errorf("perf buffer: CPU %d: %w", b.cpu, err)
	}
	return n, nil
}

// ConsumeBuffer is Consume for the i-th buffer only
// (perf_buffer__consume_buffer).
func (pb *PerfBuffer) ConsumeBuffer(i int, fn func(PerfRecord) error) (int, error) {
	if err := pb.poll.lock(); err != nil {
		return 0, err
	}
	defer pb.poll.mu.Unlock()
	b, err := pb.buffer(i)
	if err != nil {
		return 0, err
	}
	return b.consume(fn)
}

// Poll waits up to timeout (negative: no limit) for records, then consumes
// them as Consume does (perf_buffer__poll). It returns 0 and no error when
// the time passed without a record.
func (pb *PerfBuffer) Poll(timeout time.Duration, fn func(PerfRecord) error) (int, error) {
	return pb.ReadFunc(context.Background(), timeout, fn)
}

// ReadFunc is Poll that also ends when ctx is done, with ctx's error.
func (pb *PerfBuffer) ReadFunc(ctx context.Context, timeout time.Duration, fn func(PerfRecord) error) (int, error) {
	return pb.poll.pollThen(ctx, timeout, func() (int, error) { return pb.consume(fn) })
}

// BufferCount returns the number of per-CPU buffers (perf_buffer__buffer_cnt).
func (pb *PerfBuffer) BufferCount() int {
	pb.poll.mu.Lock()
	defer pb.poll.mu.Unlock()
	return len(pb.bufs)
}

// buffer returns the i-th buffer; the caller holds the lock.
func (pb *PerfBuffer) buffer(i int) (*perfCPU, error) {
	if i < 0 || i >= len(pb.bufs) {
		return nil, fmt.Errorf("perf buffer: no buffer %d of %d: %w", i, len(pb.bufs), errInvalidArgument)
	}
	return pb.bufs[i], nil
}

// locked returns the i-th buffer while the reader is open.
func (pb *PerfBuffer) locked(i int) (*perfCPU, error) {
	if err := pb.poll.lock(); err != nil {
		return nil, err
	}
	defer pb.poll.mu.Unlock()
	return pb.buffer(i)
}

// BufferFD returns the perf event fd of the i-th buffer
// (perf_buffer__buffer_fd).
func (pb *PerfBuffer) BufferFD(i int) (int, error) {
	b, err := pb.locked(i)
	if err != nil {
		return -1, err
	}
	return b.fd, nil
}

// BufferCPU returns the CPU of the i-th buffer.
func (pb *PerfBuffer) BufferCPU(i int) (int, error) {
	b, err := pb.locked(i)
	if err != nil {
		return -1, err
	}
	return b.cpu, nil
}

// Buffer returns the mapped memory of the i-th buffer, its metadata page
// (struct perf_event_mmap_page) followed by the data pages
// (perf_buffer__buffer). It is valid until Close; reading it races with
// the kernel and with this reader.
func (pb *PerfBuffer) Buffer(i int) ([]byte, error) {
	b, err := pb.locked(i)
	if err != nil {
		return nil, err
	}
	return b.mem, nil
}

// EpollFD returns the epoll fd the reader waits on (perf_buffer__epoll_fd).
func (pb *PerfBuffer) EpollFD() int {
	if pb.poll.closed.Load() {
		return -1
	}
	return pb.poll.epfd
}

// Close wakes a blocked Read, removes the events from the map and frees the
// buffers; it is idempotent.
func (pb *PerfBuffer) Close() error { return pb.poll.shut(pb.release) }

func (pb *PerfBuffer) release() {
	for _, b := range pb.bufs {
		if b.key >= 0 {
			pb.m.Delete(u32Bytes(uint32(b.key)))
		}
		unix.IoctlSetInt(b.fd, unix.PERF_EVENT_IOC_DISABLE, 0)
		unix.Munmap(b.mem)
		unix.Close(b.fd)
	}
	pb.bufs = nil
	pb.poll.close()
}
