#!/bin/bash
# srv-mail.sh: agents' replies by mail (issue 7), against a real SMTP server
# on loopback (tests/smtp-sink.py, Debian's aiosmtpd) and a real triage
# serve --smtp on a throwaway PostgreSQL. A reply queued in a replica
# arrives in the mailbox with [#N] in the subject, In-Reply-To and
# References naming the customer's mail, its text intact; the replica
# then says sent. A refused address says failed with the server's reason;
# a mailbox that says "later" stays queued with the reason and never says
# sent. Two servers on one database deliver each reply once.
set -eu
NAME=srv-mail
. "${TRIAGE_SRCDIR:-${srcdir:-.}}/tests/srv-lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	echo "FAIL: $NAME: python3-aiosmtpd is not installed" \
	    "(apt-get install python3-aiosmtpd)"
	exit 1
fi

mkdir -p "$T/mbox"
"$PY" "$TRIAGE_SRCDIR/tests/smtp-sink.py" "$T/mbox" "$T/smtp.port" \
    2> "$T/smtp.log" &
SINK=$!
SRV_CLEANUP='kill $SINK 2>/dev/null || true; kill $S2 2>/dev/null || true'
S2=
for _ in $(seq 1 100); do [ -s "$T/smtp.port" ] && break; sleep 0.1; done
SMTP=smtp://127.0.0.1:$(cat "$T/smtp.port")

# --- Options that cannot work are refused before anything starts.
serve_opts() {
	set +e
	"$TRIAGE" serve --db "$PG_CONNINFO" --listen 127.0.0.1:0 "$@" \
	    > /dev/null 2> "$T/opts.err"
	RC=$?
	set -e
	ERR=$(cat "$T/opts.err")
}
serve_opts --smtp http://127.0.0.1:25 --mail-from a@shop.test
check "--smtp wants smtp:// or smtps://" has "$RC $ERR" "2 "
serve_opts --smtp "$SMTP"
check "--smtp needs --mail-from" has "$ERR" "--mail-from"
serve_opts --mail-from a@shop.test
check "--mail-from alone is a usage error" is "$RC" 2
printf 'user:secret\n' > "$T/auth"
chmod 644 "$T/auth"
serve_opts --smtp "$SMTP" --mail-from a@shop.test --smtp-auth-file "$T/auth"
check "an auth file others can read is refused" has "$ERR" \
    "readable by others"
printf 'no colon\n' > "$T/auth"
chmod 600 "$T/auth"
serve_opts --smtp "$SMTP" --mail-from a@shop.test --smtp-auth-file "$T/auth"
check "an auth file must say USER:PASSWORD" has "$ERR" "USER:PASSWORD"
check "and the password is never printed" is "$(printf '%s' "$ERR" |
    grep -c secret || true)" 0

shop 20 ann:agent
ORG=$(q "SELECT id FROM orgs WHERE name = 'Shop'")
SERVE_JOBS=1 SERVE_ARGS="--smtp $SMTP --mail-from support@shop.test" \
    start_server
"$TRIAGE" --replica "$T/a.db" login --server "$URL" --email ann@shop.test \
    --password-file "$T/pw" > /dev/null
"$TRIAGE" --replica "$T/a.db" sync --once > /dev/null

