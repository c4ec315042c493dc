// Package typesgen writes the root package's constants that come from the
// pinned libbpf's UAPI header linux/bpf.h: types_gen.go, the program,
// attach and map types (ProgType*, AttachType*, MapType*, from the enums
// bpf_prog_type, bpf_attach_type and bpf_map_type), and helpers_gen.go, the
// helper ids (Helper*, from the FN() list of enum bpf_func_id). The Go
// names are API (DESIGN.md), so the spelling rule lives here, in one table
// (words), and a test fails when either file is stale.
package typesgen

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	pin "github.com/golibbpf/libbpf/libbpf"
)

// The generated files, relative to the module root.
const (
	Output        = "types_gen.go"
	HelpersOutput = "helpers_gen.go"
)

// enums are the enums written, in the order of the file.
var enums = []struct {
	cName  string // enum name in linux/bpf.h
	prefix string // stripped from each enumerator
	goType string // the Go type; it prefixes each constant
	doc    string
}{
	{"bpf_prog_type", "BPF_PROG_TYPE_", "ProgType", "The program types (enum bpf_prog_type)."},
	{"bpf_attach_type", "BPF_", "AttachType", "The attach types (enum bpf_attach_type)."},
	{"bpf_map_type", "BPF_MAP_TYPE_", "MapType", "The map types (enum bpf_map_type)."},
}

// words spells the words of enumerator names whose Go spelling is not the
// word capitalized: acronyms, and words that join two (DEVMAP: DevMap).
var words = map[string]string{
	"ACT": "ACT", "BPF": "BPF", "BTF": "BTF", "CLS": "CLS", "CPU": "CPU", "FIB": "FIB", "GID": "GID",
	"ID": "ID", "IP": "IP", "LIRC": "LIRC", "LPM": "LPM", "LRU": "LRU", "LSM": "LSM", "LWT": "LWT",
	"MAC": "MAC", "NS": "NS", "PID": "PID", "SK": "SK", "SKB": "SKB", "TAI": "TAI", "TCP": "TCP",
	"TCX": "TCX", "TGID": "TGID", "TP": "TP", "UDP": "UDP", "UDP4": "UDP4", "UDP6": "UDP6",
	"UID": "UID", "XDP": "XDP",

	"CPUMAP": "CPUMap", "DEVMAP": "DevMap", "GETPEERNAME": "GetPeerName", "GETSOCKNAME": "GetSockName",
	"GETSOCKOPT": "GetSockopt", "PERCPU": "PerCPU", "RECVMSG": "RecvMsg", "RINGBUF": "RingBuf",
	"SEG6LOCAL": "Seg6Local", "SENDMSG": "SendMsg", "SETSOCKOPT": "SetSockopt", "SOCKARRAY": "SockArray",
	"SOCKHASH": "SockHash", "SOCKMAP": "SockMap",
}

// helperWords are the spellings helpers_gen.go has always used where they
// differ from words: its names are API as they are.
var helperWords = map[string]string{
	"GETSOCKOPT": "Getsockopt", "PERCPU": "Percpu", "RINGBUF": "Ringbuf", "SETSOCKOPT": "Setsockopt",
	"SK": "Sk", "UDP6": "Udp6",
}

// GoName spells an enumerator, its prefix stripped, in Go:
// SCHED_CLS -> SchedCLS, CGROUP_UDP4_SENDMSG -> CgroupUDP4SendMsg.
func GoName(name string) string { return goName(name, nil) }

// HelperGoName spells a helper's name (without bpf_) in Go:
// get_current_pid_tgid -> GetCurrentPIDTGID, sk_lookup_tcp -> SkLookupTCP.
func HelperGoName(name string) string { return goName(strings.ToUpper(name), helperWords) }

func goName(name string, override map[string]string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "_") {
		if s, ok := override[w]; ok {
			b.WriteString(s)
		} else if s, ok := words[w]; ok {
			b.WriteString(s)
		} else if w != "" {
			b.WriteString(w[:1] + strings.ToLower(w[1:]))
		}
	}
	return b.String()
}

// Enumerator is one name of a C enum and its value.
type Enumerator struct {
	Name  string
	Value int64
}

