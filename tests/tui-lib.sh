# tui-lib.sh: shared shell functions for the console tests (tests/tui-*.sh).
#
# Each test sources this file, calls tui_init, makes a replica (tui_demo) and
# starts the real console in a private tmux server at a fixed size
# (tui_start). Keys go in with send/send_text; the screen comes back with
# screen (capture-pane). Waiting is always polling (wait_for, wait_gone),
# never a fixed sleep. Everything lives in one temporary directory that is
# removed on exit, with the tmux server and the console.
#
# The environment: TRIAGE is the binary and TRIAGE_SRCDIR the source tree
# (make check exports both). When ASAN_OPTIONS/UBSAN_OPTIONS are set the
# console's sanitizer reports go to log files in the temporary directory
# (its stderr belongs to curses) and any report fails the test.

set -u

TUI_NAME=${0##*/}
TUI_NAME=${TUI_NAME%.sh}
TUI_DIR=""
TUI_SOCK=""
TUI_T=""		# the tmux target of the console's pane
TUI_W=0
TUI_H=0
TUI_RUN=0		# how many consoles this test started
TUI_TRACE=""		# the trace file of the current console
TUI_TIMEOUT=5		# default wait, seconds; longer under sanitizers

# Print a failure with the screen as it is now, and exit 1.
fail()
{
	echo "FAIL: $TUI_NAME: $*" >&2
	if [ -n "$TUI_T" ] && tui_alive_server; then
		echo "---- screen (${TUI_W}x${TUI_H}) ----" >&2
		screen >&2 2>/dev/null
		echo "---- end of screen ----" >&2
	fi
	tui_exit_fail
}

# Print a failure without a screen dump (the data, not the console, was wrong).
fail_plain()
{
	echo "FAIL: $TUI_NAME: $*" >&2
	tui_exit_fail
}

# Exit 1; from inside $(...) also make the test's own shell exit.
tui_exit_fail()
{
	if [ "${BASHPID:-$$}" != "$$" ]; then
		kill -USR1 "$$" 2>/dev/null
	fi
	exit 1
}

# Say what a test is about to check (shows in the .log file).
step()
{
	echo "== $*"
}

# Set everything up: checks, the temporary directory, the environment.
tui_init()
{
	if ! command -v tmux >/dev/null 2>&1; then
		echo "FAIL: $TUI_NAME: tmux is not installed" \
		    "(apt-get install tmux)" >&2
		exit 1
	fi
	: "${TRIAGE:=$(pwd)/triage}"
	: "${TRIAGE_SRCDIR:=.}"
	if [ ! -x "$TRIAGE" ]; then
		echo "FAIL: $TUI_NAME: no triage binary at $TRIAGE" \
		    "(set TRIAGE or run through make check)" >&2
		exit 1
	fi
	TUI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triage-tui.XXXXXX") ||
	    fail_plain "mktemp failed"
	TUI_SOCK="$TUI_DIR/tmux.0.sock"
	trap tui_cleanup EXIT
	trap 'exit 1' INT TERM HUP USR1 PIPE

	# The user's environment must not reach the console.
	export HOME="$TUI_DIR/home"
	export XDG_CONFIG_HOME="$TUI_DIR/xdg-config"
	export XDG_DATA_HOME="$TUI_DIR/xdg-data"
	export XDG_STATE_HOME="$TUI_DIR/xdg-state"
	export XDG_CACHE_HOME="$TUI_DIR/xdg-cache"
	mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" \
	    "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
	export LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=C
	export TZ=UTC
	unset TRIAGE_REPLICA TRIAGE_CONFIG NO_COLOR EDITOR VISUAL TMUX \
	    TMUX_PANE 2>/dev/null || true

	# The replica and config of this test (tui_demo makes the replica).
	DB="$TUI_DIR/replica.db"
	CFG="$TUI_DIR/config.ini"
	: > "$CFG"

	# Sanitizer builds are slower: wait longer (still polling).
	if LC_ALL=C grep -q -a -m1 AddressSanitizer "$TRIAGE" 2>/dev/null; then
		TUI_TIMEOUT=20
	fi
	# The pane runs this: it holds the console until a go file exists (if
	# asked, so pipe-pane can attach first), records the console's pid,
	# runs it and records its exit status.
	cat > "$TUI_DIR/run.sh" <<'EOF'
gate=$1 go=$2 ex=$3 pidf=$4
shift 4
while [ "$gate" = 1 ] && [ ! -e "$go" ]; do sleep 0.02; done
sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@"
echo $? > "$ex"
EOF
	printf 'set -g remain-on-exit on\nset -g status off\n' \
	    > "$TUI_DIR/tmux.conf"
	printf 'set -g default-terminal tmux-256color\n' >> "$TUI_DIR/tmux.conf"
	printf 'set -g history-limit 0\n' >> "$TUI_DIR/tmux.conf"
}

# The private tmux server (never the default one).
tm()
{
	tmux -S "$TUI_SOCK" -f "$TUI_DIR/tmux.conf" "$@"
}

tui_alive_server()
{
	[ -S "$TUI_SOCK" ] && tm has-session 2>/dev/null
}

# The console's pid (a shell writes its own pid, then execs the console).
tui_pid()
{
	cat "$TUI_DIR/pid.$TUI_RUN" 2>/dev/null
}

# Whether pid is still a console of this test (not exited, not reused).
tui_is_console()
{
	[ -r "/proc/$1/cmdline" ] &&
	    tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q -F "$TUI_DIR" &&
	    ! grep -q '^State:.*zombie' "/proc/$1/status" 2>/dev/null
}

# 1 once the console has exited: the pane's shell wrote its exit status
# (tmux's own pane_dead_status comes late or not at all when the server is
# busy, so the shell that runs the console records it).
tui_dead()
{
	if [ -e "$TUI_DIR/exit.$TUI_RUN" ]; then
		echo 1
	else
		echo 0
	fi
}

# Sanitizer reports of consoles that ran so far; fail if there is one.
tui_check_sanitizers()
{
	local f found=0

	for f in "$TUI_DIR"/asan.log* "$TUI_DIR"/ubsan.log*; do
		[ -e "$f" ] || continue
		echo "---- sanitizer report $f ----" >&2
		cat "$f" >&2
		found=1
	done
	return $found
}

# Stop the current console if it still runs, then its tmux server. SIGTERM
# lets the console end curses and exit cleanly (LeakSanitizer runs at exit);
# one that ignores it for 5 s is killed, and that is a failure (returns 1).
tui_stop()
{
	local i pid rc=0

	pid=$(tui_pid)
	if [ -n "$pid" ] && tui_is_console "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 50); do
			tui_is_console "$pid" || break
			sleep 0.1
		done
		if tui_is_console "$pid"; then
			echo "FAIL: $TUI_NAME: the console ignored SIGTERM" \
			    "for 5 s; killed" >&2
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
	fi
	if [ -n "$TUI_SOCK" ] && tui_alive_server; then
		tm kill-server 2>/dev/null
	fi
	return $rc
}

# Stop the console, kill the private server, remove the files.
tui_cleanup()
{
	local rc=$?

	trap - EXIT
	trap '' PIPE		# a reader gone (| head) must not stop the cleanup
	tui_stop || rc=1
	if [ -n "$TUI_DIR" ] && ! tui_check_sanitizers; then
		echo "FAIL: $TUI_NAME: the console reported a sanitizer error" >&2
		rc=1
	fi
	if [ -n "$TUI_DIR" ] && [ -d "$TUI_DIR" ]; then
		if [ "$rc" -ne 0 ] && [ -n "${TUI_KEEP:-}" ]; then
			echo "kept $TUI_DIR" >&2
		else
			rm -rf "$TUI_DIR"
		fi
	fi
	if [ "$rc" -eq 0 ]; then
		echo "PASS: $TUI_NAME"
	fi
	exit "$rc"
}

# Run the triage CLI on the test's replica; fail if it fails.
cli()
{
	local out rc

	out=$("$TRIAGE" --replica "$DB" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		fail_plain "triage $* exited $rc: $out"
	fi
	printf '%s\n' "$out"
}

# The triage CLI on another replica (first argument).
cli_on()
{
	local db=$1 out rc

	shift
	out=$("$TRIAGE" --replica "$db" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		fail_plain "triage --replica $db $* exited $rc: $out"
	fi
	printf '%s\n' "$out"
}

# Make the demo replica (fixed seed: the same data every time).
tui_demo()
{
	local n=${1:-300}

	"$TRIAGE" --replica "$DB" demo --tickets "$n" > "$TUI_DIR/demo.out" \
	    2>&1 || fail_plain "triage demo failed: $(cat "$TUI_DIR/demo.out")"
	[ -s "$DB" ] || fail_plain "triage demo made no replica"
}

# SQL on the replica with the sqlite3 CLI.
sql()
{
	if ! command -v sqlite3 >/dev/null 2>&1; then
		fail_plain "sqlite3 is not installed (apt-get install sqlite3)"
	fi
	sqlite3 -batch -bail "${SQL_DB:-$DB}" "$@" ||
	    fail_plain "sqlite3 failed: $*"
}

# The bytes of a string as a SQL literal that stores them as TEXT.
sql_text()
{
	printf "CAST(X'%s' AS TEXT)" \
	    "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"
}

# A top-level field of `triage show N --json` (strings without quotes).
ticket_field()
{
	cli show "$1" --json | sed -n "s/^  \"$2\": \(.*\)$/\1/p" |
	    sed -e 's/,$//' -e 's/^"\(.*\)"$/\1/' | head -n 1
}

# `show N --json` without what differs between two replicas or two runs:
# ids, times and revisions. For comparing the console with the CLI twin.
ticket_norm()
{
	cli_on "$1" show "$2" --json |
	    sed -E '/"(id|created_at|updated_at|at|rev|seq|solved_at)": /d'
}

# The outbox as JSON without ids and times.
outbox_norm()
{
	cli_on "$1" outbox --all --json |
	    sed -E '/"(id|created_at|updated_at|seq)": /d'
}

# Start the console in a window of W x H cells. Options before the size:
#   -e VAR=VALUE   in the console's environment (repeatable)
#   -g             hold the console until tui_go (to attach pipe-pane first)
# Arguments after the size are added to triage's command line.
tui_start()
{
	local gate=0 w h
	local -a envs=()

	while [ $# -gt 0 ]; do
		case $1 in
		-e) envs+=("$2"); shift 2 ;;
		-g) gate=1; shift ;;
		*) break ;;
		esac
	done
	w=$1 h=$2
	shift 2
	# A new server each time, on a socket of its own (the last one may
	# still be on its way out).
	tui_stop || fail_plain "the previous console would not stop"
	TUI_RUN=$((TUI_RUN + 1))
	TUI_TRACE="$TUI_DIR/trace.$TUI_RUN"
	rm -f "$TUI_DIR/go"
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		envs+=("ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$TUI_DIR/asan.log")
	fi
	if [ -n "${UBSAN_OPTIONS:-}" ]; then
		envs+=("UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$TUI_DIR/ubsan.log")
	fi
	TUI_SOCK="$TUI_DIR/tmux.$TUI_RUN.sock"
	TUI_W=$w TUI_H=$h
	TUI_T="c$TUI_RUN:0.0"
	tm new-session -d -s "c$TUI_RUN" -x "$w" -y "$h" \
	    sh "$TUI_DIR/run.sh" "$gate" "$TUI_DIR/go" "$TUI_DIR/exit.$TUI_RUN" \
	    "$TUI_DIR/pid.$TUI_RUN" \
	    env TERM=tmux-256color "${envs[@]}" \
	    "$TRIAGE" --replica "$DB" --config "$CFG" --trace "$TUI_TRACE" \
	    "$@" || fail_plain "tmux new-session failed"
	[ "$gate" = 1 ] || tui_wait_paint
}

# Let a held console (tui_start -g) go, and wait for its first paint.
tui_go()
{
	: > "$TUI_DIR/go"
	tui_wait_paint
}

# Wait for the console's first paint (its --trace says so).
tui_wait_paint()
{
	local i n

	n=$(tui_ticks "${1:-$((TUI_TIMEOUT * 3))}")
	for i in $(seq 1 "$n"); do
		if [ -f "$TUI_TRACE" ] && grep -q ' first-paint' "$TUI_TRACE"
		then
			return 0
		fi
		if [ "$(tui_dead)" = 1 ]; then
			fail "the console exited before its first paint"
		fi
		sleep 0.05
	done
	fail "no first-paint in the trace within $((n / 20)) s"
}

# Poll ticks (of 50 ms) in a timeout given in seconds.
tui_ticks()
{
	echo $(( ${1%.*} * 20 ))
}

# Send keys (tmux key names: Enter Escape Tab BTab NPage PPage Home End C-d).
send()
{
	local k
	local -a keys=()

	for k in "$@"; do
		# A lone or trailing ';' separates tmux commands: escape it.
		case $k in
		*\;) k="${k%;}\\;" ;;
		esac
		keys+=("$k")
	done
	tm send-keys -t "$TUI_T" "${keys[@]}" || fail "send-keys failed"
}

