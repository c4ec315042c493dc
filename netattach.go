package libbpf

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// AttachFlags are the BPF_F_* flags of an attachment: where a program goes
// among those of a multi-program hook (tcx, netkit, cgroup links), and the
// legacy cgroup attach modes of ProgAttach.
type AttachFlags uint32

const (
	AttachAllowOverride AttachFlags = unix.BPF_F_ALLOW_OVERRIDE // BPF_F_ALLOW_OVERRIDE (ProgAttach on a cgroup)
	AttachAllowMulti    AttachFlags = unix.BPF_F_ALLOW_MULTI    // BPF_F_ALLOW_MULTI (ProgAttach on a cgroup)
	AttachReplace       AttachFlags = unix.BPF_F_REPLACE        // BPF_F_REPLACE: replace the relative program
	AttachBefore        AttachFlags = unix.BPF_F_BEFORE         // BPF_F_BEFORE: run before the relative one (first without one)
	AttachAfter         AttachFlags = unix.BPF_F_AFTER          // BPF_F_AFTER: run after the relative one (last without one)
	AttachRelativeID    AttachFlags = unix.BPF_F_ID             // BPF_F_ID: RelativeID (not RelativeFD) names the relative
	AttachRelativeLink  AttachFlags = unix.BPF_F_LINK           // BPF_F_LINK: the relative is a link, not a program
)

// TCXOptions place a program among the others of a tcx hook (struct
// bpf_tcx_opts). The zero value appends it (libbpf's default).
type TCXOptions struct {
	Flags            AttachFlags // AttachBefore, AttachAfter, AttachReplace, AttachRelativeID, AttachRelativeLink
	RelativeFD       int         // the program (or link) to go before, after or in place of
	RelativeID       uint32      // or its ID, with AttachRelativeID
	ExpectedRevision uint64      // fail with ESTALE unless the hook is at this revision (0: any)
}

// NetkitOptions place a program among the others of a netkit device's hook
// (struct bpf_netkit_opts); the fields mean what TCXOptions' do.
type NetkitOptions TCXOptions

// CgroupOptions place a program among the others of a cgroup hook (struct
// bpf_cgroup_opts, Linux 6.16); the fields mean what TCXOptions' do.
type CgroupOptions TCXOptions

// NetfilterOptions say which netfilter hook a program attaches to (struct
// bpf_netfilter_opts).
type NetfilterOptions struct {
	PF       uint32 // protocol family: unix.NFPROTO_IPV4 or unix.NFPROTO_IPV6
	Hooknum  uint32 // unix.NF_INET_PRE_ROUTING ... unix.NF_INET_POST_ROUTING
	Priority int32  // among the hook's other functions; neither INT_MIN nor INT_MAX
	Flags    uint32 // NetfilterIPDefrag
}

// NetfilterIPDefrag (BPF_F_NETFILTER_IP_DEFRAG) has the kernel defragment
// packets before the program sees them (Linux 6.6).
const NetfilterIPDefrag uint32 = 1

// optional returns the one trailing option of a variadic helper, or the
// zero value; more than one is an error.
func optional[T any](opts []T) (T, error) {
	var zero T
	switch len(opts) {
	case 0:
		return zero, nil
	case 1:
		return opts[0], nil
	}
	return zero, fmt.Errorf("%d option values, at most 1 is allowed: %w", len(opts), errInvalidArgument)
}

// AttachTCX attaches a tc program to the interface ifindex with a tcx link
// (Linux 6.6); the direction is the program's expected attach type
// (AttachTypeTCXIngress or AttachTypeTCXEgress), the place among the hook's
// programs the optional TCXOptions.
func (p *Program) AttachTCX(ifindex int, opts ...TCXOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		o, err := optional(opts)
		if err != nil {
			return nil, err
		}
		lc, err := progAttachTCX(c, ifindex, o)
		return lc, needs(err, ProbeTCX)
	}, func() string { return fmt.Sprintf("tcx to ifindex %d", ifindex) })
}

