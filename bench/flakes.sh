#!/usr/bin/env bash
# The flake hunt (make flakes): runs every package's tests FLAKE_COUNT times
# under the race detector while a second, plain run of the kernel-heavy
# packages loads the machine and the kernel from another process, then lists
# every failed test with its package. A failure here is a bug to fix at its
# cause, never a retry or a longer sleep.
#
#   FLAKE_COUNT=20     -count of the race run
#   LOAD_COUNT=20      -count of the parallel load run
#   PKGS=./...         packages of the race run
#   LOAD_PKGS=...      packages of the load run (the root package, callbacks/, the soak)
set -uo pipefail
cd "$(dirname "$0")/.."
FLAKE_COUNT=${FLAKE_COUNT:-20}
LOAD_COUNT=${LOAD_COUNT:-$FLAKE_COUNT}
PKGS=${PKGS:-./...}
LOAD_PKGS=${LOAD_PKGS:-. ./callbacks/... ./internal/soak}
out=build/flakes
mkdir -p "$out"
export CI=true

start=$(date +%s)
# shellcheck disable=SC2086
go test -count="$LOAD_COUNT" -timeout 90m $LOAD_PKGS >"$out/load.log" 2>&1 &
load=$!
# shellcheck disable=SC2086
go test -race -count="$FLAKE_COUNT" -timeout 90m $PKGS >"$out/race.log" 2>&1
race_rc=$?
wait "$load"
load_rc=$?
echo "flake hunt: ${FLAKE_COUNT} race runs of $PKGS with ${LOAD_COUNT} load runs of $LOAD_PKGS beside them, $(($(date +%s) - start)) s"
for run in race load; do
	fails=$(grep -E '^(--- FAIL|FAIL|panic:|WARNING: DATA RACE)' "$out/$run.log" | sort | uniq -c)
	if [ -z "$fails" ]; then
		echo "$run: no failures ($out/$run.log)"
	else
		echo "$run: failures ($out/$run.log):"
		echo "$fails"
	fi
done
[ "$race_rc" = 0 ] && [ "$load_rc" = 0 ]
