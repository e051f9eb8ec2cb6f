# pg-lib.sh: a throwaway PostgreSQL cluster for test scripts (bash, sourced).
#
#   . "$TRIAGE_SRCDIR/tests/pg-lib.sh"
#   pg_start || exit 1	# sets PG_DIR and PG_CONNINFO
#   psql "$PG_CONNINFO" -c 'select 1'
#   pg_restart		# stop (fast) and start again: same port, same data
#   pg_down; ...; pg_up	# the same in two steps, to test the gap
#   pg_psql -c 'select 1'	# psql -X against the cluster
#   pg_stop		# stop and remove; also done on exit
#
# The logic lives in tests/pg-harness.sh (see there); these functions only
# call it. pg_start adds pg_stop to the EXIT trap, in front of whatever EXIT
# trap was set before. A trap set AFTER pg_start replaces ours: such a trap
# must call pg_stop itself. The shell options of the caller are left alone.

PG_HARNESS=${PG_HARNESS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" &&
    pwd)/pg-harness.sh}
PG_DIR=""
PG_CONNINFO=""
PG_OLD_EXIT_TRAP=""
PG_TRAPPED=0

# Make a temporary directory, start a cluster in it and set PG_DIR and
# PG_CONNINFO; 1 (with the log on stderr) if it did not start.
pg_start()
{
	local old

	if [ -n "$PG_DIR" ]; then
		echo "pg_start: a cluster already runs in $PG_DIR" >&2
		return 1
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triage-pg.XXXXXX") || {
		PG_DIR=""
		return 1
	}
	if [ "$PG_TRAPPED" -eq 0 ]; then
		# Keep the caller's EXIT trap: it runs after ours.
		old=$(trap -p EXIT)
		if [ -n "$old" ]; then
			eval "set -- $old"
			PG_OLD_EXIT_TRAP=$3
		fi
		trap pg_on_exit EXIT
		PG_TRAPPED=1
	fi
	if ! PG_CONNINFO=$("$PG_HARNESS" start "$PG_DIR"); then
		pg_stop
		return 1
	fi
	export PG_DIR PG_CONNINFO
}

# The EXIT trap: stop the cluster, then run the caller's earlier trap with
# the exit status it would have seen. Ours runs first because a trap that
# calls exit ends the shell on the spot.
pg_on_exit()
{
	local rc=$?

	pg_stop || true
	[ -n "$PG_OLD_EXIT_TRAP" ] || return 0
	# Set $? to rc in a test, where set -e does not end the shell: each
	# branch starts with $? as the test left it.
	if pg_status "$rc"; then
		eval "$PG_OLD_EXIT_TRAP"
	else
		eval "$PG_OLD_EXIT_TRAP"
	fi
}

pg_status()
{
	return "$1"
}

# Stop the cluster and remove its directory; nothing if none runs.
pg_stop()
{
	local rc=0

	[ -n "$PG_DIR" ] || return 0
	"$PG_HARNESS" stop "$PG_DIR" || rc=1
	PG_DIR=""
	PG_CONNINFO=""
	return $rc
}

# 1, with a message, when no cluster was started.
pg_need()
{
	[ -n "$PG_DIR" ] && return 0
	echo "pg-lib: $1 without pg_start" >&2
	return 1
}

# Stop the server (fast shutdown), keeping its data and port.
pg_down()
{
	pg_need pg_down || return 1
	"$PG_HARNESS" pause "$PG_DIR"
}

# Start the server again on the same port.
pg_up()
{
	pg_need pg_up || return 1
	"$PG_HARNESS" resume "$PG_DIR"
}

# Stop the server and start it again: "PostgreSQL restarted under load".
pg_restart()
{
	pg_need pg_restart || return 1
	"$PG_HARNESS" restart "$PG_DIR"
}

# psql -X against the cluster, with the caller's arguments.
pg_psql()
{
	pg_need pg_psql || return 1
	"$PG_HARNESS" psql "$PG_DIR" "$@"
}
