#!/bin/bash
# srv-hostile.sh: what an attacker writes never reaches a terminal or a log
# as it is: a request path forging log lines, a hostile server's error
# message on login and sync, a customer's name with terminal controls in
# triage show and in --json printed to a terminal (doc/security.md).
set -eu
NAME=srv-hostile
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
PY=/usr/bin/python3
ESC=$'\033'

# controls TEXT: how many ESC, BEL or C1 CSI (U+009B) it holds.
controls() { printf '%s' "$1" | grep -c $'[\033\007]\|\xc2\x9b' || true; }

shop 5 ann:agent
start_server

# --- The server's log: a path cannot forge a line or send escapes.
curl -s -o /dev/null "$URL/v1/x%0aFORGED%20line%1b%5b2J"
curl -s -o /dev/null -H "Authorization: Bearer %0aFORGED" "$URL/v1/whoami"
sleep 0.3
check "no forged line in the server's log" is \
    "$(grep -c '^FORGED' "$T/serve.log" || true)" 0
check "no escape sequence in the server's log" is \
    "$(controls "$(cat "$T/serve.log")")" 0
check "the request is still logged" has "$(cat "$T/serve.log")" "FORGED line"

# --- A hostile server's words on login and sync.
"$PY" - "$T/evil.port" <<'PYEOF' 2> "$T/evil.log" &
import http.server, json, sys
msg = "denied \x1b]0;PWNED\x07\x1b[2J\u009b31m\u202eevil"
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        body = json.dumps({"error": "unauthorized", "message": msg},
                          ensure_ascii=False).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
EVIL=$!
SRV_CLEANUP='kill $EVIL 2>/dev/null || true'
for _ in $(seq 1 100); do [ -s "$T/evil.port" ] && break; sleep 0.1; done
tr_ e login --server "http://127.0.0.1:$(cat "$T/evil.port")" \
    --email ann@shop.test --password-file "$T/pw"
check "login to a hostile server fails" is "$RC" 5
check "and says what it said" has "$ERR" "denied"
check "without its controls" is "$(controls "$ERR")" 0

# --- Bad input to login: a clear error, never a crash.
printf 'caf\xe9\n' > "$T/latin1.pw"
chmod 600 "$T/latin1.pw"
tr_ l login --server "$URL" --email ann@shop.test --password-file "$T/latin1.pw"
check "a Latin-1 password file is refused (2), not a crash" is "$RC" 2
check "saying why" has "$ERR" "UTF-8"
tr_ l login --server http://nonexistent.invalid:9 --email ann@shop.test \
    --password-file "$T/pw"
check "plain http to another machine is warned about" has "$ERR" \
    "unencrypted"
tr_ l login --server "$URL" --email ann@shop.test --password-file "$T/pw"
check "but not to this one" is "$(printf '%s' "$ERR" | grep -c unencrypted ||
    true)" 0

# --- The server's answers to odd requests.
TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"email":"ann@shop.test","password":"password-one"}' \
    "$URL/v1/login" | sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$URL/v1/notifications?since=99999999999999999999")
check "a since beyond 64 bits is a 400, not a database error" is "$code" 400
long=$(head -c 5000 /dev/zero | tr '\0' x)
TID=$(q "SELECT gen_random_uuid()")
curl -s -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary \
    '{"client_id":"'"$(q "SELECT gen_random_uuid()")"'","mutations":[{"seq":1,
    "id":"m1","type":"create_ticket","ticket_id":"'"$TID"'","subject":"x",
    "category":"'"$long"'","tags":["'"$long"'"]}]}' "$URL/v1/push" \
    > "$T/push.out"
check "create_ticket with a 5000-character category is rejected" has \
    "$(cat "$T/push.out")" '"status":"rejected"'
check "and no such ticket exists" is "$(q "SELECT count(*) FROM tickets
    WHERE id = '$TID'")" 0

# --- A customer's name on the agent's terminal.
tr_ a login --server "$URL" --email ann@shop.test --password-file "$T/pw"
N=$(q "SELECT min(number) FROM tickets")
q "UPDATE customers SET name = E'Eve \\u001b[2J\\u009b31m\\u202eevil'
    WHERE id = (SELECT customer_id FROM tickets WHERE number = $N)" \
    > /dev/null
q "INSERT INTO messages(id, org_id, ticket_id, author, body)
    SELECT gen_random_uuid(), org_id, id, 'customer',
    E'hi \\u001b]52;c;ZXZpbA==\\u0007 there' FROM tickets WHERE number = $N" \
    > /dev/null
tr_ a sync --once
tr_ a show "$N"
check "show prints the customer's message" has "$OUT" "there"
check "without its controls" is "$(controls "$OUT")" 0
# --json: to a pipe as UTF-8; to a terminal every non-ASCII escaped.
tr_ a show "$N" --json
check "--json to a pipe keeps the text (U+202E as it is)" \
    has "$OUT" $'\u202eevil'
OUT=$(script -qec "'$TRIAGE' --replica '$T/a.db' show $N --json" /dev/null)
check "--json on a terminal escapes it" has "$OUT" '\u202Eevil'
check "and sends no control" is "$(controls "$OUT")" 0
check "nor a raw U+202E" is "$(printf '%s' "$OUT" | grep -c $'\u202e' ||
    true)" 0

finish
