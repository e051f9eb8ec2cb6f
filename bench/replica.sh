#!/bin/sh
# replica.sh: generate a 1,000,000-ticket replica and print the replica's
# query timings (windows, counts, search) and its size. Prints figures; it
# never passes or fails on a timing.
#   bench/replica.sh [TICKETS] [BUILDDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tickets=${1:-1000000}
build=${2:-$top/_build}
db=${BENCH_REPLICA:-/tmp/triage-bench-$tickets.db}

make -C "$build" -s triage bench/bench-replica
if [ ! -f "$db" ]; then
	echo "== generating $tickets tickets into $db"
	start=$(date +%s.%N)
	"$build/triage" replica gen --tickets "$tickets" --out "$db"
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "generation: %.1f s wall\n", b - a }'
else
	echo "== reusing $db (remove it to time generation again)"
fi
echo "== queries ($(nproc) cores, $(uname -m))"
"$build/bench/bench-replica" "$db" 1000
