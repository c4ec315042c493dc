package libbpf_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// loadUserRingBuffer loads userringbuf.bpf.o, whose program drains the user
// ring buffer urb (6.1).
func loadUserRingBuffer(t *testing.T) *libbpf.Object {
	t.Helper()
	testutil.RequireFeature(t, testutil.FeatureUserRingbuf)
	obj := openTest(t, "userringbuf")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	return obj
}

// drain runs the program that drains urb and checks that it saw want, in
// order: what it stored of each sample (first 8 bytes, size, last byte).
func drain(obj *libbpf.Object, want [][]byte) error {
	res, err := obj.Program("drain").Run(nil)
	if err != nil {
		return err
	}
	if int32(res.Return) != int32(len(want)) {
		return fmt.Errorf("the program drained %d samples, want %d", int32(res.Return), len(want))
	}
	v := make([]byte, 16)
	for i, w := range want {
		if err := obj.Map("seen").Lookup(u32(uint32(i)), v); err != nil {
			return err
		}
		first, size, last := binary.NativeEndian.Uint64(v), binary.NativeEndian.Uint32(v[8:]), v[12]
		if first != binary.NativeEndian.Uint64(w) || size != uint32(len(w)) || last != w[len(w)-1] {
			return fmt.Errorf("sample %d: the program saw first %#x size %d last %d, want %#x %d %d", i,
				first, size, last, binary.NativeEndian.Uint64(w), len(w), w[len(w)-1])
		}
	}
	return nil
}

// TestUserRingBuffer: what Go submits, a program draining the ring with
// bpf_user_ringbuf_drain sees exactly, in order; discarded samples and
// samples still being filled are not drained.
func TestUserRingBuffer(t *testing.T) {
	obj := loadUserRingBuffer(t)
	fds := testutil.OpenFDs(t)
	u, err := libbpf.NewUserRingBuffer(obj.Map("urb"))
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := range 10 {
		s, err := u.Reserve(8 + 13*i)
		if err != nil {
			t.Fatal(err)
		}
		binary.NativeEndian.PutUint64(s, 0xabc000+uint64(i))
		s[len(s)-1] = byte(i + 1)
		if i == 4 {
			err = u.Discard(s)
		} else {
			err = u.Submit(s)
			want = append(want, append([]byte(nil), s...))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := drain(obj, want); err != nil {
		t.Fatal(err)
	}

	// A sample still being filled stops the drain; once submitted it is
	// drained, and so are the ones after it.
	busy, err := u.Reserve(16)
	if err != nil {
		t.Fatal(err)
	}
	binary.NativeEndian.PutUint64(busy, 1)
	busy[15] = 2
	next, _ := u.Reserve(8)
	binary.NativeEndian.PutUint64(next, 3)
	if err := u.Submit(next); err != nil {
		t.Fatal(err)
	}
	if err := drain(obj, nil); err != nil {
		t.Fatal(err)
	}
	if err := u.Submit(busy); err != nil {
		t.Fatal(err)
	}
	if err := drain(obj, [][]byte{busy, next}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		sample []byte
	}{
		{"twice", next},
		{"a Go slice", make([]byte, 8)},
		{"empty", nil},
	} {
		if err := u.Submit(tc.sample); !errors.Is(err, unix.EINVAL) {
			t.Errorf("Submit %s: %v, want EINVAL", tc.name, err)
		}
	}
	if _, err := u.Reserve(4096); !errors.Is(err, unix.E2BIG) {
		t.Errorf("Reserve of the whole ring and a header: %v, want E2BIG", err)
	}
	if _, err := u.Reserve(0); !errors.Is(err, unix.E2BIG) {
		t.Errorf("Reserve(0): %v, want E2BIG", err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Reserve(8); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Reserve after Close: %v", err)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds open after Close, %d before", got, fds)
	}
	if _, err := libbpf.NewUserRingBuffer(loadEvents(t).Map("small")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("NewUserRingBuffer of a ring buffer map: %v", err)
	}
}

// TestUserRingBufferBlocking: a full ring makes Reserve fail with ENOSPC
// and ReserveBlocking wait, until the kernel drains it.
func TestUserRingBufferBlocking(t *testing.T) {
	obj := loadUserRingBuffer(t)
	u, err := libbpf.NewUserRingBuffer(obj.Map("urb"))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	var want [][]byte
	for {
		s, err := u.Reserve(504) // 512 with the header: 8 fill the ring
		if errors.Is(err, unix.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		binary.NativeEndian.PutUint64(s, uint64(len(want)))
		s[503] = byte(len(want))
		u.Submit(s)
		want = append(want, s)
	}
	if len(want) != 8 {
		t.Fatalf("a 4096-byte ring took %d samples of 512 bytes, want 8", len(want))
	}
	start := time.Now()
	if _, err := u.ReserveBlocking(504, 30*time.Millisecond); !errors.Is(err, unix.ENOSPC) || time.Since(start) < 30*time.Millisecond {
		t.Errorf("ReserveBlocking on a full ring: %v after %v, want ENOSPC after the timeout", err, time.Since(start))
	}
	copies := make([][]byte, len(want))
	for i, s := range want {
		copies[i] = append([]byte(nil), s...)
	}
	drained := make(chan error, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		drained <- drain(obj, copies)
	}()
	s, err := u.ReserveBlocking(504, 5*time.Second)
	if err != nil {
		t.Fatalf("ReserveBlocking while the program drains: %v", err)
	}
	u.Discard(s)
	if err := <-drained; err != nil {
		t.Fatal(err)
	}

	// Close wakes a blocked ReserveBlocking.
	for {
		s, err := u.Reserve(504)
		if err != nil {
			break
		}
		u.Submit(s)
	}
	closeWakes(t, "ReserveBlocking", u, func() error {
		_, err := u.ReserveBlocking(504, -1)
		return err
	})
}