# ticket_to NUMBER EMAIL: the ticket's customer gets that address.
ticket_to() {
	q "UPDATE customers SET email = '$2', name = 'Jörg Müller' WHERE id =
	    (SELECT customer_id FROM tickets WHERE number = $1)" > /dev/null
}
# mails: how many the SMTP server has taken.
mails() { find "$T/mbox" -name '*.eml' | wc -l; }
wait_mails() {
	local i=0

	while [ $i -lt 150 ] && [ "$(mails)" -lt "$1" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	mails
}
# delivery NUMBER: the delivery state and reason of the ticket's newest
# agent reply, once it is no longer queued (or after 15 s).
delivery() {
	local i=0 d

	while [ $i -lt 150 ]; do
		d=$(q "SELECT coalesce(m.delivery, '') || '|' ||
		    coalesce(m.delivery_reason, '') FROM messages m JOIN tickets
		    t ON t.id = m.ticket_id WHERE t.number = $1 AND m.author =
		    'agent' AND NOT m.internal ORDER BY m.created_at DESC LIMIT 1")
		case $d in queued\|?*|sent*|failed*) break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	printf '%s' "$d"
}
# header FILE NAME: a header of a stored message, decoded.
header() {
	"$PY" -c 'import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=policy.default)
v = m[sys.argv[2]]
print("" if v is None else str(v))' "$1" "$2"
}
body() {
	"$PY" -c 'import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=policy.default)
print(m.get_content(), end="")' "$1"
}

# --- A reply reaches the customer's mailbox, threaded.
N=$(q "SELECT number FROM tickets WHERE status = 'open' ORDER BY number
    LIMIT 1")
ticket_to "$N" jorg@example.com
q "INSERT INTO messages(id, org_id, ticket_id, author, body, mail_id)
    SELECT gen_random_uuid(), '$ORG', id, 'customer', 'Where is it?',
    '<first@customer.example>' FROM tickets WHERE number = $N" > /dev/null
SUBJ=$(q "SELECT subject FROM tickets WHERE number = $N")
tr_ a sync --once
printf 'Hello Jörg,\n\n.a line that starts with a dot\nyour parcel left today.\n' \
    > "$T/body"
tr_ a reply "$N" --body-file "$T/body"
tr_ a sync --once
check "the SMTP server has the reply" is "$(wait_mails 1)" 1
M=$(find "$T/mbox" -name '*.eml' | sort | head -n 1)
check "to the customer" has "$(header "$M" To)" "jorg@example.com"
check "named (RFC 2047)" has "$(header "$M" To)" "Jörg Müller"
check "from the server's address" has "$(header "$M" From)" \
    "<support@shop.test>"
check "the subject carries the ticket number" \
    is "$(header "$M" Subject)" "[#$N] $SUBJ"
check "In-Reply-To names the customer's mail" \
    is "$(header "$M" In-Reply-To)" "<first@customer.example>"
check "References too" has "$(header "$M" References)" \
    "<first@customer.example>"
check "a Message-ID of our domain" has "$(header "$M" Message-ID)" \
    "@shop.test>"
check "the text arrives as written (UTF-8, a leading dot)" \
    is "$(body "$M")" "$(cat "$T/body")"
check "the database says sent" is "$(delivery "$N")" "sent|"
check "and keeps the Message-ID for the thread" is "$(q "SELECT count(*)
    FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = $N
    AND m.author = 'agent' AND m.mail_id = '$(header "$M" Message-ID)'")" 1
tr_ a sync --once
tr_ a show "$N" --json
check "the replica says sent" has "$OUT" '"delivery": "sent"'
tr_ a reply "$N" --note -m "internal only"
tr_ a sync --once
sleep 2
check "an internal note is never mailed" is "$(mails)" 1

# --- The customer answers: triage mailgate files it in the same ticket.
q "UPDATE tickets SET assignee_id = (SELECT id FROM users WHERE email =
    'ann@shop.test'), status = 'pending' WHERE number = $N" > /dev/null
ANN=$(q "SELECT id FROM users WHERE email = 'ann@shop.test'")
MID=$(header "$M" Message-ID)
# A real mail client library writes the answers: multipart, Latin-1,
# quoted-printable, HTML, base64 attachments.
"$PY" - "$T" "$MID" "$N" "$SUBJ" <<'PYEOF'
import sys
from email.message import EmailMessage
from email.utils import make_msgid
t, mid, n, subj = sys.argv[1:5]
m = EmailMessage()
m['From'] = 'Jörg Müller <jorg@example.com>'
m['To'] = 'support@shop.test'
m['Subject'] = 'Re: [#%s] %s' % (n, subj)
m['Message-ID'] = '<answer-1@customer.example>'
m['In-Reply-To'] = mid
m['References'] = '<first@customer.example> ' + mid
m.set_content('Danke! Grüße aus Köln.\n\n> your parcel left today.\n',
              charset='iso-8859-1', cte='quoted-printable')
m.add_alternative('<p>Danke! Gr&uuml;&szlig;e</p>', subtype='html')
open(t + '/answer.eml', 'wb').write(bytes(m))
s = EmailMessage()
s['From'] = 'New Person <newbie@example.org>'
s['To'] = 'support@shop.test'
s['Subject'] = 'Broken lamp'
s['Message-ID'] = make_msgid(domain='example.org')
s.set_content('<html><head><style>p {}</style></head><body><p>My lamp &amp; '
              'its shade arrived broken.</p><p>Photo attached.'
              '</p></body></html>', subtype='html', charset='windows-1252')
s.add_attachment(b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 4,
                 maintype='image', subtype='png', filename='lamp.png')
s.add_attachment(b'MZ not really', maintype='application',
                 subtype='octet-stream', filename='invoice.exe')
open(t + '/new.eml', 'wb').write(bytes(s))
x = EmailMessage()
x['From'] = 'Mallory <mallory@example.net>'
x['Subject'] = 'Re: [#%s] let me in' % n
x.set_content('I am not the customer.')
open(t + '/stranger.eml', 'wb').write(bytes(x))
PYEOF
printf 'Subject: no sender\n\nhello\n' > "$T/nofrom.eml"
gate() {
	set +e
	OUT=$("$TRIAGE" mailgate "$@" < "$GATE_IN" 2> "$T/gate.err")
	RC=$?
	set -e
	ERR=$(cat "$T/gate.err")
	echo "# mailgate: exit $RC: $OUT $ERR"
}
GATE_IN=$T/answer.eml gate --db "$PG_CONNINFO" --org Shop
check "mailgate exits 0 (EX_OK)" is "$RC" 0
check "it says which ticket, reopened" is "$OUT" "#$N: reopened"
check "the answer is in the ticket" is "$(q "SELECT count(*) FROM messages m
    JOIN tickets t ON t.id = m.ticket_id WHERE t.number = $N AND m.author =
    'customer' AND m.mail_id = '<answer-1@customer.example>'")" 1
check "its Latin-1 text arrives as UTF-8" has "$(q "SELECT m.body FROM
    messages m WHERE m.mail_id = '<answer-1@customer.example>'")" \
    "Grüße aus Köln"
check "the ticket is open again" is "$(q "SELECT status FROM tickets WHERE
    number = $N")" open
check "the assignee is notified" is "$(q "SELECT count(*) FROM notifications
    WHERE user_id = '$ANN' AND kind = 'customer_replied'")" 1
GATE_IN=$T/answer.eml gate --db "$PG_CONNINFO" --org Shop
check "the same mail again (an MTA's retry) is filed once" \
    is "$OUT" "#$N: already filed"
check "still one" is "$(q "SELECT count(*) FROM messages WHERE mail_id =
    '<answer-1@customer.example>'")" 1
tr_ a sync --once
tr_ a show "$N" --json
check "the console's replica has it" has "$OUT" "Grüße aus Köln"

GATE_IN=$T/new.eml gate --db "$PG_CONNINFO" --org Shop
check "a mail with no ticket: a new one" has "$OUT" ": new ticket"
NEW=$(printf '%s' "$OUT" | sed 's/^#\([0-9]*\):.*/\1/')
check "for a new customer, by address" is "$(q "SELECT c.email || ' ' ||
    c.name FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE
    t.number = $NEW")" "newbie@example.org New Person"
check "HTML made text" is "$(q "SELECT body FROM messages m JOIN tickets t
    ON t.id = m.ticket_id WHERE t.number = $NEW" | head -n 1)" \
    "My lamp & its shade arrived broken."
check "the picture is kept, with its type and size" is "$(q "SELECT a.name
    || ' ' || a.mime || ' ' || a.size FROM attachments a JOIN tickets t ON
    t.id = a.ticket_id WHERE t.number = $NEW")" "lamp.png image/png 1032"
check "a program is not kept, and the ticket says so" has "$(q "SELECT body
    FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number =
    $NEW")" 'attachment "invoice.exe": a program, not kept'
GATE_IN=$T/stranger.eml gate --db "$PG_CONNINFO" --org Shop
check "a stranger's [#N] does not add to that ticket" has "$OUT" \
    ": new ticket"
GATE_IN=$T/nofrom.eml gate --db "$PG_CONNINFO" --org Shop
check "no sender: EX_DATAERR (65), the MTA bounces it" is "$RC" 65
GATE_IN=$T/answer.eml gate --db "host=127.0.0.1 port=1 dbname=x" --org Shop
check "the database away: EX_TEMPFAIL (75), the MTA tries again" \
    is "$RC" 75
GATE_IN=$T/answer.eml gate --db "$PG_CONNINFO" --org Nope
check "an unknown organisation is permanent (65)" is "$RC" 65
# Through the server, with an admin's token.
A create-user --org Shop --email gate@shop.test --name Gate --role admin \
    --password-file "$T/pw" > /dev/null
curl -s -X POST -H 'Content-Type: application/json' -d \
    '{"email":"gate@shop.test","password":"password-one"}' \
    "$URL/v1/login" | sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p' \
    > "$T/gate.token"
chmod 600 "$T/gate.token"
sed -i 's/answer-1@/answer-2@/' "$T/answer.eml"
GATE_IN=$T/answer.eml gate --server "$URL" --token-file "$T/gate.token"
check "mailgate --server files it too" is "$OUT" "#$N: added"
curl -s -X POST -H 'Content-Type: application/json' -d \
    '{"email":"ann@shop.test","password":"password-one"}' \
    "$URL/v1/login" | sed -n 's/.*"token": *"\([0-9a-f]*\)".*/\1/p' \
    > "$T/agent.token"
chmod 600 "$T/agent.token"
sed -i 's/answer-2@/answer-3@/' "$T/answer.eml"
GATE_IN=$T/answer.eml gate --server "$URL" --token-file "$T/agent.token"
check "an agent's token may not: EX_NOPERM (77)" is "$RC" 77
printf 'nope\n' > "$T/bad.token"
chmod 600 "$T/bad.token"
GATE_IN=$T/answer.eml gate --server "$URL" --token-file "$T/bad.token"
check "a bad token: EX_NOPERM (77)" is "$RC" 77

# --- What /v1/inbound takes goes into headers later: checked first.
inbound() {
	curl -s -o "$T/inbound.out" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $(cat "$T/gate.token")" \
	    -H 'Content-Type: application/json' --data-binary "$1" \
	    "$URL/v1/inbound"
}
check "a message id that would add a header is refused (400)" is \
    "$(inbound '{"from":"eve@example.com","subject":"x","body":"b",
    "message_id":"<a@b>\r\nBcc: all@example.com"}')" 400
