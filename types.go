package libbpf

import "fmt"

// ProgType is a BPF program type (enum bpf_prog_type).
type ProgType uint32

// AttachType is a BPF attach type (enum bpf_attach_type).
type AttachType uint32

// MapType is a BPF map type (enum bpf_map_type).
type MapType uint32

// String returns libbpf's name of the type, e.g. "raw_tracepoint".
func (t ProgType) String() string { return typeName(progTypeString(t), "ProgType", uint32(t)) }

// String returns libbpf's name of the type, e.g. "trace_uprobe_multi".
func (t AttachType) String() string { return typeName(attachTypeString(t), "AttachType", uint32(t)) }

// String returns libbpf's name of the type, e.g. "hash".
func (t MapType) String() string { return typeName(mapTypeString(t), "MapType", uint32(t)) }

// String returns libbpf's name of the type, e.g. "raw_tracepoint"
// (libbpf_bpf_link_type_str).
func (t LinkType) String() string { return typeName(linkTypeString(t), "LinkType", uint32(t)) }

func typeName(name, kind string, v uint32) string {
	if name == "" {
		return fmt.Sprintf("%s(%d)", kind, v)
	}
	return name
}

// LibbpfVersion returns the version of the linked libbpf, e.g. "v1.7".
func LibbpfVersion() string { return libbpfVersionString() }

// LibbpfMajorMinor returns the linked libbpf's major and minor version.
func LibbpfMajorMinor() (major, minor uint32) { return libbpfVersion() }
