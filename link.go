package libbpf

import (
	"errors"
	"fmt"
	"io"
)

var _ io.Closer = (*Link)(nil)

// Link is an attachment of a program; Close detaches it (Link is an io.Closer). A Link made by
// JoinLinks owns several attachments and destroys them together.
//
// A nil *Link (JoinLinks of no links) is safe to use: every method that
// returns an error returns one wrapping ErrNotFound, except Close, which has
// nothing to release and returns nil; the others return the zero value (FD
// -1).
type Link struct {
	c         *cLink  // nil once destroyed, for a group, and for a detach link
	members   []*Link // the links of a group
	structOps bool    // made from a struct_ops map: UpdateMap applies
	// detach undoes an attachment the kernel keeps no link for (netlink XDP,
	// classic tc) and releases what it holds; nil once run.
	detach func() error
	// token stands for a detach link where libbpf expects a struct
	// bpf_link (an Attach callback's result, which libbpf hands back to the
	// Go call without using it): unique C memory, never a real link.
	token *cLink
}

// newDetachLink returns a Link for an attachment without a kernel link:
// Close (and Detach) run detach once. Its FD is -1 and it cannot be pinned.
func newDetachLink(detach func() error) *Link {
	return &Link{detach: detach, token: newLinkToken()}
}

// JoinLinks returns one Link that owns links: its Close closes every one,
// its FD is the first one's. An Attach callback returns it to hand out
// several attachments (one perf event per CPU, say) as one. It returns nil
// for no links.
func JoinLinks(links ...*Link) *Link {
	var members []*Link
	for _, l := range links {
		if l != nil {
			members = append(members, l)
		}
	}
	if len(members) == 0 {
		return nil
	}
	return &Link{members: members}
}

// primary is the libbpf link that stands for l when it is handed to libbpf.
func (l *Link) primary() *cLink {
	if l.members != nil {
		return l.members[0].primary()
	}
	if l.c == nil {
		return l.token
	}
	return l.c
}

// tokenOnly reports whether l's primary is a detach link's token, which
// only a Go call can take back from libbpf.
func (l *Link) tokenOnly() bool {
	if l.members != nil {
		return l.members[0].tokenOnly()
	}
	return l.c == nil && l.token != nil
}

// Members returns the links of a group made by JoinLinks, or nil.
func (l *Link) Members() []*Link {
	if l == nil {
		return nil
	}
	return append([]*Link(nil), l.members...)
}

// FD returns the link's file descriptor, or -1 once destroyed (and for
// attachments that have no link fd, such as legacy perf event ones).
func (l *Link) FD() int {
	if l == nil {
		return -1
	}
	if l.members != nil {
		return l.members[0].FD()
	}
	if l.c == nil {
		return -1
	}
	return linkFD(l.c)
}

