package libbpf

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// UserRingBuffer writes samples from Go into a BPF_MAP_TYPE_USER_RINGBUF
// that BPF programs drain with bpf_user_ringbuf_drain (libbpf's struct
// user_ring_buffer). A sample is reserved in the mapped ring, filled in
// place and submitted (or discarded); the kernel sees samples in the order
// they were reserved, and stops draining at one still being filled.
//
// Its methods may be called from any goroutine; they are serialized.
type UserRingBuffer struct {
	poll *poller
	m    *Map
	cons []byte // the consumer page, read-only
	prod []byte // the producer page and the data pages twice
	mem  ringMem
}

// NewUserRingBuffer maps the loaded user ring buffer map m for writing
// (user_ring_buffer__new).
func NewUserRingBuffer(m *Map) (_ *UserRingBuffer, err error) {
	if err := readerMap(m, MapTypeUserRingBuf, "user ring buffer map"); err != nil {
		return nil, fmt.Errorf("user ring buffer: %w", err)
	}
	u := &UserRingBuffer{m: m}
	if u.poll, err = newPoller("user ring buffer"); err != nil {
		return nil, fmt.Errorf("user ring buffer: map %s: %w", m.name, err)
	}
	if u.cons, u.prod, u.mem, err = mapRing(m.FD(), m.MaxEntries(), unix.PROT_READ, unix.PROT_READ|unix.PROT_WRITE); err == nil {
		err = u.poll.add(m.FD(), unix.EPOLLOUT)
	}
	if err != nil {
		u.release()
		return nil, fmt.Errorf("user ring buffer: map %s: %w", m.name, err)
	}
	return u, nil
}

// Reserve reserves a sample of size bytes and returns it, 8-byte aligned,
// to be filled and then given to Submit or Discard
// (user_ring_buffer__reserve). It fails with ENOSPC when the ring has no
// room now, E2BIG when it never will.
func (u *UserRingBuffer) Reserve(size int) ([]byte, error) {
	if err := u.poll.lock(); err != nil {
		return nil, err
	}
	defer u.poll.mu.Unlock()
	return u.reserve(size)
}

// ReserveBlocking is Reserve that waits up to timeout (negative: no limit)
// for the kernel to drain enough room (user_ring_buffer__reserve_blocking).
// The kernel reports room as soon as the ring is not full, so while some
// but not enough is free it retries without sleeping, as libbpf does.
func (u *UserRingBuffer) ReserveBlocking(size int, timeout time.Duration) ([]byte, error) {
	if err := u.poll.lock(); err != nil {
		return nil, err
	}
	defer u.poll.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		sample, err := u.reserve(size)
		if !errors.Is(err, unix.ENOSPC) {
			return sample, err
		}
		left := time.Until(deadline)
		if timeout < 0 {
			left = -1
		} else if left <= 0 {
			return nil, fmt.Errorf("user ring buffer: map %s: no room for %d bytes within %v: %w", u.m.name, size, timeout, unix.ENOSPC)
		}
		if err := u.poll.wait(context.Background(), left); err != nil {
			return nil, fmt.Errorf("user ring buffer: map %s: %w", u.m.name, err)
		}
	}
}

// reserve is Reserve; the caller holds the lock.
func (u *UserRingBuffer) reserve(size int) ([]byte, error) {
	if u.poll.closed.Load() {
		return nil, u.poll.errClosed()
	}
	ringSize := u.mem.mask + 1
	total := (uint64(size) + ringHeaderSize + 7) &^ 7
	if size <= 0 || size >= ringDiscardBit || total > ringSize {
		return nil, fmt.Errorf("user ring buffer: map %s: a sample of %d bytes does not fit a ring of %d: %w", u.m.name, size, ringSize, unix.E2BIG)
	}
	cons := atomic.LoadUint64(u.mem.consumerPos)
	prod := atomic.LoadUint64(u.mem.producerPos)
	if ringSize-(prod-cons) < total {
		return nil, fmt.Errorf("user ring buffer: map %s: %d bytes: %w", u.m.name, size, unix.ENOSPC)
	}
	off := prod & u.mem.mask
	hdr := (*[2]uint32)(unsafe.Pointer(&u.mem.data[off]))
	atomic.StoreUint32(&hdr[0], uint32(size)|ringBusyBit)
	hdr[1] = 0
	atomic.StoreUint64(u.mem.producerPos, prod+total)
	off += ringHeaderSize
	return u.mem.data[off : off+uint64(size) : off+uint64(size)], nil
}

// Submit hands a reserved sample to the kernel (user_ring_buffer__submit).
func (u *UserRingBuffer) Submit(sample []byte) error { return u.commit(sample, 0) }

// Discard gives a reserved sample up: the kernel skips it
// (user_ring_buffer__discard).
func (u *UserRingBuffer) Discard(sample []byte) error { return u.commit(sample, ringDiscardBit) }

// commit clears the busy bit of sample's header, setting flags.
func (u *UserRingBuffer) commit(sample []byte, flags uint32) error {
	if err := u.poll.lock(); err != nil {
		return err
	}
	defer u.poll.mu.Unlock()
	base := uintptr(unsafe.Pointer(unsafe.SliceData(u.mem.data)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(sample)))
	off := p - base - ringHeaderSize
	if len(sample) == 0 || p < base+ringHeaderSize || off >= uintptr(len(u.mem.data)) || off&7 != 0 {
		return fmt.Errorf("user ring buffer: map %s: the sample was not reserved here: %w", u.m.name, errInvalidArgument)
	}
	hdr := (*uint32)(unsafe.Pointer(&u.mem.data[off]))
	h := atomic.LoadUint32(hdr)
	if h&ringBusyBit == 0 || uint64(len(sample)) > uint64(h&^ringBusyBit) {
		return fmt.Errorf("user ring buffer: map %s: the sample is not reserved (submitted or discarded already?): %w", u.m.name, errInvalidArgument)
	}
	atomic.StoreUint32(hdr, h&^ringBusyBit|flags)
	return nil
}

// Close unmaps the ring and wakes a blocked ReserveBlocking
// (user_ring_buffer__free); samples reserved and not submitted stay busy,
// and the kernel stops draining at the first of them. It is idempotent.
func (u *UserRingBuffer) Close() error { return u.poll.shut(u.release) }

func (u *UserRingBuffer) release() {
	if u.cons != nil {
		unix.Munmap(u.cons)
		unix.Munmap(u.prod)
		u.cons, u.prod = nil, nil
	}
	u.poll.close()
}
