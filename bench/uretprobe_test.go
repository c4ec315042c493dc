package bench

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/golibbpf/libbpf"
	"github.com/golibbpf/libbpf/callbacks/goprobe"
)

// BenchmarkUretprobe compares, on main.manyReturns of bench/rettarget (64
// return instructions), the cost of probing every return site:
//
//	gohandler   Program.Attach of a SEC("uretprobe.go/...:main.manyReturns")
//	            program through callbacks/goprobe: parse the section, read
//	            the ELF and disassemble the function (ReturnOffsets), attach
//	            one uprobe_multi link at the 64 offsets.
//	multi       the same uprobe_multi link with the offsets computed once
//	            beforehand (AttachUprobeMulti).
//	classic     one classic uprobe link per return site (64 AttachUprobe
//	            calls, each a perf_event_open of the uprobe PMU).
//
// Each reports the median attach time and the median detach (Close)
// time as "<case>-attach-ns/op" and "<case>-detach-ns/op".
func BenchmarkUretprobe(b *testing.B) {
	requireKernel(b)
	target, err := filepath.Abs(filepath.Join("build", "rettarget"))
	if err != nil {
		b.Fatal(err)
	}
	offsets, err := goprobe.ReturnOffsets(target, "main.manyReturns")
	if err != nil {
		b.Fatal(err)
	}
	regs, err := goprobe.Register()
	if err != nil {
		b.Fatal(err)
	}
	obj, err := libbpf.OpenObjectBytes(object(b, "uret.bpf.o"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		obj.Close()
		for _, r := range regs {
			r.Unregister()
		}
	}()
	if err := obj.Load(); err != nil {
		b.Fatal(err)
	}
	goProg, classicProg := obj.Program("ret_go"), obj.Program("ret_classic")
	b.Logf("main.manyReturns: %d return sites", len(offsets))

	type attacher func() (*libbpf.Link, error)
	cases := []struct {
		name   string
		attach attacher
	}{
		{"gohandler", goProg.Attach},
		{"multi", func() (*libbpf.Link, error) {
			return goProg.AttachUprobeMulti(libbpf.UprobeMultiOptions{Path: target, Offsets: offsets})
		}},
		{"classic", func() (*libbpf.Link, error) {
			links := make([]*libbpf.Link, 0, len(offsets))
			for _, off := range offsets {
				l, err := classicProg.AttachUprobe(libbpf.UprobeOptions{Path: target, Offset: off})
				if err != nil {
					libbpf.JoinLinks(links...).Close()
					return nil, err
				}
				links = append(links, l)
			}
			return libbpf.JoinLinks(links...), nil
		}},
	}
	pin(b)
	attachT := make([][]time.Duration, len(cases))
	detachT := make([][]time.Duration, len(cases))
	i := 0
	for b.Loop() {
		for j := range cases {
			k := (i + j) % len(cases)
			t0 := time.Now()
			link, err := cases[k].attach()
			if err != nil {
				b.Fatalf("%s: %v", cases[k].name, err)
			}
			t1 := time.Now()
			if err := link.Close(); err != nil {
				b.Fatalf("%s: %v", cases[k].name, err)
			}
			attachT[k] = append(attachT[k], t1.Sub(t0))
			detachT[k] = append(detachT[k], time.Since(t1))
		}
		i++
	}
	for k, c := range cases {
		b.ReportMetric(float64(median(attachT[k])), c.name+"-attach-ns/op")
		b.ReportMetric(float64(median(detachT[k])), c.name+"-detach-ns/op")
	}
	b.ReportMetric(float64(len(offsets)), "sites")
}
