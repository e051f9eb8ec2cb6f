#!/bin/bash
# srv-ops.sh: the server's jobs on a throwaway PostgreSQL (issue 7). An SLA
# clock with a short policy takes its steps one by one, each once: a
# reminder to the assignee at half the time, the team lead at three
# quarters, overdue and escalation level 1 with the admins told at the
# breach, level 2 a day later. Pending stops the clock and reopening moves
# the due time on; business hours skip the night and the weekend. A new
# ticket goes to the least loaded available agent of the rule's team, or
# the team lead when no one is available. Mentions and customer replies
# notify. Several servers running the jobs at once never double a step.
set -eu
NAME=srv-ops
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"

A migrate > /dev/null
A create-org Shop > /dev/null
printf 'password-one\n' > "$T/pw"
chmod 600 "$T/pw"
for u in ann:agent:Support bob:agent:Support lea:agent:Support \
    cy:agent:Billing boss:admin: vic:viewer:; do
	IFS=: read -r n role team <<< "$u"
	A create-user --org Shop --email "$n@shop.test" --name "${n^} Test" \
	    --role "$role" ${team:+--team "$team"} --password-file "$T/pw" \
	    > /dev/null
done
A set-lead --org Shop --team Support --email lea@shop.test > /dev/null
uid() { q "SELECT id FROM users WHERE email = '$1@shop.test'"; }
ORG=$(q "SELECT id FROM orgs WHERE name = 'Shop'")
ANN=$(uid ann) BOB=$(uid bob) LEA=$(uid lea) BOSS=$(uid boss) VIC=$(uid vic)

# new_ticket NUMBER PRIORITY [ASSIGNEE]: a ticket made now, as a console's
# create_ticket would, its due times from the policy.
new_ticket() {
	local id who=NULL

	[ -n "${3:-}" ] && who="'$3'"
	id=$(q "SELECT gen_random_uuid()")
	q "INSERT INTO tickets(id, org_id, number, subject, priority,
	    assignee_id) VALUES ('$id', '$ORG', $1, 'Ticket $1', '$2',
	    $who)" > /dev/null
	q "UPDATE tickets t SET first_response_due = t.created_at +
	    p.first_response_mins * interval '1 minute', resolution_due =
	    t.created_at + p.resolution_mins * interval '1 minute' FROM
	    sla_policies p WHERE t.id = '$id' AND p.org_id = t.org_id AND
	    p.priority = t.priority" > /dev/null
	echo "$id"
}
# age ID SECONDS: the ticket was made that long ago (its due times too).
age() {
	q "UPDATE tickets SET created_at = created_at - interval '$2 seconds',
	    first_response_due = first_response_due - interval '$2 seconds',
	    resolution_due = resolution_due - interval '$2 seconds'
	    WHERE id = '$1'" > /dev/null
}
notes() {	# notes USER_ID KIND TICKET_ID: how many
	q "SELECT count(*) FROM notifications WHERE user_id = '$1' AND
	    kind = '$2' AND ticket_id = '$3'"
}
jobs() { A run-jobs > "$T/jobs.out" 2>&1 || cat "$T/jobs.out"; }

OUT=$(A sla --org Shop --priority urgent --first-response 2 --resolution 60)
check "admin sla sets a short policy" has "$OUT" "first response 2 min"

# --- SLA steps, one by one, once each.
T1=$(new_ticket 1 urgent "$ANN")
q "UPDATE tickets SET team_id = (SELECT id FROM teams WHERE name =
    'Support'), status = 'open' WHERE id = '$T1'" > /dev/null
jobs
check "a fresh ticket takes no step" is "$(q "SELECT count(*) FROM sla_steps
    WHERE ticket_id = '$T1'")" 0
age "$T1" 65
jobs
check "half the first-response time: a reminder to the assignee" \
    is "$(notes "$ANN" sla_reminder "$T1")" 1
check "and no warning yet" is "$(notes "$LEA" sla_warning "$T1")" 0
jobs
check "a second pass does not remind again" \
    is "$(notes "$ANN" sla_reminder "$T1")" 1
