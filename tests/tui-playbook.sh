#!/bin/bash
# tui-playbook.sh: the playbook in a real console (tmux) logged in to a
# real triage serve on a throwaway PostgreSQL, with the playbook in a git
# repository made by the git tool. The picker (M) matches as the agent
# types and previews the macro rendered for the ticket; Enter queues the
# macro's actions and puts its text in the composer; once synced, the
# server has the rendered reply with the playbook's commit and the
# ticket has the actions. ^T in the composer opens the picker too; an
# unknown variable is flagged and sending asks first. A knowledge-base
# article found by / goes into a reply. With the repository gone, the
# status bar says so and the last good copy stays in use; a new commit
# is fetched when the console starts, and on playbook.interval while it
# runs.
set -eu

NAME=tui-playbook
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
command -v tmux > /dev/null || { echo "SKIP: $NAME: no tmux"; exit 77; }
command -v git > /dev/null || { echo "SKIP: $NAME: no git"; exit 77; }

SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
SRV_CLEANUP='tm kill-server 2>/dev/null || true'
export XDG_DATA_HOME=$T/data

# The playbook: two macros and an article, committed with the git tool.
R=$T/repo
g() { git -C "$R" -c user.name=T -c user.email=t@example.com "$@" \
    > /dev/null 2>&1; }
mkdir -p "$R/macros/refunds" "$R/kb"
g init -q -b main
cat > "$R/macros/refunds/approved.md" <<'EOF'
title: Refund approved
tags: refund, billing
status: pending
priority: high
tags: +refund-approved

Hello {{customer.first_name}},

your refund for ticket #{{ticket.number}} is approved.

{{agent.name}}
EOF
cat > "$R/macros/typo.md" <<'EOF'
title: Greeting with a typo
tags: greeting

Hi {{ customer.nickname }}, thanks for writing.
EOF
cat > "$R/kb/returns.md" <<'EOF'
title: Returns policy
tags: returns

Items can go back within thirty days, unused and in their box.
EOF
g add -A
g commit -q -m one
COMMIT=$(git -C "$R" rev-parse HEAD)
printf '[playbook]\nurl = %s\n' "$R" > "$T/pb.conf"

