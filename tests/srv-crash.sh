#!/bin/bash
# srv-crash.sh: the sync engine killed at random points while it pushes
# (50 cycles), and the server killed while a replica pushes (20 cycles):
# afterwards every reply is on the server exactly once, the outbox says
# applied for each, and nothing is stuck.
set -eu

NAME=srv-crash
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"

shop 20 ann:agent
start_server
SPORT=$PORT		# every restart takes the same port: the replica has it
DB=$T/a.db
ta() { "$TRIAGE" --replica "$DB" "$@"; }
ta login --server "$URL" --email ann@shop.test --password-file "$T/pw" \
    > /dev/null
ta sync --once > /dev/null
N=$(q "SELECT number FROM tickets ORDER BY number LIMIT 1")

# queue K PREFIX: K replies to #N, bodies "PREFIX 1" .. "PREFIX K".
queue() {
	local i

	for i in $(seq 1 "$1"); do
		ta reply "$N" -m "$2 $i" > /dev/null
	done
}
# A random delay of 0 to $1 ms, as seconds for sleep.
pause() { printf '0.%03d' $((RANDOM % $1)); }

# last_sync: one more sync to the end, its output in $T/out; when it
# fails, that output and the server's last words as diagnostics.
last_sync() {
	ta sync --once > "$T/out" 2>&1 || { sed "s/^/# out: /" "$T/out";
	    tail -5 "$T/serve.log" | sed "s/^/# serve.log: /"; }
}

# The client killed: each cycle queues 4 replies and kills a sync of them
# somewhere between its start and its end.
landed=0
for c in $(seq 1 50); do
	queue 4 "client cycle $c:"
	ta sync --once > /dev/null 2>&1 &
	pid=$!
	sleep "$(pause 25)"
	kill -9 "$pid" 2>/dev/null && landed=$((landed + 1))
	wait "$pid" 2>/dev/null || true
done
echo "# $landed of 50 kills landed before the sync had finished"
check "at least 15 kills landed while the sync ran" test "$landed" -ge 15
last_sync
check "after 50 killed syncs, one more finishes" has "$(cat "$T/out")" \
    "pushed"
check "every reply of the client cycles is on the server once" is \
    "$(q "SELECT count(*) || '/' || count(DISTINCT body) FROM messages
    WHERE body LIKE 'client cycle %'")" "200/200"
check "and the outbox says applied for each" is \
    "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state != 1")" 0

# The server killed: each cycle queues 4 replies and kills the server
# somewhere during the sync, then starts it again on the same port.
for c in $(seq 1 20); do
	queue 4 "server cycle $c:"
	ta sync --once > /dev/null 2>&1 &
	pid=$!
	sleep "$(pause 40)"
	kill -9 "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	wait "$pid" 2>/dev/null || true
	PORT=$SPORT start_server
done
last_sync
check "after 20 killed servers, a sync finishes" has "$(cat "$T/out")" \
    "pushed"
check "every reply of the server cycles is on the server once" is \
    "$(q "SELECT count(*) || '/' || count(DISTINCT body) FROM messages
    WHERE body LIKE 'server cycle %'")" "80/80"
check "and the outbox says applied for each" is \
    "$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state != 1")" 0
check "the server recorded each seq once" is \
    "$(q "SELECT count(*) || '/' || max(seq) FROM push_results")" \
    "$(sqlite3 "$DB" "SELECT count(*) || '/' || max(seq) FROM outbox")"
finish