# Run a ':' command: the prompt first (so what was on the message line is
# gone), then the text and Enter.
run_cmd()
{
	send :
	wait_line -1 "^:"
	send_text "$1"
	send Enter
}

# Send text literally (UTF-8 is fine).
send_text()
{
	local s=$1

	case $s in
	*\;) s="${s%;}\\;" ;;
	esac
	tm send-keys -t "$TUI_T" -l -- "$s" || fail "send-keys -l failed"
}

# The screen as text (trailing blanks cut by tmux).
screen()
{
	tm capture-pane -p -t "$TUI_T"
}

# The screen with attributes and colours as escape sequences.
screen_attrs()
{
	tm capture-pane -p -e -t "$TUI_T"
}

# One screen line, 0-based; negative counts from the bottom (-1: last).
screen_line()
{
	local n=$1

	[ "$n" -lt 0 ] && n=$((TUI_H + n))
	screen | sed -n "$((n + 1))p"
}

# The status bar and the message line.
status_bar()
{
	screen_line -2
}
message_line()
{
	screen_line -1
}

# Wait until TEXT is on the screen (fixed string), polling.
wait_for()
{
	local text=$1 timeout=${2:-$TUI_TIMEOUT} i n

	n=$(tui_ticks "$timeout")
	for i in $(seq 1 "$n"); do
		screen | grep -q -F -- "$text" && return 0
		sleep 0.05
	done
	fail "expected \"$text\" on the screen within $timeout s"
}

