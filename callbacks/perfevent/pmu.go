package perfevent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultPMURoot is where the kernel lists its PMUs (performance monitoring
// units): one directory per PMU with its perf_event_attr type, the format
// of its config words and its named events.
const DefaultPMURoot = "/sys/bus/event_source/devices"

// configWord names the perf_event_attr words a PMU format field lives in.
var configWords = map[string]int{"config": 0, "config1": 1, "config2": 2, "config3": 3}

// bitRange is a run of bits of one config word, lo..hi inclusive.
type bitRange struct {
	word   int
	lo, hi uint
}

// format is the layout of one PMU format field: the value's low bits go to
// the first range, the next bits to the second, and so on, like perf does.
type format []bitRange

func (f format) width() uint {
	var w uint
	for _, r := range f {
		w += r.hi - r.lo + 1
	}
	return w
}

// apply stores v in the field's bits of cfg, clearing what was there.
func (f format) apply(cfg *[4]uint64, v uint64) error {
	if w := f.width(); w < 64 && v>>w != 0 {
		return fmt.Errorf("value %#x does not fit in %d bits", v, w)
	}
	for _, r := range f {
		width := r.hi - r.lo + 1
		mask := ^uint64(0) >> (64 - width)
		cfg[r.word] = cfg[r.word]&^(mask<<r.lo) | (v&mask)<<r.lo
		v >>= width
	}
	return nil
}

// parseFormat parses the content of a PMU format file, such as
// "config:0-7", "config1:0-63" or "config:0-7,32-35".
func parseFormat(s string) (format, error) {
	s = strings.TrimSpace(s)
	word, bits, ok := strings.Cut(s, ":")
	w, known := configWords[word]
	if !ok || !known {
		return nil, fmt.Errorf("format %q: want config, config1, config2 or config3 then ':'", s)
	}
	var f format
	var total uint
	for _, part := range strings.Split(bits, ",") {
		los, his, isRange := strings.Cut(part, "-")
		lo, err := strconv.ParseUint(los, 10, 8)
		if err != nil || lo > 63 {
			return nil, fmt.Errorf("format %q: bad bit %q", s, los)
		}
		hi := lo
		if isRange {
			hi, err = strconv.ParseUint(his, 10, 8)
			if err != nil || hi > 63 || hi < lo {
				return nil, fmt.Errorf("format %q: bad bit range %q", s, part)
			}
		}
		total += uint(hi - lo + 1)
		if total > 64 {
			return nil, fmt.Errorf("format %q: wider than 64 bits", s)
		}
		f = append(f, bitRange{word: w, lo: uint(lo), hi: uint(hi)})
	}
	return f, nil
}

// pmuEvent is an event decoded from a sysfs PMU spec.
type pmuEvent struct {
	typ    uint32
	config [4]uint64
	period uint64 // period= term, 0 if absent
	freq   uint64 // freq= term, 0 if absent
	cpus   []int  // the PMU's cpumask, nil if it has none
}

// validName reports whether s can name a PMU, format field or event
// without leaving its sysfs directory.
func validName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// readSmall reads a sysfs attribute; sysfs files are one short line.
func readSmall(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(data) > 4096 {
		data = data[:4096]
	}
	return strings.TrimSpace(string(data)), nil
}

// decodePMUEvent decodes the spec <pmu>/<terms>/ against the PMU's sysfs
// directory under root. terms is a comma-separated list of
//
//	<format>=<value>   a field of /format/, e.g. event=0x3c
//	<format>           the same with the value 1, e.g. inv
//	<event>            a named event of /events/, e.g. tsc
//	config=<v>, config1=<v>, config2=<v>, config3=<v>
//	period=<n>, freq=<hz>
//
// applied in order, so a later term overrides an earlier one.
func decodePMUEvent(root, pmuName, terms string) (pmuEvent, error) {
	var ev pmuEvent
	if !validName(pmuName) {
		return ev, fmt.Errorf("invalid PMU name %q", pmuName)
	}
	dir := filepath.Join(root, pmuName)
	typ, err := readSmall(filepath.Join(dir, "type"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ev, fmt.Errorf("unknown PMU %q (no %s): %w", pmuName, dir, err)
		}
		return ev, fmt.Errorf("PMU %q: %w", pmuName, err)
	}
	t, err := strconv.ParseUint(typ, 10, 32)
	if err != nil {
		return ev, fmt.Errorf("PMU %q: type %q: %w", pmuName, typ, err)
	}
	ev.typ = uint32(t)
	if cpus, err := readCPUList(filepath.Join(dir, "cpumask")); err == nil {
		ev.cpus = cpus
	} else if !errors.Is(err, os.ErrNotExist) {
		return ev, fmt.Errorf("PMU %q: %w", pmuName, err)
	}
	if terms == "" {
		return ev, fmt.Errorf("PMU %q: no event or terms between the slashes", pmuName)
	}
	if err := ev.applyTerms(dir, terms, true); err != nil {
		return ev, fmt.Errorf("PMU %q: %w", pmuName, err)
	}
	return ev, nil
}

// applyTerms applies a term list to ev; aliases says whether a bare name
// may be a named event (the content of an events/ file may not nest).
func (ev *pmuEvent) applyTerms(dir, terms string, aliases bool) error {
	for _, term := range strings.Split(terms, ",") {
		if err := ev.applyTerm(dir, strings.TrimSpace(term), aliases); err != nil {
			return err
		}
	}
	return nil
}

func (ev *pmuEvent) applyTerm(dir, term string, aliases bool) error {
	name, val, hasVal := strings.Cut(term, "=")
	if !validName(name) {
		return fmt.Errorf("term %q: invalid name", term)
	}
	var v uint64 = 1
	if hasVal {
		var err error
		if v, err = parseNumber(val); err != nil {
			return fmt.Errorf("term %q: %w", term, err)
		}
	}
	switch name {
	case "config", "config1", "config2", "config3":
		if !hasVal {
			return fmt.Errorf("term %q: needs a value", term)
		}
		ev.config[configWords[name]] = v
		return nil
	case "period":
		if !hasVal || v == 0 {
			return fmt.Errorf("term %q: needs a period above 0", term)
		}
		ev.period, ev.freq = v, 0
		return nil
	case "freq":
		if !hasVal || v == 0 {
			return fmt.Errorf("term %q: needs a frequency above 0", term)
		}
		ev.freq, ev.period = v, 0
		return nil
	}
	if !hasVal && aliases {
		alias, err := readSmall(filepath.Join(dir, "events", name))
		if err == nil {
			if err := ev.applyTerms(dir, alias, false); err != nil {
				return fmt.Errorf("event %q (%s): %w", name, alias, err)
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("event %q: %w", name, err)
		}
	}
	spec, err := readSmall(filepath.Join(dir, "format", name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if aliases && !hasVal {
				return fmt.Errorf("term %q: no such event or format field", term)
			}
			return fmt.Errorf("term %q: no such format field", term)
		}
		return fmt.Errorf("term %q: %w", term, err)
	}
	f, err := parseFormat(spec)
	if err != nil {
		return fmt.Errorf("term %q: %w", term, err)
	}
	if err := f.apply(&ev.config, v); err != nil {
		return fmt.Errorf("term %q: %w", term, err)
	}
	return nil
}

// parseNumber parses a decimal, 0x-hex, 0o/0-octal or 0b-binary number.
func parseNumber(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			err = ne.Err
		}
		return 0, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return n, nil
}
