-- 006-bulk.sql: replica schema version 6. A bulk load (the generator, or
-- the first sync of an empty replica) drops the secondary indexes and the
-- full-text triggers and builds them once at the end; their SQL waits here,
-- so a load cut short by a crash or a kill is finished by the next one.

CREATE TABLE bulk_ddl (
	seq	INTEGER PRIMARY KEY,
	sql	TEXT NOT NULL
);