// AttachNetkit attaches a netkit program to the netkit device ifindex
// (Linux 6.7); the program's expected attach type says which side
// (AttachTypeNetkitPrimary or AttachTypeNetkitPeer).
func (p *Program) AttachNetkit(ifindex int, opts NetkitOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachNetkit(c, ifindex, opts) },
		func() string { return fmt.Sprintf("netkit to ifindex %d", ifindex) })
}

// AttachCgroup attaches a cgroup program (cgroup_skb, cgroup/sock_create,
// cgroup/connect4, ...) to the cgroup v2 directory open as cgroupFD with a
// link (Linux 5.7). The optional CgroupOptions order it among the cgroup's
// programs (bpf_program__attach_cgroup_opts, Linux 6.16).
func (p *Program) AttachCgroup(cgroupFD int, opts ...CgroupOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) {
		if len(opts) == 0 {
			return progAttachCgroup(c, cgroupFD, nil)
		}
		o, err := optional(opts)
		if err != nil {
			return nil, err
		}
		return progAttachCgroup(c, cgroupFD, &o)
	}, func() string { return fmt.Sprintf("cgroup fd %d", cgroupFD) })
}

// AttachNetns attaches a flow dissector or sk_lookup program to the network
// namespace open as netnsFD (e.g. /proc/self/ns/net) with a link.
func (p *Program) AttachNetns(netnsFD int) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachNetns(c, netnsFD) },
		func() string { return fmt.Sprintf("netns fd %d", netnsFD) })
}

// AttachSockmap attaches an sk_skb or sk_msg program to the sockmap or
// sockhash mapFD with a link (Linux 6.10); the program's expected attach
// type says which of the map's hooks (verdict, parser, msg verdict).
func (p *Program) AttachSockmap(mapFD int) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachSockmap(c, mapFD) },
		func() string { return fmt.Sprintf("sockmap fd %d", mapFD) })
}

// AttachNetfilter attaches a netfilter program to a netfilter hook with a
// link (Linux 6.4).
func (p *Program) AttachNetfilter(opts NetfilterOptions) (*Link, error) {
	return p.attach(func(c *cProgram) (*cLink, error) { return progAttachNetfilter(c, opts) },
		func() string {
			return fmt.Sprintf("netfilter pf %d hook %d priority %d", opts.PF, opts.Hooknum, opts.Priority)
		})
}

// needs adds to a failed attach the probe's verdict when the probe says the
// kernel lacks the mechanism: the error then names the feature and release.
func needs(err error, probe func() error) error {
	if err == nil {
		return nil
	}
	if perr := probe(); errors.Is(perr, ErrNotSupported) {
		return fmt.Errorf("%w (%w)", err, perr)
	}
	return err
}

// ProbeTCX reports whether the kernel has tcx links (Linux 6.6): nil if it
// does, an error wrapping ErrNotSupported if it does not, another error if
// the probe could not tell. The answer is probed once and cached.
func ProbeTCX() error { return probeTCX() }

var probeTCX = sync.OnceValue(func() error {
	// A tcx link to ifindex 0 fails with ENODEV where the kernel knows tcx
	// and with EINVAL (an unknown attach type) where it does not.
	loadErr, err := probeLink(ProgTypeSchedCLS, AttachTypeTCXIngress, 0)
	return probeVerdict("tcx links", "6.6", loadErr, err, unix.ENODEV)
})

// ProbeXDPLink reports whether the kernel has XDP links (Linux 5.9), the
// way ProbeTCX does for tcx. The probe attaches a program to lo in a
// network namespace of its own, created and dropped for it.
func ProbeXDPLink() error { return probeXDPLink() }

var probeXDPLink = sync.OnceValue(func() error {
	// Every error of an XDP link to a missing device is EINVAL too, so the
	// probe needs a device: the lo of a fresh namespace, on a thread that
	// is discarded afterwards (it stays locked), so that no goroutine ever
	// runs in that namespace again.
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("probe XDP links: unshare(CLONE_NEWNET): %w", err)
			return
		}
		loadErr, err := probeLink(ProgTypeXDP, AttachTypeXDP, 1)
		done <- probeVerdict("XDP links", "5.9", loadErr, err, 0)
	}()
	return <-done
})

