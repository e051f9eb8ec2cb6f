#!/bin/bash
# tui-views.sh: the ticket view (header, thread, n/N, events, attachments),
# the customer 360 and back, search (type-ahead, highlighted match, Enter
# opens), the outbox (a pending change, retry, discard with confirmation).
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

numbers()
{
	cli ls "$@" --limit 1000 | sed -n 's/^#\([0-9]*\) .*/\1/p'
}
# A field of the ticket's customer object in show --json.
customer_field()
{
	cli show "$1" --json |
	    sed -n '/^  "customer": {/,/^  }/s/^    "'"$2"'": "\(.*\)",\{0,1\}$/\1/p'
}

N=$(numbers --view "My open" | head -n 1)
subject=$(ticket_field "$N" subject)
status=$(ticket_field "$N" status)
cname=$(customer_field "$N" name)
cid=$(customer_field "$N" id)
nmsg=$(cli show "$N" --json | grep -c '^      "author": ')
[ -n "$subject" ] && [ -n "$cname" ] && [ "$nmsg" -ge 3 ] ||
    fail_plain "#$N: subject \"$subject\", customer \"$cname\", $nmsg messages"
re_subject=$(re_quote "$subject")
re_cname=$(re_quote "$cname")

tui_start 100 35

step "Enter opens #$N: header, thread with customer and agent messages"
send Enter
wait_line 0 "^triage — #$N "
wait_line 1 "^$re_subject"
wait_match "^#$N +Status ${status/_/ } +Priority [a-z]+ +Customer $re_cname"
wait_for "Assignee "
wait_for "First response "
wait_match "^customer · $re_cname · "
wait_match "^agent · [^·]+ · .*· (sent|queued|failed)"
wait_line -2 "message 1/$nmsg *\$"

step "the ticket view follows a resize"
resize_check 72 20
wait_line 0 "^triage — #$N "
wait_match "^customer · $re_cname · "
resize_check 100 35
wait_line -2 "message 1/$nmsg *\$"

step "n and N move between messages"
send n
wait_line 1 "^customer · $re_cname · "
send n
wait_line -2 "message 2/$nmsg *\$"
wait_line 1 "^(agent|customer|internal note|system) · "
send n
wait_line -2 "message 3/$nmsg *\$"
send N
wait_line -2 "message 2/$nmsg *\$"
send g
wait_line 1 "^$re_subject"

step "e shows and hides the audit trail"
event_re='^  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} · [^·]+ · [a-z]+: .* → '
nev=$(cli show "$N" --json | grep -c '^      "field": ')
[ "$nev" -gt 0 ] || fail_plain "#$N has no events"
send e
wait_for "audit trail shown"
wait_match "$event_re"
send e
wait_for "audit trail hidden"
if screen | grep -q -E "$event_re"; then
	fail "events still shown after e"
fi
send q
wait_line 1 '^ +# +Prio +Status'

