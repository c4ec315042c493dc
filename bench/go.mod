module github.com/golibbpf/libbpf/bench

go 1.26.8

replace github.com/golibbpf/libbpf => ../

require (
	github.com/golibbpf/libbpf v0.0.0-00010101000000-000000000000
	golang.org/x/sys v0.50.0
)

require (
	github.com/cilium/ebpf v0.22.0
	golang.org/x/arch v0.33.0 // indirect
)
