package libbpf_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// countPort is COUNT_PORT of testdata/netattach.bpf.c: its programs count
// UDP datagrams to it only.
const countPort = 40101

// Slots of the counts map in testdata/netattach.bpf.c.
const (
	slotXDP = iota
	slotTCIngress
	slotTCEgress
	slotTCXA
	slotTCXB
	slotCgroupEgress
	slotSkLookup
	slotSkMsg
	slotNetfilter
	slotNetkit
	numSlots
)

// loIndex is lo's ifindex in every network namespace.
const loIndex = 1

// loadNetattach opens testdata/netattach.bpf.o, loads the named programs
// only and closes the object when the test ends.
func loadNetattach(t *testing.T, progs ...string) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "netattach")
	for _, p := range obj.Programs() {
		if err := p.SetAutoload(slices.Contains(progs, p.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := obj.Load(); err != nil {
		t.Fatalf("load %v: %v", progs, err)
	}
	return obj
}

// readSlots reads an array map of numSlots u64 values. It returns an error
// rather than failing the test, for use inside testutil.InNetns.
func readSlots(obj *libbpf.Object, mapName string) ([]uint64, error) {
	out := make([]uint64, numSlots)
	val := make([]byte, 8)
	for i := range out {
		if err := obj.Map(mapName).Lookup(u32(uint32(i)), val); err != nil {
			return nil, fmt.Errorf("lookup %s[%d]: %w", mapName, i, err)
		}
		out[i] = binary.NativeEndian.Uint64(val)
	}
	return out, nil
}

// expectSlots checks the counts map: want maps a slot to its count, every
// other slot must be 0.
func expectSlots(t *testing.T, obj *libbpf.Object, what string, want map[int]uint64) error {
	t.Helper()
	got, err := readSlots(obj, "counts")
	if err != nil {
		return err
	}
	for i, v := range got {
		if v != want[i] {
			t.Errorf("%s: counts[%d] = %d, want %d (all: %v)", what, i, v, want[i], got)
		}
	}
	return nil
}

// countOnlyWhileAttached attaches with attach, sends n packets with send,
// destroys the link, sends a few more, and checks that slot (and no other
// slot) counted the n sent while attached.
func countOnlyWhileAttached(t *testing.T, obj *libbpf.Object, what string, slot, n int,
	attach func() (*libbpf.Link, error), send func(round, n int) error) error {
	t.Helper()
	l, err := attach()
	if err != nil {
		return err
	}
	if err := send(0, n); err != nil {
		l.Close()
		return err
	}
	if err := l.Close(); err != nil {
		return err
	}
	if err := send(1, 3); err != nil {
		return err
	}
	return expectSlots(t, obj, what, map[int]uint64{slot: uint64(n)})
}

// sendUDP is a send function of countOnlyWhileAttached.
func sendUDP(_, n int) error { return testutil.SendUDP(countPort, n) }

// progID returns a loaded program's kernel ID.
func progID(p *libbpf.Program) (uint32, error) {
	st, err := p.Stats()
	return st.ID, err
}

// lacking checks, on a kernel the table says lacks f, that attach fails
// with a wrapped errno and leaves no fd behind; it reports whether the
// kernel lacks f (and the caller should stop).
func lacking(t *testing.T, f testutil.Feature, attach func() (*libbpf.Link, error)) bool {
	t.Helper()
	why, lacks := testutil.KernelLacks(f)
	if !lacks {
		return false
	}
	before := testutil.OpenFDs(t)
	l, err := attach()
	if err == nil {
		l.Close()
		t.Fatalf("%s: attach succeeded where the table says the kernel lacks it", why)
	}
	var errno unix.Errno
	if !errors.As(err, &errno) {
		t.Errorf("%s: attach error %v wraps no errno", why, err)
	}
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%s: %d open fds after the failed attach, %d before", why, after, before)
	}
	t.Logf("%s: attach fails cleanly: %v", why, err)
	return true
}

// TestNetProbes checks each probe's answer against the kernel table: nil
// where the kernel has the feature, ErrNotSupported naming the release
// where it lacks it.
func TestNetProbes(t *testing.T) {
	testutil.RequireKernel(t)
	for _, tc := range []struct {
		feature testutil.Feature
		probe   func() error
		since   string
	}{
		{testutil.FeatureTCX, libbpf.ProbeTCX, "Linux 6.6"},
		{testutil.FeatureXDPLink, libbpf.ProbeXDPLink, "Linux 5.9"},
		{testutil.FeatureXDPFrags, libbpf.ProbeXDPFrags, "Linux 5.18"},
	} {
		err := tc.probe()
		if testutil.KernelHas(tc.feature) {
			if err != nil {
				t.Errorf("%s: probe = %v on a kernel that has it", tc.feature, err)
			}
			continue
		}
		if !errors.Is(err, libbpf.ErrNotSupported) || !strings.Contains(fmt.Sprint(err), tc.since) {
			t.Errorf("%s: probe = %v, want ErrNotSupported naming %s", tc.feature, err, tc.since)
		}
	}
}

// loads reports whether the kernel loads prog of testdata/netattach.bpf.o.
func loads(t *testing.T, prog string) bool {
	t.Helper()
	obj := openTest(t, "netattach")
	defer obj.Close()
	for _, p := range obj.Programs() {
		if err := p.SetAutoload(p.Name() == prog); err != nil {
			t.Fatal(err)
		}
	}
	return obj.Load() == nil
}

// loadFailsCleanly checks, on a kernel that lacks a program type, that
// loading prog fails with a wrapped errno and that Close leaves no fd.
func loadFailsCleanly(t *testing.T, why, prog string) {
	t.Helper()
	before := testutil.OpenFDs(t)
	obj := openTest(t, "netattach")
	for _, p := range obj.Programs() {
		if err := p.SetAutoload(p.Name() == prog); err != nil {
			t.Fatal(err)
		}
	}
	err := obj.Load()
	var errno unix.Errno
	if err == nil {
		t.Errorf("%s: %s loaded", why, prog)
	} else if !errors.As(err, &errno) {
		t.Errorf("%s: load error %v wraps no errno", why, err)
	}
	if err := obj.Close(); err != nil {
		t.Error(err)
	}
	if after := testutil.OpenFDs(t); after != before {
		t.Errorf("%s: %d open fds after Close, %d before Open", why, after, before)
	}
	t.Logf("%s: load fails cleanly: %.200v", why, err)
}

// TestXDPNetlink attaches an XDP program to lo through netlink, both with
// the free functions and as a Link, checks that it counts the datagrams
// sent while attached and only those, and that queries see it.
func TestXDPNetlink(t *testing.T) {
	obj := loadNetattach(t, "xdp_count")
	prog := obj.Program("xdp_count")
	id, err := progID(prog)
	if err != nil {
		t.Fatal(err)
	}
	const n = 11
	testutil.InNetns(t, func() error {
		if got, err := libbpf.XDPQueryID(loIndex, 0); err != nil || got != 0 {
			return fmt.Errorf("XDPQueryID before attach = %d, %v; want 0", got, err)
		}
		l, err := prog.AttachXDPNetlink(loIndex, libbpf.XDPFlagsSKBMode)
		if err != nil {
			return err
		}
		defer l.Close()
		if got, err := libbpf.XDPQueryID(loIndex, libbpf.XDPFlagsSKBMode); err != nil || got != id {
			t.Errorf("XDPQueryID(skb mode) = %d, %v; want %d", got, err, id)
		}
		q, err := libbpf.XDPQuery(loIndex, 0)
		if err != nil {
			return err
		}
		if q.AttachMode != libbpf.XDPAttachedSKB || q.SKBProgID != id || q.ProgID != id {
			t.Errorf("XDPQuery = %+v, want skb mode with program %d", q, id)
		}
		err = libbpf.XDPAttach(loIndex, prog.FD(), libbpf.XDPFlagsSKBMode|libbpf.XDPFlagsUpdateIfNoExist, libbpf.XDPAttachOptions{})
		if !errors.Is(err, unix.EBUSY) {
			t.Errorf("XDPAttach with UPDATE_IF_NOEXIST over a program: %v, want EBUSY", err)
		}
		if fd := l.FD(); fd != -1 {
			t.Errorf("FD of a netlink XDP link = %d, want -1", fd)
		}
		if err := l.Pin("/sys/fs/bpf/never"); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("Pin of a netlink XDP link: %v, want EOPNOTSUPP", err)
		}
		if err := testutil.SendUDP(countPort, n); err != nil {
			return err
		}
		if err := l.Close(); err != nil {
			return err
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if got, err := libbpf.XDPQueryID(loIndex, libbpf.XDPFlagsSKBMode); err != nil || got != 0 {
			t.Errorf("XDPQueryID after Close = %d, %v; want 0", got, err)
		}
		if err := testutil.SendUDP(countPort, 3); err != nil {
			return err
		}
		if err := expectSlots(t, obj, "link", map[int]uint64{slotXDP: n}); err != nil {
			return err
		}

		// The free functions: attach, detach naming the program.
		if err := libbpf.XDPAttach(loIndex, prog.FD(), libbpf.XDPFlagsSKBMode, libbpf.XDPAttachOptions{}); err != nil {
			return err
		}
		if err := testutil.SendUDP(countPort, 2); err != nil {
			return err
		}
		if err := libbpf.XDPDetach(loIndex, libbpf.XDPFlagsSKBMode, libbpf.XDPAttachOptions{OldProgFD: prog.FD()}); err != nil {
			return err
		}
		if got, err := libbpf.XDPQueryID(loIndex, 0); err != nil || got != 0 {
			t.Errorf("XDPQueryID after XDPDetach = %d, %v; want 0", got, err)
		}
		return expectSlots(t, obj, "free functions", map[int]uint64{slotXDP: n + 2})
	})
}

// TestXDPLinkOrLacks attaches with an XDP link where the kernel has them,
// and checks the clean failure where it does not.
func TestXDPLinkOrLacks(t *testing.T) {
	obj := loadNetattach(t, "xdp_count")
	prog := obj.Program("xdp_count")
	testutil.InNetns(t, func() error {
		if lacking(t, testutil.FeatureXDPLink, func() (*libbpf.Link, error) { return prog.AttachXDP(loIndex) }) {
			return nil
		}
		return countOnlyWhileAttached(t, obj, "xdp link", slotXDP, 5,
			func() (*libbpf.Link, error) { return prog.AttachXDP(loIndex) }, sendUDP)
	})
}

// TestTCXOrder attaches two tcx programs to lo's ingress, the second one
// before the first, and checks the order they run in from the sequence
// numbers they stamp; then moves the second after the first by ID, and
// checks ProgQuery's view and the revision and option errors.
func TestTCXOrder(t *testing.T) {
	if why, lacks := testutil.KernelLacks(testutil.FeatureTCX); lacks && !loads(t, "tcx_a") {
		// Kernels before tcx may refuse its attach type at load (5.10).
		loadFailsCleanly(t, why, "tcx_a")
		return
	}
	obj := loadNetattach(t, "tcx_a", "tcx_b")
	a, b := obj.Program("tcx_a"), obj.Program("tcx_b")
	idA, err := progID(a)
	if err != nil {
		t.Fatal(err)
	}
	idB, err := progID(b)
	if err != nil {
		t.Fatal(err)
	}
	testutil.InNetns(t, func() error {
		if lacking(t, testutil.FeatureTCX, func() (*libbpf.Link, error) { return b.AttachTCX(loIndex) }) {
			return nil
		}
		lb, err := b.AttachTCX(loIndex)
		if err != nil {
			return err
		}
		defer lb.Close()
		la, err := a.AttachTCX(loIndex, libbpf.TCXOptions{Flags: libbpf.AttachBefore, RelativeFD: b.FD()})
		if err != nil {
			return err
		}
		defer la.Close()
		q, err := libbpf.ProgQuery(loIndex, libbpf.AttachTypeTCXIngress, 0)
		if err != nil {
			return err
		}
		if !slices.Equal(q.ProgIDs, []uint32{idA, idB}) || len(q.LinkIDs) != 2 || q.LinkIDs[0] == 0 || q.Revision == 0 {
			t.Errorf("ProgQuery = %+v, want programs [%d %d] with links and a revision", q, idA, idB)
		}
		if err := checkOrder(t, obj, "a before b", slotTCXA, slotTCXB); err != nil {
			return err
		}

		// a again, now after b (named by ID), at the revision just read.
		if err := la.Close(); err != nil {
			return err
		}
		q, err = libbpf.ProgQuery(loIndex, libbpf.AttachTypeTCXIngress, 0)
		if err != nil {
			return err
		}
		_, err = a.AttachTCX(loIndex, libbpf.TCXOptions{ExpectedRevision: q.Revision + 100})
		if !errors.Is(err, unix.ESTALE) {
			t.Errorf("AttachTCX at a stale revision: %v, want ESTALE", err)
		}
		_, err = a.AttachTCX(loIndex, libbpf.TCXOptions{}, libbpf.TCXOptions{})
		if !errors.Is(err, unix.EINVAL) {
			t.Errorf("AttachTCX with two options: %v, want EINVAL", err)
		}
		la, err = a.AttachTCX(loIndex, libbpf.TCXOptions{
			Flags: libbpf.AttachAfter | libbpf.AttachRelativeID, RelativeID: idB, ExpectedRevision: q.Revision,
		})
		if err != nil {
			return err
		}
		defer la.Close()
		if err := checkOrder(t, obj, "b before a", slotTCXB, slotTCXA); err != nil {
			return err
		}

		// a once more without a link (libbpf's plain bpf_prog_attach),
		// detached at the hook's revision (bpf_prog_detach_opts).
		if err := la.Close(); err != nil {
			return err
		}
		if err := libbpf.ProgAttach(a.FD(), loIndex, libbpf.AttachTypeTCXIngress, libbpf.ProgAttachOptions{}); err != nil {
			return err
		}
		q, err = libbpf.ProgQuery(loIndex, libbpf.AttachTypeTCXIngress, 0)
		if err != nil {
			return err
		}
		if !slices.Equal(q.ProgIDs, []uint32{idB, idA}) || q.LinkIDs[1] != 0 {
			t.Errorf("ProgQuery after ProgAttach = %+v, want programs [%d %d], the second without a link", q, idB, idA)
		}
		err = libbpf.ProgDetach(a.FD(), loIndex, libbpf.AttachTypeTCXIngress, libbpf.ProgDetachOptions{ExpectedRevision: q.Revision + 100})
		if !errors.Is(err, unix.ESTALE) {
			t.Errorf("ProgDetach at a stale revision: %v, want ESTALE", err)
		}
		err = libbpf.ProgDetach(a.FD(), loIndex, libbpf.AttachTypeTCXIngress, libbpf.ProgDetachOptions{ExpectedRevision: q.Revision})
		if err != nil {
			return err
		}
		q, err = libbpf.ProgQuery(loIndex, libbpf.AttachTypeTCXIngress, 0)
		if err != nil || !slices.Equal(q.ProgIDs, []uint32{idB}) {
			t.Errorf("ProgQuery after ProgDetach = %+v, %v; want program %d alone", q, err, idB)
		}
		return nil
	})
}

// checkOrder sends datagrams over lo and checks that the tcx programs of
// slots first and second both counted each, first running just before
// second on the last one.
func checkOrder(t *testing.T, obj *libbpf.Object, what string, first, second int) error {
	t.Helper()
	before, err := readSlots(obj, "counts")
	if err != nil {
		return err
	}
	const n = 6
	if err := testutil.SendUDP(countPort, n); err != nil {
		return err
	}
	after, err := readSlots(obj, "counts")
	if err != nil {
		return err
	}
	stamps, err := readSlots(obj, "stamps")
	if err != nil {
		return err
	}
	for _, s := range []int{first, second} {
		if after[s]-before[s] != n {
			t.Errorf("%s: slot %d counted %d datagrams, want %d", what, s, after[s]-before[s], n)
		}
	}
	if stamps[second] != stamps[first]+1 {
		t.Errorf("%s: last stamps: slot %d got %d, slot %d got %d; want the second one right after the first",
			what, first, stamps[first], second, stamps[second])
	}
	return nil
}

// TestNetkit attaches a program to a netkit device where the kernel has
// netkit; elsewhere it checks the clean failure on lo.
func TestNetkit(t *testing.T) {
	obj := loadNetattach(t, "netkit_count")
	prog := obj.Program("netkit_count")
	testutil.InNetns(t, func() error {
		if lacking(t, testutil.FeatureNetkit, func() (*libbpf.Link, error) {
			return prog.AttachNetkit(loIndex, libbpf.NetkitOptions{})
		}) {
			return nil
		}
		// A netkit pair in L2 mode. The primary's programs run in its
		// transmit routine: frames sent on the primary count, frames sent
		// on the peer do not.
		if err := testutil.AddNetkit("nkp", "nkq"); err != nil {
			return err
		}
		// Not LinkUp: nkp, up before its peer, would drop what the test
		// sends until the link watch activates its queue (see LinksUp).
		if err := testutil.LinksUp("nkp", "nkq"); err != nil {
			return err
		}
		primary, err := net.InterfaceByName("nkp")
		if err != nil {
			return err
		}
		_, err = prog.AttachNetkit(loIndex, libbpf.NetkitOptions{})
		if err == nil {
			t.Errorf("AttachNetkit to lo, not a netkit device, succeeded")
		}
		l, err := prog.AttachNetkit(primary.Index, libbpf.NetkitOptions{})
		if err != nil {
			return err
		}
		defer l.Close()
		const n = 7
		frame := testutil.UDPFrame(countPort, []byte("netkit"))
		if err := testutil.InjectFrames("nkp", frame, n); err != nil {
			return err
		}
		if err := testutil.InjectFrames("nkq", frame, 3); err != nil {
			return err
		}
		return expectSlots(t, obj, "netkit", map[int]uint64{slotNetkit: n})
	})
}

// TestNetfilter counts the datagrams lo delivers at NF_INET_LOCAL_IN with a
// netfilter link, checks that bad options fail cleanly, and that the count
// stops with the link.
func TestNetfilter(t *testing.T) {
	if why, lacks := testutil.KernelLacks(testutil.FeatureNetfilter); lacks {
		// The program type came with the link (6.4): the load fails.
		loadFailsCleanly(t, why, "netfilter_count")
		return
	}
	obj := loadNetattach(t, "netfilter_count")
	prog := obj.Program("netfilter_count")
	opts := libbpf.NetfilterOptions{PF: unix.NFPROTO_IPV4, Hooknum: unix.NF_INET_LOCAL_IN, Priority: -128}
	testutil.InNetns(t, func() error {
		if lacking(t, testutil.FeatureNetfilter, func() (*libbpf.Link, error) { return prog.AttachNetfilter(opts) }) {
			return nil
		}
		for _, bad := range []libbpf.NetfilterOptions{
			{PF: unix.NFPROTO_IPV4, Hooknum: 99, Priority: -128},
			{PF: 99, Hooknum: unix.NF_INET_LOCAL_IN, Priority: -128},
			{PF: unix.NFPROTO_IPV4, Hooknum: unix.NF_INET_LOCAL_IN, Priority: -1 << 31},
		} {
			before := testutil.OpenFDs(t)
			l, err := prog.AttachNetfilter(bad)
			var errno unix.Errno
			if err == nil {
				l.Close()
				t.Errorf("AttachNetfilter(%+v) succeeded", bad)
			} else if !errors.As(err, &errno) {
				t.Errorf("AttachNetfilter(%+v): %v wraps no errno", bad, err)
			}
			if after := testutil.OpenFDs(t); after != before {
				t.Errorf("AttachNetfilter(%+v): %d fds after, %d before", bad, after, before)
			}
		}
		return countOnlyWhileAttached(t, obj, "netfilter", slotNetfilter, 9,
			func() (*libbpf.Link, error) { return prog.AttachNetfilter(opts) }, sendUDP)
	})
}

// TestSkLookup attaches an sk_lookup program to a private network namespace
// with a netns link: every datagram delivered there runs it once.
func TestSkLookup(t *testing.T) {
	obj := loadNetattach(t, "sk_lookup_count")
	prog := obj.Program("sk_lookup_count")
	testutil.InNetns(t, func() error {
		ns, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			return err
		}
		defer ns.Close()
		if lacking(t, testutil.FeatureSkLookup, func() (*libbpf.Link, error) { return prog.AttachNetns(int(ns.Fd())) }) {
			return nil
		}
		return countOnlyWhileAttached(t, obj, "sk_lookup", slotSkLookup, 8,
			func() (*libbpf.Link, error) { return prog.AttachNetns(int(ns.Fd())) }, sendUDP)
	})
}

