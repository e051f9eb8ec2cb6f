#!/bin/bash
# tui-terminal.sh: terminal behaviour: 80x24 and 300x50, resize in the queue
# and in help, wide characters (CJK, emoji) staying aligned in columns,
# NO_COLOR, TERM=vt100 and a non-UTF-8 locale (ASCII only on the wire).
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

numbers()
{
	cli ls "$@" --limit 1000 | sed -n 's/^#\([0-9]*\) .*/\1/p'
}
n_my=$(cli ls --view "My open" --limit 1 |
    sed -n 's/^[0-9]* of \([0-9]*\) tickets$/\1/p')

# Two tickets near the top of My open get wide subjects: one short with an
# emoji, one long enough that the cut falls inside the CJK run; their
# customers get names we can find on screen.
t1=$(numbers --view "My open" | sed -n 2p)
t2=$(numbers --view "My open" | sed -n 4p)
sql "UPDATE tickets SET subject = '漢字テスト 😀 wide' WHERE number = $t1;
UPDATE tickets SET subject = '日本語の件名がとても長いです。日本語の件名がとても長いです。日本語の件名がとても長いです。日本語の件名' WHERE number = $t2;
UPDATE customers SET name = 'Widecust One' WHERE id =
    (SELECT customer_id FROM tickets WHERE number = $t1);
UPDATE customers SET name = 'Widecust Two' WHERE id =
    (SELECT customer_id FROM tickets WHERE number = $t2);"

# The screen is sane: title on line 0, column headers on line 1, the status
# bar on the line before last, nothing wider than the window.
assert_layout()
{
	wait_line 0 "^triage — "
	wait_line 1 '^ +# +Prio +.*SLA +Subject '
	wait_line -2 "^ local replica .* 1/$n_my *\$"
	assert_no_wide_lines
	[ "$(screen | wc -l)" -eq "$TUI_H" ] ||
	    fail "the screen has $(screen | wc -l) lines, the window $TUI_H"
}

# Every ticket row's last cell (Upd) starts where its header does: cells
# before it are counted by display width, so a wide character drawn as one
# cell, or cut badly, moves it.
assert_upd_aligned()
{
	local hdr col line n=0

	hdr=$(screen_col "Upd")
	while IFS= read -r line; do
		[[ $line =~ ^[^0-9]*\ [0-9]+\  ]] || continue
		col=$(text_width "${line% *}")
		col=$((col + 1))
		[ "$col" -eq "$hdr" ] || fail "a row's Upd cell starts at" \
		    "column $col, the header's at $hdr: \"$line\""
		n=$((n + 1))
	done < <(screen | sed -n "3,$((TUI_H - 2))p" | sed -E 's/ +$//')
	[ "$n" -gt 5 ] || fail "only $n ticket rows on the screen"
}

# The customer column starts at the header's column on the wide rows.
assert_customer_aligned()
{
	local hdr c1 c2

	hdr=$(screen_col "Customer")
	c1=$(screen_col "Widecust One")
	c2=$(screen_col "Widecust Two")
	[ "$c1" = "$hdr" ] && [ "$c2" = "$hdr" ] ||
	    fail "the customer column is at $hdr in the header but at" \
	    "$c1 and $c2 on the rows with wide subjects"
}

step "80x24: the layout, wide subjects keep the columns aligned"
umask 022
tui_start 80 24
assert_layout
# --trace records every key, so everything typed: only its owner reads it.
[ "$(stat -c %a "$TUI_TRACE")" = 600 ] ||
    fail "the trace file is $(stat -c %a "$TUI_TRACE"), not 600"
wait_for "漢字テスト 😀 wide"
wait_for "日本語の件名"
assert_upd_aligned

step "resize the queue to 300x50: columns come back, every row shows"
# tui_resize waits for the console to take the resize by itself (no key is
# pressed): a console that only noticed on its once-a-second repaint would
# show a stale layout for up to two seconds.
tui_resize 300 50
wait_line 1 '^ +# +Prio +Status +SLA +Subject +Customer +Assignee +Upd *$'
assert_layout
wait_for "6:Recently solved"
wait_for "Widecust One"
assert_customer_aligned
assert_upd_aligned
# 44-odd tickets fit in 46 rows: the last one is on screen.
last=$(numbers --view "My open" | tail -n 1)
screen | grep -q -E "^ *$last " || fail "300x50: #$last is not on the screen"

