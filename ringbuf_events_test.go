package libbpf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// ringEmit runs ring_emit: n records of size bytes into big or small, each
// numbered with the next of ring_seq, with a discarded record before every
// discardEvery-th.
func ringEmit(t testing.TB, obj *libbpf.Object, n, size, discardEvery uint64, big bool) {
	var into uint64
	if big {
		into = 1
	}
	runEmitter(t, obj, "ring_emit", n, size, discardEvery, into)
}

// ringCounters reads ring_seq and ring_dropped from the object's .bss.
func ringCounters(t testing.TB, obj *libbpf.Object) (seq, dropped uint64) {
	t.Helper()
	for _, m := range obj.Maps() {
		if m.Internal() && m.ValueSize() == 16 {
			v := make([]byte, 16)
			if err := m.Lookup(u32(0), v); err != nil {
				t.Fatal(err)
			}
			return binary.NativeEndian.Uint64(v), binary.NativeEndian.Uint64(v[8:])
		}
	}
	t.Fatal("no .bss map")
	return 0, 0
}

// checker checks that records carry consecutive numbers from 0.
type checker struct {
	t    testing.TB
	next uint64
}

func (c *checker) check(data []byte, size int) error {
	if len(data) != size {
		c.t.Fatalf("record %d: %d bytes, want %d", c.next, len(data), size)
	}
	if seq := binary.NativeEndian.Uint64(data); seq != c.next || size > 16 && data[16] != byte(seq) {
		c.t.Fatalf("record seq %d, want %d", seq, c.next)
	}
	c.next++
	return nil
}

