#!/bin/sh
# po-check.sh: every translation stays whole as the code moves.
# - po/POTFILES.in lists exactly the source files that mark messages
#   (_, N_, C_, NC_, ngettext): a file missing there has its messages
#   never extracted, so they stay English in every language.
# - Each language in po/LINGUAS, merged with what the sources mark now,
#   has no untranslated and no fuzzy message, and msgfmt -c accepts it
#   (format strings agree with their msgids).
set -u
srcdir=${TRIAGE_SRCDIR:-.}
status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/po-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail()
{
	echo "FAIL: $*"
	status=1
}

cd "$srcdir" || exit 1

# The files that mark messages, and the files listed.
find src -name '*.c' | LC_ALL=C sort | while IFS= read -r f; do
	perl -0777 -ne 'exit !/(^|[^A-Za-z0-9_])(N?C?_|n?gettext)\(\s*"/' \
	    "$f" && echo "$f"
done > "$tmp/marked"
grep -v '^#' po/POTFILES.in | sed '/^$/d' | LC_ALL=C sort > "$tmp/listed"
for f in $(comm -23 "$tmp/marked" "$tmp/listed"); do
	fail "$f marks messages but po/POTFILES.in does not list it"
done
for f in $(cat "$tmp/listed"); do
	[ -f "$f" ] || fail "po/POTFILES.in lists $f, which does not exist"
done

# What the sources mark now, with the options po/Makevars gives xgettext.
opts=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' po/Makevars)
# shellcheck disable=SC2086 # the options are words
xgettext $opts --language=C -o "$tmp/triage.pot" \
    --files-from="$tmp/listed" 2> "$tmp/xgettext.err" || {
	cat "$tmp/xgettext.err"
	fail "xgettext failed"
}

for lang in $(sed 's/#.*//' po/LINGUAS); do
	msgmerge -q -o "$tmp/$lang.po" "po/$lang.po" "$tmp/triage.pot" ||
	    { fail "$lang: msgmerge failed"; continue; }
	if ! msgfmt -c -o /dev/null "$tmp/$lang.po" 2> "$tmp/msgfmt.err"; then
		cat "$tmp/msgfmt.err"
		fail "$lang: msgfmt -c refuses po/$lang.po"
	fi
	stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
	case $stats in
	*untranslated*|*fuzzy*)
		fail "$lang: $stats"
		# Name them.
		for which in --untranslated --only-fuzzy; do
			msgattrib $which --no-obsolete --no-wrap \
			    "$tmp/$lang.po" | grep -E '^(msgctxt|msgid) ' |
			    grep -v '^msgid ""$' | sed "s/^/  $which: /" |
			    head -20
		done
		;;
	*)
		echo "ok: $lang: $stats"
		;;
	esac
done
[ $status -eq 0 ] && echo "ok: po/POTFILES.in lists every file that marks messages"
exit $status
