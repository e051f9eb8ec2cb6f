-- Server schema 1: PostgreSQL is the truth; the replica mirrors the synced
-- tables. Every synced row carries org_id, rev and deleted; ids are UUIDs
-- (v7 from consoles, v7 from the server); times are timestamptz.

CREATE SEQUENCE revs;

-- rev assignment: the cursor trap (DESIGN.md section 6) is closed by taking
-- a transaction-level advisory lock per organisation before the rev is
-- drawn. Writers of one organisation are serialised from their first write
-- to their commit, so their revs become visible in commit order, and a
-- puller that has seen rev N can never later find a committed N-1.
-- The NOTIFY is delivered at commit; identical payloads collapse into one.
CREATE FUNCTION triage_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1953653089, hashtext(NEW.org_id::text));
	NEW.rev := nextval('revs');
	PERFORM pg_notify('triage_rev', NEW.org_id::text);
	RETURN NEW;
END
$$;

CREATE FUNCTION triage_rev_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1953653089, hashtext(NEW.id::text));
	NEW.rev := nextval('revs');
	PERFORM pg_notify('triage_rev', NEW.id::text);
	RETURN NEW;
END
$$;

CREATE FUNCTION ms(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE
    RETURN (extract(epoch FROM $1) * 1000)::bigint;

CREATE TABLE orgs (
	id		uuid PRIMARY KEY,
	name		text NOT NULL UNIQUE,
	business_hours	text,
	time_zone	text NOT NULL DEFAULT 'UTC',
	created_at	timestamptz NOT NULL DEFAULT now(),
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE TRIGGER orgs_rev BEFORE INSERT OR UPDATE ON orgs
    FOR EACH ROW EXECUTE FUNCTION triage_rev_org();

-- Ticket numbers per organisation; not synced (a row per org, locked to
-- take the next number).
CREATE TABLE org_counters (
	org_id		uuid PRIMARY KEY REFERENCES orgs,
	next_number	bigint NOT NULL DEFAULT 1
);

CREATE TABLE teams (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	name		text NOT NULL,
	lead_id		uuid,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false,
	UNIQUE (org_id, name)
);

CREATE TABLE users (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	email		text NOT NULL,
	name		text NOT NULL,
	role		text NOT NULL CHECK (role IN ('admin', 'agent', 'viewer')),
	team_id		uuid REFERENCES teams,
	signature	text,
	available	boolean NOT NULL DEFAULT true,
	password_hash	text,
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Bearer tokens: only the SHA-256 of the token is stored.
CREATE TABLE tokens (
	hash		bytea PRIMARY KEY,
	user_id		uuid NOT NULL REFERENCES users,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Failed logins per email, to slow down guessing.
CREATE TABLE login_failures (
	email		text PRIMARY KEY,
	failures	integer NOT NULL,
	last_at		timestamptz NOT NULL
);

CREATE TABLE customers (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	external_id	text,
	name		text NOT NULL,
	email		text,
	phone		text,
	company		text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false,
	UNIQUE (org_id, external_id)
);

CREATE TABLE identities (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	customer_id	uuid NOT NULL REFERENCES customers,
	kind		text NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
	value		text NOT NULL,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX identities_value ON identities (org_id, kind, lower(value));
CREATE INDEX identities_customer ON identities (customer_id);

CREATE TABLE orders (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	customer_id	uuid NOT NULL REFERENCES customers,
	external_id	text,
	number		text NOT NULL,
	status		text NOT NULL,
	currency	text NOT NULL DEFAULT 'EUR',
	total_cents	bigint NOT NULL,
	placed_at	timestamptz NOT NULL,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false,
	UNIQUE (org_id, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE order_items (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	order_id	uuid NOT NULL REFERENCES orders,
	sku		text NOT NULL,
	title		text NOT NULL,
	qty		integer NOT NULL,
	unit_price_cents bigint NOT NULL,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX order_items_order ON order_items (order_id);

CREATE TABLE shipments (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	order_id	uuid NOT NULL REFERENCES orders,
	carrier		text NOT NULL,
	tracking	text NOT NULL,
	status		text NOT NULL,
	shipped_at	timestamptz,
	delivered_at	timestamptz,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE sla_policies (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	priority	text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	first_response_mins integer NOT NULL,
	resolution_mins	integer NOT NULL,
	business_hours	boolean NOT NULL DEFAULT false,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false,
	UNIQUE (org_id, priority)
);

CREATE TABLE tickets (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	number		bigint NOT NULL,
	external_id	text,
	subject		text NOT NULL,
	status		text NOT NULL DEFAULT 'new' CHECK (status IN
			    ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
	priority	text NOT NULL DEFAULT 'normal' CHECK (priority IN
			    ('low', 'normal', 'high', 'urgent')),
	channel		text NOT NULL DEFAULT 'email',
	category	text,
	tags		jsonb NOT NULL DEFAULT '[]',
	customer_id	uuid REFERENCES customers,
	assignee_id	uuid REFERENCES users,
	team_id		uuid REFERENCES teams,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	first_response_due timestamptz,
	first_response_at timestamptz,
	resolution_due	timestamptz,
	solved_at	timestamptz,
	escalation	integer NOT NULL DEFAULT 0,
	merged_into	uuid REFERENCES tickets,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false,
	UNIQUE (org_id, number),
	UNIQUE (org_id, external_id)
);
CREATE INDEX tickets_customer ON tickets (customer_id);

CREATE TABLE messages (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	ticket_id	uuid NOT NULL REFERENCES tickets,
	author		text NOT NULL CHECK (author IN ('customer', 'agent', 'system')),
	author_id	uuid,
	internal	boolean NOT NULL DEFAULT false,
	body		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	delivery	text,
	delivery_reason	text,
	macro_commit	text,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX messages_ticket ON messages (ticket_id, created_at);

CREATE TABLE attachments (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	message_id	uuid NOT NULL REFERENCES messages,
	ticket_id	uuid NOT NULL REFERENCES tickets,
	internal	boolean NOT NULL DEFAULT false,
	name		text NOT NULL,
	mime		text NOT NULL,
	size		bigint NOT NULL,
	sha256		text,
	content		bytea,
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE events (
	id		uuid PRIMARY KEY,
	org_id		uuid NOT NULL REFERENCES orgs,
	ticket_id	uuid NOT NULL REFERENCES tickets,
	actor_id	uuid,
	field		text NOT NULL,
	old_value	text,
	new_value	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	rev		bigint NOT NULL DEFAULT 0,
	deleted		boolean NOT NULL DEFAULT false
);
CREATE INDEX events_ticket ON events (ticket_id, created_at);

-- Push idempotency: each console's highest applied seq, and the result of
-- every seq so a replay answers exactly as the first time.
CREATE TABLE clients (
	id		uuid PRIMARY KEY,
	user_id		uuid NOT NULL REFERENCES users,
	last_seq	bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE push_results (
	client_id	uuid NOT NULL REFERENCES clients,
	seq		bigint NOT NULL,
	mutation_id	text NOT NULL,
	status		text NOT NULL CHECK (status IN ('applied', 'rejected', 'conflict')),
	reason		text,
	message_id	uuid,
	rev		bigint NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (client_id, seq)
);

-- Every synced table: revs from the trigger, and an index that serves the
-- pull (org, rev > cursor, in rev order).
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['teams', 'users', 'customers', 'identities',
	    'orders', 'order_items', 'shipments', 'sla_policies', 'tickets',
	    'messages', 'attachments', 'events'] LOOP
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I '
		    'FOR EACH ROW EXECUTE FUNCTION triage_rev()', t || '_rev', t);
		EXECUTE format('CREATE INDEX %I ON %I (org_id, rev)',
		    t || '_org_rev', t);
	END LOOP;
END
$$;
CREATE INDEX orgs_rev ON orgs (id, rev);
