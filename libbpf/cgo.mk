# The cgo environment of in-tree builds, included by the Makefile and
# bench/Makefile: the same variables `go run ./cmd/libbpf-setup -out
# libbpf/build` prints, pointing the module's cgo at libbpf/build.
LIBBPF_BUILD := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/build
export CGO_CFLAGS := -O2 -g -I$(LIBBPF_BUILD)/include
export CGO_LDFLAGS := -O2 -g -L$(LIBBPF_BUILD)/lib
