#!/bin/bash
# tui-dashboard.sh: the dashboard (D) on a demo replica shows exactly what
# `triage stats --json` says: open tickets by status and priority, SLA
# compliance, median and p90 times, the sparkline of new tickets, my queue
# and every team's load; it fits 80x24, draws ASCII bars without UTF-8,
# follows a change made by another program, and draws team names from the
# data through the sanitiser.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

# `triage stats --json` as path=value lines ("sla.resolution.last_7_days.
# percent=43.1", "teams.0.name=Tier 1"), without as_of: jansson writes one
# member or element a line, two spaces an indent.
stats_flat()
{
	cli stats --json | awk '
	function push(k, a) { n++; name[n] = k; arr[n] = a; cnt[n] = 0 }
	function prefix(   i, p) {
		p = ""
		for (i = 2; i <= n; i++)
			p = p name[i] "."
		return p
	}
	{
		s = $0
		sub(/^ +/, "", s)
		sub(/,$/, "", s)
		if (s == "{" || s == "[") {
			push(n > 0 && arr[n] ? cnt[n]++ : "", s == "[")
			next
		}
		if (s == "}" || s == "]") {
			n--
			next
		}
		if (match(s, /^"[^"]*": /)) {
			k = substr(s, 2, RLENGTH - 4)
			v = substr(s, RLENGTH + 1)
			if (v == "{" || v == "[") {
				push(k, v == "[")
				next
			}
			if (v ~ /^".*"$/)
				v = substr(v, 2, length(v) - 2)
			if (k != "as_of")
				print prefix() k "=" v
			next
		}
		if (n > 0 && arr[n])
			print prefix() cnt[n]++ "=" s
	}'
}

# One value of the flattened figures in $FLAT.
js()
{
	printf '%s\n' "$FLAT" | sed -n "s/^$1=//p"
}

# A time in ms as the console writes it (time_format_countdown).
dur()
{
	local m=$(($1 / 60000))

	if [ "$m" -lt 60 ]; then
		printf '%dm' "$m"
	elif [ "$m" -lt 1440 ]; then
		printf '%dh%02dm' $((m / 60)) $((m % 60))
	else
		printf '%dd%02dh' $((m / 1440)) $(((m % 1440) / 60))
	fi
}

# A compliance cell: "68.9% (91/132)", or "no data".
pct()
{
	local p c m

	p=$(js "sla.$1.$2.percent")
	c=$(js "sla.$1.$2.counted")
	m=$(js "sla.$1.$2.met")
	if [ "$p" = null ]; then
		printf 'no data'
	else
		printf '%s%% (%s/%s)' "$p" "$m" "$c"
	fi
}

# The sparkline the figures make: a day's bar is count * (bars - 1) / the
# busiest day's count; a day without tickets is blank.
spark()
{
	local -a bars counts
	local i c max=0 out=""

	if [ "$1" = ascii ]; then
		bars=(_ . - = '*' '#')
	else
		bars=(▁ ▂ ▃ ▄ ▅ ▆ ▇ █)
	fi
	for i in $(seq 0 13); do
		counts[i]=$(js "new_per_day.$i.tickets")
		[ "${counts[i]}" -gt "$max" ] && max=${counts[i]}
	done
	for i in $(seq 0 13); do
		c=${counts[i]}
		if [ "$c" -eq 0 ]; then
			out="$out "
		else
			out="$out${bars[c * (${#bars[@]} - 1) / max]}"
		fi
	done
	printf '%s' "$out"
}

