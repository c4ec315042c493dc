package libbpf

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// HelperID is a BPF helper function (enum bpf_func_id), e.g.
// HelperRingbufOutput.
type HelperID uint32

// String returns the helper's name, e.g. "bpf_ringbuf_output".
func (h HelperID) String() string {
	if int(h) < len(helperNames) && helperNames[h] != "" {
		return "bpf_" + helperNames[h]
	}
	return fmt.Sprintf("HelperID(%d)", h)
}

// ProbeProgType reports whether the kernel supports programs of type t
// (libbpf_probe_bpf_prog_type): it loads a trivial one. An error means the
// probe could not tell, e.g. for lack of privileges (unix.EPERM), or that
// libbpf cannot probe t (unix.EOPNOTSUPP).
func ProbeProgType(t ProgType) (bool, error) {
	ok, err := probeProgType(t)
	if err != nil {
		return false, fmt.Errorf("probe program type %s: %w", t, err)
	}
	return ok, nil
}

// ProbeMapType reports whether the kernel supports maps of type t
// (libbpf_probe_bpf_map_type): it creates a small one. Errors as
// ProbeProgType's.
func ProbeMapType(t MapType) (bool, error) {
	ok, err := probeMapType(t)
	if err != nil {
		return false, fmt.Errorf("probe map type %s: %w", t, err)
	}
	return ok, nil
}

// ProbeHelper reports whether programs of type t may call helper h
// (libbpf_probe_bpf_helper). A kernel without the program type itself fails
// with unix.EOPNOTSUPP.
func ProbeHelper(t ProgType, h HelperID) (bool, error) {
	ok, err := probeHelper(t, h)
	if err != nil {
		return false, fmt.Errorf("probe helper %s for program type %s: %w", h, t, err)
	}
	return ok, nil
}

// ProbeRingBuffer reports whether the kernel has BPF ring buffers (Linux
// 5.8), the choice tools make between a ring buffer and a perf buffer.
func ProbeRingBuffer() (bool, error) { return ProbeMapType(MapTypeRingBuf) }

// ProbeTPBTF reports whether a tp_btf program can attach to the raw
// tracepoint name (e.g. "sched_switch"): the kernel's BTF describes it and a
// BTF-enabled tracing program for it loads (Linux 5.5). Tools use it to
// choose between a tp_btf and a raw_tp variant of a program. vmlinux may be
// nil, then the kernel's BTF is loaded for the probe. A kernel without BTF,
// or without the tracepoint, answers false; an error means the probe could
// not tell (e.g. unix.EPERM).
func ProbeTPBTF(name string, vmlinux *BTF) (bool, error) {
	return probeTracing("tp_btf", name, "btf_trace_"+name, BTFKindTypedef, AttachTypeTraceRawTP, false, vmlinux)
}

// ProbeFentry reports whether an fentry program can attach to the kernel
// function funcName: the kernel's BTF describes the function and a tracing
// program for it loads and attaches, which needs BPF trampolines on kernel
// functions (Linux 5.5 on x86-64, 6.4 on arm64; earlier arm64 kernels load
// the program and fail the attach with ENOTSUPP, so the probe attaches it
// for an instant).
// Tools use it to choose between an fentry and a kprobe
// variant of a program. vmlinux may be nil, as for ProbeTPBTF, and the
// answers are ProbeTPBTF's: false where the kernel lacks BTF, the function
// or trampolines, an error where the probe could not tell (a kernel that
// refuses trampolines to everyone fails the load with unix.EPERM).
func ProbeFentry(funcName string, vmlinux *BTF) (bool, error) {
	return probeTracing("fentry", funcName, funcName, BTFKindFunc, AttachTypeTraceFentry, true, vmlinux)
}

// probeTracing loads a stub tracing program of attach type at against the
// vmlinux BTF type typeName of kind, and with attach also attaches it, for
// ProbeTPBTF and ProbeFentry.
func probeTracing(what, name, typeName string, kind BTFKind, at AttachType, attach bool, vmlinux *BTF) (bool, error) {
	if name == "" {
		return false, fmt.Errorf("probe %s: empty name: %w", what, errInvalidArgument)
	}
	if vmlinux == nil {
		b, err := LoadVmlinuxBTF()
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("probe %s %s: %w", what, name, err)
		}
		defer b.Close()
		vmlinux = b
	}
	id, err := vmlinux.FindByNameKind(typeName, kind)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("probe %s %s: %w", what, name, err)
	}
	op := "load a tracing program"
	fd, err := loadTracingStub(at, id)
	if err == nil {
		if attach {
			op = "attach a tracing program"
			var link int
			if link, err = rawTracepointOpen("", fd, RawTracepointOptions{}); err == nil {
				unix.Close(link)
			}
		}
		unix.Close(fd)
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOTSUP), errors.Is(err, errNotSupported):
		return false, nil
	}
	return false, fmt.Errorf("probe %s %s: %s: %w", what, name, op, err)
}

// ProbeKprobes reports whether the kernel offers kprobes (CONFIG_KPROBES),
// as a perf event type or through tracefs; where it does not, every
// kprobe, kretprobe and ksyscall attachment fails with
// ErrKprobesUnavailable. The error is always nil: the probe only looks at
// sysfs and tracefs.
func ProbeKprobes() (bool, error) { return kprobesAvailable(), nil }

