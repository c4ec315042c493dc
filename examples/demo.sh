#!/usr/bin/env bash
# The README's demo (`make demo` runs it after `make all`): build bpfrun and
# the two bundled targets, start the targets, run bpfrun on the demo object
# for a few seconds, then stop the targets. Nothing stays running, attached
# or pinned afterwards.
#
# Everything it builds goes to build/examples/ (or DEMO_OUT). The demo
# object names the targets by absolute path in its SEC() names, so the
# script compiles it with those paths (-DGOTARGET_PATH, -DCTARGET_PATH).
#
# Environment: GO, CC, CLANG, BPF_CFLAGS (the Makefile passes its own),
# DEMO_DURATION (default 5s), BPFRUN_FLAGS (extra flags for bpfrun run),
# DEMO_OUT (the build folder; the uprobes attach to the targets built there).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
out=${DEMO_OUT:-$root/build/examples}
GO=${GO:-go}
CC=${CC:-cc}
CLANG=${CLANG:-clang-19}
BPF_CFLAGS=${BPF_CFLAGS:--O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -Wno-unused-function \
-I build/include -I libbpf/build/include -idirafter /usr/include/x86_64-linux-gnu}
DEMO_DURATION=${DEMO_DURATION:-5s}

if [ "$(id -u)" != 0 ]; then
	echo "demo: bpfrun loads BPF programs into the kernel: run it as root" >&2
	exit 1
fi
# libbpf attaches uprobes, USDT probes and tracepoints through tracefs.
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi

mkdir -p "$out"
echo >&2 "demo: building bpfrun (static), the targets and the demo object in $out"
CGO_ENABLED=1 "$GO" build -ldflags '-extldflags "-static"' -o "$out/bpfrun" ./cmd/bpfrun
"$GO" build -o "$out/gotarget" ./examples/gotarget
"$CC" -O1 -g -o "$out/ctarget" examples/ctarget/ctarget.c
# shellcheck disable=SC2086 # BPF_CFLAGS is a list of flags
"$CLANG" $BPF_CFLAGS -DGOTARGET_PATH="\"$out/gotarget\"" -DCTARGET_PATH="\"$out/ctarget\"" \
	-c examples/demo.bpf.c -o "$out/demo.bpf.o"

pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$out/gotarget" >/dev/null &
pids+=($!)
"$out/ctarget" &
ctarget=$!
pids+=("$ctarget")

echo >&2 "demo: gotarget (pid ${pids[0]}) and ctarget (pid $ctarget) are running"
echo >&2 "demo: $out/bpfrun run --duration $DEMO_DURATION --set target_tgid=$ctarget $out/demo.bpf.o"
# shellcheck disable=SC2086 # BPFRUN_FLAGS is a list of flags
"$out/bpfrun" run --duration "$DEMO_DURATION" --set "target_tgid=$ctarget" ${BPFRUN_FLAGS:-} "$out/demo.bpf.o"
