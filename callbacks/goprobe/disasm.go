package goprobe

import (
	"debug/elf"
	"errors"
	"fmt"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"
)

// ErrNoReturn is wrapped by the error ReturnOffsets returns for a function
// without a return instruction: one that never returns, or that leaves
// only through a tail call.
var ErrNoReturn = errors.New("function has no return instruction")

// ErrUnsupportedArch is wrapped by the error returned for a binary of an
// architecture this package cannot disassemble.
var ErrUnsupportedArch = errors.New("unsupported architecture")

// ReturnOffsets returns the file offsets of every return instruction of the
// function named symbol in the ELF binary at path, in ascending order. A
// uprobe at each of them fires as the function returns, with the results
// in their registers, and without the return address rewriting of a kernel
// uretprobe, which Go's stack copying cannot survive.
//
// The function's bytes, bounded by its symbol size, are decoded linearly:
// Go's amd64 and arm64 compilers put no data inside a function, and the
// padding between functions lies outside the symbol. x86-64 and 386 (near
// RET, with or without an immediate or a prefix) and arm64 (RET) binaries
// are supported; others fail with ErrUnsupportedArch, and an x86
// instruction the decoder does not know fails rather than risk reporting
// a wrong boundary. A tail jump out of the function is not a return and is
// not reported.
//
// The error wraps os.ErrNotExist when the file is missing,
// ErrSymbolNotFound when the symbol is, and ErrNoReturn when the function
// has no return instruction.
func ReturnOffsets(path, symbol string) ([]uint64, error) {
	b, fn, err := openFunction(path, symbol, true)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rel, err := returnSites(fn.machine, fn.code)
	if err != nil {
		return nil, fmt.Errorf("goprobe: %s: disassemble %q: %w", path, symbol, err)
	}
	if len(rel) == 0 {
		return nil, fmt.Errorf("goprobe: %s: %q (%d bytes at %#x): %w", path, symbol, fn.size, fn.addr, ErrNoReturn)
	}
	offs := make([]uint64, len(rel))
	for i, r := range rel {
		offs[i] = fn.offset + uint64(r)
	}
	return offs, nil
}

// EntryOffset returns the file offset where an entry probe on the function
// named symbol in the ELF binary at path fires exactly once per call.
//
// A Go function starts with a stack bound check that, when the goroutine's
// stack is too small, calls runtime.morestack, which copies the stack and
// restarts the function from its first instruction: a probe there fires
// twice for such a call. EntryOffset returns the offset of the first
// instruction after that check (the argument registers and the stack
// pointer are still as the caller left them; only flags and the check's
// scratch register differ). For a function without the check (a leaf
// marked nosplit, or any non-Go code) it returns SymbolOffset.
//
// The error wraps os.ErrNotExist when the file is missing and
// ErrSymbolNotFound when the symbol is.
func EntryOffset(path, symbol string) (uint64, error) {
	b, fn, err := openFunction(path, symbol, true)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	morestack := b.morestack()
	if len(morestack) == 0 {
		return fn.offset, nil
	}
	end, err := prologueEnd(fn.machine, fn.code, fn.addr, morestack)
	if err != nil {
		return 0, fmt.Errorf("goprobe: %s: disassemble %q: %w", path, symbol, err)
	}
	return fn.offset + uint64(end), nil
}

// insnKind classifies an instruction by its effect on control flow.
type insnKind int

const (
	insnOther insnKind = iota
	insnReturn
	insnCall
	insnJump     // unconditional
	insnCondJump // conditional
)

// insn is one decoded instruction; target, when hasTarget, is its branch
// target relative to the start of the function.
type insn struct {
	length    int
	kind      insnKind
	target    int64
	hasTarget bool
}

// decoder decodes the instruction at code[pc:].
type decoder func(code []byte, pc int) (insn, error)

func decoderFor(machine elf.Machine) (decoder, error) {
	switch machine {
	case elf.EM_X86_64:
		return func(code []byte, pc int) (insn, error) { return decodeX86(code, pc, 64) }, nil
	case elf.EM_386:
		return func(code []byte, pc int) (insn, error) { return decodeX86(code, pc, 32) }, nil
	case elf.EM_AARCH64:
		return decodeARM64, nil
	default:
		return nil, fmt.Errorf("%v binaries (x86-64, 386 and arm64 are supported): %w", machine, ErrUnsupportedArch)
	}
}