// BPFTokenCreateOptions are the options of BPFTokenCreate.
type BPFTokenCreateOptions struct {
	Flags uint32
}

// BPFTokenCreate creates a BPF token from the BPF file system mounted with
// delegation options (delegate_cmds=..., delegate_progs=...) whose directory
// fd is bpffsFD (bpf_token_create, Linux 6.9). The caller owns the returned
// fd. The kernel refuses tokens in the initial user namespace
// (unix.EOPNOTSUPP) and from a file system without delegation
// (unix.ENOENT): tokens let a container's unprivileged process use BPF.
// Objects take a token through OpenOptions.BPFTokenPath.
func BPFTokenCreate(bpffsFD int, opts BPFTokenCreateOptions) (int, error) {
	fd, err := tokenCreate(bpffsFD, opts.Flags)
	if err != nil {
		return -1, fmt.Errorf("create BPF token from fd %d: %w", bpffsFD, err)
	}
	return fd, nil
}

// BPFTokenCreatePath is BPFTokenCreate for the BPF file system mounted at
// path.
func BPFTokenCreatePath(path string, opts BPFTokenCreateOptions) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return -1, fmt.Errorf("create BPF token: %w", err)
	}
	defer f.Close()
	fd, err := tokenCreate(int(f.Fd()), opts.Flags)
	if err != nil {
		return -1, fmt.Errorf("create BPF token from %s: %w", path, err)
	}
	return fd, nil
}

// ProbeUprobeMulti reports whether the kernel has uprobe_multi links (Linux
// 6.6), the way ProbeTCX does for tcx: nil if it does, an error wrapping
// ErrNotSupported if it does not, another error if the probe could not
// tell. The answer is probed once and cached.
func ProbeUprobeMulti() error { return probeUprobeMulti() }

var probeUprobeMulti = sync.OnceValue(func() error {
	loadErr, err := probeUprobeMultiLink()
	return probeVerdict("uprobe_multi links", "6.6", loadErr, err, unix.EBADF)
})

// Probes of the kernel's BTF, for choosing a program variant.

// HasKfunc reports whether b (the kernel's BTF) has the kfunc name, which a
// program declares as `extern ... __ksym`. When the kernel marks kfuncs with
// the bpf_kfunc declaration tag (pahole 1.25), only a tagged function
// counts; otherwise any function of that name does, as libbpf's resolution
// of the extern does.
func (b *BTF) HasKfunc(name string) bool {
	id, err := b.FindByNameKind(name, BTFKindFunc)
	if err != nil {
		return false
	}
	tagged := b.kfuncIDs()
	return len(tagged) == 0 || tagged[id]
}

// kfuncIDs returns the ids of the functions tagged bpf_kfunc, gathered once.
func (b *BTF) kfuncIDs() map[uint32]bool {
	if b.kfuncs != nil {
		return b.kfuncs
	}
	b.kfuncs = map[uint32]bool{}
	for id := uint32(1); id < b.TypeCnt(); id++ {
		if b.kind(id) != BTFKindDeclTag {
			continue
		}
		if t, err := b.TypeByID(id); err == nil && t.Name == "bpf_kfunc" {
			b.kfuncs[t.Type] = true
		}
	}
	return b.kfuncs
}

// HasMember reports whether the struct or union typeName has a member
// called member, also inside its anonymous struct and union members, as
// bpf_core_field_exists sees it.
func (b *BTF) HasMember(typeName, member string) bool {
	for _, kind := range []BTFKind{BTFKindStruct, BTFKindUnion} {
		if id, err := b.FindByNameKind(typeName, kind); err == nil && b.hasMember(id, member) {
			return true
		}
	}
	return false
}

func (b *BTF) hasMember(id uint32, member string) bool {
	t, err := b.TypeByID(id)
	if err != nil {
		return false
	}
	for _, m := range t.Members {
		if m.Name == member {
			return true
		}
		if m.Name == "" {
			if rid, err := b.ResolveType(m.Type); err == nil && b.hasMember(rid, member) {
				return true
			}
		}
	}
	return false
}

// EnumValue returns the value of the enumerator value of enum enumName (enum
// or enum64); an empty enumName searches every enum, anonymous ones too. ok
// is false when there is none: tools test for an enum value that a newer
// kernel added.
func (b *BTF) EnumValue(enumName, value string) (v uint64, ok bool) {
	if enumName != "" {
		for _, kind := range []BTFKind{BTFKindEnum, BTFKindEnum64} {
			if id, err := b.FindByNameKind(enumName, kind); err == nil {
				if v, ok := b.enumValue(id, value); ok {
					return v, true
				}
			}
		}
		return 0, false
	}
	for id := uint32(1); id < b.TypeCnt(); id++ {
		if k := b.kind(id); k != BTFKindEnum && k != BTFKindEnum64 {
			continue
		}
		if v, ok := b.enumValue(id, value); ok {
			return v, true
		}
	}
	return 0, false
}

func (b *BTF) enumValue(id uint32, name string) (uint64, bool) {
	t, err := b.TypeByID(id)
	if err != nil {
		return 0, false
	}
	for _, v := range t.Values {
		if v.Name == name {
			return v.Value, true
		}
	}
	return 0, false
}
