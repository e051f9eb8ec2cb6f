#!/bin/bash
# server.sh: load a real triage serve on a throwaway PostgreSQL (loopback
# only) with a real HTTP client and print: the initial pull of the whole
# feed (rows/s, gzip on), push throughput from 10 concurrent clients,
# server memory per idle long-poll with 1,000 held, and the wake latency
# of all 1,000 waiters. Figures only; it never passes or fails on a timing.
#   bench/server.sh [TICKETS] [BUILDDIR]
# TICKETS (default 80000) is seeded with the demo generator; 80,000 tickets
# make a little over 1,000,000 rows.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tickets=${1:-80000}
build=${2:-$top/_build}
triage=$build/triage

make -C "$build" -s triage bench/bench-server
. "$top/tests/pg-lib.sh"
pg_start > /dev/null
work=$(mktemp -d /tmp/triage-bench-server.XXXXXX)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$work"
	pg_stop
}
trap cleanup EXIT
export TRIAGE_DB=$PG_CONNINFO

. "$top/bench/bench-lib.sh"
bench_seed "$tickets"

# No jobs: they would escalate the seeded tickets while the figures run.
"$triage" serve --listen 127.0.0.1:0 --threads 4 --jobs-interval 0 \
    2> "$work/serve.log" &
server_pid=$!
for i in $(seq 1 100); do
	grep -q 'listening on' "$work/serve.log" && break
	sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
url=http://127.0.0.1:$port
token=$(curl -s -d '{"email":"bench@example.com","password":"bench-password"}' \
    "$url/v1/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$token" ] || { echo "login failed" >&2; exit 1; }
ids=$(psql -XAtq -d "$PG_CONNINFO" -c "SELECT id FROM tickets ORDER BY number LIMIT 100")

echo "== server ($(nproc) cores, $(uname -m), PostgreSQL $(psql -XAtq -d "$PG_CONNINFO" -c 'SHOW server_version'), fsync off)"
"$build/bench/bench-server" "$url" "$token" pull
# shellcheck disable=SC2086
"$build/bench/bench-server" "$url" "$token" push 10 20000 $ids
"$build/bench/bench-server" "$url" "$token" wait 1000 "$server_pid" \
    "$(echo "$ids" | head -1)"
exit 0
