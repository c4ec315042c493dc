package perfevent

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SectionPrefix is the section prefix this package handles: SEC("perf_event")
// and SEC("perf_event/<spec>").
const SectionPrefix = "perf_event"

// DefaultFrequency is the sampling frequency, in samples per second, of a
// spec that gives neither freq= nor period=: 99 Hz, like perf record -F 99,
// a rate that is cheap on every CPU and does not beat in step with timers
// that run at round rates.
const DefaultFrequency = 99

// maxPID is the kernel's PID_MAX_LIMIT: no thread id is above it.
const maxPID = 1 << 22

// Spec is a parsed perf_event spec: the perf_event_attr fields of the event
// and where to open it. The zero values of CPUs, PID and Cgroup select the
// defaults documented in the package overview.
type Spec struct {
	// Event is the event part of the spec as written: "cpu-clock",
	// "msr/tsc/", "type=1,config=0".
	Event string

	// Type and Config..Config3 are perf_event_attr.type and its config
	// words (config1 and config2 are the attr's bp_addr/bp_len union).
	Type                              uint32
	Config, Config1, Config2, Config3 uint64

	// Exactly one of Freq (samples per second, perf_event_attr.freq set)
	// and Period (one sample every Period events) is non-zero.
	Freq, Period uint64

	// CPUs are the CPUs to open the event on, ascending. nil means every
	// online CPU at attach time, or a single event that follows PID on any
	// CPU when PID is set.
	CPUs []int

	// PID, when above 0, restricts the event to that thread (for a
	// single-threaded process, the process) and the threads and processes
	// it starts after the attach.
	PID int

	// ExcludeUser, ExcludeKernel and ExcludeHV leave out what runs in
	// user space, the kernel and the hypervisor (perf's u, k, h modifiers:
	// naming any of them excludes the others). PreciseIP is perf's p
	// modifier count, the skid the event may have (0 to 3).
	ExcludeUser, ExcludeKernel, ExcludeHV bool
	PreciseIP                             uint8

	// Cgroup, when not empty, restricts the event to the tasks of that
	// cgroup v2 directory: an absolute path, or one relative to the cgroup
	// v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid
	// system).
	Cgroup string
}

// ParseSpec parses an event spec: what follows "perf_event/" in a section
// name (a leading "perf_event/" is accepted too). It decodes sysfs PMU
// specs against the running kernel's PMUs; see the package documentation
// for the grammar.
func ParseSpec(s string) (Spec, error) {
	spec, err := parseSpec(s, DefaultPMURoot)
	if err != nil {
		return Spec{}, &specError{err}
	}
	return spec, nil
}

// ErrInvalidSpec is wrapped by every error of ParseSpec, and so by the Open
// error of a malformed section and the Attach error of a malformed spec:
// callers can tell a bad spec from an event the machine lacks.
var ErrInvalidSpec = errors.New("invalid perf event spec")

// specError is a parse error that matches ErrInvalidSpec and keeps the
// parser's message as it is.
type specError struct{ err error }

func (e *specError) Error() string   { return e.err.Error() }
func (e *specError) Unwrap() []error { return []error{e.err, ErrInvalidSpec} }

// parseSpec parses a spec, decoding PMU specs against the PMU directory
// tree at pmuRoot.
func parseSpec(s, pmuRoot string) (Spec, error) {
	s = strings.TrimPrefix(s, SectionPrefix+"/")
	var spec Spec
	if s == "" {
		return spec, fmt.Errorf("empty event spec")
	}
	event, opts, hasOpts := strings.Cut(s, ":")
	if hasOpts && opts == "" {
		return spec, fmt.Errorf("empty option list after ':' in %q", s)
	}
	spec.Event = event
	var o options
	switch {
	case event == "":
		return spec, fmt.Errorf("no event before ':' in %q", s)
	case strings.Contains(event, "/") && !strings.Contains(event[:strings.IndexByte(event, '/')], "="):
		pmu, rest, _ := strings.Cut(event, "/")
		terms, tail, closed := strings.Cut(rest, "/")
		if !closed {
			return spec, fmt.Errorf("PMU event %q: missing the closing '/' (write %s/<terms>/)", event, pmu)
		}
		if tail != "" {
			return spec, fmt.Errorf("PMU event %q: unexpected %q after the closing '/'", event, tail)
		}
		ev, err := decodePMUEvent(pmuRoot, pmu, terms)
		if err != nil {
			return spec, fmt.Errorf("PMU event %q: %w", event, err)
		}
		spec.Type = ev.typ
		spec.Config, spec.Config1, spec.Config2, spec.Config3 = ev.config[0], ev.config[1], ev.config[2], ev.config[3]
		spec.Freq, spec.Period = ev.freq, ev.period
		spec.CPUs = ev.cpus
	case strings.Contains(event, "="):
		// The raw form: type=<n>,config=<n>,... with options in the same list.
		if err := o.parse(event, true); err != nil {
			return spec, err
		}
		for _, key := range []string{"type", "config"} {
			if !o.seen[key] {
				return spec, fmt.Errorf("raw event %q: missing %s=<n>", event, key)
			}
		}
		spec.Type = o.typ
		spec.Config, spec.Config1, spec.Config2, spec.Config3 = o.config[0], o.config[1], o.config[2], o.config[3]
	default:
		ev, err := lookupEvent(event)
		if err != nil {
			return spec, err
		}
		spec.Type, spec.Config = ev.typ, ev.config
	}
	if hasOpts {
		if err := o.parse(opts, false); err != nil {
			return spec, err
		}
	}
	if err := o.applyTo(&spec); err != nil {
		return spec, err
	}
	return spec, nil
}

