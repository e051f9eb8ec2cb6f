#!/bin/bash
# tui-ops.sh: notifications and availability in a real console (tmux)
# logged in to a real triage serve on a throwaway PostgreSQL, with the
# server running its jobs. A new ticket auto-assigned to the agent shows
# as "1 new" on the status bar (and rings the bell when asked to); ! lists
# it; Enter opens the ticket and marks it read, on the server too. :away
# reaches the server and the next ticket goes to someone else; an SLA
# breach escalates the ticket and the console shows it. A reply typed in
# the console goes out by mail (a real SMTP server) and the thread says
# sent.
set -eu

NAME=tui-ops
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
command -v tmux > /dev/null || { echo "SKIP: $NAME: no tmux"; exit 77; }

SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
SRV_CLEANUP='tm kill-server 2>/dev/null || true'

A migrate > /dev/null
A create-org Shop > /dev/null
printf 'password-one\n' > "$T/pw"
chmod 600 "$T/pw"
for n in ann bob; do
	A create-user --org Shop --email "$n@shop.test" --name "${n^} Test" \
	    --role agent --team Support --password-file "$T/pw" > /dev/null
done
A create-user --org Shop --email boss@shop.test --name "Boss Test" \
    --role admin --password-file "$T/pw" > /dev/null
A rule add --org Shop --priority urgent --team Support > /dev/null
A sla --org Shop --priority urgent --first-response 1 --resolution 600 \
    > /dev/null
ORG=$(q "SELECT id FROM orgs WHERE name = 'Shop'")
ANN=$(q "SELECT id FROM users WHERE email = 'ann@shop.test'")
BOB=$(q "SELECT id FROM users WHERE email = 'bob@shop.test'")
q "UPDATE users SET available = false WHERE id = '$BOB'" > /dev/null

PY=/usr/bin/python3
mkdir -p "$T/mbox"
"$PY" "$TRIAGE_SRCDIR/tests/smtp-sink.py" "$T/mbox" "$T/smtp.port" \
    2> "$T/smtp.log" &
SINK=$!
SRV_CLEANUP='tm kill-server 2>/dev/null || true; kill $SINK 2>/dev/null || true'
for _ in $(seq 1 100); do [ -s "$T/smtp.port" ] && break; sleep 0.1; done
CUST=$(q "SELECT gen_random_uuid()")
q "INSERT INTO customers(id, org_id, name, email) VALUES ('$CUST', '$ORG',
    'Cara Customer', 'cara@example.com')" > /dev/null
SERVE_JOBS=1 SERVE_ARGS="--smtp smtp://127.0.0.1:$(cat "$T/smtp.port")
    --mail-from support@shop.test" start_server
"$TRIAGE" --replica "$T/a.db" login --server "$URL" --email ann@shop.test \
    --password-file "$T/pw" > /dev/null
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
printf '[notify]\nbell = yes\ndnd = 00:00-00:00\n' > "$T/a.conf"

san_env a
tm new-session -d -s a -x 110 -y 30 env TERM=tmux-256color "${SAN_ENV[@]}" \
    "$TRIAGE" --replica "$T/a.db" --config "$T/a.conf" --trace "$T/trace"
screen() { tm capture-pane -p -t a; }
wait_screen() {
	local i=0 limit=${2:-200}

	while [ $i -lt "$limit" ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
keys() { tm send-keys -t a "$@"; }
expect() {
	if wait_screen "$2" "${3:-200}"; then
		pass "$1"
	else
		fail "$1 (no \"$2\" on the screen)"
		screen | sed 's/^/# /'
	fi
}
expect "the console is online" "online"

# A new urgent ticket: the jobs give it to ann (bob is away).
T1=$(q "SELECT gen_random_uuid()")
q "INSERT INTO tickets(id, org_id, number, subject, priority, status,
    customer_id) VALUES ('$T1', '$ORG', 9001, 'Printer on fire', 'urgent',
    'new', '$CUST')" > /dev/null
expect "auto-assigned: the status bar counts a new notification" \
    "1 new (!)" 300
check "the bell rang for it" grep -q "bell" "$T/trace"
keys '!'
expect "! lists the notifications" "assigned to you"
expect "with the ticket" "#9001"
keys Enter
expect "Enter opens the ticket" "Printer on fire"
keys q
wait_screen "notifications" || true
i=0
while [ $i -lt 100 ]; do
	got=$(q "SELECT count(*) FROM notifications WHERE user_id = '$ANN'
	    AND read_at IS NOT NULL")
	[ "$got" -ge 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "opening it marked it read on the server" test "$got" -ge 1
if screen | grep -qF "1 new (!)"; then
	fail "read: the status bar no longer counts it"
else
	pass "read: the status bar no longer counts it"
fi

# Breached: the jobs escalate and the console shows it.
q "UPDATE tickets SET first_response_due = now() - interval '1 minute',
    created_at = now() - interval '2 minutes' WHERE id = '$T1'" > /dev/null
keys q
keys '#'
sleep 0.1
keys -l 9001
keys Enter
expect "the breach escalates the ticket, on screen" "Escalation level 1" 300
expect "and tags it overdue" "Tags overdue"
expect "the breach is a new notification" "1 new (!)"
keys r
expect "the composer opens" "^D send"
keys -l "We are on it."
keys C-d
expect "the reply is queued" "reply queued"
keys G
expect "the thread says sent once the SMTP server took it" "· sent" 300
check "the customer's mailbox has it" test "$(find "$T/mbox" -name '*.eml' |
    wc -l)" -eq 1
check "with the ticket number in the subject" grep -q "^Subject: \[#9001\]" \
    "$(find "$T/mbox" -name '*.eml' | head -n 1)"
keys q

# Away: the server hears it; the next ticket goes to bob.
q "UPDATE users SET available = true WHERE id = '$BOB'" > /dev/null
keys :
keys -l away
keys Enter
expect "the status bar says away" "away"
i=0
while [ $i -lt 100 ]; do
	[ "$(q "SELECT available FROM users WHERE id = '$ANN'")" = f ] && break
	sleep 0.1
	i=$((i + 1))
done
check ":away reaches the server" is "$(q "SELECT available FROM users WHERE
    id = '$ANN'")" f
T2=$(q "SELECT gen_random_uuid()")
q "INSERT INTO tickets(id, org_id, number, subject, priority, status)
    VALUES ('$T2', '$ORG', 9002, 'Second', 'urgent', 'new')" > /dev/null
i=0
while [ $i -lt 100 ]; do
	got=$(q "SELECT coalesce(assignee_id::text, '') FROM tickets WHERE
	    id = '$T2'")
	[ -n "$got" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "while ann is away, bob gets the next one" is "$got" "$BOB"
keys :
keys -l available
keys Enter
expect "back" "new tickets may be assigned to you"
tm kill-server 2>/dev/null || true
finish
