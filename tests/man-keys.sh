#!/bin/sh
# man-keys.sh: the manual's KEYS section must be what the keymap table says
# (regenerate it with `make update-man`).
set -u
srcdir=${TRIAGE_SRCDIR:-.}
want=$("$TRIAGE" keys --mdoc) || exit 1
have=$(sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$srcdir/man/triage.1" |
    sed '1d;$d')
if [ "$want" != "$have" ]; then
	echo "man/triage.1 KEYS differ from 'triage keys --mdoc'; run make update-man" >&2
	printf '%s\n' "$want" > keys.want.$$
	printf '%s\n' "$have" > keys.have.$$
	diff -u keys.have.$$ keys.want.$$ >&2
	rm -f keys.want.$$ keys.have.$$
	exit 1
fi
exit 0
