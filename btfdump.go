package libbpf

import (
	"fmt"
	"io"
)

// BTFDump writes BTF types as C (struct btf_dump): type definitions with
// everything they depend on, single declarations, and typed data. Output
// collects in C memory and reaches the io.Writer once per call, not once
// per line.
type BTFDump struct {
	btf *BTF
	c   *cBTFDump
	buf *cDumpBuf
	w   io.Writer
}

// NewBTFDump returns a dumper of btf's types that writes to w
// (btf_dump__new). btf must stay open while the dumper is used.
func NewBTFDump(btf *BTF, w io.Writer) (*BTFDump, error) {
	if w == nil {
		return nil, fmt.Errorf("new BTF dump: nil writer: %w", errInvalidArgument)
	}
	c, err := btf.ptr()
	if err != nil {
		return nil, fmt.Errorf("new BTF dump: %w", err)
	}
	buf := newDumpBuf()
	d, err := btfDumpNew(c, buf)
	if err != nil {
		freeDumpBuf(buf)
		return nil, btf.errorf(err, "new BTF dump")
	}
	return &BTFDump{btf: btf, c: d, buf: buf, w: w}, nil
}

// Close frees the dumper (btf_dump__free); it is idempotent.
func (d *BTFDump) Close() error {
	if d == nil || d.c == nil {
		return nil
	}
	btfDumpFree(d.c)
	freeDumpBuf(d.buf)
	d.c, d.buf = nil, nil
	return nil
}

// run calls fn with the libbpf dumper and writes what it printed.
func (d *BTFDump) run(what func() string, fn func(*cBTFDump) error) error {
	if d == nil || d.c == nil {
		return fmt.Errorf("BTF dump: %w", ErrClosed)
	}
	if _, err := d.btf.ptr(); err != nil {
		return fmt.Errorf("BTF dump: %s: %w", what(), err)
	}
	err := fn(d.c)
	if ferr := d.flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return d.btf.errorf(err, "dump %s", what())
	}
	return nil
}

// flush writes what the dumper printed since the last flush.
func (d *BTFDump) flush() error {
	out, err := takeDumpBuf(d.buf)
	if err == nil && len(out) > 0 {
		_, err = d.w.Write(out)
	}
	return err
}

// DumpType writes the C definition of type id, preceded by those of the
// types it needs that this dumper has not written yet
// (btf_dump__dump_type). Calling it for every id in order writes a
// complete header.
func (d *BTFDump) DumpType(id uint32) error {
	return d.run(func() string { return fmt.Sprintf("type %d", id) },
		func(c *cBTFDump) error { return btfDumpType(c, id) })
}

// EmitTypeDeclOptions shapes a single declaration.
type EmitTypeDeclOptions struct {
	FieldName   string // the declared name: "struct s <FieldName>", "void (*<FieldName>)(int)"
	IndentLevel int    // extra tabs for the second and later lines
	StripMods   bool   // drop const, volatile and restrict
}

// EmitTypeDecl writes a declaration of type id, without the definitions of
// the types it uses and without a trailing semicolon
// (btf_dump__emit_type_decl).
func (d *BTFDump) EmitTypeDecl(id uint32, opts EmitTypeDeclOptions) error {
	return d.run(func() string { return fmt.Sprintf("declaration of type %d", id) },
		func(c *cBTFDump) error { return btfDumpEmitTypeDecl(c, id, &opts) })
}

// DumpTypeDataOptions shapes the output of DumpTypeData.
type DumpTypeDataOptions struct {
	IndentString string // default a tab
	IndentLevel  int
	Compact      bool // no newlines or indentation
	SkipNames    bool // no member or type names
	EmitZeroes   bool // show members whose value is 0
	EmitStrings  bool // show char arrays as strings
}

// DumpTypeData writes data, a value of type id, as a C initializer such as
// "(struct pair){.a = (int)1,.b = (int)2,}" (btf_dump__dump_type_data). It
// returns the number of bytes of data the type spans; data shorter than the
// type fails with unix.E2BIG.
func (d *BTFDump) DumpTypeData(id uint32, data []byte, opts DumpTypeDataOptions) (int, error) {
	var n int
	err := d.run(func() string { return fmt.Sprintf("data of type %d", id) }, func(c *cBTFDump) (err error) {
		n, err = btfDumpTypeData(c, id, data, &opts)
		return err
	})
	return n, err
}

// The frame of the header DumpCHeader writes, as `bpftool btf dump file ...
// format c` writes it: CO-RE relocations for every struct and union unless
// BPF_NO_PRESERVE_ACCESS_INDEX is defined.
const (
	cHeaderStart = `#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

`
	cHeaderEnd = `#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
`
)

// dumpFlushSize is how much output DumpCHeader gathers in C memory before
// it writes it out.
const dumpFlushSize = 1 << 20

// DumpCHeader writes every type of b as one C header, what `bpftool btf
// dump file <file> format c` writes: from the kernel's BTF, a vmlinux.h that
// CO-RE BPF programs include. Of split BTF it writes the types the split
// adds, using the base's by name.
func (b *BTF) DumpCHeader(w io.Writer) error {
	if _, err := io.WriteString(w, cHeaderStart); err != nil {
		return b.errorf(err, "write C header")
	}
	d, err := NewBTFDump(b, w)
	if err != nil {
		return err
	}
	defer d.Close()
	first := uint32(1)
	if b.base != nil { // split BTF: its own types, as bpftool does
		first = b.base.TypeCnt()
	}
	for id := first; id < b.TypeCnt(); id++ {
		if err := btfDumpType(d.c, id); err != nil {
			return b.errorf(err, "dump type %d", id)
		}
		if dumpBufLen(d.buf) >= dumpFlushSize {
			if err := d.flush(); err != nil {
				return b.errorf(err, "write C header")
			}
		}
	}
	if err := d.flush(); err != nil {
		return b.errorf(err, "write C header")
	}
	if _, err := io.WriteString(w, cHeaderEnd); err != nil {
		return b.errorf(err, "write C header")
	}
	return nil
}
