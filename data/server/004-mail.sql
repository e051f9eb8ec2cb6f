-- Server schema 4: mail (issue 7). Public agent replies go to the
-- customer by SMTP from a queue; inbound mail (triage mailgate) becomes
-- customer messages. messages.mail_id is the RFC 5322 Message-ID of a
-- message that travelled by mail, either way, for threading.

ALTER TABLE messages ADD COLUMN mail_id text;
CREATE INDEX messages_mail_id ON messages (org_id, mail_id)
    WHERE mail_id IS NOT NULL;

-- Replies waiting for a server started with --smtp. A row is taken with
-- FOR UPDATE SKIP LOCKED while it is being sent, so two servers never
-- send one reply twice; it goes when the SMTP server took it (or refused
-- it for good).
CREATE TABLE mail_queue (
	message_id	uuid PRIMARY KEY REFERENCES messages,
	org_id		uuid NOT NULL REFERENCES orgs,
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	last_error	text,
	queued_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_queue_next ON mail_queue (next_at);

-- A public reply by an agent to a ticket whose customer has an email
-- address is queued, and says so (delivery = 'queued'); otherwise its
-- delivery stays unknown (NULL). Bulk loads of the past send nothing.
CREATE FUNCTION triage_mail_delivery() RETURNS trigger LANGUAGE plpgsql
    AS $$
BEGIN
	IF NEW.author = 'agent' AND NOT NEW.internal AND NOT triage_quiet()
	    AND NEW.delivery IS NULL AND EXISTS (SELECT 1 FROM tickets t JOIN
	    customers c ON c.id = t.customer_id WHERE t.id = NEW.ticket_id AND
	    coalesce(c.email, '') <> '') THEN
		NEW.delivery := 'queued';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER messages_mail_delivery BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION triage_mail_delivery();

CREATE FUNCTION triage_mail_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.delivery = 'queued' AND NEW.author = 'agent' AND
	    NOT triage_quiet() THEN
		INSERT INTO mail_queue(message_id, org_id)
		    VALUES (NEW.id, NEW.org_id) ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_mail_queue AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION triage_mail_queue();
