#!/bin/bash
# srv-admin.sh: triage admin against a throwaway PostgreSQL: migrate,
# organisations, users, revoke, seed and import (bad lines, idempotence,
# two imports at once). Exit 77 when no PostgreSQL server is installed.
set -eu

NAME=srv-admin
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"

# Run triage admin; OUT, ERR and RC hold what it did.
adm()
{
	set +e
	OUT=$("$TRIAGE" admin --db "$PG_CONNINFO" "$@" 2>"$T/stderr")
	RC=$?
	set -e
	ERR=$(cat "$T/stderr")
}
# adm_is STATUS WHAT ARGS...: run, and check the exit status.
adm_is()
{
	local want=$1 what=$2

	shift 2
	adm "$@"
	if [ "$RC" -eq "$want" ]; then
		pass "$what"
	else
		fail "$what (exit $RC, want $want: $ERR)"
	fi
}

# ---- migrate ----
adm_is 0 "migrate an empty database" migrate
check "migrate says what it did" has "$OUT" "schema 0 -> 5"
adm_is 0 "migrate again" migrate
check "the second migrate is up to date" has "$OUT" "up to date"
q "INSERT INTO triage_schema(version) VALUES (99)"
adm_is 1 "migrate refuses a newer schema" migrate
check "and says it is newer" has "$ERR" "newer"
adm_is 1 "create-org refuses a newer schema" create-org Early
q "DELETE FROM triage_schema WHERE version = 99"

# ---- organisations ----
adm_is 0 "create-org" create-org Acme
check "create-org prints the id" is "$OUT" "$(q "SELECT id FROM orgs WHERE name = 'Acme'")"
check "the org has 4 SLA policies" is "$(q "SELECT count(*) FROM sla_policies p JOIN orgs o ON o.id = p.org_id WHERE o.name = 'Acme'")" 4
adm_is 1 "create-org refuses a duplicate" create-org Acme
check "and names the clash" has "$ERR" "exists"
adm_is 2 "create-org without a name is usage" create-org

# ---- users ----
printf 'correct horse battery\n' >"$T/pw"
chmod 600 "$T/pw"
for role in admin agent viewer; do
	adm_is 0 "create-user --role $role" create-user --org Acme \
	    --email "$role@acme.example" --name "The $role" --role "$role" \
	    --team Support --password-file "$T/pw"
done
check "users have their roles" is "$(q "SELECT string_agg(role, ',' ORDER BY role) FROM users")" "admin,agent,viewer"
check "passwords are stored hashed" is "$(q "SELECT count(*) FROM users WHERE password_hash LIKE '\$argon2id\$%'")" 3
adm_is 2 "create-user with an unknown role" create-user --org Acme \
    --email x@acme.example --name X --role boss --password-file "$T/pw"
cp "$T/pw" "$T/pw-open"
chmod 644 "$T/pw-open"
adm_is 1 "create-user refuses a password file readable by others" \
    create-user --org Acme --email x@acme.example --name X --role agent \
    --password-file "$T/pw-open"
check "and says why" has "$ERR" "readable by others"
printf 'short\n' >"$T/pw-short"
chmod 600 "$T/pw-short"
adm_is 1 "create-user refuses a short password" create-user --org Acme \
    --email x@acme.example --name X --role agent --password-file "$T/pw-short"
check "and says why" has "$ERR" "at least 8"
adm_is 1 "create-user refuses a taken email (other case)" create-user \
    --org Acme --email AGENT@acme.example --name Y --role agent \
    --password-file "$T/pw"
check "and says why" has "$ERR" "exists"
adm_is 1 "create-user in an unknown organisation" create-user --org Nope \
    --email z@acme.example --name Z --role agent --password-file "$T/pw"
check "no user was made by the refusals" is "$(q "SELECT count(*) FROM users")" 3

# ---- revoke ----
q "INSERT INTO tokens(hash, user_id, expires_at) SELECT '\\x01', id, now() + interval '1 day' FROM users WHERE email = 'viewer@acme.example'"
adm_is 0 "revoke" revoke --email Viewer@acme.example
check "revoke reports the tokens" has "$OUT" "1 tokens revoked"
check "the user is inactive" is "$(q "SELECT active FROM users WHERE email = 'viewer@acme.example'")" f
check "the token is revoked" is "$(q "SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL")" 1
adm_is 1 "revoke an unknown email" revoke --email nobody@acme.example