check "so is such a reference" is "$(inbound '{"from":"eve@example.com",
    "subject":"x","body":"b","refs":["<a@b> <c@d>"]}')" 400
check "an attachment bigger than its content says is refused (400)" is \
    "$(inbound '{"from":"eve@example.com","subject":"x","body":"b",
    "attachments":[{"name":"a.txt","mime":"text/plain","content":"aGk=",
    "size":9999}]}')" 400
check "so is one a byte bigger than its content" is \
    "$(inbound '{"from":"eve@example.com","subject":"x","body":"b",
    "attachments":[{"name":"a.txt","mime":"text/plain","content":"aGk=",
    "size":3}]}')" 400
check "and content that is not base64" is \
    "$(inbound '{"from":"eve@example.com","subject":"x","body":"b",
    "attachments":[{"name":"a.txt","mime":"text/plain","content":"a===",
    "size":1}]}')" 400
check "and nothing of them was filed" is "$(q "SELECT count(*) FROM
    customers WHERE email = 'eve@example.com'")" 0
# A sender's attachment name and type that are not text: the mail is
# filed all the same, the attachment under a plain name and type.
printf 'From: odd@example.com\r\nSubject: odd parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: image/p\366\274\220\212ng\r\nContent-Disposition: attachment; filename*=utf-8'"''"'r%%E9sum%%E9.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n--b--\r\n' \
    > "$T/odd.eml"
