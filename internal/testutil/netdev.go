package testutil

import (
	"encoding/binary"
	"fmt"
	"net"
	"syscall"
	"time"

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

// LinksUp sets IFF_UP on the named interfaces of the calling thread's
// namespace and returns once the kernel has reported each of them
// operationally up, when frames sent on them go through.
//
// Setting IFF_UP is not enough on a pair (veth, netkit): a device gets its
// carrier only once its peer is up too, and one opened without carrier keeps
// noop_qdisc on its transmit queue until the link watch work activates it,
// later and on a shared workqueue (delayed for as long as, say, an earlier
// test's namespace teardown holds the RTNL). noop_qdisc drops every frame
// while send reports success (NET_XMIT_CN); since 6.11 it counts them in
// tx_dropped. The link watch announces the new operstate (RTM_NEWLINK with
// IF_OPER_UP) after it activated the queues, so LinksUp waits for that
// notification, subscribed before the first IFF_UP so that none is missed.
func LinksUp(names ...string) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK}); err != nil {
		return fmt.Errorf("netlink: subscribe to link notifications: %w", err)
	}
	// The timeout only stops a broken test from hanging; a correct run
	// gets its notifications well before.
	tv := unix.NsecToTimeval((20 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("netlink: SO_RCVTIMEO: %w", err)
	}
	pending := map[string]bool{}
	for _, name := range names {
		if err := LinkUp(name); err != nil {
			return err
		}
		pending[name] = true
	}
	buf := make([]byte, 64<<10)
	for len(pending) > 0 {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("waiting for %v to be operationally up: %w", keys(pending), err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("netlink: parse notification: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			attrs, err := syscall.ParseNetlinkRouteAttr(&m)
			if err != nil {
				return fmt.Errorf("netlink: parse RTM_NEWLINK: %w", err)
			}
			var name string
			var oper byte
			for _, a := range attrs {
				switch a.Attr.Type {
				case unix.IFLA_IFNAME:
					name = unix.ByteSliceToString(a.Value)
				case unix.IFLA_OPERSTATE:
					if len(a.Value) > 0 {
						oper = a.Value[0]
					}
				}
			}
			if oper == ifOperUp {
				delete(pending, name)
			}
		}
	}
	return nil
}

// ifOperUp is IF_OPER_UP of linux/if.h (RFC 2863's operstate up), which
// golang.org/x/sys/unix does not define.
const ifOperUp = 6

// keys lists a set's members.
func keys(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	return out
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
