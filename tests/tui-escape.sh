#!/bin/bash
# tui-escape.sh: the security test. Terminal escape injection payloads are
# planted in ticket data (subjects, customer and agent names, tags, bodies,
# attachment names, orders, a saved view's name); the console shows them in
# the queue, the ticket view, the customer 360, search and help while every
# byte it writes to the terminal is captured (tmux pipe-pane). None of the
# payloads may reach the terminal; their neutralised forms must show. The
# text-mode CLI (show, ls, search) is held to the same rule.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300

# The payloads, one per ticket subject (hostileword<i> ...), all of them in
# every message body of the first hostile ticket.
P=(
	$'\033]52;c;SGFja2Vk\007'				# OSC 52 clipboard
	$'\033]8;;http://evil.example/\033\\click\033]8;;\033\\'	# OSC 8 link
	$'\033[2JCLEARED'					# clear screen
	$'\033Pq#0;2;0;0;0\033\\'				# DCS (sixel)
	$'\033_APCDATA\033\\'					# APC
	$'\302\23331mRED'					# C1 CSI in UTF-8
	$'\23331mRAW'						# raw 8-bit CSI
	$'safe\rEVILCR'						# carriage return
	$'safe\b\b\b\bEVILBS'					# backspaces
	$'\342\200\256gnp.exe'					# RLO bidi override
	$'\342\201\246ISO\342\201\247LATE\342\201\251'		# LRI RLI PDI
	$'\342\200\252LRE\342\200\254\177DEL\007BEL'		# LRE PDF DEL BEL
)
# How each shows once neutralised: U+FFFD for every control byte.
NEUTRAL=(
	'�]52;c;SGFja2Vk�'
	'�]8;;http://evil.example/�\click�]8;;�\'
	'�[2JCLEARED'
	'�Pq#0;2;0;0;0�\'
	'�_APCDATA�\'
	'�31mRED'
	'�31mRAW'
	'safe�EVILCR'
	'safe����EVILBS'
	'�gnp.exe'
	'�ISO�LATE�'
	'�LRE��DEL�BEL'
)
all=""
for p in "${P[@]}"; do
	all="$all$p"$'\n'
done