// tcpPair connects a TCP client to a listener on 127.0.0.1 and returns both
// ends.
func tcpPair() (client, server *net.TCPConn, err error) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	client, err = net.DialTCP("tcp4", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		return nil, nil, err
	}
	server, err = ln.AcceptTCP()
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, server, nil
}

// connFD returns the socket fd of c (valid while c is open).
func connFD(c *net.TCPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// sendThroughSockmap puts a new TCP connection's client end in slot of the
// sockmap and sends n messages through it, reading them back.
func sendThroughSockmap(obj *libbpf.Object, slot uint32, n int) error {
	client, server, err := tcpPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()
	fd, err := connFD(client)
	if err != nil {
		return err
	}
	if err := obj.Map("socks").Update(u32(slot), binary.NativeEndian.AppendUint64(nil, uint64(fd)), libbpf.UpdateAny); err != nil {
		return err
	}
	msg := []byte("sockmap")
	buf := make([]byte, len(msg))
	for i := range n {
		if _, err := client.Write(msg); err != nil {
			return fmt.Errorf("write %d: %w", i, err)
		}
		// One message at a time, so that each write is one sendmsg.
		if _, err := server.Read(buf); err != nil {
			return fmt.Errorf("read %d: %w", i, err)
		}
	}
	return obj.Map("socks").Delete(u32(slot))
}

// TestSockmap attaches an sk_msg verdict program to a sockmap with a link
// and checks that it runs on every message a socket in the map sends, and
// not for a socket added after the link is gone.
func TestSockmap(t *testing.T) {
	obj := loadNetattach(t, "sk_msg_count")
	prog := obj.Program("sk_msg_count")
	mapFD := obj.Map("socks").FD()
	testutil.InNetns(t, func() error {
		if lacking(t, testutil.FeatureSockmapLink, func() (*libbpf.Link, error) { return prog.AttachSockmap(mapFD) }) {
			return nil
		}
		// Each round uses a new connection in its own slot: a socket in the
		// map keeps the programs the map had when it was added.
		return countOnlyWhileAttached(t, obj, "sk_msg", slotSkMsg, 5,
			func() (*libbpf.Link, error) { return prog.AttachSockmap(mapFD) },
			func(round, n int) error { return sendThroughSockmap(obj, uint32(round), n) })
	})
}

// TestNetAttachBadInput checks that attaching to targets that do not exist
// fails with a wrapped errno and leaves no fd behind.
func TestNetAttachBadInput(t *testing.T) {
	const noIfindex = 1 << 30
	progs := []string{"xdp_count", "tc_ingress_count", "cgroup_egress_count", "sk_lookup_count", "sk_msg_count"}
	type attachCase struct {
		name   string
		attach func() (*libbpf.Link, error)
	}
	var cases []attachCase
	var obj *libbpf.Object
	if testutil.KernelHas(testutil.FeatureTCX) { // elsewhere tcx_a may not load (5.10)
		progs = append(progs, "tcx_a")
		cases = append(cases, attachCase{"tcx to a missing interface",
			func() (*libbpf.Link, error) { return obj.Program("tcx_a").AttachTCX(noIfindex) }})
	}
	obj = loadNetattach(t, progs...)
	for _, tc := range append(cases, []attachCase{
		{"xdp link to a missing interface", func() (*libbpf.Link, error) { return obj.Program("xdp_count").AttachXDP(noIfindex) }},
		{"netlink xdp to a missing interface", func() (*libbpf.Link, error) {
			return obj.Program("xdp_count").AttachXDPNetlink(noIfindex, 0)
		}},
		{"classic tc to a missing interface", func() (*libbpf.Link, error) {
			return obj.Program("tc_ingress_count").AttachTC(libbpf.TCHook{Ifindex: noIfindex, AttachPoint: libbpf.TCIngress}, libbpf.TCOptions{})
		}},
		{"cgroup fd -1", func() (*libbpf.Link, error) { return obj.Program("cgroup_egress_count").AttachCgroup(-1) }},
		{"netns fd -1", func() (*libbpf.Link, error) { return obj.Program("sk_lookup_count").AttachNetns(-1) }},
		{"sockmap fd -1", func() (*libbpf.Link, error) { return obj.Program("sk_msg_count").AttachSockmap(-1) }},
		{"cgroup with two options", func() (*libbpf.Link, error) {
			return obj.Program("cgroup_egress_count").AttachCgroup(0, libbpf.CgroupOptions{}, libbpf.CgroupOptions{})
		}},
	}...) {
		before := testutil.OpenFDs(t)
		l, err := tc.attach()
		var errno unix.Errno
		if err == nil {
			l.Close()
			t.Errorf("%s: attach succeeded", tc.name)
		} else if !errors.As(err, &errno) {
			t.Errorf("%s: %v wraps no errno", tc.name, err)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
		if after := testutil.OpenFDs(t); after != before {
			t.Errorf("%s: %d fds after, %d before", tc.name, after, before)
		}
	}
	// Not loaded: the netlink helpers need a program fd.
	unloaded := openTest(t, "netattach")
	if _, err := unloaded.Program("xdp_count").AttachXDPNetlink(loIndex, 0); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("AttachXDPNetlink before Load: %v, want ErrNotLoaded", err)
	}
	if _, err := unloaded.Program("tc_ingress_count").AttachTC(libbpf.TCHook{Ifindex: loIndex, AttachPoint: libbpf.TCIngress}, libbpf.TCOptions{}); !errors.Is(err, libbpf.ErrNotLoaded) {
		t.Errorf("AttachTC before Load: %v, want ErrNotLoaded", err)
	}
}

// TestCgroup attaches a cgroup_skb egress program to a fresh cgroup v2
// directory, with a link and then with the legacy ProgAttach, and checks
// that it counts exactly the datagrams a child process started in that
// cgroup sends while it is attached.
func TestCgroup(t *testing.T) {
	obj := loadNetattach(t, "cgroup_egress_count")
	prog := obj.Program("cgroup_egress_count")
	cg, err := os.Open(testutil.Cgroup2Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Close()
	cgFD := int(cg.Fd())
	child := func(_, n int) error {
		cmd := testutil.UDPChild(countPort, n)
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: cgFD}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("child in the cgroup: %w: %s", err, out)
		}
		return nil
	}
	attach := func() (*libbpf.Link, error) { return prog.AttachCgroup(cgFD) }
	if lacking(t, testutil.FeatureCgroupLink, attach) {
		return
	}
	const n, m = 6, 4
	if err := countOnlyWhileAttached(t, obj, "cgroup link", slotCgroupEgress, n, attach, child); err != nil {
		t.Fatal(err)
	}

	// The legacy attach, which has no link.
	id, err := progID(prog)
	if err != nil {
		t.Fatal(err)
	}
	const egress = libbpf.AttachTypeCgroupInetEgress
	if err := libbpf.ProgAttach(prog.FD(), cgFD, egress, libbpf.ProgAttachOptions{Flags: libbpf.AttachAllowMulti}); err != nil {
		t.Fatal(err)
	}
	q, err := libbpf.ProgQuery(cgFD, egress, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.ProgIDs, []uint32{id}) || q.AttachFlags != libbpf.AttachAllowMulti {
		t.Errorf("ProgQuery = %+v, want program %d attached with AttachAllowMulti", q, id)
	}
	if err := child(0, m); err != nil {
		t.Fatal(err)
	}
	if err := libbpf.ProgDetach(prog.FD(), cgFD, egress); err != nil {
		t.Fatal(err)
	}
	if q, err := libbpf.ProgQuery(cgFD, egress, 0); err != nil || len(q.ProgIDs) != 0 {
		t.Errorf("ProgQuery after ProgDetach = %+v, %v; want no programs", q, err)
	}
	if err := libbpf.ProgDetach(prog.FD(), cgFD, egress); !errors.Is(err, unix.ENOENT) {
		t.Errorf("second ProgDetach: %v, want ENOENT", err)
	}
	// Attached alone (no AttachAllowMulti), detached without naming it.
	if err := libbpf.ProgAttach(prog.FD(), cgFD, egress, libbpf.ProgAttachOptions{}); err != nil {
		t.Fatal(err)
	}
	if q, err := libbpf.ProgQuery(cgFD, egress, 0); err != nil || !slices.Equal(q.ProgIDs, []uint32{id}) || q.AttachFlags != 0 {
		t.Errorf("ProgQuery = %+v, %v; want program %d attached without flags", q, err, id)
	}
	if err := libbpf.ProgDetach(0, cgFD, egress); err != nil {
		t.Fatal(err)
	}
	if q, err := libbpf.ProgQuery(cgFD, egress, 0); err != nil || len(q.ProgIDs) != 0 {
		t.Errorf("ProgQuery after ProgDetach(0) = %+v, %v; want no programs", q, err)
	}
	if err := child(0, 2); err != nil {
		t.Fatal(err)
	}
	if err := expectSlots(t, obj, "ProgAttach", map[int]uint64{slotCgroupEgress: n + m}); err != nil {
		t.Fatal(err)
	}
}

