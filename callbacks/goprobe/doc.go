// Package goprobe teaches libbpf two SEC() forms for function probes that
// are safe on Go binaries:
//
//	SEC("uprobe.go/<absolute path>:<symbol>")     entry of a function
//	SEC("uretprobe.go/<absolute path>:<symbol>")  every return of a function
//
// Register them once, then open, load and auto-attach as usual:
//
//	regs, err := goprobe.Register()
//	...
//	obj, err := libbpf.OpenObjectFile("probes.bpf.o", nil)
//	... obj.Load(); obj.Attach() // one uprobe_multi link per program
//
// # Sections
//
// The symbol is spelled as the binary's symbol table spells it (go tool nm
// lists them), so every kind of Go function can be named:
//
//	SEC("uprobe.go//usr/local/bin/app:main.work")                     a function
//	SEC("uretprobe.go//usr/local/bin/app:main.work")                  its returns
//	SEC("uprobe.go//usr/local/bin/web:net/http.(*conn).serve")        a pointer method
//	SEC("uretprobe.go//usr/local/bin/app:main.Sum[go.shape.int]")     a generic instantiation
//	SEC("uprobe.go//usr/local/bin/app:main.main.func1")               a closure
//	SEC("uprobe.go//usr/lib/x86_64-linux-gnu/libc.so.6:malloc")        non-Go code works too
//
// The path must be absolute. Path and symbol are separated by the last ':'
// that is outside square brackets and double-quoted strings: Go function
// symbols contain '.', '(', '*', '/', '[' and ']' but a ':' only inside a
// generic's type arguments (a struct field tag, as in
// main.F[go.shape.struct { X int "json:\"x\"" }]), so such a symbol keeps its
// ':' and the path may contain ':' of its own ("/opt/c:d/app:main.work" is
// path /opt/c:d/app, symbol main.work).
//
// Malformed sections fail Open with an error that names the section and the
// offending part and wraps ErrInvalidSection: a bare "uprobe.go", a missing
// ':' or symbol, a relative path, a path naming a directory. Open also fails
// when the binary does not exist (the error names the path and wraps
// os.ErrNotExist). The symbol is resolved at Attach; a missing one fails
// Attach with an error naming the symbol and the binary and wrapping
// ErrSymbolNotFound. Binaries stripped of .symtab are searched through Go's
// .gopclntab.
//
// # Return probes without uretprobes
//
// A kernel uretprobe replaces the probed function's return address on the
// stack with the address of a trampoline page. Go copies a goroutine's stack
// to a larger one when it runs out, walking every frame's return address to
// do so; it finds the trampoline's, which belongs to no Go function, and the
// program dies ("runtime: unexpected return pc for main.work called from
// 0x7fffffffe000"). The package tests show both the crash and its cure.
//
// uretprobe.go never uses a uretprobe. It disassembles the function (its
// bytes bounded by the symbol's size; x86-64 and 386 with x/arch's x86
// decoder, arm64 with its arm64 decoder; other architectures fail Attach
// with ErrUnsupportedArch), finds every return instruction, and attaches
// the program at all of them as one uprobe_multi link (ReturnOffsets). The
// program runs just before each return executes, with the function's
// results in their registers: under Go's register ABI (ABIInternal) the
// first integer result is in RAX on amd64 (PT_REGS_RC), X0 on arm64. A
// function that leaves only through a tail jump has no return instruction
// and fails Attach with ErrNoReturn.
//
// # Entry probes
//
// uprobe.go attaches through a uprobe_multi link too, so that both forms
// are the same kind of program (BPF_PROG_TYPE_KPROBE with expected attach
// type BPF_TRACE_UPROBE_MULTI, set by the handlers) and a program can move
// between them by changing its section, with bpf_get_func_ip and
// bpf_get_attach_cookie available in both, and without a perf event fd per
// probe. A Go function starts with a stack bound check whose slow path calls
// runtime.morestack and restarts the function from its first instruction;
// a probe there would fire twice for such a call. uprobe.go attaches past
// the check instead (EntryOffset), where it fires once per call with the
// arguments still in their registers (RAX, RBX, RCX, RDI, RSI, R8, R9, R10,
// R11 on amd64; R0-R15 on arm64) and the stack pointer as at entry. In
// both forms bpf_get_func_ip returns the address the probe sits at (past
// the check, or the return instruction), inside the probed function.
//
// Where the kernel lacks uprobe_multi links (before Linux 6.6; probed once
// with libbpf.ProbeUprobeMulti and logged once), each program loads without
// that expected attach type and attaches one classic uprobe per site, joined
// into one Link: still an entry probe at each return instruction, never a
// uretprobe. bpf_get_attach_cookie then reads 0, and bpf_get_func_ip gives
// what the kernel gives classic uprobes.
//
// # Scope and limits
//
// Probes fire in every process that runs the binary. A call that the Go
// compiler inlined has no call and fires no probe: mark functions you
// probe //go:noinline, or build with -gcflags=-l. An x86 instruction the
// decoder does not know fails Attach rather than risk a wrong instruction
// boundary.
//
// The helpers ReturnOffsets, EntryOffset and SymbolOffset work on any ELF
// binary and need no privileges; they give the file offsets that
// libbpf.Program.AttachUprobeMulti and AttachUprobe take.
package goprobe
