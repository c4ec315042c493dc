package libbpf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// loadRingbuf loads ringbuf.bpf.o with its magic global set to magic.
func loadRingbuf(t *testing.T, magic uint32) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "ringbuf")
	var rodata *libbpf.Map
	for _, m := range obj.Maps() {
		if m.Internal() && m.ValueSize() == 4 {
			rodata = m
		}
	}
	if rodata == nil {
		t.Fatal("no .rodata map")
	}
	if err := rodata.SetInitialValue(u32(magic)); err != nil {
		t.Fatal(err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	return obj
}

func emit(t *testing.T, obj *libbpf.Object, n uint32) uint32 {
	t.Helper()
	res, err := obj.Program("emit").Run(&libbpf.RunOptions{Context: binary.NativeEndian.AppendUint64(nil, uint64(n))})
	if err != nil {
		t.Fatal(err)
	}
	return res.Return
}

func TestRingBuffer(t *testing.T) {
	obj := loadRingbuf(t, 99)
	rb, err := libbpf.NewRingBuffer(obj.Map("even"), obj.Map("odd"))
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	if got := emit(t, obj, 40); got != 99 {
		t.Errorf("program saw magic %d, want the 99 set before load", got)
	}
	next := map[string]uint32{"even": 0, "odd": 1}
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		rec, err := rb.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		seq, ring := binary.NativeEndian.Uint32(rec.Data), binary.NativeEndian.Uint32(rec.Data[4:])
		name := rec.Map.Name()
		if seq != next[name] || ring != seq&1 {
			t.Fatalf("record %d from %s: seq %d ring %d, want seq %d", i, name, seq, ring, next[name])
		}
		next[name] += 2
	}
	if next["even"] != 40 || next["odd"] != 41 {
		t.Errorf("read up to %v, want every record", next)
	}

	// Nothing more: a deadline ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := rb.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read on an empty ring: %v, want DeadlineExceeded", err)
	}
}

func TestRingBufferCloseWakesReader(t *testing.T) {
	obj := loadRingbuf(t, 1)
	handles := libbpf.LiveHandles()
	rb, err := libbpf.NewRingBuffer(obj.Map("even"))
	if err != nil {
		t.Fatal(err)
	}
	closeWakes(t, "Read", rb, func() error {
		_, err := rb.Read(context.Background())
		return err
	})
	if got := libbpf.LiveHandles(); got != handles {
		t.Errorf("%d cgo handles after Close, %d before", got, handles)
	}
	if _, err := libbpf.NewRingBuffer(obj.Map("target")); err == nil {
		t.Error("NewRingBuffer accepted a map that is not a ring buffer")
	}
}

func TestProgramStatsAndBTF(t *testing.T) {
	obj := loadRingbuf(t, 5)
	stats, err := libbpf.EnableStats()
	if err != nil {
		t.Fatal(err)
	}
	defer stats.Close()
	for i := 0; i < 3; i++ {
		emit(t, obj, 0)
	}
	st, err := obj.Program("emit").Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.ID == 0 || st.RunCount != 3 {
		t.Errorf("stats %+v, want an id and 3 runs", st)
	}
	if testutil.KernelHas(testutil.FeatureVerifiedInsns) != (st.VerifiedInsns != 0) {
		t.Errorf("stats %+v: verified instructions reported, the kernel table says %s %v", st, testutil.FeatureVerifiedInsns, testutil.KernelHas(testutil.FeatureVerifiedInsns))
	}
	raw, err := objectRawBTF(obj)
	if err != nil || len(raw) < 24 || binary.NativeEndian.Uint16(raw) != 0xeb9f {
		t.Errorf("BTF: %d bytes, %v; want BTF data with its magic", len(raw), err)
	}
	if _, _, err := libbpf.SectionDefinition("tracepoint/syscalls/sys_enter_openat"); err != nil {
		t.Errorf("SectionDefinition of a built-in: %v", err)
	}
	if pt, _, err := libbpf.SectionDefinition("uprobe.multi"); err != nil || pt != libbpf.ProgTypeKprobe {
		t.Errorf("SectionDefinition(uprobe.multi) = %v, %v", pt, err)
	}
	if _, _, err := libbpf.SectionDefinition("no_such_section"); err == nil {
		t.Error("SectionDefinition of an unknown section succeeded")
	}
}

// TestRingBufferCancelThenClose has a record arrive and the context end
// together while Read waits, then closes the buffer, many times: the
// wake-up that the cancellation starts must be over before Close releases
// the eventfd it writes (the race detector sees it otherwise, and a late
// write could hit a reused fd number).
func TestRingBufferCancelThenClose(t *testing.T) {
	obj := loadRingbuf(t, 1)
	prog := obj.Program("emit")
	for range 300 {
		rb, err := libbpf.NewRingBuffer(obj.Map("even"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		emitted := make(chan struct{})
		go func() {
			defer close(emitted)
			prog.Run(&libbpf.RunOptions{Context: u32(1)})
			cancel()
		}()
		if _, err := rb.Read(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("Read: %v, want a record or context.Canceled", err)
		}
		if err := rb.Close(); err != nil {
			t.Fatal(err)
		}
		<-emitted
	}
}
