package goprobe

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/golibbpf/libbpf/internal/testutil"
	"github.com/google/go-cmp/cmp"
)

// objdumpReturns lists the file offsets of the RET instructions of symbol
// that `go tool objdump`, a disassembler independent of x/arch's decoding
// loop here, prints for the binary at path.
func objdumpReturns(t *testing.T, path, symbol string) []uint64 {
	t.Helper()
	out, err := exec.Command("go", "tool", "objdump", "-s", "^"+regexp.QuoteMeta(symbol)+"$", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool objdump: %v\n%s", err, out)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	text := f.Section(".text")
	line := regexp.MustCompile(`^\s+\S+:\d+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+RET\b`)
	var offs []uint64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		addr, err := strconv.ParseUint(m[1], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, addr-text.Addr+text.Offset)
	}
	if len(offs) == 0 {
		t.Fatalf("objdump shows no RET in %s:\n%s", symbol, out)
	}
	return offs
}

// symbolsUnderTest are the target's functions in each symbol form.
var symbolsUnderTest = []string{
	"main.work",
	"main.recurse",
	"main.classify",
	"main.Sum[go.shape.int]",
	"main.Sum[go.shape.float64]",
	"main.(*counter).add",
	"main.main",
	"main.main.func1",
	"fmt.(*pp).doPrintf",
	"runtime.mallocgc",
}

func TestReturnOffsetsMatchObjdump(t *testing.T) {
	target := buildTarget(t, "")
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range symbolsUnderTest {
		t.Run(sym, func(t *testing.T) {
			got, err := ReturnOffsets(target, sym)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(objdumpReturns(t, target, sym), got); diff != "" {
				t.Errorf("return offsets differ from objdump (-objdump +got):\n%s", diff)
			}
			for _, off := range got {
				if data[off] != 0xc3 {
					t.Errorf("byte at %#x is %#x, not RET (0xc3)", off, data[off])
				}
			}
		})
	}
	// classify has one return instruction per return statement: several
	// sites become one link.
	if offs, _ := ReturnOffsets(target, "main.classify"); len(offs) < 2 {
		t.Errorf("main.classify: %d return sites, want several", len(offs))
	}
}

func TestReturnOffsetsARM64(t *testing.T) {
	target := buildTarget(t, "arm64")
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	ret := []byte{0xc0, 0x03, 0x5f, 0xd6} // RET (X30), little endian
	for _, sym := range []string{"main.work", "main.classify", "main.(*counter).add"} {
		got, err := ReturnOffsets(target, sym)
		if err != nil {
			t.Fatalf("%s: %v", sym, err)
		}
		want := objdumpReturns(t, target, sym)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: return offsets differ from objdump (-objdump +got):\n%s", sym, diff)
		}
		for _, off := range got {
			if !bytes.Equal(data[off:off+4], ret) {
				t.Errorf("%s: word at %#x is % x, not RET", sym, off, data[off:off+4])
			}
		}
	}
}

func TestEntryOffsetSkipsStackCheck(t *testing.T) {
	// Bytes from the symbol to the first instruction after the stack
	// check, as go tool objdump shows them:
	//   amd64 small frame: CMPQ SP, 16(R14); JBE                      6
	//   amd64 large frame: LEAQ -n(SP), R12; CMPQ R12, 16(R14); JBE  18
	//   amd64 huge frame:  MOVQ SP, R12; SUBQ $n, R12; JB; CMPQ; JBE 26
	//   arm64 small frame: MOVD 16(R28), R16; CMP R16, RSP; BLS       12
	//   arm64 large frame: MOVD; SUB $n, RSP, R17; CMP; BLS           16
	//   arm64 huge frame:  MOVD; MOVD $n, R27; SUBS; BCC; CMP; BLS    24
	// Small leaf functions have no check and keep their first instruction.
	for _, tc := range []struct {
		arch string
		skip map[string]uint64
	}{
		{"amd64", map[string]uint64{"main.work": 6, "main.recurse": 18, "main.main": 18, "main.bigFrame": 26, "main.classify": 0, "main.(*counter).add": 0}},
		{"arm64", map[string]uint64{"main.work": 12, "main.recurse": 16, "main.main": 16, "main.bigFrame": 24, "main.classify": 0, "main.(*counter).add": 0}},
	} {
		target := buildTarget(t, tc.arch)
		for sym, skip := range tc.skip {
			start, err := SymbolOffset(target, sym)
			if err != nil {
				t.Fatal(err)
			}
			entry, err := EntryOffset(target, sym)
			if err != nil {
				t.Fatal(err)
			}
			if entry != start+skip {
				t.Errorf("%s %s: entry offset %#x = symbol + %d, want symbol + %d", tc.arch, sym, entry, entry-start, skip)
			}
		}
	}
}

func TestStrippedBinaryUsesPclntab(t *testing.T) {
	full := buildTarget(t, "")
	stripped := buildTarget(t, "", "-ldflags=-s -w")
	if f, err := elf.Open(stripped); err != nil {
		t.Fatal(err)
	} else {
		_, err := f.Symbols()
		f.Close()
		if !errors.Is(err, elf.ErrNoSymbols) {
			t.Fatalf("stripped binary still has .symtab (%v)", err)
		}
	}
	for _, sym := range symbolsUnderTest {
		for name, fn := range map[string]func(string, string) ([]uint64, error){
			"ReturnOffsets": ReturnOffsets,
			"EntryOffset":   one(EntryOffset),
			"SymbolOffset":  one(SymbolOffset),
		} {
			want, err := fn(full, sym)
			if err != nil {
				t.Fatalf("%s(%s) on the full binary: %v", name, sym, err)
			}
			got, err := fn(stripped, sym)
			if err != nil {
				t.Fatalf("%s(%s) on the stripped binary: %v", name, sym, err)
			}
			// Stripping moves nothing in .text, but the file layout before
			// it is the same too, so offsets must agree.
			if !slices.Equal(got, want) {
				t.Errorf("%s(%s): stripped %#x, full %#x", name, sym, got, want)
			}
		}
	}
}

