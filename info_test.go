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