# ---- seed ----
SYNCED="teams users customers identities orders order_items shipments
    sla_policies tickets messages attachments events"
# The count of a table's rows in an organisation.
org_count()
{
	q "SELECT count(*) FROM $2 t JOIN orgs o ON o.id = t.org_id WHERE o.name = '$1'"
}
adm_is 1 "seed an unknown organisation" seed --org Nope --tickets 10
check "says so" has "$ERR" 'no organisation named "Nope"'
adm_is 2 "seed without --tickets is usage" seed --org Acme
adm create-org Seeded
adm_is 0 "seed --tickets 200" seed --org Seeded --tickets 200
line=$OUT
re='^([0-9]+) tickets, ([0-9]+) messages, ([0-9]+) customers, ([0-9]+) orders in [0-9.]+ s$'
if [[ $line =~ $re ]]; then
	pass "seed prints its summary line"
	check "seed: tickets as printed" is "$(org_count Seeded tickets)" "${BASH_REMATCH[1]}"
	check "seed: messages as printed" is "$(org_count Seeded messages)" "${BASH_REMATCH[2]}"
	check "seed: customers as printed" is "$(org_count Seeded customers)" "${BASH_REMATCH[3]}"
	check "seed: orders as printed" is "$(org_count Seeded orders)" "${BASH_REMATCH[4]}"
	check "seed: 200 tickets" is "${BASH_REMATCH[1]}" 200
else
	fail "seed prints its summary line (got: $line)"
fi
check "seed: tickets numbered 1 to 200" is "$(q "SELECT min(number) || '-' || max(number) || '/' || count(DISTINCT number) FROM tickets t JOIN orgs o ON o.id = t.org_id WHERE o.name = 'Seeded'")" "1-200/200"
check "seed: the counter moved on" is "$(q "SELECT next_number FROM org_counters c JOIN orgs o ON o.id = c.org_id WHERE o.name = 'Seeded'")" 201
check "seed: generated users cannot log in" is "$(q "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE o.name = 'Seeded' AND password_hash IS NOT NULL")" 0
check "seed: kept the org's 4 SLA policies" is "$(org_count Seeded sla_policies)" 4
check "seed: attachments and events too" test "$(org_count Seeded attachments)" -gt 0 -a "$(org_count Seeded events)" -gt 0
adm_is 0 "seed again (default seed: another batch)" seed --org Seeded --tickets 50
check "seed: 250 tickets, numbers unique" is "$(q "SELECT count(*) || '/' || count(DISTINCT number) || '/' || max(number) FROM tickets t JOIN orgs o ON o.id = t.org_id WHERE o.name = 'Seeded'")" "250/250/250"
check "seed: no team twice" is "$(q "SELECT count(*) FROM (SELECT org_id, name FROM teams GROUP BY 1, 2 HAVING count(*) > 1) d")" 0
check "seed names the seed it used" has "$ERR" "seed: Seeded, seed "
adm_is 0 "seed with --seed" seed --org Seeded --tickets 20 --seed 7
check "says which tickets it made" has "$ERR" "seed 7, tickets #251 to #270"
adm_is 1 "seed refuses a seed used already" seed --org Seeded --tickets 20 --seed 7
check "and says so" has "$ERR" "seed 7 was used"
check "the refused seed left nothing" is "$(org_count Seeded tickets)" 270
adm create-org Seeded2
adm_is 0 "seed a second organisation" seed --org Seeded2 --tickets 50
check "its tickets have assignees of their own" test "$(q "SELECT count(assignee_id) FROM tickets t JOIN orgs o ON o.id = t.org_id WHERE o.name = 'Seeded2'")" -gt 0
check "no ticket, message or event names another org's user" is "$(q "SELECT (SELECT count(*) FROM tickets t JOIN users u ON u.id = t.assignee_id WHERE u.org_id <> t.org_id) + (SELECT count(*) FROM messages m JOIN users u ON u.id = m.author_id WHERE u.org_id <> m.org_id) + (SELECT count(*) FROM events e JOIN users u ON u.id = e.actor_id WHERE u.org_id <> e.org_id)")" 0
revs=""
for t in $SYNCED; do
	revs="$revs${revs:+ UNION ALL }SELECT rev FROM $t"
