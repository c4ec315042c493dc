// Package cmapdump dumps a map with libbpf's C API alone, the baseline of
// BenchmarkMaps: a loop of bpf_map_lookup_batch calls in C, one crossing
// from Go per dump, linked against the same libbpf as the module.
package cmapdump

/*
#cgo CFLAGS: -O2 -Wall
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>

// Reads every element of the map fd into keys and values, count at a
// time; returns how many or a negative errno.
static long dump(int fd, __u32 count, __u32 key_size, __u32 value_size, void *keys, void *values)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 batch = 0, n;
	long total = 0;
	int err;

	for (int first = 1;; first = 0) {
		n = count;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, values, &n, &opts);
		total += n;
		if (err == -ENOENT)
			return total;
		if (err)
			return err;
	}
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Dumper holds C buffers for count elements.
type Dumper struct {
	fd, count, keySize, valueSize int
	keys, values                  unsafe.Pointer
}

// New returns a Dumper of the map fd with count-element buffers; the map's
// keys must be at most 4 bytes wider than a hash map's batch token.
func New(fd, count, keySize, valueSize int) *Dumper {
	return &Dumper{fd: fd, count: count, keySize: keySize, valueSize: valueSize,
		keys: C.malloc(C.size_t(count * keySize)), values: C.malloc(C.size_t(count * valueSize))}
}

// Dump reads the whole map and returns the number of elements.
func (d *Dumper) Dump() (int, error) {
	n := C.dump(C.int(d.fd), C.__u32(d.count), C.__u32(d.keySize), C.__u32(d.valueSize), d.keys, d.values)
	if n < 0 {
		return 0, fmt.Errorf("C bpf_map_lookup_batch: %w", unix.Errno(-n))
	}
	return int(n), nil
}

// Close frees the buffers.
func (d *Dumper) Close() {
	C.free(d.keys)
	C.free(d.values)
}
