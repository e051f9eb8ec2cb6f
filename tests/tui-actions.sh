#!/bin/bash
# tui-actions.sh: ticket actions from the queue (s p m a + A c), marks and the
# bulk action with its confirmation, ':status' and ':assign'. Every change must
# be exactly what the CLI twin `triage set` writes: the same changes are made
# with the CLI on a copy of the replica and both are compared as JSON.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300
DB2="$TUI_DIR/twin.db"
sql ".backup '$DB2'"

# The ticket number on screen line n (a ticket row; markers come first).
row_number()
{
	screen_line "$1" | sed -E 's/^[^0-9]*([0-9]+) .*/\1/'
}
outbox_count()
{
	cli outbox --json | grep -c '"type":'
}
me=$(sql "SELECT value FROM settings WHERE key = 'user_id'")
agent=$(sql "SELECT email FROM users WHERE id <> '$me' ORDER BY email LIMIT 1")
[ -n "$agent" ] || fail_plain "no other agent in the demo replica"

tui_start 120 30
n_all=$(cli ls --view "All open" --limit 1 |
    sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p')

# All open, by number: rows keep their places whatever we change (short of
# solving a ticket).
send 4
wait_line -2 "1/$n_all *\$"
run_cmd "sort number"
wait_line 0 "^triage — number"
N=$(row_number 2)
[ -n "$N" ] || fail "no ticket on the first row"
wait_line -2 "1/$n_all *\$"
step "the selected ticket is #$N"

step "s: set the status (3: pending); the row shows it and the pending marker"
[ "$(ticket_field "$N" status)" != pending ] ||
    fail_plain "#$N is already pending"
send s
wait_for "status:  1:new 2:open 3:pending 4:on hold 5:solved 6:closed"
send 3
wait_for "queued 1 change; pending until synced"
wait_line 2 "^ ↑ +$N +[a-z]+ +pending "
wait_match "· 1 pending"
[ "$(ticket_field "$N" status)" = pending ] ||
    fail_plain "show --json: #$N status is $(ticket_field "$N" status)"
[ "$(ticket_field "$N" pending)" = true ] ||
    fail_plain "show --json: #$N is not marked pending"
cli outbox --json | grep -q '"type": "set_status"' ||
    fail_plain "no set_status entry in the outbox"
cli outbox --json | grep -q '"status": "pending"' ||
    fail_plain "the set_status entry does not set pending"
cli_on "$DB2" set "$N" status=pending > /dev/null

step "p: set the priority (4: urgent)"
send p
wait_for "priority:  1:low 2:normal 3:high 4:urgent"
send 4
wait_for "queued 1 change;"
wait_line 2 "^ ↑ +$N +urgent +pending "
cli_on "$DB2" set "$N" priority=urgent > /dev/null

step "a: assign to $agent"
send a
wait_for "assign to (me, none, email):"
send_text "$agent"
send Enter
wait_for "queued 1 change;"
name=$(sql "SELECT name FROM users WHERE email = '$agent'")
wait_line 2 "^ ↑ +$N .* ${name:0:10}"
cli_on "$DB2" set "$N" assignee="$agent" > /dev/null

step "a with an unknown agent is refused"
send a
wait_for "assign to (me, none, email):"
send_text "nobody@nowhere.example"
send Enter
wait_for 'no agent "nobody@nowhere.example"'

step "m: assign to me"
me_name=$(sql "SELECT name FROM users WHERE id = '$me'")
send m
wait_for "queued 1 change;"
wait_line 2 "^ ↑ +$N .* ${me_name:0:10}"
cli_on "$DB2" set "$N" assignee=me > /dev/null

step "+: tags, A: team, c: category"
send +
wait_for "tags (+add -remove):"
send_text "+refund -vip escalated2"
send Enter
wait_for "queued 1 change;"
cli_on "$DB2" set "$N" tags=+refund,-vip,+escalated2 > /dev/null
send A
wait_for "team (name or none):"
send_text "Billing"
send Enter
wait_for "queued 1 change;"
cli_on "$DB2" set "$N" team=Billing > /dev/null
send c
wait_for "category (name or none):"
send_text "billing"
send Enter
wait_for "queued 1 change;"
cli_on "$DB2" set "$N" category=billing > /dev/null
[ "$(ticket_field "$N" category)" = billing ] ||
    fail_plain "show --json: #$N category is not billing"
cli show "$N" --json | grep -q '"escalated2"' ||
    fail_plain "show --json: #$N lacks the tag escalated2"

step "the console wrote what triage set wrote"
a=$(ticket_norm "$DB" "$N")
b=$(ticket_norm "$DB2" "$N")
[ "$a" = "$b" ] || fail_plain "#$N differs from the CLI twin's:" \
    "$(diff <(echo "$b") <(echo "$a"))"
a=$(outbox_norm "$DB")
b=$(outbox_norm "$DB2")
[ "$a" = "$b" ] || fail_plain "the outbox differs from the CLI twin's:" \
    "$(diff <(echo "$b") <(echo "$a"))"
n_out=$(outbox_count)
[ "$n_out" -eq 7 ] || fail_plain "expected 7 outbox entries, found $n_out"

step "marks: t on three rows, ; bulk status, the confirmation shows 3 tickets"
send j
wait_line -2 "2/$n_all *\$"
m1=$(row_number 3) m2=$(row_number 4) m3=$(row_number 5)
# A status none of the three has, so each gets a change.
target=""
for s in on_hold pending open new; do
	if [ "$(ticket_field "$m1" status)" != "$s" ] &&
	    [ "$(ticket_field "$m2" status)" != "$s" ] &&
	    [ "$(ticket_field "$m3" status)" != "$s" ]; then
		target=$s
		break
	fi
done
case $target in
new) digit=1 ;; open) digit=2 ;; pending) digit=3 ;; on_hold) digit=4 ;;
*) fail_plain "no status to set on #$m1 #$m2 #$m3" ;;
esac
send t
wait_for "1 marked"
send t
wait_for "2 marked"
send t
wait_for "3 marked"
wait_line 3 "^\\* +$m1 "
wait_line 4 "^\\* +$m2 "
wait_line 5 "^\\* +$m3 "
send ';'
wait_for "3 marked:  1:status 2:priority 3:assignee 4:tags 5:team 6:category"
send 1
wait_for "status:  1:new"
send "$digit"
wait_for "to 3 tickets? (y/n)"
wait_for "Apply \"$target\" to 3 tickets? (y/n)"
send n
wait_for "nothing changed"
[ "$(outbox_count)" -eq 7 ] || fail_plain "n wrote to the outbox"
[ "$(ticket_field "$m1" status)" != "$target" ] ||
    fail_plain "n changed #$m1"