done
check "every synced row has a rev > 0" is "$(q "SELECT count(*) FROM ($revs) r WHERE rev <= 0")" 0
check "revs are unique" is "$(q "SELECT count(*) - count(DISTINCT rev) FROM ($revs) r")" 0

# ---- import ----
adm create-org Shop
printf 'another fine password\n' >"$T/pw2"
chmod 600 "$T/pw2"
adm_is 0 "an agent for the imports" create-user --org Shop \
    --email agent@shop.example --name "Sam Agent" --role agent \
    --password-file "$T/pw2"
F=$T/import.jsonl
{
	# 1-3: customers, one of them only by phone.
	echo '{"type":"customer","external_id":"C-1","name":"Zoë Ünal","email":"Zoe@Example.COM","phone":"+49 170 1111111","company":"Kästner & Söhne"}'
	echo '{"type":"customer","external_id":"C-2","name":"李小龍","email":"li@example.cn"}'
	echo '{"type":"customer","name":"Phone Only","phone":"+33 6 12 34 56 78"}'
	# 4: an order for C-1 found by email in another case.
	echo '{"type":"order","external_id":"O-1","customer":{"email":"zoe@example.com"},"number":"SO-1001","status":"shipped","currency":"EUR","total":"129.90","placed_at":"2025-03-01T10:00:00Z","items":[{"sku":"RUG-1","title":"Teppich 160×230","qty":2,"unit_price":"64.95"}],"shipments":[{"carrier":"DHL","tracking":"JJD0001","status":"in_transit","shipped_at":"2025-03-02T08:00:00+01:00"}]}'
	# 5: malformed JSON.
	echo '{"type":"order","external_id":"O-2",'
	# 6: a ticket with an agent reply: first response and SLA.
	echo '{"type":"ticket","external_id":"T-1","customer":{"email":"li@example.cn"},"subject":"Wo ist mein Paket? 📦","status":"open","priority":"high","channel":"email","category":"shipping","tags":["late","vip"],"created_at":"2025-03-05T09:00:00Z","messages":[{"author":"customer","body":"Hallo,\n\tmein Paket – wo?\\ 🙂","at":"2025-03-05T09:00:00Z"},{"author":"agent","agent_email":"AGENT@shop.example","internal":true,"body":"note","at":"2025-03-05T09:10:00Z"},{"author":"agent","agent_email":"agent@shop.example","internal":false,"body":"Wir prüfen das.","at":"2025-03-05T10:30:00Z"}]}'
	# 7: unknown type.
	echo '{"type":"refund","external_id":"R-1"}'
	# 8: a ticket from a new customer, no reply yet.
	echo '{"type":"ticket","external_id":"T-2","customer":{"email":"new@example.org","name":"Nina Neu"},"subject":"Frage","priority":"urgent","created_at":"2025-03-06T12:00:00Z","messages":[{"author":"customer","body":"?","at":"2025-03-06T12:00:00Z"}]}'
	# 9: a bad time.
	echo '{"type":"ticket","external_id":"T-3","customer":{"email":"li@example.cn"},"subject":"x","created_at":"2025-02-30T09:00:00Z"}'
	# 10: an unknown agent.
	echo '{"type":"ticket","external_id":"T-4","customer":{"email":"li@example.cn"},"subject":"x","created_at":"2025-03-07T09:00:00Z","messages":[{"author":"agent","agent_email":"ghost@shop.example","body":"x","at":"2025-03-07T09:00:00Z"}]}'
	# 11: invalid UTF-8 (a lone Latin-1 byte) next to personal data.
	printf '{"type":"customer","name":"Ren\xe9 Secret","email":"rene.secret@example.com"}\n'
	# 12: blank, not a record.
	echo ''
	# 13: a solved ticket for the phone-only customer.
	echo '{"type":"ticket","external_id":"T-5","customer":{"phone":"+33 6 12 34 56 78"},"subject":"Merci","status":"solved","priority":"low","created_at":"2025-03-08T09:00:00Z","messages":[{"author":"customer","body":"ok","at":"2025-03-08T09:00:00Z"},{"author":"agent","agent_email":"agent@shop.example","body":"Gern!","at":"2025-03-08T11:00:00Z"}]}'
	# 14: an unknown status.
	echo '{"type":"ticket","external_id":"T-6","customer":{"email":"li@example.cn"},"subject":"x","status":"escalated","created_at":"2025-03-07T09:00:00Z"}'
} >"$F"
adm_is 1 "import with bad lines exits 1" import --org Shop "$F"
check "import summary" is "$OUT" "customers: 4 new, 0 existing; orders: 1 new, 0 existing; tickets: 3 new, 0 existing; 6 bad lines"
bad=$(printf '%s\n' "$ERR" | sed -n "s|^$F:\([0-9]*\): .*|\1|p" | tr '\n' ' ')
check "bad lines reported with their numbers (got: $bad)" is "$bad" "5 7 9 10 11 14 "
check "malformed JSON named" has "$ERR" "$F:5: not valid JSON"
check "unknown type named" has "$ERR" "$F:7: type: unknown"
check "bad time named" has "$ERR" "$F:9: created_at: not an RFC 3339 time"
check "unknown agent named" has "$ERR" "$F:10: messages[0].agent_email"
check "invalid UTF-8 named" has "$ERR" "$F:11: not valid UTF-8"
check "unknown status named" has "$ERR" "$F:14: status: unknown"
check "errors do not show personal data" eval '! has "$ERR" "secret"'
check "import: non-ASCII customer intact" is "$(q "SELECT name || '|' || company FROM customers WHERE external_id = 'C-1'")" "Zoë Ünal|Kästner & Söhne"
check "import: CJK name intact" is "$(q "SELECT name FROM customers WHERE external_id = 'C-2'")" "李小龍"
check "import: identities for email and phone" is "$(q "SELECT string_agg(kind || '=' || value, ',' ORDER BY kind) FROM identities i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = 'C-1'")" "email=Zoe@Example.COM,phone=+49 170 1111111"
check "import: money in exact cents" is "$(q "SELECT total_cents || '/' || (SELECT unit_price_cents * qty FROM order_items i WHERE i.order_id = o.id) FROM orders o WHERE external_id = 'O-1'")" "12990/12990"
check "import: the order belongs to C-1" is "$(q "SELECT c.external_id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.external_id = 'O-1'")" "C-1"
check "import: shipment time with offset" is "$(q "SELECT shipped_at FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.external_id = 'O-1'")" "2025-03-02 07:00:00+00"
check "import: message body with tab, newline, backslash, emoji" is "$(q "SELECT encode(convert_to(body, 'UTF8'), 'base64') FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.external_id = 'T-1' AND author = 'customer'")" "$(printf 'Hallo,\n\tmein Paket – wo?\\ 🙂' | base64)"
check "import: subject intact" is "$(q "SELECT subject FROM tickets WHERE external_id = 'T-1'")" "Wo ist mein Paket? 📦"
check "import: first response is the public reply, SLA from policy" is "$(q "SELECT first_response_at || '|' || coalesce(first_response_due::text, 'null') || '|' || resolution_due || '|' || tags::text FROM tickets WHERE external_id = 'T-1'")" '2025-03-05 10:30:00+00|null|2025-03-06 09:00:00+00|["late", "vip"]'
check "import: no reply: first response due from policy" is "$(q "SELECT first_response_due || '|' || resolution_due || '|' || status FROM tickets WHERE external_id = 'T-2'")" "2025-03-06 13:00:00+00|2025-03-06 16:00:00+00|new"
check "import: solved ticket solved at its last message" is "$(q "SELECT solved_at || '|' || c.name FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.external_id = 'T-5'")" "2025-03-08 11:00:00+00|Phone Only"
check "import: tickets numbered 1 to 3" is "$(q "SELECT string_agg(number::text, ',' ORDER BY number) FROM tickets t JOIN orgs o ON o.id = t.org_id WHERE o.name = 'Shop'")" "1,2,3"
check "import: agent messages by the agent" is "$(q "SELECT count(*) FROM messages m JOIN users u ON u.id = m.author_id WHERE m.author = 'agent' AND u.email = 'agent@shop.example'")" 3
check "import: one created event per ticket" is "$(q "SELECT count(*) FROM events e JOIN orgs o ON o.id = e.org_id WHERE o.name = 'Shop' AND field = 'created'")" 3

