package skeltest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// TestEventsSkeleton drives a generated skeleton end to end: .rodata set
// before Load, auto-attach of a tracepoint, records read through the
// generated record type, a .bss counter read and written live through its
// accessor, a .data variable changed while the program runs, and a program
// whose SEC() a Go handler attaches.
func TestEventsSkeleton(t *testing.T) {
	testutil.RequireKernel(t)
	reg, err := libbpf.RegisterProgHandler("skeltest/", libbpf.ProgTypeTracepoint, 0, libbpf.ProgHandler{
		Attach: func(p *libbpf.Program) (*libbpf.Link, error) {
			return p.AttachTracepoint("syscalls", "sys_enter_getppid")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Unregister() // after Close: the open object holds the handler
	s, err := OpenEvents(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pid := uint32(os.Getpid())
	const cookie = 0xc0ffee_0000_0001
	must(t, s.Rodata.TargetPid.Set(pid))
	must(t, s.Rodata.Cookie.Set(cookie))
	must(t, s.Load())
	must(t, s.Attach())
	if n := len(s.Obj.Links()); n != 2 {
		t.Fatalf("Attach made %d links, want 2 (the tracepoint, and the custom section's)", n)
	}
	if m := s.Maps.BSS; m == nil || !m.Internal() || !strings.HasSuffix(m.Name(), ".bss") {
		t.Errorf("Maps.BSS = %v, want the object's .bss map", m)
	}
	rb, err := libbpf.NewRingBuffer(s.Maps.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()

	comm := filepath.Base(os.Args[0])
	if len(comm) > 15 {
		comm = comm[:15]
	}
	read := func(wantSeq uint32) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rec, err := rb.Read(ctx)
		if err != nil {
			t.Fatalf("record with seq %d: %v", wantSeq, err)
		}
		var e EventsEvent
		must(t, e.UnmarshalBinary(rec.Data))
		got := string(bytes.TrimRight(e.Comm[:], "\x00"))
		if e.Pid != pid || e.Seq != wantSeq || e.Cookie != cookie || got != comm {
			t.Errorf("record %+v (comm %q), want pid %d seq %d cookie %#x comm %q", e, got, pid, wantSeq, uint64(cookie), comm)
		}
	}

	const calls = 5
	for range calls {
		syscall.Getppid()
	}
	for i := range uint32(calls) {
		read(i)
	}
	if got := get(t, s.BSS.Counter); got != calls {
		t.Errorf(".bss counter = %d after %d calls, want %d", got, calls, calls)
	}

	// Live writes: the program sees them at once.
	must(t, s.BSS.Counter.Set(100))
	must(t, s.Data.Step.Set(10))
	syscall.Getppid()
	read(100)
	if got := get(t, s.BSS.Counter); got != 110 {
		t.Errorf(".bss counter = %d, want 110 (100 set from Go, plus the step of 10 set from Go)", got)
	}
	if got := get(t, s.BSS.CustomHits); got != calls+1 {
		t.Errorf("the custom section's program counted %d calls, want %d", got, calls+1)
	}
	if err := s.Rodata.Cookie.Set(1); err == nil {
		t.Error(".rodata set after Load succeeded")
	}

	must(t, s.Close())
	if _, err := s.BSS.Counter.Get(); err == nil {
		t.Error("Get after Close succeeded")
	}
}
