#!/bin/bash
# tui-queue.sh: the queue view in tmux: saved views and counts, movement,
# view switching, sort, limit (and its inline errors), jump, help, ':' and Q.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

# What the CLI says each saved view holds: "N of M tickets" on stderr.
view_total()
{
	cli ls --view "$1" --limit 1 | sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p'
}
# The ticket numbers of a view (or query) in the view's order.
view_numbers()
{
	cli ls "$@" --limit 1000 | sed -n 's/^#\([0-9]*\) .*/\1/p'
}
# The ticket number on the first ticket row (line 2) and on the cursor row.
first_row_number()
{
	screen_line 2 | sed -E 's/^[^0-9]*([0-9]+) .*/\1/'
}

n_my=$(view_total "My open")
n_unassigned=$(view_total "Unassigned")
n_all=$(view_total "All open")
n_pending=$(view_total "Pending")
n_solved=$(view_total "Recently solved")
[ -n "$n_my" ] && [ "$n_my" -gt 30 ] && [ "$n_all" -gt 60 ] ||
    fail_plain "the demo replica is not what this test expects:" \
    "My open $n_my, All open $n_all"

tui_start 120 30

step "first screen: saved views with their counts, column headers"
wait_for "1:My open $n_my  2:Unassigned $n_unassigned  3:Breaching soon "
wait_match "3:Breaching soon [0-9]+  4:All open $n_all  5:Pending $n_pending  6:Recently solved $n_solved"
wait_line 1 '^ +# +Prio +Status +SLA +Subject +Customer +Assignee +Upd *$'
wait_line -2 "1/$n_my *\$"
assert_screen_has "pending"
first=$(view_numbers --view "My open" | head -n 1)
last=$(view_numbers --view "My open" | tail -n 1)
[ "$(first_row_number)" = "$first" ] ||
    fail "the first row is #$(first_row_number), the CLI lists #$first first"
# The current saved view is highlighted: an attribute change right before
# its name, none before the others.
screen_attrs | head -n 1 | grep -q $'1:\033\\[[0-9;]*m[^ ]*My open' ||
    fail "\"My open\" is not highlighted in the title bar"
if screen_attrs | head -n 1 | grep -q $'2:\033\\[[0-9;]*m[^ ]*Unassigned'; then
	fail "\"Unassigned\" is highlighted but is not the current view"
fi

step "j k G g move the cursor; the status bar says row/total"
send j
wait_line -2 "2/$n_my *\$"
send j j
wait_line -2 "4/$n_my *\$"
send k
wait_line -2 "3/$n_my *\$"
send G
wait_line -2 "$n_my/$n_my *\$"
# The last row of the view is on screen (the last ticket row, line H-3).
screen_line -3 | grep -q -E "^ *[^0-9 ]* *$last " ||
    fail "after G the last row should be #$last"
send g
wait_line -2 "1/$n_my *\$"
[ "$(first_row_number)" = "$first" ] || fail "after g the first row is not #$first"

step "Tab and 1-6 switch saved views"
send Tab
wait_line -2 "1/$n_unassigned *\$"
screen_attrs | head -n 1 | grep -q $'2:\033\\[[0-9;]*m[^ ]*Unassigned' ||
    fail "Tab: \"Unassigned\" is not highlighted"
send 4
wait_line -2 "1/$n_all *\$"
screen_attrs | head -n 1 | grep -q $'4:\033\\[[0-9;]*m[^ ]*All open' ||
    fail "4: \"All open\" is not highlighted"
first_all=$(view_numbers --view "All open" | head -n 1)
[ "$(first_row_number)" = "$first_all" ] ||
    fail "All open: the first row is not #$first_all"
send 5
wait_line -2 "1/$n_pending *\$"
send 6
wait_line -2 "1/$n_solved *\$"
send BTab
wait_line -2 "1/$n_pending *\$"
send 2
wait_line -2 "1/$n_unassigned *\$"
first_un=$(view_numbers --view "Unassigned" | head -n 1)
[ "$(first_row_number)" = "$first_un" ] ||
    fail "Unassigned: the first row is not #$first_un"
