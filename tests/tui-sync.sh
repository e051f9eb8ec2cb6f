#!/bin/bash
# tui-sync.sh: two real consoles (tmux), each with its own replica, logged
# in to a real triage serve on a throwaway PostgreSQL. A reply typed in
# console A shows in console B's screen within one second; so does a
# status set with a command; the status bars say online; with the server
# stopped, A says offline and keeps its change, which reaches B when the
# server is back; a reply that meets a newer customer message is held
# until the agent edits it (the collision gate).
set -eu

NAME=tui-sync
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
command -v tmux > /dev/null || { echo "SKIP: $NAME: no tmux"; exit 77; }

SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
SRV_CLEANUP='tm kill-server 2>/dev/null || true'

# Under the sanitizers the consoles are slower; the one-second bound is
# the product's promise, checked on the plain build only.
LIMIT_MS=1000
[ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] && LIMIT_MS=5000

shop 60 ann:agent bob:agent
start_server
for who in a:ann b:bob; do
	"$TRIAGE" --replica "$T/${who%%:*}.db" login --server "$URL" \
	    --email "${who##*:}@shop.test" --password-file "$T/pw" > /dev/null
	"$TRIAGE" --replica "$T/${who%%:*}.db" sync --once > /dev/null
done
N=$(q "SELECT number FROM tickets WHERE status = 'open' ORDER BY number
    LIMIT 1")

# console NAME: start a console on NAME.db in its own tmux session.
console() {
	san_env "$1"
	: > "$T/empty.conf"
	tm new-session -d -s "$1" -x 120 -y 30 env TERM=tmux-256color \
	    "${SAN_ENV[@]}" "$TRIAGE" --replica "$T/$1.db" --config \
	    "$T/empty.conf" --trace "$T/trace.$1"
}
screen() { tm capture-pane -p -t "$1"; }
# wait_screen NAME TEXT [MS]: poll the screen; the time taken in WAITED.
wait_screen() {
	local start=$(date +%s%N) limit=${3:-10000}

	while :; do
		WAITED=$((($(date +%s%N) - start) / 1000000))
		screen "$1" | grep -qF -- "$2" && return 0
		[ "$WAITED" -gt "$limit" ] && return 1
		sleep 0.02
	done
}
keys() { tm send-keys -t "$1" "${@:2}"; }
open_ticket() {
	keys "$1" '#'
	sleep 0.1
	keys "$1" -l "$N"
	keys "$1" Enter
	wait_screen "$1" "#$N "
}

console a
console b
check "console A says online" wait_screen a "online, synced"
check "console B says online" wait_screen b "online, synced"
check "A opens #$N" open_ticket a
check "B opens #$N" open_ticket b
keys b G		# B reads the end of the thread, where replies come

# A reply typed in A reaches B's screen.
keys a r
check "A's composer opens" wait_screen a "^D send"
keys a -l "Parcel found, on its way: Ümlaut ✓"
keys a C-d
t0=$(date +%s%N)
for _ in $(seq 1 300); do
	[ "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM outbox WHERE state = 1')" = 1 ] && break
	sleep 0.005
done
echo "# A's outbox says applied after $((($(date +%s%N) - t0) / 1000000)) ms"
for _ in $(seq 1 300); do
	[ "$(sqlite3 "$T/b.db" "SELECT count(*) FROM messages WHERE body LIKE 'Parcel found%'")" = 1 ] && break
	sleep 0.005
done
echo "# B's replica has it after $((($(date +%s%N) - t0) / 1000000)) ms"
check "B shows A's reply within $LIMIT_MS ms" \
    wait_screen b "Parcel found, on its way" "$LIMIT_MS"
echo "# A's reply reached B's screen in $WAITED ms"
check "A's status bar has nothing pending" wait_screen a "0 pending"
# A second reply while B reads from the top: B is told it is there.
keys b g
keys a r
wait_screen a "^D send" > /dev/null
keys a -l "Second note for you"
keys a C-d
# (Unless the whole thread fits on B's screen: then it simply shows.)
told_or_shown() {
	wait_screen b "a new message below" "$LIMIT_MS" ||
	    screen b | grep -qF "Second note for you"
}
check "B, not at the end, is told of the new message (or sees it)" \
    told_or_shown
check "the server has the reply once" is \
    "$(q "SELECT count(*) FROM messages WHERE body LIKE 'Parcel found%'")" 1
check "and the second" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'Second note for you'")" 1

# A status set by command in A reaches B.
keys a -l ":status pending"
keys a Enter
check "B shows the new status within $LIMIT_MS ms" \
    wait_screen b "pending" "$LIMIT_MS"
echo "# A's status reached B's screen in $WAITED ms"

# A reply queued by another program on A's replica goes out at once too
# (A notices within a second), not after A's waiting pull.
keys b G
"$TRIAGE" --replica "$T/a.db" reply "$N" -m 'Queued from the shell' \
    > /dev/null
check "a reply queued beside the console reaches B" \
    wait_screen b "Queued from the shell" 5000
echo "# the shell's reply reached B's screen in $WAITED ms"

# The server gone: A says offline and keeps its change.
stop_server
keys a -l ":status open"
keys a Enter
check "A says offline" wait_screen a "offline for"
check "A keeps the change pending" wait_screen a "1 pending"
start_server_again() { PORT=$PORT start_server; }
start_server_again
check "A comes back online by itself" wait_screen a "online, synced" 20000
check "and B gets the change" is "$(for _ in $(seq 1 100); do
    s=$(sqlite3 "$T/b.db" "SELECT status FROM tickets WHERE number = $N")
    [ "$s" = 1 ] && { echo ok; break; }; sleep 0.1; done)" ok

# The collision gate: a reply written offline meets a message the
# customer sent meanwhile (put straight into PostgreSQL, as mail would).
stop_server
keys a r
wait_screen a "^D send" > /dev/null
keys a -l "Reply written offline"
keys a C-d
check "A queues the offline reply" wait_screen a "1 pending"
q "INSERT INTO messages(id, org_id, ticket_id, author, body)
    SELECT gen_random_uuid(), org_id, id, 'customer',
    'Actually it arrived broken' FROM tickets WHERE number = $N" > /dev/null
start_server_again
check "A is told the customer wrote again" \
    wait_screen a "the customer wrote again" 20000
check "A's status bar counts the conflict" wait_screen a "1 conflict"
check "the reply was not sent" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'Reply written offline'")" 0
keys a O
check "the outbox shows what the customer wrote" \
    wait_screen a "the customer: Actually it arrived broken"
keys a e
check "e opens the composer with the reply" \
    wait_screen a "Reply written offline"
check "above it, the customer's new message" \
    wait_screen a "Actually it arrived broken"
keys a C-d
check "the reply, now having seen it, reaches the server once" is \
    "$(for _ in $(seq 1 100); do c=$(q "SELECT count(*) FROM messages
    WHERE body = 'Reply written offline'"); [ "$c" = 1 ] && { echo 1;
    break; }; sleep 0.1; done)" 1
check "and no conflict is left" is "$(for _ in $(seq 1 100); do
    c=$(sqlite3 "$T/a.db" "SELECT count(*) FROM outbox WHERE state NOT IN
    (1, 4)"); [ "$c" = 0 ] && { echo 0; break; }; sleep 0.1; done)" 0

keys a Q
keys b Q
sleep 0.5
for c in a b; do
	for f in "$T/asan.$c".* "$T/ubsan.$c".*; do
		[ -e "$f" ] && fail "sanitizer report from console $c: $(head -5 "$f")"
	done
done
finish
