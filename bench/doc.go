// Package bench holds the module's control-plane benchmarks: Go section
// handlers against equivalent C handlers and libbpf's built-in sections,
// this module against github.com/cilium/ebpf, uretprobe.go's uprobe_multi
// link against classic uprobes, and the cost of the handler table. It is a
// separate module so that the main module never depends on cilium/ebpf.
//
// Run it with `make bench` from the repository root (bench/run.sh), which
// builds the BPF objects, runs every benchmark in several alternating
// rounds and prints the ratios. See BENCHMARKS.md.
package bench
