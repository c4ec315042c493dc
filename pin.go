package libbpf

import "fmt"

// ObjGetOptions are the options of ObjGet (struct bpf_obj_get_opts).
type ObjGetOptions struct {
	// FileFlags: BPF_F_RDONLY or BPF_F_WRONLY for a map; BPF_F_PATH_FD to
	// resolve a relative path from PathFD (Linux 6.5).
	FileFlags uint32
	PathFD    int
}

// ObjGet opens the BPF object (map, program, link) pinned at path in a BPF
// file system and returns an fd the caller owns (bpf_obj_get, or
// bpf_obj_get_opts with options). OpenPinnedMap makes a *Map of a map's.
func ObjGet(path string, opts ObjGetOptions) (int, error) {
	fd, err := objGet(path, opts)
	if err != nil {
		return -1, fmt.Errorf("get pinned object %q: %w", path, err)
	}
	return fd, nil
}

// ObjPinOptions are the options of ObjPin (struct bpf_obj_pin_opts).
type ObjPinOptions struct {
	// FileFlags: BPF_F_PATH_FD to resolve a relative path from PathFD
	// (Linux 6.5).
	FileFlags uint32
	PathFD    int
}

// ObjPin pins the BPF object fd (map, program, link) at path in a BPF file
// system (bpf_obj_pin, or bpf_obj_pin_opts with options); the pin keeps it
// alive until it is removed. Map.Pin, Link.Pin and Program.Pin pin theirs.
func ObjPin(fd int, path string, opts ObjPinOptions) error {
	if err := objPin(fd, path, opts); err != nil {
		return fmt.Errorf("pin fd %d at %q: %w", fd, path, err)
	}
	return nil
}

// pinAll runs one object-wide pin call on the loaded object.
func (o *Object) pinAll(what, path string, fn func(*cObject, string) error) error {
	if o == nil {
		return fmt.Errorf("%s %q: %w", what, path, errNilObject)
	}
	if o.c == nil {
		return fmt.Errorf("object %q: %s %q: %w", o.name, what, path, ErrClosed)
	}
	if err := fn(o.c, path); err != nil {
		return fmt.Errorf("object %q: %s %q: %w", o.name, what, path, err)
	}
	return nil
}

// PinMaps pins every map of the loaded object under the bpffs directory
// path, each at path/<map name>; "" pins each map at its own PinPath.
func (o *Object) PinMaps(path string) error { return o.pinAll("pin maps at", path, objectPinMaps) }

// UnpinMaps removes the pins PinMaps made.
func (o *Object) UnpinMaps(path string) error {
	return o.pinAll("unpin maps at", path, objectUnpinMaps)
}

// PinPrograms pins every loaded program under path, each at
// path/<program name>.
func (o *Object) PinPrograms(path string) error {
	return o.pinAll("pin programs at", path, objectPinPrograms)
}

// UnpinPrograms removes the pins PinPrograms made.
func (o *Object) UnpinPrograms(path string) error {
	return o.pinAll("unpin programs at", path, objectUnpinPrograms)
}

// Pin pins the maps and programs of the loaded object under path
// (PinMaps, then PinPrograms).
func (o *Object) Pin(path string) error { return o.pinAll("pin at", path, objectPin) }

// Unpin removes the pins Pin made.
func (o *Object) Unpin(path string) error { return o.pinAll("unpin at", path, objectUnpin) }