age "$T1" 35
jobs
check "three quarters: the team lead is warned" \
    is "$(notes "$LEA" sla_warning "$T1")" 1
check "not overdue yet" is "$(q "SELECT escalation FROM tickets WHERE
    id = '$T1'")" 0
age "$T1" 25
jobs
check "breached: escalation level 1" is "$(q "SELECT escalation FROM
    tickets WHERE id = '$T1'")" 1
check "marked overdue" is "$(q "SELECT tags ? 'overdue' FROM tickets WHERE
    id = '$T1'")" t
check "the admins are told" is "$(notes "$BOSS" sla_breach "$T1")" 1
check "an audit event says so" is "$(q "SELECT count(*) FROM events WHERE
    ticket_id = '$T1' AND field = 'escalation' AND new_value = '1'")" 1
jobs
check "the breach is told once" is "$(notes "$BOSS" sla_breach "$T1")" 1
age "$T1" 86400
jobs
check "a day past the breach: level 2" is "$(q "SELECT escalation FROM
    tickets WHERE id = '$T1'")" 2
check "told to the admins" is "$(notes "$BOSS" sla_level2 "$T1")" 1
check "each step is an audit event" is "$(q "SELECT string_agg(new_value,
    ' ' ORDER BY new_value) FROM events WHERE ticket_id = '$T1' AND field =
    'sla'")" "fr50 fr75 fr_breach level2 res_breach"

# A server that was down: of a clock's steps due together, only the last
# is told.
T2=$(new_ticket 2 urgent "$ANN")
age "$T2" 200
jobs
check "late: no reminder for a breached clock" \
    is "$(notes "$ANN" sla_reminder "$T2")" 0
check "late: the breach is told" is "$(notes "$ANN" sla_breach "$T2")" 1
check "late: the steps passed over are recorded" is "$(q "SELECT count(*)
    FROM sla_steps WHERE ticket_id = '$T2' AND step LIKE 'fr%'")" 3

# --- Pending stops the clock; back to open moves the due time on.
start_server
"$TRIAGE" --replica "$T/a.db" login --server "$URL" --email ann@shop.test \
    --password-file "$T/pw" > /dev/null
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
T3=$(new_ticket 3 normal "$ANN")
q "UPDATE tickets SET status = 'open' WHERE id = '$T3'" > /dev/null
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
before=$(q "SELECT ms(resolution_due) FROM tickets WHERE id = '$T3'")
tr_ a set 3 status=pending
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
check "pending pauses the clock" is "$(q "SELECT paused_at IS NOT NULL FROM
    tickets WHERE id = '$T3'")" t
q "UPDATE tickets SET paused_at = paused_at - interval '10 minutes' WHERE
    id = '$T3'" > /dev/null
tr_ a set 3 status=open
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
after=$(q "SELECT ms(resolution_due) FROM tickets WHERE id = '$T3'")
moved=$(( (after - before) / 1000 ))
check "reopened: the due time moved on by the pause ($moved s)" \
    test "$moved" -ge 600 -a "$moved" -le 610
check "and the clock runs again" is "$(q "SELECT paused_at IS NULL FROM
    tickets WHERE id = '$T3'")" t
tr_ a show 3 --json
check "the console's replica has the new due time" \
    has "$OUT" "\"resolution_due\": "

# --- Business hours: the night and the weekend do not count.
OUT=$(A set-hours --org Shop --tz Europe/Berlin "mon-fri 09:00-17:00")
check "set-hours takes weekly hours" has "$OUT" "business hours"
if A set-hours --org Shop "mon-fri 9-17" > /dev/null 2>"$T/err"; then
	fail "set-hours refuses hours it cannot read"
else
	pass "set-hours refuses hours it cannot read"
fi
if A set-hours --org Shop --tz Mars/Olympus "mon 09:00-10:00" \
    > /dev/null 2>"$T/err"; then
	fail "set-hours refuses an unknown time zone"
else
	check "set-hours refuses an unknown time zone" has "$(cat "$T/err")" \
	    "unknown time zone"
