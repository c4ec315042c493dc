package libbpf

import (
	"errors"
	"fmt"
)

// Link is an attachment of a program; Destroy detaches it. A Link made by
// JoinLinks owns several attachments and destroys them together.
type Link struct {
	c       *cLink  // nil once destroyed, for a group, and for a detach link
	members []*Link // the links of a group
	// detach undoes an attachment the kernel keeps no link for (netlink XDP,
	// classic tc) and releases what it holds; nil once run.
	detach func() error
	// token stands for a detach link where libbpf expects a struct
	// bpf_link (an Attach callback's result, which libbpf hands back to the
	// Go call without using it): unique C memory, never a real link.
	token *cLink
}

// newDetachLink returns a Link for an attachment without a kernel link:
// Destroy (and Detach) run detach once. Its FD is -1 and it cannot be pinned.
func newDetachLink(detach func() error) *Link {
	return &Link{detach: detach, token: newLinkToken()}
}

// JoinLinks returns one Link that owns links: its Destroy destroys every one,
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
func (l *Link) Members() []*Link { return append([]*Link(nil), l.members...) }

// FD returns the link's file descriptor, or -1 once destroyed (and for
// attachments that have no link fd, such as legacy perf event ones).
func (l *Link) FD() int {
	if l.members != nil {
		return l.members[0].FD()
	}
	if l.c == nil {
		return -1
	}
	return linkFD(l.c)
}

// Destroy detaches the program and frees the link; it is idempotent.
func (l *Link) Destroy() error {
	if l == nil {
		return nil
	}
	var errs []error
	if l.c != nil {
		if err := linkDestroy(l.c); err != nil {
			errs = append(errs, fmt.Errorf("destroy link: %w", err))
		}
		l.c = nil
	}
	if err := l.runDetach(); err != nil {
		errs = append(errs, err)
	}
	for _, m := range l.members {
		if err := m.Destroy(); err != nil {
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
// stays until Destroy. For an attachment without a kernel link (netlink
// XDP, classic tc) it is the same as Destroy.
func (l *Link) Detach() error {
	if l.c == nil && l.members == nil && l.detach != nil {
		return l.runDetach()
	}
	return l.each("detach link", linkDetach)
}

// Pin pins the link at path on a bpffs, so that it outlives the process. A
// group cannot be pinned.
func (l *Link) Pin(path string) error {
	if l.members != nil {
		return fmt.Errorf("pin link group at %s: %w", path, errInvalidArgument)
	}
	return l.each("pin link at "+path, func(c *cLink) error { return linkPin(c, path) })
}

// Unpin removes the link's pin.
func (l *Link) Unpin() error {
	return l.each("unpin link", linkUnpin)
}

func (l *Link) each(what string, fn func(*cLink) error) error {
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