# Wait until the extended regular expression matches a screen line.
wait_match()
{
	local re=$1 timeout=${2:-$TUI_TIMEOUT} i n

	n=$(tui_ticks "$timeout")
	for i in $(seq 1 "$n"); do
		screen | grep -q -E -- "$re" && return 0
		sleep 0.05
	done
	fail "expected a screen line matching /$re/ within $timeout s"
}

# Wait until line N (as screen_line) matches the regular expression.
wait_line()
{
	local n=$1 re=$2 timeout=${3:-$TUI_TIMEOUT} i t

	t=$(tui_ticks "$timeout")
	for i in $(seq 1 "$t"); do
		screen_line "$n" | grep -q -E -- "$re" && return 0
		sleep 0.05
	done
	fail "expected screen line $n to match /$re/ within $timeout s;" \
	    "it is \"$(screen_line "$n")\""
}

# Wait until TEXT is no longer on the screen.
wait_gone()
{
	local text=$1 timeout=${2:-$TUI_TIMEOUT} i n

	n=$(tui_ticks "$timeout")
	for i in $(seq 1 "$n"); do
		screen | grep -q -F -- "$text" || return 0
		sleep 0.05
	done
	fail "expected \"$text\" to leave the screen within $timeout s"
}

assert_screen_has()
{
	screen | grep -q -F -- "$1" || fail "expected \"$1\" on the screen"
}

