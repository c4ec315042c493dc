package libbpf_test

import (
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

func collectIDs(t *testing.T, seq func(func(uint32, error) bool)) []uint32 {
	t.Helper()
	var ids []uint32
	for id, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestProgramAndLinkInfo(t *testing.T) {
	obj := loadBasic(t)
	prog := obj.Program("on_sys_enter")
	pinfo, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	countsInfo, err := obj.Map("counts").Info()
	if err != nil {
		t.Fatal(err)
	}
	if pinfo.Type != libbpf.ProgTypeRawTracepoint || pinfo.ID == 0 || pinfo.Name != "on_sys_enter" ||
		!slices.Contains(pinfo.MapIDs, countsInfo.ID) || pinfo.XlatedSize == 0 {
		t.Errorf("program info = %+v (counts is map %d)", pinfo, countsInfo.ID)
	}
	if !slices.Contains(collectIDs(t, libbpf.ProgramIDs()), pinfo.ID) {
		t.Errorf("ProgramIDs misses %d", pinfo.ID)
	}
	byID, err := libbpf.ProgramFromID(pinfo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := byID.Info(); err != nil || again.ID != pinfo.ID || again.Tag != pinfo.Tag {
		t.Errorf("ProgramFromID info = %+v, %v", again, err)
	}
	byID.Close()
	if _, err := byID.Info(); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Info after Close: %v, want ErrClosed", err)
	}

	link, err := prog.AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	linfo, err := link.Info()
	if err != nil {
		t.Fatal(err)
	}
	if linfo.Type != libbpf.LinkTypeRawTracepoint || linfo.ProgID != pinfo.ID || linfo.Name != "sys_enter" || linfo.ID == 0 {
		t.Errorf("raw tracepoint link info = %+v", linfo)
	}
	if !slices.Contains(collectIDs(t, libbpf.LinkIDs()), linfo.ID) {
		t.Errorf("LinkIDs misses %d", linfo.ID)
	}
	tp, err := obj.Program("on_getppid").AttachTracepoint("syscalls", "sys_enter_getppid")
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	tpinfo, err := tp.Info()
	ids := []uint32{linfo.ID}
	if why, lacks := testutil.KernelLacks(testutil.FeaturePerfLinkInfo); lacks {
		// An older kernel attaches with no link (before 5.15) or one whose
		// info has none of the event's details; either way no wrong ones.
		if err == nil && (tpinfo.Type != libbpf.LinkTypePerfEvent || tpinfo.Name != "") {
			t.Errorf("tracepoint link info where %s = %+v", why, tpinfo)
		}
	} else {
		if err != nil {
			t.Fatal(err)
		}
		if tpinfo.Type != libbpf.LinkTypePerfEvent || tpinfo.PerfEventType != libbpf.PerfEventTracepoint || tpinfo.Name != "sys_enter_getppid" {
			t.Errorf("tracepoint link info = %+v", tpinfo)
		}
		ids = append(ids, tpinfo.ID)
	}

	// A link found by id: closing it leaves the attachment; tracepoint
	// links cannot be detached, which fails cleanly.
	for _, id := range ids {
		found, err := libbpf.LinkFromID(id)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := found.Info(); err != nil || info.ID != id {
			t.Errorf("LinkFromID(%d).Info = %+v, %v", id, info, err)
		}
		if err := found.Detach(); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("detach link %d: %v, want EOPNOTSUPP", id, err)
		}
		if err := found.Close(); err != nil {
			t.Error(err)
		}
	}
	before := counter(t, obj, 0)
	waitCount(t, obj, 0, before+1, func() { syscall.Getppid() })
	if _, err := libbpf.LinkFromID(0xffffffff); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LinkFromID of no link: %v, want ENOENT", err)
	}
}

