#!/bin/bash
# completion.sh: the bash completion (data/completion/triage.bash) run as
# bash runs it, on a demo replica: subcommands, options from --help, saved
# view names, open ticket numbers, set's fields and values, macro names;
# a subject with an escape sequence never reaches the command line; the
# zsh one in a real interactive zsh (tmux), Tab pressed.
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
# zsh: a real interactive zsh in tmux, the completion loaded by compinit
# from the file make install puts in vendor-completions, Tab pressed.
if ! command -v zsh > /dev/null || ! command -v tmux > /dev/null; then
	fail "zsh and tmux are needed for the zsh completion (apt-get install" \
	    "zsh tmux)"
elif ! zsh -n "$TRIAGE_SRCDIR/data/completion/_triage"; then
	fail "the zsh completion parses"
else
	pass "the zsh completion parses"
	mkdir -p "$T/zfunc" "$T/zhome"
	cp "$TRIAGE_SRCDIR/data/completion/_triage" "$T/zfunc/"
	{
		echo "PS1='%% '"
		echo "fpath=('$T/zfunc' \$fpath)"
		echo "autoload -Uz compinit && compinit -u -d '$T/zcompdump'"
		echo "path=('${TRIAGE%/*}' \$path)"
		echo "LISTMAX=500"
	} > "$T/zhome/.zshrc"
	Z="tmux -S $T/tmux.sock"
	$Z new-session -d -x 200 -y 40 \
	    "env -i HOME=$T/zhome ZDOTDIR=$T/zhome TERM=xterm LANG=C.UTF-8 zsh -i"
	# zcheck WHAT TYPED WANT: type TEXT, press Tab, look for WANT.
	zcheck() {
		local out i
		$Z send-keys -t 0 -l -- "$2"
		$Z send-keys -t 0 Tab
		for i in $(seq 1 40); do
			out=$($Z capture-pane -p -t 0)
			printf '%s\n' "$out" | grep -qF -- "$3" && break
			sleep 0.1
		done
		if printf '%s\n' "$out" | grep -qF -- "$3"; then pass "$1"; else
			fail "$1 (no \"$3\" after Tab on \"$2\": $(printf '%s' \
			    "$out" | grep -v '^$' | tail -4 | tr '\n' '|'))"
		fi
		$Z send-keys -t 0 C-c
		$Z send-keys -t 0 C-l
		sleep 0.2
	}
	for i in $(seq 1 50); do
		$Z capture-pane -p -t 0 | grep -q '^%' && break
		sleep 0.1
	done
	zcheck "zsh: subcommands" "triage sho" "triage show"
	zcheck "zsh: subcommands with their help" "triage s" \
	    "$("$TRIAGE" __complete commands | sed -n 's/^show\t//p' |
	    cut -c1-20)"
	zcheck "zsh: saved view names" "triage --replica $DB ls --view My" \
	    'My\ open'
	zcheck "zsh: open ticket numbers" \
	    "triage --replica $DB show ${n%?}" "show $n"
	zcheck "zsh: a subcommand's options" "triage ls --js" "--json"
	$Z kill-server 2>/dev/null
fi
if [ "$FAILED" -ne 0 ]; then
	echo "FAIL: $NAME: $FAILED checks failed"
	exit 1
fi
echo "PASS: $NAME"
