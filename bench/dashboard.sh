#!/bin/sh
# dashboard.sh: time the dashboard's figures (replica_stats, what the
# console's D and `triage stats` compute) on a replica of 1,000,000
# generated tickets: cold (a new connection each time) and warm (one
# connection, as the console keeps it), min, median and max against the
# budget. Prints figures; it never passes or fails on a timing.
#   bench/dashboard.sh [TICKETS] [BUILDDIR]
# The replica is cached like bench/replica.sh's (remove it to generate it
# again); BENCH_REPLICA names another file.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tickets=${1:-1000000}
build=${2:-$top/_build}
db=${BENCH_REPLICA:-/tmp/triage-bench-$tickets.db}

make -C "$build" -s triage bench/bench-dashboard
if [ ! -f "$db" ]; then
	echo "== generating $tickets tickets into $db"
	start=$(date +%s.%N)
	"$build/triage" replica gen --tickets "$tickets" --out "$db"
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "generation: %.1f s wall\n", b - a }'
else
	echo "== reusing $db (remove it to time generation again)"
fi

# A replica made by an older triage gets the dashboard's sums and indexes
# when it is first opened read-write: once, timed here, not below.
start=$(date +%s.%N)
"$build/triage" --replica "$db" replica info | sed -n 's/^schema: *//p'
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" \
    'BEGIN { printf "opened read-write (migrating if it was older): %.1f s wall\n", b - a }'

echo "== dashboard ($(nproc) cores, $(uname -m)); \"now\" is the data's newest update"
"$build/bench/bench-dashboard" "$db" 5 50
