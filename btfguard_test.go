package libbpf

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rawBTF builds little-endian BTF from types given as (kind, vlen, type)
// with zeroed trailers, and no strings.
func rawBTF(types ...[3]uint32) []byte {
	var body []byte
	for _, t := range types {
		body = binary.LittleEndian.AppendUint32(body, 0)
		body = binary.LittleEndian.AppendUint32(body, t[0]<<24|t[1])
		body = binary.LittleEndian.AppendUint32(body, t[2])
		n, _ := btfTrailer(t[0], t[1])
		body = append(body, make([]byte, n)...)
	}
	hdr := []byte{0x9f, 0xeb, 1, 0}
	for _, v := range []uint32{24, 0, uint32(len(body)), uint32(len(body)), 1} {
		hdr = binary.LittleEndian.AppendUint32(hdr, v)
	}
	return append(append(hdr, body...), 0)
}

func TestBTFModifierLoop(t *testing.T) {
	const intKind, structKind = 1, 4
	tests := []struct {
		name  string
		types [][3]uint32
		loop  bool
	}{
		{"chains ending in void and int", [][3]uint32{{intKind, 0, 4}, {btfKindConst, 0, 1}, {btfKindTypedef, 0, 2}, {btfKindVolatile, 0, 0}}, false},
		{"struct members and pointers are not followed", [][3]uint32{{structKind, 2, 8}, {2, 0, 2}, {btfKindTypedef, 0, 2}}, false},
		{"dangling id", [][3]uint32{{btfKindConst, 0, 99}}, false},
		{"typedef of itself", [][3]uint32{{intKind, 0, 4}, {btfKindTypedef, 0, 2}}, true},
		{"const and volatile of each other", [][3]uint32{{btfKindConst, 0, 2}, {btfKindVolatile, 0, 1}}, true},
		{"cycle behind a chain", [][3]uint32{{btfKindRestrict, 0, 2}, {btfKindTypeTag, 0, 3}, {btfKindConst, 0, 2}}, true},
	}
	for _, tt := range tests {
		if _, loop := btfModifierLoop(rawBTF(tt.types...)); loop != tt.loop {
			t.Errorf("%s: loop %v, want %v", tt.name, loop, tt.loop)
		}
	}
	for _, junk := range [][]byte{nil, []byte("not btf"), rawBTF([3]uint32{31, 0, 0}), rawBTF([3]uint32{btfKindConst, 0, 1})[:30]} {
		if _, loop := btfModifierLoop(junk); loop {
			t.Errorf("%q: loop reported in what is not BTF", junk)
		}
	}
}

// An object whose BTF loops a modifier back on itself made libbpf 1.7.0's
// open spin forever (found by FuzzOpenObjectBytes); Open must fail with
// EINVAL instead, from memory and from a file.
func TestOpenRejectsBTFModifierLoop(t *testing.T) {
	data, err := os.ReadFile("testdata/ringbuf.bpf.o")
	if err != nil {
		t.Fatalf("%v (make builds the test objects)", err)
	}
	if _, loop := btfModifierLoop(elfSection(bytesReader(data), ".BTF")); loop {
		t.Fatal("the unmodified object already has a loop")
	}
	// Every pointer becomes a const of itself (both kinds have no
	// trailer): the members of the ring buffer's map definition are
	// pointers, and libbpf follows them when it parses the map.
	btf := elfSection(bytesReader(data), ".BTF") // aliases data
	types := btf[24+binary.LittleEndian.Uint32(btf[8:]):][:binary.LittleEndian.Uint32(btf[12:])]
	const ptrKind = 2
	for off, id := 0, uint32(1); off < len(types); id++ {
		info := binary.LittleEndian.Uint32(types[off+4:])
		if info>>24&0x1f == ptrKind {
			binary.LittleEndian.PutUint32(types[off+4:], btfKindConst<<24)
			binary.LittleEndian.PutUint32(types[off+8:], id)
		}
		n, _ := btfTrailer(info>>24&0x1f, info&0xffff)
		off += 12 + int(n)
	}
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
