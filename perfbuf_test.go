package libbpf_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// loadEvents loads events.bpf.o, whose producers every kernel of the
// matrix loads and runs.
func loadEvents(t *testing.T) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "events")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	return obj
}

// runEmitter runs the raw_tp program name of events.bpf.o on the calling
// thread's CPU with the arguments n, args... and checks that it emitted n
// records or samples.
func runEmitter(t testing.TB, obj *libbpf.Object, name string, n uint64, args ...uint64) {
	ctx := binary.NativeEndian.AppendUint64(nil, n)
	for _, a := range args {
		ctx = binary.NativeEndian.AppendUint64(ctx, a)
	}
	if res, err := obj.Program(name).Run(&libbpf.RunOptions{Context: ctx}); err != nil || uint64(res.Return) != n {
		t.Errorf("%s: %v, emitted %d of %d", name, err, int32(res.Return), n)
	}
}

// perfEmit runs perf_emit on the calling thread's CPU: n samples of size
// bytes, each {seq of the CPU, CPU, ...}.
func perfEmit(t testing.TB, obj *libbpf.Object, n, size uint64) {
	runEmitter(t, obj, "perf_emit", n, size)
}

// sample decodes perf_emit's record.
func sample(t testing.TB, rec libbpf.PerfRecord) (seq, cpu uint64) {
	t.Helper()
	if len(rec.Data) < 16 {
		t.Fatalf("sample of %d bytes from CPU %d, want at least 16", len(rec.Data), rec.CPU)
	}
	return binary.NativeEndian.Uint64(rec.Data), binary.NativeEndian.Uint64(rec.Data[8:])
}

// TestPerfBufferPerCPUOrder: a thread pinned to every CPU emits numbered
// samples while Go reads; all of them arrive, each CPU's in order.
func TestPerfBufferPerCPUOrder(t *testing.T) {
	obj := loadEvents(t)
	fds := testutil.OpenFDs(t)
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 64, libbpf.PerfBufferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ncpu := runtime.NumCPU()
	if got := pb.BufferCount(); got != ncpu {
		t.Errorf("%d buffers, want one per CPU (%d)", got, ncpu)
	}
	const runs, perRun = 20, 200
	var wg sync.WaitGroup
	for cpu := range ncpu {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer runtime.UnlockOSThread()
			if err := testutil.PinThread(cpu); err != nil {
				t.Error(err)
				return
			}
			for range runs {
				perfEmit(t, obj, perRun, 16+uint64(cpu)*8)
			}
		}()
	}
	next := make([]uint64, ncpu)
	var rec libbpf.PerfRecord
	for got := 0; got < ncpu*runs*perRun; got++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := pb.ReadInto(ctx, &rec)
		cancel()
		if err != nil {
			t.Fatalf("after %d samples (next per CPU %v): %v", got, next, err)
		}
		if rec.LostSamples != 0 {
			t.Fatalf("CPU %d lost %d samples", rec.CPU, rec.LostSamples)
		}
		seq, cpu := sample(t, rec)
		if cpu != uint64(rec.CPU) || seq != next[rec.CPU] {
			t.Fatalf("sample %d from the buffer of CPU %d: seq %d written on CPU %d, want seq %d", got, rec.CPU, seq, cpu, next[rec.CPU])
		}
		if want := (16 + cpu*8 + 4 + 7) / 8 * 8; uint64(len(rec.Data)+4) != want {
			t.Fatalf("sample of %d bytes on CPU %d, want %d with the kernel's padding", len(rec.Data), cpu, want-4)
		}
		next[rec.CPU]++
	}
	wg.Wait()
	if n, err := pb.Consume(func(r libbpf.PerfRecord) error { return nil }); n != 0 || err != nil {
		t.Errorf("Consume after everything was read: %d, %v", n, err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open after Close, %d before NewPerfBuffer", got, fds)
	}
}

// TestPerfBufferLost: a one-page buffer overflows; the loss is reported as a
// record of its own, before the next sample, and adds up.
func TestPerfBufferLost(t *testing.T) {
	obj := loadEvents(t)
	pb := onePagePerfBuffer(t, obj)
	const emitted = 100
	perfEmit(t, obj, emitted, 256)
	var seqs []uint64
	var lost uint64
	collect := func(rec libbpf.PerfRecord) error {
		if rec.CPU != 0 {
			t.Errorf("record from CPU %d", rec.CPU)
		}
		if rec.LostSamples != 0 {
			lost += rec.LostSamples
			seqs = append(seqs, ^uint64(0)) // where the loss was reported
			return nil
		}
		seq, _ := sample(t, rec)
		seqs = append(seqs, seq)
		return nil
	}
	kept, err := pb.Consume(collect)
	if err != nil || kept == 0 || kept >= emitted {
		t.Fatalf("Consume of an overflowed page: %d records, %v", kept, err)
	}
	// The kernel writes the loss record with the next sample that fits.
	perfEmit(t, obj, 1, 256)
	if _, err := pb.Poll(5*time.Second, collect); err != nil {
		t.Fatal(err)
	}
	if lost != emitted-uint64(kept) {
		t.Errorf("lost %d samples, kept %d of %d", lost, kept, emitted)
	}
	for i, seq := range seqs[:kept] {
		if seq != uint64(i) {
			t.Fatalf("records before the loss: %v, want 0..%d in order", seqs[:kept], kept-1)
		}
	}
	if tail := seqs[kept:]; len(tail) != 2 || tail[0] != ^uint64(0) || tail[1] != emitted {
		t.Errorf("after the kept samples: %v, want the loss then sample %d", tail, emitted)
	}
}

