#!/bin/bash
# srv-resume.sh: the first sync of an empty replica (a bulk load over many
# pages) killed with SIGKILL partway is finished by the next one: the
# replica then holds exactly the server's rows, passes triage replica
# check, has every index and trigger of a replica never interrupted and
# finds words by full-text search. And answers cut short or corrupted on
# the way (tests/cut-proxy) fail the sync with a clear error and leave the
# replica as it was (or, in a bulk load, at a whole page), after which a
# sync straight to the server completes.
set -eu

NAME=srv-resume
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
command -v sqlite3 > /dev/null || { echo "SKIP: $NAME: no sqlite3"; exit 77; }
need_proxy

# Big enough for several commits of a bulk load (200,000 rows each, pages
# of 10,000): some 15 rows a ticket.
TICKETS=${SRV_RESUME_TICKETS:-20000}
TABLES="orgs sla_policies teams users customers identities orders
    order_items shipments tickets messages attachments events"


sq() { sqlite3 -cmd '.timeout 5000' "$T/$1.db" "$2"; }
login() {
	tr_ "$1" login --server "${2:-$URL}" --email ann@shop.test \
	    --password-file "$T/pw"
	[ "$RC" = 0 ] || { echo "# login: $ERR"; return 1; }
}
# point DB URL: the replica's server, as if it had logged in there.
point() { sq "$1" "UPDATE settings SET value = '$2' WHERE key = 'server'"; }
cursor() { sq "$1" "SELECT cursor FROM sync_state"; }
objects() {
	sq "$1" "SELECT type || ' ' || name FROM sqlite_master WHERE type IN
	    ('index', 'trigger') ORDER BY name"
}
# counts DB: every table's row count, on one line.
counts() {
	local t

	for t in $TABLES; do
		printf '%s=%s ' "$t" "$(sq "$1" "SELECT count(*) FROM $t")"
	done
}
# holds_server_rows DB: the replica holds exactly the server's live rows
# with revs up to its cursor (all of them when it has synced to the end):
# the same ids at the same revs, table by table.
holds_server_rows() {
	local t c ok=0

	c=$(cursor "$1")
	for t in $TABLES; do
		q "SELECT id || '|' || rev FROM $t WHERE NOT deleted AND
		    rev <= $c" | LC_ALL=C sort > "$T/pg.rows"
		sq "$1" "SELECT id || '|' || rev FROM $t WHERE deleted = 0" |
		    LC_ALL=C sort > "$T/sq.rows"
		if ! cmp -s "$T/pg.rows" "$T/sq.rows"; then
			echo "# $1: $t: $(wc -l < "$T/sq.rows") rows here," \
			    "$(wc -l < "$T/pg.rows") on the server up to rev $c"
			ok=1
		fi
	done
	return $ok
}
# The server's newest rev.
last_rev() {
	q "SELECT max(rev) FROM ($(for t in $TABLES; do
	    printf 'SELECT max(rev) AS rev FROM %s UNION ALL ' "$t"; done)
	    SELECT 0) r"
}
# state DB: the replica's cursor and row counts, on one line.
state() { echo "cursor=$(cursor "$1") $(counts "$1")"; }
err_says() { printf '%s\n' "$ERR" | grep -qE -- "$1"; }
# sync_fails DB WHAT PATTERN: sync --once failed with exit 4 and a
# message on stderr matching PATTERN (grep -E).
sync_fails() {
	tr_ "$1" sync --once
	echo "# $2: exit $RC: $ERR"
	check "$2: the sync fails (exit 4)" is "$RC" 4
	check "$2: saying why on stderr" err_says "$3"
	check "$2: the proxy did it" test -n "$(grep -F 'cut-proxy: #' \
	    "$T/proxy.log")"
}

t0=$(date +%s)
shop "$TICKETS" ann:agent
start_server
TOTAL=$(for t in $TABLES; do q "SELECT count(*) FROM $t WHERE NOT deleted"
    done | awk '{ n += $1 } END { print n }')
LAST=$(last_rev)
echo "# $TICKETS tickets: $TOTAL rows up to rev $LAST ($(($(date +%s) - t0)) s)"

# A first sync never interrupted: what every replica should end as.
login ref
t1=$(date +%s%N)
tr_ ref sync --once
REF_MS=$((($(date +%s%N) - t1) / 1000000))
echo "# an uninterrupted first sync: $OUT ($REF_MS ms)"
check "an uninterrupted first sync succeeds" is "$RC" 0
check "it holds the server's rows" holds_server_rows ref
check "it is at the server's last rev" is "$(cursor ref)" "$LAST"
check "its bulk load is over" is "$(sq ref "SELECT count(*) FROM bulk_ddl")" 0
objects ref > "$T/objects.ref"
check "it has indexes and full-text triggers" test \
    "$(grep -c '_fts_' "$T/objects.ref")" -gt 0 -a \
    "$(grep -c '^index ' "$T/objects.ref")" -gt 10
