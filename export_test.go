package libbpf

import "github.com/golibbpf/libbpf/internal/handles"

// LiveHandles exposes the number of cgo handles the module holds to tests.
func LiveHandles() int64 { return handles.Live() }
