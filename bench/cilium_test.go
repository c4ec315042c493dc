package bench

import (
	"bytes"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/golibbpf/libbpf"
)

// BenchmarkVsCilium compares this module with github.com/cilium/ebpf
// v0.22.0 on the same objects, interleaved:
//
//	open      ours: OpenObjectBytes + Close (ELF parse, BTF, relocations
//	          collected, programs and maps set up); cilium:
//	          LoadCollectionSpecFromReader.
//	openload  ours: OpenObjectBytes + Load + Close; cilium:
//	          LoadCollectionSpecFromReader + NewCollection + Close. Maps are
//	          created and every program is loaded into the kernel.
//
// cilium's default (no CollectionOptions.Cache) decodes the kernel's BTF
// afresh for every load, as libbpf does; "cilium_cache" shares one
// btf.Cache across loads, which only the CO-RE object needs.
//
// Objects: many_builtin_100/1000 (100/1000 small SEC("perf_event")
// programs sharing one map), maps_200 (200 maps of four types, 13
// programs), core (16 programs, 64 CO-RE relocations against vmlinux BTF).
func BenchmarkVsCilium(b *testing.B) {
	requireKernel(b)
	for _, name := range []string{"many_builtin_100", "many_builtin_1000", "maps_200", "core"} {
		data := object(b, name+".bpf.o")
		cache := btf.NewCache()
		b.Run(name, func(b *testing.B) {
			b.Run("open", func(b *testing.B) {
				interleave(b, alternate([]icase{
					{"ours", func(*[4]time.Duration) error {
						obj, err := libbpf.OpenObjectBytes(data, nil)
						if err != nil {
							return err
						}
						return obj.Close()
					}},
					{"cilium", func(*[4]time.Duration) error {
						_, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(data))
						return err
					}},
				}))
			})
			ciliumLoad := func(opts ebpf.CollectionOptions) func(*[4]time.Duration) error {
				return func(*[4]time.Duration) error {
					spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(data))
					if err != nil {
						return err
					}
					coll, err := ebpf.NewCollectionWithOptions(spec, opts)
					if err != nil {
						return err
					}
					coll.Close()
					return nil
				}
			}
			cases := []icase{
				{"ours", func(*[4]time.Duration) error {
					obj, err := libbpf.OpenObjectBytes(data, nil)
					if err != nil {
						return err
					}
					if err := obj.Load(); err != nil {
						obj.Close()
						return err
					}
					return obj.Close()
				}},
				{"cilium", ciliumLoad(ebpf.CollectionOptions{})},
			}
			if name == "core" {
				cases = append(cases, icase{"cilium_cache", ciliumLoad(ebpf.CollectionOptions{Cache: cache})})
			}
			b.Run("openload", func(b *testing.B) {
				interleave(b, alternate(cases))
			})
		})
	}
}
