package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Cgroup2Dir creates a fresh cgroup v2 directory (under the mounted cgroup2
// hierarchy, which it mounts on a temporary directory when there is none)
// and removes it when the test ends. Its name carries the pid and a random
// suffix, so that concurrent test runs never share it.
func Cgroup2Dir(t testing.TB) string {
	t.Helper()
	root, err := cgroup2Root()
	if err != nil {
		t.Fatal(err)
	}
	if root == "" {
		root = t.TempDir()
		if err := unix.Mount("cgroup2", root, "cgroup2", 0, ""); err != nil {
			t.Fatalf("mount cgroup2 on %s: %v", root, err)
		}
		t.Cleanup(func() { unix.Unmount(root, unix.MNT_DETACH) })
	}
	dir := filepath.Join(root, fmt.Sprintf("golibbpf-test-%d-%x", os.Getpid(), rand.Uint32()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A child that just exited leaves the cgroup when it is reaped,
		// which the kernel finishes asynchronously: retry a little.
		var err error
		for range 100 {
			if err = unix.Rmdir(dir); err == nil || !errors.Is(err, unix.EBUSY) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("remove cgroup %s: %v", dir, err)
		}
	})
	return dir
}

// cgroup2Root returns where the cgroup v2 hierarchy is mounted, or "".
func cgroup2Root() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ... mount point (5th field) ... " - " fstype source options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields := strings.Fields(pre)
		if ok && len(fields) >= 5 && strings.HasPrefix(post, "cgroup2 ") {
			return fields[4], nil
		}
	}
	return "", sc.Err()
}

// childEnv names the environment variable that makes a test binary a
// helper child (see RunChild).
const childEnv = "GOLIBBPF_TEST_CHILD"

// RunChild runs the helper-child role a test asked for with ChildCommand
// and exits; TestMain calls it first. Without the role it returns.
func RunChild() {
	role := os.Getenv(childEnv)
	if role == "" {
		return
	}
	var port, n int
	if _, err := fmt.Sscanf(role, "udp %d %d", &port, &n); err != nil {
		fmt.Fprintf(os.Stderr, "unknown child role %q: %v\n", role, err)
		os.Exit(2)
	}
	if err := sendUnconnectedUDP(port, n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// UDPChild returns a command that runs this test binary as a child which
// sends n datagrams to 127.0.0.1:port (with no receiver needed) and exits.
func UDPChild(port, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=udp "+strconv.Itoa(port)+" "+strconv.Itoa(n))
	return cmd
}

// sendUnconnectedUDP sends n datagrams to 127.0.0.1:port from an
// unconnected socket, which ignores the port-unreachable answers.
func sendUnconnectedUDP(port, n int) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	for i := range n {
		if err := unix.Sendto(fd, []byte("golibbpf child"), 0, to); err != nil {
			return fmt.Errorf("send datagram %d to port %d: %w", i, port, err)
		}
	}
	return nil
}
