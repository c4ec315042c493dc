package variant

import (
	"sync"

	"github.com/golibbpf/libbpf"
)

// verdict is a probe's answer: whether the form takes its fallback, and
// why (the probe's error, or the missing feature).
type verdict struct {
	fallback bool
	why      string
}

// The choices, each probed once per process when Register first needs it
// and logged once: tp_btf against sched_switch (every kernel has that
// tracepoint), fentry against vfs_read (every kernel has that function).
// Tests replace the variables to force a choice (export_test.go).
var (
	useRawTP = probeOnce(func() (bool, error) { return libbpf.ProbeTPBTF("sched_switch", nil) },
		"tp_btf", "tp.best programs load as raw_tp")
	useKprobe = probeOnce(func() (bool, error) { return libbpf.ProbeFentry("vfs_read", nil) },
		"fentry (BPF trampolines)", "fentry.best and fexit.best programs load as kprobe and kretprobe")
)

// probeOnce returns a function that runs probe once and says whether the
// form falls back: where the best variant is missing, and also where the
// probe cannot tell (an error, such as the EPERM of a kernel that refuses
// trampolines), since the fallback is the variant that works on more
// kernels. The choice is logged to libbpf.Logger: at Info level when the
// fallback is taken, at Debug level otherwise.
func probeOnce(probe func() (bool, error), best, fallback string) func() verdict {
	return sync.OnceValue(func() verdict {
		ok, err := probe()
		switch {
		case err != nil:
			libbpf.Logger().Info("variant: "+best+" probe failed: "+fallback, "error", err.Error())
			return verdict{true, "the " + best + " probe failed: " + err.Error()}
		case !ok:
			libbpf.Logger().Info("variant: the kernel lacks " + best + ": " + fallback)
			return verdict{true, "the kernel lacks " + best}
		}
		libbpf.Logger().Debug("variant: the kernel has " + best)
		return verdict{}
	})
}
