package variant

// ForceFallbacks makes Register choose raw_tp for tp.best (rawTP) and
// kprobe for fentry.best and fexit.best (kprobe), or the best variants,
// whatever the kernel has, until the returned restore runs.
func ForceFallbacks(rawTP, kprobe bool) (restore func()) {
	oldTP, oldKprobe := useRawTP, useKprobe
	useRawTP = func() verdict { return verdict{rawTP, "forced by the test"} }
	useKprobe = func() verdict { return verdict{kprobe, "forced by the test"} }
	return func() { useRawTP, useKprobe = oldTP, oldKprobe }
}
