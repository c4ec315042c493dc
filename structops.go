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

// ProgAssocStructOpsOptions are the options of ProgAssocStructOps and
// Program.AssocStructOps (struct bpf_prog_assoc_struct_ops_opts).
type ProgAssocStructOpsOptions struct {
	Flags uint32 // 0
}

// ProgAssocStructOps associates the program progFD, which is not itself a
// struct_ops program, with the struct_ops map mapFD, so that the kfuncs it
// calls find the map's struct_ops (bpf_prog_assoc_struct_ops, Linux 6.19).
// Once set, the association stays.
func ProgAssocStructOps(progFD, mapFD int, opts ProgAssocStructOpsOptions) error {
	if err := progAssocStructOps(progFD, mapFD, opts); err != nil {
		return fmt.Errorf("associate program fd %d with struct_ops map fd %d: %w", progFD, mapFD, err)
	}
	return nil
}

// AssocStructOps is ProgAssocStructOps for the loaded program and the
// created struct_ops map m (bpf_program__assoc_struct_ops), which checks
// both first: a struct_ops program, or a map that is not struct_ops or not
// created, fails with EINVAL. opts is at most one value.
func (p *Program) AssocStructOps(m *Map, opts ...ProgAssocStructOpsOptions) error {
	o, err := optional(opts)
	if err != nil {
		return p.errorf(err, "associate with struct_ops map")
	}
	return p.loaded("associate with struct_ops map "+m.Name(), func(c *cProgram, _ int) error {
		mc, err := m.ptr()
		if err != nil {
			return err
		}
		return progAssocStructOpsMap(c, mc, o)
	})
}
