-- 007-fts-when.sql: replica schema version 7. The update triggers of the
-- full-text indexes and of ticket_tags fire only when an indexed column's
-- value changes. "UPDATE OF col" fires whenever col is assigned, and a
-- pulled row is an upsert that assigns every column: each status change
-- or reply pulled into a ticket re-indexed its subject and tags, and inside
-- a transaction every such statement made FTS5 write its pending terms as
-- a segment of its own (its savepoint flushes them), then merge them.
-- A bulk load under way (006-bulk.sql) gets them now, and its full-text
-- rebuild at the end makes up for what they do to rows not yet indexed.

DROP TRIGGER IF EXISTS tickets_fts_au;
DROP TRIGGER IF EXISTS messages_fts_au;
DROP TRIGGER IF EXISTS customers_fts_au;
DROP TRIGGER IF EXISTS orders_fts_au;
DROP TRIGGER tickets_tags_au;
DELETE FROM bulk_ddl WHERE sql LIKE 'CREATE TRIGGER %_fts_au %';

CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject, tags ON tickets
    WHEN old.subject IS NOT new.subject OR old.tags IS NOT new.tags BEGIN
	INSERT INTO tickets_fts(tickets_fts, rowid, subject, tags)
	    VALUES ('delete', old.rid, old.subject, old.tags);
	INSERT INTO tickets_fts(rowid, subject, tags)
	    VALUES (new.rid, new.subject, new.tags);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages
    WHEN old.body IS NOT new.body BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, body)
	    VALUES ('delete', old.rid, old.body);
	INSERT INTO messages_fts(rowid, body) VALUES (new.rid, new.body);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE OF name, email, company
    ON customers WHEN old.name IS NOT new.name OR old.email IS NOT new.email
    OR old.company IS NOT new.company BEGIN
	INSERT INTO customers_fts(customers_fts, rowid, name, email, company)
	    VALUES ('delete', old.rid, old.name, old.email, old.company);
	INSERT INTO customers_fts(rowid, name, email, company)
	    VALUES (new.rid, new.name, new.email, new.company);
END;
CREATE TRIGGER orders_fts_au AFTER UPDATE OF number ON orders
    WHEN old.number IS NOT new.number BEGIN
	INSERT INTO orders_fts(orders_fts, rowid, number)
	    VALUES ('delete', old.rid, old.number);
	INSERT INTO orders_fts(rowid, number) VALUES (new.rid, new.number);
END;
CREATE TRIGGER tickets_tags_au AFTER UPDATE OF tags ON tickets
    WHEN old.tags IS NOT new.tags BEGIN
	DELETE FROM ticket_tags WHERE ticket_id = old.id;
	INSERT OR IGNORE INTO ticket_tags(tag, ticket_id)
	    SELECT value, new.id FROM json_each(new.tags);
END;
