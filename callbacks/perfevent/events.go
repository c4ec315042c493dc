package perfevent

import (
	"fmt"
	"strconv"
	"strings"
)

// The perf_event_attr.type values of the generic event namespaces
// (PERF_TYPE_* in linux/perf_event.h).
const (
	TypeHardware   uint32 = 0
	TypeSoftware   uint32 = 1
	TypeTracepoint uint32 = 2
	TypeHWCache    uint32 = 3
	TypeRaw        uint32 = 4
	TypeBreakpoint uint32 = 5
)

// namedEvent is one generic event perf knows by name.
type namedEvent struct {
	typ    uint32
	config uint64
}

// genericEvents maps perf's names (and its aliases) of the hardware and
// software events to their type and config, as perf list prints them.
var genericEvents = map[string]namedEvent{
	// PERF_TYPE_HARDWARE, enum perf_hw_id.
	"cpu-cycles":              {TypeHardware, 0},
	"cycles":                  {TypeHardware, 0},
	"instructions":            {TypeHardware, 1},
	"cache-references":        {TypeHardware, 2},
	"cache-misses":            {TypeHardware, 3},
	"branch-instructions":     {TypeHardware, 4},
	"branches":                {TypeHardware, 4},
	"branch-misses":           {TypeHardware, 5},
	"bus-cycles":              {TypeHardware, 6},
	"stalled-cycles-frontend": {TypeHardware, 7},
	"idle-cycles-frontend":    {TypeHardware, 7},
	"stalled-cycles-backend":  {TypeHardware, 8},
	"idle-cycles-backend":     {TypeHardware, 8},
	"ref-cycles":              {TypeHardware, 9},

	// PERF_TYPE_SOFTWARE, enum perf_sw_ids.
	"cpu-clock":        {TypeSoftware, 0},
	"task-clock":       {TypeSoftware, 1},
	"page-faults":      {TypeSoftware, 2},
	"faults":           {TypeSoftware, 2},
	"context-switches": {TypeSoftware, 3},
	"cs":               {TypeSoftware, 3},
	"cpu-migrations":   {TypeSoftware, 4},
	"migrations":       {TypeSoftware, 4},
	"minor-faults":     {TypeSoftware, 5},
	"major-faults":     {TypeSoftware, 6},
	"alignment-faults": {TypeSoftware, 7},
	"emulation-faults": {TypeSoftware, 8},
	"dummy":            {TypeSoftware, 9},
	"bpf-output":       {TypeSoftware, 10},
	"cgroup-switches":  {TypeSoftware, 11},
}

// The hardware-cache matrix (PERF_TYPE_HW_CACHE): config is
// cache | op<<8 | result<<16, and perf names an event
// <cache>[-<op>][-<result>] using any of the aliases below, case-insensitively.
// A missing op means load (read), a missing result means access (refs).
var (
	cacheNames = [][]string{
		0: {"L1-dcache", "l1-d", "l1d", "L1-data"},
		1: {"L1-icache", "l1-i", "l1i", "L1-instruction"},
		2: {"LLC", "L2"},
		3: {"dTLB", "d-tlb", "Data-TLB"},
		4: {"iTLB", "i-tlb", "Instruction-TLB"},
		5: {"branch", "branches", "bpu", "btb", "bpc"},
		6: {"node"},
	}
	cacheOpNames = [][]string{
		0: {"load", "loads", "read"},
		1: {"store", "stores", "write"},
		2: {"prefetch", "prefetches", "speculative-read", "speculative-load"},
	}
	cacheResultNames = [][]string{
		0: {"refs", "Reference", "ops", "access"},
		1: {"misses", "miss"},
	}
	// cacheOpValid is perf's table of which ops each cache supports
	// (bit n set: op n is valid); perf rejects the other combinations.
	cacheOpValid = []uint8{
		0: 0b111, // L1-dcache: load, store, prefetch
		1: 0b101, // L1-icache: load, prefetch
		2: 0b111, // LLC
		3: 0b111, // dTLB
		4: 0b001, // iTLB: load
		5: 0b001, // branch: load
		6: 0b111, // node
	}
)

// matchPrefix finds the longest alias in names (case-insensitive) that
// s starts with and that is followed by the end of s or a '-'. It returns
// the index of the alias list and the rest of s after the alias and its '-'.
func matchPrefix(s string, names [][]string) (int, string, bool) {
	best, bestLen := -1, 0
	for i, aliases := range names {
		for _, a := range aliases {
			if len(a) <= bestLen || len(s) < len(a) || !strings.EqualFold(s[:len(a)], a) {
				continue
			}
			if len(s) > len(a) && s[len(a)] != '-' {
				continue
			}
			best, bestLen = i, len(a)
		}
	}
	if best < 0 {
		return 0, s, false
	}
	rest := s[bestLen:]
	if rest != "" {
		rest = rest[1:]
		if rest == "" { // a trailing '-'
			return 0, s, false
		}
	}
	return best, rest, true
}

// parseCacheEvent decodes a hardware-cache event name such as
// "L1-dcache-load-misses", "LLC-misses" or "dTLB-stores" into its config.
func parseCacheEvent(name string) (uint64, bool) {
	cache, rest, ok := matchPrefix(name, cacheNames)
	if !ok {
		return 0, false
	}
	op, result := -1, -1
	for rest != "" {
		if i, r, ok := matchPrefix(rest, cacheOpNames); ok && op < 0 {
			op, rest = i, r
			continue
		}
		if i, r, ok := matchPrefix(rest, cacheResultNames); ok && result < 0 {
			result, rest = i, r
			continue
		}
		return 0, false
	}
	if op < 0 {
		op = 0
	}
	if result < 0 {
		result = 0
	}
	if cacheOpValid[cache]&(1<<op) == 0 {
		return 0, false
	}
	return uint64(cache) | uint64(op)<<8 | uint64(result)<<16, true
}

// lookupEvent resolves a perf event name that needs no sysfs: the hardware
// and software events, the hardware-cache matrix and perf's raw form
// r<hex> (PERF_TYPE_RAW). Names are matched case-insensitively, as perf does.
func lookupEvent(name string) (namedEvent, error) {
	if ev, ok := genericEvents[strings.ToLower(name)]; ok {
		return ev, nil
	}
	if cfg, ok := parseCacheEvent(name); ok {
		return namedEvent{TypeHWCache, cfg}, nil
	}
	if len(name) > 1 && (name[0] == 'r' || name[0] == 'R') && isHex(name[1:]) {
		cfg, err := strconv.ParseUint(name[1:], 16, 64)
		if err != nil {
			return namedEvent{}, fmt.Errorf("raw event %q: %w", name, err)
		}
		return namedEvent{TypeRaw, cfg}, nil
	}
	return namedEvent{}, fmt.Errorf("unknown event %q", name)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}
