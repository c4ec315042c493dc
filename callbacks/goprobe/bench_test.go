package goprobe

import (
	"testing"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/internal/testutil"
)

// BenchmarkReturnProbeAttach compares the control-plane cost of probing
// every return of a function with many (runtime.typesEqual: about 30 RET
// instructions) as one uprobe_multi link, as uretprobe.go does, against one
// classic uprobe per return site. Each iteration attaches and destroys.
func BenchmarkReturnProbeAttach(b *testing.B) {
	testutil.RequireKernel(b)
	target := buildTarget(b, "")
	const symbol = "runtime.typesEqual"
	offsets, err := ReturnOffsets(target, symbol)
	if err != nil {
		b.Fatal(err)
	}
	data := probeObject(b, map[int]string{0: "uprobe.multi", 1: "uprobe"})
	obj, err := libbpf.OpenObjectBytes(data, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer obj.Close()
	for i := 2; i < nprogs; i++ {
		obj.Program(probeName(i)).SetAutoload(false)
	}
	if err := obj.Load(); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d return sites", symbol, len(offsets))

	b.Run("uprobe_multi", func(b *testing.B) {
		prog := obj.Program(probeName(0))
		for b.Loop() {
			link, err := prog.AttachUprobeMulti(libbpf.UprobeMultiOptions{Path: target, Offsets: offsets})
			if err != nil {
				b.Fatal(err)
			}
			if err := link.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("classic_per_site", func(b *testing.B) {
		prog := obj.Program(probeName(1))
		links := make([]*libbpf.Link, 0, len(offsets))
		for b.Loop() {
			links = links[:0]
			for _, off := range offsets {
				link, err := prog.AttachUprobe(libbpf.UprobeOptions{Path: target, Offset: off})
				if err != nil {
					b.Fatal(err)
				}
				links = append(links, link)
			}
			if err := libbpf.JoinLinks(links...).Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
