#!/usr/bin/env bash
# Runs the control-plane benchmarks (make bench): builds the objects and the
# test binary (bench/Makefile), runs ROUNDS rounds of every benchmark, each
# round with the cases' order reversed from the previous one, and prints the
# ratio table and the RATIO lines (bench/report). Needs root and `make all`.
#
#   ROUNDS=5        rounds (the spread reported is over them)
#   BENCHTIME=1s    -test.benchtime of every benchmark but those below
#   HANDLERS_BENCHTIME=4s   of BenchmarkHandlers (one 1000-program cycle is ~60 ms, 5 cases)
#   EVENTS_BENCHTIME=3x     of BenchmarkEventDrain (each of its 6 cases fills 1,000,000
#                   records, 100 ms to 1 s, before the timed drain)
#   MAPS_BENCHTIME=3s       of BenchmarkMaps (a dump cycle of its 4 cases is ~150 ms)
#   OUT=build/bench.out     raw `go test -bench` output of all rounds
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-1s}
HANDLERS_BENCHTIME=${HANDLERS_BENCHTIME:-4s}
EVENTS_BENCHTIME=${EVENTS_BENCHTIME:-3x}
MAPS_BENCHTIME=${MAPS_BENCHTIME:-3s}
OUT=${OUT:-build/bench.out}

make -s all
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(date -u +%FT%TZ)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$OUT"
bench() { # round benchtime regexp
	BENCH_ROUND=$1 ./build/bench.test -test.run '^$' -test.benchtime "$2" -test.bench "$3" >>"$OUT" 2>&1 || {
		echo "benchmark $3 failed in round $1:" >&2
		tail -40 "$OUT" >&2
		exit 1
	}
}
for ((r = 0; r < ROUNDS; r++)); do
	echo "round $((r + 1))/$ROUNDS"
	bench "$r" "$HANDLERS_BENCHTIME" '^BenchmarkHandlers$'
	bench "$r" "$BENCHTIME" '^Benchmark(Trampoline|VsCilium|Register10000|Matching)$'
	bench "$r" "$MAPS_BENCHTIME" '^BenchmarkMaps$'
	# Destroying 64 classic uprobes takes seconds (one RCU grace period
	# each): one iteration per round.
	bench "$r" 1x '^Benchmark(Uretprobe|KernelLoad)$'
	bench "$r" "$EVENTS_BENCHTIME" '^BenchmarkEventDrain$'
	bench "$r" 2000000x '^BenchmarkEventReadInto$'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
./build/report "$OUT"
