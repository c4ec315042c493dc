package libbpf

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// poller is what the event buffers share: it serializes their users,
// waits on the buffer's fds (ring maps, perf events) and on an eventfd
// that Close or a done context writes, so that a blocked call always wakes
// up, and closes once.
type poller struct {
	mu     sync.Mutex // one call at a time; Close waits for it
	closed atomic.Bool
	what   string // "ring buffer", ... for errors
	epfd   int
	wake   int // eventfd
	events []unix.EpollEvent
	block  []byte // where copyOut carves copies of small records
}

func newPoller(what string) (*poller, error) {
	p := &poller{what: what, epfd: -1, wake: -1}
	var err error
	if p.wake, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if p.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		p.close()
		return nil, fmt.Errorf("epoll: %w", err)
	}
	if err = p.add(p.wake, unix.EPOLLIN); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// add watches fd for events.
func (p *poller) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("epoll add fd %d: %w", fd, err)
	}
	p.events = append(p.events, unix.EpollEvent{})
	return nil
}

// wait blocks until a watched fd is ready, the wake eventfd is written, ctx
// is done or timeout passes (negative: no timeout). It returns ctx's error
// when ctx ended the wait; the caller checks why it woke otherwise.
func (p *poller) wait(ctx context.Context, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Done() != nil {
		// A wake-up that ctx started may still be running when the wait
		// ends for another reason: wait for it, so that no write to p.wake
		// outlives the call (Close releases the eventfd right after).
		signaled := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			defer close(signaled)
			p.signal()
		})
		defer func() {
			if !stop() {
				<-signaled
			}
		}()
	}
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	if _, err := unix.EpollWait(p.epfd, p.events, ms); err != nil && !errors.Is(err, unix.EINTR) {
		return fmt.Errorf("epoll wait: %w", err)
	}
	var buf [8]byte
	unix.Read(p.wake, buf[:]) // drain a wake-up; the caller checks why
	return ctx.Err()
}

// signal wakes a blocked wait.
func (p *poller) signal() {
	buf := [8]byte{1}
	unix.Write(p.wake, buf[:])
}

func (p *poller) close() {
	for _, fd := range []*int{&p.epfd, &p.wake} {
		if *fd >= 0 {
			unix.Close(*fd)
			*fd = -1
		}
	}
}

// lock takes the buffer for one call, or fails with ErrClosed; on success
// the caller unlocks p.mu.
func (p *poller) lock() error {
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		return p.errClosed()
	}
	return nil
}

func (p *poller) errClosed() error { return fmt.Errorf("%s: %w", p.what, ErrClosed) }

// shut marks the buffer closed, wakes a blocked call, waits for it to
// return and releases what the buffer owns; it is idempotent.
func (p *poller) shut(release func()) error {
	if p.closed.Swap(true) {
		return nil
	}
	p.signal()
	p.mu.Lock()
	defer p.mu.Unlock()
	release()
	return nil
}

// next waits until take, tried on each source in turn from *cur, takes a
// record; it returns take's error, ctx's, or ErrClosed. The caller holds
// p.mu.
func next[S any](p *poller, ctx context.Context, sources []S, cur *int, take func(S) (bool, error)) error {
	for {
		if p.closed.Load() {
			return p.errClosed()
		}
		for range sources {
			if ok, err := take(sources[*cur]); ok || err != nil {
				return err
			}
			*cur = (*cur + 1) % len(sources)
		}
		if err := p.wait(ctx, -1); err != nil {
			return err
		}
	}
}

// pollThen runs consume, and if it found nothing, waits up to timeout
// (negative: no limit) or until ctx is done and runs it again: libbpf's
// *_poll.
func (p *poller) pollThen(ctx context.Context, timeout time.Duration, consume func() (int, error)) (int, error) {
	if err := p.lock(); err != nil {
		return 0, err
	}
	defer p.mu.Unlock()
	n, err := consume()
	if n > 0 || err != nil {
		return n, err
	}
	if err := p.wait(ctx, timeout); err != nil {
		return 0, err
	}
	if p.closed.Load() {
		return 0, p.errClosed()
	}
	return consume()
}

// Copies of records up to copyBlock/16 bytes are carved from blocks of
// copyBlock bytes: one allocation serves many records, which makes Read
// much cheaper per record. Holding on to one record keeps its block alive.
const copyBlock = 16 << 10

// copyOut returns a copy of a record for Read; the caller holds p.mu.
func (p *poller) copyOut(data []byte) []byte {
	n := len(data)
	if n > copyBlock/16 {
		return append([]byte(nil), data...)
	}
	if cap(p.block)-len(p.block) < n {
		p.block = make([]byte, 0, copyBlock)
	}
	start := len(p.block)
	p.block = append(p.block, data...)
	return p.block[start : start+n : start+n]
}
