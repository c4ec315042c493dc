package main

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks"
	"github.com/golibbpf/libbpf/internal/btf"
)

// HandlerInfo says which handler a program's section matched.
type HandlerInfo struct {
	// Kind is "custom" (a handler registered by callbacks/), "builtin"
	// (libbpf's own section_defs), "fallback" (the handler for sections
	// nothing else knows) or "none".
	Kind       string `json:"kind"`
	Form       string `json:"form,omitempty"` // the matching form, e.g. "uprobe.go/" or "tracepoint+"
	AutoAttach bool   `json:"auto_attach"`
	Note       string `json:"note,omitempty"`
}

// ProgramInfo is one program in the output of bpfrun inspect.
type ProgramInfo struct {
	Name       string      `json:"name"`
	Section    string      `json:"section"`
	ProgType   string      `json:"prog_type"`
	AttachType string      `json:"attach_type,omitempty"`
	Handler    HandlerInfo `json:"handler"`
	Autoload   bool        `json:"autoload"`
	Autoattach bool        `json:"autoattach"`
	Insns      int         `json:"instructions"`
}

// MapInfo describes a map (bpfrun inspect, and the maps of bpfrun run).
type MapInfo struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	KeySize    int    `json:"key_size"`
	ValueSize  int    `json:"value_size"`
	MaxEntries uint32 `json:"max_entries"`
	KeyType    string `json:"key_type,omitempty"`   // from BTF
	ValueType  string `json:"value_type,omitempty"` // from BTF
	Internal   bool   `json:"internal,omitempty"`   // .rodata/.data/.bss/.kconfig
	PerCPU     bool   `json:"per_cpu,omitempty"`
	// Sizing says which sizes the object leaves to its tool (0) and what
	// bpfrun run gives them.
	Sizing string `json:"sizing,omitempty"`
}

// InspectOutput is the JSON document of bpfrun inspect --output json.
type InspectOutput struct {
	Object   string        `json:"object"`
	Name     string        `json:"name"`
	Libbpf   string        `json:"libbpf"`
	HasBTF   bool          `json:"btf"`
	Programs []ProgramInfo `json:"programs"`
	Maps     []MapInfo     `json:"maps"`
}

func inspectCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", "inspect [--output text|json] OBJECT.bpf.o", stdout)
	output := outputFlag("text")
	fs.Var(&output, "output", "output format: text or json")
	verbose := fs.Bool("v", false, "print libbpf's warnings and info")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagErr(fs, err)
	}
	if len(pos) != 1 {
		return usagef("inspect takes one object file, got %d arguments", len(pos))
	}
	path := pos[0]
	installLogger(stderr, *verbose)
	defer libbpf.SetLogger(nil)

	if err := checkObjectFile(path); err != nil {
		return err
	}
	regs, err := callbacks.RegisterAll()
	if err != nil {
		return fmt.Errorf("register the custom section handlers: %w", err)
	}
	defer func() { callbacks.UnregisterAll(regs) }()

	obj, err := libbpf.OpenObjectFile(path, nil)
	var rejected error
	if err != nil {
		// The fallback handler (callbacks/legacy) fails Open for a section
		// nothing knows; open again without it to show which one.
		var fb *libbpf.Registration
		for _, r := range regs {
			if r.Fallback() {
				fb = r
			}
		}
		if fb == nil {
			return openError(path, err)
		}
		if uerr := fb.Unregister(); uerr != nil {
			return openError(path, err)
		}
		var again error
		obj, again = libbpf.OpenObjectFile(path, nil)
		if again != nil {
			return openError(path, err)
		}
		rejected = err
	}
	defer obj.Close()

	spec, _ := objectBTF(obj)
	out := InspectOutput{Object: path, Name: obj.Name(), Libbpf: libbpf.LibbpfVersion(), HasBTF: spec != nil}
	for _, p := range obj.Programs() {
		info := ProgramInfo{Name: p.Name(), Section: p.SectionName(), ProgType: p.Type().String(),
			AttachType: attachTypeOf(p.Type(), p.ExpectedAttachType()), Handler: handlerOf(p),
			Autoload: p.Autoload(), Autoattach: p.Autoattach(), Insns: p.InstructionCount()}
		if info.Handler.Kind == "none" && rejected != nil {
			// Open stops at the first program the fallback rejects: its
			// error names that program only.
			var ce *libbpf.CallbackError
			if errors.As(rejected, &ce) && ce.Program != p.Name() {
				info.Handler.Note = "rejected: no handler knows this section"
			} else {
				info.Handler.Note = "rejected: " + oneLine(rejected)
			}
		}
		out.Programs = append(out.Programs, info)
	}
	for _, m := range obj.Maps() {
		info := mapInfo(m, spec)
		if _, _, info.Sizing, err = runTimeSizes(m); err != nil {
			return err
		}
		out.Maps = append(out.Maps, info)
	}
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "object %s (name %s), libbpf %s, BTF %s\n\n", path, out.Name, out.Libbpf, map[bool]string{true: "yes", false: "no"}[out.HasBTF])
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PROGRAM\tSECTION\tTYPE\tATTACH TYPE\tHANDLER\tAUTO-ATTACH")
	// A long note (a rejection's error) goes under the table, so that it
	// does not widen the column of every row.
	const maxInlineNote = 40
	var footnotes []string
	for _, p := range out.Programs {
		h := p.Handler.Kind
		if p.Handler.Form != "" {
			h += fmt.Sprintf(" %q", p.Handler.Form)
		}
		switch note := p.Handler.Note; {
		case note == "":
		case len(note) <= maxInlineNote:
			h += " (" + note + ")"
		default:
			footnotes = append(footnotes, fmt.Sprintf("[%d] %s: %s", len(footnotes)+1, p.Name, note))
			h += fmt.Sprintf(" [%d]", len(footnotes))
		}
		auto := yesNo(p.Handler.AutoAttach && p.Autoattach)
		if !p.Autoload {
			auto = "no (autoload off)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Section, p.ProgType, dash(p.AttachType), h, auto)
	}
	tw.Flush()
	if len(footnotes) > 0 {
		fmt.Fprintf(stdout, "\n%s\n", strings.Join(footnotes, "\n"))
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "MAP\tTYPE\tKEY\tVALUE\tMAX ENTRIES")
	for _, m := range out.Maps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", m.Name, m.Type, sized(m.KeyType, m.KeySize), sized(m.ValueType, m.ValueSize), m.MaxEntries)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var sizing []string
	for _, m := range out.Maps {
		if m.Sizing != "" {
			sizing = append(sizing, fmt.Sprintf("map %s: %s", m.Name, m.Sizing))
		}
	}
	if len(sizing) > 0 {
		fmt.Fprintf(stdout, "\n%s\n", strings.Join(sizing, "\n"))
	}
	return nil
}