// options collects the options of a spec.
type options struct {
	seen   map[string]bool
	mods   modifiers
	typ    uint32
	config [4]uint64
	freq   uint64
	period uint64
	cpus   []int
	pid    int
	cgroup string
}

// optionAliases maps accepted spellings to the canonical option name.
var optionAliases = map[string]string{
	"freq": "freq", "frequency": "freq", "period": "period",
	"cpus": "cpus", "cpu": "cpus", "pid": "pid", "cgroup": "cgroup",
	"type": "type", "config": "config", "config1": "config1", "config2": "config2", "config3": "config3",
}

// parse parses a comma-separated option list: <name>=<value> items and at
// most one item of modifiers. raw allows type= and config*= (the raw
// form). An item that starts with a digit and has no '=' continues the CPU
// list of the cpus= before it, so cpus=0-3,6 reads as one option.
func (o *options) parse(list string, raw bool) error {
	if o.seen == nil {
		o.seen = make(map[string]bool)
	}
	items := strings.Split(list, ",")
	for i := 0; i < len(items); i++ {
		item := items[i]
		if item == "" {
			return fmt.Errorf("empty option in %q (a stray ',')", list)
		}
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			if o.seen["modifiers"] {
				return fmt.Errorf("option %q: want <name>=<value>", item)
			}
			m, err := parseModifiers(item)
			if err != nil {
				return fmt.Errorf("option %q: want <name>=<value> or modifiers: %w", item, err)
			}
			o.seen["modifiers"], o.mods = true, m
			continue
		}
		name, known := optionAliases[key]
		if !known || (!raw && (name == "type" || strings.HasPrefix(name, "config"))) {
			return fmt.Errorf("option %q: unknown option %q (want freq, period, cpus, pid or cgroup)", item, key)
		}
		if name == "cpus" {
			for i+1 < len(items) && startsWithDigit(items[i+1]) && !strings.Contains(items[i+1], "=") {
				i++
				val += "," + items[i]
				item += "," + items[i]
			}
		}
		if o.seen[name] {
			return fmt.Errorf("option %q: %s given twice", item, name)
		}
		o.seen[name] = true
		if err := o.set(name, val); err != nil {
			return fmt.Errorf("option %q: %w", item, err)
		}
	}
	return nil
}

func (o *options) set(name, val string) error {
	switch name {
	case "cpus":
		cpus, err := parseCPUList(val)
		if err != nil {
			return err
		}
		o.cpus = cpus
		return nil
	case "cgroup":
		if val == "" {
			return fmt.Errorf("empty cgroup path")
		}
		o.cgroup = val
		return nil
	case "pid":
		pid, err := strconv.Atoi(val)
		if err != nil || pid <= 0 || pid > maxPID {
			return fmt.Errorf("%q is not a thread id (1..%d)", val, maxPID)
		}
		o.pid = pid
		return nil
	}
	n, err := parseNumber(val)
	if err != nil {
		return err
	}
	switch name {
	case "type":
		if n > 1<<32-1 {
			return fmt.Errorf("type %d does not fit in 32 bits", n)
		}
		o.typ = uint32(n)
	case "config", "config1", "config2", "config3":
		o.config[configWords[name]] = n
	case "freq":
		if n == 0 {
			return fmt.Errorf("frequency must be above 0")
		}
		o.freq = n
	case "period":
		if n == 0 {
			return fmt.Errorf("period must be above 0")
		}
		o.period = n
	}
	return nil
}

