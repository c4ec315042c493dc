// Command report reads the output of several rounds of the bench module's
// benchmarks (bench/run.sh concatenates them) and prints the table of
// ratios: for every figure the median over the rounds and the range
// [min, max], and a machine-readable line per headline ratio:
//
//	RATIO go_vs_c/<case> <median>
//	RATIO ours_vs_cilium/<case> <median>
//
// and, splitting go_vs_c, cgo_vs_c (the runtime's C→Go crossings alone) and
// go_vs_cgo (what the module and the Go handler add to them).
//
// Each benchmark reports per-round medians of interleaved cases as custom
// metrics ("<case>-ns/op"); a ratio is computed within each round and then
// summarised over the rounds.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples[benchmark][unit] holds one value per round, in round order.
var samples = map[string]map[string][]float64{}

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if samples[name] == nil {
			samples[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%q: %v", sc.Text(), err)
			}
			samples[name][f[i+1]] = append(samples[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

// stat is the median and range of a figure over the rounds.
type stat struct{ med, min, max float64 }

func (s stat) ok() bool { return s.med == s.med } // not NaN

func summarize(v []float64) stat {
	if len(v) == 0 {
		nan := 0.0
		nan = nan / nan
		return stat{nan, nan, nan}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med, s[0], s[len(s)-1]}
}

func get(bench, unit string) []float64 { return samples[bench][unit] }

// per combines two figures round by round.
func per(a, b []float64, f func(x, y float64) float64) []float64 {
	n := min(len(a), len(b))
	out := make([]float64, n)
	for i := range n {
		out[i] = f(a[i], b[i])
	}
	return out
}

func div(x, y float64) float64 { return x / y }

func ratio(bench, num, den string) stat {
	return summarize(per(get(bench, num+"-ns/op"), get(bench, den+"-ns/op"), div))
}

func ms(s stat) string {
	if !s.ok() {
		return "n/a"
	}
	return fmt.Sprintf("%9.3f ms [%.3f, %.3f]", s.med/1e6, s.min/1e6, s.max/1e6)
}

func us(s stat) string {
	if !s.ok() {
		return "n/a"
	}
	return fmt.Sprintf("%9.1f µs [%.1f, %.1f]", s.med/1e3, s.min/1e3, s.max/1e3)
}

func rat(s stat) string {
	if !s.ok() {
		return "n/a"
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f]", s.med, s.min, s.max)
}

var headlines []string

func headline(kind, name string, s stat) {
	if s.ok() {
		headlines = append(headlines, fmt.Sprintf("RATIO %s/%s %.3f", kind, name, s.med))
	}
}

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	if err := parse(in); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	rounds := 0
	for _, units := range samples {
		for _, v := range units {
			rounds = max(rounds, len(v))
		}
	}
	fmt.Printf("Medians over %d rounds, [min, max] over the rounds; within a round every figure is the median of interleaved iterations.\n", rounds)

	fmt.Println("\n== 1. open + load + attach + detach + close, by section handler (BenchmarkHandlers)")
	fmt.Printf("%-7s %-8s %-32s %10s %10s %10s %10s\n", "progs", "case", "cycle", "open", "load", "attach", "close")
	for _, n := range []string{"10", "100", "1000"} {
		bench := "Handlers/progs=" + n
		for _, c := range []string{"go", "cgo", "c", "purec", "builtin"} {
			phase := func(p string) string {
				s := summarize(get(bench, c+"-"+p+"-ns/op"))
				if !s.ok() {
					return "n/a"
				}
				return fmt.Sprintf("%8.3fms", s.med/1e6)
			}
			fmt.Printf("%-7s %-8s %-32s %10s %10s %10s %10s\n", n, c, ms(summarize(get(bench, c+"-ns/op"))),
				phase("open"), phase("load"), phase("attach"), phase("close"))
		}
		goC, goPureC, goBuiltin := ratio(bench, "go", "c"), ratio(bench, "go", "purec"), ratio(bench, "go", "builtin")
		cgoC, goCgo := ratio(bench, "cgo", "c"), ratio(bench, "go", "cgo")
		fmt.Printf("        go/c %s   go/purec %s   go/builtin %s\n", rat(goC), rat(goPureC), rat(goBuiltin))
		fmt.Printf("        cgo/c %s (crossings)   go/cgo %s (module + Go handler)\n", rat(cgoC), rat(goCgo))
		headline("go_vs_c", "progs="+n, goC)
		headline("go_vs_purec", "progs="+n, goPureC)
		headline("cgo_vs_c", "progs="+n, cgoC)
		headline("go_vs_cgo", "progs="+n, goCgo)
	}

	fmt.Println("\n== Trampoline round trip per callback, 1000 programs (BenchmarkTrampoline)")
	for _, cb := range []string{"setup", "attach"} {
		bench := "Trampoline/" + cb
		perCallback := func(g, c float64) float64 { return (g - c) / 1000 }
		d := summarize(per(get(bench, "go-ns/op"), get(bench, "c-ns/op"), perCallback))
		crossing := summarize(per(get(bench, "cgo-ns/op"), get(bench, "c-ns/op"), perCallback))
		module := summarize(per(get(bench, "go-ns/op"), get(bench, "cgo-ns/op"), perCallback))
		if d.ok() && crossing.ok() && module.ok() {
			fmt.Printf("%-7s go %s  cgo %s  c %s\n", cb, us(summarize(get(bench, "go-ns/op"))),
				us(summarize(get(bench, "cgo-ns/op"))), us(summarize(get(bench, "c-ns/op"))))
			fmt.Printf("        Go minus C %.0f ns [%.0f, %.0f] per callback = crossing (cgo minus c) %.0f ns [%.0f, %.0f] + module (go minus cgo) %.0f ns [%.0f, %.0f]\n",
				d.med, d.min, d.max, crossing.med, crossing.min, crossing.max, module.med, module.min, module.max)
		}
	}

	fmt.Println("\n== 2. this module vs cilium/ebpf v0.22.0 (BenchmarkVsCilium)")
	fmt.Printf("%-18s %-9s %-32s %-32s %s\n", "object", "phase", "ours", "cilium", "ours/cilium")
	for _, obj := range []string{"many_builtin_100", "many_builtin_1000", "maps_200", "core"} {
		for _, phase := range []string{"open", "openload"} {
			bench := "VsCilium/" + obj + "/" + phase
			r := ratio(bench, "ours", "cilium")
			fmt.Printf("%-18s %-9s %-32s %-32s %s\n", obj, phase, ms(summarize(get(bench, "ours-ns/op"))),
				ms(summarize(get(bench, "cilium-ns/op"))), rat(r))
			headline("ours_vs_cilium", obj+"/"+phase, r)
			if c := get(bench, "cilium_cache-ns/op"); len(c) > 0 {
				r := ratio(bench, "ours", "cilium_cache")
				fmt.Printf("%-18s %-9s %-32s %-32s %s  (cilium with a shared btf.Cache)\n", obj, phase, "",
					ms(summarize(c)), rat(r))
				headline("ours_vs_cilium", obj+"/"+phase+"_cilium_btf_cache", r)
			}
		}
	}

	fmt.Println("\n== 3. uretprobe.go on main.manyReturns: uprobe_multi vs one classic uprobe per return site (BenchmarkUretprobe)")
	if sites := summarize(get("Uretprobe", "sites")); sites.ok() {
		fmt.Printf("return sites: %.0f\n", sites.med)
	}
	for _, c := range []string{"gohandler", "multi", "classic"} {
		fmt.Printf("%-10s attach %-32s detach %s\n", c, ms(summarize(get("Uretprobe", c+"-attach-ns/op"))),
			ms(summarize(get("Uretprobe", c+"-detach-ns/op"))))
	}
	for _, c := range []string{"gohandler", "multi"} {
		a := summarize(per(get("Uretprobe", c+"-attach-ns/op"), get("Uretprobe", "classic-attach-ns/op"), div))
		d := summarize(per(get("Uretprobe", c+"-detach-ns/op"), get("Uretprobe", "classic-detach-ns/op"), div))
		fmt.Printf("%s/classic: attach %s  detach %s\n", c, rat(a), rat(d))
		headline("uprobe_multi_vs_classic", c+"/attach", a)
		headline("uprobe_multi_vs_classic", c+"/detach", d)
	}

	fmt.Println("\n== 4. handler table (BenchmarkRegister10000, BenchmarkMatching)")
	reg := ratio("Register10000", "go", "c")
	fmt.Printf("register+unregister 10000: go %s  c %s  go/c %s\n", ms(summarize(get("Register10000", "go-ns/op"))),
		ms(summarize(get("Register10000", "c-ns/op"))), rat(reg))
	headline("go_vs_c", "register10000", reg)
	m0, m1 := get("Matching/handlers=0", "open-ns/op"), get("Matching/handlers=1000", "open-ns/op")
	fmt.Printf("open of 1000 programs: %s with 1 handler, %s with 1000 more\n", ms(summarize(m0)), ms(summarize(m1)))
	if d := summarize(per(m1, m0, func(a, b float64) float64 { return (a - b) / 1000 })); d.ok() {
		fmt.Printf("matching cost of 1000 extra handlers: %.2f µs [%.2f, %.2f] per program (%.1f ns per handler compared)\n",
			d.med/1e3, d.min/1e3, d.max/1e3, d.med/1000)
	}

	fmt.Println("\n== Kernel share of load, per program (BenchmarkKernelLoad)")
	for _, obj := range []string{"many_builtin_10", "maps_200", "core"} {
		bench := "KernelLoad/" + obj
		if s := summarize(get(bench, "syscall-ns/prog")); s.ok() {
			fmt.Printf("%-16s %4.0f insns  BPF_PROG_LOAD %s  verifier-reported %s\n", obj,
				summarize(get(bench, "insns")).med, us(s), us(summarize(get(bench, "verify-ns/prog"))))
		}
	}

	if s := summarize(get("KernelLoad/vmlinux_btf", "parse-ns/op")); s.ok() {
		fmt.Printf("libbpf parse of vmlinux BTF (btf__load_vmlinux_btf, done by every CO-RE Load): %s\n", ms(s))
	}

	eventReaders()
	mapsSection()

	fmt.Println()
	for _, h := range headlines {
		fmt.Println(h)
	}
}

// eventReaders prints the drain benchmarks (BenchmarkEventDrain,
// BenchmarkEventReadInto): records per second of each reader and, as
// RATIO <buffer>_throughput/<ours>_vs_<theirs>/size=<n>, our throughput
// over theirs (higher is better).
func eventReaders() {
	fmt.Println("\n== 5. event readers: draining 1,000,000 pre-filled records, M records/s (BenchmarkEventDrain)")
	cases := []string{"ours", "ours_readinto", "ours_read", "c", "cilium", "cilium_read"}
	fmt.Printf("%-6s %-5s", "buffer", "size")
	for _, c := range cases {
		fmt.Printf(" %22s", c)
	}
	fmt.Println()
	for _, buf := range []string{"ring", "perf"} {
		for _, size := range []string{"16", "256"} {
			bench := "EventDrain/" + buf + "/size=" + size
			fmt.Printf("%-6s %-5s", buf, size)
			for _, c := range cases {
				// 1e6 records in ns nanoseconds: 1e6/ns*1e9 records/s, in millions.
				rate := summarize(each(get(bench, c+"-drain-ns/op"), func(ns float64) float64 { return 1e9 / ns }))
				if !rate.ok() {
					fmt.Printf(" %22s", "n/a")
					continue
				}
				fmt.Printf(" %22s", fmt.Sprintf("%.1f [%.1f, %.1f]", rate.med, rate.min, rate.max))
			}
			fmt.Println()
			for _, pair := range [][3]string{
				{"zerocopy_vs_c", "ours", "c"},
				{"zerocopy_vs_cilium_readinto", "ours", "cilium"},
				{"readinto_vs_cilium_readinto", "ours_readinto", "cilium"},
				{"read_vs_cilium_read", "ours_read", "cilium_read"},
			} {
				r := ratio(bench, pair[2]+"-drain", pair[1]+"-drain")
				fmt.Printf("       %-28s %s\n", pair[0], rat(r))
				headline(buf+"buf_throughput", pair[0]+"/size="+size, r)
			}
		}
	}
	for _, buf := range []string{"ring", "perf"} {
		if a := summarize(get("EventReadInto/"+buf, "allocs/op")); a.ok() {
			fmt.Printf("%sbuf ReadInto, one record per op: %.0f allocs/op, %.1f ns/op\n", buf, a.med, summarize(get("EventReadInto/"+buf, "ns/op")).med)
		}
	}
}

// each applies f to every value.
func each(v []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	return out
}

// mapsSection prints BenchmarkMaps: dumping a 100,000-entry hash map, and
// single lookups and updates with the bare system call's share.
func mapsSection() {
	fmt.Println("\n== 6. map access (BenchmarkMaps): full dump of a 100,000-entry hash map")
	for _, c := range []string{"c", "batch", "iter", "cilium_batch"} {
		fmt.Printf("%-13s %s\n", c, ms(summarize(get("Maps/dump", c+"-ns/op"))))
	}
	for _, c := range []string{"iter", "cilium_iter"} {
		fmt.Printf("%-13s %s  (dump_iter)\n", c, ms(summarize(get("Maps/dump_iter", c+"-ns/op"))))
	}
	for _, r := range []struct{ bench, num, den, name string }{
		{"Maps/dump", "batch", "c", "map_dump/batch_vs_c"},
		{"Maps/dump", "iter", "c", "map_dump/iter_vs_c"},
		{"Maps/dump", "batch", "cilium_batch", "map_dump/batch_vs_cilium_batch"},
		{"Maps/dump_iter", "iter", "cilium_iter", "map_dump/iter_vs_cilium_iter"},
	} {
		s := ratio(r.bench, r.num, r.den)
		fmt.Printf("%-34s %s\n", r.name, rat(s))
		if kind, name, ok := strings.Cut(r.name, "/"); ok {
			headline(kind, name, s)
		}
	}
	fmt.Println("\n   single operations, 200 per figure (syscall: a bare unix.Syscall(SYS_BPF) loop)")
	for _, op := range []string{"lookup", "update"} {
		for _, typ := range []string{"array", "hash"} {
			bench := "Maps/" + op + "/" + typ
			perOp := func(c string) string {
				s := summarize(get(bench, c+"-ns/op"))
				if !s.ok() {
					return "n/a"
				}
				return fmt.Sprintf("%6.0f ns", s.med/200)
			}
			r := ratio(bench, "ours", "cilium")
			share := ratio(bench, "syscall", "ours")
			fmt.Printf("%-7s %-6s ours %s  cilium %s  syscall %s  ours/cilium %s  syscall share of ours %s\n",
				op, typ, perOp("ours"), perOp("cilium"), perOp("syscall"), rat(r), rat(share))
			headline("map_"+op, typ+"_ours_vs_cilium", r)
			headline("map_"+op, typ+"_syscall_share", share)
		}
	}
}
