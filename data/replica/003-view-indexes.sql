-- 003-view-indexes.sql: replica schema version 3, indexes that serve the
-- saved views' filters and their sort together: a window of "My open" or
-- "Unassigned" by SLA reads 50 index entries instead of sorting every
-- ticket of the agent, and the sort indexes carry the columns filters use
-- most, so a filtered scan reads only the index. ANALYZE lets the planner
-- see them.
--
-- From this version on the replica keeps no tombstones: a pulled deletion
-- removes the row (the deleted columns of version 1 stay 0), so queries
-- need no "deleted = 0" filter and counts can be answered from an index.

CREATE INDEX tickets_assignee_sla ON tickets(assignee_id, sla_due, id);
CREATE INDEX tickets_assignee_updated ON tickets(assignee_id, updated_at, id);
DROP INDEX tickets_status;
CREATE INDEX tickets_status ON tickets(status, updated_at, id);
DROP INDEX tickets_updated;
CREATE INDEX tickets_updated ON tickets(updated_at, id, status, priority,
    assignee_id);
DROP INDEX tickets_sla;
CREATE INDEX tickets_sla ON tickets(sla_due, id, status, priority,
    assignee_id);
DELETE FROM tickets WHERE deleted = 1;
DELETE FROM messages WHERE deleted = 1;
DELETE FROM customers WHERE deleted = 1;
DELETE FROM orders WHERE deleted = 1;
ANALYZE tickets;
