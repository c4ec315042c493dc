package goprobe

import (
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrSymbolNotFound is wrapped by the error returned when a binary has no
// function of the requested name.
var ErrSymbolNotFound = errors.New("symbol not found")

// maxFuncSize bounds the bytes read for one function, so a corrupt symbol
// size cannot make us allocate gigabytes.
const maxFuncSize = 64 << 20

// executable is an open ELF file and its function symbols.
type executable struct {
	path string
	file *os.File
	f    *elf.File
	syms []elf.Symbol // STT_FUNC symbols of .symtab, then .dynsym
	// tables names the symbol tables searched, for error messages.
	tables []string

	pclnDone bool
	pcln     *gosym.Table // nil if the binary has no usable .gopclntab
	pclnErr  error
}

// openBinary opens the ELF file at path and reads its function symbols.
func openBinary(path string) (*executable, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("goprobe: open binary: %w", err)
	}
	f, err := elf.NewFile(file)
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("goprobe: %s: not an ELF binary: %w", path, err)
	}
	b := &executable{path: path, file: file, f: f}
	for _, table := range []struct {
		name string
		read func() ([]elf.Symbol, error)
	}{
		{".symtab", f.Symbols},
		{".dynsym", f.DynamicSymbols},
	} {
		syms, err := table.read()
		if errors.Is(err, elf.ErrNoSymbols) {
			continue
		}
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("goprobe: %s: read %s: %w", path, table.name, err)
		}
		b.tables = append(b.tables, table.name)
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Section != elf.SHN_UNDEF && s.Value != 0 {
				b.syms = append(b.syms, s)
			}
		}
	}
	if f.Section(".gopclntab") != nil {
		b.tables = append(b.tables, ".gopclntab")
	}
	return b, nil
}

func (b *executable) Close() error { return b.file.Close() }

// lookup returns the address and size of the function named symbol, from
// .symtab or .dynsym, else (for stripped Go binaries) .gopclntab.
func (b *executable) lookup(symbol string) (addr, size uint64, err error) {
	found := false
	for _, s := range b.syms {
		if s.Name != symbol {
			continue
		}
		if found && s.Value != addr {
			return 0, 0, fmt.Errorf("symbol %q is ambiguous: functions at %#x and %#x", symbol, addr, s.Value)
		}
		found, addr, size = true, s.Value, s.Size
	}
	if found {
		if size == 0 {
			return 0, 0, fmt.Errorf("symbol %q at %#x has size 0", symbol, addr)
		}
		return addr, size, nil
	}

	fn, err := b.goFunc(symbol)
	if err != nil {
		return 0, 0, err
	}
	if fn != nil {
		return fn.Entry, fn.End - fn.Entry, nil
	}
	if len(b.tables) == 0 {
		return 0, 0, fmt.Errorf("function %q: binary has no symbol table: %w", symbol, ErrSymbolNotFound)
	}
	return 0, 0, fmt.Errorf("function %q (searched %s): %w", symbol, strings.Join(b.tables, ", "), ErrSymbolNotFound)
}

// goFunc looks symbol up in a Go binary's .gopclntab; nil when absent.
func (b *executable) goFunc(symbol string) (*gosym.Func, error) {
	if !b.pclnDone {
		b.pclnDone = true
		b.pcln, b.pclnErr = b.readPclntab()
	}
	if b.pcln == nil || b.pclnErr != nil {
		return nil, b.pclnErr
	}
	fn := b.pcln.LookupFunc(symbol)
	if fn == nil || fn.End <= fn.Entry {
		return nil, nil
	}
	return fn, nil
}

// readPclntab parses .gopclntab, or returns nil if there is none.
// debug/gosym trusts its input, so a corrupt table's panic becomes an error.
func (b *executable) readPclntab() (table *gosym.Table, err error) {
	sec := b.f.Section(".gopclntab")
	if sec == nil {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			table, err = nil, fmt.Errorf("parse .gopclntab: corrupt table: %v", r)
		}
	}()
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab: %w", err)
	}
	var text uint64
	if t := b.f.Section(".text"); t != nil {
		text = t.Addr
	}
	table, err = gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		return nil, fmt.Errorf("parse .gopclntab: %w", err)
	}
	return table, nil
}

