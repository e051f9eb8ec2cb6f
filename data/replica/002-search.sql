-- 002-search.sql: replica schema version 2, full-text indexes kept in step by triggers.
--
-- External-content FTS5 tables over the synced tables' stable rid keys.
-- Triggers fire only when an indexed column changes, so a status change does
-- not touch the index. The rebuilds fill the indexes for replicas that had
-- rows before this migration.

CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, tags,
    content='tickets', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
	INSERT INTO tickets_fts(rowid, subject, tags)
	    VALUES (new.rid, new.subject, new.tags);
END;
CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
	INSERT INTO tickets_fts(tickets_fts, rowid, subject, tags)
	    VALUES ('delete', old.rid, old.subject, old.tags);
END;
CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject, tags ON tickets BEGIN
	INSERT INTO tickets_fts(tickets_fts, rowid, subject, tags)
	    VALUES ('delete', old.rid, old.subject, old.tags);
	INSERT INTO tickets_fts(rowid, subject, tags)
	    VALUES (new.rid, new.subject, new.tags);
END;

CREATE VIRTUAL TABLE messages_fts USING fts5(body,
    content='messages', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts(rowid, body) VALUES (new.rid, new.body);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, body)
	    VALUES ('delete', old.rid, old.body);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN
	INSERT INTO messages_fts(messages_fts, rowid, body)
	    VALUES ('delete', old.rid, old.body);
	INSERT INTO messages_fts(rowid, body) VALUES (new.rid, new.body);
END;

CREATE VIRTUAL TABLE customers_fts USING fts5(name, email, company,
    content='customers', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN
	INSERT INTO customers_fts(rowid, name, email, company)
	    VALUES (new.rid, new.name, new.email, new.company);
END;
CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN
	INSERT INTO customers_fts(customers_fts, rowid, name, email, company)
	    VALUES ('delete', old.rid, old.name, old.email, old.company);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE OF name, email, company
    ON customers BEGIN
	INSERT INTO customers_fts(customers_fts, rowid, name, email, company)
	    VALUES ('delete', old.rid, old.name, old.email, old.company);
	INSERT INTO customers_fts(rowid, name, email, company)
	    VALUES (new.rid, new.name, new.email, new.company);
END;

CREATE VIRTUAL TABLE orders_fts USING fts5(number,
    content='orders', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER orders_fts_ai AFTER INSERT ON orders BEGIN
	INSERT INTO orders_fts(rowid, number) VALUES (new.rid, new.number);
END;
CREATE TRIGGER orders_fts_ad AFTER DELETE ON orders BEGIN
	INSERT INTO orders_fts(orders_fts, rowid, number)
	    VALUES ('delete', old.rid, old.number);
END;
CREATE TRIGGER orders_fts_au AFTER UPDATE OF number ON orders BEGIN
	INSERT INTO orders_fts(orders_fts, rowid, number)
	    VALUES ('delete', old.rid, old.number);
	INSERT INTO orders_fts(rowid, number) VALUES (new.rid, new.number);
END;

INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');
INSERT INTO orders_fts(orders_fts) VALUES ('rebuild');
