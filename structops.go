package libbpf

import "fmt"

// AttachStructOps registers the struct_ops map m (a SEC(".struct_ops") or
// SEC(".struct_ops.link") variable) with the kernel subsystem it implements
// (bpf_map__attach_struct_ops). Closing the link unregisters it; a link
// of a .struct_ops.link map can swap in another map with Link.UpdateMap.
func (m *Map) AttachStructOps() (*Link, error) {
	c, err := m.ptr()
	if err == nil && !mapIsStructOps(c) {
		err = fmt.Errorf("%s map: %w", mapType(c), ErrNotStructOps)
	}
	if err == nil && mapFD(c) < 0 {
		err = ErrNotLoaded
	}
	var lc *cLink
	if err == nil {
		lc, err = mapAttachStructOps(c)
	}
	if err != nil {
		return nil, fmt.Errorf("map %s: attach struct_ops: %w", m.Name(), err)
	}
	return &Link{c: lc, structOps: true}, nil
}
