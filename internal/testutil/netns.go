package testutil

import (
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// InNetns runs fn on a goroutine whose OS thread was moved into a new
// network namespace with lo up. The goroutine never unlocks its thread, so
// the Go runtime discards the thread, and the namespace with it, when fn
// returns: nothing a test attaches there outlives it. fn runs libbpf calls,
// attaches and sockets all on that thread; it reports with t.Errorf or by
// returning an error (which fails the test).
func InNetns(t testing.TB, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
			return
		}
		if err := LinkUp("lo"); err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// LinkUp sets IFF_UP on an interface of the calling thread's namespace.
func LinkUp(name string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("interface %q: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("interface %q: SIOCGIFFLAGS: %w", name, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("interface %q: SIOCSIFFLAGS: %w", name, err)
	}
	return nil
}

// SendUDP sends n datagrams to 127.0.0.1:port and receives all n, so that
// every hook on the way (egress, XDP, ingress) has seen them when it returns.
// The deadline only stops a broken test from hanging; a correct run never
// reaches it.
func SendUDP(port, n int) error {
	rc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", port, err)
	}
	defer rc.Close()
	sc, err := net.DialUDP("udp4", nil, rc.LocalAddr().(*net.UDPAddr))
	if err != nil {
		return fmt.Errorf("dial port %d: %w", port, err)
	}
	defer sc.Close()
	payload := []byte("golibbpf network test")
	for i := range n {
		if _, err := sc.Write(payload); err != nil {
			return fmt.Errorf("send datagram %d to port %d: %w", i, port, err)
		}
	}
	if err := rc.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return err
	}
	buf := make([]byte, 256)
	for i := range n {
		if _, _, err := rc.ReadFromUDP(buf); err != nil {
			return fmt.Errorf("receive datagram %d of %d on port %d: %w", i+1, n, port, err)
		}
	}
	return nil
}
