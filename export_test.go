package libbpf

// LiveHandles exposes the number of cgo handles the module holds to tests.
func LiveHandles() int64 { return liveHandles.Load() }