fi
H=$(q "SELECT business_hours FROM orgs WHERE id = '$ORG'")
# Friday 2026-11-20 16:30 Berlin (15:30 UTC) plus 60 business minutes:
# Monday 09:30 Berlin.
check "an hour from Friday 16:30 is Monday 09:30" is "$(q "SELECT
    to_char(triage_bh_add('2026-11-20 15:30+00', 60, '$H', 'Europe/Berlin')
    AT TIME ZONE 'Europe/Berlin', 'Dy HH24:MI')")" "Mon 09:30"
check "Friday 16:00 to Monday 10:00 is two business hours" is "$(q "SELECT
    triage_bh_mins('2026-11-20 15:00+00', '2026-11-23 09:00+00', '$H',
    'Europe/Berlin')")" 120
check "without hours every minute counts" is "$(q "SELECT
    triage_bh_mins('2026-11-20 15:00+00', '2026-11-20 16:00+00', NULL,
    'UTC')")" 60
A set-hours --org Shop always > /dev/null

# --- Auto-assignment: the least loaded available agent of the team.
OUT=$(A rule add --org Shop --priority urgent --team Support)
check "rule add" has "$OUT" "rule 1 added"
OUT=$(A rule add --org Shop --category billing --user cy@shop.test)
check "a second rule goes after" has "$OUT" "rule 2 added"
OUT=$(A rule ls --org Shop)
check "rule ls lists them in order" has "$OUT" "2  category billing"
# ann: two urgent (8); lea: one high (3); bob: none but away.
new_ticket 10 high "$LEA" > /dev/null
q "UPDATE users SET available = false WHERE id = '$BOB'" > /dev/null
T20=$(new_ticket 20 urgent)
check "a new unassigned ticket is queued" is "$(q "SELECT count(*) FROM
    assign_queue WHERE ticket_id = '$T20'")" 1
jobs
check "it goes to the least loaded available agent" is "$(q "SELECT
    assignee_id FROM tickets WHERE id = '$T20'")" "$LEA"
check "with the rule's team" is "$(q "SELECT t.name FROM tickets k JOIN
    teams t ON t.id = k.team_id WHERE k.id = '$T20'")" Support
check "the agent is notified" is "$(notes "$LEA" assigned "$T20")" 1
check "an audit event records it" is "$(q "SELECT count(*) FROM events
    WHERE ticket_id = '$T20' AND field = 'assignee' AND actor_id IS
    NULL")" 1
q "UPDATE users SET available = false WHERE id IN ('$ANN', '$LEA')" \
    > /dev/null
T21=$(new_ticket 21 urgent)
jobs
check "no one available: the team lead" is "$(q "SELECT assignee_id FROM
    tickets WHERE id = '$T21'")" "$LEA"
T22=$(q "SELECT gen_random_uuid()")
q "INSERT INTO tickets(id, org_id, number, subject, category) VALUES
    ('$T22', '$ORG', 22, 'Invoice', 'billing')" > /dev/null
jobs
check "a user rule" is "$(q "SELECT u.email FROM tickets t JOIN users u ON
    u.id = t.assignee_id WHERE t.id = '$T22'")" cy@shop.test
T23=$(q "SELECT gen_random_uuid()")
q "INSERT INTO tickets(id, org_id, number, subject, priority) VALUES
    ('$T23', '$ORG', 23, 'No rule', 'low')" > /dev/null
jobs
check "no rule matches: left for a person" is "$(q "SELECT assignee_id IS
    NULL FROM tickets WHERE id = '$T23'")" t
check "and taken off the queue" is "$(q "SELECT count(*) FROM
    assign_queue")" 0
q "UPDATE users SET available = true" > /dev/null

# --- Mentions and customer replies.
tr_ a sync --once
tr_ a reply 3 --note -m "@bob can you look at this? cc @Lea. and @vic"
tr_ a sync --once
check "@bob in a note notifies bob" is "$(notes "$BOB" mention "$T3")" 1
check "a viewer, who cannot read notes, is not told of one" \
    is "$(notes "$VIC" mention "$T3")" 0
check "a first name works too (@Lea.)" is "$(notes "$LEA" mention "$T3")" 1
check "the writer is not notified" is "$(notes "$ANN" mention "$T3")" 0
q "INSERT INTO messages(id, org_id, ticket_id, author, body) VALUES
    (gen_random_uuid(), '$ORG', '$T3', 'customer', 'Any news?')" > /dev/null
