package libbpf_test

import (
	"errors"
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestTCClassic attaches classic tc filters to lo's ingress and egress as
// Links, checks that both count the datagrams sent while attached and that
// TCQuery sees them, then that Close removes them; then the free
// functions: attach at a chosen handle and priority, replace, detach, and
// the hook's own create and destroy.
func TestTCClassic(t *testing.T) {
	obj := loadNetattach(t, "tc_ingress_count", "tc_egress_count")
	in, eg := obj.Program("tc_ingress_count"), obj.Program("tc_egress_count")
	idIn, err := progID(in)
	if err != nil {
		t.Fatal(err)
	}
	ingress := libbpf.TCHook{Ifindex: loIndex, AttachPoint: libbpf.TCIngress}
	egress := libbpf.TCHook{Ifindex: loIndex, AttachPoint: libbpf.TCEgress}
	const n = 10
	testutil.InNetns(t, func() error {
		lIn, err := in.AttachTC(ingress, libbpf.TCOptions{})
		if err != nil {
			return err
		}
		defer lIn.Close()
		lEg, err := eg.AttachTC(egress, libbpf.TCOptions{Handle: 1, Priority: 1})
		if err != nil {
			return err
		}
		defer lEg.Close()
		filter := libbpf.TCOptions{Handle: 1, Priority: 1}
		got, err := libbpf.TCQuery(egress, filter)
		if err != nil {
			return err
		}
		if egID, _ := progID(eg); got.ProgID != egID {
			t.Errorf("TCQuery(egress) = %+v, want program %d", got, egID)
		}
		if err := testutil.SendUDP(countPort, n); err != nil {
			return err
		}
		for _, l := range []*libbpf.Link{lIn, lEg} {
			if err := l.Close(); err != nil {
				return err
			}
		}
		// The kernel answers ENOENT or EINVAL, depending on what is left.
		if got, err := libbpf.TCQuery(egress, filter); !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EINVAL) {
			t.Errorf("TCQuery after Close = %+v, %v; want ENOENT or EINVAL", got, err)
		}
		if err := testutil.SendUDP(countPort, 3); err != nil {
			return err
		}
		if err := expectSlots(t, obj, "links", map[int]uint64{slotTCIngress: n, slotTCEgress: n}); err != nil {
			return err
		}

		// The free functions. The clsact qdisc AttachTC made is still there.
		if err := ingress.Create(); !errors.Is(err, unix.EEXIST) {
			t.Errorf("Create of an existing clsact: %v, want EEXIST", err)
		}
		at := libbpf.TCOptions{ProgFD: in.FD(), Handle: 7, Priority: 3}
		got, err = libbpf.TCAttach(ingress, at)
		if err != nil {
			return err
		}
		if got.ProgID != idIn || got.Handle != 7 || got.Priority != 3 {
			t.Errorf("TCAttach returned %+v, want program %d at handle 7 priority 3", got, idIn)
		}
		if _, err := libbpf.TCAttach(ingress, at); !errors.Is(err, unix.EEXIST) {
			t.Errorf("TCAttach at a taken handle and priority: %v, want EEXIST", err)
		}
		at.Flags = libbpf.TCReplace
		if _, err := libbpf.TCAttach(ingress, at); err != nil {
			t.Errorf("TCAttach with TCReplace: %v", err)
		}
		if err := testutil.SendUDP(countPort, 2); err != nil {
			return err
		}
		if err := libbpf.TCDetach(ingress, libbpf.TCOptions{Handle: 7, Priority: 3}); err != nil {
			return err
		}
		if err := testutil.SendUDP(countPort, 2); err != nil {
			return err
		}
		if err := expectSlots(t, obj, "free functions", map[int]uint64{slotTCIngress: n + 2, slotTCEgress: n}); err != nil {
			return err
		}
		// Destroying both sides removes the qdisc: creating it works again.
		both := libbpf.TCHook{Ifindex: loIndex, AttachPoint: libbpf.TCIngress | libbpf.TCEgress}
		if err := both.Destroy(); err != nil {
			return err
		}
		if err := ingress.Create(); err != nil {
			t.Errorf("Create after Destroy: %v", err)
		}
		return both.Destroy()
	})
}
