-- 011-notifications.sql: the agent's notifications (issue 7), fetched from
-- GET /v1/notifications after each sync round; only this user's are here.
CREATE TABLE notifications (
	rid		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	kind		TEXT NOT NULL,
	ticket_id	TEXT,
	actor_id	TEXT,
	detail		TEXT,
	created_at	INTEGER NOT NULL,
	read_at		INTEGER,
	rev		INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_unread ON notifications(read_at, created_at);
