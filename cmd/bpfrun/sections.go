package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks"
)

// SectionInfo is one SEC() form in the output of bpfrun sections.
type SectionInfo struct {
	Form       string `json:"form"`   // "abc", "abc/" or "abc+"; "*" for the fallback
	Source     string `json:"source"` // "custom", "fallback" or "libbpf"
	ProgType   string `json:"prog_type"`
	AttachType string `json:"attach_type,omitempty"`
	AutoAttach bool   `json:"auto_attach"`
	Sleepable  bool   `json:"sleepable,omitempty"`
	// OverriddenBy names the custom form that takes this built-in form's
	// sections (custom handlers are matched first).
	OverriddenBy string `json:"overridden_by,omitempty"`
}

func sectionsCommand(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("sections", "sections [--output text|json]", stdout)
	output := outputFlag("text")
	fs.Var(&output, "output", "output format: text or json")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagErr(fs, err)
	}
	if len(pos) > 0 {
		return usagef("sections takes no arguments, got %q", pos)
	}
	regs, err := callbacks.RegisterAll()
	if err != nil {
		return fmt.Errorf("register the custom section handlers: %w", err)
	}
	defer callbacks.UnregisterAll(regs)

	infos := knownSections(libbpf.Registrations())
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(infos)
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tSOURCE\tPROGRAM TYPE\tATTACH TYPE\tAUTO-ATTACH\tNOTES")
	for _, s := range infos {
		notes := ""
		if s.Sleepable {
			notes = "sleepable"
		}
		if s.OverriddenBy != "" {
			if notes != "" {
				notes += ", "
			}
			notes += fmt.Sprintf("overridden by custom %q", s.OverriddenBy)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Form, s.Source, s.ProgType, dash(s.AttachType), yesNo(s.AutoAttach), notes)
	}
	return tw.Flush()
}

// knownSections lists the custom forms (in matching order), then libbpf's
// own, then the fallback: the order libbpf tries them in.
func knownSections(regs []*libbpf.Registration) []SectionInfo {
	var out []SectionInfo
	var fallback *libbpf.Registration
	for _, r := range regs {
		if r.Fallback() {
			fallback = r
			continue
		}
		out = append(out, SectionInfo{Form: r.Section(), Source: "custom", ProgType: r.ProgType().String(),
			AttachType: attachTypeOf(r.ProgType(), r.AttachType()), AutoAttach: r.Attaches()})
	}
	for _, b := range builtinSections {
		info := SectionInfo{Form: b.Form, Source: "libbpf", ProgType: b.ProgType.String(), AutoAttach: b.AutoAttach,
			Sleepable: b.Sleepable}
		if b.HasAttach {
			info.AttachType = b.AttachType.String()
		}
	overridden:
		for _, ex := range b.examples() {
			for _, r := range regs {
				if !r.Fallback() && sectionMatches(r.Section(), ex) {
					info.OverriddenBy = r.Section()
					break overridden
				}
			}
		}
		out = append(out, info)
	}
	if fallback != nil {
		out = append(out, SectionInfo{Form: "*", Source: "fallback", ProgType: fallback.ProgType().String(),
			AttachType: attachTypeOf(fallback.ProgType(), fallback.AttachType()), AutoAttach: fallback.Attaches()})
	}
	return out
}

// attachTypeOf names a handler's attach type, or "" for the 0 that most
// program types leave unset (0 is also BPF_CGROUP_INET_INGRESS, which only
// cgroup_skb programs use).
func attachTypeOf(pt libbpf.ProgType, at libbpf.AttachType) string {
	if at == 0 && pt != libbpf.ProgTypeCgroupSKB {
		return ""
	}
	return at.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
