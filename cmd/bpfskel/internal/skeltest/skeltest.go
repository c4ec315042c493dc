// Package skeltest holds skeletons that bpfskel generated from the
// objects of testdata/ (built by make): its tests drive them, and
// cmd/bpfskel's golden test checks that they are what bpfskel generates
// today (go test ./cmd/bpfskel -update rewrites them).
package skeltest

//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -o types_skel.go testdata/types.bpf.o
//go:generate go run github.com/golibbpf/libbpf/cmd/bpfskel -o events_skel.go testdata/events.bpf.o
