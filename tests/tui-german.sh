#!/bin/bash
# tui-german.sh: LANGUAGE=de triage demo is a German console: headers, the
# status bar, help, the dashboard and a ticket's dates in German, no
# translated label cut short; with a German LC_NUMERIC the figures use its
# decimal mark and grouping; the CLI's plural forms are right.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

# The German catalogue where gettext finds it (it is not installed yet).
LOC="$TUI_DIR/locale"
mkdir -p "$LOC/de/LC_MESSAGES"
if [ -f "$TRIAGE_SRCDIR/po/de.gmo" ]; then
	cp "$TRIAGE_SRCDIR/po/de.gmo" "$LOC/de/LC_MESSAGES/triage.mo"
else
	msgfmt -o "$LOC/de/LC_MESSAGES/triage.mo" "$TRIAGE_SRCDIR/po/de.po" ||
	    fail_plain "msgfmt failed"
fi
DE=(-e LANGUAGE=de -e "TRIAGE_LOCALEDIR=$LOC")

step "LANGUAGE=de triage demo: the queue in German"
tui_start "${DE[@]}" 100 30 demo
wait_line 1 ' Nr\. +Prio +Status +SLA +Betreff +Kunde '
wait_line -2 'Hilfe .*Befehl'
wait_for "VERLETZT"
# The built-in views by their German names; :view takes them too.
wait_line 0 '1:Meine offenen [0-9]+  2:Nicht zugewiesen'
run_cmd "view Alle offenen"
wait_line 0 '^triage — Aktualisierung '
run_cmd "view My open"
wait_line 0 '^triage — SLA '

# No label cut: the column is as wide as the longest German one.
run_cmd "view Alle offenen"
send l
wait_line -1 "^Eingrenzung:"
send_text "priority:low"
send Enter
wait_for " niedrig "
screen | grep -q ' niedri ' && fail "the priority is cut: \"niedri\""
low=$(screen | sed -n 's/^ *\([0-9][0-9]*\) niedrig .*/\1/p' | head -n 1)
[ -n "$low" ] || fail "no low-priority ticket on the screen"

step "help (?) lists the keys in German"
send "?"
wait_for "Nach unten"
wait_line 1 "^Warteschlange"
send q

step "a ticket's dates are in the German format"
send "#"
wait_line -1 "^#"
send_text "$low"
send Enter
wait_line 0 "^triage — #$low "
wait_match '[0-3][0-9]\.[01][0-9]\.20[0-9][0-9] [0-2][0-9]:[0-5][0-9]'
screen | grep -Eq '20[0-9][0-9]-[01][0-9]-[0-3][0-9]' &&
    fail "an ISO date in the German ticket view"
send q

step "the dashboard (D) in German"
send D
wait_for "SLA-Einhaltung"
wait_for "erste Antwort"
wait_line 0 "^triage — "
# C numbers here (LANG=C.UTF-8): the German sign spacing, a point.
screen | grep -Eq '[0-9]+\.[0-9] % \(' ||
    fail "no percentage as \"70.5 % (\" on the dashboard"
tui_stop

step "a German LC_NUMERIC: decimal comma and grouping"
# A German locale compiled for this test (no root, no system change).
LOCDEF="$TUI_DIR/locales"
mkdir -p "$LOCDEF"
if ! localedef -i de_DE -f UTF-8 "$LOCDEF/de_DE.UTF-8" 2> "$TUI_DIR/ld.err"
then
	fail "localedef de_DE.UTF-8 failed (apt-get install locales):" \
	    "$(cat "$TUI_DIR/ld.err")"
fi
tui_start "${DE[@]}" -e "LOCPATH=$LOCDEF" -e LC_ALL= -e LANG=C.UTF-8 \
    -e LC_NUMERIC=de_DE.UTF-8 100 30
send D
wait_for "SLA-Einhaltung"
screen | grep -Eq '[0-9]+,[0-9] % \(' ||
    fail "no percentage as \"70,5 % (\" with LC_NUMERIC=de_DE.UTF-8"
