#!/bin/sh
# Runs every benchmark program in $1/bench. Each prints its own conditions
# and "BENCH <name> <value> <unit> [ratio=<x>] [goal=<text>]" lines.
BUILD=${1:-build}
export DCISIM="$PWD/$BUILD/dcisim" DCICTL="$PWD/$BUILD/dcictl"
export DCITEST_TMP="$PWD/$BUILD/test-tmp"
mkdir -p "$DCITEST_TMP"
echo "BENCH-CONDITIONS host=$(uname -m) cores=$(nproc) kernel=$(uname -r) date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
rc=0
for b in "$BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "# $(basename "$b")"
	"$b" </dev/null || { echo "# $(basename "$b") failed (exit $?)"; rc=1; }
done
exit $rc
