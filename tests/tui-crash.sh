#!/bin/bash
# tui-crash.sh: a real console (tmux), logged in to a real triage serve on
# a throwaway PostgreSQL, killed with SIGKILL while its sync thread pushes,
# 50 cycles on one replica. Each cycle queues replies with triage reply
# (which the running console does not see at once) and one in the
# console's composer (which pokes its sync thread, so all of them go),
# then kills the console 0 to 300 ms later and starts it again. The
# console reaches the server through tests/cut-proxy holding each request
# and answer 100 ms, a slow link: on loopback a push takes a few ms and a
# kill would almost never find one under way. At the end every reply is
# on the server exactly once and the outbox says applied for each, with
# nothing pending or stuck.
set -eu

NAME=tui-crash
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
command -v tmux > /dev/null || { echo "SKIP: $NAME: no tmux"; exit 77; }
command -v sqlite3 > /dev/null || { echo "SKIP: $NAME: no sqlite3"; exit 77; }
need_proxy

CYCLES=${TUI_CRASH_CYCLES:-50}
CLI_REPLIES=2		# per cycle, with triage reply
# Waits for the screen: longer under the sanitizers (never a bound on
# how fast the console is).
WAIT_MS=10000
[ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] && WAIT_MS=30000

# One tmux server for all the consoles, kept up by a session of its own
# (it would exit with its last session, and a new console could race its
# going); a pane stays when its console ends, to show what it said.
SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" -f "$T/tmux.conf" "$@"; }
printf 'set -g remain-on-exit on\nset -g history-limit 0\n' > "$T/tmux.conf"
SRV_CLEANUP='tm kill-server 2>/dev/null || true'
tm new-session -d -s keep cat
# The pane runs this: a shell that records the console's pid, runs it and
# records its exit status (tmux's pane_dead_status comes late or not at
# all).
cat > "$T/run.sh" <<'EOF'
pidf=$1 ex=$2
shift 2
sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@"
echo $? > "$ex"
EOF
: > "$T/empty.conf"

shop 20 ann:agent
start_server
proxy_start -d 100	# the slow link
DB=$T/a.db
# ta ARGS...: triage on the console's replica.
ta() { "$TRIAGE" --replica "$DB" "$@"; }
ta login --server "$PURL" --email ann@shop.test --password-file "$T/pw" \
    > /dev/null
