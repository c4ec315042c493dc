package bench

import (
	"testing"
	"time"

	"github.com/golibbpf/libbpf/internal/chandlers"
)

// BenchmarkKernelLoad measures what the kernel alone spends loading one
// program of each object (its first, as libbpf relocated it): the mean
// BPF_PROG_LOAD syscall time ("syscall-ns/prog") and the verification time
// the verifier itself reports with BPF_LOG_STATS ("verify-ns/prog"), over
// 100 loads each. Multiplied by the number of programs, it is the kernel's
// share of Load in the other benchmarks. vmlinux_btf times libbpf's parse
// of the kernel's BTF, which a CO-RE object's Load does first.
func BenchmarkKernelLoad(b *testing.B) {
	requireKernel(b)
	for _, name := range []string{"many_builtin_10", "maps_200", "core"} {
		data := object(b, name+".bpf.o")
		b.Run(name, func(b *testing.B) {
			pin(b)
			var t chandlers.ProgLoadTiming
			for b.Loop() {
				var err error
				if t, err = chandlers.TimeProgLoad(data, 100); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(t.Syscall), "syscall-ns/prog")
			b.ReportMetric(float64(t.Verification), "verify-ns/prog")
			b.ReportMetric(float64(t.Insns), "insns")
		})
	}
	// What a CO-RE object's Load spends in user space before the kernel
	// sees a program: libbpf parsing the running kernel's BTF.
	b.Run("vmlinux_btf", func(b *testing.B) {
		pin(b)
		var total time.Duration
		n := 0
		for b.Loop() {
			t, err := chandlers.TimeVmlinuxBTF()
			if err != nil {
				b.Fatal(err)
			}
			total += t
			n++
		}
		b.ReportMetric(float64(total)/float64(n), "parse-ns/op")
	})
}
