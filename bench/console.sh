#!/bin/bash
# console.sh: drive the real console in tmux with --trace on replicas of
# 10,000 and 1,000,000 tickets; print first paint, per-key latency (read to
# repaint done) p50/p99 over 1,000 keys, and peak RSS. Figures only; it
# never passes or fails on a timing.
#   bench/console.sh [BUILDDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
triage=$build/triage
work=$(mktemp -d /tmp/triage-bench-console.XXXXXX)
sock=$work/tmux.sock
mkfifo "$work/never"
exec {never}<>"$work/never"
trap 'tmux -S "$sock" kill-server 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

make -C "$build" -s triage
command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 1; }

# One cycle of 30 keys: move, page, jump to the ends, open a ticket and go
# back, and type in the search view. 34 cycles make 1,020 keys.
cycle() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do send j; done
	for i in 1 2 3 4 5; do send k; done
	send NPage; send NPage; send NPage
	send G; send g
	send Enter; send q
	send /; send r; send e; send f; send u; send n; send d; send Escape
}

# Keys go through one tmux control-mode client and the pause between them
# is a read timeout, so the driver forks nothing per key: on a machine with
# two cores a fork and exec of a tmux client per key would compete with the
# console being measured. (The console's own trace times each key from the
# read to the end of its repaint.)
send() {
	printf 'send-keys -t bench %s\n' "$1" >&"$ctl"
	read -r -t 0.004 -u "$never" || true
}

# Wait until the trace has n lines matching a pattern.
wait_trace() {
	local pat=$1 n=$2 i c
	for i in $(seq 1 600); do
		c=$(grep -c "$pat" "$trace" 2>/dev/null || true)
		[ "${c:-0}" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $pat in $trace" >&2
	return 1
}

run() {
	local tickets=$1 db pid rss
	db=${BENCH_DIR:-/tmp}/triage-bench-$tickets.db
	if [ ! -f "$db" ]; then
		echo "== generating $tickets tickets into $db"
		"$triage" replica gen --tickets "$tickets" --out "$db"
	fi
	# A normal start: open read-write once so a WAL left by a migration
	# or a read-only benchmark is checkpointed, not recovered on start.
	"$triage" --replica "$db" replica info > /dev/null
	trace=$work/trace-$tickets.log
	: > "$work/config"
	tmux -S "$sock" new-session -d -s bench -x 120 -y 40 \
	    "exec env LANG=C.UTF-8 TERM=screen-256color XDG_CONFIG_HOME=$work \
	    $triage --replica $db --config $work/config --trace $trace"
	wait_trace first-paint 1
	sleep 1		# let the background counts finish
	exec {ctl}> >(exec tmux -S "$sock" -C attach -t bench > /dev/null)
	pid=$(tmux -S "$sock" list-panes -t bench -F '#{pane_pid}')
	for c in $(seq 1 34); do cycle; done
	wait_trace ' key ' 1000
	sleep 0.5
	rss=$(awk '/VmHWM/ { print $2 }' /proc/"$pid"/status)
	send Q
	exec {ctl}>&-
	sleep 0.3
	tmux -S "$sock" kill-session -t bench 2>/dev/null || true
	echo "== console, $tickets tickets ($(nproc) cores, 120x40)"
	awk '$2 == "first-paint" { printf "first paint      %8.3f ms\n", $1 }' \
	    "$trace"
	awk '$2 == "key" { split($4, m, "="); print m[2] }' "$trace" |
	    sort -n > "$work/keys-$tickets"
	awk -v rss="$rss" '{ v[NR] = $1 }
	END {
		printf "keys             %8d\n", NR
		printf "key p50          %8.3f ms\n", v[int(NR * 0.50) + 1]
		printf "key p99          %8.3f ms\n", v[int(NR * 0.99) + 1]
		printf "key max          %8.3f ms\n", v[NR]
		printf "peak RSS         %8.1f MB\n", rss / 1024
	}' "$work/keys-$tickets"
	# The slowest keys, by key code, to see what to work on.
	awk '$2 == "key" { split($3, c, "="); split($4, m, "=");
	    if (m[2] + 0 > 2) print c[2], m[2] }' "$trace" | sort -k2 -n -r |
	    head -5 | awk '{ printf "slow key code %-6s %8.3f ms\n", $1, $2 }'
}

run 10000
run 1000000
exit 0
