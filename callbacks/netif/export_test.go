package netif

// ForceFallbacks makes Attach use netlink XDP (xdp) and classic tc (tc) as
// on kernels that lack XDP links and tcx, until the returned restore runs.
func ForceFallbacks(xdp, tc bool) (restore func()) {
	oldXDP, oldTC := useXDPNetlink, useClassicTC
	useXDPNetlink = func() bool { return xdp }
	useClassicTC = func() bool { return tc }
	return func() { useXDPNetlink, useClassicTC = oldXDP, oldTC }
}
