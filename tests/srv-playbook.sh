#!/bin/bash
# srv-playbook.sh: triage macros and triage kb on a real git repository
# (made by the git tool): sync, up to date, ls, show rendered from a
# ticket, unknown variables, bad files named, search, a force-push and an
# unreachable remote refused with the last good copy kept, and playbook
# text reaching the terminal only through the sanitiser.
set -eu
NAME=srv-playbook
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"

export XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config
R=$T/repo
g() { git -C "$R" -c user.name=T -c user.email=t@example.com "$@" \
    > /dev/null 2>&1; }
mkdir -p "$R/macros/refunds" "$R/kb" "$XDG_CONFIG_HOME/triage"
g init -q -b main
cat > "$R/macros/refunds/approved.md" <<'EOF'
title: Refund approved
tags: refund
status: pending
tags: +refund

Hello {{customer.first_name}}, ticket #{{ticket.number}}.
EOF
printf 'title: Odd \033[31mred\033[0m\n\nHi {{nope}}.\n{{\033]0;PWNED\007}}\n' \
    > "$R/macros/odd.md"
# A file name is the repository's too: this one is refused (no header).
printf 'no header\n' > "$R/macros/x"$'\033'"[31mRED.md"
printf 'title: Bad\nstaus: open\n\nx\n' > "$R/macros/bad.md"
printf 'title: Returns\ntags: returns\n\nThirty days to return.\n' \
    > "$R/kb/returns.md"
g add -A
g commit -q -m one
printf '[playbook]\nurl = %s\n' "$R" > "$XDG_CONFIG_HOME/triage/config"
"$TRIAGE" replica gen --tickets 20 --out "$T/a.db" > /dev/null

tr_ a macros sync
check "sync works" is "$RC" 0
check "and counts what it indexed" has "$OUT" "2 macros, 1 articles"
check "a bad file is named with its line" has "$ERR" "macros/bad.md:2:"
check "a file name's escape sequence is not sent to the terminal" \
    is "$(printf '%s' "$ERR" | grep -c $'\033' || true)" 0
check "but the file is named" has "$ERR" "RED.md"
tr_ a macros sync
check "a second sync is up to date" has "$OUT" "(up to date)"

tr_ a macros ls
check "ls lists the macros" has "$OUT" "refunds/approved  Refund approved"
check "a title's escape sequence is not sent to the terminal" \
    is "$(printf '%s' "$OUT" | grep -c $'\033' || true)" 0
tr_ a macros ls --json
check "ls --json names the commit" has "$OUT" '"commit":'

first=$(sqlite3 "$T/a.db" "SELECT substr(c.name, 1, instr(c.name || ' ', ' ')
    - 1) FROM tickets t JOIN customers c ON c.id = t.customer_id
    WHERE t.number = 3")
tr_ a macros show refunds/approved --ticket 3
check "show renders from the ticket" has "$OUT" "Hello $first, ticket #3."
check "and lists the actions" has "$OUT" '["status","pending"]'
check "with every variable known, nothing on stderr" is "$ERR" ""
tr_ a macros show odd
check "an unknown variable stays as written" has "$OUT" "Hi {{nope}}."
check "and is named" has "$ERR" "unknown variable {{nope}}"
check "an unknown variable with escapes is named" has "$ERR" "]0;PWNED"
check "but its escape sequence is not sent" \
    is "$(printf '%s%s' "$OUT" "$ERR" | grep -c $'[\033\007]' || true)" 0
tr_ a macros show nosuch
check "an unknown macro exits 1" is "$RC" 1
tr_ a macros show refunds/approved --ticket 99999
check "an unknown ticket exits 1" is "$RC" 1

tr_ a kb search return
check "kb search finds the article, match in brackets" has "$OUT" "[return]"
tr_ a kb search zebra
check "kb search with no match exits 1" is "$RC" 1

# A force-push: the copy in use stays, the refusal is kept as a notice.
before=$(sqlite3 "$T/a.db" "SELECT commit_id FROM playbook_state")
printf 'title: New\n\nNew.\n' > "$R/macros/new.md"
g add -A
g commit -q --amend -m rewritten
tr_ a macros sync
check "a force-pushed branch is refused" is "$RC" 1
check "and says so" has "$ERR" "rewritten"
check "and keeps the last good copy" has "$OUT" "the last good copy"
check "the replica's commit stays" \
    is "$(sqlite3 "$T/a.db" "SELECT commit_id FROM playbook_state")" "$before"
check "the refusal is the replica's notice" \
    has "$(sqlite3 "$T/a.db" "SELECT notice FROM playbook_state")" "rewritten"
tr_ a macros show new
check "the rewritten branch's macro is not used" is "$RC" 1

# Unreachable: the same.
mv "$R" "$T/gone"
tr_ a macros sync
check "an unreachable remote exits 1" is "$RC" 1
check "the macros stay" is "$(sqlite3 "$T/a.db" "SELECT count(*) FROM macros")" 2
finish
