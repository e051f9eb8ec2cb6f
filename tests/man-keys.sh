#!/bin/sh
# man-keys.sh: the KEYS section of man/triage.1 and of the German
# man/de/triage.1 must be what the keymap table says, in each language
# (`triage keys --mdoc`, with LANGUAGE=de for the German page).
# With --update it rewrites both sections instead (`make update-man`).
set -u
srcdir=${TRIAGE_SRCDIR:-.}
update=no
[ "${1:-}" = --update ] && update=yes
status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/man-keys.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The German catalogue, built from po/de.po, where gettext will look.
mkdir -p "$tmp/locale/de/LC_MESSAGES"
if [ -f "$srcdir/po/de.gmo" ]; then
	cp "$srcdir/po/de.gmo" "$tmp/locale/de/LC_MESSAGES/triage.mo"
else
	msgfmt -o "$tmp/locale/de/LC_MESSAGES/triage.mo" "$srcdir/po/de.po" ||
	    exit 1
fi

# keys PAGE LANGUAGE LOCALE: check (or rewrite) one page's KEYS section.
keys()
{
	page=$1
	TRIAGE_LOCALEDIR=$tmp/locale LANGUAGE=$2 LC_ALL=$3 "$TRIAGE" keys \
	    --mdoc > "$tmp/want" || exit 1
	if [ "$update" = yes ]; then
		awk -v keys="$tmp/want" '
		    /^\.\\" BEGIN KEYS/ { print; while ((getline l < keys) > 0)
			print l; skip = 1; next }
		    /^\.\\" END KEYS/ { skip = 0 }
		    !skip { print }' "$srcdir/$page" > "$tmp/page" &&
		    cat "$tmp/page" > "$srcdir/$page"
		return
	fi
	sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$srcdir/$page" |
	    sed '1d;$d' > "$tmp/have"
	if ! cmp -s "$tmp/have" "$tmp/want"; then
		echo "$page: KEYS differ from 'triage keys --mdoc'" \
		    "(LANGUAGE=$2); run make update-man" >&2
		diff -u "$tmp/have" "$tmp/want" >&2
		status=1
	fi
}

keys man/triage.1 "" C
keys man/de/triage.1 de C.UTF-8
exit $status