login fresh
objects fresh > "$T/objects.fresh"
check "the same ones as a replica that never synced" \
    cmp -s "$T/objects.ref" "$T/objects.fresh"

# The first sync killed after its first commit, then run again.
login k
"$TRIAGE" --replica "$T/k.db" sync --once > "$T/k.out" 2>&1 &
pid=$!
moved=0
for _ in $(seq 1 6000); do
	c=$(cursor k 2>/dev/null || echo 0)
	if [ "${c:-0}" -gt 0 ]; then
		moved=1
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.02
done
check "the first sync's cursor moved while it ran" is "$moved" 1
sleep "0.$(printf '%03d' $((RANDOM % 200)))"
killed=0
kill -9 "$pid" 2>/dev/null && killed=1
wait "$pid" 2>/dev/null || true
check "it was killed partway" is "$killed" 1
KC=$(cursor k)
KROWS=$(sq k "SELECT $(for t in $TABLES; do printf '(SELECT count(*) FROM
    %s) + ' "$t"; done) 0")
echo "# killed at cursor $KC of $LAST, $KROWS of $TOTAL rows in the replica"
check "the kill landed in the bulk load (its indexes wait in bulk_ddl)" \
    test "$(sq k "SELECT count(*) FROM bulk_ddl")" -gt 0
check "the killed replica is whole (integrity_check)" is \
    "$(sq k "PRAGMA integrity_check")" ok
check "and holds exactly the rows up to its cursor" holds_server_rows k
# Killed again at a random point of the rest: its last pages, or the
# building of indexes and full-text tables at the end (or, if it is
# quicker than the first sync was, not at all).
"$TRIAGE" --replica "$T/k.db" sync --once > "$T/k.out" 2>&1 &
pid=$!
sleep "$(awk -v ms=$((REF_MS * (LAST - KC) / LAST)) -v r=$RANDOM \
    'BEGIN { printf "%.3f", ms * r / 32768 / 1000 }')"
if kill -9 "$pid" 2>/dev/null; then
	wait "$pid" 2>/dev/null || true
	echo "# killed again at cursor $(cursor k)," \
	    "$(sq k "SELECT count(*) FROM bulk_ddl") statements in bulk_ddl"
	check "killed again, the replica is whole" is \
	    "$(sq k "PRAGMA integrity_check")" ok
	check "and holds exactly the rows up to its cursor" \
	    holds_server_rows k
	check "with its bulk load over just when it is at the end" is \
	    "$(sq k "SELECT count(*) > 0 FROM bulk_ddl")" \
	    "$([ "$(cursor k)" = "$LAST" ] && echo 0 || echo 1)"
else
	wait "$pid" 2>/dev/null || true
	echo "# the second sync finished before its kill: $(cat "$T/k.out")"
fi
KC=$(cursor k)
tr_ k sync --once
echo "# the sync after the kills: $OUT"
check "the next sync completes" is "$RC" 0
check "pulling only the rows after the cursor" has "$OUT" \
    "pulled $(q "SELECT sum(n) FROM ($(for t in $TABLES; do
    printf 'SELECT count(*) AS n FROM %s WHERE rev > %s UNION ALL ' \
    "$t" "$KC"; done) SELECT 0) r") rows"
check "the resumed replica holds exactly the server's rows" \
    holds_server_rows k
check "it is at the server's last rev" is "$(cursor k)" "$LAST"
check "the counts match the server's, table by table" is "$(counts k)" \
    "$(for t in $TABLES; do printf '%s=%s ' "$t" \
    "$(q "SELECT count(*) FROM $t WHERE NOT deleted")"; done)"
# A few rows by id, field by field.
for id in $(q "SELECT id FROM messages ORDER BY md5(id::text) LIMIT 3"); do
	check "message $id has the server's body" is \
	    "$(sq k "SELECT body FROM messages WHERE id = '$id'")" \
	    "$(q "SELECT body FROM messages WHERE id = '$id'")"
done
for id in $(q "SELECT id FROM tickets ORDER BY md5(id::text) LIMIT 3"); do
	check "ticket $id has the server's number and subject" is \
	    "$(sq k "SELECT number || ' ' || subject FROM tickets
	    WHERE id = '$id'")" \
	    "$(q "SELECT number || ' ' || subject FROM tickets
	    WHERE id = '$id'")"
done
tr_ k replica check
check "triage replica check passes (integrity, FTS in step)" is "$RC" 0
check "bulk_ddl is empty" is "$(sq k "SELECT count(*) FROM bulk_ddl")" 0
objects k > "$T/objects.k"
check "every index and trigger of the uninterrupted replica is there" \
    cmp -s "$T/objects.ref" "$T/objects.k"
