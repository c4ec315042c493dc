// Package hist prints the log2 histograms of the example tools in the
// layout of libbpf-tools' print_log2_hist, and reads them back for tests.
package hist

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

const stars = 40

// PrintLog2 writes a log2 histogram: slot 0 counts the values 0 and 1,
// slot i the values from 2^i to 2^(i+1)-1. Slots after the last non-empty
// one are left out; an empty histogram prints nothing. unit names the
// values ("usecs").
func PrintLog2(w io.Writer, slots []uint32, unit string) {
	last, peak := -1, uint32(0)
	for i, v := range slots {
		if v > 0 {
			last = i
		}
		peak = max(peak, v)
	}
	if last < 0 {
		return
	}
	// Slots past 32 hold numbers of 11 digits or more: wider columns,
	// half the stars.
	indent, unitWidth, width, bar := 5, 19, 10, stars
	if last > 32 {
		indent, unitWidth, width, bar = 15, 29, 20, stars/2
	}
	fmt.Fprintf(w, "%*s%-*s : count    distribution\n", indent, "", unitWidth, unit)
	for i := 0; i <= last; i++ {
		low, high := uint64(1)<<i, uint64(1)<<(i+1)-1
		if i == 0 {
			low = 0
		}
		v := slots[i]
		fmt.Fprintf(w, "%*d -> %-*d : %-8d |%s|\n", width, low, width, high, v, bars(v, peak, bar))
	}
}

// bars is a row's bar: count stars scaled so that peak fills width.
func bars(count, peak uint32, width int) string {
	n := int(uint64(count) * uint64(width) / uint64(peak))
	return strings.Repeat("*", n) + strings.Repeat(" ", width-n)
}

// Slot is one row of a printed histogram.
type Slot struct {
	Low, High uint64
	Count     uint64
}

// Parse reads the rows of the histograms in text, in order, skipping
// every other line: what PrintLog2 wrote, for tests.
func Parse(text string) []Slot {
	var rows []Slot
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[1] != "->" || f[3] != ":" {
			continue
		}
		low, err1 := strconv.ParseUint(f[0], 10, 64)
		high, err2 := strconv.ParseUint(f[2], 10, 64)
		count, err3 := strconv.ParseUint(f[4], 10, 64)
		if err1 == nil && err2 == nil && err3 == nil {
			rows = append(rows, Slot{low, high, count})
		}
	}
	return rows
}

// ParseSection reads the histogram under the line that starts with head
// ("tid = 42 "), up to the next blank line; false if there is none.
func ParseSection(text, head string) ([]Slot, bool) {
	for _, chunk := range strings.Split(text, "\n\n") {
		if strings.HasPrefix(strings.TrimLeft(chunk, "\n"), head) {
			return Parse(chunk), true
		}
	}
	return nil, false
}

// Total is the sum of the rows' counts.
func Total(rows []Slot) uint64 {
	var n uint64
	for _, r := range rows {
		n += r.Count
	}
	return n
}