func decodeX86(code []byte, pc, mode int) (insn, error) {
	inst, err := x86asm.Decode(code[pc:], mode)
	if err == nil && (inst.Op == 0 || inst.Len == 0) {
		// x86asm reports a truncated instruction, or a prefix followed by
		// nothing it knows, as a bare one-byte prefix "instruction".
		err = x86asm.ErrTruncated
	}
	if err != nil {
		return insn{}, fmt.Errorf("undecodable instruction at +%#x (% x): %w", pc, code[pc:min(pc+8, len(code))], err)
	}
	in := insn{length: inst.Len}
	switch inst.Op {
	case x86asm.RET:
		in.kind = insnReturn
	case x86asm.CALL, x86asm.LCALL:
		in.kind = insnCall
	case x86asm.JMP, x86asm.LJMP:
		in.kind = insnJump
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JCXZ, x86asm.JE, x86asm.JECXZ,
		x86asm.JG, x86asm.JGE, x86asm.JL, x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP,
		x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JRCXZ, x86asm.JS,
		x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE:
		in.kind = insnCondJump
	}
	if rel, ok := inst.Args[0].(x86asm.Rel); ok {
		in.target, in.hasTarget = int64(pc+inst.Len)+int64(rel), true
	}
	return in, nil
}

// decodeARM64 never fails: every instruction is 4 bytes, so a word the
// decoder rejects (a literal pool entry) is skipped as insnOther.
func decodeARM64(code []byte, pc int) (insn, error) {
	in := insn{length: 4}
	if pc+4 > len(code) {
		in.length = len(code) - pc
		return in, nil
	}
	inst, err := arm64asm.Decode(code[pc : pc+4])
	if err != nil {
		return in, nil
	}
	switch inst.Op {
	case arm64asm.RET:
		in.kind = insnReturn
	case arm64asm.BL, arm64asm.BLR:
		in.kind = insnCall
	case arm64asm.BR:
		in.kind = insnJump
	case arm64asm.B:
		in.kind = insnJump
		if _, ok := inst.Args[0].(arm64asm.Cond); ok {
			in.kind = insnCondJump
		}
	case arm64asm.CBZ, arm64asm.CBNZ, arm64asm.TBZ, arm64asm.TBNZ:
		in.kind = insnCondJump
	}
	for _, a := range inst.Args {
		if rel, ok := a.(arm64asm.PCRel); ok {
			in.target, in.hasTarget = int64(pc)+int64(rel), true
			break
		}
	}
	return in, nil
}

// returnSites returns the offsets, relative to the start of code, of every
// return instruction in code, the machine code of one function.
func returnSites(machine elf.Machine, code []byte) ([]int, error) {
	decode, err := decoderFor(machine)
	if err != nil {
		return nil, err
	}
	var sites []int
	for pc := 0; pc < len(code); {
		in, err := decode(code, pc)
		if err != nil {
			return nil, err
		}
		if in.kind == insnReturn {
			sites = append(sites, pc)
		}
		pc += in.length
	}
	return sites, nil
}

// prologueLen bounds the instructions of a Go stack bound check: amd64's
// longest is MOVQ SP, R12; SUBQ $n, R12; JCS; CMPQ R12, 16(R14); JLS.
const prologueLen = 8

// prologueEnd returns the offset of the first instruction after a Go stack
// bound check at the start of code, or 0 if there is none. The check is a
// run of plain instructions and conditional branches at least one of which
// goes to a block that calls one of the morestack addresses; the body
// starts after the last such branch. It fails only for an architecture it
// cannot decode.
func prologueEnd(machine elf.Machine, code []byte, addr uint64, morestack map[uint64]bool) (int, error) {
	decode, err := decoderFor(machine)
	if err != nil {
		return 0, err
	}
	end := 0
	for pc, n := 0, 0; n < prologueLen && pc < len(code); n++ {
		in, err := decode(code, pc)
		if err != nil {
			break // not a Go stack check: the compiler emits none the decoder lacks
		}
		pc += in.length
		if in.kind == insnOther {
			continue
		}
		if in.kind != insnCondJump {
			break
		}
		if in.hasTarget && callsMorestack(decode, code, in.target, addr, morestack) {
			end = pc
		}
	}
	return end, nil
}

// callsMorestack reports whether the straight-line code at start reaches a
// call of a morestack address before any other call, jump or return.
func callsMorestack(decode decoder, code []byte, start int64, addr uint64, morestack map[uint64]bool) bool {
	if start <= 0 || start >= int64(len(code)) {
		return false
	}
	for pc, n := int(start), 0; n < 64 && pc < len(code); n++ {
		in, err := decode(code, pc)
		if err != nil {
			return false
		}
		switch in.kind {
		case insnCall:
			return in.hasTarget && morestack[uint64(int64(addr)+in.target)]
		case insnReturn, insnJump:
			return false
		}
		pc += in.length
	}
	return false
}
