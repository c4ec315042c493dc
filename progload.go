package libbpf

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// Insn is one BPF instruction (struct bpf_insn). A 64-bit immediate load
// takes two: the second holds the upper half of the value in Imm.
type Insn struct {
	Code uint8 // opcode: class, source and operation bits
	Dst  uint8 // destination register, 0 to 10
	Src  uint8 // source register, or a pseudo source for ldimm64 and calls
	Off  int16
	Imm  int32
}

// Insns returns a copy of the program's instructions as libbpf holds them
// (bpf_program__insns): before Load as compiled; after it relocated, with
// subprograms appended and map fds in place. InstructionCount is their
// number (bpf_program__insn_cnt).
func (p *Program) Insns() []Insn {
	c, err := p.ptr()
	if err != nil {
		return nil
	}
	raw := progInsnsRaw(c)
	insns := make([]Insn, len(raw)/insnSize)
	for i := range insns {
		b := raw[i*insnSize:]
		insns[i] = Insn{Code: b[0], Dst: b[1] & 0xf, Src: b[1] >> 4,
			Off: int16(binary.NativeEndian.Uint16(b[2:])), Imm: int32(binary.NativeEndian.Uint32(b[4:]))}
	}
	return insns
}

// SetInsns replaces the program's instructions (bpf_program__set_insns);
// libbpf copies them. Call it from a PrepareLoad callback, as libbpf
// advises: before that, Load still relocates the original instructions by
// their index. After Load it fails with unix.EBUSY.
func (p *Program) SetInsns(insns []Insn) error {
	raw := make([]byte, len(insns)*insnSize)
	for i, in := range insns {
		b := raw[i*insnSize:]
		b[0], b[1] = in.Code, in.Dst&0xf|in.Src<<4
		binary.NativeEndian.PutUint16(b[2:], uint16(in.Off))
		binary.NativeEndian.PutUint32(b[4:], uint32(in.Imm))
	}
	return p.set(func(c *cProgram) error { return progSetInsnsRaw(c, raw) },
		func() string { return fmt.Sprintf("set %d instructions", len(insns)) })
}

// SetLogBuf gives the program's load a verifier log buffer of size bytes
// (bpf_program__set_log_buf); 0 removes it. With a buffer, the kernel logs
// at the program's LogLevel (1 when it is 0) even when the load succeeds,
// and LogBuf returns the log. The buffer is C memory, since libbpf keeps it
// until Load; the object frees it when it closes.
func (p *Program) SetLogBuf(size int) error {
	return p.set(func(c *cProgram) error {
		if size < 0 {
			return errInvalidArgument
		}
		var buf unsafe.Pointer
		if size > 0 {
			buf = cCalloc(size)
		}
		if err := progSetLogBuf(c, buf, size); err != nil {
			free(buf)
			return err
		}
		p.freeLogBuf()
		p.logBuf = buf
		return nil
	}, func() string { return fmt.Sprintf("set a log buffer of %d bytes", size) })
}

// LogBuf returns the verifier log of the program's load in the buffer
// SetLogBuf gave it (bpf_program__log_buf), "" without one.
func (p *Program) LogBuf() string {
	c, err := p.ptr()
	if err != nil {
		return ""
	}
	return progLogBuf(c)
}

func (p *Program) freeLogBuf() {
	free(p.logBuf)
	p.logBuf = nil
}

// FuncInfo relates the first instruction of a function (the program or a
// subprogram) to its BTF func type, in the object's BTF.
type FuncInfo struct {
	InsnOff uint32 // in instructions
	TypeID  uint32
}

// LineInfo relates an instruction to a source line; the offsets index the
// object's BTF strings (BTF.NameByOffset).
type LineInfo struct {
	InsnOff     uint32
	FileNameOff uint32
	LineOff     uint32 // the source line's text
	LineCol     uint32 // line << 10 | column
}

// Line returns the source line number.
func (l LineInfo) Line() uint32 { return l.LineCol >> 10 }

// Column returns the source column.
func (l LineInfo) Column() uint32 { return l.LineCol & 0x3ff }

// FuncInfo returns the program's function records
// (bpf_program__func_info, bpf_program__func_info_cnt), set once libbpf
// relocated it in Load; nil for an object without BTF.ext.
func (p *Program) FuncInfo() ([]FuncInfo, error) {
	c, err := p.ptr()
	if err == nil {
		var fi []FuncInfo
		if fi, err = progFuncInfo(c); err == nil {
			return fi, nil
		}
	}
	return nil, p.errorf(err, "func info")
}

// LineInfo returns the program's line records (bpf_program__line_info,
// bpf_program__line_info_cnt), set once libbpf relocated it in Load.
func (p *Program) LineInfo() ([]LineInfo, error) {
	c, err := p.ptr()
	if err == nil {
		var li []LineInfo
		if li, err = progLineInfo(c); err == nil {
			return li, nil
		}
	}
	return nil, p.errorf(err, "line info")
}

// Pin pins the loaded program at path in a BPF file system
// (bpf_program__pin), where it outlives the process until Unpin.
func (p *Program) Pin(path string) error {
	return p.loaded("pin at "+path, func(c *cProgram, _ int) error { return progPin(c, path) })
}

// Unpin removes the pin at path (bpf_program__unpin).
func (p *Program) Unpin(path string) error {
	return p.loaded("unpin "+path, func(c *cProgram, _ int) error { return progUnpin(c, path) })
}

// BindMap binds m to the loaded program (bpf_prog_bind_map): m lives as
// long as the program, although no instruction refers to it, as metadata
// maps must. Binding it again does nothing.
func (p *Program) BindMap(m *Map) error {
	return p.loaded("bind map "+m.Name(), func(_ *cProgram, fd int) error {
		if m == nil {
			return errNilMap
		}
		mfd := m.FD()
		if mfd < 0 {
			return fmt.Errorf("map %s: %w", m.name, ErrNotLoaded)
		}
		return progBindMap(fd, mfd)
	})
}

// The BPF streams of a program (enum bpf_stream_id), which the
// bpf_stream_vprintk kfunc and the kernel's own reports write to.
const (
	StreamStdout uint32 = 1 // BPF_STDOUT
	StreamStderr uint32 = 2 // BPF_STDERR
)

// ProgStreamRead moves up to len(buf) bytes of the text the program progFD
// wrote to its stream streamID (StreamStdout, StreamStderr) into buf and
// returns how many; what is read is gone from the stream
// (bpf_prog_stream_read, Linux 6.17).
func ProgStreamRead(progFD int, streamID uint32, buf []byte) (int, error) {
	n, err := progStreamRead(progFD, streamID, buf)
	if err != nil {
		return 0, fmt.Errorf("read stream %d of program fd %d: %w", streamID, progFD, err)
	}
	return n, nil
}

// loaded runs fn on the loaded program and its fd, and wraps its error.
func (p *Program) loaded(what string, fn func(c *cProgram, fd int) error) error {
	fd, err := p.loadedFD()
	if err == nil {
		err = fn(p.c, fd)
	}
	if err != nil {
		return p.errorf(err, "%s", what)
	}
	return nil
}