func sized(typ string, size int) string {
	if typ == "" {
		return fmt.Sprintf("%d bytes", size)
	}
	return fmt.Sprintf("%s (%d)", typ, size)
}

// noTargetNote marks a bare section (SEC("uprobe")) that libbpf accepts
// but cannot auto-attach.
const noTargetNote = "names no target"

// handlerOf classifies the handler that p's section matched at Open.
func handlerOf(p *libbpf.Program) HandlerInfo {
	if r := p.Handler(); r != nil {
		if r.Fallback() {
			return HandlerInfo{Kind: "fallback", AutoAttach: r.Attaches()}
		}
		info := HandlerInfo{Kind: "custom", Form: r.Section(), AutoAttach: r.Attaches()}
		// The handlers of callbacks/ keep libbpf's meaning for the sections
		// that are exactly one of libbpf's forms (SEC("perf_event"),
		// SEC("xdp/devmap"), ...): no auto-attach when libbpf has none.
		if b, ok := builtinFor(p.SectionName()); ok && b.Form == p.SectionName() && !b.AutoAttach {
			info.AutoAttach = false
			info.Note = "libbpf's own meaning: no auto-attach"
		}
		return info
	}
	if _, _, err := libbpf.SectionDefinition(p.SectionName()); err == nil {
		if b, ok := builtinFor(p.SectionName()); ok {
			if b.namesNoTarget(p.SectionName()) {
				return HandlerInfo{Kind: "builtin", Form: b.Form, Note: noTargetNote}
			}
			return HandlerInfo{Kind: "builtin", Form: b.Form, AutoAttach: b.AutoAttach}
		}
		return HandlerInfo{Kind: "builtin", Note: "a libbpf form bpfrun's table lacks"}
	}
	if b, ok := builtinFor(p.SectionName()); ok {
		// A custom handler also matches the section now, but the program
		// left it (its Setup changed the program type).
		return HandlerInfo{Kind: "builtin", Form: b.Form, AutoAttach: b.AutoAttach, Note: "detached from its custom handler"}
	}
	return HandlerInfo{Kind: "none"}
}

func mapInfo(m *libbpf.Map, spec *btf.Spec) MapInfo {
	info := MapInfo{Name: m.Name(), Type: m.Type().String(), KeySize: m.KeySize(), ValueSize: m.ValueSize(),
		MaxEntries: m.MaxEntries(), Internal: m.Internal(), PerCPU: m.PerCPU()}
	if spec != nil {
		if id := m.KeyTypeID(); id != 0 {
			info.KeyType = spec.TypeName(id)
		}
		if id := m.ValueTypeID(); id != 0 {
			info.ValueType = spec.TypeName(id)
		}
	}
	return info
}

// objectBTF parses the object's BTF; nil and an error when it has none.
func objectBTF(obj *libbpf.Object) (*btf.Spec, error) {
	b, err := obj.BTF()
	if err != nil {
		return nil, err
	}
	raw, err := b.RawData()
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, errors.New("no BTF")
	}
	return btf.Parse(raw)
}

// openError describes a failed OpenObjectFile of path. The module's error
// already names the path. libbpf reports an object whose maps need BTF but
// that has none as ENOENT ("no such file or directory"), so an object
// without a .BTF section gets that cause first.
func openError(path string, err error) error {
	if f, ferr := elf.Open(path); ferr == nil {
		noBTF := f.Section(".BTF") == nil
		f.Close()
		if noBTF {
			return fmt.Errorf("%s has no BTF (no .BTF section; compile with clang -g): %w", path, err)
		}
	}
	if strings.HasPrefix(err.Error(), "open "+path+":") {
		return err
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// checkObjectFile gives a clear error for a path that is not a BPF object.
func checkObjectFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: no such file", path)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a directory, not a BPF object file", path)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("%s is not an ELF file (%v): want a BPF object compiled with clang -target bpf", path, err)
	}
	defer ef.Close()
	if ef.Machine != elf.EM_BPF {
		return fmt.Errorf("%s is an ELF file for %s, not a BPF object (machine EM_BPF)", path, ef.Machine)
	}
	return nil
}