assert_screen_lacks()
{
	if screen | grep -q -F -- "$1"; then
		fail "did not expect \"$1\" on the screen"
	fi
}

# Wait for the console to have handled N keys in all (its trace counts them:
# one line per key, written after the repaint).
tui_keys_done()
{
	# KEY_RESIZE (410) shows up when the console picks up a resize.
	if [ -f "$TUI_TRACE" ]; then
		grep ' key code=' "$TUI_TRACE" | grep -c -v ' code=410 '
	else
		echo 0
	fi
}
wait_keys()
{
	local want=$1 timeout=${2:-$TUI_TIMEOUT} i n

	n=$(tui_ticks "$timeout")
	for i in $(seq 1 "$n"); do
		[ "$(tui_keys_done)" -ge "$want" ] && return 0
		sleep 0.05
	done
	fail "the console handled $(tui_keys_done) keys, expected $want" \
	    "within $timeout s"
}

# Send keys and wait until the console has handled them and repainted.
# Only for keys that finish at once (not those that open a prompt).
key()
{
	local before

	before=$(tui_keys_done)
	send "$@"
	wait_keys $((before + $#))
}

# Wait for the console to exit; fail unless it exits with status 0.
wait_exit()
{
	local timeout=${1:-$TUI_TIMEOUT} i n st

	n=$(tui_ticks "$timeout")
	for i in $(seq 1 "$n"); do
		if [ -s "$TUI_DIR/exit.$TUI_RUN" ]; then
			st=$(cat "$TUI_DIR/exit.$TUI_RUN")
			[ "$st" = 0 ] || fail "the console exited with" \
			    "status $st (over 128: killed by signal" \
			    "$((st - 128))), expected 0"
			tui_check_sanitizers || fail_plain "sanitizer report"
			return 0
		fi
		sleep 0.05
	done
	fail "the console did not exit within $timeout s" \
	    "($(grep State: "/proc/$(tui_pid)/status" 2>&1))"
}

# Quit the console with Q and wait for it to exit cleanly.
tui_quit()
{
	send Q
	wait_exit
}

# How many resizes the console has taken (KEY_RESIZE, code 410, in its trace).
tui_resizes_done()
{
	if [ -f "$TUI_TRACE" ]; then
		grep -c ' key code=410 ' "$TUI_TRACE"
	else
		echo 0
	fi
}

# Resize the window (and so the pane) to W x H and wait until the console
# has taken the resize (its trace logs the KEY_RESIZE, after the repaint).
tui_resize()
{
	local before i n

	before=$(tui_resizes_done)
	TUI_W=$1 TUI_H=$2
	tm resize-window -t "${TUI_T%%:*}" -x "$1" -y "$2" ||
	    fail "resize-window failed"
	n=$(tui_ticks "$TUI_TIMEOUT")
	for i in $(seq 1 "$n"); do
		[ "$(tui_resizes_done)" -gt "$before" ] && return 0
		sleep 0.05
	done
	fail "the console did not take the resize to ${1}x$2 within" \
	    "$TUI_TIMEOUT s (no KEY_RESIZE, key code=410, in its trace)"
}

# Resize to W x H and check the view followed: the status bar on the line
# before last, nothing wider than the window.
resize_check()
{
	tui_resize "$1" "$2"
	wait_line -2 "^ local replica "
	assert_no_wide_lines
	[ "$(screen | wc -l)" -eq "$2" ] ||
	    fail "after the resize the screen has $(screen | wc -l) lines"
}

# Every screen line fits the window: display width (wc -L counts cells).
assert_no_wide_lines()
{
	local w

	w=$(screen | wc -L)
	[ "$w" -le "$TUI_W" ] || fail "a screen line is $w cells wide," \
	    "the window $TUI_W"
}

# The display width of a string (terminal cells), via wc -L.
text_width()
{
	printf '%s\n' "$1" | wc -L
}

# The screen column (0-based) where TEXT starts on the first line with it.
screen_col()
{
	local line prefix

	line=$(screen | grep -F -m1 -- "$1") || return 1
	prefix=${line%%"$1"*}
	text_width "$prefix"
}

# TEXT quoted for use in an extended regular expression.
re_quote()
{
	printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'
}

# Page down (PgDn) until TEXT shows, at most N pages (default 10).
page_until()
{
	local text=$1 max=${2:-10} i

	for i in $(seq 0 "$max"); do
		if screen | grep -q -F -- "$text"; then
			return 0
		fi
		key NPage
	done
	fail "\"$text\" did not show within $max pages"
}
