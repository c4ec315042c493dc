package libbpf

import (
	"fmt"
	"iter"

	"golang.org/x/sys/unix"
)

// MapCreateOptions are the options of CreateMap (struct
// bpf_map_create_opts); the zero value is libbpf's default.
type MapCreateOptions struct {
	BTFFD                 int
	BTFKeyTypeID          uint32
	BTFValueTypeID        uint32
	BTFVmlinuxValueTypeID uint32
	// InnerMapFD is the template inner map of a map-in-map.
	InnerMapFD        int
	MapFlags          uint32
	MapExtra          uint64
	NumaNode          uint32
	MapIfIndex        uint32
	ValueTypeBTFObjFD int
	TokenFD           int
}

// MapInfo is what the kernel tells about a map (struct bpf_map_info).
type MapInfo struct {
	Type                  MapType
	ID                    uint32
	KeySize               uint32
	ValueSize             uint32
	MaxEntries            uint32
	MapFlags              uint32
	Name                  string
	IfIndex               uint32
	BTFVmlinuxValueTypeID uint32
	BTFID                 uint32
	BTFKeyTypeID          uint32
	BTFValueTypeID        uint32
	MapExtra              uint64
}

// CreateMap creates a map outside any object (bpf_map_create). The Map owns
// its fd: Close it.
func CreateMap(t MapType, name string, keySize, valueSize, maxEntries uint32, opts MapCreateOptions) (*Map, error) {
	fd, err := mapCreate(t, name, keySize, valueSize, maxEntries, &opts)
	if err != nil {
		return nil, fmt.Errorf("create %s map %q (key %d, value %d, max entries %d): %w", t, name, keySize, valueSize, maxEntries, err)
	}
	return mapFromOwnedFD(fd, "create map "+name)
}

// OpenPinnedMap opens the map pinned at path (bpf_obj_get). The Map owns its
// fd: Close it.
func OpenPinnedMap(path string) (*Map, error) {
	fd, err := objGet(path, ObjGetOptions{})
	if err != nil {
		return nil, fmt.Errorf("open pinned map %q: %w", path, err)
	}
	return mapFromOwnedFD(fd, "open pinned map "+path)
}

// MapFromFD returns the map behind fd; on success the Map owns fd and its
// Close closes it.
func MapFromFD(fd int) (*Map, error) {
	if fd < 0 {
		return nil, fmt.Errorf("map from fd %d: %w", fd, unix.EBADF)
	}
	m, err := newFDMap(fd)
	if err != nil {
		return nil, fmt.Errorf("map from fd %d: %w", fd, err)
	}
	return m, nil
}

// MapFromID opens the map with the kernel id (bpf_map_get_fd_by_id). The Map
// owns its fd: Close it. MapGetFDByID returns the bare fd, with options.
func MapFromID(id uint32) (*Map, error) {
	fd, err := getFDByID(idMap, id, GetFDByIDOptions{})
	if err != nil {
		return nil, fmt.Errorf("map from id %d: %w", id, err)
	}
	return mapFromOwnedFD(fd, fmt.Sprintf("map from id %d", id))
}

// mapFromOwnedFD wraps an fd this package opened, closing it on failure.
func mapFromOwnedFD(fd int, what string) (*Map, error) {
	m, err := newFDMap(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

func newFDMap(fd int) (*Map, error) {
	info, err := mapGetInfo(fd)
	if err != nil {
		return nil, fmt.Errorf("map info: %w", err)
	}
	l, err := newMapLayout(fd, info)
	if err != nil {
		return nil, err
	}
	m := &Map{name: info.Name}
	m.layout.Store(l)
	return m, nil
}

// Info asks the kernel about the created map (bpf_map_get_info_by_fd).
func (m *Map) Info() (MapInfo, error) {
	l, err := m.created("info")
	if err != nil {
		return MapInfo{}, err
	}
	info, err := mapGetInfo(l.fd)
	if err != nil {
		return MapInfo{}, fmt.Errorf("map %s: info: %w", m.name, err)
	}
	return info, nil
}

// MapIDs walks the ids of every map in the kernel (bpf_map_get_next_id),
// in increasing order; it stops at the first error, which it yields.
func MapIDs() iter.Seq2[uint32, error] { return ids("map", idMap) }

// ids walks the ids of one kind, as bpf_*_get_next_id does: ENOENT ends it.
func ids(what string, kind idKind) iter.Seq2[uint32, error] {
	return func(yield func(uint32, error) bool) {
		var id uint32
		for {
			n, err := nextID(kind, id)
			if err == unix.ENOENT {
				return
			}
			if err != nil {
				yield(0, fmt.Errorf("next %s id after %d: %w", what, id, err))
				return
			}
			if !yield(n, nil) {
				return
			}
			id = n
		}
	}
}
