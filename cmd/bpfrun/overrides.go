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
	}
	notes := map[string]string{}
	for _, m := range obj.Maps() {
		valueSize, maxEntries, note, err := runTimeSizes(m)
		if err != nil {
			return nil, err
		}
		if valueSize != 0 {
			if err := m.SetValueSize(valueSize); err != nil {
				return nil, fmt.Errorf("map %s: give value_size 0 a default: %w", m.Name(), err)
			}
		}
		if maxEntries != 0 {
			if err := m.SetMaxEntries(maxEntries); err != nil {
				return nil, fmt.Errorf("map %s: give max_entries 0 a default: %w", m.Name(), err)
			}
		}
		if note != "" {
			notes[m.Name()] = note
		}
	}
	return notes, nil
}

// runTimeSizes is what bpfrun gives a map whose definition leaves a size
// to its tool (0): the value size and max_entries to set (0: keep), and a
// note that says so. A stack trace map's value size is a tool's stack
// depth; max_entries gets its type's default.
func runTimeSizes(m *libbpf.Map) (valueSize, maxEntries uint32, note string, err error) {
	var notes []string
	if m.Type() == libbpf.MapTypeStackTrace && m.ValueSize() == 0 {
		valueSize = stackTraceValueSize
		notes = append(notes, fmt.Sprintf("value_size 0 in the object (its tool sizes it at run time): bpfrun run makes it %d bytes, %d frames",
			stackTraceValueSize, stackTraceValueSize/8))
	}
	if m.MaxEntries() == 0 && !m.Internal() {
		if maxEntries, err = defaultMaxEntries(m.Type()); err != nil {
			return 0, 0, "", fmt.Errorf("map %s: %w", m.Name(), err)
		}
		if maxEntries != 0 {
			unit := "entries"
			if m.Type() == libbpf.MapTypeRingBuf || m.Type() == libbpf.MapTypeUserRingBuf {
				unit = "bytes"
			}
			notes = append(notes, fmt.Sprintf("max_entries 0 in the object (its tool sizes it at run time): bpfrun run makes it %d %s; --map-size %s=N sets it",
				maxEntries, unit, m.Name()))
		}
	}
	return valueSize, maxEntries, strings.Join(notes, "; "), nil
}