send 4
wait_line -2 "1/$n_all *\$"

step "PgDn moves a page (26 ticket rows at 30 lines), PgUp back"
send NPage
wait_line -2 "27/$n_all *\$"
nth=$(view_numbers --view "All open" | sed -n 27p)
[ "$(first_row_number)" = "$nth" ] ||
    fail "after PgDn the top row should be the 27th ticket, #$nth"
send PPage
wait_line -2 "1/$n_all *\$"

step "o cycles the sort"
send o
wait_for "sorted by priority"
wait_line 0 "^triage — priority"
send o
wait_for "sorted by number"
top_num=$(view_numbers --view "All open" --sort number | head -n 1)
wait_line 2 "^ *$top_num "
send o
wait_for "sorted by SLA"
send o
wait_for "sorted by updated"

step "l narrows with a valid query"
send l
wait_line -1 "^limit:"
send_text "priority:high"
wait_for "limit: priority:high"
send Enter
n_high=$(cli ls 'status:unsolved priority:high' --limit 1 |
    sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p')
[ "$n_high" -lt "$n_all" ] || fail_plain "priority:high does not narrow"
wait_line -2 "1/$n_high *\$"
wait_line 0 "limited"
bad=$(screen | sed -n "3,$((TUI_H - 2))p" |
    awk '$1 ~ /^[0-9]+$/ && $2 != "high"')
[ -z "$bad" ] || fail "rows without priority high under the limit: $bad"

step "l with a bad query shows the error at the token and refuses Enter"
send l
wait_for "limit: priority:high"
send C-u
wait_gone "limit: priority:high"
send_text "stauts:open"
wait_for 'unknown field "stauts" at column 1'
# The bad token itself is marked (an attribute around it, not around ":open").
screen_attrs | tail -n 1 | grep -q -E $'limit: (\033\\[[0-9;]*m)+stauts\033\\[[0-9;]*m' ||
    fail "the bad token \"stauts\" is not marked in the prompt"
send Enter
# Still in the prompt: the next key goes on the same line (keys are read in
# order), the error still showing.
send_text "x"
wait_for "limit: stauts:openx"
wait_for 'unknown field "stauts" at column 1'
send Escape
wait_gone "limit: stauts:openx"
wait_gone 'unknown field "stauts"'
wait_line -2 "1/$n_high *\$"
# ':limit' with nothing removes the limit.
run_cmd "limit"
wait_line -2 "1/$n_all *\$"

step "# jumps to a ticket number"
send '#'
wait_line -1 '^#'
send_text "99999"
send Enter
wait_for "no ticket #99999"
num=$(view_numbers --view "All open" | sed -n 40p)
subject=$(ticket_field "$num" subject)
send '#'
wait_line -1 '^#'
send_text "$num"
send Enter
wait_for "$subject"
wait_for "#$num"
send q
wait_line 1 '^ +# +Prio +Status'

step "? shows help generated from the keymap table; q returns"
send '?'
wait_line 0 "^triage — help"
# The queue's own keys come first.
wait_line 1 "^queue"
wait_for "Limit the queue with a query"
wait_match "^  l +limit +Limit the queue with a query"
wait_match "^  o +sort +Sort by SLA, updated, priority, number"
page_until "Reply to the customer"
wait_match "^  r +reply +Reply to the customer"
page_until ":view NAME"
send q
wait_line 1 '^ +# +Prio +Status'
wait_line -2 "1/$n_all *\$"

step ":view Pending, :sort number, an unknown command"
run_cmd "view Pending"
wait_line -2 "1/$n_pending *\$"
screen_attrs | head -n 1 | grep -q $'5:\033\\[[0-9;]*m[^ ]*Pending' ||
    fail ":view Pending: \"Pending\" is not highlighted"
run_cmd "sort number"
wait_line 0 "^triage — number"
top_num=$(view_numbers --view Pending --sort number | head -n 1)
wait_line 2 "^ *$top_num "
run_cmd "frobnicate now"
wait_for 'unknown command "frobnicate"'
run_cmd "view Nowhere"
wait_for 'no saved view "Nowhere"'

step "Q quits"
tui_quit
