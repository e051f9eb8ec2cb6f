#!/bin/bash
# sync.sh: the sync engine end to end, with real replicas, real `triage
# sync` clients and a real triage serve on a throwaway PostgreSQL (loopback
# only). Prints: the initial sync of an empty replica (rows/s, client peak
# RSS); the latency from queueing a reply in one replica to its commit in
# another's while 100 `triage sync` clients long-poll; and how long those
# clients take to catch up after a server restart. Figures only; it never
# passes or fails on a timing.
#   bench/sync.sh [TICKETS] [BUILDDIR]
# TICKETS (default 65000) is seeded with the demo generator into the org
# "Bench" for the initial sync; 65,000 tickets make about 1,000,000 rows.
# The latency and catch-up parts use their own small org, "Prop". The 100
# clients run at nice 19 (BENCH_SYNC_NICE=0 to run them at full weight).
# The initial sync runs three times (BENCH_SYNC_RUNS), each printed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tickets=${1:-65000}
build=${2:-$top/_build}
triage=$build/triage
bench=$build/bench/bench-sync
clients=100		# `triage sync` clients in the foreground
prop_tickets=100	# the Prop org's tickets
rate=100		# replies a second from the writer
seconds=20
catchup=200		# replies queued while the server is down
down_ms=1500		# from the server's exit to its start again
nice=${BENCH_SYNC_NICE:-19}	# the clients' nice value
initial_runs=${BENCH_SYNC_RUNS:-3}	# initial syncs, each from empty

make -C "$build" -s triage bench/bench-sync
. "$top/tests/pg-lib.sh"
pg_start > /dev/null
work=$(mktemp -d /tmp/triage-bench-sync.XXXXXX)
server_pid=
client_pids=
# Replaces pg_start's EXIT trap, so it stops the cluster itself.
cleanup() {
	local p

	for p in $client_pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $client_pids; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
export TRIAGE_DB=$PG_CONNINFO
export LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=C

q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$PG_CONNINFO" -c "$1"; }
now_ns() { date +%s%N; }
# calc EXPR: awk arithmetic, printed with the format in $2 (default %.0f).
calc() { awk "BEGIN { printf \"${2:-%.0f}\", $1 }"; }

# start_server PORT LOG: triage serve in the background (0: any port).
start_server() {
	# No jobs: they would escalate the seeded tickets during the figures.
	"$triage" serve --listen "127.0.0.1:$1" --threads 4 \
	    --jobs-interval 0 2> "$2" &
	server_pid=$!
}
# wait_server LOG: until it listens; sets port and url.
wait_server() {
	local i

	for i in $(seq 1 300); do
		grep -q 'listening on' "$1" && break
		sleep 0.1
	done
	port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$1")
	[ -n "$port" ] || { echo "triage serve did not start:" >&2;
	    cat "$1" >&2; exit 1; }
	url=http://127.0.0.1:$port
}
stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=
}

