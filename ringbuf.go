package libbpf

import (
	"context"
	"errors"
	"fmt"
	"runtime/cgo"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf/internal/handles"
)

// Record is one ring buffer sample, copied out of the ring before libbpf
// hands its space back to the kernel.
type Record struct {
	Map  *Map
	Data []byte
}

// RingBuffer reads the records BPF programs submit to one or more
// BPF_MAP_TYPE_RINGBUF maps, in the order each ring holds them.
type RingBuffer struct {
	mu      sync.Mutex // serializes Read and the release in Close
	rb      *cRingBuffer
	sources []cgo.Handle
	epfd    int // waits on libbpf's epoll fd and wake
	wake    int // eventfd: Close or a done context
	pending []Record
	closed  atomic.Bool
}

type ringSource struct {
	r *RingBuffer
	m *Map
}

// NewRingBuffer returns a reader over the loaded ring buffer maps.
func NewRingBuffer(maps ...*Map) (_ *RingBuffer, err error) {
	if len(maps) == 0 {
		return nil, fmt.Errorf("ring buffer: no maps: %w", errInvalidArgument)
	}
	r := &RingBuffer{epfd: -1, wake: -1}
	defer func() {
		if err != nil {
			r.release()
		}
	}()
	for _, m := range maps {
		if m == nil || m.Type() != MapTypeRingBuf || m.FD() < 0 {
			return nil, fmt.Errorf("ring buffer: %s is not a loaded ring buffer map: %w", mapLabel(m), errInvalidArgument)
		}
		h := handles.New(&ringSource{r: r, m: m})
		r.sources = append(r.sources, h)
		if r.rb == nil {
			r.rb, err = ringBufferNew(m.FD(), uintptr(h))
		} else {
			err = ringBufferAdd(r.rb, m.FD(), uintptr(h))
		}
		if err != nil {
			return nil, fmt.Errorf("ring buffer: add map %s: %w", m.name, err)
		}
	}
	if r.wake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("ring buffer: eventfd: %w", err)
	}
	if r.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("ring buffer: epoll: %w", err)
	}
	for _, fd := range []int{ringBufferEpollFD(r.rb), r.wake} {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
		if err = unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, fmt.Errorf("ring buffer: epoll add: %w", err)
		}
	}
	return r, nil
}

func mapLabel(m *Map) string {
	if m == nil {
		return "nil map"
	}
	return "map " + m.name
}

// ringBufferSample receives one record from libbpf (in Read, on its goroutine).
func ringBufferSample(h uintptr, data []byte) int32 {
	src := cgo.Handle(h).Value().(*ringSource)
	src.r.pending = append(src.r.pending, Record{Map: src.m, Data: data})
	return 0
}

// Read returns the next record, waiting until one arrives, ctx is done (its
// error is returned) or the reader is closed (ErrClosed).
func (r *RingBuffer) Read(ctx context.Context) (Record, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	stop := context.AfterFunc(ctx, r.signal)
	defer stop()
	events := make([]unix.EpollEvent, 2)
	for {
		if len(r.pending) > 0 {
			rec := r.pending[0]
			r.pending[0] = Record{}
			r.pending = r.pending[1:]
			return rec, nil
		}
		if r.closed.Load() {
			return Record{}, fmt.Errorf("ring buffer: %w", ErrClosed)
		}
		if err := ctx.Err(); err != nil {
			return Record{}, err
		}
		if err := ringBufferConsume(r.rb); err != nil {
			return Record{}, fmt.Errorf("ring buffer: consume: %w", err)
		}
		if len(r.pending) > 0 {
			continue
		}
		if _, err := unix.EpollWait(r.epfd, events, -1); err != nil && !errors.Is(err, unix.EINTR) {
			return Record{}, fmt.Errorf("ring buffer: epoll wait: %w", err)
		}
		var buf [8]byte
		unix.Read(r.wake, buf[:]) // drain a wake-up; the loop checks why
	}
}

func (r *RingBuffer) signal() {
	buf := [8]byte{1}
	unix.Write(r.wake, buf[:])
}

// Close wakes a blocked Read and frees the reader; it is idempotent.
func (r *RingBuffer) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.signal()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.release()
	return nil
}

func (r *RingBuffer) release() {
	if r.rb != nil {
		ringBufferFree(r.rb)
		r.rb = nil
	}
	for _, h := range r.sources {
		handles.Delete(h)
	}
	r.sources = nil
	for _, fd := range []*int{&r.epfd, &r.wake} {
		if *fd >= 0 {
			unix.Close(*fd)
			*fd = -1
		}
	}
	r.pending = nil
}