check "a customer reply notifies the assignee" \
    is "$(notes "$ANN" customer_replied "$T3")" 1
tr_ a reply 3 -m "Hello @bob"
tr_ a sync --once
check "a public reply mentions no one" is "$(q "SELECT count(*) FROM
    notifications WHERE kind = 'mention' AND user_id = '$BOB'")" 1

# --- A console's notifications, read marks and availability.
"$TRIAGE" --replica "$T/b.db" login --server "$URL" --email bob@shop.test \
    --password-file "$T/pw" > /dev/null
tr_ b sync --once
tr_ b notifications --json
check "bob's replica has his notifications" has "$OUT" '"kind": "mention"'
check "with the ticket's number" has "$OUT" '"ticket_number": 3'
check "and who wrote" has "$OUT" '"actor": "Ann Test"'
tr_ a notifications --json
check "only his: ann's replica has none of bob's" \
    is "$(printf '%s' "$OUT" | grep -c '"kind": "mention"' || true)" 0
tr_ b notifications --unread
check "unread ones are starred" has "$OUT" "* "
tr_ b notifications read --all
check "read --all marks them" has "$OUT" "1 notification marked read"
tr_ b sync --once
check "the read mark reaches the server" is "$(q "SELECT count(*) FROM
    notifications WHERE user_id = '$BOB' AND read_at IS NULL")" 0
tr_ b notifications --unread
check "none unread after" is "$OUT" ""
tr_ b available no
check "available no says away" has "$OUT" "away"
tr_ b sync --once
check "away reaches the server" is "$(q "SELECT available FROM users WHERE
    id = '$BOB'")" f
tr_ b available
check "and the replica says so" is "$OUT" "away"
q "UPDATE users SET available = false WHERE id IN ('$ANN', '$LEA')" \
    > /dev/null
T24=$(new_ticket 24 urgent)
jobs
check "an agent away gets no new ticket (the lead does)" is "$(q "SELECT
    assignee_id FROM tickets WHERE id = '$T24'")" "$LEA"
tr_ b available yes
tr_ b sync --once
check "back: available again" is "$(q "SELECT available FROM users WHERE
    id = '$BOB'")" t
T25=$(new_ticket 25 urgent)
jobs
check "and next in line" is "$(q "SELECT assignee_id FROM tickets WHERE
    id = '$T25'")" "$BOB"
q "UPDATE users SET available = true" > /dev/null

# --- Several servers at once: 60 breached tickets, four job runners.
for n in $(seq 100 159); do
	id=$(new_ticket "$n" urgent "$ANN")
	age "$id" 300
done
pids=
for i in 1 2 3 4; do
	A run-jobs > "$T/par.$i" 2>&1 &
	pids="$pids $!"
done
wait $pids
check "four runners at once: each breach told once" is "$(q "SELECT
    count(*) FROM notifications n JOIN tickets t ON t.id = n.ticket_id WHERE
    t.number BETWEEN 100 AND 159 AND n.kind = 'sla_breach' AND n.user_id =
    '$BOSS'")" 60
check "each escalation recorded once" is "$(q "SELECT count(*) FROM events
    e JOIN tickets t ON t.id = e.ticket_id WHERE t.number BETWEEN 100 AND
    159 AND e.field = 'escalation'")" 60
check "the runners shared the work" is "$(cat "$T"/par.* | awk '{s += $3}
    END {print s}')" 60

# --- triage serve runs the jobs by itself.
stop_server
for n in $(seq 200 219); do
	id=$(new_ticket "$n" urgent "$ANN")
	age "$id" 300
done
SERVE_JOBS=1 start_server
i=0
while [ $i -lt 100 ]; do
	got=$(q "SELECT count(*) FROM tickets WHERE number BETWEEN 200 AND 219
	    AND escalation = 1")
	[ "$got" = 20 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "triage serve escalates on its own" is "$got" 20
check "its log says so without personal data" has "$(cat "$T/serve.log")" \
    "took SLA steps"
finish
