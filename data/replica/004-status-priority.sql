-- 004-status-priority.sql: replica schema version 4. Counting a view that
-- filters on status and priority (status:open priority:>=high) reads one
-- index range instead of looking up a third of the tickets.

CREATE INDEX tickets_status_priority ON tickets(status, priority);
ANALYZE tickets;