shop 30 ann:agent
start_server
"$TRIAGE" --replica "$T/a.db" login --server "$URL" --email ann@shop.test \
    --password-file "$T/pw" > /dev/null
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null
N=$(q "SELECT number FROM tickets WHERE status = 'open' AND priority <> 'high'
    AND NOT tags ? 'refund-approved' ORDER BY number LIMIT 1")
FIRST=$(q "SELECT split_part(c.name, ' ', 1) FROM tickets t JOIN customers c
    ON c.id = t.customer_id WHERE t.number = $N")

console() {
	san_env a
	tm kill-server 2>/dev/null || true
	tm new-session -d -s a -x 110 -y 34 env TERM=tmux-256color \
	    "${SAN_ENV[@]}" "$TRIAGE" --replica "$T/a.db" --config "$T/pb.conf"
}
screen() { tm capture-pane -p -t a; }
wait_screen() {
	local i=0

	while [ $i -lt 200 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
keys() { tm send-keys -t a "$@"; }
expect() {
	if wait_screen "$2"; then
		pass "$1"
	else
		fail "$1 (no \"$2\" on the screen)"
		screen | sed 's/^/# /'
	fi
}
open_ticket() {
	keys '#'
	sleep 0.1
	keys -l "$N"
	keys Enter
	wait_screen "#$N " || true
}

console
expect "the console opens" "pending"
open_ticket
keys M
expect "M opens the picker on every macro" "Macro (2/2)"
expect "the picker names the playbook's commit" "playbook ${COMMIT:0:12}"
keys -l "refnd apr"
expect "typing narrows the list (fuzzy)" "Macro (1/2)"
expect "the preview is rendered for the ticket" "your refund for ticket #$N"
expect "with the customer's first name" "Hello $FIRST,"
expect "and says what Enter also does" "status pending"
keys Enter
expect "Enter puts the text in the composer" "Reply to #$N"
expect "the message line says what was queued" "changes queued, pending"
expect "rendered" "your refund for ticket #$N is approved."
keys C-d
expect "^D queues the reply" "reply queued"

# After sync: the reply and the actions on the server.
i=0
while [ $i -lt 100 ]; do
	got=$(q "SELECT count(*) FROM messages m JOIN tickets t ON t.id =
	    m.ticket_id WHERE t.number = $N AND m.macro_commit = '$COMMIT'")
	[ "$got" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "the server has the reply with the playbook's commit" is "$got" 1
body=$(q "SELECT m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id
    WHERE t.number = $N AND m.macro_commit IS NOT NULL")
check "its text is the rendered macro" has "$body" \
    "your refund for ticket #$N is approved."
check "with no variable left" is "$(printf '%s' "$body" | grep -c '{{' ||
    true)" 0
i=0
while [ $i -lt 100 ]; do
	st=$(q "SELECT status || ' ' || priority || ' ' || tags::text FROM
	    tickets WHERE number = $N")
	has "$st" "refund-approved" && break
	sleep 0.1
	i=$((i + 1))
done
check "the macro's status reached the server" has "$st" "pending "
check "its priority" has "$st" " high "
check "its tag" has "$st" "refund-approved"
keys G
expect "the ticket view marks the reply as a macro's" \
    "macro ${COMMIT:0:12}"

# ^T from the composer; an unknown variable is flagged, and asked about.
keys r
expect "r opens the composer" "^T macro"
keys -l "Dear customer,"
keys Enter
keys C-t
expect "^T opens the picker from the composer" "Macro (2/2)"
keys -l "greet"
expect "an unknown variable is flagged in the preview" \
    "unknown, left as written: customer.nickname"
keys Enter
expect "the text goes in after what was typed" "Hi {{ customer.nickname }},"
check "what was typed is kept" has "$(screen)" "Dear customer,"
keys C-d
expect "sending asks first" "still has {{customer.nickname}}"
keys n
expect "n keeps the text" "not sent"
keys Escape
expect "the draft is kept" "draft kept"

# A knowledge-base article: in the search view, in a pager, into a reply.
keys /
sleep 0.2
keys -l "unused thirty"
expect "the search view lists the article" "article"
expect "with its snippet" "thirty days"
keys Enter
expect "Enter opens the article in a pager" "kb/returns.md@${COMMIT:0:12}"
keys r
expect "r puts its text into a reply to the ticket" "Reply to #$N"
expect "the article's text" "Items can go back within thirty days"
keys Escape

# The repository gone: a notice, and the last good copy.
tm kill-server 2>/dev/null || true
mv "$R" "$R.gone"
console
expect "the status bar says the playbook is unreachable" "playbook:"
open_ticket
keys M
expect "the last good copy stays in use" "Macro (2/2)"
keys Escape

# Back, with a new macro: fetched when the console starts.
tm kill-server 2>/dev/null || true
mv "$R.gone" "$R"
printf 'title: Thanks\n\nThank you, {{customer.first_name}}.\n' \
    > "$R/macros/thanks.md"
g add -A
g commit -q -m two
printf 'interval = 10\n' >> "$T/pb.conf"
console
open_ticket
keys M
expect "a new commit is fetched at start" "Macro (3/3)"
expect "and named" "playbook $(git -C "$R" rev-parse --short=12 HEAD)"
keys Escape
keys :
keys -l "macro thank"
keys Enter
expect ":macro TEXT opens the picker matching TEXT" "Macro (1/3): thank"
keys Escape

# A commit while the console runs arrives within playbook.interval, in the
# picker that is open.
keys M
wait_screen "Macro (3/3)" || true
printf 'title: Bye\n\nGoodbye.\n' > "$R/macros/bye.md"
g add -A
g commit -q -m three
i=0
while [ $i -lt 60 ] && ! screen | grep -qF "Macro (4/4)"; do
	sleep 0.5
	i=$((i + 1))
done
expect "a commit is fetched on the interval, into the open picker" \
    "Macro (4/4)"
keys Escape
tm kill-server 2>/dev/null || true
finish