tui_stop
out=$(LOCPATH=$LOCDEF LC_ALL= LANG=C.UTF-8 LC_NUMERIC=de_DE.UTF-8 \
    LANGUAGE=de TRIAGE_LOCALEDIR=$LOC "$TRIAGE" --replica "$DB" stats)
case $out in
*"Offene Tickets: "[0-9]*) ;;
*) fail "triage stats is not in German: $out" ;;
esac
printf '%s\n' "$out" | grep -Eq '[0-9],[0-9] % \(' ||
    fail "triage stats shows no decimal comma"

step "triage stats and show line up by cells, not bytes (Priorität)"
# cells TEXT: its width in terminal cells (all of these are one cell wide).
cells() { printf '%s' "$1" | LC_ALL=C.UTF-8 wc -m; }
line=$(printf '%s\n' "$out" | grep '^  je Status ')
st=$(cells "${line%%neu *}")
line=$(printf '%s\n' "$out" | grep '^  je Priorität ')
pr=$(cells "${line%%niedrig *}")
[ "$st" -eq 16 ] && [ "$pr" -eq 16 ] ||
    fail "stats: the counts start at cell $st (status) and $pr (priority), not 16"
out=$(LANGUAGE=de TRIAGE_LOCALEDIR=$LOC "$TRIAGE" --replica "$DB" show "$low")
line=$(printf '%s\n' "$out" | grep '^Priorität ')
[ "$(cells "${line%%niedrig*}")" -eq 13 ] ||
    fail "show: the priority is not in the value column: \"$line\""
printf '%s\n' "$out" | grep -q '^Tags  .*\[' &&
    fail "show: the tags are JSON: $(printf '%s\n' "$out" | grep '^Tags')"
out=$(LANGUAGE=de TRIAGE_LOCALEDIR=$LOC HOME=$TUI_DIR \
    XDG_DATA_HOME=$TUI_DIR/demo-data "$TRIAGE" demo < /dev/null)
a=$(printf '%s\n' "$out" | grep '^  Bald überschritten ')
b=$(printf '%s\n' "$out" | grep '^  Alle offenen ')
[ -n "$a" ] && [ "$(cells "$a")" -eq "$(cells "$b")" ] ||
    fail "demo: the views' counts do not line up: \"$a\" \"$b\""

step "plural forms: 1 Änderung, 2 Änderungen"
n=$(cli ls "status:open" --limit 2 | sed -n 's/^#\([0-9]*\) .*/\1/p')
n1=$(printf '%s\n' "$n" | sed -n 1p)
n2=$(printf '%s\n' "$n" | sed -n 2p)
out=$(LANGUAGE=de TRIAGE_LOCALEDIR=$LOC "$TRIAGE" --replica "$DB" set "$n1" \
    status=pending)
[ "$out" = "1 Änderung an #$n1 vorgemerkt" ] ||
    fail "one change: \"$out\""
out=$(LANGUAGE=de TRIAGE_LOCALEDIR=$LOC "$TRIAGE" --replica "$DB" set "$n2" \
    status=pending priority=urgent)
[ "$out" = "2 Änderungen an #$n2 vorgemerkt" ] ||
    fail "two changes: \"$out\""


step "a question in German: (j/n), and j answers yes"
[ "$(cli outbox --json | grep -c '"type":')" -eq 3 ] ||
    fail "three changes are not waiting in the outbox"
tui_start "${DE[@]}" 100 30
send O
wait_line 0 "^triage — Ausgang"
send d
wait_for "rückgängig machen? (j/n)"
send n
wait_for "nichts verworfen"
[ "$(cli outbox --json | grep -c '"type":')" -eq 3 ] ||
    fail "n discarded a change"
send d
wait_for "rückgängig machen? (j/n)"
send j
wait_for "verworfen und hier rückgängig gemacht"
tui_stop
[ "$(cli outbox --json | grep -c '"type":')" -eq 2 ] ||
    fail "j did not discard the change"