step "resize back to 80x24"
tui_resize 80 24
wait_line 1 '^ +# +Prio +Status +SLA +Subject +Upd *$'
assert_layout
assert_upd_aligned

step "help at 80x24, then resized to 120x40 and 60x16"
send '?'
wait_for "Limit the queue with a query"
wait_line 0 "^triage — help"
assert_no_wide_lines
tui_resize 120 40
wait_line -2 "^ local replica "
wait_line 0 "^triage — help"
assert_no_wide_lines
[ "$(screen | wc -l)" -eq 40 ] || fail "help at 120x40 is not 40 lines"
tui_resize 60 16
wait_line -2 "^ local replica "
assert_no_wide_lines
send q
wait_line 1 '^ +# +Prio +SLA +Subject +Upd *$'
assert_layout
assert_upd_aligned
tui_quit

step "300x50 from the start: customer column aligned after wide subjects"
tui_start 300 50
assert_layout
wait_for "Widecust Two"
assert_customer_aligned
assert_upd_aligned
tui_quit

# Start with pipe-pane on, so raw.N gets every byte the console writes.
start_raw()
{
	local raw=$1

	shift
	tui_start -g "$@"
	tm pipe-pane -O -t "$TUI_T" "cat >> '$raw'" || fail "pipe-pane failed"
	tui_go
}

step "NO_COLOR=1: the queue shows, attributes but no colour on the wire"
start_raw "$TUI_DIR/raw.nocolor" -e NO_COLOR=1 100 30
assert_layout
wait_for "Widecust One"
# The cursor row stands out by an attribute (reverse) instead of colour.
screen_attrs | sed -n 3p | grep -q $'\033\\[[0-9;]*7m' ||
    fail "NO_COLOR: the cursor row has no reverse video"
tui_quit
if LC_ALL=C grep -q -a -E $'\033\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5|48;5|9[0-7]|10[0-7])(;[0-9;]*)?m' \
    "$TUI_DIR/raw.nocolor"; then
	fail_plain "NO_COLOR: the console sent colour sequences:" \
	    "$(LC_ALL=C grep -a -o -E $'\033\\[[0-9;]*m' "$TUI_DIR/raw.nocolor" |
	    sort -u | cat -v | tr '\n' ' ')"
fi

step "TERM=vt100: the queue shows, the cursor row in reverse video"
tui_start -e TERM=vt100 80 24
assert_layout
screen_attrs | sed -n 3p | grep -q $'\033\\[[0-9;]*7m' ||
    fail "vt100: the cursor row has no reverse video"
send j
wait_line -2 "2/$n_my *\$"
tui_quit

step "LANG=C: ASCII fallbacks and no byte of UTF-8 from the data on the wire"
start_raw "$TUI_DIR/raw.c" -e LANG=C -e LC_ALL=C -e LC_CTYPE=C 120 30
wait_line 0 "^triage - SLA "
wait_line -2 "^ local replica .*\\| 0 pending .* 1/$n_my *\$"
wait_for "Widecust One"
assert_screen_lacks "漢字"
# The wide subject became question marks; still one cell each, aligned.
wait_match "\\?\\?\\?\\?\\? \\? wide"
assert_customer_aligned
tui_quit
high=$(LC_ALL=C tr -d '\000-\177' < "$TUI_DIR/raw.c" | wc -c)
[ "$high" -eq 0 ] || fail_plain "LANG=C: the console wrote $high bytes" \
    "above 0x7f: $(LC_ALL=C grep -a -o -E $'[\x80-\xff]+' "$TUI_DIR/raw.c" |
    head -n 5 | od -c | head -n 5)"
[ -s "$TUI_DIR/raw.c" ] || fail_plain "LANG=C: nothing was captured"

step "SIGTERM while a prompt is open: the console still exits"
tui_start 80 24
assert_layout
send l
wait_line -1 "^limit:"
kill -TERM "$(tui_pid)"
wait_exit

step "the terminal goes away while a prompt is open: the console exits"
tui_start 80 24
assert_layout
send l
wait_line -1 "^limit:"
pid=$(tui_pid)
tm kill-server
for i in $(seq 1 $((TUI_TIMEOUT * 20))); do
	tui_is_console "$pid" || break
	sleep 0.05
done
if tui_is_console "$pid"; then
	cpu=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	kill -KILL "$pid"
	fail_plain "the console outlived its terminal by $TUI_TIMEOUT s" \
	    "(had used $cpu clock ticks of CPU); killed it"
fi
