package libbpf

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// TCAttachPoint says where on an interface a classic tc hook is (enum
// bpf_tc_attach_point); TCIngress|TCEgress names both sides of the clsact
// qdisc for TCHook.Destroy.
type TCAttachPoint uint32

const (
	TCIngress TCAttachPoint = 1 << 0 // BPF_TC_INGRESS: the clsact qdisc's ingress
	TCEgress  TCAttachPoint = 1 << 1 // BPF_TC_EGRESS: the clsact qdisc's egress
	TCCustom  TCAttachPoint = 1 << 2 // BPF_TC_CUSTOM: the qdisc class TCHook.Parent
	TCQdisc   TCAttachPoint = 1 << 3 // BPF_TC_QDISC: the qdisc TCHook.Qdisc with TCHook.Handle
)

func (a TCAttachPoint) String() string {
	switch a {
	case TCIngress:
		return "ingress"
	case TCEgress:
		return "egress"
	case TCIngress | TCEgress:
		return "ingress+egress"
	case TCCustom:
		return "custom"
	case TCQdisc:
		return "qdisc"
	}
	return fmt.Sprintf("TCAttachPoint(%#x)", uint32(a))
}

// TCParent makes a tc parent handle out of its major and minor numbers
// (BPF_TC_PARENT).
func TCParent(major, minor uint16) uint32 { return uint32(major)<<16 | uint32(minor) }

// TCHook is a classic tc attach point (struct bpf_tc_hook): the clsact
// qdisc's ingress or egress of an interface, or a custom parent.
type TCHook struct {
	Ifindex     int
	AttachPoint TCAttachPoint
	Parent      uint32 // TCCustom only: the parent class, TCParent(major, minor)
	Handle      uint32 // TCQdisc only: the qdisc's handle
	Qdisc       string // TCQdisc only: the qdisc's kind
}

func (h TCHook) String() string {
	return fmt.Sprintf("tc %s hook of ifindex %d", h.AttachPoint, h.Ifindex)
}

// Create adds the clsact qdisc the hook needs (bpf_tc_hook_create); it fails
// with an error wrapping unix.EEXIST when the interface has one already.
func (h TCHook) Create() error {
	if err := tcHookCreate(h); err != nil {
		return fmt.Errorf("create %s: %w", h, err)
	}
	return nil
}

// Destroy removes the hook's filters (bpf_tc_hook_destroy): with TCIngress
// or TCEgress those of one side, with TCIngress|TCEgress the clsact qdisc
// and everything on it.
func (h TCHook) Destroy() error {
	if err := tcHookDestroy(h); err != nil {
		return fmt.Errorf("destroy %s: %w", h, err)
	}
	return nil
}

// TCFlags are the flags of TCAttach (enum bpf_tc_flags).
type TCFlags uint32

// TCReplace (BPF_TC_F_REPLACE) lets TCAttach replace the filter at the same
// handle and priority.
const TCReplace TCFlags = 1 << 0

// TCOptions name a filter of a tc hook (struct bpf_tc_opts). TCAttach takes
// ProgFD (and optionally Handle, Priority, Flags) and returns them with
// ProgID, Handle and Priority filled in; TCDetach and TCQuery take Handle and
// Priority only.
type TCOptions struct {
	ProgFD   int
	Flags    TCFlags
	ProgID   uint32
	Handle   uint32 // 0: the kernel picks one
	Priority uint32 // 0: the kernel picks one
}

// TCAttach attaches a sched_cls program as a direct-action filter of a tc
// hook (bpf_tc_attach) and returns opts completed with the filter's handle,
// priority and program ID, which TCDetach and TCQuery take.
func TCAttach(hook TCHook, opts TCOptions) (TCOptions, error) {
	out, err := tcCall(hook, opts, false)
	if err != nil {
		return TCOptions{}, fmt.Errorf("tc attach prog fd %d to %s: %w", opts.ProgFD, hook, err)
	}
	return out, nil
}

// TCDetach removes the filter opts.Handle, opts.Priority from a tc hook
// (bpf_tc_detach).
func TCDetach(hook TCHook, opts TCOptions) error {
	if err := tcDetach(hook, opts); err != nil {
		return fmt.Errorf("tc detach handle %#x priority %d from %s: %w", opts.Handle, opts.Priority, hook, err)
	}
	return nil
}

// TCQuery returns the filter opts.Handle, opts.Priority of a tc hook with its
// program ID (bpf_tc_query). Where there is none it fails with ENOENT, or
// EINVAL (what Linux 6.18 answers once the hook's last filter is gone).
func TCQuery(hook TCHook, opts TCOptions) (TCOptions, error) {
	out, err := tcCall(hook, opts, true)
	if err != nil {
		return TCOptions{}, fmt.Errorf("tc query handle %#x priority %d of %s: %w", opts.Handle, opts.Priority, hook, err)
	}
	return out, nil
}

// AttachTC attaches the program as a classic tc filter (TCAttach) and
// returns a Link whose Close removes the filter again: classic tc keeps no
// kernel link, and kernels before 6.6 lack tcx. For TCIngress and TCEgress
// it first creates the interface's clsact qdisc if it has none; the qdisc
// stays after Close, as with tc's own tools. opts.ProgFD is the program's.
// Close must run in the network namespace the attach ran in. The Link has
// no FD and cannot be pinned.
func (p *Program) AttachTC(hook TCHook, opts TCOptions) (*Link, error) {
	what := hook.String()
	fd, err := p.loadedFD()
	if err != nil {
		return nil, p.errorf(err, "attach %s", what)
	}
	if hook.AttachPoint == TCIngress || hook.AttachPoint == TCEgress {
		if err := tcHookCreate(hook); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, p.errorf(err, "attach %s: create clsact qdisc", what)
		}
	}
	opts.ProgFD = fd
	got, err := TCAttach(hook, opts)
	if err != nil {
		return nil, p.errorf(err, "attach %s", what)
	}
	filter := TCOptions{Handle: got.Handle, Priority: got.Priority}
	return newDetachLink(func() error {
		err := tcDetach(hook, filter)
		// Gone with its interface or its qdisc: not attached any more.
		if err == nil || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENOENT) {
			return nil
		}
		return fmt.Errorf("program %s: detach %s filter handle %#x priority %d: %w",
			p.name, what, filter.Handle, filter.Priority, err)
	}), nil
}