// TestLinkCreate makes an XDP link at the fd level on lo: the interface
// runs the program while the link fd is open.
func TestLinkCreate(t *testing.T) {
	obj := loadNetattach(t, "xdp_count")
	prog := obj.Program("xdp_count")
	id, err := progID(prog)
	if err != nil {
		t.Fatal(err)
	}
	testutil.InNetns(t, func() error {
		fd, err := libbpf.LinkCreate(prog.FD(), loIndex, libbpf.AttachTypeXDP, libbpf.LinkCreateOptions{Flags: unix.XDP_FLAGS_SKB_MODE})
		if why, lacks := testutil.KernelLacks(testutil.FeatureXDPLink); lacks {
			t.Log(why)
			if !errors.Is(err, unix.EINVAL) {
				unix.Close(fd)
				t.Errorf("LinkCreate of an XDP link: %v, want EINVAL", err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if got, err := libbpf.XDPQueryID(loIndex, libbpf.XDPFlags(unix.XDP_FLAGS_SKB_MODE)); err != nil || got != id {
			t.Errorf("XDPQueryID with the link = %d, %v; want %d", got, err, id)
		}
		if _, err := libbpf.LinkCreate(prog.FD(), loIndex, libbpf.AttachTypeXDP, libbpf.LinkCreateOptions{Flags: unix.XDP_FLAGS_SKB_MODE}); !errors.Is(err, unix.EBUSY) {
			t.Errorf("a second XDP link on lo: %v, want EBUSY", err)
		}
		unix.Close(fd)
		if got, err := libbpf.XDPQueryID(loIndex, libbpf.XDPFlags(unix.XDP_FLAGS_SKB_MODE)); err != nil || got != 0 {
			t.Errorf("XDPQueryID after closing the link = %d, %v; want 0", got, err)
		}
		return nil
	})
}
