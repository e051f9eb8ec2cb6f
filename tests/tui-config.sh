#!/bin/bash
# tui-config.sh: the config file drives the console: key bindings by action
# name, saved views, queue columns and colours; an unknown key is reported
# with its file and line, and a bad key name stops the console with a
# message naming it.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

# Line numbers matter: the unknown key is on line 16.
cat > "$CFG" <<'CONF'
# a test configuration
[keys]
down = J
up = K

[views]
Refunds = tag:refund | priority

[queue]
columns = number,subject,sla

[colors]
sla-breached = black green

[ui]
blink = yes
CONF

n_ref=$(cli ls 'tag:refund' --limit 1 | sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p')
n_my=$(cli ls --view 'My open' --limit 1 | sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p')
[ -n "$n_ref" ] && [ "$n_ref" -gt 3 ] && [ "$n_my" -gt 3 ] ||
    fail_plain "the demo replica is not what this test expects: $n_ref refunds"

tui_start 170 30

step "an unknown key is reported with its file and line"
wait_for "config.ini:16: unknown key [ui] blink"

step "the config's saved view is listed with its count"
wait_match "7:Refunds $n_ref"

step "queue columns from the config, in its order"
wait_line 1 '^ +# +Subject +SLA *$'

step "keys rebound by action name: J and K move, j no longer does"
wait_line -2 "1/$n_my *\$"
send J
wait_line -2 "2/$n_my *\$"
send j
send J
wait_line -2 "3/$n_my *\$"
send K
wait_line -2 "2/$n_my *\$"

step "the saved view from the config, with its sort"
send 7
wait_line 0 "^triage — priority"
wait_line -2 "1/$n_ref *\$"

step "help shows the keys the config bound"
send '?'
wait_match "^  J +down +Move down"
send q

step "colours from the config: BREACHED on green"
send 1
wait_for BREACHED
screen_attrs | grep -q $'\033\\[[0-9;]*42[0-9;]*m[^\033]*BREACHED' ||
    screen_attrs | grep -q $'42m\033\\[[0-9;]*m*BREACHED' ||
    fail "BREACHED is not drawn on green (sla-breached = black green)"
tui_quit

step "ui.ascii = yes in a UTF-8 locale: the data is drawn in ASCII too"
first=$(cli ls --view "All open" --limit 1 | sed -n 's/^#\([0-9]*\) .*/\1/p')
sql "UPDATE customers SET name = 'Zoë Ascii' WHERE id = (SELECT customer_id
    FROM tickets WHERE number = $first)"
printf '[ui]\nascii = yes\n' > "$CFG"
tui_start 170 30
run_cmd "view All open"
wait_for "Zo? Ascii"
screen | grep -q 'ë\|—\|·' && fail "a UTF-8 character on an ASCII screen"
tui_quit

step "a key name the console does not know stops it, naming the key"
printf '[keys]\nreply = <Nope>\n' > "$TUI_DIR/bad.ini"
out=$(script -qec "env TERM=tmux-256color $TRIAGE --replica $DB --config $TUI_DIR/bad.ini" /dev/null 2>&1)
rc=$?
[ $rc -eq 3 ] || fail_plain "a bad key name: exit $rc, want 3 ($out)"
case $out in
*'unknown key "<Nope>" for reply'*) ;;
*) fail_plain "a bad key name: the message does not name it: $out" ;;
esac

exit 0