// ProbeXDPFrags reports whether the kernel loads XDP programs that take
// multi-buffer packets (BPF_F_XDP_HAS_FRAGS, SEC("xdp.frags"), Linux 5.18),
// the way ProbeTCX does for tcx.
func ProbeXDPFrags() error { return probeXDPFrags() }

var probeXDPFrags = sync.OnceValue(func() error {
	// An unknown load flag fails the load with EINVAL; a plain XDP load
	// first tells that failure from one of XDP itself.
	if err := probeLoad(ProgTypeXDP, 0); err != nil {
		return fmt.Errorf("probe XDP frags: load a test program: %w", err)
	}
	return probeVerdict("XDP frags programs", "5.18", nil, probeLoad(ProgTypeXDP, unix.BPF_F_XDP_HAS_FRAGS), 0)
})

// probeVerdict reads a probeLink result: a successful link or the errno
// has means the kernel has the feature, EINVAL that it lacks it.
func probeVerdict(feature, since string, loadErr, err error, has unix.Errno) error {
	switch {
	case loadErr != nil:
		return fmt.Errorf("probe %s: load a test program: %w", feature, loadErr)
	case err == nil || has != 0 && errors.Is(err, has):
		return nil
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("%s need Linux %s: %w", feature, since, ErrNotSupported)
	}
	return fmt.Errorf("probe %s: %w", feature, err)
}

// XDPFlags are the XDP_FLAGS_* of a netlink XDP attachment.
type XDPFlags uint32

const (
	XDPFlagsUpdateIfNoExist XDPFlags = unix.XDP_FLAGS_UPDATE_IF_NOEXIST // fail with EBUSY if a program is attached
	XDPFlagsSKBMode         XDPFlags = unix.XDP_FLAGS_SKB_MODE          // generic XDP, any driver
	XDPFlagsDrvMode         XDPFlags = unix.XDP_FLAGS_DRV_MODE          // native XDP, in the driver
	XDPFlagsHWMode          XDPFlags = unix.XDP_FLAGS_HW_MODE           // offloaded to the NIC
	XDPFlagsReplace         XDPFlags = unix.XDP_FLAGS_REPLACE           // replace XDPAttachOptions.OldProgFD only
	XDPFlagsModes           XDPFlags = unix.XDP_FLAGS_MODES             // the three mode bits
)

// XDPAttachMode says how the programs of an interface are attached
// (XDP_ATTACHED_*).
type XDPAttachMode uint8

const (
	XDPAttachedNone  XDPAttachMode = iota // XDP_ATTACHED_NONE
	XDPAttachedDrv                        // XDP_ATTACHED_DRV
	XDPAttachedSKB                        // XDP_ATTACHED_SKB
	XDPAttachedHW                         // XDP_ATTACHED_HW
	XDPAttachedMulti                      // XDP_ATTACHED_MULTI: more than one mode has a program
)

// XDPAttachOptions are the options of XDPAttach and XDPDetach (struct
// bpf_xdp_attach_opts).
type XDPAttachOptions struct {
	// OldProgFD, when set, makes the call replace (or detach) only that
	// program, failing with EEXIST when another one is attached.
	OldProgFD int
}

// XDPQueryResult is what XDPQuery reports of an interface (the outputs of
// struct bpf_xdp_query_opts).
type XDPQueryResult struct {
	ProgID       uint32 // the program, when one mode has one
	DrvProgID    uint32
	HWProgID     uint32
	SKBProgID    uint32
	AttachMode   XDPAttachMode
	FeatureFlags uint64 // NETDEV_XDP_ACT_* the device supports
	ZCMaxSegs    uint32 // zero-copy fragments the device takes
}

