-- 005-assignee-covering.sql: replica schema version 5. The assignee indexes
-- carry status and priority, so paging "My open" or "Unassigned" to the end
-- (where an agent's solved tickets sort) skips rows inside the index
-- instead of reading each ticket.

DROP INDEX tickets_assignee_sla;
CREATE INDEX tickets_assignee_sla ON tickets(assignee_id, sla_due, id,
    status, priority);
DROP INDEX tickets_assignee_updated;
CREATE INDEX tickets_assignee_updated ON tickets(assignee_id, updated_at, id,
    status, priority);
ANALYZE tickets;
