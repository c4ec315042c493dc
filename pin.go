package libbpf

import "fmt"

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