// TestGetFDByID opens a program, a link and a map by id, with libbpf's
// plain calls and with options through the _opts forms: a map opened
// read-only refuses writes; programs and links take no open flags.
func TestGetFDByID(t *testing.T) {
	obj := loadBasic(t)
	prog := obj.Program("on_sys_enter")
	pinfo, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	l, err := prog.AttachRawTracepoint("sys_enter")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	linfo, err := l.Info()
	if err != nil {
		t.Fatal(err)
	}
	m := obj.Map("counts")
	minfo, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	fds := testutil.OpenFDs(t)
	for _, tc := range []struct {
		what string
		open func(uint32, libbpf.GetFDByIDOptions) (int, error)
		id   uint32
	}{{"program", libbpf.ProgGetFDByID, pinfo.ID}, {"link", libbpf.LinkGetFDByID, linfo.ID}, {"map", libbpf.MapGetFDByID, minfo.ID}} {
		fd, err := tc.open(tc.id, libbpf.GetFDByIDOptions{})
		if err != nil {
			t.Fatalf("%s %d: %v", tc.what, tc.id, err)
		}
		unix.Close(fd)
		if tc.what != "map" {
			if fd, err := tc.open(tc.id, libbpf.GetFDByIDOptions{OpenFlags: unix.BPF_F_RDONLY}); !errors.Is(err, unix.EINVAL) {
				unix.Close(fd)
				t.Errorf("%s %d read-only: %v, want EINVAL", tc.what, tc.id, err)
			}
		}
		if fd, err := tc.open(0, libbpf.GetFDByIDOptions{}); !errors.Is(err, unix.ENOENT) {
			unix.Close(fd)
			t.Errorf("%s 0: %v, want ENOENT", tc.what, err)
		}
	}
	fd, err := libbpf.MapGetFDByID(minfo.ID, libbpf.GetFDByIDOptions{OpenFlags: unix.BPF_F_RDONLY})
	if err != nil {
		t.Fatal(err)
	}
	ro := mapOfFD(t, fd)
	if err := ro.Lookup(u32(0), make([]byte, 8)); err != nil {
		t.Errorf("lookup through a read-only fd: %v", err)
	}
	if err := ro.Update(u32(0), u64(1), libbpf.UpdateAny); !errors.Is(err, unix.EPERM) {
		t.Errorf("update through a read-only fd: %v, want EPERM", err)
	}
	ro.Close()
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("open fds: %d before, %d after", fds, got)
	}
}

// TestProgLinfo searches the kernel's line info of a loaded program: by
// instruction it gives records libbpf loaded the program with, in order
// (at the offsets of the instructions the verifier rewrote); by
// jited address, the lines of the jited function, where the kernel gives
// the addresses.
func TestProgLinfo(t *testing.T) {
	obj := loadBasic(t)
	p := obj.Program("filter_me") // one function, with count_any's lines
	want, err := p.LineInfo()
	if err != nil || len(want) < 2 {
		t.Fatalf("libbpf's line info: %d records, %v", len(want), err)
	}
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	l, err := libbpf.NewProgLinfo(p.FD())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Each record, by walking the instructions.
	var got []libbpf.LineInfo
	for insn := uint32(0); insn < info.XlatedSize/8; insn++ {
		r, err := l.Lfind(insn, 0)
		if err != nil {
			t.Fatalf("Lfind(%d): %v", insn, err)
		}
		if len(got) == 0 || r.InsnOff != got[len(got)-1].InsnOff {
			got = append(got, r)
		}
	}
	// The verifier drops the records of the dead code it removes: the
	// kernel's records are libbpf's, in order, less some.
	line := func(r libbpf.LineInfo) [3]uint32 { return [3]uint32{r.FileNameOff, r.LineOff, r.LineCol} }
	next := 0
	for _, r := range got {
		for next < len(want) && line(want[next]) != line(r) {
			next++
		}
		if next == len(want) {
			t.Fatalf("the kernel's records %+v are not libbpf's %+v, in order", got, want)
		}
		next++
	}
	if len(got) < 2 {
		t.Errorf("the kernel keeps %d records of libbpf's %d", len(got), len(want))
	}
	last := got[len(got)-1]
	if r, err := l.Lfind(0, uint32(len(got)-1)); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Lfind(0) from the last record = %+v, %v; want ENOENT", r, err)
	}
	if r, err := l.Lfind(last.InsnOff, uint32(len(got)-1)); err != nil || r != last {
		t.Errorf("Lfind(%d) from the last record = %+v, %v; want %+v", last.InsnOff, r, err, last)
	}
	if _, err := l.Lfind(0, uint32(len(got))); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Lfind skipping every record: %v, want ENOENT", err)
	}
	// The jited records: the last line of function 0 for any address past
	// its start, none before it or in a function that does not exist.
	if r, err := l.LfindAddrFunc(^uint64(0), 0, 0); err != nil || r != last {
		t.Errorf("LfindAddrFunc(max, 0) = %+v, %v; want the last record %+v", r, err, last)
	}
	if _, err := l.LfindAddrFunc(0, 0, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LfindAddrFunc(0, 0): %v, want ENOENT", err)
	}
	if _, err := l.LfindAddrFunc(^uint64(0), 5, 0); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LfindAddrFunc in function 5: %v, want ENOENT", err)
	}
	l.Close()
	if _, err := l.Lfind(0, 0); !errors.Is(err, libbpf.ErrClosed) {
		t.Errorf("Lfind after Close: %v, want ErrClosed", err)
	}
	if _, err := libbpf.NewProgLinfo(-1); !errors.Is(err, unix.EBADF) && !errors.Is(err, unix.EBADFD) {
		t.Errorf("NewProgLinfo(-1): %v, want EBADF or EBADFD", err)
	}
}