# Every figure of $FLAT on the screen, each where it belongs.
check_figures()
{
	local mode=$1 sep=' · ' i name re line what w7 w30

	[ "$mode" = ascii ] && sep='  '
	wait_match "^ Open $(js open.total) +new $(js open.by_status.new)$sep"`
	    `"open $(js open.by_status.open)${sep}pending "`
	    `"$(js open.by_status.pending)${sep}on hold "`
	    `"$(js open.by_status.on_hold)\$"
	assert_screen_has "low $(js open.by_priority.low)${sep}normal "`
	    `"$(js open.by_priority.normal)${sep}high "`
	    `"$(js open.by_priority.high)${sep}urgent "`
	    `"$(js open.by_priority.urgent)"
	for what in first_response resolution; do
		line=$(screen | grep "^  ${what/_/ }  .*%") ||
		    fail "no $what compliance row"
		w7=$(pct "$what" last_7_days)
		w30=$(pct "$what" last_30_days)
		case $line in
		*"$w7"*"$w30"*) ;;
		*) fail "$what: \"$line\", want \"$w7\" and \"$w30\"" ;;
		esac
	done
	for what in first_response resolution; do
		wait_match "^  ${what/_/ } +"`
		    `"$(dur "$(js "times.$what.median_ms")") +"`
		    `"$(dur "$(js "times.$what.p90_ms")")"`
		    `" +$(js "times.$what.tickets")\$"
	done
	assert_screen_has " New per day        $(spark "$mode")  today "`
	    `"$(js new_per_day.13.tickets), busiest "
	assert_screen_has " My queue           open $(js my_queue.assigned)"`
	    `"${sep}due within 2h $(js my_queue.due_soon)${sep}breached "`
	    `"$(js my_queue.breached)"
	for i in $(seq 0 20); do
		name=$(js "teams.$i.name")
		[ -n "$name" ] || break
		[ "$name" = null ] && name="no team"
		re="^  $(re_quote "$name") +$(js "teams.$i.open") +"`
		    `"$(js "teams.$i.weighted")( |\$)"
		screen | grep -q -E -- "$re" ||
		    fail "team $i: no line matching /$re/"
	done
	[ "$i" -ge 3 ] || fail_plain "only $i teams in the figures"
}

# Open the dashboard (or, on it, compute again) until the figures before
# and after the screen agree: a clock can run out between two moments.
show_dashboard()
{
	local mode=$1 try before after

	for try in 1 2 3; do
		before=$(stats_flat)
		key D		# opens it, or on it computes again
		wait_line 0 "^triage (—|-) dashboard"
		wait_match "^ Open [0-9]+"
		after=$(stats_flat)
		if [ "$before" = "$after" ]; then
			FLAT=$after
			check_figures "$mode"
			return 0
		fi
		step "the figures moved while the screen was read; again"
	done
	fail "the figures kept changing"
}

tui_start 80 24

step "D opens the dashboard at 80x24; every figure is stats --json's"
show_dashboard utf8
[ "$(js open.total)" -gt 0 ] && [ "$(js my_queue.assigned)" -gt 0 ] ||
    fail_plain "the demo has no open tickets or none of mine"
assert_no_wide_lines
wait_line -2 "as of [0-9]{2}:[0-9]{2} UTC *\$"

step "q goes back to the queue; :dashboard opens it again"
send q
wait_line 1 '^ +# +Prio +Status'
run_cmd dashboard
wait_line 0 "^triage — dashboard"

step "help names the key"
send '?'
wait_match "^  D +dashboard +Show the dashboard"
send q
wait_line 0 "^triage — dashboard"

step "another program solves one of my tickets: the figures follow"
N=$(cli ls --view "My open" --limit 1 | sed -n 's/^#\([0-9]*\) .*/\1/p')
[ -n "$N" ] || fail_plain "no ticket in My open"
open_before=$(js open.total)
mine_before=$(js my_queue.assigned)
cli set "$N" status=solved > /dev/null
wait_match "^ Open $((open_before - 1)) "
wait_for " My queue           open $((mine_before - 1))"
show_dashboard utf8
send q
wait_line 1 '^ +# +Prio +Status'
tui_quit

step "ASCII: the bars and separators without UTF-8"
printf '[ui]\nascii = yes\n' > "$CFG"
tui_start 80 24
show_dashboard ascii
if screen | LC_ALL=C grep -q '[^ -~]'; then
	fail "a byte outside printable ASCII on the screen"
fi
tui_quit

step "a team's name from the data is drawn through the sanitiser"
: > "$CFG"
team=$(js teams.0.id)
hostile=$(sql_text $'Tier\033[2JCLEARED')
sql "UPDATE teams SET name = $hostile WHERE id = '$team'"
tui_start 80 24
key D
wait_match "^  Tier�\[2JCLEARED +[0-9]+ +[0-9]+"
tui_quit
