package legacy

import (
	"strings"
	"testing"
)

// FuzzLookup checks the legacy table's matching on any section name: no
// panic; a match is a prefix of the name with a program type and advice;
// the longest entries win over the prefixes they extend; and no name that
// misses every prefix matches.
func FuzzLookup(f *testing.F) {
	for _, d := range defs {
		f.Add(d.Prefix)
		f.Add(d.Prefix + "/x")
	}
	f.Add("")
	f.Add("classifie")
	f.Add("cgroup/sock_create_more")
	f.Fuzz(func(t *testing.T, sec string) {
		d, ok := Lookup(sec)
		if !ok {
			for _, e := range defs {
				if strings.HasPrefix(sec, e.Prefix) {
					t.Fatalf("Lookup(%q) missed %q", sec, e.Prefix)
				}
			}
			return
		}
		if !strings.HasPrefix(sec, d.Prefix) || d.ProgType == 0 || d.Use == "" {
			t.Fatalf("Lookup(%q) = %+v", sec, d)
		}
		for _, e := range defs {
			if len(e.Prefix) > len(d.Prefix) && strings.HasPrefix(sec, e.Prefix) && strings.HasPrefix(e.Prefix, d.Prefix) {
				t.Fatalf("Lookup(%q) = %q, shadowing the longer %q", sec, d.Prefix, e.Prefix)
			}
		}
	})
}