// applyTo checks that the options agree and stores them in spec; options
// override the sampling and CPUs a PMU spec set.
func (o *options) applyTo(spec *Spec) error {
	if o.seen["freq"] && o.seen["period"] {
		return fmt.Errorf("options freq=%d and period=%d exclude each other", o.freq, o.period)
	}
	if o.seen["pid"] && o.seen["cgroup"] {
		return fmt.Errorf("options pid=%d and cgroup=%s exclude each other", o.pid, o.cgroup)
	}
	switch {
	case o.seen["freq"]:
		spec.Freq, spec.Period = o.freq, 0
	case o.seen["period"]:
		spec.Freq, spec.Period = 0, o.period
	case spec.Freq == 0 && spec.Period == 0:
		spec.Freq = DefaultFrequency
	}
	if o.seen["cpus"] {
		spec.CPUs = o.cpus
	}
	if o.seen["modifiers"] {
		o.mods.applyTo(spec)
	}
	spec.PID, spec.Cgroup = o.pid, o.cgroup
	return nil
}

// String returns the spec in the canonical form ParseSpec reads back for
// the generic events and the raw form: type=..,config=..,... and options.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "type=%d,config=%#x", s.Type, s.Config)
	for i, c := range []uint64{s.Config1, s.Config2, s.Config3} {
		if c != 0 {
			fmt.Fprintf(&b, ",config%d=%#x", i+1, c)
		}
	}
	if s.Period != 0 {
		fmt.Fprintf(&b, ",period=%d", s.Period)
	} else {
		fmt.Fprintf(&b, ",freq=%d", s.Freq)
	}
	if m := s.modifiers(); m != "" {
		b.WriteString(",")
		b.WriteString(m)
	}
	if s.CPUs != nil {
		b.WriteString(",cpus=")
		b.WriteString(formatCPUList(s.CPUs))
	}
	if s.PID > 0 {
		fmt.Fprintf(&b, ",pid=%d", s.PID)
	}
	if s.Cgroup != "" {
		fmt.Fprintf(&b, ",cgroup=%s", s.Cgroup)
	}
	return b.String()
}

// formatCPUList writes ascending CPUs in the kernel's list format.
func formatCPUList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

func startsWithDigit(s string) bool { return s != "" && '0' <= s[0] && s[0] <= '9' }

// modifiers are perf's event modifiers: u, k and h select the privilege
// levels to sample (the ones not named are excluded), each p asks for
// less skid.
type modifiers struct {
	user, kernel, hv bool
	precise          uint8
}

func parseModifiers(s string) (modifiers, error) {
	var m modifiers
	if s == "" {
		return m, fmt.Errorf("empty")
	}
	for i := 0; i < len(s); i++ {
		dup := false
		switch s[i] {
		case 'u':
			dup, m.user = m.user, true
		case 'k':
			dup, m.kernel = m.kernel, true
		case 'h':
			dup, m.hv = m.hv, true
		case 'p':
			if m.precise++; m.precise > 3 {
				return m, fmt.Errorf("more than 3 p")
			}
		default:
			return m, fmt.Errorf("unknown modifier %q (want u, k, h or p)", s[i])
		}
		if dup {
			return m, fmt.Errorf("modifier %q given twice", s[i])
		}
	}
	return m, nil
}

func (m modifiers) applyTo(spec *Spec) {
	if m.user || m.kernel || m.hv {
		spec.ExcludeUser, spec.ExcludeKernel, spec.ExcludeHV = !m.user, !m.kernel, !m.hv
	}
	spec.PreciseIP = m.precise
}

// modifiers renders the spec's exclusions and precision as perf modifiers,
// "" when there are none.
func (s Spec) modifiers() string {
	var b strings.Builder
	if s.ExcludeUser || s.ExcludeKernel || s.ExcludeHV {
		if !s.ExcludeUser {
			b.WriteByte('u')
		}
		if !s.ExcludeKernel {
			b.WriteByte('k')
		}
		if !s.ExcludeHV {
			b.WriteByte('h')
		}
	}
	b.WriteString(strings.Repeat("p", int(s.PreciseIP)))
	return b.String()
}