func one(fn func(string, string) (uint64, error)) func(string, string) ([]uint64, error) {
	return func(path, sym string) ([]uint64, error) {
		off, err := fn(path, sym)
		return []uint64{off}, err
	}
}

func TestLookupErrors(t *testing.T) {
	target := buildTarget(t, "")
	dir := t.TempDir()
	notELF := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no-such-binary")

	for _, tc := range []struct {
		name, path, symbol string
		is                 error
		mention            []string
	}{
		{"missing binary", missing, "main.work", os.ErrNotExist, []string{missing}},
		{"missing symbol", target, "main.noSuchFunction", ErrSymbolNotFound, []string{target, `"main.noSuchFunction"`}},
		{"data symbol", target, "runtime.buildVersion", ErrSymbolNotFound, []string{"runtime.buildVersion"}},
		{"not ELF", notELF, "main.work", nil, []string{notELF}},
		{"empty symbol", target, "", nil, []string{target, "empty symbol"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, fn := range map[string]func(string, string) ([]uint64, error){
				"ReturnOffsets": ReturnOffsets,
				"EntryOffset":   one(EntryOffset),
				"SymbolOffset":  one(SymbolOffset),
			} {
				_, err := fn(tc.path, tc.symbol)
				if err == nil {
					t.Fatalf("%s: no error", name)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("%s: %v: not %v", name, err, tc.is)
				}
				for _, m := range tc.mention {
					if !bytes.Contains([]byte(err.Error()), []byte(m)) {
						t.Errorf("%s: %q does not mention %s", name, err, m)
					}
				}
			}
		})
	}
}

func TestUnsupportedArch(t *testing.T) {
	// The amd64 target relabelled as RISC-V (e_machine at byte 18): cheaper
	// than building a real one, and enough for the lookup code.
	data, err := os.ReadFile(buildTarget(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint16(data[18:], uint16(elf.EM_RISCV))
	target := filepath.Join(t.TempDir(), "target-riscv")
	if err := os.WriteFile(target, data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = ReturnOffsets(target, "main.work")
	if !errors.Is(err, ErrUnsupportedArch) {
		t.Fatalf("ReturnOffsets on riscv64: %v, want ErrUnsupportedArch", err)
	}
	// The entry offset needs no disassembly where there is no stack check
	// to find, but a Go function has one.
	if _, err := EntryOffset(target, "main.work"); !errors.Is(err, ErrUnsupportedArch) {
		t.Fatalf("EntryOffset on riscv64: %v, want ErrUnsupportedArch", err)
	}
	if _, err := SymbolOffset(target, "main.work"); err != nil {
		t.Fatalf("SymbolOffset on riscv64: %v", err)
	}
}

func TestReturnSitesSynthetic(t *testing.T) {
	for _, tc := range []struct {
		name    string
		machine elf.Machine
		code    []byte
		want    []int
		wantErr bool
	}{
		// xor eax,eax; ret; int3; rep ret; ret 8
		{"x86 forms", elf.EM_X86_64, []byte{0x31, 0xc0, 0xc3, 0xcc, 0xf3, 0xc3, 0xc2, 0x08, 0x00}, []int{2, 4, 6}, false},
		// mov eax, 0xc3c3c3c3: the immediate's 0xc3 bytes are not returns.
		{"x86 immediate", elf.EM_X86_64, []byte{0xb8, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3}, []int{5}, false},
		// retf is a far return Go never emits: not a near return.
		{"x86 far return", elf.EM_X86_64, []byte{0xcb}, nil, false},
		// a truncated instruction cannot be decoded.
		{"x86 truncated", elf.EM_X86_64, []byte{0xc3, 0xb8, 0x01}, nil, true},
		{"386", elf.EM_386, []byte{0x55, 0x89, 0xe5, 0x5d, 0xc3}, []int{4}, false},
		// nop; ret; a data word; ret x30; 2 trailing bytes
		{"arm64", elf.EM_AARCH64, []byte{
			0x1f, 0x20, 0x03, 0xd5,
			0xc0, 0x03, 0x5f, 0xd6,
			0x00, 0x00, 0x00, 0x00,
			0xc0, 0x03, 0x5f, 0xd6,
			0xc0, 0x03}, []int{4, 12}, false},
		{"riscv", elf.EM_RISCV, []byte{0x67, 0x80, 0x00, 0x00}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := returnSites(tc.machine, tc.code)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("sites %v, want %v", got, tc.want)
			}
		})
	}
}

// TestNonGoBinary checks the helpers on C code: libc's malloc has no Go
// stack check, so its entry offset is its symbol's.
func TestNonGoBinary(t *testing.T) {
	triplet := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[runtime.GOARCH]
	libc := "/lib/" + triplet + "/libc.so.6"
	if _, err := os.Stat(libc); err != nil {
		testutil.SkipOrFail(t, "no %s on this machine: %v", libc, err)
	}
	start, err := SymbolOffset(libc, "malloc")
	if err != nil {
		t.Fatal(err)
	}
	if entry, err := EntryOffset(libc, "malloc"); err != nil || entry != start {
		t.Errorf("EntryOffset(malloc) = %#x, %v; want %#x", entry, err, start)
	}
	rets, err := ReturnOffsets(libc, "malloc")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("malloc at %#x, %d returns at %#x", start, len(rets), rets)
}
