package libbpf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf/internal/btf"
)

// cyclicObject returns testdata/ringbuf.bpf.o with every pointer of its BTF
// turned into a const of itself (both kinds have no trailer): the members
// of the ring buffer's map definition are pointers, and libbpf follows them
// when it parses the map.
func cyclicObject(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/ringbuf.bpf.o")
	if err != nil {
		t.Fatalf("%v (make builds the test objects)", err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sec := f.Section(".BTF")
	if sec == nil {
		t.Fatal("testdata/ringbuf.bpf.o has no .BTF section")
	}
	raw := data[sec.Offset:][:sec.FileSize] // aliases data
	if _, found := btf.ModifierCycle(raw); found {
		t.Fatal("the unmodified object already has a loop")
	}
	types := raw[24+binary.LittleEndian.Uint32(raw[8:]):][:binary.LittleEndian.Uint32(raw[12:])]
	for off, id := 0, uint32(1); off < len(types); id++ {
		info := binary.LittleEndian.Uint32(types[off+4:])
		kind := btf.Kind(info >> 24 & 0x1f)
		if kind == btf.KindPtr {
			binary.LittleEndian.PutUint32(types[off+4:], uint32(btf.KindConst)<<24)
			binary.LittleEndian.PutUint32(types[off+8:], id)
		}
		n, ok := btf.TrailerSize(kind, int(info&0xffff))
		if !ok {
			t.Fatalf("type %d: unknown kind %d", id, kind)
		}
		off += 12 + n
	}
	if _, found := btf.ModifierCycle(raw); !found {
		t.Fatal("no loop found in the object whose pointers are consts of themselves")
	}
	return data
}

// An object whose BTF loops a modifier back on itself made libbpf 1.7.0's
// open spin forever (found by FuzzOpenObjectBytes); Open must fail with
// EINVAL instead, from memory and from a file.
func TestOpenRejectsBTFModifierLoop(t *testing.T) {
	data := cyclicObject(t)
	path := filepath.Join(t.TempDir(), "loop.bpf.o")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func() (*Object, error){
		"bytes": func() (*Object, error) { return OpenObjectBytes(data, nil) },
		"file":  func() (*Object, error) { return OpenObjectFile(path, nil) },
	} {
		done := make(chan error, 1)
		go func() {
			obj, err := open()
			obj.Close()
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, unix.EINVAL) {
				t.Errorf("open from %s: %v, want EINVAL", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("open from %s of BTF whose pointers are consts of themselves did not return", name)
		}
	}
}

// TestCheckBTFLoops checks what the guard refuses before libbpf sees an
// object: BTF with a cycle, and an ELF object debug/elf cannot read (here
// the cyclic one with program headers past the end of the file, which
// libbpf ignores), but not what is not ELF, which libbpf rejects itself.
func TestCheckBTFLoops(t *testing.T) {
	good, err := os.ReadFile("testdata/ringbuf.bpf.o")
	if err != nil {
		t.Fatalf("%v (make builds the test objects)", err)
	}
	cyclic := cyclicObject(t)
	badPhdrs := append([]byte(nil), cyclic...)
	binary.LittleEndian.PutUint64(badPhdrs[0x20:], uint64(len(badPhdrs))) // e_phoff
	binary.LittleEndian.PutUint16(badPhdrs[0x38:], 4)                     // e_phnum
	for _, tt := range []struct {
		name   string
		data   []byte
		refuse bool
	}{
		{"object with BTF", good, false},
		{"not ELF", []byte("not an ELF object"), false},
		{"empty", nil, false},
		{"cyclic BTF", cyclic, true},
		{"cyclic BTF, bad program headers", badPhdrs, true},
		{"ELF header only", good[:64], true},
	} {
		err := checkBTFLoopsBytes(tt.data)
		if tt.refuse && !errors.Is(err, unix.EINVAL) || !tt.refuse && err != nil {
			t.Errorf("%s: %v, want refused: %v", tt.name, err, tt.refuse)
		}
	}
}