diff "$T/objects.ref" "$T/objects.k" | sed 's/^/# /' || true
# A word that only one message body has, found by full-text search.
IFS="|" read -r WORD MID <<EOF
$(q "SELECT w, min(id::text) FROM messages, regexp_split_to_table(lower(body),
    '[[:space:][:punct:]]+') w WHERE w ~ '^[a-z]{6,}$' GROUP BY w
    ORDER BY count(*), w LIMIT 1")
EOF
tr_ k search "$WORD" --json --limit 1000
echo "# searching for \"$WORD\" (in message $MID)"
check "full-text search finds a message by a word of its body" has \
    "$(printf '%s\n' "$OUT" | tr -d ' \n')" "\"kind\":\"message\",\"id\":\"$MID\""

# Answers spoilt on the way, on the first page of an empty replica: the
# sync fails and the replica is as it was.
spoil_first() {
	local db=$1 what=$2 pattern=$3

	shift 3
	proxy_start -m /v1/pull "$@"
	if [ "$db" = e1 ]; then
		login "$db" "$PURL"	# logging in through the proxy works
	else
		login "$db"
		point "$db" "$PURL"
	fi
	sync_fails "$db" "$what" "$pattern"
	check "$what: the replica is as it was" is "$(state "$db")" \
	    "$(state fresh)"
	check "$what: no bulk load is left begun" is \
	    "$(sq "$db" "SELECT count(*) FROM bulk_ddl")" 0
	objects "$db" > "$T/objects.$db"
	check "$what: every index and trigger is there" \
	    cmp -s "$T/objects.ref" "$T/objects.$db"
	proxy_stop
}
spoil_first e1 "the first page cut short" "closed|remaining" -c 4096
spoil_first e2 "the first page short, its Content-Length to match" \
    "not valid JSON" -t 4096
spoil_first e3 "a byte of the first page's compressed body changed" \
    "damaged on the way" -f 4096
spoil_first e4 "a byte of the first (plain) page changed" \
    "not valid JSON" -s -f 4096
point e4 "$URL"
tr_ e4 sync --once
check "after that, a sync straight to the server completes" is "$RC" 0
check "and holds the server's rows" holds_server_rows e4

# Spoilt in the middle of a bulk load: pages already applied are kept
# whole or not at all, and the load resumes.
login m
proxy_start -m /v1/pull -n 3 -c 4096
point m "$PURL"
sync_fails m "page 3 of a bulk load cut short" "closed|remaining"
echo "# the replica kept cursor $(cursor m), $(counts m)"
check "the replica holds exactly the rows up to its cursor" \
    holds_server_rows m
check "the replica is whole" is "$(sq m "PRAGMA integrity_check")" ok
before=$(state m)
proxy_start -s -m /v1/pull -n 2 -f 5000
point m "$PURL"
sync_fails m "a byte changed in the second page of the resumed load" \
    "not valid JSON"
check "the replica is as it was before that sync" is "$(state m)" "$before"
point m "$URL"
tr_ m sync --once
check "a sync straight to the server completes the load" is "$RC" 0
check "the replica holds exactly the server's rows" holds_server_rows m
check "its bulk load is over" is "$(sq m "SELECT count(*) FROM bulk_ddl")" 0
objects m > "$T/objects.m"
check "with every index and trigger" cmp -s "$T/objects.ref" "$T/objects.m"
tr_ m replica check
check "and triage replica check passes" is "$RC" 0

# Spoilt on a replica that has synced before: new rows wait on the server.
A seed --org Shop --tickets 40 > /dev/null 2>&1
before=$(state ref)
proxy_start -m /v1/pull -c 2048
point ref "$PURL"
sync_fails ref "new rows cut short" "closed|remaining"
check "new rows cut short: the replica is as it was" is "$(state ref)" \
    "$before"
proxy_start -s -m /v1/pull -f 2048
point ref "$PURL"
sync_fails ref "a byte of the new rows changed" "not valid JSON"
check "a byte changed: the replica is as it was" is "$(state ref)" "$before"
point ref "$URL"
tr_ ref sync --once
check "a sync straight to the server brings the new rows" has "$OUT" \
    "pulled"
check "and the replica holds the server's rows" holds_server_rows ref
check "up to the server's last rev" is "$(cursor ref)" "$(last_rev)"

# More changes than a page holds, all in one table (a mass update of
# messages): a sync brings every one of them, not one page.
q "UPDATE messages SET delivery = delivery WHERE id IN (SELECT id FROM
    messages ORDER BY rev LIMIT 10050)"
tr_ ref sync --once
echo "# after 10050 messages changed: $OUT"
check "a sync after 10050 changes to one table succeeds" is "$RC" 0
check "it pulls all of them" has "$OUT" "pulled 10050 rows"
check "up to the server's last rev" is "$(cursor ref)" "$(last_rev)"
check "and the replica holds the server's rows" holds_server_rows ref
tr_ ref replica check
check "triage replica check passes" is "$RC" 0
echo "# $(($(date +%s) - t0)) s in all"
finish