numbers()
{
	cli ls "$@" --limit 1000 | sed -n 's/^#\([0-9]*\) .*/\1/p'
}
mapfile -t H < <(numbers --view "My open" | head -n ${#P[@]})
[ "${#H[@]}" -eq "${#P[@]}" ] || fail_plain "not enough tickets in My open"
H1=${H[0]}
me=$(sql "SELECT value FROM settings WHERE key = 'user_id'")

step "planting payloads in subjects, names, tags, bodies, attachments, orders"
{
	echo "BEGIN;"
	for i in "${!P[@]}"; do
		echo "UPDATE tickets SET subject =" \
		    "$(sql_text "hostileword$i ${P[$i]} end$i")" \
		    "WHERE number = ${H[$i]};"
		echo "UPDATE customers SET name =" \
		    "$(sql_text "Cust$i ${P[$i]}")" \
		    "WHERE id = (SELECT customer_id FROM tickets" \
		    "WHERE number = ${H[$i]});"
	done
	echo "UPDATE tickets SET tags = json_array($(sql_text "${P[0]}tag"),"
	echo "    $(sql_text "${P[1]}"), $(sql_text "${P[9]}")),"
	echo "    category = $(sql_text "cat${P[4]}")"
	echo "    WHERE number = $H1;"
	echo "UPDATE messages SET body = $(sql_text "hostileword body
$all
end of body") WHERE ticket_id = (SELECT id FROM tickets WHERE number = $H1);"
	echo "UPDATE users SET name = $(sql_text "Other ${P[7]}")" \
	    "WHERE id IN (SELECT author_id FROM messages WHERE ticket_id =" \
	    "(SELECT id FROM tickets WHERE number = $H1) AND author = 'agent');"
	echo "UPDATE users SET name = $(sql_text "Agent ${P[1]}Me")" \
	    "WHERE id = '$me';"
	echo "UPDATE saved_views SET name = $(sql_text "Evil${P[2]}View")" \
	    "WHERE name = 'Recently solved';"
	echo "INSERT INTO attachments (id, message_id, ticket_id, name, mime," \
	    "size) SELECT '00000000-0000-7000-8000-00000000e5c1', m.id," \
	    "m.ticket_id, $(sql_text "file${P[1]}.pdf"), $(sql_text "text/${P[5]}")," \
	    "1234 FROM messages m JOIN tickets t ON t.id = m.ticket_id" \
	    "WHERE t.number = $H1 ORDER BY m.created_at LIMIT 1;"
	cid="(SELECT customer_id FROM tickets WHERE number = $H1)"
	echo "UPDATE customers SET company = $(sql_text "Co${P[3]}"), phone =" \
	    "$(sql_text "+1${P[9]}") WHERE id = $cid;"
	echo "UPDATE order_items SET title = $(sql_text "Item${P[2]}") WHERE" \
	    "order_id IN (SELECT id FROM orders WHERE customer_id = $cid);"
	echo "UPDATE shipments SET carrier = $(sql_text "DHL${P[0]}") WHERE" \
	    "order_id IN (SELECT id FROM orders WHERE customer_id = $cid);"
	echo "COMMIT;"
} > "$TUI_DIR/plant.sql"
sql < "$TUI_DIR/plant.sql"
[ "$(sql "SELECT count(*) FROM tickets WHERE subject LIKE 'hostileword%'")" \
    -eq "${#P[@]}" ] || fail_plain "the payloads were not planted"

# What must never be in bytes written to a terminal. Each: a label, bytes.
BAD=(
	"OSC (any)"		$'\033]'
	"OSC 52"		$'\033]52'
	"OSC 8"			$'\033]8;'
	"DCS"			$'\033P'
	"APC"			$'\033_'
	"PM"			$'\033^'
	"SOS"			$'\033X'
	"ESC[2J + CLEARED"	$'\033[2JCLEARED'
	"ESC[31m + RED"		$'\033[31mRED'
	"C1 CSI in UTF-8"	$'\302\233'
	"raw 8-bit CSI + RAW"	$'\23331mRAW'
	"CR + EVILCR"		$'\rEVILCR'
	"BS + EVILBS"		$'\bEVILBS'
	"BEL"			$'\007'
	"DEL"			$'\177'
	"U+202A LRE"		$'\342\200\252'
	"U+202C PDF"		$'\342\200\254'
	"U+202E RLO"		$'\342\200\256'
	"U+2066 LRI"		$'\342\201\246'
	"U+2067 RLI"		$'\342\201\247'
	"U+2069 PDI"		$'\342\201\251'
)

# Fail if the file holds any forbidden bytes, any C1 control in UTF-8, or
# anything that is not UTF-8 (a lone 0x9b, say).
assert_clean()
{
	local what=$1 file=$2 i

	[ -s "$file" ] || fail_plain "$what: nothing was captured"
	for ((i = 0; i < ${#BAD[@]}; i += 2)); do
		if LC_ALL=C grep -q -a -F -- "${BAD[i + 1]}" "$file"; then
			fail_plain "$what: the terminal got ${BAD[i]}:" \
			    "$(LC_ALL=C grep -a -o -F -- "${BAD[i + 1]}" "$file" |
			    head -n 1 | od -c | head -n 2)" \
			    "in: $(LC_ALL=C grep -a -F -- "${BAD[i + 1]}" \
			    "$file" | head -n 1 | cat -v | cut -c1-200)"
		fi
	done
	if LC_ALL=C grep -q -a $'\302[\200-\237]' "$file"; then
		fail_plain "$what: C1 controls (UTF-8) reached the terminal"
	fi
	iconv -f UTF-8 -t UTF-8 "$file" > /dev/null 2>&1 ||
	    fail_plain "$what: the bytes written are not valid UTF-8" \
	    "(a raw 8-bit control or invalid data got through)"
}

RAW="$TUI_DIR/raw.bin"
tui_start -g 200 50
tm pipe-pane -O -t "$TUI_T" "cat >> '$RAW'" || fail "pipe-pane failed"
tui_go

step "queue: subjects, customer names, the agent's name, a view's name"
# The neutralised forms: U+FFFD where each control was, the text after it.
for i in "${!P[@]}"; do
	wait_for "hostileword$i ${NEUTRAL[i]} end$i"
done
# Customers are shared between tickets: each shows the last name given.
for i in "${!P[@]}"; do
	j=$(sql "SELECT substr(name, 5, instr(name, ' ') - 5) FROM customers
	    WHERE id = (SELECT customer_id FROM tickets WHERE number = ${H[i]})")
	wait_for "Cust$j ${NEUTRAL[j]:0:8}"
done
wait_for "6:Evil�[2JCLEAREDView "
wait_for "Agent �]8;;"

step "the ticket view: hostile bodies, tags, category, names, attachment"
send '#'
wait_line -1 '^#'
send_text "$H1"
send Enter
wait_line 0 "^triage — #$H1 hostileword0 �]52"
wait_for "�[2JCLEARED"
wait_for "safe�EVILCR"
wait_for "�]52;c;SGFja2Vk�tag"
wait_for "cat�_APCDATA�"
wait_for 'Agent �]8;;http://evil.example/�\click�]8;;�\Me'
wait_for 'attachment file�]8;;http://evil.example/�\click�]8;;�\.pdf'

send e
wait_for "audit trail shown"
for i in 1 2 3 4 5 6; do
	key NPage
done
send G
wait_for "end of body"
# The composer quotes the customer's last (hostile) message as context.
send r
wait_for "Reply to #$H1 hostileword0 �]52"
wait_for "�[2JCLEARED"
send Escape
wait_line 0 "^triage — #$H1 "
# A change whose "from" is hostile, for the outbox below.
run_cmd "category billing"
wait_for "queued 1 change;"
send C
wait_line 0 "^triage — customer Cust[0-9]+ "
wait_for "Co�Pq#0;2;0;0;0�"
wait_for "Item�[2JCLEARED"
send G
wait_line -2 "ticket [0-9]+/[0-9]+ *\$"
send q
wait_line 0 "^triage — #$H1 "
send q
wait_line 1 '^ +# +Prio +Status'

step "search: hits and snippets with the payloads"
send /
wait_line 1 "^Search:"
send_text "hostileword"
wait_match "^ .* [0-9]+\\+? matches *\$"
wait_match "^  ticket +#[0-9]+ +hostileword[0-9]+ "
wait_match "^  message +#$H1 "
key NPage
key NPage
send Escape
wait_line 1 '^ +# +Prio +Status'

step "help and the outbox"
send '?'
wait_line 0 "^triage — help"
key NPage
send q
wait_line 1 '^ +# +Prio +Status'
send O
wait_line 0 "^triage — outbox"
wait_for "category cat�_APCDATA�\\ → billing"
send q
wait_line 1 '^ +# +Prio +Status'
tui_quit
# The last bytes: the console left the alternate screen.
for i in $(seq 1 $((TUI_TIMEOUT * 20))); do
	LC_ALL=C grep -q -a -F $'\033[?1049l' "$RAW" && break
	sleep 0.05
done

step "no payload reached the terminal ($(wc -c < "$RAW") bytes captured)"
assert_clean "console" "$RAW"
# And the data is really in there, neutralised, not simply not drawn: every
# view went through the capture.
for s in "hostileword2 �[2JCLEARED" "safe�EVILCR" "Reply to #$H1" \
    "Item�[2JCLEARED" "attachment " "cat�_APCDATA" "Search:" \
    "Evil�[2JCLEAREDView"; do
	LC_ALL=C grep -q -a -F "$s" "$RAW" ||
	    fail_plain "console: \"$s\" is not in the captured output"
done

step "the text-mode CLI: show, ls, search"
"$TRIAGE" --replica "$DB" show "$H1" > "$TUI_DIR/show.txt" 2>&1 ||
    fail_plain "triage show $H1 failed: $(cat -v "$TUI_DIR/show.txt")"
assert_clean "triage show $H1" "$TUI_DIR/show.txt"
grep -q -F "safe�EVILCR" "$TUI_DIR/show.txt" ||
    fail_plain "triage show: the body is not there, neutralised"
grep -q -F "]52;c;SGFja2Vk" "$TUI_DIR/show.txt" ||
    fail_plain "triage show: the tags are not there"
# In a locale that is not UTF-8 (LANG unset on a jump host) the same text
# comes out in ASCII: no byte a terminal there would show as garbage.
LC_ALL=C LANG= "$TRIAGE" --replica "$DB" show "$H1" > "$TUI_DIR/show-c.txt" 2>&1 ||
    fail_plain "LC_ALL=C triage show failed: $(cat -v "$TUI_DIR/show-c.txt")"
assert_clean "LC_ALL=C triage show $H1" "$TUI_DIR/show-c.txt"
LC_ALL=C grep -q '[^ -~]' "$TUI_DIR/show-c.txt" &&
    fail_plain "LC_ALL=C triage show: bytes that are not ASCII:" \
	"$(LC_ALL=C grep -n '[^ -~]' "$TUI_DIR/show-c.txt" | head -3 | cat -v)"
grep -q -F "safe?EVILCR" "$TUI_DIR/show-c.txt" ||
    fail_plain "LC_ALL=C triage show: the body is not there as ASCII"
for n in "${H[@]}"; do
	"$TRIAGE" --replica "$DB" show "$n" >> "$TUI_DIR/show-all.txt" 2>&1 ||
	    fail_plain "triage show $n failed"
done
assert_clean "triage show (every hostile ticket)" "$TUI_DIR/show-all.txt"
"$TRIAGE" --replica "$DB" ls --view "My open" > "$TUI_DIR/ls.txt" 2>&1 ||
    fail_plain "triage ls failed: $(cat -v "$TUI_DIR/ls.txt")"
assert_clean "triage ls" "$TUI_DIR/ls.txt"
"$TRIAGE" --replica "$DB" search hostileword > "$TUI_DIR/search.txt" 2>&1 ||
    fail_plain "triage search failed: $(cat -v "$TUI_DIR/search.txt")"
assert_clean "triage search" "$TUI_DIR/search.txt"
grep -q -F "hostileword" "$TUI_DIR/search.txt" ||
    fail_plain "triage search found nothing"
