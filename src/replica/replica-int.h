/* replica-int.h: what the replica's own files share; nothing outside src/replica sees it. */
#ifndef TRIAGE_REPLICA_INT_H
#define TRIAGE_REPLICA_INT_H

#include <sqlite3.h>

#include "replica.h"

/* Cached prepared statements, one slot per fixed statement. */
enum replica_stmt {
	RS_PUT_ORG,
	RS_PUT_SLA,
	RS_PUT_TEAM,
	RS_PUT_USER,
	RS_PUT_CUSTOMER,
	RS_PUT_IDENTITY,
	RS_PUT_ORDER,
	RS_PUT_ORDER_ITEM,
	RS_PUT_SHIPMENT,
	RS_PUT_TICKET,
	RS_PUT_MESSAGE,
	RS_PUT_ATTACHMENT,
	RS_PUT_EVENT,
	RS_OUTBOX_APPEND,
	RS_OUTBOX_OVERLAY,
	RS_SETTING_GET,
	RS_COUNT
};

struct replica {
	sqlite3		*db;
	char		*path;
	int		 flags;
	int		 version;
	sqlite3_stmt	*stmts[RS_COUNT];
};

/* The caches' statement for slot, prepared on first use; NULL with *cause. */
sqlite3_stmt	*rp_stmt(struct replica *, enum replica_stmt, const char *,
		     char **);
int		 rp_prepare(struct replica *, const char *, sqlite3_stmt **,
		     char **);
char		*rp_error(struct replica *, const char *);	/* Caller frees. */
int		 rp_exec(struct replica *, const char *, char **);
int		 rp_lookup(struct replica *, const char *, const char *, char **,
		     char **);
int		 rp_outbox_undo_rejected(struct replica *, int64_t, char **);
int		 rp_notify_undo(struct replica *, const char *, const char *,
		     char **);

/*
 * What a bulk load drops and builds again at its end: the secondary
 * indexes, and the triggers that keep the full-text indexes, ticket_tags
 * and the dashboard's sums in step (a statement that fires a trigger keeps
 * a statement journal: a copy of every page it changes).
 */
#define RP_BULK_DEFERRED \
	"sql IS NOT NULL AND ((type = 'index' AND name NOT LIKE 'sqlite_%' " \
	"AND sql NOT LIKE 'CREATE UNIQUE%') OR (type = 'trigger' AND " \
	"(name LIKE '%_fts_%' OR name LIKE 'tickets_tags_%' OR " \
	"name LIKE 'tickets_stats_%')))"

void		 rp_bind_text(sqlite3_stmt *, int, const char *);
void		 rp_bind_int(sqlite3_stmt *, int, int64_t);	/* 0: NULL */
char		*rp_col_text(sqlite3_stmt *, int);	/* NULL stays NULL */
void		 rp_col_uuid(sqlite3_stmt *, int, char[UUID_STRLEN + 1]);
int64_t		 rp_col_int(sqlite3_stmt *, int);	/* NULL: 0 */

/* replica-stats.c: the dashboard's sums from the tickets, and their check. */
int		 rp_stats_rebuild(struct replica *, char **);
int		 rp_stats_check(struct replica *, char **);

/* The columns of struct ticket as the queue and ticket view read them. */
#define RP_TICKET_COLUMNS \
	"t.id, t.number, t.subject, t.status, t.priority, t.channel, " \
	"t.category, t.tags, t.customer_id, c.name, c.email, " \
	"t.assignee_id, u.name, u.email, t.team_id, tm.name, " \
	"t.created_at, t.updated_at, t.first_response_due, " \
	"t.first_response_at, t.resolution_due, t.solved_at, t.sla_due, " \
	"t.escalation, t.merged_into, t.rev, " \
	"EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id " \
	"AND o.state = 0), " \
	"EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id " \
	"AND o.state IN (2, 3))"
#define RP_TICKET_JOINS \
	"LEFT JOIN customers c ON c.id = t.customer_id " \
	"LEFT JOIN users u ON u.id = t.assignee_id " \
	"LEFT JOIN teams tm ON tm.id = t.team_id"
#define RP_TICKET_NCOLUMNS	28
void		 rp_read_ticket(sqlite3_stmt *, int, struct ticket *);

/* Bind a compiled query's parameters starting at index first. */
void		 rp_bind_query(sqlite3_stmt *, int, const struct query_sql *);
void		 rp_query_ctx(struct replica *, struct query_ctx *, char **me);

extern const char *const replica_migrations[];
extern const int replica_migrations_count;

#endif