// TestRingBufferWrapAndDiscard: a 4 KiB ring wraps around many times,
// with discarded records between the submitted ones; every reading form
// sees each submitted record once, in order, and none of the discarded.
func TestRingBufferWrapAndDiscard(t *testing.T) {
	obj := loadEvents(t)
	rb, err := libbpf.NewRingBuffer(obj.Map("small"))
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	ring := rb.Ring(0)
	if ring == nil || rb.Ring(1) != nil || ring.Size() != 4096 || ring.MapFD() != obj.Map("small").FD() || ring.Map() != obj.Map("small") {
		t.Fatalf("Ring(0) = %v, want the 4096-byte map small", ring)
	}
	c := &checker{t: t}
	var rec libbpf.Record
	var kept [][]byte // what Read returned: copies that later reads leave alone
	for round := range 60 {
		size := 16 + 8*(round%30) + round%7 // unaligned sizes too
		ringEmit(t, obj, 10, uint64(size), 3, false)
		if avail := ring.AvailDataSize(); avail == 0 {
			t.Fatal("no data available after emitting")
		}
		switch round % 4 {
		case 0:
			for range 10 {
				if err := rb.ReadInto(context.Background(), &rec); err != nil {
					t.Fatal(err)
				}
				c.check(rec.Data, size)
			}
		case 1:
			n, err := rb.Consume(func(r libbpf.Record) error { return c.check(r.Data, size) })
			if n != 10 || err != nil {
				t.Fatalf("Consume: %d, %v", n, err)
			}
		case 2:
			for range 2 {
				n, err := ring.ConsumeN(5, func(r libbpf.Record) error { return c.check(r.Data, size) })
				if n != 5 || err != nil {
					t.Fatalf("ConsumeN(5): %d, %v", n, err)
				}
			}
		case 3:
			for range 10 {
				r, err := rb.Read(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				c.check(r.Data, size)
				kept = append(kept, r.Data)
			}
		}
		if avail := ring.AvailDataSize(); avail != 0 || ring.ConsumerPos() != ring.ProducerPos() {
			t.Fatalf("round %d: %d bytes left, consumer at %d, producer at %d", round, avail, ring.ConsumerPos(), ring.ProducerPos())
		}
	}
	// Appending to a copy never spills into the next one.
	for i := range kept {
		kept[i] = append(kept[i], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	}
	for i := 1; i < len(kept); i++ {
		if prev, seq := binary.NativeEndian.Uint64(kept[i-1]), binary.NativeEndian.Uint64(kept[i]); seq <= prev {
			t.Fatalf("records Read returned changed after later reads: seq %d after %d", seq, prev)
		}
	}
	if ring.ProducerPos() < 10*4096 {
		t.Errorf("producer at %d: the ring did not wrap around often", ring.ProducerPos())
	}
	if seq, dropped := ringCounters(t, obj); seq != c.next || dropped != 0 {
		t.Errorf("program submitted %d (dropped %d), read %d", seq, dropped, c.next)
	}
	if n, err := rb.Poll(10*time.Millisecond, func(libbpf.Record) error { return nil }); n != 0 || err != nil {
		t.Errorf("Poll of an empty ring: %d, %v", n, err)
	}
}

// TestRingBufferConcurrentProducer: a program runs again and again on
// another CPU while Go reads; every record it submitted arrives once, in
// order, including across the ring's wrap-arounds and a full ring.
func TestRingBufferConcurrentProducer(t *testing.T) {
	if runtime.NumCPU() < 2 {
		testutil.SkipOrFail(t, "needs 2 CPUs")
	}
	obj := loadEvents(t)
	rb, err := libbpf.NewRingBuffer(obj.Map("big"), obj.Map("small"))
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer runtime.UnlockOSThread()
		if err := testutil.PinThread(1); err != nil {
			t.Error(err)
			return
		}
		for range 400 {
			ringEmit(t, obj, 256, 16, 5, true)
		}
	}()
	if err := testutil.PinThread(0); err != nil {
		t.Fatal(err)
	}
	defer runtime.UnlockOSThread()
	c := &checker{t: t}
	var rec libbpf.Record
	check := func(r libbpf.Record) error {
		if r.Map.Name() != "big" {
			t.Fatalf("record from %s", r.Map.Name())
		}
		return c.check(r.Data, 16)
	}
	for producing := true; producing; {
		select {
		case <-done:
			producing = false
		default:
		}
		if c.next%2 == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			err := rb.ReadInto(ctx, &rec)
			cancel()
			if err == nil {
				check(rec)
			} else if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
		} else if _, err := rb.Poll(10*time.Millisecond, check); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rb.Consume(check); err != nil {
		t.Fatal(err)
	}
	seq, dropped := ringCounters(t, obj)
	if seq != c.next {
		t.Errorf("program submitted %d records, Go read %d", seq, c.next)
	}
	t.Logf("%d records read, %d outputs found the ring full", seq, dropped)
}

// TestRingBufferClosed: after Close every method fails with ErrClosed and
// the ring accessors read nothing.
func TestRingBufferClosed(t *testing.T) {
	obj := loadEvents(t)
	fds := testutil.OpenFDs(t)
	rb, err := libbpf.NewRingBuffer(obj.Map("small"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rb.Add(obj.Map("big")); err != nil {
		t.Fatal(err)
	}
	if err := rb.Add(obj.Map("events")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Add of a perf event array: %v", err)
	}
	ring := rb.Ring(1)
	ringEmit(t, obj, 3, 16, 0, true)
	rb.Close()
	if _, err := rb.Consume(func(libbpf.Record) error { return nil }); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Consume after Close: %v", err)
	}
	if _, err := ring.Consume(func(libbpf.Record) error { return nil }); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Ring.Consume after Close: %v", err)
	}
	if err := rb.Add(obj.Map("small")); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	if ring.AvailDataSize() != 0 || ring.ProducerPos() != 0 || rb.EpollFD() != -1 {
		t.Error("a closed ring still reads positions")
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open after Close, %d before", got, fds)
	}
}

// TestEventReadersWakeUp: a Read blocked on an empty buffer is woken by the
// kernel's notification when a program writes a record.
func TestEventReadersWakeUp(t *testing.T) {
	obj := loadEvents(t)
	rb, err := libbpf.NewRingBuffer(obj.Map("small"))
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 1, libbpf.PerfBufferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	for _, tc := range []struct {
		name string
		read func(context.Context) ([]byte, error)
		emit func()
	}{
		{"ring buffer", func(ctx context.Context) ([]byte, error) {
			rec, err := rb.Read(ctx)
			return rec.Data, err
		}, func() { ringEmit(t, obj, 1, 16, 0, false) }},
		{"perf buffer", func(ctx context.Context) ([]byte, error) {
			rec, err := pb.Read(ctx)
			return rec.Data, err
		}, func() { perfEmit(t, obj, 1, 16) }},
	} {
		got := make(chan error)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			data, err := tc.read(ctx)
			if err == nil && len(data) < 16 {
				err = errors.New("short record")
			}
			got <- err
		}()
		time.Sleep(50 * time.Millisecond) // the reader is in epoll_wait
		tc.emit()
		if err := <-got; err != nil {
			t.Errorf("%s: blocked Read: %v", tc.name, err)
		}
	}
}