// function is one function of an ELF binary, located and read.
type function struct {
	symbol  string
	machine elf.Machine
	addr    uint64 // virtual address of the entry
	size    uint64 // bytes, from the symbol table or pclntab
	offset  uint64 // file offset of the entry
	code    []byte // the function's bytes when read, len(code) == size
}

// function locates symbol and, with readCode, reads its bytes.
func (b *executable) function(symbol string, readCode bool) (*function, error) {
	if symbol == "" {
		return nil, fmt.Errorf("goprobe: %s: empty symbol name", b.path)
	}
	addr, size, err := b.lookup(symbol)
	if err != nil {
		return nil, fmt.Errorf("goprobe: %s: %w", b.path, err)
	}
	sec := textSection(b.f, addr)
	if sec == nil {
		return nil, fmt.Errorf("goprobe: %s: function %q at %#x is not in an executable section", b.path, symbol, addr)
	}
	if sec.Type == elf.SHT_NOBITS {
		return nil, fmt.Errorf("goprobe: %s: section %s of function %q has no file contents", b.path, sec.Name, symbol)
	}
	if size > sec.Addr+sec.Size-addr {
		return nil, fmt.Errorf("goprobe: %s: function %q (%#x, %d bytes) runs past the end of section %s", b.path, symbol, addr, size, sec.Name)
	}
	fn := &function{
		symbol:  symbol,
		machine: b.f.Machine,
		addr:    addr,
		size:    size,
		offset:  addr - sec.Addr + sec.Offset,
	}
	if !readCode {
		return fn, nil
	}
	if size > maxFuncSize {
		return nil, fmt.Errorf("goprobe: %s: function %q is %d bytes, more than the %d this package disassembles", b.path, symbol, size, maxFuncSize)
	}
	fn.code = make([]byte, size)
	if _, err := sec.ReadAt(fn.code, int64(addr-sec.Addr)); err != nil {
		return nil, fmt.Errorf("goprobe: %s: read function %q: %w", b.path, symbol, err)
	}
	return fn, nil
}

// morestack returns the addresses of the Go runtime's stack growth entry
// points (runtime.morestack and friends), empty for a binary that is not Go.
func (b *executable) morestack() map[uint64]bool {
	names := []string{"runtime.morestack", "runtime.morestack_noctxt", "runtime.morestackc"}
	addrs := make(map[uint64]bool)
	for _, s := range b.syms {
		name := strings.TrimSuffix(s.Name, ".abi0")
		for _, n := range names {
			if name == n {
				addrs[s.Value] = true
			}
		}
	}
	if len(addrs) > 0 {
		return addrs
	}
	for _, n := range names {
		if fn, err := b.goFunc(n); err == nil && fn != nil {
			addrs[fn.Entry] = true
		}
	}
	return addrs
}

// textSection returns the executable section holding address a, or nil.
func textSection(f *elf.File, a uint64) *elf.Section {
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || s.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		if a >= s.Addr && a-s.Addr < s.Size {
			return s
		}
	}
	return nil
}

// SymbolOffset returns the file offset of the first instruction of the
// function named symbol in the ELF binary at path: the offset a classic
// uprobe or a uprobe_multi link takes. symbol is spelled as in the binary's
// symbol table (main.work, net/http.(*conn).serve,
// main.Sum[go.shape.int]); binaries stripped of .symtab are searched
// through Go's .gopclntab.
//
// A probe there fires twice for a Go call that grows its stack: once
// before and once after runtime.morestack. EntryOffset avoids that.
//
// The error wraps os.ErrNotExist when the file is missing and
// ErrSymbolNotFound when the symbol is.
func SymbolOffset(path, symbol string) (uint64, error) {
	b, fn, err := openFunction(path, symbol, false)
	if err != nil {
		return 0, err
	}
	b.Close()
	return fn.offset, nil
}

// openFunction opens the binary at path and locates symbol in it, reading
// its bytes with readCode. The caller closes the binary.
func openFunction(path, symbol string, readCode bool) (*executable, *function, error) {
	b, err := openBinary(path)
	if err != nil {
		return nil, nil, err
	}
	fn, err := b.function(symbol, readCode)
	if err != nil {
		b.Close()
		return nil, nil, err
	}
	return b, fn, nil
}
