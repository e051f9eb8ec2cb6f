#!/bin/bash
# pg-harness.sh: a throwaway PostgreSQL cluster for tests and for hand use.
#
#   pg-harness.sh start DIR       make a cluster in DIR (new or empty), start
#                                 it on a free port of 127.0.0.1, print the
#                                 connection string (also in DIR/conninfo)
#   pg-harness.sh stop DIR        stop it at once and remove DIR (idempotent)
#   pg-harness.sh pause DIR       stop it (fast), keeping the data and port
#   pg-harness.sh resume DIR      start it again on the same port
#   pg-harness.sh restart DIR     pause, then resume
#   pg-harness.sh psql DIR ARGS   psql -X against it, with ARGS
#
# DIR holds data/ (the cluster), postgres.log, conninfo, port and the unix
# socket, so nothing touches /var/run/postgresql. Clients use TCP to
# 127.0.0.1 with trust authentication as user triage, database triage.
# PostgreSQL refuses to run as root, so as root the server runs as nobody
# (PG_HARNESS_USER) and DIR is given to that user. Durability is off: the
# cluster is thrown away. tests/pg-lib.sh wraps this for test scripts.
set -eu

PG_USER=${PG_HARNESS_USER:-nobody}
TIMEOUT=30		# seconds to wait for a start or a stop
MARK=.pg-harness	# in DIR: stop may remove DIR even if not empty

usage()
{
	echo "usage: pg-harness.sh start|stop|pause|resume|restart DIR" >&2
	echo "       pg-harness.sh psql DIR [psql arguments]" >&2
	exit 2
}

die()
{
	echo "pg-harness: $*" >&2
	exit 1
}