# Everything the import can touch, as one line.
shop_state()
{
	local t s=""

	for t in $SYNCED; do
		s="$s $t=$(org_count Shop "$t")"
	done
	echo "$s rev=$(q "SELECT max(rev) FROM ($revs) r") counter=$(q "SELECT next_number FROM org_counters c JOIN orgs o ON o.id = c.org_id WHERE o.name = 'Shop'")"
}
before=$(shop_state)
adm_is 1 "import the same file again" import --org Shop "$F"
check "the second import finds everything" is "$OUT" "customers: 0 new, 3 existing; orders: 0 new, 1 existing; tickets: 0 new, 3 existing; 6 bad lines"
check "the second import changed nothing" is "$(shop_state)" "$before"
set +e
OUT=$(sed -n '1,4p' "$F" | "$TRIAGE" admin --db "$PG_CONNINFO" import --org Shop - 2>"$T/stderr")
RC=$?
set -e
check "import from stdin, all known" is "$RC:$OUT" "0:customers: 0 new, 3 existing; orders: 0 new, 1 existing; tickets: 0 new, 0 existing; 0 bad lines"
check "stdin import changed nothing" is "$(shop_state)" "$before"
adm_is 1 "import into an unknown organisation" import --org Nope "$F"
adm_is 2 "import without a file is usage" import --org Shop

