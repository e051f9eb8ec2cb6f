#!/bin/bash
# srv-sync.sh: triage login, sync and logout between real replicas and a
# real triage serve on a throwaway PostgreSQL: a reply queued in one
# replica reaches another; rejections, a server that is gone, a revoked
# token and a bad password each leave the outbox whole.
set -eu

NAME=srv-sync
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"

shop 120 ann:agent bob:agent vic:viewer
start_server

# Logging in.
printf 'wrong-password\n' > "$T/bad"
chmod 600 "$T/bad"
tr_ a login --server "$URL" --email ann@shop.test --password-file "$T/bad"
check "a wrong password is refused with exit 5" is "$RC" 5
check "and says why" has "$ERR" "wrong email or password"
chmod 644 "$T/bad"
tr_ a login --server "$URL" --email ann@shop.test --password-file "$T/bad"
check "a password file others can read is refused" is "$RC" 2
tr_ a login --server "$URL" --email ann@shop.test --password-file "$T/pw"
check "ann logs in" is "$RC" 0
check "the replica holding the token is 0600" is \
    "$(stat -c %a "$T/a.db")" 600
tr_ b login --server "$URL/" --email bob@shop.test --password-file "$T/pw"
check "bob logs in (a trailing slash is fine)" is "$RC" 0
tr_ v login --server "$URL" --email vic@shop.test --password-file "$T/pw"
check "vic (viewer) logs in" is "$RC" 0
check "the token is not in the output" is "$(has "$OUT$ERR" \
    "$(sqlite3 "$T/a.db" "SELECT value FROM settings WHERE key = 'token'")" \
    && echo leaked)" ""

# The first sync brings everything the role may see.
tr_ a sync --once
check "ann's first sync succeeds" is "$RC" 0
check "every ticket arrives" is \
    "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM tickets')" \
    "$(q 'SELECT count(*) FROM tickets')"
check "every message arrives" is \
    "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM messages')" \
    "$(q 'SELECT count(*) FROM messages')"
# A page with more to come says where the end is (for progress bars).
TOKA=$(sqlite3 "$T/a.db" "SELECT value FROM settings WHERE key = 'token'")
page=$(curl -s -H "Authorization: Bearer $TOKA" "$URL/v1/pull?since=0&limit=5")
check "a page with more to come carries the head rev" is \
    "$(echo "$page" | sed -n 's/^{"cursor":[0-9]*,"more":true,"head":\([0-9]*\),.*/\1/p')" \
    "$(sqlite3 "$T/a.db" 'SELECT cursor FROM sync_state')"
page=$(curl -s -H "Authorization: Bearer $TOKA" "$URL/v1/pull?since=0&limit=10000")
check "and the last page does not" is "$(echo "$page" | grep -c '"head"')" 0
# Compression as the client asks: zstd first, gzip, or none.
coding() {
	curl -s -o "$T/body" -D - -H "Authorization: Bearer $TOKA" \
	    -H "Accept-Encoding: $1" "$URL/v1/pull?since=0&limit=500" |
	    tr -d '\r' | sed -n 's/^[Cc]ontent-[Ee]ncoding: //p'
}
check "zstd when the client takes it" is "$(coding 'gzip, zstd')" zstd
check "gzip when zstd is refused" is "$(coding 'zstd;q=0, gzip')" gzip
check "none when none is asked" is "$(coding '')" ""
check "the zstd body decodes to the plain one" is \
    "$(curl -s --compressed -H 'Accept-Encoding: zstd' -H "Authorization: Bearer $TOKA" \
    "$URL/v1/pull?since=0&limit=500" | md5sum)" \
    "$(curl -s -H "Authorization: Bearer $TOKA" "$URL/v1/pull?since=0&limit=500" | md5sum)"
tr_ b sync --once
tr_ v sync --once
check "the viewer gets no internal notes" is \
    "$(sqlite3 "$T/v.db" 'SELECT count(*) FROM messages WHERE internal')" 0
