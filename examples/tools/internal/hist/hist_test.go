package hist

import (
	"strings"
	"testing"
)

// TestPrintLog2 checks the layout against print_log2_hist's: the header,
// the slot bounds (0 -> 1 first), the counts and the bars scaled to the
// largest count.
func TestPrintLog2(t *testing.T) {
	var b strings.Builder
	PrintLog2(&b, []uint32{1, 0, 4, 2, 0, 0}, "usecs")
	want := "" +
		"     usecs               : count    distribution\n" +
		"         0 -> 1          : 1        |**********                              |\n" +
		"         2 -> 3          : 0        |                                        |\n" +
		"         4 -> 7          : 4        |****************************************|\n" +
		"         8 -> 15         : 2        |********************                    |\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	rows := Parse("header\n" + b.String())
	if len(rows) != 4 || rows[2] != (Slot{4, 7, 4}) || rows[0] != (Slot{0, 1, 1}) {
		t.Errorf("Parse: %v", rows)
	}

	b.Reset()
	PrintLog2(&b, make([]uint32, 8), "usecs")
	if b.Len() != 0 {
		t.Errorf("an empty histogram printed %q", b.String())
	}

	b.Reset()
	wide := make([]uint32, 40)
	wide[35] = 3
	PrintLog2(&b, wide, "nsecs")
	lines := strings.Split(b.String(), "\n")
	if !strings.HasPrefix(lines[0], strings.Repeat(" ", 15)+"nsecs ") ||
		!strings.Contains(lines[36], "34359738368 -> 68719476735") || !strings.HasSuffix(lines[36], "|"+strings.Repeat("*", 20)+"|") {
		t.Errorf("wide histogram:\n%s", b.String())
	}
}

// TestParseSection finds a histogram by the line above it.
func TestParseSection(t *testing.T) {
	var b strings.Builder
	b.WriteString("Tracing...\n\n\ntid = 7 a\n")
	PrintLog2(&b, []uint32{0, 3}, "usecs")
	b.WriteString("\ntid = 8 b\n")
	PrintLog2(&b, []uint32{5}, "usecs")
	if rows, ok := ParseSection(b.String(), "tid = 7 "); !ok || Total(rows) != 3 || len(rows) != 2 {
		t.Errorf("tid 7: %v %v", rows, ok)
	}
	if rows, ok := ParseSection(b.String(), "tid = 8 "); !ok || Total(rows) != 5 {
		t.Errorf("tid 8: %v %v", rows, ok)
	}
	if _, ok := ParseSection(b.String(), "tid = 9 "); ok {
		t.Error("found tid 9")
	}
}
