package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golibbpf/libbpf"
)

// nameList is a repeatable flag of names (--disable PROG).
type nameList []string

func (l *nameList) String() string { return strings.Join(*l, " ") }
func (l *nameList) Set(s string) error {
	if s == "" || strings.Contains(s, "=") {
		return fmt.Errorf("want a program name, got %q", s)
	}
	*l = append(*l, s)
	return nil
}

// disablePrograms turns autoload off for the programs named by --disable:
// what a tool does with the twin it does not need (runqlat's tp_btf and
// raw_tp copies) or a program the machine cannot attach.
func disablePrograms(obj *libbpf.Object, names []string) error {
	for _, name := range names {
		p := obj.Program(name)
		if p == nil {
			var all []string
			for _, p := range obj.Programs() {
				all = append(all, p.Name())
			}
			return fmt.Errorf("--disable %s: no program %q (programs: %s)", name, name, strings.Join(all, ", "))
		}
		if err := p.SetAutoload(false); err != nil {
			return fmt.Errorf("--disable %s: %w", name, err)
		}
	}
	return nil
}

// defaultMaxEntries is the size bpfrun gives a map whose definition leaves
// max_entries 0, by map type. Tools size such maps at run time (from a
// flag, the CPU count, a ring buffer size); the kernel refuses 0 with
// EINVAL. 0 means the map keeps 0: libbpf sizes perf event arrays to the
// CPU count itself, and local-storage maps require 0.
func defaultMaxEntries(t libbpf.MapType) (uint32, error) {
	switch t {
	case libbpf.MapTypeRingBuf, libbpf.MapTypeUserRingBuf:
		return 256 << 10, nil // bytes: bcc's libbpf-tools use 256 KiB
	case libbpf.MapTypeCPUMap:
		// The kernel allows no more entries than CPUs.
		n, err := libbpf.PossibleCPUs()
		if err != nil {
			return 0, fmt.Errorf("count the possible CPUs: %w", err)
		}
		return uint32(n), nil
	case libbpf.MapTypeHash, libbpf.MapTypeLRUHash, libbpf.MapTypePerCPUHash, libbpf.MapTypeLRUPerCPUHash,
		libbpf.MapTypeLPMTrie, libbpf.MapTypeHashOfMaps, libbpf.MapTypeDevMapHash, libbpf.MapTypeSockHash,
		libbpf.MapTypeStackTrace, libbpf.MapTypeQueue, libbpf.MapTypeStack, libbpf.MapTypeBloomFilter,
		libbpf.MapTypeArray, libbpf.MapTypePerCPUArray, libbpf.MapTypeArrayOfMaps, libbpf.MapTypeProgArray,
		libbpf.MapTypeCgroupArray, libbpf.MapTypeDevMap, libbpf.MapTypeSockMap, libbpf.MapTypeXskmap,
		libbpf.MapTypeReuseportSockArray:
		return 10240, nil // MAX_ENTRIES of bcc's libbpf-tools
	}
	return 0, nil
}

// stackTraceValueSize is the value size bpfrun gives a stack trace map
// whose definition leaves it 0: 127 frames of 8 bytes, the kernel's default
// perf_event_max_stack and bcc's libbpf-tools' default depth.
const stackTraceValueSize = 127 * 8

// sizeMaps applies --map-size MAP=N, then gives every other map whose
// max_entries is 0 its type's default, and returns a note per map it
// sized that way (shown with the map, so that the choice is not silent).
func sizeMaps(obj *libbpf.Object, sizes []string) (map[string]string, error) {
	set := map[string]bool{}
	for _, s := range sizes {
		name, val, _ := strings.Cut(s, "=")
		m := obj.Map(name)
		if m == nil {
			var all []string
			for _, m := range obj.Maps() {
				if !m.Internal() {
					all = append(all, m.Name())
				}
			}
			return nil, fmt.Errorf("--map-size %s: no map %q (maps: %s)", s, name, strings.Join(all, ", "))
		}
		n, err := strconv.ParseUint(strings.ReplaceAll(val, "_", ""), 0, 32)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("--map-size %s: want a number of entries from 1 to %d (bytes for a ring buffer), got %q", s, uint32(1<<32-1), val)
		}
		if m.Internal() {
			return nil, fmt.Errorf("--map-size %s: %s is a global-data section, sized by its variables", s, name)
		}
		if err := m.SetMaxEntries(uint32(n)); err != nil {
			return nil, fmt.Errorf("--map-size %s: %w", s, err)
		}
		set[name] = true
	}
	notes := map[string]string{}
	for _, m := range obj.Maps() {
		if m.Type() == libbpf.MapTypeStackTrace && m.ValueSize() == 0 {
			// Tools size a stack trace map's values at run time too,
			// from their stack depth flag.
			if err := m.SetValueSize(stackTraceValueSize); err != nil {
				return nil, fmt.Errorf("map %s: give value_size 0 a default: %w", m.Name(), err)
			}
			notes[m.Name()] = fmt.Sprintf("value_size 0 in the object (its tool sizes it at run time): bpfrun made it %d bytes, %d frames",
				stackTraceValueSize, stackTraceValueSize/8)
		}
		if set[m.Name()] || m.MaxEntries() != 0 || m.Internal() {
			continue
		}
		n, err := defaultMaxEntries(m.Type())
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", m.Name(), err)
		}
		if n == 0 {
			continue
		}
		if err := m.SetMaxEntries(n); err != nil {
			return nil, fmt.Errorf("map %s: give max_entries 0 a default: %w", m.Name(), err)
		}
		unit := "entries"
		if m.Type() == libbpf.MapTypeRingBuf || m.Type() == libbpf.MapTypeUserRingBuf {
			unit = "bytes"
		}
		note := fmt.Sprintf("max_entries 0 in the object (its tool sizes it at run time): bpfrun made it %d %s; --map-size %s=N sets it",
			m.MaxEntries(), unit, m.Name())
		if notes[m.Name()] != "" {
			note = notes[m.Name()] + "; " + note
		}
		notes[m.Name()] = note
	}
	return notes, nil
}
