#!/usr/bin/env bash
# Fuzzes every Go fuzz target of the main module (make fuzz): finds each
# package's Fuzz* functions with `go test -list` and runs each alone for
# FUZZTIME. New crashers land in the package's testdata/fuzz/<Target>/, where
# plain `go test` (and so `make test`) replays them from then on.
#
#   FUZZTIME=30s      per target
#   FUZZPARALLEL=1    fuzzing workers per target (-parallel); the default
#                     leaves the machine's other core to the rest
#   FUZZMINIMIZE=5s   -fuzzminimizetime: how long the fuzzer may shrink each
#                     new interesting input (Go's default, 60s, would eat
#                     a short run; a crasher is still minimized)
#   PKGS=./...        packages to search
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-30s}
FUZZPARALLEL=${FUZZPARALLEL:-1}
FUZZMINIMIZE=${FUZZMINIMIZE:-5s}
PKGS=${PKGS:-./...}
failed=()
total=0
for pkg in $(go list $PKGS); do
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		total=$((total + 1))
		echo "== $pkg $t ($FUZZTIME)"
		if ! go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZE" -parallel "$FUZZPARALLEL" "$pkg"; then
			failed+=("$pkg $t")
		fi
	done
done
echo "fuzzed $total targets, ${#failed[@]} failed"
for f in "${failed[@]}"; do
	echo "FAILED: $f"
done
[ ${#failed[@]} -eq 0 ]
