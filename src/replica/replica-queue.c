/* replica-queue.c: queue windows: a filter, a sort, keyset paging and counts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * Each sort is a list of key expressions over an index, ending in t.id so the
 * order is total, and a direction. A window after a ticket compares the row
 * value of its keys, so page 500,000 costs what page 1 does.
 */
struct queue_sort_def {
	const char	*name;
	const char	*keys[3];	/* index expressions, NULL-terminated */
	int		 desc;
};

static const struct queue_sort_def queue_sorts[QUEUE_SORT_COUNT] = {
	{ "sla", { "t.sla_due", "t.id", NULL }, 0 },
	{ "updated", { "t.updated_at", "t.id", NULL }, 1 },
	{ "priority", { "t.priority", "t.updated_at", "t.id" }, 1 },
	{ "number", { "ifnull(t.number, 9000000000000000000)", "t.id", NULL },
	    1 },
};

/* Append "(k1, k2) OP (?, ?)" comparing the sort keys with a ticket's. */
static void
queue_keyset(struct buf *sql, const struct queue_sort_def *d, const char *op)
{
	int	 i;

	buf_puts(sql, "(");
	for (i = 0; i < 3 && d->keys[i] != NULL; i++)
		buf_printf(sql, "%s%s", i ? ", " : "", d->keys[i]);
	buf_printf(sql, ") %s (", op);
	for (i = 0; i < 3 && d->keys[i] != NULL; i++)
		buf_puts(sql, i ? ", ?" : "?");
	buf_puts(sql, ")");
}

struct queue {
	struct replica		*r;
	enum queue_sort		 sort;
	struct query_sql	 sql;
	sqlite3_stmt		*fetch[4][2];	/* [flags][has from] */
	sqlite3_stmt		*count;
	sqlite3_stmt		*position;
};

/* The name of a sort ("sla", "updated", "priority", "number"). */
const char *
queue_sort_name(enum queue_sort s)
{
	if ((int)s < 0 || s >= QUEUE_SORT_COUNT)
		return ("?");
	return (queue_sorts[s].name);
}

/* How a sort is shown to people (translated; the name is what is typed). */
const char *
queue_sort_label(enum queue_sort s)
{
	static const char *const labels[QUEUE_SORT_COUNT] = {
		N_("SLA"), N_("updated"), N_("priority"), N_("number")
	};

	if ((int)s < 0 || s >= QUEUE_SORT_COUNT)
		return ("?");
	return (_(labels[s]));
}

/*
 * How a saved view is shown: the built-in ones (made by the replica's
 * first migration, in English) in the reader's language; the agent's own
 * as they named them. The name stays what --view and :view take.
 */
const char *
saved_view_label(const struct saved_view *sv)
{
	static const char *const builtin[] = {
		NC_("view", "My open"), NC_("view", "Unassigned"),
		NC_("view", "Breaching soon"), NC_("view", "All open"),
		NC_("view", "Pending"), NC_("view", "Recently solved")
	};
	size_t		 i;

	if (!sv->builtin)
		return (sv->name);
	for (i = 0; i < nitems(builtin); i++)
		if (strcmp(sv->name, builtin[i]) == 0)
			return (gettext_ctx_table("view", builtin[i]));
	return (sv->name);
}

/* A sort from its name, or -1. */
int
queue_sort_parse(const char *name)
{
	int	 i;

	for (i = 0; i < QUEUE_SORT_COUNT; i++)
		if (strcmp(name, queue_sorts[i].name) == 0)
			return (i);
	return (-1);
}

/* Bind a compiled query's parameters from index first on. */
void
rp_bind_query(sqlite3_stmt *s, int first, const struct query_sql *q)
{
	size_t	 i;

	for (i = 0; i < q->nparams; i++) {
		if (q->params[i].type == QUERY_PARAM_INT)
			sqlite3_bind_int64(s, first + (int)i, q->params[i].i);
		else
			sqlite3_bind_text(s, first + (int)i, q->params[i].s,
			    -1, SQLITE_TRANSIENT);
	}
}

