package libbpf_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// ccName is the name of the test's congestion control, unique to the
// process since the kernel's list of them is global.
var ccName = fmt.Sprintf("glb_%d", os.Getpid())

// loadStructOps opens testdata/structops.bpf.c with both versions of the
// congestion control renamed to ccName, and loads it. Where the feature
// table says the kernel lacks struct_ops links, it checks that the load
// fails cleanly and returns nil.
func loadStructOps(t *testing.T) *libbpf.Object {
	t.Helper()
	obj := openTest(t, "structops")
	for _, name := range []string{"cc_v1", "cc_v2"} {
		m := obj.Map(name)
		data, err := m.InitialValue()
		if err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(data, []byte("golibbpf_test\x00"))
		if at < 0 {
			t.Fatalf("%s: no name in its %d bytes", name, len(data))
		}
		copy(data[at:at+16], append([]byte(ccName), make([]byte, 16)...))
		if err := m.SetInitialValue(data); err != nil {
			t.Fatal(err)
		}
	}
	if why, lacks := testutil.KernelLacks(testutil.FeatureStructOpsLink); lacks {
		t.Log(why)
		if err := obj.Load(); !errorsIsErrno(err) {
			t.Errorf("Load of struct_ops links: %v, want an errno", err)
		}
		l, err := obj.Map("cc_v1").AttachStructOps()
		if !errors.Is(err, libbpf.ErrNotLoaded) || l != nil {
			t.Errorf("AttachStructOps of a map that did not load: %v, want ErrNotLoaded", err)
		}
		return nil
	}
	if err := obj.Load(); err != nil {
		t.Fatal(err)
	}
	if err := obj.Map("cc_v1").SetInitialValue(make([]byte, 8)); !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.EINVAL) {
		t.Errorf("SetInitialValue of a loaded struct_ops map: %v", err)
	}
	return obj
}

// ccAvailable reports whether the kernel lists the test's congestion control.
func ccAvailable(t *testing.T) bool {
	t.Helper()
	list, err := os.ReadFile("/proc/sys/net/ipv4/tcp_available_congestion_control")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(" "+strings.TrimSpace(string(list))+" ", " "+ccName+" ")
}

// connectWithCC opens a TCP connection over loopback whose sender uses the
// test's congestion control: its init runs when the connection is set up.
func connectWithCC(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, ccName)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

// TestAttachStructOps registers a BPF congestion control through a
// struct_ops link, sees a connection use it, swaps in the second version
// with UpdateMap, and sees the name go with the link.
func TestAttachStructOps(t *testing.T) {
	obj := loadStructOps(t)
	if obj == nil {
		return
	}
	fds := testutil.OpenFDs(t)
	l, err := obj.Map("cc_v1").AttachStructOps()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !ccAvailable(t) {
		t.Fatalf("%s is not among the available congestion controls", ccName)
	}
	connectWithCC(t)
	if v1, v2 := counter(t, obj, 14), counter(t, obj, 15); v1 == 0 || v2 != 0 {
		t.Errorf("first version initialised %d connections, second %d; want some and none", v1, v2)
	}

	if err := l.UpdateMap(obj.Map("cc_v2")); err != nil {
		t.Fatal(err)
	}
	v1 := counter(t, obj, 14)
	connectWithCC(t)
	if got := counter(t, obj, 15); got == 0 || counter(t, obj, 14) != v1 {
		t.Errorf("after UpdateMap the second version initialised %d connections, the first %d more",
			got, counter(t, obj, 14)-v1)
	}
	if err := l.UpdateMap(obj.Map("counts")); !errors.Is(err, libbpf.ErrNotStructOps) {
		t.Errorf("UpdateMap to an array: %v, want ErrNotStructOps", err)
	}
	if err := l.Update(obj.Program("cc_init_v1")); !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("Update of a struct_ops link: %v, want EINVAL or EOPNOTSUPP", err)
	}

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if ccAvailable(t) {
		t.Errorf("%s still available after its link went", ccName)
	}
	if got := testutil.OpenFDs(t); got != fds {
		t.Errorf("%d fds after Close, %d before", got, fds)
	}
}

// TestAttachStructOpsTwice: a second registration of the same name fails
// with the kernel's EEXIST, and leaves the first in place.
func TestAttachStructOpsTwice(t *testing.T) {
	obj := loadStructOps(t)
	if obj == nil {
		return
	}
	l, err := obj.Map("cc_v1").AttachStructOps()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fds := testutil.OpenFDs(t)
	l2, err := obj.Map("cc_v2").AttachStructOps()
	checkClean(t, "second registration of "+ccName, fds, l2, err, unix.EEXIST)
	if !ccAvailable(t) {
		t.Errorf("%s went with the failed second registration", ccName)
	}
}

// TestAssocStructOps associates programs with a struct_ops map, where the
// kernel has BPF_PROG_ASSOC_STRUCT_OPS; libbpf refuses a struct_ops
// program and a map that is not struct_ops on any kernel.
func TestAssocStructOps(t *testing.T) {
	obj := loadStructOps(t)
	if obj == nil {
		return
	}
	basic := loadBasic(t)
	cc := obj.Map("cc_v1")
	if err := obj.Program("cc_init_v1").AssocStructOps(cc); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AssocStructOps of a struct_ops program: %v, want EINVAL", err)
	}
	if err := basic.Program("run_me").AssocStructOps(basic.Map("counts")); !errors.Is(err, unix.EINVAL) {
		t.Errorf("AssocStructOps with an array map: %v, want EINVAL", err)
	}
	errFD := libbpf.ProgAssocStructOps(basic.Program("run_me").FD(), cc.FD(), libbpf.ProgAssocStructOpsOptions{})
	errProg := basic.Program("filter_me").AssocStructOps(cc)
	if why, lacks := testutil.KernelLacks(testutil.FeatureAssocStructOps); lacks {
		t.Log(why)
		if !errors.Is(errFD, unix.EINVAL) || !errors.Is(errProg, unix.EINVAL) {
			t.Errorf("associating without kernel support: %v and %v, want EINVAL", errFD, errProg)
		}
		return
	}
	if errFD != nil || errProg != nil {
		t.Errorf("ProgAssocStructOps: %v; AssocStructOps: %v", errFD, errProg)
	}
}