check "though there are some" is "$(test "$(q 'SELECT count(*) FROM messages WHERE internal')" -gt 0 && echo yes)" yes

# A reply travels from ann's replica to bob's.
N=$(q "SELECT number FROM tickets WHERE status = 'open' ORDER BY number LIMIT 1")
tr_ a reply "$N" -m 'Hello from Ann: über ✓ "quoted"'
check "ann queues a reply" is "$RC" 0
tr_ a set "$N" status=pending tags=+synced
tr_ a sync --once
check "ann's sync pushes both" has "$OUT" "pushed 3 (3 applied"
check "the server has the reply" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'Hello from Ann: über ✓ \"quoted\"'")" 1
check "the outbox says applied" is \
    "$(sqlite3 "$T/a.db" 'SELECT group_concat(state) FROM outbox')" "1,1,1"
tr_ b sync --once
tr_ b show "$N" --json
check "bob's replica has ann's reply" has "$OUT" 'Hello from Ann: über ✓ \"quoted\"'
check "and the new status" is "$(sqlite3 "$T/b.db" "SELECT status FROM tickets WHERE number = $N")" \
    "$(sqlite3 "$T/a.db" "SELECT status FROM tickets WHERE number = $N")"
tr_ a sync --once
check "a second sync pushes nothing again" has "$OUT" "pushed 0"
check "and the reply is on the server once" is \
    "$(q "SELECT count(*) FROM messages WHERE body LIKE 'Hello from Ann%'")" 1

# A viewer's reply is refused by the server and says why.
tr_ v reply "$N" -m 'a viewer tries'
tr_ v sync --once
check "the viewer's sync still succeeds" is "$RC" 0
check "saying the change was rejected" has "$OUT" "1 rejected"
check "the outbox says rejected, with the server's reason" is \
    "$(sqlite3 "$T/v.db" 'SELECT state || reason FROM outbox')" \
    "2viewers cannot change anything"
check "and nothing reached the server" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'a viewer tries'")" 0
check "the viewer's replica shows no unsent reply any more" is \
    "$(sqlite3 "$T/v.db" "SELECT count(*) FROM messages
    WHERE body = 'a viewer tries'")" 0
# Made an agent, the same console's next reply goes through: the refused
# seq is sent as a no-op, so the server's seqs stay contiguous.
q "UPDATE users SET role = 'agent' WHERE email = 'vic@shop.test'" > /dev/null
tr_ v reply "$N" -m 'now an agent'
tr_ v sync --once
check "promoted, the viewer's next reply is applied" has "$OUT" \
    "pushed 1 (1 applied"
check "and is on the server once" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'now an agent'")" 1
q "UPDATE users SET role = 'viewer' WHERE email = 'vic@shop.test'" > /dev/null

# A server restored from a backup has lost the last seqs it answered: it
# asks for them again (409 seq_gap) and the console sends them as no-ops.
CID=$(sqlite3 "$T/v.db" "SELECT value FROM settings WHERE key = 'client_id'")
q "DELETE FROM push_results WHERE client_id = '$CID';
    UPDATE clients SET last_seq = 0 WHERE id = '$CID'" > /dev/null
q "UPDATE users SET role = 'agent' WHERE email = 'vic@shop.test'" > /dev/null
tr_ v reply "$N" -m 'after the restore'
tr_ v sync --once
check "after a seq gap the sync succeeds" is "$RC" 0
check "and says what the server had lost" has "$ERR" "no record of changes"
check "the new reply is applied once" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'after the restore'")" 1
check "the server's seqs are contiguous again" is \
    "$(q "SELECT count(*) || '/' || max(seq) FROM push_results
    WHERE client_id = '$CID'")" "3/3"
q "UPDATE users SET role = 'viewer' WHERE email = 'vic@shop.test'" > /dev/null

# The server gone: the changes wait.
stop_server
tr_ a reply "$N" -m 'while the server is down'
tr_ a sync --once
check "sync without a server exits 4" is "$RC" 4
check "and the reply waits in the outbox" is \
    "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM outbox WHERE state = 0')" 1
