package libbpf

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf/internal/btf"
)

// libbpf 1.7.0 follows chains of const, volatile, restrict, typedef and
// type_tag BTF types without a bound (skip_mods_and_typedefs), so an object
// whose BTF links such types into a cycle makes Open spin forever (found by
// FuzzOpenObjectBytes). The kernel would reject such BTF, but libbpf walks
// it first. The guard below finds such a cycle before libbpf sees the
// object (libbpf/WORKAROUNDS.md).

// checkBTFLoopsFile runs checkBTFLoops on the file at path; a file it cannot
// open or that is not a regular file is left to libbpf.
func checkBTFLoopsFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return checkBTFLoops(f, st.Size())
}

// checkBTFLoopsBytes runs checkBTFLoops on an object in memory.
func checkBTFLoopsBytes(data []byte) error {
	return checkBTFLoops(bytes.NewReader(data), int64(len(data)))
}

// checkBTFLoops fails with EINVAL when the ELF object in r (size bytes) has
// a .BTF section with a modifier or typedef cycle. What is not ELF is left
// to libbpf. An ELF object debug/elf cannot read is refused: libbpf's libelf
// may read what debug/elf refuses (program headers, e_version, compression
// headers are no concern of libbpf's), and the guard cannot vouch for its
// BTF. The .BTF bytes are read raw, as libbpf reads them.
func checkBTFLoops(r io.ReaderAt, size int64) error {
	f, err := elf.NewFile(r)
	if err != nil {
		magic := make([]byte, len(elf.ELFMAG))
		if n, _ := r.ReadAt(magic, 0); n == len(magic) && string(magic) == elf.ELFMAG {
			return fmt.Errorf("malformed ELF object: %v: %w", err, unix.EINVAL)
		}
		return nil
	}
	for _, sec := range f.Sections {
		if sec.Name != ".BTF" || sec.Offset > uint64(size) || sec.FileSize > uint64(size)-sec.Offset {
			continue
		}
		raw := make([]byte, sec.FileSize)
		if _, err := r.ReadAt(raw, int64(sec.Offset)); err != nil && err != io.EOF {
			continue
		}
		if id, found := btf.ModifierCycle(raw); found {
			return fmt.Errorf("BTF type %d: its const/volatile/restrict/typedef/type_tag chain loops back on itself: %w", id, unix.EINVAL)
		}
	}
	return nil
}