step "f hides and shows attachments"
read -r A aname < <(sql "SELECT t.number, a.name FROM attachments a
    JOIN tickets t ON t.id = a.ticket_id
    JOIN messages m ON m.id = a.message_id
    WHERE m.created_at = (SELECT min(created_at) FROM messages
        WHERE ticket_id = t.id)
    ORDER BY t.number LIMIT 1" | tr '|' ' ')
[ -n "$A" ] || fail_plain "no ticket with an attachment on its first message"
send '#'
wait_line -1 '^#'
send_text "$A"
send Enter
wait_line 0 "^triage — #$A "
# Shown by default, under the message they came with.
wait_match "^│ attachment $(re_quote "$aname") +[a-z]+/"
send f
wait_for "attachments hidden"
wait_gone "attachment $aname"
send f
wait_for "attachments shown"
wait_match "^│ attachment $(re_quote "$aname") +[a-z]+/"
send q
wait_line 1 '^ +# +Prio +Status'

step "C opens the customer 360: profile, orders with items and shipments, tickets"
read -r onum < <(sql "SELECT number FROM orders WHERE customer_id = '$cid'
    AND deleted = 0 ORDER BY placed_at DESC LIMIT 1")
read -r isku < <(sql "SELECT i.sku FROM order_items i JOIN orders o
    ON o.id = i.order_id WHERE o.number = '$onum' ORDER BY i.rid LIMIT 1")
read -r ship < <(sql "SELECT s.carrier || ' ' || s.tracking FROM shipments s
    JOIN orders o ON o.id = s.order_id WHERE o.number = '$onum' LIMIT 1")
norders=$(sql "SELECT count(*) FROM orders WHERE customer_id = '$cid'
    AND deleted = 0")
ntk=$(sql "SELECT count(*) FROM tickets WHERE customer_id = '$cid'
    AND deleted = 0")
[ -n "$onum" ] && [ "$ntk" -ge 2 ] ||
    fail_plain "customer $cname: order \"$onum\", $ntk tickets"
send Enter
wait_line 0 "^triage — #$N "
send C
wait_line 0 "^triage — customer $re_cname"
wait_line 1 "^$re_cname"
wait_match "^Orders \\($norders\\)"
wait_match "^  $(re_quote "$onum") +[0-9.]+ [A-Z]{3} +[a-z_]+ +[0-9]{4}-"
wait_match "^ +[0-9]+ × .* +$(re_quote "$isku") +@ "
if [ -n "$ship" ]; then
	wait_match "↳ $(re_quote "$ship") "
fi
wait_line -2 "ticket 1/$ntk *\$"
resize_check 64 18
wait_line 0 "^triage — customer "
resize_check 100 35
wait_line -2 "ticket 1/$ntk *\$"
page_until "Tickets ($ntk)"
wait_match "^  #$N +[a-z ]+ +[a-z]+ +"

step "Enter on one of the customer's tickets, then q back twice"
send j
wait_line -2 "ticket 2/$ntk *\$"
second=$(sql "SELECT number FROM tickets WHERE customer_id = '$cid'
    AND deleted = 0 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 1")
send Enter
wait_line 0 "^triage — #$second "
send q
wait_line 0 "^triage — customer $re_cname"
wait_line -2 "ticket 2/$ntk *\$"
send q
wait_line 0 "^triage — #$N "
send q
wait_line 1 '^ +# +Prio +Status'

step "/ searches as you type; the match is highlighted; Enter opens the hit"
send /
wait_line 0 "^triage — search"
wait_line 1 "^Search:"
send_text "refund"
wait_line 1 "^Search: refund"
wait_match "^ .* [0-9]+\\+? matches *\$"
wait_match "^  (ticket|message) +#[0-9]+ +.*[Rr]efund"
# The matched word is drawn in another attribute than its neighbours.
screen_attrs | grep -q -E $'\033\\[[0-9;]*m[Rr]efund' ||
    fail "search: \"refund\" is not highlighted in the hits"
resize_check 70 20
wait_line 1 "^Search: refund"
wait_match "^  (ticket|message) +#[0-9]+ +.*[Rr]efund"
resize_check 100 35
# The demo's articles on refunds lead (at most three), then the rest.
kinds=$(screen | sed -n -E 's/^  (ticket|message|article|customer|order) .*/\1/p')
printf '%s\n' "$kinds" | head -n 1 | grep -qx article ||
    fail "search: no article leads the hits for \"refund\""
arts=$(printf '%s\n' "$kinds" | awk '$0 != "article" { exit } { n++ } END { print n + 0 }')
[ "$arts" -le 3 ] || fail "search: $arts articles lead, not at most three"
hit=$(screen | sed -n -E 's/^  (ticket|message) +#([0-9]+) .*/\2/p' | head -n 1)
for _ in $(seq "$arts"); do send Down; done
send Enter
wait_line 0 "^triage — #$hit "
send q
wait_line 0 "^triage — search"
send BSpace BSpace BSpace BSpace BSpace BSpace
wait_line 1 "^Search: *\$"
send_text "zzzqqqxxx"
wait_for "No matches."
send Escape
wait_line 1 '^ +# +Prio +Status'

step "O lists a pending change; R says it waits; d asks, n keeps, y undoes it"
if [ "$status" = on_hold ]; then
	digit=2 target=open
else
	digit=4 target=on_hold
fi
send s
wait_for "status:  1:new"
send "$digit"
wait_for "queued 1 change;"
[ "$(ticket_field "$N" status)" = "$target" ] ||
    fail_plain "#$N is not $target after s $digit"
send O
wait_line 0 "^triage — outbox"
wait_match "^ +Seq +State +Type +Ticket +Age +Change"
wait_match "^ +1 ↑ pending +status +#$N +[0-9a-z]+ +status ${status/_/ } → ${target/_/ }"
resize_check 70 20
wait_match "^ +1 ↑ pending "
resize_check 100 35
send R
wait_for "change 1 is pending: sync will send it"
send d
wait_for "Discard change 1: undo it on #$N? (y/n)"
send n
wait_for "nothing discarded"
[ "$(ticket_field "$N" status)" = "$target" ] || fail_plain "n discarded"
send d
wait_for "Discard change 1: undo it on #$N? (y/n)"
send y
wait_for "change 1 discarded and undone here"
wait_for "No changes are waiting for the server."
wait_match "· 0 pending"
[ "$(ticket_field "$N" status)" = "$status" ] ||
    fail_plain "discard did not undo: #$N is $(ticket_field "$N" status)"
[ "$(ticket_field "$N" pending)" = false ] ||
    fail_plain "#$N is still marked pending after the discard"
[ "$(cli outbox --json | grep -c '"type":')" -eq 0 ] ||
    fail_plain "the outbox is not empty after the discard"
send q
wait_line 1 '^ +# +Prio +Status'
# The undone ticket is back above the window the queue kept. Whatever row
# the cursor is on, the status bar's row/total must say where: moving up
# onto another ticket cannot leave the position as it was.
# (A console may say "?/44" while it counts; it must come to a number.)
wait_line -2 " [0-9]+/[0-9]+ *\$"
pos1=$(status_bar | grep -o -E '[0-9]+/[0-9]+ *$')
row1=$(screen_line 2)
key k
wait_line -2 " [0-9]+/[0-9]+ *\$"
pos2=$(status_bar | grep -o -E '[0-9]+/[0-9]+ *$')
if [ "$(screen_line 2)" != "$row1" ] && [ "$pos1" = "$pos2" ]; then
	fail "after the undo, k moved onto #$N above the window but the" \
	    "status bar still says $pos2 (it said $pos1 on the row below)"
fi
# Back in its place at the top of the view, without the pending marker.
send g
wait_line 2 "^   +$N "
wait_line -2 " 1/[0-9]+ *\$"

tui_quit
