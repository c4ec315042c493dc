# Build, test and demo entry points. Run as root on Debian: missing packages
# are installed with apt-get, libbpf is fetched and built from the pinned source.

SHELL := /bin/bash
GO ?= go
CLANG ?= clang-19
BPFTOOL ?= bpftool
export CGO_ENABLED := 1

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES := clang-19 llvm-19 libelf-dev zlib1g-dev libzstd-dev pkg-config bpftool \
	systemtap-sdt-dev iproute2 make gcc libc6-dev cpio

# libbpf/build is what cmd/libbpf-setup, the command users run for their own
# modules, builds there; cgo.mk exports the cgo environment that uses it.
include libbpf/cgo.mk
LIBBPF_A := libbpf/build/lib/libbpf.a
LIBBPF_ASAN_A := libbpf/build/asan/lib/libbpf.a
LIBBPF_SETUP := CGO_ENABLED=0 $(GO) run ./cmd/libbpf-setup -out libbpf/build -work libbpf/work
SETUP_SOURCES := libbpf/VERSION libbpf/pin.go $(filter-out %_test.go,$(wildcard cmd/libbpf-setup/*.go))
VMLINUX_H := build/include/vmlinux.h

BPF_HEADERS := $(shell find . -path ./libbpf -prune -o -path ./build -prune -o -path "*/testdata/*.h" -print -o -path './examples/tools/*/*.h' -print)
BPF_SOURCES := $(shell find . -path ./libbpf -prune -o -path ./build -prune -o -path '*/testdata/*.bpf.c' -print -o -path './examples/tools' -prune -o -path './examples/*.bpf.c' -print)
# examples/tools/<name>/bpf/<name>.bpf.c builds examples/tools/<name>/<name>.bpf.o,
# next to the skeleton that embeds it (as bpfskel's go:generate line does).
TOOL_SOURCES := $(wildcard examples/tools/*/bpf/*.bpf.c)
BPF_OBJECTS := $(BPF_SOURCES:.bpf.c=.bpf.o) $(foreach s,$(TOOL_SOURCES),$(dir $(patsubst %/,%,$(dir $(s))))$(notdir $(s:.bpf.c=.bpf.o)))
# The BPF objects' flags for libbpf's __TARGET_ARCH_$(1), with vmlinux.h from
# directory $(2) and the architecture's kernel headers (asm/) from $(3), after
# the compiler's own.
bpf_cflags = -O2 -g -target bpf -D__TARGET_ARCH_$(1) -Wall -Werror -Wno-unused-function \
	-I $(2) -I libbpf/build/include -idirafter $(3)
BPF_CFLAGS := $(call bpf_cflags,x86,build/include,/usr/include/x86_64-linux-gnu)

# Every package links the cgo layer, so every test also runs under AddressSanitizer.
ASAN_PACKAGES := ./...

.PHONY: vmtest all deps libbpf libbpf-asan env testdata test test-unit vet clean demo bpfrun bench fuzz soak flakes

all: deps libbpf testdata

# Installs the packages in $(1) that are missing.
install-missing = @missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
			echo "missing packages: $$missing (install them, or run make as root on Debian)"; exit 1; \
		fi; \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

deps:
	$(call install-missing,$(DEB_PACKAGES))

# The source: LIBBPF_SRC=<tree>, LIBBPF_TARBALL=<file>, libbpf/work's tarball,
# or Debian's source package (see cmd/libbpf-setup).
libbpf: $(LIBBPF_A)
$(LIBBPF_A): $(SETUP_SOURCES)
	$(LIBBPF_SETUP) >/dev/null

libbpf-asan: $(LIBBPF_ASAN_A)
$(LIBBPF_ASAN_A): $(SETUP_SOURCES) $(LIBBPF_A)
	$(LIBBPF_SETUP) -asan >/dev/null

# For go commands run by hand in the checkout: eval "$$(make -s env)".
env: libbpf
	@$(LIBBPF_SETUP)

$(VMLINUX_H):
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# Test target programs: C sources named testdata/*_target.c.
TARGET_SOURCES := $(shell find . -path ./libbpf -prune -o -path ./build -prune -o -path '*/testdata/*_target.c' -print)
TARGETS := $(TARGET_SOURCES:.c=)

TARGET_CFLAGS := -O1 -g

testdata: $(BPF_OBJECTS) $(TARGETS)
%_target: %_target.c
	$(CC) $(TARGET_CFLAGS) -o $@ $<

%.bpf.o: %.bpf.c $(BPF_HEADERS) | $(LIBBPF_A) $(VMLINUX_H)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

%.bpf.o: bpf/%.bpf.c $(BPF_HEADERS) | $(LIBBPF_A) $(VMLINUX_H)
	$(CLANG) $(BPF_CFLAGS) -I examples/tools/include -c $< -o $@

# Another architecture's BPF objects and test targets, for make vmtest
# ARCH=<arch>: internal/cmd/vmtest asks for those its guests ship, as
# $(CROSS_DIR)/tree/<path in the checkout>, with the architecture's GNU
# triplet (CROSS_TRIPLET: its compiler and kernel headers) and libbpf's name
# for it (CROSS_BPF_ARCH). The vmlinux.h it wrote from that architecture's
# kernel is in $(CROSS_DIR)/include, the target's -dev headers (sdt.h) in
# $(CROSS_DIR)/sysroot.
CROSS_DIR ?= build/vmtest/$(ARCH)
$(CROSS_DIR)/tree/%.bpf.o: %.bpf.c $(BPF_HEADERS) $(CROSS_DIR)/include/vmlinux.h | $(LIBBPF_A)
	@mkdir -p $(@D)
	$(CLANG) $(call bpf_cflags,$(CROSS_BPF_ARCH),$(CROSS_DIR)/include,/usr/$(CROSS_TRIPLET)/include) -fms-extensions -Wno-microsoft-anon-tag -c $< -o $@

$(CROSS_DIR)/tree/%_target: %_target.c
	@mkdir -p $(@D)
	$(CROSS_TRIPLET)-gcc $(TARGET_CFLAGS) -idirafter $(CROSS_DIR)/sysroot/usr/include \
		-idirafter $(CROSS_DIR)/sysroot/usr/include/$(CROSS_TRIPLET) -o $@ $<

# The bench module is vetted too, so that it keeps compiling.
vet: all
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

# The README's test command: vet, the whole suite, the suite under the race
# detector, the cgo-heavy packages under AddressSanitizer against an
# AddressSanitizer build of libbpf, then the VM matrix on its oldest and
# newest kernels (TEST_KERNELS), side by side.
TEST_KERNELS ?= 5.10 sid
test: all libbpf-asan vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./...
	$(GO) test -count=1 -asan $(ASAN_PACKAGES)
	$(MAKE) --no-print-directory vmtest KERNELS="$(TEST_KERNELS)"

# The README's first command: installs what is missing (deps), builds libbpf and
# the objects (all), then examples/demo.sh builds bpfrun (static) and the
# bundled targets, runs bpfrun on them for a few seconds and stops them.
demo: all
	GO=$(GO) CLANG=$(CLANG) BPF_CFLAGS="$(BPF_CFLAGS)" bash examples/demo.sh

# bpfrun alone, fully static, in build/.
bpfrun: all
	$(GO) build -ldflags '-extldflags "-static"' -o build/bpfrun ./cmd/bpfrun

# Benchmarks against C handlers, libbpf's built-ins and cilium/ebpf: a
# ratio table and RATIO lines (bench/run.sh, BENCHMARKS.md).
bench: all
	bash bench/run.sh

# Fuzzes every Fuzz* target for FUZZTIME each (make test replays the corpora).
FUZZTIME ?= 30s
fuzz: all
	FUZZTIME=$(FUZZTIME) bash bench/fuzz.sh

# SOAK_CYCLES cycles of register, open, load, attach, trigger, detach, close
# and unregister on 4 goroutines; resources must stay flat.
SOAK_CYCLES ?= 10000
soak: all
	SOAK_CYCLES=$(SOAK_CYCLES) $(GO) test -count=1 -v -run '^TestSoak$$' -timeout 30m ./internal/soak

# The flake hunt: every package FLAKE_COUNT times under -race while a second
# run loads the machine (bench/flakes.sh); a failure is fixed at its cause.
FLAKE_COUNT ?= 20
flakes: all
	FLAKE_COUNT=$(FLAKE_COUNT) bash bench/flakes.sh

# The VM matrix (vmtest/matrix, internal/cmd/vmtest): the suite inside QEMU
# guests booting Debian's kernels; KERNELS="5.10 sid" runs a subset. ARCH=arm64
# on an amd64 host runs arm64 guests under TCG, with the module cross-built
# for them (its QEMU and the cross compiler are installed).
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
ARCH ?= $(HOST_ARCH)
VMTEST_PACKAGES := debian-archive-keyring xz-utils zstd
QEMU_PACKAGE_amd64 := qemu-system-x86
QEMU_PACKAGE_arm64 := qemu-system-arm
CROSS_PACKAGES_arm64 := gcc-aarch64-linux-gnu libc6-dev-arm64-cross
KERNELS ?=
vmtest: all
	$(call install-missing,$(VMTEST_PACKAGES) $(QEMU_PACKAGE_$(ARCH)) $(if $(filter-out $(HOST_ARCH),$(ARCH)),$(CROSS_PACKAGES_$(ARCH))))
	$(GO) run ./internal/cmd/vmtest -arch "$(ARCH)" -kernels "$(KERNELS)"

test-unit: all
	$(GO) test -count=1 ./...

clean:
	rm -rf build libbpf/build bench/build
	find . -path ./libbpf -prune -o \( -name '*.bpf.o' -o -name '*_target' -type f \) -print -delete
