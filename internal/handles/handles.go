// Package handles counts the cgo handles the module holds, so that tests in
// any package (the soak test, the fuzz targets) can prove none leak.
package handles

import (
	"runtime/cgo"
	"sync/atomic"
)

var live atomic.Int64

// New returns a cgo.Handle for v and counts it.
func New(v any) cgo.Handle {
	live.Add(1)
	return cgo.NewHandle(v)
}

// Delete releases h and uncounts it.
func Delete(h cgo.Handle) {
	h.Delete()
	live.Add(-1)
}

// Live returns the number of handles created by New and not yet deleted.
func Live() int64 { return live.Load() }
