#!/bin/bash
# tui-compose.sh: the composer: a multi-line UTF-8 reply with wide characters
# (the cursor moves by character), ^D sends it (pending in the thread, the
# exact body in the replica, as `triage reply` would write it), an internal
# note, Esc keeps the draft, the draft survives kill -9, and ^E hands the
# text to $EDITOR on a 0600 temporary file that is removed afterwards.
. "${TRIAGE_SRCDIR:-.}/tests/tui-lib.sh"

tui_init
tui_demo 300
DB2="$TUI_DIR/twin.db"
sql ".backup '$DB2'"

numbers()
{
	cli ls "$@" --limit 1000 | sed -n 's/^#\([0-9]*\) .*/\1/p'
}
# The body of the ticket's last message, as JSON text (\n for newlines).
last_body()
{
	cli show "$1" --json | sed -n 's/^      "body": "\(.*\)",$/\1/p' |
	    tail -n 1
}
# The replica's draft for a ticket (reply or note), as stored.
draft_of()
{
	sql "SELECT d.body FROM drafts d JOIN tickets t ON t.id = d.ticket_id
	    WHERE t.number = $1 AND d.kind = '$2'"
}
# Open ticket N from the queue.
open_ticket()
{
	send '#'
	wait_line -1 '^#'
	send_text "$1"
	send Enter
	wait_line 0 "^triage — #$1 "
}
# Wait for the trace to log a draft save of exactly N bytes (after `after`
# lines of the trace).
wait_draft_saved()
{
	local bytes=$1 i

	for i in $(seq 1 $((TUI_TIMEOUT * 20))); do
		grep -q " draft-save bytes=$bytes " "$TUI_TRACE" && return 0
		sleep 0.05
	done
	fail "no draft save of $bytes bytes in the trace"
}