# Offline work: 50 more replies and 20 status changes queued while it is down.
statuses=(pending open on_hold open)
for i in $(seq 1 50); do
	"$TRIAGE" --replica "$T/a.db" reply "$N" -m "offline reply $i" \
	    > /dev/null
	if [ $((i % 5)) -eq 0 ] && [ $((i / 5)) -le 20 ]; then
		"$TRIAGE" --replica "$T/a.db" set "$N" \
		    status="${statuses[$((i / 5 % 4))]}" > /dev/null
	fi
done
for i in $(seq 51 60); do
	"$TRIAGE" --replica "$T/a.db" set "$N" \
	    status="${statuses[$((i % 4))]}" > /dev/null
done
check "51 replies and 20 status changes wait in the outbox" is \
    "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM outbox WHERE state = 0')" 71
start_server
tr_ a sync --once
check "back online, all of it goes" has "$OUT" "pushed 71 (71 applied"
check "exactly once" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'while the server is down'")" 1
check "every offline reply exactly once" is "$(q "SELECT count(*) || '/' ||
    count(DISTINCT body) FROM messages WHERE body LIKE 'offline reply %'")" \
    "50/50"
check "in the order they were written" is "$(q "SELECT string_agg(
    substr(body, 15), ',' ORDER BY rev) FROM messages WHERE body LIKE
    'offline reply %'")" "$(seq -s, 1 50)"
check "the ticket ends in the last status set" is \
    "$(q "SELECT status FROM tickets WHERE number = $N")" \
    "${statuses[$((60 % 4))]}"
tr_ b sync --once
check "bob's replica has all 50" is "$(sqlite3 "$T/b.db" "SELECT count(*)
    FROM messages WHERE body LIKE 'offline reply %'")" 50
tr_ a sync --once
check "a sync after that sends nothing again" has "$OUT" "pushed 0"

# A replica restored from an older copy reuses seqs the server has for
# other changes: the server says so (409 seq_reused) and the replica
# starts a new client id, so its new reply is sent, not taken for a replay.
tr_ a sync --once
sqlite3 "$T/a.db" ".backup '$T/a-copy.db'"
tr_ a reply "$N" -m 'before going back'
tr_ a sync --once
sqlite3 "$T/a-copy.db" ".backup '$T/a.db'"
tr_ a reply "$N" -m 'after going back'
tr_ a sync --once
check "the restored replica's sync succeeds" is "$RC" 0
check "and says it starts a new client id" has "$ERR" "new client id"
check "its new reply reaches the server once" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'after going back'")" 1
check "the reply from before stays there once" is \
    "$(q "SELECT count(*) FROM messages WHERE body = 'before going back'")" 1
check "the restored outbox has nothing pending" is \
    "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM outbox WHERE state = 0')" 0

# A revoked token: exit 5, the outbox kept.
A revoke --email bob@shop.test > /dev/null
tr_ b reply "$N" -m 'after revoke'
tr_ b sync --once
check "a revoked token exits 5" is "$RC" 5
check "and says so" has "$ERR" "revoked"
check "the change is kept" is \
    "$(sqlite3 "$T/b.db" 'SELECT count(*) FROM outbox WHERE state = 0')" 1

# Logging out revokes the token on the server and forgets it here.
tr_ a sync --once
TOK=$(sqlite3 "$T/a.db" "SELECT value FROM settings WHERE key = 'token'")
tr_ a logout
check "ann logs out" is "$RC" 0
check "her token is revoked on the server" is "$(curl -s -o /dev/null \
    -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/v1/whoami")" 401
# bob's token was revoked already: logout still forgets it here.
tr_ b logout
check "logout succeeds" is "$RC" 0
check "the token is gone" is \
    "$(sqlite3 "$T/b.db" "SELECT count(*) FROM settings WHERE key = 'token' AND value IS NOT NULL")" 0
tr_ b sync --once
check "sync after logout says to log in" has "$ERR" "triage login"

finish
