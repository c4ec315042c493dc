package libbpf_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// run runs a loaded program without input (a raw_tp or syscall program)
// and returns its return value.
func run(t *testing.T, p *libbpf.Program) uint32 {
	t.Helper()
	res, err := p.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Return
}

func TestProgramInsns(t *testing.T) {
	obj := openTest(t, "progload")
	p := obj.Program("answer")
	before := p.Insns()
	if len(before) == 0 || len(before) != p.InstructionCount() {
		t.Fatalf("%d instructions, InstructionCount %d", len(before), p.InstructionCount())
	}
	if last := before[len(before)-1]; last.Code != 0x95 { // BPF_JMP|BPF_EXIT
		t.Errorf("the last instruction is %+v, want exit", last)
	}

	// A PrepareLoad callback patches the "return 1" of "replaced" into
	// "return 7" (the line info libbpf loads with it still fits); the
	// loaded program returns 7.
	obj.Close()
	register(t, "raw_tp", libbpf.ProgTypeRawTracepoint, 0, libbpf.ProgHandler{
		PrepareLoad: func(p *libbpf.Program, opts *libbpf.LoadOptions) error {
			if p.Name() != "replaced" {
				return nil
			}
			insns := p.Insns()
			for i := len(insns) - 1; i >= 0; i-- {
				if in := &insns[i]; in.Code == 0xb7 && in.Dst == 0 && in.Imm == 1 { // BPF_ALU64|BPF_MOV|BPF_K r0 = 1
					in.Imm = 7
					return p.SetInsns(insns)
				}
			}
			return errors.New("no r0 = 1 in replaced")
		},
	})
	obj = openTest(t, "progload")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	p = obj.Program("replaced")
	if got := run(t, p); got != 7 {
		t.Errorf("the replaced program returned %d, want 7", got)
	}
	if got := run(t, obj.Program("answer")); got != 42 {
		t.Errorf("answer returned %d, want 42", got)
	}
	// After Load, libbpf's relocated copy has the subprogram appended.
	if n := len(obj.Program("answer").Insns()); n <= len(before) {
		t.Errorf("answer has %d instructions after Load, %d before; want the subprogram appended", n, len(before))
	}
	if err := p.SetInsns([]libbpf.Insn{{Code: 0x95}}); !errors.Is(err, unix.EBUSY) {
		t.Errorf("SetInsns after Load: %v, want EBUSY", err)
	}
}