func TestPerfBufferCloseWakesReader(t *testing.T) {
	obj := loadEvents(t)
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 2, libbpf.PerfBufferOptions{SamplePeriod: 4})
	if err != nil {
		t.Fatal(err)
	}
	closeWakes(t, "Read", pb, func() error {
		_, err := pb.Read(context.Background())
		return err
	})
	if _, err := pb.Read(context.Background()); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := pb.Buffer(0); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Buffer after Close: %v", err)
	}
}

func TestPerfBufferBadArguments(t *testing.T) {
	obj := loadEvents(t)
	fds := testutil.OpenFDs(t)
	for _, tc := range []struct {
		name  string
		m     *libbpf.Map
		pages int
		opts  libbpf.PerfBufferOptions
	}{
		{"ring buffer map", obj.Map("small"), 1, libbpf.PerfBufferOptions{}},
		{"3 pages", obj.Map("events"), 3, libbpf.PerfBufferOptions{}},
		{"CPUs without keys", obj.Map("events"), 1, libbpf.PerfBufferOptions{CPUs: []int{0}}},
		{"CPU that does not exist", obj.Map("events"), 1, libbpf.PerfBufferOptions{CPUs: []int{0, 1 << 20}, MapKeys: []int{0, 1}}},
	} {
		pb, err := libbpf.NewPerfBuffer(tc.m, tc.pages, tc.opts)
		if err == nil {
			pb.Close()
			t.Errorf("%s: NewPerfBuffer succeeded", tc.name)
		} else if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENODEV) {
			t.Errorf("%s: %v, want EINVAL or ENODEV", tc.name, err)
		}
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open after failed NewPerfBuffer calls, %d before", got, fds)
	}
}

// TestPerfBufferAccessors: libbpf's perf_buffer__buffer_cnt / _fd / _buffer
// / _epoll_fd twins describe the buffers, and the epoll fd wakes up for a
// sample.
func TestPerfBufferAccessors(t *testing.T) {
	obj := loadEvents(t)
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 4, libbpf.PerfBufferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	for i := range pb.BufferCount() {
		fd, err := pb.BufferFD(i)
		if err != nil || fd < 0 {
			t.Errorf("BufferFD(%d) = %d, %v", i, fd, err)
		}
		mem, err := pb.Buffer(i)
		if err != nil || len(mem) != 5*unix.Getpagesize() {
			t.Errorf("Buffer(%d): %d bytes, %v; want 5 pages", i, len(mem), err)
		}
		if cpu, err := pb.BufferCPU(i); err != nil || cpu != i {
			t.Errorf("BufferCPU(%d) = %d, %v", i, cpu, err)
		}
	}
	if _, err := pb.BufferFD(pb.BufferCount()); !errors.Is(err, unix.EINVAL) {
		t.Errorf("BufferFD past the end: %v", err)
	}
	if err := testutil.PinThread(0); err != nil {
		t.Fatal(err)
	}
	perfEmit(t, obj, 3, 16)
	runtime.UnlockOSThread()
	events := make([]unix.EpollEvent, 4)
	if n, err := unix.EpollWait(pb.EpollFD(), events, 5000); n < 1 || err != nil {
		t.Errorf("epoll fd: %d ready, %v", n, err)
	}
	n, err := pb.ConsumeBuffer(0, func(rec libbpf.PerfRecord) error {
		if seq, _ := sample(t, rec); seq == 1 {
			return unix.ECANCELED
		}
		return nil
	})
	if n != 2 || !errors.Is(err, unix.ECANCELED) {
		t.Errorf("ConsumeBuffer stopped by its callback: %d records, %v; want 2 and the callback's error", n, err)
	}
	rec, err := pb.Read(context.Background())
	if seq, _ := sample(t, rec); err != nil || seq != 2 {
		t.Errorf("Read after the stop: seq %d, %v; want 2", seq, err)
	}
}

// TestPerfBufferWrap: samples that cross the end of a one-page ring come
// out whole and in order, through the callback (copied into scratch) and
// through ReadInto.
func TestPerfBufferWrap(t *testing.T) {
	obj := loadEvents(t)
	pb := onePagePerfBuffer(t, obj)
	next := uint64(0)
	check := func(rec libbpf.PerfRecord) error {
		seq, cpu := sample(t, rec)
		if rec.LostSamples != 0 || seq != next || cpu != 0 || len(rec.Data) != 204 || !bytes.Equal(rec.Data[16:200], make([]byte, 184)) {
			t.Fatalf("record %+v: seq %d, want %d of 204 bytes", rec.LostSamples, seq, next)
		}
		next++
		return nil
	}
	var rec libbpf.PerfRecord
	for round := range 40 {
		perfEmit(t, obj, 5, 200) // 216 bytes a record: they cross the page's end
		if round%2 == 0 {
			if n, err := pb.Consume(check); n != 5 || err != nil {
				t.Fatalf("round %d: Consume: %d, %v", round, n, err)
			}
			continue
		}
		for range 5 {
			if err := pb.ReadInto(context.Background(), &rec); err != nil {
				t.Fatal(err)
			}
			check(rec)
		}
	}
}

// onePagePerfBuffer pins the test to CPU 0 until it ends and opens a
// one-page perf buffer on that CPU's ring only.
func onePagePerfBuffer(t *testing.T, obj *libbpf.Object) *libbpf.PerfBuffer {
	t.Helper()
	if err := testutil.PinThread(0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runtime.UnlockOSThread)
	pb, err := libbpf.NewPerfBuffer(obj.Map("events"), 1, libbpf.PerfBufferOptions{CPUs: []int{0}, MapKeys: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pb.Close() })
	return pb
}