# The directory of initdb, pg_ctl and postgres: pg_config's if it has them
# (libpq-dev's pg_config may name a version without a server), else the
# newest Debian one.
find_bindir()
{
	local d best="" v bestv=0

	d=$(pg_config --bindir 2>/dev/null || true)
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
		echo "$d"
		return 0
	fi
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] || continue
		v=${d#/usr/lib/postgresql/}
		v=${v%%/*}
		v=${v%%.*}
		case $v in *[!0-9]*|"") continue ;; esac
		if [ "$v" -gt "$bestv" ]; then
			bestv=$v
			best=$d
		fi
	done
	[ -n "$best" ] || die "no PostgreSQL server found" \
	    "(apt-get install postgresql)"
	echo "$best"
}

# Run a command as the cluster's owner: ourselves, or PG_USER when root.
as_pg()
{
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	elif command -v setpriv >/dev/null 2>&1; then
		# setpriv, not runuser: no PAM session around the server.
		setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" \
		    --init-groups -- "$@"
	else
		runuser -u "$PG_USER" -- "$@"
	fi
}

pg_ctl_()
{
	# The cwd may be unreadable to PG_USER (/root): work from DIR.
	(cd "$dir" && as_pg "$BINDIR/pg_ctl" -D "$dir/data" "$@")
}

# Whether the postmaster of this DIR runs.
running()
{
	pg_ctl_ status >/dev/null 2>&1
}

# The postmaster's pid if it is alive and is ours (not a reused pid).
postmaster_pid()
{
	local pid

	pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || return 1
	case $pid in ""|*[!0-9]*) return 1 ;; esac
	[ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -F -- "$dir/data" ||
	    return 1
	echo "$pid"
}

# Stop the server if it runs (mode fast or immediate); kill it if pg_ctl
# cannot, so that nothing is left running either way.
halt()
{
	local pid _

	[ -d "$dir/data" ] || return 0
	if running; then
		pg_ctl_ stop -m "$1" -w -t "$TIMEOUT" -s >>"$log" 2>&1 ||
		    pg_ctl_ stop -m immediate -w -t "$TIMEOUT" -s \
		    >>"$log" 2>&1 || true
	fi
	pid=$(postmaster_pid) || return 0
	echo "pg-harness: pg_ctl could not stop pid $pid; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		[ -d "/proc/$pid" ] || return 0
		sleep 0.1
	done
	return 1
}

# Report a failed start with the end of the log, stop what runs, exit 1.
# DIR stays for a look at the log; "stop DIR" removes it.
start_fail()
{
	echo "pg-harness: $*" >&2
	halt immediate || true
	if [ -s "$log" ]; then
		echo "---- last lines of $log ----" >&2
		tail -n 30 "$log" >&2
		echo "---- end of log ----" >&2
	fi
	exit 1
}

# A random port in 20000-60000 (RANDOM alone only reaches 32767).
random_port()
{
	echo $((20000 + ((RANDOM << 15) | RANDOM) % 40001))
}

# Whether something already listens on this TCP port.
port_busy()
{
	if command -v ss >/dev/null 2>&1 &&
	    [ -n "$(ss -H -l -t -n "sport = :$1" 2>/dev/null)" ]; then
		return 0
	fi
	# ss may be missing: a connection that succeeds means a listener.
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The settings of the harness, included from postgresql.conf, so that a
# plain pg_ctl start (resume) keeps the port.
write_conf()
{
	local f="$dir/data/harness.conf" sockdir q="'"

	# A unix socket path is limited to 107 bytes: past that, TCP only.
	sockdir=$dir
	if [ $(($(printf %s "$dir" | wc -c) + 15)) -gt 107 ]; then
		echo "pg-harness: $dir is too long for a unix socket;" \
		    "TCP only" >&2
		sockdir=""
	fi
	cat >"$f" <<EOF
# Written by tests/pg-harness.sh: a throwaway cluster.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '${sockdir//$q/$q$q}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 128MB
EOF
	[ "$(id -u)" -ne 0 ] || chown "$PG_USER:" "$f"
}

# Wait until the server accepts TCP connections; 1 after TIMEOUT seconds.
wait_ready()
{
	local end=$((SECONDS + TIMEOUT))

	while [ "$SECONDS" -le "$end" ]; do
		if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" \
		    -U triage -d postgres -t 2; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Start the server on $port; 1 if it did not come up.
server_up()
{
	pg_ctl_ start -w -t "$TIMEOUT" -s -l "$log" >>"$log" 2>&1 || return 1
	wait_ready || return 1
}

# Check that DIR holds a cluster made by start.
need_cluster()
{
	[ -d "$dir/data" ] && [ -e "$dir/$MARK" ] && [ -s "$dir/conninfo" ] ||
	    die "no cluster in $dir (run: pg-harness.sh start $dir)"
	port=$(cat "$dir/port")
}

cmd_start()
{
	local tries off

	if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir exists and is not empty"
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P)
	log=$dir/postgres.log
	chmod 0700 "$dir"
	: >"$dir/$MARK"
	: >"$log"
	if [ "$(id -u)" -eq 0 ]; then
		id "$PG_USER" >/dev/null 2>&1 || die "no user $PG_USER"
		chown "$PG_USER:" "$dir" "$log"
		as_pg test -w "$dir" -a -x "$dir" ||
		    die "$PG_USER cannot reach $dir; use a directory" \
		    "under /tmp"
	fi

	(cd "$dir" && as_pg "$BINDIR/initdb" -D "$dir/data" --auth=trust \
	    --username=triage --encoding=UTF8 --locale=C --no-sync \
	    --no-instructions) >>"$log" 2>&1 || start_fail "initdb failed"
	echo "include 'harness.conf'" >>"$dir/data/postgresql.conf"

	# Another cluster may take the port between the check and the
	# bind: then try another one.
	tries=0
	while :; do
		tries=$((tries + 1))
		[ "$tries" -le 20 ] || start_fail "no free port after 20 tries"
		port=$(random_port)
		port_busy "$port" && continue
		write_conf "$port"
		off=$(wc -c <"$log")
		server_up && break
		if tail -c +$((off + 1)) "$log" |
		    grep -q -e 'Address already in use' \
		    -e 'could not create any TCP/IP sockets'; then
			halt immediate || true
			continue
		fi
		start_fail "postgres did not start"
	done

	"$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U triage -O triage \
	    triage >>"$log" 2>&1 || start_fail "createdb triage failed"
	echo "$port" >"$dir/port"
	echo "host=127.0.0.1 port=$port user=triage dbname=triage" \
	    >"$dir/conninfo"
	cat "$dir/conninfo"
}

cmd_stop()
{
	[ -e "$dir" ] || return 0
	[ -d "$dir" ] || die "$dir is not a directory"
	# Never remove a directory that start did not make.
	if [ ! -e "$dir/$MARK" ] && [ -n "$(ls -A "$dir")" ]; then
		die "$dir was not made by pg-harness.sh start; not removing it"
	fi
	halt immediate || die "could not stop the server in $dir"
	rm -rf -- "$dir"
}

cmd_pause()
{
	need_cluster
	halt fast || die "could not stop the server in $dir"
}

cmd_resume()
{
	need_cluster
	running && return 0
	# The same port: clients reconnect to the conninfo they have.
	server_up || start_fail "postgres did not start again on port $port"
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
[ -n "$dir" ] || usage
case $cmd in start|stop|pause|resume|restart) [ $# -eq 0 ] || usage ;; esac
# Absolute and without symlinks, as the postmaster's command line has it.
if [ -d "$dir" ]; then
	dir=$(cd "$dir" && pwd -P)
else
	case $dir in /*) ;; *) dir=$(pwd -P)/$dir ;; esac
fi
log=$dir/postgres.log
port=""
BINDIR=$(find_bindir)

case $cmd in
start)		cmd_start ;;
stop)		cmd_stop ;;
pause)		cmd_pause ;;
resume)		cmd_resume ;;
restart)	cmd_pause; cmd_resume ;;
psql)
	need_cluster
	exec "$BINDIR/psql" -X -d "$(cat "$dir/conninfo")" "$@"
	;;
*)		usage ;;
esac