func TestProgramLogBuf(t *testing.T) {
	obj := openTest(t, "progload")
	p := obj.Program("answer")
	if err := p.SetLogBuf(-1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetLogBuf(-1): %v, want EINVAL", err)
	}
	if err := p.SetLogBuf(1 << 20); err != nil {
		t.Fatal(err)
	}
	if err := p.SetLogLevel(2); err != nil {
		t.Fatal(err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if log := p.LogBuf(); !strings.Contains(log, "processed") || !strings.Contains(log, "r0 = ") {
		t.Errorf("the level-2 verifier log lacks instructions and stats:\n%.500s", log)
	}
	if log := obj.Program("replaced").LogBuf(); log != "" {
		t.Errorf("a program without a log buffer has log %q", log)
	}
	obj.Close()
	if log := p.LogBuf(); log != "" {
		t.Errorf("LogBuf after Close = %q", log)
	}
}

func TestProgramFuncLineInfo(t *testing.T) {
	obj := openTest(t, "progload")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	b, err := obj.BTF()
	if err != nil {
		t.Fatal(err)
	}
	p := obj.Program("answer")
	fi, err := p.FuncInfo()
	if err != nil {
		t.Fatal(err)
	}
	var funcs []string
	for _, f := range fi {
		ft, err := b.TypeByID(f.TypeID)
		if err != nil || ft.Kind != libbpf.BTFKindFunc {
			t.Fatalf("func info %+v: type %+v, %v", f, ft, err)
		}
		funcs = append(funcs, fmt.Sprintf("%s@%d", ft.Name, f.InsnOff))
	}
	if len(fi) != 2 || fi[0].InsnOff != 0 || !strings.HasPrefix(funcs[0], "answer@") || !strings.HasPrefix(funcs[1], "twice@") {
		t.Errorf("func info %v, want answer at 0 and its subprogram twice", funcs)
	}
	li, err := p.LineInfo()
	if err != nil {
		t.Fatal(err)
	}
	if len(li) == 0 {
		t.Fatal("no line info")
	}
	var lines []string
	for _, l := range li {
		file := filepath.Base(b.NameByOffset(l.FileNameOff))
		if file != "progload.bpf.c" && file != "common.h" || l.Line() == 0 {
			t.Errorf("line info %+v: file %q, line %d", l, file, l.Line())
		}
		if file == "progload.bpf.c" {
			lines = append(lines, strings.TrimSpace(b.NameByOffset(l.LineOff)))
		}
	}
	if !slices.Contains(lines, "return twice(21);") || !slices.Contains(lines, "return x * 2;") {
		t.Errorf("the lines of progload.bpf.c are %q, want answer's and twice's return", lines)
	}
}

func TestProgramPin(t *testing.T) {
	obj := openTest(t, "progload")
	p := obj.Program("answer")
	path := filepath.Join("/sys/fs/bpf", fmt.Sprintf("golibbpf_pin_%d_%d", os.Getpid(), rand()))
	if err := p.Pin(path); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("Pin before Load: %v, want ErrNotLoaded", err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := p.Pin(path); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	fd, err := objGet(path)
	if err != nil {
		t.Fatalf("BPF_OBJ_GET %s: %v", path, err)
	}
	if id, want := progIDOfFD(t, fd), progIDOfFD(t, p.FD()); id != want {
		t.Errorf("the pin holds program %d, want %d", id, want)
	}
	unix.Close(fd)
	if err := p.Pin(path); !errors.Is(err, unix.EEXIST) {
		t.Errorf("Pin over an existing pin: %v, want EEXIST", err)
	}
	if err := p.Unpin(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the pin remains after Unpin: %v", err)
	}
	if err := p.Unpin(path); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Unpin twice: %v, want ENOENT", err)
	}
	if err := p.Pin(filepath.Join(t.TempDir(), "x")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Pin outside a BPF file system: %v, want EINVAL", err)
	}
}

func TestProgramBindMap(t *testing.T) {
	obj := openTest(t, "progload")
	p, m := obj.Program("answer"), obj.Map("unused")
	if err := p.BindMap(m); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("BindMap before Load: %v, want ErrNotLoaded", err)
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	before := progMapCount(t, p.FD())
	if err := p.BindMap(m); err != nil {
		t.Fatal(err)
	}
	if after := progMapCount(t, p.FD()); after != before+1 {
		t.Errorf("the program uses %d maps after BindMap, %d before", after, before)
	}
	if err := p.BindMap(m); err != nil {
		t.Errorf("BindMap again: %v", err)
	}
	if after := progMapCount(t, p.FD()); after != before+1 {
		t.Errorf("the program uses %d maps after a second BindMap, want %d", after, before+1)
	}
}

func rand() uint32 {
	var b [4]byte
	unix.Getrandom(b[:], 0)
	return binary.NativeEndian.Uint32(b[:])
}

// objGet opens the pinned BPF object at path.
func objGet(path string) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	attr := struct {
		pathname  uint64
		fd, flags uint32
	}{pathname: uint64(uintptr(unsafe.Pointer(p)))}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_OBJ_GET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(p)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// objInfo reads the first bytes of the info struct (struct bpf_prog_info,
// bpf_btf_info, ...) of the BPF object fd.
func objInfo(t *testing.T, fd int) []byte {
	t.Helper()
	info := make([]byte, 64)
	if n, err := libbpf.ObjGetInfoByFD(fd, info); err != nil || n == 0 || n > len(info) {
		t.Fatalf("ObjGetInfoByFD = %d, %v; want up to %d bytes", n, err, len(info))
	}
	return info
}

func progIDOfFD(t *testing.T, fd int) uint32 { return binary.NativeEndian.Uint32(objInfo(t, fd)[4:]) }

// progMapCount returns nr_map_ids of the program fd.
func progMapCount(t *testing.T, fd int) uint32 {
	return binary.NativeEndian.Uint32(objInfo(t, fd)[52:])
}

// TestProgStreamRead reads what a program wrote to its BPF stdout stream,
// once: the read consumes it. Where the program cannot write (the kfunc is
// missing or fails), the stream reads empty; kernels without streams
// refuse the read.
func TestProgStreamRead(t *testing.T) {
	if why, lacks := testutil.KernelLacks(testutil.FeatureProgStream); lacks {
		t.Log(why)
		basic := loadBasic(t)
		n, err := libbpf.ProgStreamRead(basic.Program("filter_me").FD(), libbpf.StreamStdout, make([]byte, 64))
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("ProgStreamRead = %d, %v; want EINVAL", n, err)
		}
		return
	}
	obj := openTest(t, "stream")
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	p := obj.Program("say")
	res, err := p.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, err := libbpf.ProgStreamRead(p.FD(), libbpf.StreamStdout, buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := libbpf.ProgStreamRead(p.FD(), 7, buf); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ProgStreamRead of stream 7: %v, want ENOENT", err)
	}
	if why, lacks := testutil.KernelLacks(testutil.FeatureStreamPrintk); lacks {
		t.Log(why)
		if res.Return == 0 || n != 0 {
			t.Errorf("the program returned %d and the stream holds %q; want a failed write and nothing", int32(res.Return), buf[:n])
		}
		return
	}
	if res.Return != 0 {
		t.Fatalf("bpf_stream_vprintk_impl returned %d", int32(res.Return))
	}
	if got, want := string(buf[:n]), "hello from bpf 42\n"; got != want {
		t.Errorf("stdout stream %q, want %q", got, want)
	}
	if n, err := libbpf.ProgStreamRead(p.FD(), libbpf.StreamStdout, buf); n != 0 || err != nil {
		t.Errorf("second read = %q, %v; want nothing left", buf[:n], err)
	}
}