# ---- two imports at once ----
adm create-org Race
adm create-user --org Race --email agent@race.example --name "Race Agent" \
    --role agent --password-file "$T/pw2"
# Both files name shared customers 0..59 in the same order, by email only
# or through tickets, so the two imports meet on every one of them.
for side in a b; do
	for i in $(seq 0 79); do
		if [ "$i" -lt 60 ]; then e="shared$i@race.example"; else e="$side$i@race.example"; fi
		echo "{\"type\":\"customer\",\"name\":\"Kunde $i\",\"email\":\"$e\"}"
		echo "{\"type\":\"ticket\",\"external_id\":\"$side-$i\",\"customer\":{\"email\":\"$(echo "$e" | tr a-z A-Z)\"},\"subject\":\"Frage $i\",\"created_at\":\"2025-04-01T10:00:00Z\",\"messages\":[{\"author\":\"agent\",\"agent_email\":\"agent@race.example\",\"body\":\"hi\",\"at\":\"2025-04-01T11:00:00Z\"}]}"
	done >"$T/race-$side.jsonl"
done
set +e
"$TRIAGE" admin --db "$PG_CONNINFO" import --org Race "$T/race-a.jsonl" \
    >"$T/race-a.out" 2>"$T/race-a.err" &
pa=$!
"$TRIAGE" admin --db "$PG_CONNINFO" import --org Race "$T/race-b.jsonl" \
    >"$T/race-b.out" 2>"$T/race-b.err" &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
set -e
check "both concurrent imports succeed ($ra/$rb: $(cat "$T/race-a.err" "$T/race-b.err"))" is "$ra$rb" 00
check "no customer twice" is "$(q "SELECT count(*) FROM (SELECT lower(email) FROM customers c JOIN orgs o ON o.id = c.org_id WHERE o.name = 'Race' GROUP BY 1 HAVING count(*) > 1) d")" 0
check "every customer once (60 shared + 2 x 20)" is "$(org_count Race customers)" 100
check "new customers counted once over both imports" is "$(( $(sed -n 's/^customers: \([0-9]*\) new.*/\1/p' "$T/race-a.out") + $(sed -n 's/^customers: \([0-9]*\) new.*/\1/p' "$T/race-b.out") ))" 100
check "all 160 tickets, numbers unique" is "$(q "SELECT count(*) || '/' || count(DISTINCT number) || '/' || max(number) FROM tickets t JOIN orgs o ON o.id = t.org_id WHERE o.name = 'Race'")" "160/160/160"

finish
