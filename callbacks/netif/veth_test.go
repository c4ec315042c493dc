package netif_test

import (
	"fmt"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// udpFrame builds the test's UDP frame to port dport.
func udpFrame(dport uint16) []byte {
	return testutil.UDPFrame(dport, []byte("golibbpf netif veth test"))
}

// TestVeth attaches native-mode XDP and tcx programs to the two ends of a
// veth pair by name, injects frames on one end and checks that each program
// counted exactly the frames to the counted port. veth delivers to its peer
// asynchronously (NAPI), so the test waits until the counters reach the
// number sent, then checks that they are exact.
func TestVeth(t *testing.T) { eachMechanism(t, testVeth) }

func testVeth(t *testing.T) {
	testutil.RequireKernel(t)
	ipTool, err := exec.LookPath("ip")
	if err != nil {
		testutil.SkipOrFail(t, "iproute2's ip is needed to create a veth pair: %v", err)
	}
	register(t)
	path := testutil.Object(t, "testdata/veth.bpf.o")
	const n, noise = 40, 9

	testutil.InNetns(t, func() error {
		// Runs on the namespace's thread, so ip creates the pair there.
		if out, err := exec.Command(ipTool, "link", "add", "nifa", "type", "veth", "peer", "name", "nifb").CombinedOutput(); err != nil {
			return fmt.Errorf("ip link add: %v: %s", err, out)
		}
		if err := testutil.LinksUp("nifa", "nifb"); err != nil {
			return err
		}
		obj, err := libbpf.OpenObjectFile(path, nil)
		if err != nil {
			return err
		}
		defer obj.Close()
		if err := obj.Load(); err != nil {
			return err
		}
		if err := obj.Attach(); err != nil {
			return err
		}
		if got := len(obj.Links()); got != 3 {
			t.Errorf("Object.Attach made %d links, want 3", got)
		}
		if err := testutil.InjectFrames("nifb", udpFrame(countPort), n); err != nil {
			return err
		}
		if err := testutil.InjectFrames("nifb", udpFrame(otherPort), noise); err != nil {
			return err
		}
		want := []uint64{n, n, n}
		var got []uint64
		// The deadline only bounds a broken run; the check below is exact.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
			if got, err = readCounts(obj.Map("counts"), len(want)); err != nil {
				return err
			}
			if slices.Equal(got, want) || time.Now().After(deadline) {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("counts [xdp/nifa tc/ingress/nifa tc/egress/nifb] = %v, want %v", got, want)
		}
		return nil
	})
}
