/* query-sql.c: compiles a query's AST into an SQL condition with bound parameters. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "query-int.h"

/* The replica's sla_due when no SLA clock runs. */
#define SLA_NONE	"9000000000000000000"

#define DAY_MS		(86400 * 1000LL)

/* One compilation: where SQL and parameters go; who "me" is, when "now" is. */
struct compiler {
	struct query_sql	*sql;
	const char		*me;
	int64_t			 now;
};

typedef void (*compile_fn)(struct compiler *, const struct query_term *,
    const struct query_value *);

static void	 compile_text(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_enum(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_assignee(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_team(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_tag(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_customer(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_channel(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_category(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_age(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_sla(struct compiler *, const struct query_term *,
		     const struct query_value *);
static void	 compile_is(struct compiler *, const struct query_term *,
		     const struct query_value *);

/* How each field's values become SQL. */
static const compile_fn compilers[QUERY_F_COUNT] = {
	[QUERY_F_TEXT] = compile_text,
	[QUERY_F_STATUS] = compile_enum,
	[QUERY_F_PRIORITY] = compile_enum,
	[QUERY_F_ASSIGNEE] = compile_assignee,
	[QUERY_F_TEAM] = compile_team,
	[QUERY_F_TAG] = compile_tag,
	[QUERY_F_CUSTOMER] = compile_customer,
	[QUERY_F_CHANNEL] = compile_channel,
	[QUERY_F_CATEGORY] = compile_category,
	[QUERY_F_CREATED] = compile_age,
	[QUERY_F_UPDATED] = compile_age,
	[QUERY_F_SLA] = compile_sla,
	[QUERY_F_IS] = compile_is,
};

/* SQL for each operator, by enum query_op. */
static const char *const op_sql[] = { "=", "<", "<=", ">", ">=" };

/* The same operators applied to an age: newer than means a later time. */
static const char *const op_age_sql[] = { ">", ">", ">=", "<", "<=" };

/* Conditions for the is: flags that need no parameters, by enum query_is. */
static const char *const is_sql[] = {
	[QUERY_IS_PENDING] = "EXISTS (SELECT 1 FROM outbox o"
	    " WHERE o.ticket_id = t.id AND o.state = 0)",
	[QUERY_IS_UNASSIGNED] = "t.assignee_id IS NULL",
	[QUERY_IS_ASSIGNED] = "t.assignee_id IS NOT NULL",
	[QUERY_IS_MINE] = NULL,
	[QUERY_IS_BREACHED] = NULL,
	[QUERY_IS_NEW] = "t.number IS NULL",
};

/* a + b, held at the int64 limits rather than overflowing. */
static int64_t
add_sat(int64_t a, int64_t b)
{
	int64_t	 r;

	if (__builtin_add_overflow(a, b, &r))
		return (b > 0 ? INT64_MAX : INT64_MIN);
	return (r);
}

/* a - b, held at the int64 limits rather than overflowing. */
static int64_t
sub_sat(int64_t a, int64_t b)
{
	int64_t	 r;

	if (__builtin_sub_overflow(a, b, &r))
		return (b < 0 ? INT64_MAX : INT64_MIN);
	return (r);
}

/* Make room for one more parameter and return it, zeroed. */
static struct query_param *
param_new(struct query_sql *sql)
{
	struct query_param	*p;
	size_t			 n = sql->nparams;

	/* The array's size is 8, then the next power of two. */
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
		sql->params = xreallocarray(sql->params, n == 0 ? 8 : n * 2,
		    sizeof *sql->params);
	}
	p = &sql->params[sql->nparams++];
	memset(p, 0, sizeof *p);
	return (p);
}

/* Add an integer parameter. */
static void
param_int(struct compiler *c, int64_t i)
{
	struct query_param	*p = param_new(c->sql);

	p->type = QUERY_PARAM_INT;
	p->i = i;
}

/* Add a text parameter (copied). */
static void
param_text(struct compiler *c, const char *s)
{
	struct query_param	*p = param_new(c->sql);

	p->type = QUERY_PARAM_TEXT;
	p->s = xstrdup(s);
}

/* Add an FTS5 string parameter: s as one "quoted" string, '"' doubled. */
static void
param_fts(struct compiler *c, const char *s, int prefix)
{
	struct query_param	*p = param_new(c->sql);
	struct buf		 b = BUF_INIT;

	buf_putc(&b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(&b, '"');
		buf_putc(&b, *s);
	}
	buf_putc(&b, '"');
	if (prefix)
		buf_puts(&b, " *");
	p->type = QUERY_PARAM_TEXT;
	p->s = buf_detach(&b);
}

/* Append SQL text (never user text). */
static void
sql_puts(struct compiler *c, const char *s)
{
	buf_puts(&c->sql->where, s);
}

/* Free text: the subject or tags, or any live message's body, match. */
static void
compile_text(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	c->sql->has_text = 1;
	sql_puts(c, "(t.rid IN (SELECT rowid FROM tickets_fts"
	    " WHERE tickets_fts MATCH ?)"
	    " OR t.id IN (SELECT m.ticket_id FROM messages m"
	    " WHERE m.rid IN (SELECT rowid FROM messages_fts"
	    " WHERE messages_fts MATCH ?)))");
	param_fts(c, v->s, 0);
	param_fts(c, v->s, 0);
}

/* status: and priority: names, "unsolved", comparisons. */
static void
compile_enum(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	const char	*col;

	if (v->kind == QUERY_V_UNSOLVED) {
		sql_puts(c, "t.status IN (?, ?, ?, ?)");
		param_int(c, TICKET_NEW);
		param_int(c, TICKET_OPEN);
		param_int(c, TICKET_PENDING);
		param_int(c, TICKET_ON_HOLD);
		return;
	}
	col = t->field == QUERY_F_STATUS ? "t.status" : "t.priority";
	buf_printf(&c->sql->where, "%s %s ?", col, op_sql[v->op]);
	param_int(c, v->n);
}

/* The current user's tickets; nothing when nobody is logged in. */
static void
compile_me(struct compiler *c)
{
	if (c->me == NULL) {
		sql_puts(c, "0");
		return;
	}
	sql_puts(c, "t.assignee_id = ?");
	param_text(c, c->me);
}

/* assignee: me, none, or a user by email address. */
static void
compile_assignee(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	switch (v->kind) {
	case QUERY_V_ME:
		compile_me(c);
		break;
	case QUERY_V_NONE:
		sql_puts(c, "t.assignee_id IS NULL");
		break;
	default:
		sql_puts(c, "t.assignee_id IN (SELECT u.id FROM users u"
		    " WHERE u.email = ? COLLATE NOCASE)");
		param_text(c, v->s);
		break;
	}
}

/* team: by name, or none. */
static void
compile_team(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	if (v->kind == QUERY_V_NONE) {
		sql_puts(c, "t.team_id IS NULL");
		return;
	}
	sql_puts(c, "t.team_id IN (SELECT tm.id FROM teams tm"
	    " WHERE tm.name = ? COLLATE NOCASE)");
	param_text(c, v->s);
}

/* tag: one of the ticket's tags. */
static void
compile_tag(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	sql_puts(c, "EXISTS (SELECT 1 FROM ticket_tags tt"
	    " WHERE tt.ticket_id = t.id AND tt.tag = ? COLLATE NOCASE)");
	param_text(c, v->s);
}

/* customer: name, email or company words as a prefix phrase, or the email. */
static void
compile_customer(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	sql_puts(c, "t.customer_id IN (SELECT c.id FROM customers c"
	    " WHERE c.rid IN (SELECT rowid FROM customers_fts"
	    " WHERE customers_fts MATCH ?)"
	    " OR c.email = ? COLLATE NOCASE)");
	param_fts(c, v->s, 1);
	param_text(c, v->s);
}

/* channel: exact, ignoring case. */
static void
compile_channel(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	sql_puts(c, "t.channel = ? COLLATE NOCASE");
	param_text(c, v->s);
}

/* category: exact, ignoring case, or none. */
static void
compile_category(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	if (v->kind == QUERY_V_NONE) {
		sql_puts(c, "t.category IS NULL");
		return;
	}
	sql_puts(c, "t.category = ? COLLATE NOCASE");
	param_text(c, v->s);
}

/*
 * Compare col with an instant or a whole day. A day is [n, n + 1 day):
 * <D is before it, <=D before its end, >D after its end, >=D from its start.
 */
static void
compile_instant(struct compiler *c, const char *col,
    const struct query_value *v)
{
	struct buf	*w = &c->sql->where;
	int64_t		 end;

	if (v->kind != QUERY_V_DAY) {
		buf_printf(w, "%s %s ?", col, op_sql[v->op]);
		param_int(c, v->n);
		return;
	}
	end = add_sat(v->n, DAY_MS);
	switch (v->op) {
	case QUERY_OP_EQ:
		buf_printf(w, "(%s >= ? AND %s < ?)", col, col);
		param_int(c, v->n);
		param_int(c, end);
		break;
	case QUERY_OP_LT:
		buf_printf(w, "%s < ?", col);
		param_int(c, v->n);
		break;
	case QUERY_OP_LE:
		buf_printf(w, "%s < ?", col);
		param_int(c, end);
		break;
	case QUERY_OP_GT:
		buf_printf(w, "%s >= ?", col);
		param_int(c, end);
		break;
	case QUERY_OP_GE:
		buf_printf(w, "%s >= ?", col);
		param_int(c, v->n);
		break;
	}
}

/* created:, updated: <7d is newer than 7 days, >2h older than 2 hours. */
static void
compile_age(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	const char	*col;

	col = t->field == QUERY_F_CREATED ? "t.created_at" : "t.updated_at";
	if (v->kind != QUERY_V_DURATION) {
		compile_instant(c, col, v);
		return;
	}
	buf_printf(&c->sql->where, "%s %s ?", col, op_age_sql[v->op]);
	param_int(c, sub_sat(c->now, v->n));
}

/* Tickets whose nearest SLA clock has run out. */
static void
compile_breached(struct compiler *c)
{
	sql_puts(c, "(t.sla_due < " SLA_NONE " AND t.sla_due <= ?)");
	param_int(c, c->now);
}

/*
 * sla: breached, none (no clock runs), or when the nearest running clock
 * runs out: <2h within two hours (breached ones too), >4h later than that.
 */
static void
compile_sla(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	enum query_op	 op;

	switch (v->kind) {
	case QUERY_V_BREACHED:
		compile_breached(c);
		return;
	case QUERY_V_NONE:
		sql_puts(c, "t.sla_due >= " SLA_NONE);
		return;
	case QUERY_V_DURATION:
		op = v->op == QUERY_OP_EQ ? QUERY_OP_LT : v->op;
		buf_printf(&c->sql->where, "(t.sla_due < " SLA_NONE
		    " AND t.sla_due %s ?)", op_sql[op]);
		param_int(c, add_sat(c->now, v->n));
		return;
	default:
		sql_puts(c, "(t.sla_due < " SLA_NONE " AND ");
		compile_instant(c, "t.sla_due", v);
		sql_puts(c, ")");
		return;
	}
}

/* is: flags. */
static void
compile_is(struct compiler *c, const struct query_term *t,
    const struct query_value *v)
{
	switch (v->n) {
	case QUERY_IS_MINE:
		compile_me(c);
		break;
	case QUERY_IS_BREACHED:
		compile_breached(c);
		break;
	default:
		if (v->n >= 0 && (size_t)v->n < nitems(is_sql) &&
		    is_sql[v->n] != NULL)
			sql_puts(c, is_sql[v->n]);
		else
			sql_puts(c, "0");
		break;
	}
}

/*
 * Turn a parsed query into an SQL condition with '?' parameters. A NULL ctx
 * or a zero ctx->now means the current time; a NULL ctx->me matches no one.
 */
int
query_compile(const struct query *q, const struct query_ctx *ctx,
    struct query_sql *sql, struct query_error *err)
{
	struct compiler			 c;
	const struct query_term		*t;
	size_t				 i, j;

	if (err != NULL)
		memset(err, 0, sizeof *err);
	memset(sql, 0, sizeof *sql);
	buf_init(&sql->where);

	c.sql = sql;
	c.me = ctx != NULL ? ctx->me : NULL;
	c.now = ctx != NULL && ctx->now != 0 ? ctx->now : time_now_ms();

	if (q == NULL || q->nterms == 0) {
		buf_puts(&sql->where, "1");
		return (0);
	}
	for (i = 0; i < q->nterms; i++) {
		t = &q->terms[i];
		if (i > 0)
			sql_puts(&c, " AND ");
		/* NOT of a NULL (say category = ? on no category) is true. */
		if (t->negated)
			sql_puts(&c, "NOT ifnull(");
		sql_puts(&c, "(");
		for (j = 0; j < t->nvalues; j++) {
			if (j > 0)
				sql_puts(&c, " OR ");
			compilers[t->field](&c, t, &t->values[j]);
		}
		sql_puts(&c, ")");
		if (t->negated)
			sql_puts(&c, ", 0)");
	}
	return (0);
}

/* Free compiled SQL and its parameters, leaving it empty. */
void
query_sql_free(struct query_sql *sql)
{
	size_t	 i;

	if (sql == NULL)
		return;
	buf_free(&sql->where);
	for (i = 0; i < sql->nparams; i++)
		free(sql->params[i].s);
	free(sql->params);
	sql->params = NULL;
	sql->nparams = 0;
	sql->has_text = 0;
}
