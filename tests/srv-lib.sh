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
# The jobs (SLA escalation, assignment) only where a test asks for them
# (SERVE_JOBS=SECONDS): elsewhere they would change seeded tickets under it.
start_server() {
	# shellcheck disable=SC2086 # SERVE_ARGS: options, split on spaces
	"$TRIAGE" serve --db "$PG_CONNINFO" --listen "127.0.0.1:${PORT:-0}" \
	    --jobs-interval "${SERVE_JOBS:-0}" ${SERVE_ARGS:-} \
	    2> "$T/serve.log" &
	server_pid=$!
	# Up to 30 s: after a kill -9 the port or PostgreSQL may lag.
	for _ in $(seq 1 300); do
		grep -q 'listening on' "$T/serve.log" && break
		sleep 0.1
	done
	grep -q 'listening on' "$T/serve.log" ||
	    echo "# the server did not start: $(tail -3 "$T/serve.log")"
	PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' \
	    "$T/serve.log")
	URL=http://127.0.0.1:$PORT
}

# tr_ DB ARGS...: triage on replica $T/DB.db; OUT, ERR and RC hold what
# it did.
tr_() {
	local db=$1

	shift
	set +e
	OUT=$("$TRIAGE" --replica "$T/$db.db" "$@" 2> "$T/stderr")
	RC=$?
	set -e
	ERR=$(cat "$T/stderr")
}

# need_proxy: tests/cut-proxy (make check builds it) in CUT_PROXY.
need_proxy() {
	: "${CUT_PROXY:=$(dirname "$TRIAGE")/tests/cut-proxy}"
	if [ ! -x "$CUT_PROXY" ]; then
		echo "FAIL: $NAME: no proxy at $CUT_PROXY (make check builds" \
		    "it)" >&2
		exit 1
	fi
}
# proxy_start ARGS...: tests/cut-proxy with ARGS in front of the server;
# its URL in PURL, what it did in $T/proxy.log. srv_cleanup stops it.
proxy_pid=
proxy_start() {
	proxy_stop
	: > "$T/proxy.port"
	"$CUT_PROXY" "$@" "$PORT" > "$T/proxy.port" 2> "$T/proxy.log" &
	proxy_pid=$!
	for _ in $(seq 1 200); do
		[ -s "$T/proxy.port" ] && break
		sleep 0.02
	done
	PURL=http://127.0.0.1:$(cat "$T/proxy.port")
}
proxy_stop() {
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null || true
		wait "$proxy_pid" 2>/dev/null || true
		proxy_pid=
	fi
}

# san_env NAME: in SAN_ENV, the sanitizer settings for a console NAME,
# each writing its reports to $T/asan.NAME / $T/ubsan.NAME.
san_env() {
	SAN_ENV=()
	[ -n "${ASAN_OPTIONS:-}" ] &&
	    SAN_ENV+=("ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$T/asan.$1")
	[ -n "${UBSAN_OPTIONS:-}" ] &&
	    SAN_ENV+=("UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$T/ubsan.$1")
	return 0
}

# Set before pg_start, which puts its own stop in front of this; a test
# adds its own cleaning up in SRV_CLEANUP (never another EXIT trap, which
# would replace pg_start's and leave the cluster running).
SRV_CLEANUP=
srv_cleanup() { eval "$SRV_CLEANUP"; proxy_stop; stop_server; rm -rf "$T"; }
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
