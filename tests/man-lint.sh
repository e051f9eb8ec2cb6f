#!/bin/sh
# man-lint.sh: the manual pages (English and German) must be clean under
# mandoc -Tlint.
set -u
srcdir=${TRIAGE_SRCDIR:-.}
if ! command -v mandoc >/dev/null 2>&1; then
	echo "man-lint: mandoc is not installed (apt-get install mandoc)" >&2
	exit 1
fi
status=0
for page in "$srcdir"/man/*.[1-9] "$srcdir"/man/de/*.[1-9]; do
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
exit $status