# CPU seconds (user + system) used so far by the processes given.
cpu_ticks() {
	local p t=0 s

	for p in "$@"; do
		s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $s
		t=$((t + ${12} + ${13}))
	done
	echo "$t"
}
pg_pids() {
	local pm

	pm=$(head -1 "$PG_DIR/data/postmaster.pid")
	echo "$pm" $(pgrep -P "$pm" || true)
}
# All CPU time of the machine (user + nice + system + irq + softirq) and
# the idle time, in ticks.
machine_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat
}
rss_kb() {
	local p t=0 k

	for p in "$@"; do
		k=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) ||
		    continue
		t=$((t + ${k:-0}))
	done
	echo "$t"
}
# Rows in a replica, over the tables bench/server.sh counts on the server.
replica_rows() {
	sqlite3 "$1" "SELECT sum(n) FROM (
	    SELECT count(*) n FROM tickets UNION ALL SELECT count(*) FROM messages
	    UNION ALL SELECT count(*) FROM events UNION ALL SELECT count(*) FROM customers
	    UNION ALL SELECT count(*) FROM identities UNION ALL SELECT count(*) FROM orders
	    UNION ALL SELECT count(*) FROM order_items UNION ALL SELECT count(*) FROM shipments
	    UNION ALL SELECT count(*) FROM attachments UNION ALL SELECT count(*) FROM users
	    UNION ALL SELECT count(*) FROM teams)"
}
# window_start, then window_end: what the machine, the server,
# PostgreSQL and the clients did in between.
window_start() {
	w_log=$(wc -l < "$work/serve1.log")
	w_m=$(machine_ticks)
	w_s=$(cpu_ticks "$server_pid")
	w_c=$(cpu_ticks $client_pids)
	w_g=$(cpu_ticks $(pg_pids))
	w_x=$(q "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")
	w_t=$(now_ns)
}
window_end() {
	local t m s c g x l hz secs

	t=$(now_ns)
	m=$(machine_ticks)
	s=$(cpu_ticks "$server_pid")
	c=$(cpu_ticks $client_pids)
	g=$(cpu_ticks $(pg_pids))
	x=$(q "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database")
	l=$(wc -l < "$work/serve1.log")
	hz=$(getconf CLK_TCK)
	secs=$(calc "($t - $w_t) / 1e9" %.1f)
	set -- $w_m $m
	echo "  in those $secs s: machine $(calc "100 * ($3 - $1) / \
	    (($3 - $1) + ($4 - $2))")% busy; CPU s: server $(calc \
	    "($s - $w_s) / $hz" %.1f), PostgreSQL $(calc "($g - $w_g) / $hz" \
	    %.1f)$([ -n "$client_pids" ] && echo ", the $clients clients" \
	    "$(calc "($c - $w_c) / $hz" %.1f)")"
	sed -n "$((w_log + 1)),${l}p" "$work/serve1.log" |
	    awk -v s="$secs" -v x="$((x - w_x))" '
		/ GET \/v1\/pull / { pull++ }
		/ POST \/v1\/push / { push++ }
		END { printf "  server: %d pulls and %d pushes answered " \
		    "(%.0f/s); PostgreSQL: %.0f transactions/s\n", pull, push,
		    (pull + push) / s, x / s }'
}
# login REPLICA EMAIL
login() {
	"$triage" --replica "$1" login --server "$url" --email "$2" \
	    --password-file "$work/pw" > /dev/null
}

. "$top/bench/bench-lib.sh"
bench_seed "$tickets"

start_server 0 "$work/serve1.log"
wait_server "$work/serve1.log"
echo "== sync ($(nproc) cores, $(uname -m), PostgreSQL $(q 'SHOW server_version'), fsync off; replicas on $(df -T "$work" | awk 'NR == 2 { print $2 }'); load average $(cut -d' ' -f1-3 /proc/loadavg))"

# 1. The initial sync of an empty replica, $initial_runs times (each into
# a new replica with a new login): every run is printed, then the median.
if [ -x /usr/bin/time ]; then
	rss_how="/usr/bin/time"
	run_rss() { /usr/bin/time -f %M -o "$work/rss" "$@"; }
else
	rss_how="getrusage"
	run_rss() { "$bench" rss "$work/rss" "$@"; }
fi
: > "$work/initial.times"
for run in $(seq 1 "$initial_runs"); do
	rm -f "$work"/initial.db*
	login "$work/initial.db" bench@example.com
	t0=$(now_ns)
	run_rss "$triage" --replica "$work/initial.db" sync --once \
	    > "$work/initial.out"
	t1=$(now_ns)
	pulled=$(sed -n 's/.*pulled \([0-9]*\) rows.*/\1/p' "$work/initial.out")
	got=$(replica_rows "$work/initial.db")
	s=$(calc "($t1 - $t0) / 1e9" %.2f)
	echo "$s" >> "$work/initial.times"
	echo "initial sync $run/$initial_runs $got rows in the replica ($pulled" \
	    "pulled), $s s: $(calc "$got / $s") rows/s; client peak RSS" \
	    "$(calc "$(tail -1 "$work/rss") / 1024") MB ($rss_how)"
