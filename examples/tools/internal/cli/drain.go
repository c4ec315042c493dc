package cli

import (
	"errors"
	"fmt"

	"github.com/golibbpf/libbpf"
)

// Drainer empties a hash map in batches and hands over what it held: a
// few system calls for the whole map where a walk by key takes two or
// three per element, and no element counted twice or lost between two
// reports.
type Drainer struct {
	m            *libbpf.Map
	keys, values []byte
}

// NewDrainer returns a Drainer for the loaded map m.
func NewDrainer(m *libbpf.Map) *Drainer {
	n := int(m.MaxEntries())
	return &Drainer{m: m, keys: make([]byte, n*m.KeySize()), values: make([]byte, n*m.ValueSize())}
}

// Drain deletes every element of the map and calls fn with each key and
// value; the slices are valid until fn returns.
func (d *Drainer) Drain(fn func(key, value []byte) error) error {
	var cursor libbpf.BatchCursor
	ks, vs := d.m.KeySize(), d.m.ValueSize()
	for {
		n, err := d.m.LookupAndDeleteBatch(&cursor, d.keys, d.values, libbpf.BatchOptions{})
		for i := range n {
			if ferr := fn(d.keys[i*ks:(i+1)*ks], d.values[i*vs:(i+1)*vs]); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, libbpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("drain map %s: %w", d.m.Name(), err)
		}
	}
}