/* Fill a query context for this replica: who "me" is and the time now. */
void
rp_query_ctx(struct replica *r, struct query_ctx *ctx, char **me)
{
	*me = replica_me(r);
	ctx->me = *me;
	ctx->now = time_now_ms();
}

/* Free what a ticket owns and zero it. */
void
ticket_clear(struct ticket *t)
{
	free(t->subject);
	free(t->channel);
	free(t->category);
	free(t->tags);
	free(t->customer_id);
	free(t->customer);
	free(t->customer_email);
	free(t->assignee_id);
	free(t->assignee);
	free(t->assignee_email);
	free(t->team_id);
	free(t->team);
	free(t->merged_into);
	memset(t, 0, sizeof *t);
}

/* Free a list of tickets. */
void
ticket_list_free(struct ticket_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		ticket_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Read RP_TICKET_COLUMNS starting at column c into t. */
void
rp_read_ticket(sqlite3_stmt *s, int c, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	rp_col_uuid(s, c + 0, t->id);
	t->number = rp_col_int(s, c + 1);
	t->subject = rp_col_text(s, c + 2);
	t->status = (int)rp_col_int(s, c + 3);
	t->priority = (int)rp_col_int(s, c + 4);
	t->channel = rp_col_text(s, c + 5);
	t->category = rp_col_text(s, c + 6);
	t->tags = rp_col_text(s, c + 7);
	t->customer_id = rp_col_text(s, c + 8);
	t->customer = rp_col_text(s, c + 9);
	t->customer_email = rp_col_text(s, c + 10);
	t->assignee_id = rp_col_text(s, c + 11);
	t->assignee = rp_col_text(s, c + 12);
	t->assignee_email = rp_col_text(s, c + 13);
	t->team_id = rp_col_text(s, c + 14);
	t->team = rp_col_text(s, c + 15);
	t->created_at = rp_col_int(s, c + 16);
	t->updated_at = rp_col_int(s, c + 17);
	t->first_response_due = rp_col_int(s, c + 18);
	t->first_response_at = rp_col_int(s, c + 19);
	t->resolution_due = rp_col_int(s, c + 20);
	t->solved_at = rp_col_int(s, c + 21);
	t->sla_due = rp_col_int(s, c + 22);
	t->escalation = (int)rp_col_int(s, c + 23);
	t->merged_into = rp_col_text(s, c + 24);
	t->rev = rp_col_int(s, c + 25);
	t->pending = (int)rp_col_int(s, c + 26);
	t->rejected = (int)rp_col_int(s, c + 27);
}

/* Prepare the statement for one paging direction, with or without a start. */
static int
queue_prepare_fetch(struct queue *q, int flags, int from, char **cause)
{
	const struct queue_sort_def	*d = &queue_sorts[q->sort];
	struct buf			 sql = BUF_INIT;
	int				 desc, i, rc, incl;

	desc = d->desc ^ ((flags & QUEUE_BACKWARD) != 0);
	incl = (flags & QUEUE_INCLUSIVE) != 0;
	buf_printf(&sql, "SELECT " RP_TICKET_COLUMNS " FROM tickets t "
	    RP_TICKET_JOINS " WHERE (%s)",
	    buf_cstr(&q->sql.where));
	if (from) {
		buf_puts(&sql, " AND ");
		queue_keyset(&sql, d, desc ? (incl ? "<=" : "<") :
		    (incl ? ">=" : ">"));
	}
	buf_puts(&sql, " ORDER BY ");
	for (i = 0; i < 3 && d->keys[i] != NULL; i++)
		buf_printf(&sql, "%s%s %s", i ? ", " : "", d->keys[i],
		    desc ? "DESC" : "ASC");
	buf_puts(&sql, " LIMIT ?");
	rc = rp_prepare(q->r, buf_cstr(&sql), &q->fetch[flags][from], cause);
	buf_free(&sql);
	return (rc);
}

/* Compile a query text and sort into a queue; errors name the token. */
int
replica_queue_open(struct replica *r, const char *text, enum queue_sort sort,
    struct queue **out, struct query_error *err)
{
	struct queue		*q;
	struct query		*ast;
	struct query_ctx	 ctx;
	char			*me, *cause = NULL;
	struct buf		 sql = BUF_INIT;

	memset(err, 0, sizeof *err);
	if ((int)sort < 0 || sort >= QUEUE_SORT_COUNT)
		sort = QUEUE_SORT_SLA;
	if (query_parse(text != NULL ? text : "", &ast, err) != 0)
		return (-1);
	rp_query_ctx(r, &ctx, &me);
	q = xcalloc(1, sizeof *q);
	q->r = r;
	q->sort = sort;
	if (query_compile(ast, &ctx, &q->sql, err) != 0) {
		query_free(ast);
		free(me);
		free(q);
		return (-1);
	}
	query_free(ast);
	free(me);

	buf_printf(&sql, "SELECT count(*) FROM tickets t WHERE (%s)",
	    buf_cstr(&q->sql.where));
	if (rp_prepare(r, buf_cstr(&sql), &q->count, &cause) != 0)
		goto fail;
	buf_free(&sql);
	*out = q;
	return (0);
fail:
	buf_free(&sql);
	err->message = cause;
	replica_queue_close(q);
	return (-1);
}

/* Bind the sort keys of ticket t from parameter index first on. */
static int
queue_bind_keys(struct queue *q, sqlite3_stmt *s, int first,
    const struct ticket *t)
{
	switch (q->sort) {
	case QUEUE_SORT_SLA:
		sqlite3_bind_int64(s, first++, t->sla_due);
		break;
	case QUEUE_SORT_UPDATED:
		sqlite3_bind_int64(s, first++, t->updated_at);
		break;
	case QUEUE_SORT_PRIORITY:
		sqlite3_bind_int64(s, first++, t->priority);
		sqlite3_bind_int64(s, first++, t->updated_at);
		break;
	case QUEUE_SORT_NUMBER:
		sqlite3_bind_int64(s, first++, t->number != 0 ? t->number :
		    REPLICA_NO_DUE);
		break;
	}
	sqlite3_bind_text(s, first++, t->id, -1, SQLITE_TRANSIENT);
	return (first);
}

/* Fetch a window of tickets after (or before) `from`, in display order. */
int
replica_queue_fetch(struct queue *q, const struct ticket *from, int flags,
    size_t limit, struct ticket_list *out, char **cause)
{
	sqlite3_stmt	*s;
	int		 idx, rc, b = flags & 3, f = from != NULL;
	size_t		 i, cap = 0;
	struct ticket	 tmp;

	out->v = NULL;
	out->n = 0;
	if (q->fetch[b][f] == NULL &&
	    queue_prepare_fetch(q, b, f, cause) != 0)
		return (-1);
	s = q->fetch[b][f];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	rp_bind_query(s, 1, &q->sql);
	idx = 1 + (int)q->sql.nparams;
	if (from != NULL)
		idx = queue_bind_keys(q, s, idx, from);
	sqlite3_bind_int64(s, idx, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap == 0 ? (limit < 64 ? limit + 1 : 64) :
			    cap * 2;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		rp_read_ticket(s, 0, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(q->r, _("reading the queue"));
		ticket_list_free(out);
		return (-1);
	}
	if (flags & QUEUE_BACKWARD) {
		for (i = 0; i < out->n / 2; i++) {
			tmp = out->v[i];
			out->v[i] = out->v[out->n - 1 - i];
			out->v[out->n - 1 - i] = tmp;
		}
	}
	return (0);
}

/* The number of tickets the queue's filter matches. */
int
replica_queue_count(struct queue *q, int64_t *count, char **cause)
{
	int	 rc;

	sqlite3_reset(q->count);
	sqlite3_clear_bindings(q->count);
	rp_bind_query(q->count, 1, &q->sql);
	rc = sqlite3_step(q->count);
	if (rc != SQLITE_ROW) {
		*cause = rp_error(q->r, _("counting the queue"));
		sqlite3_reset(q->count);
		return (-1);
	}
	*count = sqlite3_column_int64(q->count, 0);
	sqlite3_reset(q->count);
	return (0);
}

/* How many tickets come before t in the queue's order. */
int
replica_queue_position(struct queue *q, const struct ticket *t, int64_t *pos,
    char **cause)
{
	const struct queue_sort_def	*d = &queue_sorts[q->sort];
	struct buf			 sql = BUF_INIT;
	int				 rc;

	if (q->position == NULL) {
		buf_printf(&sql, "SELECT count(*) FROM tickets t WHERE "
		    "(%s) AND ", buf_cstr(&q->sql.where));
		queue_keyset(&sql, d, d->desc ? ">" : "<");
		rc = rp_prepare(q->r, buf_cstr(&sql), &q->position, cause);
		buf_free(&sql);
		if (rc != 0)
			return (-1);
	}
	sqlite3_reset(q->position);
	sqlite3_clear_bindings(q->position);
	rp_bind_query(q->position, 1, &q->sql);
	queue_bind_keys(q, q->position, 1 + (int)q->sql.nparams, t);
	if (sqlite3_step(q->position) != SQLITE_ROW) {
		*cause = rp_error(q->r, _("locating a ticket in the queue"));
		sqlite3_reset(q->position);
		return (-1);
	}
	*pos = sqlite3_column_int64(q->position, 0);
	sqlite3_reset(q->position);
	return (0);
}

/* Free a queue and its statements. */
void
replica_queue_close(struct queue *q)
{
	int	 i, j;

	if (q == NULL)
		return;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			sqlite3_finalize(q->fetch[i][j]);
	sqlite3_finalize(q->count);
	sqlite3_finalize(q->position);
	query_sql_free(&q->sql);
	free(q);
}

/* Free what a saved view owns. */
void
saved_view_clear(struct saved_view *v)
{
	free(v->name);
	free(v->query);
	memset(v, 0, sizeof *v);
}

/* Free a list of saved views. */
void
saved_view_list_free(struct saved_view_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		saved_view_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
view_read(sqlite3_stmt *s, struct saved_view *v)
{
	char	*sort;
	int	 k;

	v->name = rp_col_text(s, 0);
	v->query = rp_col_text(s, 1);
	sort = rp_col_text(s, 2);
	k = sort != NULL ? queue_sort_parse(sort) : -1;
	v->sort = k < 0 ? QUEUE_SORT_SLA : (enum queue_sort)k;
	free(sort);
	v->builtin = (int)rp_col_int(s, 3);
}

/* All saved views in display order. */
int
replica_views(struct replica *r, struct saved_view_list *out, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	out->v = NULL;
	out->n = 0;
	if (rp_prepare(r, "SELECT name, query, sort, builtin FROM saved_views "
	    "ORDER BY position, name", &s, cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		view_read(s, &out->v[out->n++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading saved views"));
		saved_view_list_free(out);
		return (-1);
	}
	return (0);
}

/* One saved view by name (case-insensitive). */
int
replica_view_get(struct replica *r, const char *name, struct saved_view *v,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(v, 0, sizeof *v);
	if (rp_prepare(r, "SELECT name, query, sort, builtin FROM saved_views "
	    "WHERE name = ? COLLATE NOCASE", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		view_read(s, v);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading a saved view"));
		return (-1);
	}
	return (REPLICA_NOTFOUND);
}

/* Save (or replace) a user view at the end of the list. */
int
replica_view_save(struct replica *r, const char *name, const char *query,
    enum queue_sort sort, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "INSERT INTO saved_views(name, query, sort, position) "
	    "VALUES (?, ?, ?, (SELECT ifnull(max(position), 0) + 1 FROM "
	    "saved_views)) ON CONFLICT(name) DO UPDATE SET "
	    "query = excluded.query, sort = excluded.sort", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, name);
	rp_bind_text(s, 2, query);
	rp_bind_text(s, 3, queue_sort_name(sort));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("saving a view"));
		return (-1);
	}
	return (0);
}