done
s=$(sort -n "$work/initial.times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "initial sync     median of $initial_runs: $s s, $(calc "$got / $s")" \
    "rows/s (budget: 1,000,000 rows < 10 s)"
rm -f "$work"/initial.db*

# 2. Propagation: a writer, an observer and 100 `triage sync` clients, on
# an org of their own so that their initial syncs are small.
"$triage" admin create-org Prop > /dev/null
for u in writer observer agent; do
	"$triage" admin create-user --org Prop --email "$u@prop.test" \
	    --name "$u" --role agent --password-file "$work/pw" > /dev/null
done
"$triage" admin seed --org Prop --tickets "$prop_tickets" > /dev/null 2>&1
numbers=$(q "SELECT t.number FROM tickets t JOIN orgs o ON o.id = t.org_id
    WHERE o.name = 'Prop' AND t.status IN ('new', 'open', 'pending')
    AND NOT t.deleted AND t.merged_into IS NULL ORDER BY t.number LIMIT 10")
# Each login makes its own client id and token; the clients share a user.
# Four at a time: a login is an Argon2 hash on the server.
prep() {
	login "$1" "$2" && "$triage" --replica "$1" sync --once > /dev/null
}
prep "$work/writer.db" writer@prop.test
prep "$work/observer.db" observer@prop.test
: > "$work/clients"
batch=
for i in $(seq 1 "$clients"); do
	echo "$work/c$i.db" >> "$work/clients"
	prep "$work/c$i.db" agent@prop.test &
	batch="$batch $!"
	if [ $((i % 4)) -eq 0 ] || [ "$i" -eq "$clients" ]; then
		for p in $batch; do
			wait "$p" || { echo "client $i: login or sync" \
			    "failed" >&2; exit 1; }
		done
		batch=
	fi
done
# The writer and the observer alone first, then with the clients.
echo "propagation, writer and observer alone:"
window_start
# shellcheck disable=SC2086
"$bench" prop alone "$work/writer.db" "$work/observer.db" "$rate" 10 - \
    $numbers || true
window_end

# The clients run at nice $nice: in real use each has a machine of its
# own; here they would otherwise take the cores from the server and the
# writer and observer being timed.
for i in $(seq 1 "$clients"); do
	nice -n "$nice" "$triage" --replica "$work/c$i.db" sync \
	    > "$work/c$i.log" 2>&1 &
	client_pids="$client_pids $!"
done
# Let every client catch up and reach its waiting pull.
sleep 3
running=0
for p in $client_pids; do
	kill -0 "$p" 2>/dev/null && running=$((running + 1))
done
echo "propagation, with $clients triage sync clients long-polling at nice" \
    "$nice ($running running, $(calc "$(rss_kb $client_pids) / 1024") MB" \
    "RSS in all; server RSS $(calc "$(rss_kb "$server_pid") / 1024") MB):"
rounds0=$(cat "$work"/c*.log | grep -c '^pushed' || true)
window_start
# shellcheck disable=SC2086
"$bench" prop clients "$work/writer.db" "$work/observer.db" "$rate" \
    "$seconds" "$work/clients" $numbers || true
window_end
rounds=$(( $(cat "$work"/c*.log | grep -c '^pushed' || true) - rounds0 ))
echo "  the $clients clients applied pulled rows in $rounds rounds" \
    "($(calc "$rounds / $clients") each)"

# 3. Catch-up: stop the server, queue replies in the writer's replica
# while it is down, start it again on the same port.
t_term=$(now_ns)
stop_server
t_gone=$(now_ns)
# shellcheck disable=SC2086
last=$("$bench" queue "$work/writer.db" "$catchup" $numbers)
left=$(( (down_ms * 1000000 - ($(now_ns) - t_gone)) / 1000 ))
[ "$left" -gt 0 ] && sleep "$(calc "$left / 1e6" %.3f)"
t_start=$(now_ns)
start_server "$port" "$work/serve2.log"
echo "catch-up setup: SIGTERM to exit $(calc "($t_gone - $t_term) / 1e6") ms;" \
    "down $(calc "($t_start - $t_gone) / 1e6") ms (from exit to start" \
    "again on the same port); $catchup replies queued in the writer's replica" \
    "meanwhile"
"$bench" catchup "$url" "$work/writer.db" "$t_start" "$last" \
    "$work/clients" || true
retries=$(cat "$work"/c*.log | grep -c 'retrying in' || true)
# The pauses are jittered (1 s doubling, give or take a quarter).
echo "  the $clients clients logged $retries retries; pauses $(cat \
    "$work"/c*.log | sed -n 's/.*retrying in \([0-9.]*\) s.*/\1/p' |
    sort -n | awk '{ v[NR] = $1 } END { if (NR > 0) printf "%.1f s to %.1f s, median %.1f s", v[1], v[NR], v[int((NR + 1) / 2)] }')"
exit 0