var (
	comments   = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// ParseEnum returns the enumerators of enum name in the C header text, in
// order, with C's values: one more than the previous unless given, a given
// value a number or an earlier enumerator.
func ParseEnum(header []byte, name string) ([]Enumerator, error) {
	text := comments.ReplaceAllString(string(header), "")
	start := regexp.MustCompile(`(?m)^enum\s+` + regexp.QuoteMeta(name) + `\s*\{`).FindStringIndex(text)
	if start == nil {
		return nil, fmt.Errorf("no enum %s", name)
	}
	body, _, ok := strings.Cut(text[start[1]:], "}")
	if !ok {
		return nil, fmt.Errorf("enum %s: no closing brace", name)
	}
	var out []Enumerator
	values := map[string]int64{}
	next := int64(0)
	for _, item := range strings.Split(body, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		n, expr, hasValue := strings.Cut(item, "=")
		n, expr = strings.TrimSpace(n), strings.TrimSpace(expr)
		if !identifier.MatchString(n) {
			return nil, fmt.Errorf("enum %s: cannot read enumerator %q", name, item)
		}
		if hasValue {
			if v, ok := values[expr]; ok {
				next = v
			} else if v, err := strconv.ParseInt(expr, 0, 64); err == nil {
				next = v
			} else {
				return nil, fmt.Errorf("enum %s: %s: cannot evaluate %q", name, n, expr)
			}
		}
		values[n] = next
		out = append(out, Enumerator{n, next})
		next++
	}
	return out, nil
}

// Header returns the path of the pinned libbpf's linux/bpf.h under the
// module root: the one the libbpf build installs (install_uapi_headers),
// else the one of the unpacked source tree.
func Header(root string) (string, error) {
	candidates := []string{
		filepath.Join(root, "libbpf/build/include/linux/bpf.h"),
		filepath.Join(root, "libbpf/work/libbpf-"+pin.Version, "include/uapi/linux/bpf.h"),
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("no linux/bpf.h of libbpf %s at %s: run make libbpf (cmd/libbpf-setup) first",
		pin.Version, strings.Join(candidates, " or "))
}

// readHeader returns the path and the text of the pinned linux/bpf.h.
func readHeader(root string) (string, []byte, error) {
	path, err := Header(root)
	if err != nil {
		return "", nil, err
	}
	header, err := os.ReadFile(path)
	return path, header, err
}

// Generate returns the content of types_gen.go for the module at root.
func Generate(root string) ([]byte, error) {
	path, header, err := readHeader(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/cmd/typesgen from the UAPI enums of linux/bpf.h (libbpf %s). DO NOT EDIT.\n", pin.Version)
	b.WriteString("\n// The values are kernel ABI; the names are the API (DESIGN.md).\n\npackage libbpf\n")
	for _, e := range enums {
		items, err := ParseEnum(header, e.cName)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(&b, "\n// %s\nconst (\n", e.doc)
		for _, it := range items {
			if strings.HasPrefix(it.Name, "__") { // __MAX_BPF_*
				continue
			}
			short, ok := strings.CutPrefix(it.Name, e.prefix)
			if !ok {
				return nil, fmt.Errorf("%s: enum %s: %s lacks the prefix %s", path, e.cName, it.Name, e.prefix)
			}
			fmt.Fprintf(&b, "\t%s%s %s = %d\n", e.goType, GoName(short), e.goType, it.Value)
		}
		b.WriteString(")\n")
	}
	return format.Source(b.Bytes())
}

// Helper is one BPF helper of the FN() list: its name without bpf_ and its
// id.
type Helper struct {
	Name string
	ID   int
}

var helperFN = regexp.MustCompile(`(?m)^\s*FN\((\w+),\s*(\d+),\s*##ctx\)`)

// ParseHelpers returns the helpers of the ___BPF_FUNC_MAPPER list in the C
// header text, in order; their ids must count up from 0.
func ParseHelpers(header []byte) ([]Helper, error) {
	var out []Helper
	for _, m := range helperFN.FindAllSubmatch(header, -1) {
		id, err := strconv.Atoi(string(m[2]))
		if err != nil || id != len(out) {
			return nil, fmt.Errorf("helper %s has id %s, want %d", m[1], m[2], len(out))
		}
		out = append(out, Helper{string(m[1]), id})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no FN() list of helpers")
	}
	return out, nil
}

// GenerateHelpers returns the content of helpers_gen.go for the module at
// root.
func GenerateHelpers(root string) ([]byte, error) {
	path, header, err := readHeader(root)
	if err != nil {
		return nil, err
	}
	helpers, err := ParseHelpers(header)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/cmd/typesgen from the FN() list of linux/bpf.h (libbpf %s). DO NOT EDIT.\n", pin.Version)
	b.WriteString("\n// The values are kernel ABI; the names are the API (DESIGN.md).\n\npackage libbpf\n")
	b.WriteString("\n// The BPF helper functions (enum bpf_func_id).\nconst (\n")
	for _, h := range helpers {
		fmt.Fprintf(&b, "\tHelper%s HelperID = %d\n", HelperGoName(h.Name), h.ID)
	}
	b.WriteString(")\n\n// helperNames are the helpers' names without the bpf_ prefix, by id.\nvar helperNames = [...]string{\n")
	for _, h := range helpers {
		fmt.Fprintf(&b, "\t%d: %q,\n", h.ID, h.Name)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
