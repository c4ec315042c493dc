package goprobe

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDisassemble feeds arbitrary machine code to the two readers of a
// function's bytes, for amd64 and arm64: returnSites and prologueEnd must
// not panic, and what they return must lie inside the code, return sites
// in ascending order. Seeds: real functions of this test binary (a Go
// binary, so with a stack bound check), their truncations, and a few
// hand-made byte strings.
func FuzzDisassemble(f *testing.F) {
	if exe, err := os.Executable(); err == nil {
		if b, err := openBinary(exe); err == nil {
			for _, sym := range []string{"main.main", "testing.tRunner", "runtime.morestack"} {
				if fn, err := b.function(sym, true); err == nil {
					f.Add(true, fn.code)
					f.Add(true, fn.code[:len(fn.code)/2])
				}
			}
			b.Close()
		}
	}
	f.Add(true, []byte{0xc3})                    // RET
	f.Add(true, []byte{0x0f, 0x86, 0, 0, 0, 0})  // JBE to the next byte
	f.Add(false, []byte{0xc0, 0x03, 0x5f, 0xd6}) // arm64 RET
	f.Add(false, []byte{0x00, 0x00, 0x00})       // not a whole arm64 instruction
	morestack := map[uint64]bool{0x1000: true}
	f.Fuzz(func(t *testing.T, amd64 bool, code []byte) {
		machine := elf.EM_AARCH64
		if amd64 {
			machine = elf.EM_X86_64
		}
		if sites, err := returnSites(machine, code); err == nil {
			for i, s := range sites {
				if s < 0 || s >= len(code) || (i > 0 && s <= sites[i-1]) {
					t.Fatalf("returnSites: sites %v for %d bytes", sites, len(code))
				}
			}
		}
		end, err := prologueEnd(machine, code, 0x2000, morestack)
		if err != nil {
			t.Fatalf("prologueEnd: %v", err)
		}
		if end < 0 || end > len(code) {
			t.Fatalf("prologueEnd = %d for %d bytes", end, len(code))
		}
	})
}

// FuzzReadBinary feeds arbitrary files to the ELF side: SymbolOffset,
// EntryOffset and ReturnOffsets read the symbol tables, .gopclntab and a
// function's bytes of whatever binary a section names. They must fail with
// an error, never panic. Seeds: the C probe target of the root package's
// tests and damaged copies of it.
func FuzzReadBinary(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/probe_target"); err == nil {
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(data[:64])
	}
	f.Add([]byte("\x7fELF"))
	// One file per process, rewritten for each input: the inputs of one
	// process run one after the other.
	path := filepath.Join(f.TempDir(), "binary")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, sym := range []string{"main", "golibbpf_tick", "main.main"} {
			SymbolOffset(path, sym)
			EntryOffset(path, sym)
			ReturnOffsets(path, sym)
		}
	})
}
