package netif

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ifindex resolves an interface name to its index in the network namespace
// of the calling thread (SIOCGIFINDEX on a throwaway socket). An unknown
// name fails with an error wrapping unix.ENODEV.
func ifindex(name string) (int, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("interface %q: %w", name, err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("interface %q: socket for SIOCGIFINDEX: %w", name, err)
	}
	defer unix.Close(fd)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		if err == unix.ENODEV {
			return 0, fmt.Errorf("interface %q: no such interface in this network namespace: %w", name, err)
		}
		return 0, fmt.Errorf("interface %q: SIOCGIFINDEX: %w", name, err)
	}
	return int(ifr.Uint32()), nil
}