// XDPAttach attaches the program progFD to the interface ifindex through
// netlink (bpf_xdp_attach), without a link: the attachment stays until
// XDPDetach, whatever happens to the process. Kernels before 5.9, which
// lack XDP links, attach only this way.
func XDPAttach(ifindex, progFD int, flags XDPFlags, opts XDPAttachOptions) error {
	if err := xdpAttach(ifindex, progFD, flags, opts.OldProgFD); err != nil {
		return fmt.Errorf("xdp attach prog fd %d to ifindex %d (flags %#x): %w", progFD, ifindex, uint32(flags), err)
	}
	return nil
}

// XDPDetach detaches the netlink-attached XDP program of the interface
// ifindex (bpf_xdp_detach); flags carry the mode it was attached in.
func XDPDetach(ifindex int, flags XDPFlags, opts XDPAttachOptions) error {
	if err := xdpDetach(ifindex, flags, opts.OldProgFD); err != nil {
		return fmt.Errorf("xdp detach from ifindex %d (flags %#x): %w", ifindex, uint32(flags), err)
	}
	return nil
}

// XDPQuery reports the XDP programs of the interface ifindex and its XDP
// features (bpf_xdp_query).
func XDPQuery(ifindex int, flags XDPFlags) (XDPQueryResult, error) {
	r, err := xdpQuery(ifindex, flags)
	if err != nil {
		return XDPQueryResult{}, fmt.Errorf("xdp query ifindex %d: %w", ifindex, err)
	}
	return r, nil
}

// XDPQueryID returns the ID of the XDP program of the interface ifindex in
// the mode flags names (bpf_xdp_query_id), 0 for none.
func XDPQueryID(ifindex int, flags XDPFlags) (uint32, error) {
	id, err := xdpQueryID(ifindex, flags)
	if err != nil {
		return 0, fmt.Errorf("xdp query id of ifindex %d (flags %#x): %w", ifindex, uint32(flags), err)
	}
	return id, nil
}

// AttachXDPNetlink attaches an XDP program to the interface ifindex through
// netlink (XDPAttach) and returns a Link whose Close detaches it again,
// for kernels before 5.9 that lack XDP links. Close detaches only this
// program (a program attached in its place since stays), and must run in
// the network namespace the attach ran in. The Link has no FD and cannot be
// pinned.
func (p *Program) AttachXDPNetlink(ifindex int, flags XDPFlags) (*Link, error) {
	what := fmt.Sprintf("xdp through netlink to ifindex %d", ifindex)
	fd, err := p.loadedFD()
	if err != nil {
		return nil, p.errorf(err, "attach %s", what)
	}
	// The link keeps its own reference to the program, so that Close can
	// name it as the one to detach even after the object is closed.
	own, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, p.errorf(err, "attach %s: dup program fd", what)
	}
	if err := XDPAttach(ifindex, own, flags, XDPAttachOptions{}); err != nil {
		unix.Close(own)
		return nil, p.errorf(err, "attach %s", what)
	}
	return newDetachLink(func() error {
		defer unix.Close(own)
		err := xdpDetach(ifindex, flags&XDPFlagsModes, own)
		// Gone with its interface, or replaced by another program: this
		// program is not attached any more either way.
		if err == nil || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EEXIST) {
			return nil
		}
		return fmt.Errorf("program %s: detach xdp from ifindex %d: %w", p.name, ifindex, err)
	}), nil
}

// ProgAttachOptions are the options of ProgAttach (struct
// bpf_prog_attach_opts).
type ProgAttachOptions struct {
	Flags            AttachFlags // AttachAllowMulti, AttachAllowOverride, AttachReplace, AttachBefore, ...
	ReplaceProgFD    int         // with AttachReplace on a cgroup: the program to replace
	RelativeFD       int
	RelativeID       uint32
	ExpectedRevision uint64
}

// ProgAttach attaches the program progFD to target (a cgroup fd, a sockmap
// fd, a netns fd, or an ifindex for tcx) without a link (bpf_prog_attach,
// or bpf_prog_attach_opts for options besides Flags): the legacy attach,
// which stays until ProgDetach or until the target goes.
func ProgAttach(progFD, target int, t AttachType, opts ProgAttachOptions) error {
	if err := progAttachFD(progFD, target, t, opts); err != nil {
		return fmt.Errorf("prog attach fd %d to target %d (%s): %w", progFD, target, t, err)
	}
	return nil
}