ta sync --once > /dev/null
N=$(q "SELECT number FROM tickets WHERE status = 'open' ORDER BY number
    LIMIT 1")
CLIENT=$(sqlite3 "$DB" "SELECT value FROM settings WHERE key = 'client_id'")

# console NAME: start a console on the replica in tmux session NAME; its
# pid in CPID.
console() {
	san_env "$1"
	tm new-session -d -s "$1" -x 120 -y 30 sh "$T/run.sh" "$T/pid.$1" \
	    "$T/exit.$1" env TERM=tmux-256color "${SAN_ENV[@]}" "$TRIAGE" \
	    --replica "$DB" --config "$T/empty.conf" --trace "$T/trace.$1" ||
	    return 1
	for _ in $(seq 1 1000); do
		[ -s "$T/pid.$1" ] && break
		sleep 0.01
	done
	CPID=$(cat "$T/pid.$1")
}
# ended NAME: the console's exit status once it has ended, else nothing.
ended() { cat "$T/exit.$1" 2>/dev/null || true; }
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
keys() { tm send-keys -t "$1" "${@:2}"; }
# waited START: whether more than WAIT_MS have passed since START (ns).
waited() { [ $((($(date +%s%N) - $1) / 1000000)) -gt "$WAIT_MS" ]; }
# wait_screen NAME TEXT: poll the screen for a fixed string.
wait_screen() {
	local start=$(date +%s%N)

	until screen "$1" | grep -qF -- "$2"; do
		waited "$start" && return 1
		sleep 0.02
	done
}
# wait_match NAME RE: poll the screen for a line matching RE (grep -E).
wait_match() {
	local start=$(date +%s%N)

	until screen "$1" | grep -qE -- "$2"; do
		waited "$start" && return 1
		sleep 0.02
	done
}
# wait_sql SQL WANT: poll the replica until the query answers WANT.
wait_sql() {
	local start=$(date +%s%N)

	until [ "$(sqlite3 "$DB" "$1" 2>/dev/null)" = "$2" ]; do
		waited "$start" && return 1
		sleep 0.01
	done
}
# gone NAME: wait for the console of session NAME to end, then close it.
gone() {
	local start=$(date +%s%N)

	while [ -z "$(ended "$1")" ]; do
		waited "$start" && return 1
		sleep 0.01
	done
	tm kill-session -t "$1"
}
# gone_clean NAME: the console ends by itself, with status 0.
gone_clean() {
	gone "$1" || return 1
	[ "$(ended "$1")" = 0 ] ||
	    { echo "# the console ended with status $(ended "$1")"; return 1; }
}
# dump NAME WHY: say what went wrong, with the screen, and stop.
dump() {
	fail "$2"
	echo "# the console's exit status: $(ended "$1")"
	echo "# ---- screen of console $1 ----"
	screen "$1" | sed 's/^/# /'
	finish
}
# open_ticket NAME: the ticket view of #N, by the :open command.
open_ticket() {
	keys "$1" :
	wait_match "$1" '^:' || return 1
	keys "$1" -l "open $N"
	keys "$1" Enter
	wait_match "$1" "^triage — #$N "
}
# compose NAME TEXT: a reply typed in the console's composer and sent.
compose() {
	keys "$1" r
	wait_screen "$1" "^D send" || return 1
	keys "$1" -l "$2"
	keys "$1" C-d
}
pending() {
	sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 0"
}
pushed_seq() {
	sqlite3 "$DB" "SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM
	    settings WHERE key = 'pushed_seq'"
}
server_seq() {
	q "SELECT coalesce(max(seq), 0) FROM push_results
	    WHERE client_id = '$CLIENT'"
}
# A random delay of 0 to 299 ms, as seconds for sleep.
pause() { printf '0.%03d' $((RANDOM % 300)); }

# The kills. After each one (and the time an answer on its way needs to
# arrive) the replica and the server say where the push was: recorded
# here (done before the kill), applied by the server but not recorded
# here (its answer lost), or not applied (killed before it went).
# Under load the kills land earlier in the push: more cycles (up to three
# times as many) until enough landed in each window that matters.
done_=0 lost=0 before=0 c=0
while [ "$c" -lt "$CYCLES" ] || { [ "$c" -lt $((CYCLES * 3)) ] &&
    { [ "$lost" -lt 3 ] || [ $((lost + before)) -lt 10 ]; }; }; do
	c=$((c + 1))
	console "c$c" || dump "c$c" "cycle $c: the console did not start"
	wait_screen "c$c" "online" ||
	    dump "c$c" "cycle $c: the console did not come online"
	open_ticket "c$c" || dump "c$c" "cycle $c: the console did not open #$N"
	for k in $(seq 1 "$CLI_REPLIES"); do
		ta reply "$N" -m "tui-crash cycle $c: cli $k." > /dev/null
	done
	compose "c$c" "tui-crash cycle $c: console." ||
	    dump "c$c" "cycle $c: the composer did not open"
	# The reply is queued (and the sync thread poked) when its outbox
	# entry is there; the kill comes 0 to 300 ms after that.
	wait_sql "SELECT count(*) FROM outbox WHERE payload LIKE
	    '%tui-crash cycle $c: console.%'" 1 ||
	    dump "c$c" "cycle $c: the composer's reply was not queued"
	sleep "$(pause)"
	[ -z "$(ended "c$c")" ] ||
	    dump "c$c" "cycle $c: the console ended before it was killed"
	kill -9 "$CPID"
	gone "c$c" || dump "c$c" "cycle $c: the killed console stays"
	if [ "$(pending)" -eq 0 ]; then
		done_=$((done_ + 1))
		continue
	fi
	sleep 0.3
	if [ "$(server_seq)" -gt "$(pushed_seq)" ]; then
		lost=$((lost + 1))
	else
		before=$((before + 1))
	fi
done
echo "# $c kills: $((lost + before)) landed mid-push ($lost after" \
    "the server had the push, before the console recorded its answer;" \
    "$before before the push reached the server), $done_ after the push"
check "at least 10 kills landed mid-push" test $((lost + before)) -ge 10
check "at least 3 of them lost the server's answer" test "$lost" -ge 3

# One more console, left alone, pushes what is left.
console last || dump last "the last console did not start"
wait_screen last "online" || dump last "the last console did not come online"
check "the last console drains the outbox" wait_sql \
    "SELECT count(*) FROM outbox WHERE state = 0" 0
check "and says nothing is pending" wait_screen last "0 pending"
keys last Q
check "the last console quits with status 0" gone_clean last
ta sync --once > "$T/out" 2>&1 || true
check "a sync after it pushes nothing" has "$(cat "$T/out")" "pushed 0 "

total=$((c * (CLI_REPLIES + 1)))
check "every reply is on the server exactly once" is \
    "$(q "SELECT count(*) || '/' || count(DISTINCT body) FROM messages
    WHERE body LIKE 'tui-crash cycle %'")" "$total/$total"
check "each of them, by its body" is "$(q "SELECT count(*) FROM (SELECT
    body FROM messages WHERE body LIKE 'tui-crash cycle %' GROUP BY body
    HAVING count(*) = 1) s")" "$total"
check "the console's replies, one per cycle" is "$(q "SELECT count(*)
    FROM messages WHERE body LIKE 'tui-crash cycle %: console.'")" "$c"
ta outbox --json > "$T/outbox.json"
check "triage outbox lists nothing pending, rejected or in conflict" is \
    "$(tr -d ' \n' < "$T/outbox.json")" "[]"
ta outbox --all --json > "$T/all.json"
check "triage outbox --all says applied for each reply" is \
    "$(grep -c '"state": "applied"' "$T/all.json")" \
    "$(grep -c '"state": ' "$T/all.json")"
check "and lists every reply" is \
    "$(grep -c '"state": ' "$T/all.json")" "$total"
check "the server recorded each seq once" is \
    "$(q "SELECT count(*) || '/' || max(seq) FROM push_results
    WHERE client_id = '$CLIENT'")" \
    "$(sqlite3 "$DB" "SELECT count(*) || '/' || max(seq) FROM outbox")"
check "the replica has every reply, once" is "$(sqlite3 "$DB" "SELECT
    count(*) || '/' || count(DISTINCT body) FROM messages WHERE body LIKE
    'tui-crash cycle %'")" "$total/$total"
check "no draft was left behind" is \
    "$(sqlite3 "$DB" "SELECT count(*) FROM drafts")" 0
for f in "$T"/asan.* "$T"/ubsan.*; do
	[ -e "$f" ] && fail "sanitizer report: $(head -5 "$f")"
done
finish
