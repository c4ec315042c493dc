package libbpf_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/golibbpf/libbpf"
)

// FuzzOpenObjectBytes feeds arbitrary bytes to OpenObjectBytes, with a
// custom handler and a fallback handler registered so that whatever
// sections libbpf finds also reach Go callbacks. Whatever the input: no
// panic, no crash in C (libbpf parses the ELF, its BTF and its relocations;
// run the corpus with -asan to catch memory errors there), and after Close
// no file descriptor and no cgo handle left behind. Open never touches the
// kernel, so the target needs no privileges.
//
// Seeds: every compiled object in testdata (make builds them), truncations
// and header corruptions of each, and the committed corpus in
// testdata/fuzz/FuzzOpenObjectBytes.
func FuzzOpenObjectBytes(f *testing.F) {
	objs, _ := filepath.Glob("testdata/*.bpf.o")
	for _, path := range objs {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, seed := range fuzzMutations(data) {
			f.Add(seed)
		}
	}

	// Setup and Attach read what a handler would; the fallback takes every
	// section nothing else knows.
	h := libbpf.ProgHandler{
		Setup: func(p *libbpf.Program) error {
			_ = p.Name() + p.SectionName()
			_ = p.Type()
			return nil
		},
	}
	custom, err := libbpf.RegisterProgHandler("fuzz+", libbpf.ProgTypeSyscall, 0, h)
	if err != nil {
		f.Fatal(err)
	}
	fallback, err := libbpf.RegisterFallbackProgHandler(libbpf.ProgTypeSyscall, 0, h)
	if err != nil {
		custom.Unregister()
		f.Fatal(err)
	}
	f.Cleanup(func() {
		if err := fallback.Unregister(); err != nil {
			f.Error(err)
		}
		if err := custom.Unregister(); err != nil {
			f.Error(err)
		}
	})

	f.Fuzz(func(t *testing.T, data []byte) {
		fds, handles := fuzzCountFDs(t), libbpf.LiveHandles()
		obj, err := libbpf.OpenObjectBytes(data, nil)
		if err == nil {
			for _, p := range obj.Programs() {
				_ = p.Name() + p.SectionName()
				_, _, _ = p.Type(), p.ExpectedAttachType(), p.InstructionCount()
				_, _ = p.Autoload(), p.Autoattach()
			}
			for _, m := range obj.Maps() {
				_ = m.Name()
				_, _, _, _ = m.Type(), m.KeySize(), m.ValueSize(), m.MaxEntries()
				_, _ = m.KeyTypeID(), m.ValueTypeID()
				if m.Internal() {
					_, _ = m.InitialValue()
				}
			}
			if err := obj.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		} else if obj != nil {
			t.Errorf("OpenObjectBytes returned an object with error %v", err)
		}
		if n := fuzzCountFDs(t); n != fds {
			t.Errorf("open file descriptors: %d before, %d after", fds, n)
		}
		if n := libbpf.LiveHandles(); n != handles {
			t.Errorf("live cgo handles: %d before, %d after", handles, n)
		}
	})
}

// fuzzMutations returns data and a few damaged copies of it: truncations
// and corrupted ELF header fields (section header offset, count and string
// table index) and one corrupted byte in every 512.
func fuzzMutations(data []byte) [][]byte {
	out := [][]byte{data}
	for _, n := range []int{len(data) / 2, 64, 16} {
		if n < len(data) {
			out = append(out, data[:n:n])
		}
	}
	if len(data) >= 64 {
		corrupt := func(off int, v uint64, size int) []byte {
			d := append([]byte(nil), data...)
			switch size {
			case 2:
				binary.LittleEndian.PutUint16(d[off:], uint16(v))
			case 8:
				binary.LittleEndian.PutUint64(d[off:], v)
			}
			return d
		}
		out = append(out,
			corrupt(0x28, uint64(len(data)-8), 8), // e_shoff near the end
			corrupt(0x3c, 0xffff, 2),              // e_shnum
			corrupt(0x3e, 0x7fff, 2),              // e_shstrndx
		)
		d := append([]byte(nil), data...)
		for i := 64; i < len(d); i += 512 {
			d[i] ^= 0xff
		}
		out = append(out, d)
	}
	return out
}

func fuzzCountFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