mapfile -t T < <(numbers --view "My open" | head -n 2)
T1=${T[0]} T2=${T[1]}
me_name=$(sql "SELECT name FROM users WHERE id =
    (SELECT value FROM settings WHERE key = 'user_id')")

# $EDITOR: record the file's mode and name, append a line.
mkdir -p "$TUI_DIR/tmp"
cat > "$TUI_DIR/editor.sh" <<EOF
#!/bin/sh
stat -c %a "\$1" > "$TUI_DIR/editor.mode"
printf '%s\n' "\$1" > "$TUI_DIR/editor.path"
printf 'Added by the editor ✓\n' >> "\$1"
EOF
chmod 755 "$TUI_DIR/editor.sh"

tui_start -e EDITOR="$TUI_DIR/editor.sh" -e TMPDIR="$TUI_DIR/tmp" 100 30

step "r opens the composer on #$T1; UTF-8 text, the cursor moves by character"
open_ticket "$T1"
send r
wait_for "Reply to #$T1 "
wait_for "^D send"
send_text "Hello 世界 😀"
wait_for "Hello 世界 😀"
send Enter
send_text "ab世界cd"
wait_for "ab世界cd"
# Three characters left is between 世 and 界, whatever their widths.
send Left Left Left
send_text "X"
wait_for "ab世X界cd"
send End Enter
send_text "ünïcödé ✓"
wait_for "ünïcödé ✓"
# The composer follows a resize, the text kept.
resize_check 60 16
wait_for "ab世X界cd"
resize_check 100 30
wait_for "Hello 世界 😀"
body1=$'Hello 世界 😀\nab世X界cd\nünïcödé ✓'
wait_draft_saved "$(printf '%s' "$body1" | wc -c)"
[ "$(draft_of "$T1" reply)" = "$body1" ] ||
    fail_plain "the draft in the replica is \"$(draft_of "$T1" reply)\""

step "^D sends: the reply shows pending in the thread, exact in the replica"
send C-d
wait_for "reply queued"
wait_line 0 "^triage — #$T1 "
send G
wait_match "^agent · $(re_quote "$me_name") · .*↑ pending"
wait_for "│ ab世X界cd"
[ "$(last_body "$T1")" = 'Hello 世界 😀\nab世X界cd\nünïcödé ✓' ] ||
    fail_plain "show --json: the last body of #$T1 is \"$(last_body "$T1")\""
[ -z "$(draft_of "$T1" reply)" ] || fail_plain "the draft outlived the send"
cli_on "$DB2" reply "$T1" -m "$body1" > /dev/null

step "i writes an internal note on #$T2"
send q
wait_line 1 '^ +# +Prio +Status'
open_ticket "$T2"
send i
wait_for "Internal note on #$T2 "
send_text "internal only 内部"
wait_draft_saved "$(printf '%s' "internal only 内部" | wc -c)"
send C-d
wait_for "note queued"
[ "$(last_body "$T2")" = "internal only 内部" ] ||
    fail_plain "show --json: the note on #$T2 is \"$(last_body "$T2")\""
cli show "$T2" --json | grep -q '"internal": true' ||
    fail_plain "show --json: no internal message on #$T2"
cli_on "$DB2" reply "$T2" --note -m "internal only 内部" > /dev/null

step "the console wrote what triage reply wrote"
for n in "$T1" "$T2"; do
	a=$(ticket_norm "$DB" "$n")
	b=$(ticket_norm "$DB2" "$n")
	[ "$a" = "$b" ] || fail_plain "#$n differs from the CLI twin's:" \
	    "$(diff <(echo "$b") <(echo "$a"))"
done
a=$(outbox_norm "$DB" | grep -v -E '"(message_id|entity_id)": ')
b=$(outbox_norm "$DB2" | grep -v -E '"(message_id|entity_id)": ')
[ "$a" = "$b" ] || fail_plain "the outbox differs from the CLI twin's:" \
    "$(diff <(echo "$b") <(echo "$a"))"

step "Esc keeps the draft; reopening restores it"
send r
wait_for "Reply to #$T2 "
send_text "draft 草稿 one"
wait_for "draft 草稿 one"
wait_draft_saved "$(printf '%s' "draft 草稿 one" | wc -c)"
send Escape
wait_for "draft kept"
wait_line 0 "^triage — #$T2 "
[ "$(draft_of "$T2" reply)" = "draft 草稿 one" ] ||
    fail_plain "the kept draft is \"$(draft_of "$T2" reply)\""
send r
wait_for "draft restored"
wait_for "draft 草稿 one"

step "the draft survives kill -9"
send End
send_text " + crash ✓"
wait_for "draft 草稿 one + crash ✓"
text2="draft 草稿 one + crash ✓"
wait_draft_saved "$(printf '%s' "$text2" | wc -c)"
kill -KILL "$(tui_pid)"
for i in $(seq 1 $((TUI_TIMEOUT * 20))); do
	[ -s "$TUI_DIR/exit.$TUI_RUN" ] && break
	sleep 0.05
done
[ "$(cat "$TUI_DIR/exit.$TUI_RUN" 2>/dev/null)" = 137 ] ||
    fail_plain "the console did not die of SIGKILL"
tui_start -e EDITOR="$TUI_DIR/editor.sh" -e TMPDIR="$TUI_DIR/tmp" 100 30
open_ticket "$T2"
send r
wait_for "draft restored"
wait_for "$text2"

step "^E: \$EDITOR edits a 0600 temporary file, removed afterwards"
send C-e
wait_for "Added by the editor ✓"
wait_for "$text2"
[ "$(cat "$TUI_DIR/editor.mode" 2>/dev/null)" = 600 ] ||
    fail_plain "the editor's file had mode" \
    "\"$(cat "$TUI_DIR/editor.mode" 2>/dev/null)\", expected 600"
path=$(cat "$TUI_DIR/editor.path")
case $path in
"$TUI_DIR/tmp/"*) ;;
*) fail_plain "the temporary file $path is not in \$TMPDIR" ;;
esac
[ ! -e "$path" ] || fail_plain "the temporary file $path was not removed"
[ -z "$(ls -A "$TUI_DIR/tmp")" ] ||
    fail_plain "files left in \$TMPDIR: $(ls -A "$TUI_DIR/tmp")"
send C-d
wait_for "reply queued"
[ "$(last_body "$T2")" = "$text2\\nAdded by the editor ✓" ] ||
    fail_plain "show --json: the reply on #$T2 is \"$(last_body "$T2")\""
[ -z "$(draft_of "$T2" reply)" ] || fail_plain "the draft outlived the send"

tui_quit
