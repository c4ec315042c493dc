package netif

// ForceFallbacks makes the handlers use netlink XDP (xdp), classic tc (tc)
// and plain XDP loads of xdp.frags programs (noFrags) as on kernels that
// lack XDP links, tcx and XDP frags, until the returned restore runs.
func ForceFallbacks(xdp, tc, noFrags bool) (restore func()) {
	oldXDP, oldTC, oldFrags := useXDPNetlink, useClassicTC, dropXDPFrags
	useXDPNetlink = func() bool { return xdp }
	useClassicTC = func() bool { return tc }
	dropXDPFrags = func() bool { return noFrags }
	return func() { useXDPNetlink, useClassicTC, dropXDPFrags = oldXDP, oldTC, oldFrags }
}