// Close detaches the program and frees the link; it is idempotent.
func (l *Link) Close() error {
	if l == nil {
		return nil
	}
	var errs []error
	if l.c != nil {
		if err := linkDestroy(l.c); err != nil {
			errs = append(errs, fmt.Errorf("close link: %w", err))
		}
		l.c = nil
	}
	if err := l.runDetach(); err != nil {
		errs = append(errs, err)
	}
	for _, m := range l.members {
		if err := m.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runDetach detaches a detach link once.
func (l *Link) runDetach() error {
	if l.detach == nil {
		return nil
	}
	detach := l.detach
	l.detach = nil
	freeLinkToken(l.token)
	l.token = nil
	return detach()
}

// Detach detaches the program from its hook while the link (and its pin)
// stays until Close. For an attachment without a kernel link (netlink
// XDP, classic tc) it is the same as Close.
func (l *Link) Detach() error {
	if l != nil && l.c == nil && l.members == nil && l.detach != nil {
		return l.runDetach()
	}
	return l.each("detach link", linkDetach)
}

// Disconnect gives up the link's ownership of its attachment
// (bpf_link__disconnect): Close then frees the Link but neither detaches
// the program nor closes the link's fd, so the attachment lives on until
// the process exits, or longer when the link is pinned. Take FD first to
// close it yourself.
func (l *Link) Disconnect() {
	l.each("disconnect link", func(c *cLink) error { linkDisconnect(c); return nil })
}

// Update swaps the link's program for prog, which must be loaded and of
// the same type and attach type, without a moment detached
// (bpf_link__update_program). The kernel updates iterator, XDP, tc (tcx,
// netkit), cgroup, netns and sockmap links; others (perf events, raw
// tracepoints, tracing, kprobe_multi) fail with EINVAL and stay as they
// were.
func (l *Link) Update(prog *Program) error {
	if prog == nil {
		return fmt.Errorf("update link: %w", errNilProgram)
	}
	return l.single("update link to program "+prog.name, func(c *cLink) error {
		pc, err := prog.ptr()
		if err != nil {
			return err
		}
		if prog.FD() < 0 {
			return ErrNotLoaded
		}
		return linkUpdateProgram(c, pc)
	})
}

// LinkCreateOptions are the options of LinkCreate: the common part of
// struct bpf_link_create_opts. The parts of one attach type (a tcx link's
// order, a cookie, an iterator's target) are the options of the typed
// helpers (Program.AttachTCX, AttachIter, ...), which make the same link.
type LinkCreateOptions struct {
	// Flags of the attach type: XDP's mode (XDP_FLAGS_SKB_MODE, ...), a
	// cgroup's AttachAllowMulti, ...
	Flags uint32
	// TargetBTFID: the BTF id a tracing or freplace program attaches to
	// when its load did not name it.
	TargetBTFID uint32
}

// LinkCreate attaches the loaded program progFD to target (an ifindex for
// XDP and tcx, a cgroup or netns fd, a perf event fd, a program fd for
// freplace, 0 for tracing) with a BPF link of attach type t, and returns
// the link's fd, which the caller owns: closing it detaches unless it is
// pinned (bpf_link_create). The Program.Attach* helpers make the same
// links as *Link values.
func LinkCreate(progFD, target int, t AttachType, opts LinkCreateOptions) (int, error) {
	fd, err := linkCreateFD(progFD, target, t, opts)
	if err != nil {
		return -1, fmt.Errorf("create %s link of program fd %d to target %d: %w", t, progFD, target, err)
	}
	return fd, nil
}

// LinkUpdateOptions are the options of LinkUpdate (struct
// bpf_link_update_opts).
type LinkUpdateOptions struct {
	// Flags: BPF_F_REPLACE to update only if the link's program is
	// OldProgFD (or its map OldMapFD), else EPERM.
	Flags     uint32
	OldProgFD int
	OldMapFD  int
}

// LinkUpdate swaps the program of the link linkFD for newProgFD (or, for a
// struct_ops link, its map for the map newProgFD) at the fd level
// (bpf_link_update); Link.Update and Link.UpdateMap do it for a *Link.
func LinkUpdate(linkFD, newProgFD int, opts LinkUpdateOptions) error {
	if err := linkUpdateFD(linkFD, newProgFD, opts); err != nil {
		return fmt.Errorf("update link fd %d to fd %d: %w", linkFD, newProgFD, err)
	}
	return nil
}

// UpdateMap replaces the struct_ops map of a link made by
// Map.AttachStructOps (or by Object.Attach for a SEC(".struct_ops.link")
// map) with m, another loaded struct_ops map of the same type
// (bpf_link__update_map). Other links fail with ErrNotStructOps.
func (l *Link) UpdateMap(m *Map) error {
	if m == nil {
		return fmt.Errorf("update link: %w", errNilMap)
	}
	return l.single("update link to map "+m.name, func(c *cLink) error {
		mc, err := m.ptr()
		if err != nil {
			return err
		}
		if !l.structOps || !mapIsStructOps(mc) {
			return ErrNotStructOps
		}
		if m.FD() < 0 {
			return ErrNotLoaded
		}
		return linkUpdateMap(c, mc)
	})
}

// PinPath returns the bpffs path the link is pinned at (by Pin, or the
// path OpenPinnedLink opened), or "".
func (l *Link) PinPath() string {
	if l == nil || l.c == nil {
		return ""
	}
	return linkPinPath(l.c)
}

// OpenPinnedLink opens the link pinned at path on a bpffs (bpf_link__open),
// by this process or another. Close closes the Link but leaves the pin,
// and the attachment it keeps; Unpin removes the pin.
func OpenPinnedLink(path string) (*Link, error) {
	c, err := linkOpen(path)
	if err != nil {
		return nil, fmt.Errorf("open pinned link %s: %w", path, err)
	}
	return &Link{c: c}, nil
}

// Pin pins the link at path on a bpffs, so that it outlives the process. A
// group cannot be pinned.
func (l *Link) Pin(path string) error {
	return l.single("pin link at "+path, func(c *cLink) error { return linkPin(c, path) })
}

// Unpin removes the link's pin.
func (l *Link) Unpin() error {
	return l.each("unpin link", linkUnpin)
}

// single runs fn on a link that is not a group.
func (l *Link) single(what string, fn func(*cLink) error) error {
	if l != nil && l.members != nil {
		return fmt.Errorf("%s: a link group: %w", what, errInvalidArgument)
	}
	return l.each(what, fn)
}

func (l *Link) each(what string, fn func(*cLink) error) error {
	if l == nil {
		return fmt.Errorf("%s: %w", what, errNilLink)
	}
	if l.members == nil {
		if l.detach != nil {
			return fmt.Errorf("%s: %w", what, errNoKernelLink)
		}
		if l.c == nil {
			return fmt.Errorf("%s: destroyed: %w", what, errInvalidArgument)
		}
		if err := fn(l.c); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	var errs []error
	for _, m := range l.members {
		if err := m.each(what, fn); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
