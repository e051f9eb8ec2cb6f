#!/bin/bash
# completion.sh: the bash completion (data/completion/triage.bash) run as
# bash runs it, on a demo replica: subcommands, options from --help, saved
# view names, open ticket numbers, set's fields and values, macro names;
# a subject with an escape sequence never reaches the command line; the
# zsh one at least parses when zsh is installed.
set -u
NAME=completion
: "${TRIAGE:=$(pwd)/triage}" "${TRIAGE_SRCDIR:=.}"
T=$(mktemp -d "${TMPDIR:-/tmp}/triage-compl.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILED=0
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }
DB=$T/demo.db
XDG_DATA_HOME=$T "$TRIAGE" --replica "$DB" demo --tickets 200 > /dev/null 2>&1 ||
    { echo "FAIL: $NAME: triage demo failed"; exit 1; }
. "$TRIAGE_SRCDIR/data/completion/triage.bash"

# offered WORD...: COMPREPLY for the words, the last being typed.
offered() {
	COMP_WORDS=("$TRIAGE" "$@")
	COMP_CWORD=$(($# ))
	COMPREPLY=()
	_triage
	printf '%s\n' "${COMPREPLY[@]}"
}
has_line() { printf '%s\n' "$1" | grep -qxF -- "$2"; }
check() {	# check WHAT OUTPUT LINE
	if has_line "$2" "$3"; then pass "$1"; else
		fail "$1 (no \"$3\" in: $(printf '%s' "$2" | head -5 | tr '\n' ' '))"
	fi
}

check "subcommands" "$(offered sh)" show
check "subcommands after a global option" \
    "$(offered --replica "$DB" mac)" macros
check "a subcommand's options from its --help" "$(offered ls --js)" --json
check "saved view names" "$(offered --replica "$DB" ls --view My)" "My open"
n=$("$TRIAGE" --replica "$DB" ls 'status:unsolved' --sort updated \
    --limit 1 --json | sed -n 's/^ *"number": \([0-9]*\),*$/\1/p' | head -1)
check "open ticket numbers (the latest first)" \
    "$(offered --replica "$DB" show "")" "$n"
check "set: a ticket, then its fields" \
    "$(offered --replica "$DB" set "$n" pri)" "priority="
check "set: a field's values" \
    "$(offered --replica "$DB" set "$n" status=pe)" "status=pending"
check "set: a field's values, the word split at = as bash does" \
    "$(offered --replica "$DB" set "$n" priority = hi)" "high"
check "macros show: the playbook's macros" \
    "$(offered --replica "$DB" macros show refunds/a)" "refunds/approved"
check "admin commands" "$(offered admin run)" run-jobs
if [ -z "$(offered --replica "$T/none.db" show "")" ]; then
	pass "no replica: nothing offered, nothing printed"
else
	fail "no replica: nothing offered, nothing printed"
fi
sqlite3 "$DB" "UPDATE tickets SET subject = 'evil ' || char(27) ||
    '[2J subject', updated_at = 9e15 WHERE number = $n" ||
    fail "sqlite3 failed"
out=$("$TRIAGE" --replica "$DB" __complete tickets)
if printf '%s' "$out" | grep -q $'\033'; then
	fail "a subject's escape sequence is not printed"
else
	pass "a subject's escape sequence is not printed"
fi
if command -v zsh > /dev/null; then
	if zsh -n "$TRIAGE_SRCDIR/data/completion/_triage"; then
		pass "the zsh completion parses"
	else
		fail "the zsh completion parses"
	fi
fi
if [ "$FAILED" -ne 0 ]; then
	echo "FAIL: $NAME: $FAILED checks failed"
	exit 1
fi
echo "PASS: $NAME"
