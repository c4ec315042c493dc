package testutil

import (
	"encoding/binary"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// InjectFrames transmits n copies of frame on the interface ifname through a
// packet socket, so that they leave through its egress hooks (and, on a veth
// or netkit pair, arrive at the peer).
func InjectFrames(ifname string, frame []byte, n int) error {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("packet socket: %w", err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrLinklayer{Ifindex: ifi.Index, Protocol: htons(unix.ETH_P_IP), Halen: 6}
	copy(to.Addr[:], frame[:6])
	for i := range n {
		if err := unix.Sendto(fd, frame, 0, to); err != nil {
			return fmt.Errorf("send frame %d on %s: %w", i, ifname, err)
		}
	}
	return nil
}

// htons converts a 16-bit value to network byte order.
func htons(v uint16) uint16 { return v<<8 | v>>8 }

// AddNetkit creates a netkit pair in L2 mode in the calling thread's network
// namespace, primary and its peer, with one RTM_NEWLINK (iproute2 before
// 6.7 cannot).
func AddNetkit(primary, peer string) error {
	peerInfo := append(make([]byte, unix.SizeofIfInfomsg), nlAttr(unix.IFLA_IFNAME, cstr(peer))...)
	data := append(nlAttr(unix.IFLA_NETKIT_PEER_INFO, peerInfo),
		nlAttr(unix.IFLA_NETKIT_MODE, binary.NativeEndian.AppendUint32(nil, unix.NETKIT_L2))...)
	linkInfo := append(nlAttr(unix.IFLA_INFO_KIND, cstr("netkit")), nlAttr(unix.IFLA_INFO_DATA, data)...)
	body := append(make([]byte, unix.SizeofIfInfomsg), nlAttr(unix.IFLA_IFNAME, cstr(primary))...)
	body = append(body, nlAttr(unix.IFLA_LINKINFO, linkInfo)...)
	if err := rtnetlink(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, body); err != nil {
		return fmt.Errorf("create netkit pair %s/%s: %w", primary, peer, err)
	}
	return nil
}

func cstr(s string) []byte { return append([]byte(s), 0) }

// nlAttr encodes one netlink attribute, padded to 4 bytes.
func nlAttr(typ uint16, data []byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, uint16(unix.SizeofRtAttr+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// rtnetlink sends one request and waits for its acknowledgement.
func rtnetlink(typ uint16, flags uint16, body []byte) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	msg := binary.NativeEndian.AppendUint32(nil, uint32(unix.SizeofNlMsghdr+len(body)))
	msg = binary.NativeEndian.AppendUint16(msg, typ)
	msg = binary.NativeEndian.AppendUint16(msg, flags|unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	msg = binary.NativeEndian.AppendUint32(msg, 1) // sequence number
	msg = binary.NativeEndian.AppendUint32(msg, 0) // to the kernel
	msg = append(msg, body...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return fmt.Errorf("netlink receive: %w", err)
	}
	// The reply is one NLMSG_ERROR message: its header, then the error code
	// (0 for an acknowledgement).
	if n < unix.SizeofNlMsghdr+4 || binary.NativeEndian.Uint16(buf[4:]) != unix.NLMSG_ERROR {
		return fmt.Errorf("netlink: unexpected reply of %d bytes", n)
	}
	if code := int32(binary.NativeEndian.Uint32(buf[unix.SizeofNlMsghdr:])); code != 0 {
		return unix.Errno(-code)
	}
	return nil
}
