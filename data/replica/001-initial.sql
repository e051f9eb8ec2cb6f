-- 001-initial.sql: replica schema version 1, the synced entities and local tables.
--
-- Synced tables mirror the server's rows for one organisation. Each has a
-- stable integer key (rid, used by the FTS indexes), the server's UUID (id),
-- the server revision (rev) and a tombstone flag (deleted). They declare no
-- foreign keys between each other: pulled pages arrive in revision order, not
-- dependency order, and integrity is the server's job. Times are UTC epoch
-- milliseconds. Ticket status and priority are integers so they sort:
-- status 0 new, 1 open, 2 pending, 3 on hold, 4 solved, 5 closed;
-- priority 0 low, 1 normal, 2 high, 3 urgent.

CREATE TABLE orgs (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL,
	business_hours	TEXT,
	time_zone	TEXT,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE teams (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL,
	lead_id		TEXT,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	email		TEXT NOT NULL,
	name		TEXT NOT NULL,
	role		TEXT NOT NULL DEFAULT 'agent',
	team_id		TEXT,
	signature	TEXT,
	available	INTEGER NOT NULL DEFAULT 1,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_email ON users(email);

CREATE TABLE customers (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL,
	email		TEXT,
	phone		TEXT,
	company		TEXT,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE identities (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	customer_id	TEXT NOT NULL,
	kind		TEXT NOT NULL,		-- email, phone, external
	value		TEXT NOT NULL,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX identities_customer ON identities(customer_id);
CREATE INDEX identities_value ON identities(value);

CREATE TABLE tickets (
	rid			INTEGER PRIMARY KEY,
	id			TEXT NOT NULL UNIQUE,
	number			INTEGER,	-- NULL until the server numbers it
	subject			TEXT NOT NULL,
	status			INTEGER NOT NULL DEFAULT 0,
	priority		INTEGER NOT NULL DEFAULT 1,
	channel			TEXT NOT NULL DEFAULT 'email',
	category		TEXT,
	tags			TEXT NOT NULL DEFAULT '[]',	-- JSON array
	customer_id		TEXT,
	assignee_id		TEXT,
	team_id			TEXT,
	created_at		INTEGER NOT NULL,
	updated_at		INTEGER NOT NULL,
	first_response_due	INTEGER,
	first_response_at	INTEGER,
	resolution_due		INTEGER,
	solved_at		INTEGER,
	escalation		INTEGER NOT NULL DEFAULT 0,
	merged_into		TEXT,
	rev			INTEGER NOT NULL DEFAULT 0,
	deleted			INTEGER NOT NULL DEFAULT 0,
	-- The nearest running SLA clock; 9e18 when none runs (paused, solved).
	sla_due			INTEGER GENERATED ALWAYS AS (
		CASE WHEN status IN (0, 1) THEN
			CASE WHEN first_response_at IS NULL
			    AND first_response_due IS NOT NULL
			THEN min(first_response_due,
			    ifnull(resolution_due, first_response_due))
			ELSE ifnull(resolution_due, 9000000000000000000) END
		ELSE 9000000000000000000 END) VIRTUAL
);
CREATE UNIQUE INDEX tickets_number ON tickets(number);
CREATE INDEX tickets_updated ON tickets(updated_at, id);
CREATE INDEX tickets_sla ON tickets(sla_due, id);
CREATE INDEX tickets_priority ON tickets(priority, updated_at, id);
CREATE INDEX tickets_numkey ON tickets(ifnull(number, 9000000000000000000), id);
CREATE INDEX tickets_status ON tickets(status, updated_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX tickets_team ON tickets(team_id, status);

-- One row per tag of a ticket, kept in step with tickets.tags by triggers.
CREATE TABLE ticket_tags (
	tag		TEXT NOT NULL,
	ticket_id	TEXT NOT NULL,
	PRIMARY KEY (tag, ticket_id)
) WITHOUT ROWID;
CREATE INDEX ticket_tags_ticket ON ticket_tags(ticket_id);
CREATE TRIGGER tickets_tags_ai AFTER INSERT ON tickets BEGIN
	INSERT OR IGNORE INTO ticket_tags(tag, ticket_id)
	    SELECT value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER tickets_tags_au AFTER UPDATE OF tags ON tickets BEGIN
	DELETE FROM ticket_tags WHERE ticket_id = old.id;
	INSERT OR IGNORE INTO ticket_tags(tag, ticket_id)
	    SELECT value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER tickets_tags_ad AFTER DELETE ON tickets BEGIN
	DELETE FROM ticket_tags WHERE ticket_id = old.id;
END;

CREATE TABLE messages (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	ticket_id	TEXT NOT NULL,
	author		TEXT NOT NULL,		-- customer, agent, system
	author_id	TEXT,			-- user or customer id
	internal	INTEGER NOT NULL DEFAULT 0,
	body		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	delivery	TEXT,			-- queued, sent, failed (agent replies)
	delivery_reason	TEXT,
	macro_commit	TEXT,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_ticket ON messages(ticket_id, created_at);

CREATE TABLE attachments (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	message_id	TEXT NOT NULL,
	ticket_id	TEXT NOT NULL,
	name		TEXT NOT NULL,
	mime		TEXT NOT NULL,
	size		INTEGER NOT NULL,
	sha256		TEXT,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_ticket ON attachments(ticket_id);

CREATE TABLE events (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	ticket_id	TEXT NOT NULL,
	actor_id	TEXT,			-- NULL: the system
	field		TEXT NOT NULL,
	old_value	TEXT,
	new_value	TEXT,
	created_at	INTEGER NOT NULL,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_ticket ON events(ticket_id, created_at);

CREATE TABLE orders (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	customer_id	TEXT NOT NULL,
	number		TEXT NOT NULL,
	status		TEXT NOT NULL,
	currency	TEXT NOT NULL DEFAULT 'EUR',
	total_cents	INTEGER NOT NULL,
	placed_at	INTEGER NOT NULL,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_customer ON orders(customer_id, placed_at);
CREATE INDEX orders_number ON orders(number COLLATE NOCASE);

CREATE TABLE order_items (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	order_id	TEXT NOT NULL,
	sku		TEXT NOT NULL,
	title		TEXT NOT NULL,
	qty		INTEGER NOT NULL,
	unit_price_cents INTEGER NOT NULL,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX order_items_order ON order_items(order_id);

CREATE TABLE shipments (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	order_id	TEXT NOT NULL,
	carrier		TEXT NOT NULL,
	tracking	TEXT NOT NULL,
	status		TEXT NOT NULL,		-- in_transit, delivered, late, lost
	shipped_at	INTEGER,
	delivered_at	INTEGER,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX shipments_order ON shipments(order_id);

CREATE TABLE sla_policies (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	priority	INTEGER NOT NULL,
	first_response_mins INTEGER NOT NULL,
	resolution_mins	INTEGER NOT NULL,
	business_hours	INTEGER NOT NULL DEFAULT 0,
	rev		INTEGER NOT NULL DEFAULT 0,
	deleted		INTEGER NOT NULL DEFAULT 0
);

-- Local tables: never synced as rows.

-- Changes waiting for the server. seq grows by one per console and is never
-- reused (AUTOINCREMENT), so the server's (client_id, seq) idempotency holds.
-- state: 0 pending, 1 applied, 2 rejected, 3 conflict, 4 discarded (sent
-- as a no-op so seq stays contiguous; never deleted).
CREATE TABLE outbox (
	seq		INTEGER PRIMARY KEY AUTOINCREMENT,
	mutation_id	TEXT NOT NULL UNIQUE,
	type		TEXT NOT NULL,
	ticket_id	TEXT,
	entity_id	TEXT,
	payload		TEXT NOT NULL,		-- JSON object
	state		INTEGER NOT NULL DEFAULT 0,
	reason		TEXT,
	rev		INTEGER,
	attempts	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX outbox_ticket ON outbox(ticket_id, state);
CREATE INDEX outbox_entity ON outbox(entity_id);
CREATE INDEX outbox_state ON outbox(state, seq);

CREATE TABLE sync_state (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	cursor		INTEGER NOT NULL DEFAULT 0,
	initial_done	INTEGER NOT NULL DEFAULT 0,
	last_pull_at	INTEGER,
	last_push_at	INTEGER,
	last_error	TEXT
);
INSERT INTO sync_state(id) VALUES (1);

CREATE TABLE drafts (
	ticket_id	TEXT NOT NULL,
	kind		TEXT NOT NULL DEFAULT 'reply',	-- reply, note
	body		TEXT NOT NULL,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, kind)
);

CREATE TABLE saved_views (
	name		TEXT PRIMARY KEY,
	query		TEXT NOT NULL,
	sort		TEXT NOT NULL DEFAULT 'sla',
	position	INTEGER NOT NULL,
	builtin		INTEGER NOT NULL DEFAULT 0
);
INSERT INTO saved_views(name, query, sort, position, builtin) VALUES
	('My open', 'assignee:me status:unsolved', 'sla', 1, 1),
	('Unassigned', 'assignee:none status:unsolved', 'sla', 2, 1),
	('Breaching soon', 'sla:<2h', 'sla', 3, 1),
	('All open', 'status:unsolved', 'updated', 4, 1),
	('Pending', 'status:pending', 'updated', 5, 1),
	('Recently solved', 'status:solved,closed updated:<7d', 'updated', 6, 1);

CREATE TABLE settings (
	key		TEXT PRIMARY KEY,
	value		TEXT
);