GATE_IN=$T/odd.eml gate --server "$URL" --token-file "$T/gate.token"
check "odd attachment bytes: filed (0)" is "$RC" 0
check "as a plain attachment" is "$(q "SELECT a.name || ' ' || a.mime || ' '
    || a.size FROM attachments a JOIN tickets t ON t.id = a.ticket_id JOIN
    customers c ON c.id = t.customer_id WHERE c.email = 'odd@example.com'")" \
    "attachment application/octet-stream 2"

# --- Refused for good: failed, with the reason.
N2=$(q "SELECT number FROM tickets WHERE number > $N ORDER BY number
    LIMIT 1")
ticket_to "$N2" bounce@example.com
tr_ a sync --once
tr_ a reply "$N2" -m "Hello"
tr_ a sync --once
d=$(delivery "$N2")
check "a refused address: failed" has "$d" "failed|"
check "with the mail server's reason" has "$d" "550"
tr_ a sync --once
tr_ a show "$N2" --json
check "the replica shows the failure" has "$OUT" '"delivery": "failed"'

# --- Not now: stays queued, says why, is not sent.
N3=$(q "SELECT number FROM tickets WHERE number > $N2 ORDER BY number
    LIMIT 1")
ticket_to "$N3" later@example.com
tr_ a sync --once
tr_ a reply "$N3" -m "Hello again"
tr_ a sync --once
d=$(delivery "$N3")
check "a mailbox that says later: still queued" has "$d" "queued|"
check "with the reason" has "$d" "451"
check "and a retry planned" is "$(q "SELECT attempts FROM mail_queue q JOIN
    messages m ON m.id = q.message_id JOIN tickets t ON t.id = m.ticket_id
    WHERE t.number = $N3")" 1

# --- A customer's name with commas and an @ stays one name in To:.
N4=$(q "SELECT number FROM tickets WHERE number > $N3 ORDER BY number
    LIMIT 1")
q "UPDATE customers SET email = 'mal@example.com', name = 'Mal, a@evil.example'
    WHERE id = (SELECT customer_id FROM tickets WHERE number = $N4)" \
    > /dev/null
before=$(mails)
tr_ a sync --once
tr_ a reply "$N4" -m "Hello Mal"
tr_ a sync --once
wait_mails $((before + 1)) > /dev/null
M4=$(grep -l "Hello Mal" "$T"/mbox/*.eml | head -n 1)
check "a name with specials is quoted: one address in To" is \
    "$("$PY" -c 'import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=policy.default)
print(len(m["To"].addresses), m["To"].addresses[0].addr_spec,
    m["To"].addresses[0].display_name)' "$M4")" \
    "1 mal@example.com Mal, a@evil.example"

# --- Two servers, one database: each reply mailed once.
stop_server
q "UPDATE customers SET email = 'slow' || substr(id::text, 1, 8) ||
    '@example.com' WHERE coalesce(email, '') <> ''" > /dev/null
q "DELETE FROM mail_queue" > /dev/null
before=$(mails)
SERVE_JOBS=1 SERVE_ARGS="--smtp $SMTP --mail-from support@shop.test" \
    start_server
"$TRIAGE" serve --db "$PG_CONNINFO" --listen 127.0.0.1:0 --jobs-interval 1 \
    --smtp "$SMTP" --mail-from support@shop.test 2> "$T/serve2.log" &
S2=$!
sleep 1
q "INSERT INTO messages(id, org_id, ticket_id, author, body)
    SELECT gen_random_uuid(), '$ORG', t.id, 'agent', 'Batch ' || t.number
    FROM tickets t JOIN customers c ON c.id = t.customer_id
    WHERE coalesce(c.email, '') <> '' ORDER BY t.number LIMIT 15" > /dev/null
q "INSERT INTO messages(id, org_id, ticket_id, author, body)
    SELECT gen_random_uuid(), '$ORG', t.id, 'agent', 'Second ' || t.number
    FROM tickets t JOIN customers c ON c.id = t.customer_id
    WHERE coalesce(c.email, '') <> '' ORDER BY t.number LIMIT 15" > /dev/null
queued=$(q "SELECT count(*) FROM messages WHERE (body LIKE 'Batch %' OR
    body LIKE 'Second %') AND delivery IN ('queued', 'sent')")
check "replies are queued by the database itself" is "$queued" 30
i=0
while [ $i -lt 600 ] && [ "$(q "SELECT count(*) FROM mail_queue")" != 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
check "two servers: every reply mailed" is "$(( $(mails) - before ))" 30
check "none twice" is "$(cat "$T"/mbox/*.eml | grep -ci '^Message-ID:' )" \
    "$(cat "$T"/mbox/*.eml | grep -i '^Message-ID:' | sort -u | wc -l)"
check "all say sent" is "$(q "SELECT count(*) FROM messages WHERE body LIKE
    'Batch %' OR body LIKE 'Second %'")" "$(q "SELECT count(*) FROM messages
    WHERE (body LIKE 'Batch %' OR body LIKE 'Second %') AND delivery =
    'sent'")"
check "both servers sent some" test "$(grep -c 'sent' "$T/serve.log")" -ge 1 \
    -a "$(grep -c 'sent' "$T/serve2.log")" -ge 1
check "the log names no customer address" \
    is "$(cat "$T/serve.log" "$T/serve2.log" | grep -c '@example.com' ||
    true)" 0
kill "$S2" 2>/dev/null || true
wait "$S2" 2>/dev/null || true
S2=
finish