// ProgDetachOptions are the options of ProgDetach: for tcx and netkit, which
// program to detach relative to which, at which revision of the hook.
type ProgDetachOptions struct {
	Flags            AttachFlags // AttachBefore, AttachAfter, AttachRelativeID, ...
	RelativeFD       int
	RelativeID       uint32
	ExpectedRevision uint64 // ESTALE if the hook changed since
}

// ProgDetach detaches the program progFD from target (bpf_prog_detach2, or
// bpf_prog_detach_opts with options). progFD 0 names no program: it
// detaches the only program of a hook that holds one, such as a cgroup
// hook attached without AttachAllowMulti (bpf_prog_detach). opts is at
// most one value.
func ProgDetach(progFD, target int, t AttachType, opts ...ProgDetachOptions) error {
	o, err := optional(opts)
	if err == nil {
		err = progDetachFD(progFD, target, t, o)
	}
	if err != nil {
		return fmt.Errorf("prog detach fd %d from target %d (%s): %w", progFD, target, t, err)
	}
	return nil
}

// ProgQueryResult lists what is attached to a target's hook.
type ProgQueryResult struct {
	AttachFlags     AttachFlags // of the hook (cgroup: AttachAllowMulti, ...)
	ProgIDs         []uint32
	ProgAttachFlags []uint32 // per program, on cgroup hooks (none with BPF_F_QUERY_EFFECTIVE)
	LinkIDs         []uint32 // per program: the link it is attached with, 0 for none (tcx, netkit)
	Revision        uint64   // of the hook (tcx, netkit)
}

// ProgQuery lists the programs attached to target's hook of type t
// (bpf_prog_query_opts; bpf_prog_query, which asks for the IDs alone, on
// the oldest kernels); queryFlags may be unix.BPF_F_QUERY_EFFECTIVE.
// Kernels that predate per-program attach flags (6.0) or link IDs (6.6)
// report what they know, the rest of ProgQueryResult left nil.
func ProgQuery(target int, t AttachType, queryFlags uint32) (ProgQueryResult, error) {
	// A kernel rejects (EINVAL) a query that asks for more than it knows:
	// ask for less until it answers.
	var r ProgQueryResult
	var err error
	for _, ask := range []struct{ flags, links bool }{{true, true}, {true, false}, {false, false}} {
		if r, err = progQuery(target, t, queryFlags, ask.flags, ask.links); !errors.Is(err, unix.EINVAL) {
			break
		}
	}
	if err != nil {
		return ProgQueryResult{}, fmt.Errorf("prog query target %d (%s): %w", target, t, err)
	}
	return r, nil
}

// progQuery runs one query, with the per-program flags and link IDs when
// asked. The kernel reports the count first; the arrays are sized from it
// and the query repeats while programs come and go in between.
func progQuery(target int, t AttachType, queryFlags uint32, withFlags, withLinks bool) (ProgQueryResult, error) {
	for size := 16; ; {
		ids := make([]uint32, size)
		var flags, links []uint32
		if withFlags {
			flags = make([]uint32, size)
		}
		if withLinks {
			links = make([]uint32, size)
		}
		count, attachFlags, rev, err := progQueryFD(target, t, queryFlags, ids, flags, links, nil)
		if errors.Is(err, unix.ENOSPC) {
			size = int(count)
			continue
		}
		if err != nil {
			return ProgQueryResult{}, err
		}
		n := min(int(count), size)
		cut := func(s []uint32) []uint32 {
			if s == nil {
				return nil
			}
			return s[:n]
		}
		return ProgQueryResult{
			AttachFlags:     AttachFlags(attachFlags),
			ProgIDs:         ids[:n],
			ProgAttachFlags: cut(flags),
			LinkIDs:         cut(links),
			Revision:        rev,
		}, nil
	}
}
