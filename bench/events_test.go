package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
)

// drainRecords is how many records every drain reads.
const drainRecords = 1_000_000

// perfWakeup is the wakeup_events of the perf buffers' events.
const perfWakeup = 1 << 16

// The targets of events.bpf.c's fill program.
const (
	targetRing = iota
	targetPerfOurs
	targetPerfC
	targetPerfCilium
)

// loadEvents loads bench/bpf/events.bpf.c.
func loadEvents(b *testing.B) *libbpf.Object {
	obj, err := libbpf.OpenObjectBytes(object(b, "events.bpf.o"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { obj.Close() })
	if err := obj.Load(); err != nil {
		b.Fatal(err)
	}
	return obj
}

// fill writes drainRecords records of size bytes into target by test runs
// of the fill program on the calling thread's CPU (interleave pins it).
func fill(obj *libbpf.Object, target, size int) error {
	const chunk = 1 << 16
	for done := 0; done < drainRecords; done += chunk {
		var args []byte
		for _, v := range []int{min(chunk, drainRecords-done), target, size / 256} {
			args = binary.NativeEndian.AppendUint64(args, uint64(v))
		}
		res, err := obj.Program("fill").Run(&libbpf.RunOptions{Context: args})
		if err != nil {
			return err
		}
		if res.Return != 0 {
			return fmt.Errorf("fill: %d outputs failed: the buffer is too small", res.Return)
		}
	}
	return nil
}

// ciliumMap opens m in cilium/ebpf through a duplicate of its fd.
func ciliumMap(b *testing.B, m *libbpf.Map) *ebpf.Map {
	fd, err := unix.FcntlInt(uintptr(m.FD()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	cm, err := ebpf.NewMapFromFD(fd)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cm.Close() })
	return cm
}

// drainCase fills target, then times drain, which must read every record.
func drainCase(name string, obj *libbpf.Object, target, size int, drain func() (int, error)) icase {
	return icase{name, func(ph *[4]time.Duration) error {
		if err := fill(obj, target, size); err != nil {
			return err
		}
		start := time.Now()
		n, err := drain()
		ph[0] = time.Since(start)
		if err == nil && n != drainRecords {
			err = fmt.Errorf("drained %d records of %d", n, drainRecords)
		}
		return err
	}}
}

// readN calls read n times.
func readN(n int, read func() error) (int, error) {
	for i := range n {
		if err := read(); err != nil {
			return i, err
		}
	}
	return n, nil
}

// count is the work every drain does per record: it counts the record's
// bytes.
var countedBytes int

// BenchmarkEventDrain times draining 1,000,000 pre-filled records of 16
// and 256 bytes (a BPF program wrote them with bpf_ringbuf_output or
// bpf_perf_event_output; only the drain is timed) through:
//
//	ours           RingBuffer.Consume / PerfBuffer.Consume: a callback on
//	               each record in place, no copy, no allocation
//	ours_readinto  ReadInto, one call per record into a reused Record
//	ours_read      Read, one call per record, a fresh copy each
//	c              libbpf's ring_buffer__consume / perf_buffer__consume,
//	               one call from Go, a C callback per record
//	cilium         cilium/ebpf's ringbuf/perf Reader.ReadInto
//	cilium_read    cilium/ebpf's Reader.Read
//
// Each reader is created once and reused, so that page faults on first
// touch of the mapped rings are not part of the drain.
func BenchmarkEventDrain(b *testing.B) {
	requireKernel(b)
	obj := loadEvents(b)
	for _, size := range []int{16, 256} {
		b.Run(fmt.Sprintf("ring/size=%d", size), func(b *testing.B) {
			m := obj.Map(fmt.Sprintf("ring%d", size))
			ours, err := libbpf.NewRingBuffer(m)
			if err != nil {
				b.Fatal(err)
			}
			defer ours.Close()
			c, err := newCRing(m.FD())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			cil, err := ringbuf.NewReader(ciliumMap(b, m))
			if err != nil {
				b.Fatal(err)
			}
			defer cil.Close()
			var rec libbpf.Record
			var crec ringbuf.Record
			ctx := context.Background()
			interleaveWarm(b, alternate([]icase{
				drainCase("ours", obj, targetRing, size, func() (int, error) {
					return ours.Consume(func(r libbpf.Record) error { countedBytes += len(r.Data); return nil })
				}),
				drainCase("ours_readinto", obj, targetRing, size, func() (int, error) {
					return readN(drainRecords, func() error { err := ours.ReadInto(ctx, &rec); countedBytes += len(rec.Data); return err })
				}),
				drainCase("ours_read", obj, targetRing, size, func() (int, error) {
					return readN(drainRecords, func() error { r, err := ours.Read(ctx); countedBytes += len(r.Data); return err })
				}),
				drainCase("c", obj, targetRing, size, func() (int, error) {
					n, _, err := c.consume()
					return n, err
				}),
				drainCase("cilium", obj, targetRing, size, func() (int, error) {
					return readN(drainRecords, func() error { err := cil.ReadInto(&crec); countedBytes += len(crec.RawSample); return err })
				}),
				drainCase("cilium_read", obj, targetRing, size, func() (int, error) {
					return readN(drainRecords, func() error { r, err := cil.Read(); countedBytes += len(r.RawSample); return err })
				}),
			}))
		})
		b.Run(fmt.Sprintf("perf/size=%d", size), func(b *testing.B) {
			// A 16-byte sample takes 32 bytes, a 256-byte one 272.
			pages := 1 << 13
			if size == 256 {
				pages = 1 << 17
			}
			// Filling is not timed, but a wake-up per sample would make it
			// slow (an IPI each, a VM exit here): every reader is woken
			// every perfWakeup samples instead, several times per fill.
			// Only cilium's readers wait for a wake-up before they read.
			ours, err := libbpf.NewPerfBuffer(obj.Map("perf_ours"), pages, libbpf.PerfBufferOptions{SamplePeriod: perfWakeup})
			if err != nil {
				b.Fatal(err)
			}
			defer ours.Close()
			c, err := newCPerf(obj.Map("perf_c").FD(), pages, perfWakeup)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			cil, err := perf.NewReaderWithOptions(ciliumMap(b, obj.Map("perf_cilium")), pages*unix.Getpagesize(), perf.ReaderOptions{WakeupEvents: perfWakeup})
			if err != nil {
				b.Fatal(err)
			}
			defer cil.Close()
			var rec libbpf.PerfRecord
			var crec perf.Record
			ctx := context.Background()
			lost := func(n uint64) error {
				if n != 0 {
					return fmt.Errorf("%d samples lost", n)
				}
				return nil
			}
			interleaveWarm(b, alternate([]icase{
				drainCase("ours", obj, targetPerfOurs, size, func() (int, error) {
					return ours.Consume(func(r libbpf.PerfRecord) error {
						countedBytes += len(r.Data)
						if r.LostSamples != 0 {
							return errLost
						}
						return nil
					})
				}),
				drainCase("ours_readinto", obj, targetPerfOurs, size, func() (int, error) {
					return readN(drainRecords, func() error {
						err := ours.ReadInto(ctx, &rec)
						countedBytes += len(rec.Data)
						return cmpErr(err, lost(rec.LostSamples))
					})
				}),
				drainCase("ours_read", obj, targetPerfOurs, size, func() (int, error) {
					return readN(drainRecords, func() error {
						r, err := ours.Read(ctx)
						countedBytes += len(r.Data)
						return cmpErr(err, lost(r.LostSamples))
					})
				}),
				drainCase("c", obj, targetPerfC, size, func() (int, error) {
					n, l, err := c.consume()
					return n, cmpErr(err, lost(uint64(l)))
				}),
				drainCase("cilium", obj, targetPerfCilium, size, func() (int, error) {
					return readN(drainRecords, func() error {
						err := cil.ReadInto(&crec)
						countedBytes += len(crec.RawSample)
						return cmpErr(err, lost(crec.LostSamples))
					})
				}),
				drainCase("cilium_read", obj, targetPerfCilium, size, func() (int, error) {
					return readN(drainRecords, func() error {
						r, err := cil.Read()
						countedBytes += len(r.RawSample)
						return cmpErr(err, lost(r.LostSamples))
					})
				}),
			}))
		})
	}
}

// interleaveWarm runs every case twice untimed, so that every page of the
// mapped rings has been touched (a fill takes more than half of each
// ring), then interleaves them (drain times in "<case>-drain-ns/op").
func interleaveWarm(b *testing.B, cases []icase) {
	for range 2 {
		for _, c := range cases {
			var ph [4]time.Duration
			if err := c.run(&ph); err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
		}
	}
	interleave(b, cases, "drain")
}

var errLost = errors.New("samples lost")

// cmpErr returns the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkEventReadInto measures one RingBuffer.ReadInto and one
// PerfBuffer.ReadInto per op of 16-byte records, refilling (untimed) when
// the buffer runs dry, with b.ReportAllocs: the reuse path allocates
// nothing per record.
func BenchmarkEventReadInto(b *testing.B) {
	requireKernel(b)
	obj := loadEvents(b)
	ctx := context.Background()
	b.Run("ring", func(b *testing.B) {
		rb, err := libbpf.NewRingBuffer(obj.Map("ring16"))
		if err != nil {
			b.Fatal(err)
		}
		defer rb.Close()
		var rec libbpf.Record
		benchReadInto(b, obj, targetRing, func() error { return rb.ReadInto(ctx, &rec) })
	})
	b.Run("perf", func(b *testing.B) {
		pb, err := libbpf.NewPerfBuffer(obj.Map("perf_ours"), 1<<13, libbpf.PerfBufferOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer pb.Close()
		var rec libbpf.PerfRecord
		benchReadInto(b, obj, targetPerfOurs, func() error { return pb.ReadInto(ctx, &rec) })
	})
}

func benchReadInto(b *testing.B, obj *libbpf.Object, target int, read func() error) {
	b.ReportAllocs()
	left := 0
	for range b.N {
		if left == 0 {
			b.StopTimer()
			if err := fill(obj, target, 16); err != nil {
				b.Fatal(err)
			}
			left = drainRecords
			b.StartTimer()
		}
		if err := read(); err != nil {
			b.Fatal(err)
		}
		left--
	}
	// Leave the buffer empty for the next benchmark.
	b.StopTimer()
	for ; left > 0; left-- {
		if err := read(); err != nil {
			b.Fatal(err)
		}
	}
}