# The marks are still there; this time say yes.
wait_line 3 "^\\* +$m1 "
send ';'
wait_for "3 marked:"
send 1
wait_for "status:  1:new"
send "$digit"
wait_for "to 3 tickets? (y/n)"
send y
wait_for "queued 3 changes"
wait_match "· 10 pending"
for m in "$m1" "$m2" "$m3"; do
	[ "$(ticket_field "$m" status)" = "$target" ] ||
	    fail_plain "bulk: #$m status is not $target"
	cli_on "$DB2" set "$m" status="$target" > /dev/null
done
[ "$(outbox_count)" -eq 10 ] || fail_plain "expected 10 outbox entries," \
    "found $(outbox_count)"
# The marks are cleared after the bulk action.
wait_line 3 "^ ↑ +$m1 "

step ":assign me and :status solved on the selected ticket"
# An unassigned ticket below the marked ones; move the cursor onto it.
S=$(cli ls 'assignee:none status:unsolved' --sort number --limit 1000 |
    sed -n 's/^#\([0-9]*\) .*/\1/p' |
    grep -v -x -e "$N" -e "$m1" -e "$m2" -e "$m3" | head -n 1)
idx=$(cli ls --view "All open" --sort number --limit 1000 |
    sed -n 's/^#\([0-9]*\) .*/\1/p' | grep -n -x "$S" | cut -d: -f1)
[ -n "$S" ] && [ -n "$idx" ] && [ "$idx" -le 20 ] ||
    fail_plain "no unassigned open ticket near the top (#$S at $idx)"
send g
wait_line -2 "1/$n_all *\$"
for i in $(seq 2 "$idx"); do
	send j
done
wait_line -2 "$idx/$n_all *\$"
[ "$(row_number $((idx + 1)))" = "$S" ] || fail "the cursor is not on #$S"
run_cmd "assign me"
wait_for "queued 1 change;"
cli_on "$DB2" set "$S" assignee=me > /dev/null
run_cmd "status solved"
wait_for "queued 1 change;"
cli_on "$DB2" set "$S" status=solved > /dev/null
[ "$(ticket_field "$S" status)" = solved ] ||
    fail_plain ":status solved: #$S is $(ticket_field "$S" status)"
# Solved leaves All open: the row is gone from the view.
wait_line -2 "/$((n_all - 1)) *\$"
run_cmd "status sideways"
wait_for 'unknown status "sideways"'

step "every change equals the CLI twin's"
for n in "$N" "$m1" "$m2" "$m3" "$S"; do
	a=$(ticket_norm "$DB" "$n")
	b=$(ticket_norm "$DB2" "$n")
	[ "$a" = "$b" ] || fail_plain "#$n differs from the CLI twin's:" \
	    "$(diff <(echo "$b") <(echo "$a"))"
done
a=$(outbox_norm "$DB")
b=$(outbox_norm "$DB2")
[ "$a" = "$b" ] || fail_plain "the outbox differs from the CLI twin's:" \
    "$(diff <(echo "$b") <(echo "$a"))"

tui_quit
