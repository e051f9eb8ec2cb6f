# srv-lib.sh: what the server tests share: the skip when PostgreSQL is
# missing, a temporary directory, a throwaway cluster (tests/pg-lib.sh),
# and one-line checks. Set NAME before sourcing it.
: "${TRIAGE:=$(pwd)/triage}"
: "${TRIAGE_SRCDIR:=${srcdir:-.}}"

# initdb where tests/pg-harness.sh looks for it.
have_postgres()
{
	local d

	d=$(pg_config --bindir 2>/dev/null || true)
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && return 0
	done
	return 1
}
if ! have_postgres || ! command -v psql >/dev/null 2>&1; then
	echo "SKIP: $NAME: no PostgreSQL server (apt-get install postgresql)"
	exit 77
fi
if [ ! -x "$TRIAGE" ]; then
	echo "FAIL: $NAME: no triage binary at $TRIAGE" \
	    "(set TRIAGE or run through make check)" >&2
	exit 1
fi

export LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=C TZ=UTC
unset TRIAGE_DB 2>/dev/null || true
T=$(mktemp -d "${TMPDIR:-/tmp}/triage-$NAME.XXXXXX")
# A real triage serve on the cluster, on a free port (URL is set);
# stop_server ends it (the EXIT trap does too).
server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
start_server() {
	"$TRIAGE" serve --db "$PG_CONNINFO" --listen "127.0.0.1:${PORT:-0}" \
	    2> "$T/serve.log" &
	server_pid=$!
	for _ in $(seq 1 100); do
		grep -q 'listening on' "$T/serve.log" && break
		sleep 0.1
	done
	PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' \
	    "$T/serve.log")
	URL=http://127.0.0.1:$PORT
}

# Set before pg_start, which puts its own stop in front of this; a test
# adds its own cleaning up in SRV_CLEANUP (never another EXIT trap, which
# would replace pg_start's and leave the cluster running).
SRV_CLEANUP=
srv_cleanup() { eval "$SRV_CLEANUP"; stop_server; rm -rf "$T"; }
trap srv_cleanup EXIT
. "$TRIAGE_SRCDIR/tests/pg-lib.sh"
pg_start || { echo "FAIL: $NAME: PostgreSQL did not start" >&2; exit 1; }

FAILED=0
pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILED=$((FAILED + 1)); }
# check WHAT COMMAND...: one line for the check, by the command's status.
check()
{
	local what=$1

	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# One value from PostgreSQL.
q() { pg_psql -q -At -v ON_ERROR_STOP=1 -c "$1"; }
has() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
is() { [ "$1" = "$2" ]; }

# A: triage admin on the test cluster.
A() { "$TRIAGE" admin --db "$PG_CONNINFO" "$@"; }
# shop TICKETS NAME:ROLE...: a migrated database with an organisation
# "Shop", its users NAME@shop.test (all with the password in $T/pw) and
# TICKETS seeded tickets.
shop()
{
	local tickets=$1 u

	shift
	A migrate > /dev/null
	A create-org Shop > /dev/null
	printf 'password-one\n' > "$T/pw"
	chmod 600 "$T/pw"
	for u in "$@"; do
		A create-user --org Shop --email "${u%%:*}@shop.test" \
		    --name "${u%%:*}" --role "${u##*:}" --password-file "$T/pw" \
		    > /dev/null
	done
	A seed --org Shop --tickets "$tickets" > /dev/null 2>&1
}

# The end: a summary line and the status automake reads.
finish()
{
	if [ "$FAILED" -ne 0 ]; then
		echo "FAIL: $NAME: $FAILED checks failed"
		exit 1
	fi
	echo "PASS: $NAME"
	exit 0
}
