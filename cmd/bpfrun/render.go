package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/btf"
)

// render writes the snapshot as the text view.
func render(w io.Writer, s Snapshot) {
	status := "running"
	if s.Final {
		status = "final"
	}
	stats := ""
	if !s.StatsEnabled {
		stats = " (kernel BPF stats unavailable: runs not counted)"
	}
	fmt.Fprintf(w, "bpfrun %s · %s · %.1fs · libbpf %s%s\n\n", s.Object, status, s.ElapsedSeconds, s.Libbpf, stats)

	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PROGRAM\tSECTION\tTYPE\tSTATE\tRUNS\tAVG TIME")
	for _, p := range s.Programs {
		avg := "-"
		if p.RunCount > 0 {
			avg = time.Duration(p.AvgRunTimeNs).String()
		}
		state := p.State
		if p.Error != "" {
			state += " (" + p.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, shorten(p.Section, 56), p.ProgType, state,
			thousands(p.RunCount), avg)
	}
	tw.Flush()

	hidden := 0
	for _, m := range s.Maps {
		if m.Internal {
			continue // shown under globals
		}
		if strings.HasPrefix(m.Name, "__bpf_usdt") {
			hidden++ // libbpf's own USDT bookkeeping (in the JSON output)
			continue
		}
		if m.KeySize == 0 && m.ValueSize == 0 && m.KeyType == "" && m.ValueType == "" {
			// Keyless maps (ring buffers, user ring buffers): max_entries
			// is their size in bytes.
			fmt.Fprintf(w, "\nmap %s: %s, %s bytes", m.Name, m.Type, thousands(uint64(m.MaxEntries)))
		} else {
			fmt.Fprintf(w, "\nmap %s: %s, %s -> %s, max %d", m.Name, m.Type, typeOr(m.KeyType, m.KeySize),
				typeOr(m.ValueType, m.ValueSize), m.MaxEntries)
		}
		if m.Sizing != "" {
			fmt.Fprintf(w, " [%s]", m.Sizing)
		}
		switch {
		case m.Note != "":
			fmt.Fprintf(w, " (%s)\n", m.Note)
			continue
		case m.Error != "":
			fmt.Fprintf(w, "\n  error: %s\n", m.Error)
			continue
		}
		fmt.Fprintf(w, ", %d %s\n", m.Count, plural(m.Count, "element", "elements"))
		for _, e := range m.Entries {
			fmt.Fprintf(w, "  %s: %s", btf.Format(e.Key), btf.Format(e.Value))
			if len(e.PerCPU) > 0 {
				parts := make([]string, len(e.PerCPU))
				for i, v := range e.PerCPU {
					parts[i] = fmt.Sprintf("cpu%d=%s", i, btf.Format(v))
				}
				fmt.Fprintf(w, "  [%s]", strings.Join(parts, " "))
			}
			fmt.Fprintln(w)
		}
		if m.Truncated {
			fmt.Fprintf(w, "  ... (more not shown)\n")
		}
	}
	if hidden > 0 {
		fmt.Fprintf(w, "\n(%d of libbpf's USDT support maps not shown)\n", hidden)
	}
	// Globals by name; a data section without BTF as its raw bytes.
	var globals []string
	for _, m := range s.Maps {
		if !m.Internal || len(m.Entries) != 1 {
			continue
		}
		st, ok := m.Entries[0].Value.(btf.Struct)
		if !ok && strings.HasPrefix(m.Name, ".rodata.str") {
			continue // the compiler's string literals, not variables
		}
		if !ok {
			globals = append(globals, fmt.Sprintf("  %s = %s  (no BTF: raw bytes)", m.Name, btf.Format(m.Entries[0].Value)))
			continue
		}
		for _, f := range st {
			globals = append(globals, fmt.Sprintf("  %s = %s  (%s)", f.Name, btf.Format(f.Value), m.Name))
		}
	}
	if len(globals) > 0 {
		fmt.Fprintf(w, "\nglobals:\n%s\n", strings.Join(globals, "\n"))
	}
	for _, rb := range s.RingBuffers {
		typ := "hex: name the record type with --record or a <map>_record global"
		if rb.RecordType != "" {
			typ = rb.RecordType
		}
		kind := "ring buffer"
		if rb.Type == libbpf.MapTypePerfEventArray.String() {
			kind = "perf event array"
		}
		fmt.Fprintf(w, "\n%s %s (%s): %s %s", kind, rb.Map, typ, thousands(rb.Records), plural(int(rb.Records), "record", "records"))
		if rb.Lost > 0 {
			fmt.Fprintf(w, ", %s lost", thousands(rb.Lost))
		}
		if len(rb.Last) > 0 {
			fmt.Fprintf(w, ", the last %d:", len(rb.Last))
		}
		fmt.Fprintln(w)
		for _, rec := range rb.Last {
			fmt.Fprintf(w, "  %s", btf.Format(rec.Value))
			if len(rec.Rest) > 0 {
				fmt.Fprintf(w, " + %s", btf.Format(rec.Rest))
			}
			fmt.Fprintln(w)
		}
	}
}

func typeOr(typ string, size int) string {
	if typ != "" {
		return typ
	}
	return fmt.Sprintf("%d bytes", size)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thousands writes n with thin separators: 1,234,567.
func thousands(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
