/* pull.c: GET /v1/pull, waiting pulls, and the LISTEN thread that wakes them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server-int.h"

#define PULL_DEFAULT_LIMIT	1000
#define PULL_MAX_LIMIT		10000

/*
 * What each synced table sends: a select list (times as epoch ms) that
 * becomes one compact JSON object per row, and the rows VIEWERs never
 * receive. Rows come in rev order across all tables; a row appears once,
 * at its latest rev, with deleted set for tombstones (deletes, merges).
 */
static const struct pull_table {
	const char	*name;
	const char	*fields;
	const char	*viewer_hides;	/* extra condition for viewers */
} pull_tables[] = {
	{ "orgs", "id, name, business_hours, time_zone", NULL },
	{ "sla_policies", "id, priority, first_response_mins, "
	  "resolution_mins, business_hours", NULL },
	{ "teams", "id, name, lead_id", NULL },
	{ "users", "id, email, name, role, team_id, signature, available, "
	  "active", NULL },
	{ "customers", "id, name, email, phone, company, "
	  "ms(created_at) AS created_at, ms(updated_at) AS updated_at", NULL },
	{ "identities", "id, customer_id, kind, value", NULL },
	{ "orders", "id, customer_id, number, status, currency, total_cents, "
	  "ms(placed_at) AS placed_at", NULL },
	{ "order_items", "id, order_id, sku, title, qty, unit_price_cents",
	  NULL },
	{ "shipments", "id, order_id, carrier, tracking, status, "
	  "ms(shipped_at) AS shipped_at, ms(delivered_at) AS delivered_at",
	  NULL },
	{ "tickets", "id, number, subject, status, priority, channel, "
	  "category, tags, customer_id, assignee_id, team_id, "
	  "ms(created_at) AS created_at, ms(updated_at) AS updated_at, "
	  "ms(first_response_due) AS first_response_due, "
	  "ms(first_response_at) AS first_response_at, "
	  "ms(resolution_due) AS resolution_due, ms(solved_at) AS solved_at, "
	  "escalation, merged_into", NULL },
	{ "messages", "id, ticket_id, author, author_id, internal, body, "
	  "ms(created_at) AS created_at, delivery, delivery_reason, "
	  "macro_commit", "NOT t.internal" },
	{ "attachments", "id, message_id, ticket_id, name, mime, size, sha256",
	  "NOT t.internal" },
	{ "events", "id, ticket_id, actor_id, field, old_value, new_value, "
	  "ms(created_at) AS created_at", "t.field <> 'note'" },
};
#define PULL_NTABLES	(sizeof pull_tables / sizeof pull_tables[0])
#define PULL_BOUND	PULL_NTABLES		/* after each table's rows */
#define PULL_NSTMTS	(PULL_NTABLES + 1)

/*
 * A page is read in two steps. The bounds: over every table's (org, rev)
 * index, the rev of the limit-th row after since, and whether one more
 * exists. Then each table's rows in (since, bound], typed columns turned
 * into JSON here: PostgreSQL's own JSON functions cost twice the time of
 * reading the columns, and a page is grouped by table anyway.
 *
 * Each is a statement prepared once per pooled connection (pull_prepare)
 * and planned once (PULL_BEGIN): planning the 13-way bound afresh took
 * longer than running it, and long-polling clients ask again and again.
 */
struct pull_sql {
	char	*name[PULL_NSTMTS];	/* each table's rows, then the bound */
	char	*sql[PULL_NSTMTS];
};
static struct pull_sql	 pull_sql[2];	/* agents and admins; viewers */
/* The tail (pull-tail.c): each table's rows after a rev, for everyone,
 * with whether viewers see each as a last column. */
static struct pull_sql	 pull_sql_tail;
static pthread_once_t	 pull_sql_once = PTHREAD_ONCE_INIT;

/*
 * One snapshot for both steps: no row is counted and then missed. Generic
 * plans, made on a statement's first run and kept: left to itself,
 * PostgreSQL would re-plan the row statements of the big tables on every
 * run, as their custom plans for a long poll's few rows look cheaper than
 * the generic one; yet the generic plans, index scans on (org, rev) in rev
 * order, are as fast for those few rows and for a full page alike. LOCAL:
 * for this transaction only; other statements keep PostgreSQL's choice.
 */
#define PULL_BEGIN	"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " \
	"SET LOCAL plan_cache_mode = force_generic_plan"

static const char *
pull_where(size_t i, int viewer)
{
	return (viewer && pull_tables[i].viewer_hides != NULL ?
	    pull_tables[i].viewer_hides : "true");
}

static void
pull_build_sql(void)
{
	struct buf	 b;
	size_t		 i;
	int		 v;

	for (v = 0; v < 2; v++) {
		buf_init(&b);
		/* With more to come, the organisation's last rev (the
		 * client's progress): evaluated only then. */
		buf_puts(&b, "SELECT rev, count(*) OVER (), CASE WHEN "
		    "count(*) OVER () > $3 THEN (SELECT max(m) FROM (");
		for (i = 0; i < PULL_NTABLES; i++)
			buf_printf(&b, "%sSELECT (SELECT max(rev) FROM %s WHERE "
			    "%s = $1) m", i == 0 ? "" : " UNION ALL ",
			    pull_tables[i].name, i == 0 ? "id" : "org_id");
		buf_puts(&b, ") h) END FROM (SELECT rev FROM (");
		for (i = 0; i < PULL_NTABLES; i++)
			/* limit + 1 from each table: the page is full and
			 * more is true even when one table has all. */
			buf_printf(&b, "%s(SELECT t.rev FROM %s t WHERE %s = "
			    "$1 AND t.rev > $2 AND %s ORDER BY t.rev "
			    "LIMIT $3::bigint + 1)",
			    i == 0 ? "" : " UNION ALL ", pull_tables[i].name,
			    i == 0 ? "t.id" : "t.org_id", pull_where(i, v));
		buf_puts(&b, ") x ORDER BY rev LIMIT $3::bigint + 1) y ORDER BY "
		    "rev DESC LIMIT 2");
		pull_sql[v].sql[PULL_BOUND] = buf_detach(&b);
		pull_sql[v].name[PULL_BOUND] = xprintf("pull%d_bound", v);
		for (i = 0; i < PULL_NTABLES; i++) {
			pull_sql[v].sql[i] = xprintf("SELECT %s, rev, deleted "
			    "FROM %s t WHERE %s = $1 AND t.rev > $2 AND t.rev "
			    "<= $3 AND %s ORDER BY t.rev", pull_tables[i].fields,
			    pull_tables[i].name, i == 0 ? "t.id" : "t.org_id",
			    pull_where(i, v));
			pull_sql[v].name[i] = xprintf("pull%d_%s", v,
			    pull_tables[i].name);
		}
	}
	for (i = 0; i < PULL_NTABLES; i++) {
		pull_sql_tail.sql[i] = xprintf("SELECT %s, rev, deleted, "
		    "coalesce(%s, false) FROM %s t WHERE %s = $1 AND t.rev > $2 "
		    "ORDER BY t.rev LIMIT $3", pull_tables[i].fields,
		    pull_where(i, 1), pull_tables[i].name,
		    i == 0 ? "t.id" : "t.org_id");
		pull_sql_tail.name[i] = xprintf("tail_%s", pull_tables[i].name);
	}
}

/*
 * Prepare a variant's statements on c unless it has them already (viewer
 * 1 for viewers, 0 for the others, -1 for the tail's): once
 * per pooled connection, and again on the connection that replaces it.
 * 0, or -1 with err and cause; then some may be prepared and some not,
 * and the caller drops the connection.
 */
static int
pull_prepare(struct pg_pool *pool, PGconn *c, int viewer,
    struct pg_err *err, char **cause)
{
	unsigned int	*set, bit;
	size_t		 i;

	const struct pull_sql *ps;
	size_t		 n;

	pthread_once(&pull_sql_once, pull_build_sql);
	if (viewer < 0) {
		bit = PG_PREPARED_PULL_TAIL;
		ps = &pull_sql_tail;
		n = PULL_NTABLES;
	} else {
		bit = viewer ? PG_PREPARED_PULL_VIEWER : PG_PREPARED_PULL;
		ps = &pull_sql[viewer];
		n = PULL_NSTMTS;
	}
	if ((set = pg_prepared(pool, c)) == NULL)
		fatalx("%s: not a connection held from the pool", __func__);
	if (*set & bit)
		return (0);
	for (i = 0; i < n; i++)
		if (pg_prepare(c, ps->name[i], ps->sql[i], 3, err, cause) != 0)
			return (-1);
	*set |= bit;
	return (0);
}

/* A JSON string of valid UTF-8 (PostgreSQL's text always is). */
static void
pull_json_string(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t		 i, run = 0;

	buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
			continue;
		buf_append(out, s + run, i - run);
		run = i + 1;
		switch (p[i]) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		default:
			buf_puts(out, "\\u00");
			buf_putc(out, hex[p[i] >> 4]);
			buf_putc(out, hex[p[i] & 0xf]);
			break;
		}
	}
	buf_append(out, s + run, len - run);
	buf_putc(out, '"');
}

/* PostgreSQL type OIDs written as JSON literals rather than strings. */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_JSONB	3802

/*
 * A result's field names as JSON keys, "{"name": then ","name":, made
 * once per result: formatting them for every field of every row was a
 * third of the server's time in a first sync.
 */
struct pull_keys {
	struct buf	 text;
	size_t		*off;		/* nf + 1 offsets into text */
	int		 nf;
	Oid		*type;
};

static void
pull_keys_init(struct pull_keys *k, PGresult *res, int nf)
{
	int	 f;

	buf_init(&k->text);
	k->nf = nf;
	k->off = xreallocarray(NULL, (size_t)nf + 1, sizeof *k->off);
	k->type = xreallocarray(NULL, (size_t)nf + 1, sizeof *k->type);
	for (f = 0; f < nf; f++) {
		k->off[f] = k->text.len;
		k->type[f] = PQftype(res, f);
		buf_puts(&k->text, f == 0 ? "{" : ",");
		buf_json_string(&k->text, PQfname(res, f));
		buf_putc(&k->text, ':');
	}
	k->off[nf] = k->text.len;
}

static void
pull_keys_free(struct pull_keys *k)
{
	buf_free(&k->text);
	free(k->off);
	free(k->type);
}

/* Append row r of a result as a JSON object of the fields in k. */
static void
pull_row_json(PGresult *res, int r, const struct pull_keys *k,
    struct buf *out)
{
	Oid	 type;
	int	 f;

	for (f = 0; f < k->nf; f++) {
		buf_append(out, k->text.data + k->off[f],
		    k->off[f + 1] - k->off[f]);
		if (PQgetisnull(res, r, f)) {
			buf_append(out, "null", 4);
			continue;
		}
		type = k->type[f];
		if (type == OID_BOOL)
			buf_puts(out, *PQgetvalue(res, r, f) == 't' ?
			    "true" : "false");
		else if (type == OID_INT8 || type == OID_INT4 ||
		    type == OID_INT2 || type == OID_JSON || type == OID_JSONB)
			buf_append(out, PQgetvalue(res, r, f),
			    (size_t)PQgetlength(res, r, f));
		else
			pull_json_string(out, PQgetvalue(res, r, f),
			    (size_t)PQgetlength(res, r, f));
	}
	buf_putc(out, '}');
}

/* Append a result's rows as JSON objects, "[{...},...]". */
static void
pull_rows_json(PGresult *res, struct buf *out)
{
	struct pull_keys k;
	int		 n = PQntuples(res), r;

	pull_keys_init(&k, res, PQnfields(res));
	buf_putc(out, '[');
	for (r = 0; r < n; r++) {
		if (r > 0)
			buf_putc(out, ',');
		pull_row_json(res, r, &k, out);
	}
	buf_putc(out, ']');
	pull_keys_free(&k);
}

/* What to do with each table's rows read by pull_pipeline. */
typedef void (*pull_each_fn)(void *arg, size_t table, PGresult *res);

/*
 * Run each table's statement of a set (names) with params p in one
 * pipeline and hand each result with rows to each(). 0, or -1 with cause
 * (and the first error's SQLSTATE in err).
 */
static int
pull_pipeline(PGconn *c, char *const *names, const char *const *p,
    pull_each_fn each, void *arg, struct pg_err *err, char **cause)
{
	PGresult	*res;
	const char	*state;
	size_t		 i;
	int		 st, rc = 0;

	if (PQenterPipelineMode(c) != 1) {
		*cause = xstrdup(PQerrorMessage(c));
		return (-1);
	}
	for (i = 0; i < PULL_NTABLES; i++)
		if (PQsendQueryPrepared(c, names[i], 3, p, NULL, NULL, 0) != 1)
			break;
	if (i < PULL_NTABLES || PQpipelineSync(c) != 1) {
		*cause = xstrdup(PQerrorMessage(c));
		err->lost = PQstatus(c) != CONNECTION_OK;
		return (-1);
	}
	for (i = 0;;) {
		if ((res = PQgetResult(c)) == NULL) {
			/* The end of one query's results. */
			if (PQstatus(c) != CONNECTION_OK) {
				err->lost = 1;
				if (rc == 0)
					*cause = xstrdup(PQerrorMessage(c));
				return (-1);
			}
			continue;
		}
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (st != PGRES_TUPLES_OK) {
			if (rc == 0 && st != PGRES_PIPELINE_ABORTED) {
				*cause = xstrdup(PQresultErrorMessage(res));
				(*cause)[strcspn(*cause, "\n")] = '\0';
				if ((state = PQresultErrorField(res,
				    PG_DIAG_SQLSTATE)) != NULL)
					snprintf(err->state, sizeof err->state,
					    "%s", state);
			}
			rc = -1;
		} else if (rc == 0 && i < PULL_NTABLES && PQntuples(res) > 0)
			each(arg, i, res);
		PQclear(res);
		i++;
	}
	PQexitPipelineMode(c);
	if (rc != 0 && *cause == NULL)
		*cause = xstrdup("pull failed");
	return (rc);
}

/* The start of a page, up to the opening of "changes". */
void
pull_page_start(struct buf *b, int64_t cursor, int more, int64_t head)
{
	buf_printf(b, "{\"cursor\":%lld,\"more\":%s,", (long long)cursor,
	    more ? "true" : "false");
	if (head > cursor)
		buf_printf(b, "\"head\":%lld,", (long long)head);
	buf_puts(b, "\"changes\":{");
}

struct pull_json {
	struct http_body	*po;
	int			 total;
};

/* pull_each_fn: a table's rows into a page. */
static void
pull_each_json(void *arg, size_t table, PGresult *res)
{
	struct pull_json	*pj = arg;

	buf_printf(&pj->po->stage, "%s\"%s\":", pj->total == 0 ? "" : ",",
	    pull_tables[table].name);
	pull_rows_json(res, &pj->po->stage);
	pj->total += PQntuples(res);
	http_body_flush(pj->po, 0);
}

/* End a read-only transaction that failed; see pull_page. */
static void
pull_fail(PGconn *c, struct pg_err *err, int *lost)
{
	*lost = err->lost || PQstatus(c) != CONNECTION_OK ||
	    pg_prepared_stale(err);
	if (!*lost && PQpipelineStatus(c) == PQ_PIPELINE_OFF)
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	else
		*lost = 1;	/* a pipeline left half-read: drop it */
}

/*
 * One page: rows of org with rev > since, at most limit, as the response
 * body {"cursor", "more", "changes": {table: [rows]}}, compressed if asked.
 * "cursor" and "more" come first, so a client may ask for the next page
 * before it parses this one. c is held from pool. 0, or -1 with cause (and
 * *lost when the connection is gone or no longer fit for pulls).
 */
static int
pull_page(struct pg_pool *pool, PGconn *c, const char *org, int64_t since,
    int limit, int viewer, struct http_body *po, int *nrows, int *lost,
    char **cause)
{
	struct pull_json pj;
	struct pg_err	 err;
	PGresult	*res;
	const char	*p[3];
	char		 sbuf[32], lbuf[32], ubuf[32];
	int64_t		 cursor = since, head = 0;
	int		 n, more = 0;

	viewer = viewer != 0;
	memset(&err, 0, sizeof err);
	snprintf(sbuf, sizeof sbuf, "%lld", (long long)since);
	snprintf(lbuf, sizeof lbuf, "%d", limit);
	p[0] = org;
	p[1] = sbuf;
	p[2] = lbuf;
	if (pull_prepare(pool, c, viewer, &err, cause) != 0) {
		*lost = 1;
		return (-1);
	}
	if (pg_exec_script(c, PULL_BEGIN, cause) != 0)
		goto fail;
	if ((res = pg_query_prepared(c, pull_sql[viewer].name[PULL_BOUND], 3,
	    p, &err, cause)) == NULL)
		goto fail;
	/* The last two of the first limit + 1 rows: (rev, how many). */
	if ((n = PQntuples(res)) > 0) {
		more = strtoll(PQgetvalue(res, 0, 1), NULL, 10) > limit;
		cursor = strtoll(PQgetvalue(res, more ? 1 : 0, 0), NULL, 10);
		if (more && !PQgetisnull(res, 0, 2))
			head = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	}
	PQclear(res);

	pull_page_start(&po->stage, cursor, more, head);
	pj.po = po;
	pj.total = 0;
	if (cursor > since) {
		snprintf(ubuf, sizeof ubuf, "%lld", (long long)cursor);
		p[2] = ubuf;
		if (pull_pipeline(c, pull_sql[viewer].name, p, pull_each_json,
		    &pj, &err, cause) != 0)
			goto fail;
	}
	if (pg_exec(c, "COMMIT", 0, NULL, &err, cause) != 0)
		goto fail;
	buf_puts(&po->stage, "}}");
	http_body_flush(po, 1);
	*nrows = pj.total;
	return (0);
fail:
	pull_fail(c, &err, lost);
	return (-1);
}

struct pull_tail_rows {
	struct pull_row	*rows;
	size_t		 n;
	int		 limit;
	int		 complete;
};

/* pull_each_fn: a table's rows into the tail's list. */
static void
pull_each_tail(void *arg, size_t table, PGresult *res)
{
	struct pull_tail_rows	*t = arg;
	struct pull_row		*row;
	struct pull_keys	 k;
	struct buf		 b;
	int			 n = PQntuples(res), nf = PQnfields(res), r;

	pull_keys_init(&k, res, nf - 1);
	if (n >= t->limit)
		t->complete = 0;
	t->rows = xreallocarray(t->rows, t->n + (size_t)n, sizeof *t->rows);
	for (r = 0; r < n; r++) {
		row = &t->rows[t->n++];
		memset(row, 0, sizeof *row);
		row->table = (unsigned int)table;
		/* id first; rev, deleted and whether viewers see it last. */
		row->id = xstrdup(PQgetvalue(res, r, 0));
		row->rev = strtoll(PQgetvalue(res, r, nf - 3), NULL, 10);
		row->viewer_ok = *PQgetvalue(res, r, nf - 1) == 't';
		buf_init(&b);
		pull_row_json(res, r, &k, &b);
		row->len = b.len;
		row->json = buf_detach(&b);
	}
	pull_keys_free(&k);
}

/*
 * The rows of org with rev > after for the tail (pull-tail.c), each with
 * its table, id, rev, whether viewers see it and its JSON object; at most
 * limit from each table, *complete 0 if a table had more. Rows come in
 * table order. c is held from pool. 0, or -1 with cause and *lost as
 * pull_page's.
 */
int
pull_tail_fetch(struct pg_pool *pool, PGconn *c, const char *org,
    int64_t after, int limit, struct pull_row **rows, size_t *nrows,
    int *complete, int *lost, char **cause)
{
	struct pull_tail_rows t;
	struct pg_err	 err;
	const char	*p[3];
	char		 abuf[32], lbuf[32];

	memset(&err, 0, sizeof err);
	memset(&t, 0, sizeof t);
	t.limit = limit;
	t.complete = 1;
	snprintf(abuf, sizeof abuf, "%lld", (long long)after);
	snprintf(lbuf, sizeof lbuf, "%d", limit);
	p[0] = org;
	p[1] = abuf;
	p[2] = lbuf;
	if (pull_prepare(pool, c, -1, &err, cause) != 0) {
		*lost = 1;
		return (-1);
	}
	if (pg_exec_script(c, PULL_BEGIN, cause) != 0 ||
	    pull_pipeline(c, pull_sql_tail.name, p, pull_each_tail, &t,
	    &err, cause) != 0 ||
	    pg_exec(c, "COMMIT", 0, NULL, &err, cause) != 0) {
		pull_fail(c, &err, lost);
		pull_rows_free(t.rows, t.n);
		return (-1);
	}
	*rows = t.rows;
	*nrows = t.n;
	*complete = t.complete;
	return (0);
}

/* A table's name in a page. */
const char *
pull_table_name(unsigned int table)
{
	return (pull_tables[table].name);
}

unsigned int
pull_ntables(void)
{
	return (PULL_NTABLES);
}

/* Free the contents of n rows; pull_rows_free the array too. */
void
pull_rows_clear(struct pull_row *rows, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].json);
	}
}

void
pull_rows_free(struct pull_row *rows, size_t n)
{
	pull_rows_clear(rows, n);
	free(rows);
}

/*
 * Waiting pulls. A waiter is a suspended connection with its cursor; the
 * listener thread holds one LISTEN connection for every waiter. When an
 * organisation's change commits, waiters with the same question (cursor,
 * limit, role, coding) share one query and one response.
 */
struct shared_resp {
	struct MHD_Response	*resp;
	int			 refs;
};

struct waiter {
	struct req		*r;
	char			 org[UUID_STRLEN + 1];
	int64_t			 since;
	int			 limit;
	int			 viewer;
	int64_t			 deadline;	/* monotonic ns */
	int			 expired;
	struct shared_resp	*shared;
	struct waiter		*next;
};

struct org_gen {
	char		 org[UUID_STRLEN + 1];
	uint64_t	 gen;
};

struct waiters {
	pthread_mutex_t	 lock;
	struct waiter	*list;
	struct org_gen	*gens;
	size_t		 ngens;
	uint64_t	 all_gen;	/* bumped when notifications may be lost */
	struct pull_tails *tails;	/* pull-tail.c */
	uint64_t	 from_db;	/* pages answered by PostgreSQL; atomic */
	uint64_t	 from_tail;	/* and from a tail */
	pthread_t	 thread;
	int		 running;
	int		 stop;
	int		 pipe[2];
	struct server	*srv;
};

static pthread_mutex_t	 shared_lock = PTHREAD_MUTEX_INITIALIZER;

struct MHD_Response *
shared_resp_get(struct shared_resp *s)
{
	return (s->resp);
}

void
shared_resp_release(struct shared_resp *s)
{
	int	 last;

	pthread_mutex_lock(&shared_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&shared_lock);
	if (last) {
		MHD_destroy_response(s->resp);
		free(s);
	}
}

/* An organisation's change generation (call with the lock held). */
static uint64_t *
waiters_gen(struct waiters *ws, const char *org)
{
	size_t	 i;

	for (i = 0; i < ws->ngens; i++)
		if (strcmp(ws->gens[i].org, org) == 0)
			return (&ws->gens[i].gen);
	ws->gens = xreallocarray(ws->gens, ws->ngens + 1, sizeof *ws->gens);
	snprintf(ws->gens[ws->ngens].org, sizeof ws->gens[0].org, "%s", org);
	ws->gens[ws->ngens].gen = 0;
	return (&ws->gens[ws->ngens++].gen);
}

static void
waiters_poke(struct waiters *ws)
{
	char	 one = 1;

	(void)!write(ws->pipe[1], &one, 1);
}

/* Count a page with rows answered. */
static void
pull_count(uint64_t *counter, int nrows)
{
	if (nrows > 0)
		__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/* Pages with rows answered so far: by PostgreSQL, from memory. */
void
pull_counts(struct server *srv, uint64_t *from_db, uint64_t *from_tail)
{
	struct waiters	*ws = srv->waiters;

	*from_db = ws != NULL ? __atomic_load_n(&ws->from_db,
	    __ATOMIC_RELAXED) : 0;
	*from_tail = ws != NULL ? __atomic_load_n(&ws->from_tail,
	    __ATOMIC_RELAXED) : 0;
}

/* Parse a non-negative decimal query argument; def when absent. */
static int
pull_arg(struct req *r, const char *name, int64_t def, int64_t max,
    int64_t *out)
{
	const char	*v = http_arg(r, name);
	char		*end;
	long long	 n;

	if (v == NULL) {
		*out = def;
		return (0);
	}
	if (*v < '0' || *v > '9')
		return (-1);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || errno == ERANGE || n < 0 || n > max)
		return (-1);
	*out = n;
	return (0);
}

void
api_pull(struct req *r, struct reply *rp)
{
	struct waiters	*ws = r->srv->waiters;
	struct waiter	*w = r->waiter;
	struct http_body	 po;
	PGconn		*c;
	char		*cause = NULL;
	int64_t		 since, limit, wait;
	uint64_t	 gen, all;
	int		 nrows, lost = 0, tries;

	if (w != NULL && w->shared != NULL) {
		/* Woken with the answer already made. */
		rp->status = 200;
		rp->shared = w->shared;
		r->waiter = NULL;
		free(w);
		return;
	}
	if (pull_arg(r, "since", 0, INT64_MAX, &since) != 0 ||
	    pull_arg(r, "limit", PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT,
	    &limit) != 0 || limit == 0 ||
	    pull_arg(r, "wait", 0, r->srv->max_wait, &wait) != 0) {
		reply_error(rp, 400, "bad_request", "pull takes since=REV "
		    "(>= 0), limit=N (1 to %d) and wait=SECONDS (0 to %d)",
		    PULL_MAX_LIMIT, r->srv->max_wait);
		free(w);
		r->waiter = NULL;
		return;
	}
	if (w != NULL && (w->expired || r->srv->stopping))
		wait = 0;	/* the wait is over: answer what there is */
	for (tries = 0;; tries++) {
		pthread_mutex_lock(&ws->lock);
		gen = *waiters_gen(ws, r->who.org_id);
		all = ws->all_gen;
		pthread_mutex_unlock(&ws->lock);

		http_body_init(&po, r->coding);
		/* A long poll near the head is answered from the tail. */
		if (wait > 0 && pull_tails_page(ws->tails, r->who.org_id,
		    since, (int)limit, r->who.role == ROLE_VIEWER, &po.stage,
		    &nrows)) {
			http_body_flush(&po, 1);
			pull_count(&ws->from_tail, nrows);
		} else if ((c = pg_get(r->srv->pool, &cause)) == NULL) {
			http_body_free(&po);
			break;
		} else if (pull_page(r->srv->pool, c, r->who.org_id, since,
		    (int)limit, r->who.role == ROLE_VIEWER, &po, &nrows, &lost,
		    &cause) != 0) {
			pg_put(r->srv->pool, c, lost);
			http_body_free(&po);
			break;
		} else {
			pg_put(r->srv->pool, c, 0);
			pull_count(&ws->from_db, nrows);
		}
		if (nrows > 0 || wait == 0 || r->srv->stopping || tries > 5) {
			free(w);
			r->waiter = NULL;
			rp->status = 200;
			rp->len = po.out.len;
			rp->body = buf_detach(&po.out);
			rp->encoded = 1;
			http_body_free(&po);
			rp->type = "application/json";
			return;
		}
		http_body_free(&po);

		/* Nothing new: wait, unless a change came in meanwhile. */
		pthread_mutex_lock(&ws->lock);
		if (*waiters_gen(ws, r->who.org_id) != gen ||
		    ws->all_gen != all) {
			pthread_mutex_unlock(&ws->lock);
			continue;
		}
		if (w == NULL) {
			w = xcalloc(1, sizeof *w);
			w->r = r;
			w->deadline = time_mono_ns() + wait * 1000000000LL;
		}
		snprintf(w->org, sizeof w->org, "%s", r->who.org_id);
		w->since = since;
		w->limit = (int)limit;
		w->viewer = r->who.role == ROLE_VIEWER;
		w->expired = 0;
		w->next = ws->list;
		ws->list = w;
		r->waiter = w;
		MHD_suspend_connection(r->conn);
		pthread_mutex_unlock(&ws->lock);
		waiters_poke(ws);
		rp->suspended = 1;
		return;
	}
	free(w);
	r->waiter = NULL;
	reply_db_error(rp, cause);
	free(cause);
}

/* Resume a list of waiters taken off the registry. */
static void
waiters_resume(struct waiter *list)
{
	struct waiter	*w, *next;

	for (w = list; w != NULL; w = next) {
		next = w->next;
		w->next = NULL;
		MHD_resume_connection(w->r->conn);
	}
}

/* The lowest cursor of org's waiters, -1 if none (call with the lock held). */
static int64_t
waiters_lowest(struct waiters *ws, const char *org)
{
	struct waiter	*w;
	int64_t		 low = -1;

	for (w = ws->list; w != NULL; w = w->next)
		if (strcmp(w->org, org) == 0 && (low < 0 || w->since < low))
			low = w->since;
	return (low);
}

/* Take off the registry every waiter that matches (org NULL: all). */
static struct waiter *
waiters_take(struct waiters *ws, const char *org, int expired_only,
    int64_t now)
{
	struct waiter	*w, **pw, *taken = NULL;

	for (pw = &ws->list; (w = *pw) != NULL;) {
		if ((org != NULL && strcmp(w->org, org) != 0) ||
		    (expired_only && w->deadline > now)) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		if (expired_only)
			w->expired = 1;
		w->next = taken;
		taken = w;
	}
	return (taken);
}

/* Waiters woken together, their groups answered by several threads. */
#define PULL_WAKE_THREADS	4

struct wake_job {
	struct waiters	 *ws;
	struct waiter	**groups;
	size_t		  n;
	size_t		  next;		/* atomic: the next group to take */
	pthread_mutex_t	  lock;		/* keep */
	struct waiter	 *keep;		/* groups that keep waiting */
};

/* Answer one group of waiters asking the same question. */
static void
wake_group(struct wake_job *j, struct waiter *group)
{
	struct waiters		*ws = j->ws;
	struct waiter		*w;
	struct shared_resp	*sh;
	struct http_body	 po;
	PGconn			*c = NULL;
	char			*cause = NULL;
	int			 nrows = 0, lost = 0, coding = group->r->coding;

	http_body_init(&po, coding);
	if (pull_tails_page(ws->tails, group->org, group->since, group->limit,
	    group->viewer, &po.stage, &nrows)) {
		http_body_flush(&po, 1);
		pull_count(&ws->from_tail, nrows);
	} else if ((c = pg_get(ws->srv->pool, &cause)) == NULL ||
	    pull_page(ws->srv->pool, c, group->org, group->since, group->limit,
	    group->viewer, &po, &nrows, &lost, &cause) != 0) {
		/* Let each waiter ask again itself (and see 503). */
		if (c != NULL)
			pg_put(ws->srv->pool, c, lost);
		log_warnx("pull wake: %s", cause);
		free(cause);
		http_body_free(&po);
		for (w = group; w != NULL; w = w->next)
			w->expired = 1;
		waiters_resume(group);
		return;
	}
	if (c != NULL) {
		pg_put(ws->srv->pool, c, 0);
		pull_count(&ws->from_db, nrows);
	}
	if (nrows == 0) {
		http_body_free(&po);
		for (w = group; w->next != NULL; w = w->next)
			;
		pthread_mutex_lock(&j->lock);
		w->next = j->keep;
		j->keep = group;
		pthread_mutex_unlock(&j->lock);
		return;
	}
	sh = xcalloc(1, sizeof *sh);
	sh->resp = http_make_response(coding, 1, po.out.data, po.out.len,
	    "application/json");
	po.out.data = NULL;
	http_body_free(&po);
	for (w = group; w != NULL; w = w->next)
		sh->refs++;
	for (w = group; w != NULL; w = w->next)
		w->shared = sh;
	waiters_resume(group);
}

static void *
wake_worker(void *arg)
{
	struct wake_job	*j = arg;
	size_t		 i;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_SEQ_CST)) < j->n)
		wake_group(j, j->groups[i]);
	return (NULL);
}

/*
 * An organisation changed: answer its waiters. Waiters asking the same
 * question share one query and one response; a group whose answer is
 * empty (a viewer's, when only internal notes changed) keeps waiting.
 * Groups at different cursors (consoles that fell behind) are answered
 * by up to PULL_WAKE_THREADS threads at once, so the last is not served
 * a hundred queries after the first.
 */
static void
waiters_answer(struct waiters *ws, struct waiter *list)
{
	struct wake_job	 j;
	struct waiter	*w, *g, *rest, *group, *next;
	pthread_t	 th[PULL_WAKE_THREADS - 1];
	size_t		 nth = 0, i;

	memset(&j, 0, sizeof j);
	j.ws = ws;
	pthread_mutex_init(&j.lock, NULL);
	while (list != NULL) {
		/* Split off the group of the first waiter. */
		g = list;
		group = NULL;
		rest = NULL;
		for (w = list; w != NULL; w = next) {
			next = w->next;
			if (w->since == g->since && w->limit == g->limit &&
			    w->viewer == g->viewer &&
			    w->r->coding == g->r->coding) {
				w->next = group;
				group = w;
			} else {
				w->next = rest;
				rest = w;
			}
		}
		list = rest;
		j.groups = xreallocarray(j.groups, j.n + 1, sizeof *j.groups);
		j.groups[j.n++] = group;
	}
	while (nth < nitems(th) && nth + 1 < j.n &&
	    pthread_create(&th[nth], NULL, wake_worker, &j) == 0)
		nth++;
	wake_worker(&j);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (j.keep != NULL) {
		pthread_mutex_lock(&ws->lock);
		for (w = j.keep; w->next != NULL; w = w->next)
			;
		w->next = ws->list;
		ws->list = j.keep;
		pthread_mutex_unlock(&ws->lock);
	}
	pthread_mutex_destroy(&j.lock);
	free(j.groups);
}

/* Wake everything: the server stops, or notifications may have been lost. */
void
pull_wake_all(struct server *srv)
{
	struct waiters	*ws = srv->waiters;
	struct waiter	*list;

	if (ws == NULL)
		return;
	/* A tail is only as fresh as the notifications it heard. */
	pull_tails_drop(ws->tails, NULL);
	pthread_mutex_lock(&ws->lock);
	ws->all_gen++;
	list = waiters_take(ws, NULL, 0, 0);
	pthread_mutex_unlock(&ws->lock);
	waiters_resume(list);
}

/* The listener: LISTEN triage_rev, wake waiters, expire old ones. */
static void *
pull_listener(void *arg)
{
	struct waiters	*ws = arg;
	struct pollfd	 pfd[2];
	PGconn		*c = NULL;
	PGnotify	*n;
	struct waiter	*list;
	char		*cause = NULL, **orgs = NULL, b[64];
	size_t		 norgs, i, j;
	int64_t		 retry = 0, now, start;

	while (!ws->stop) {
		now = time_mono_ns();
		if (c == NULL && now >= retry) {
			if ((c = pg_connect(ws->srv->conninfo, &cause)) == NULL ||
			    pg_exec(c, "LISTEN triage_rev", 0, NULL, NULL,
			    &cause) != 0) {
				log_warnx("listener: %s", cause);
				free(cause);
				cause = NULL;
				PQfinish(c);
				c = NULL;
				retry = now + 1000000000LL;
			} else {
				/* Changes may have come while we were away. */
				pull_wake_all(ws->srv);
			}
		}
		pfd[0].fd = ws->pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = c != NULL ? PQsocket(c) : -1;
		pfd[1].events = POLLIN;
		poll(pfd, 2, 100);
		if (pfd[0].revents & POLLIN)
			while (read(ws->pipe[0], b, sizeof b) > 0)
				;
		if (c != NULL && (pfd[1].revents & (POLLIN | POLLERR |
		    POLLHUP))) {
			if (PQconsumeInput(c) == 0 ||
			    PQstatus(c) != CONNECTION_OK) {
				log_warnx("listener: lost the database "
				    "connection; reconnecting");
				PQfinish(c);
				c = NULL;
				retry = 0;
				pull_wake_all(ws->srv);
				continue;
			}
			norgs = 0;
			while ((n = PQnotifies(c)) != NULL) {
				for (i = 0; i < norgs; i++)
					if (strcmp(orgs[i], n->extra) == 0)
						break;
				if (i == norgs) {
					orgs = xreallocarray(orgs, norgs + 1,
					    sizeof *orgs);
					orgs[norgs++] = xstrdup(n->extra);
				}
				PQfreemem(n);
			}
			for (i = 0; i < norgs; i++) {
				/* The tail first, then the waiters: see
				 * pull-tail.c. */
				pthread_mutex_lock(&ws->lock);
				start = waiters_lowest(ws, orgs[i]);
				pthread_mutex_unlock(&ws->lock);
				pull_tails_changed(ws->tails, ws->srv->pool,
				    orgs[i], start);
				pthread_mutex_lock(&ws->lock);
				(*waiters_gen(ws, orgs[i]))++;
				list = waiters_take(ws, orgs[i], 0, 0);
				pthread_mutex_unlock(&ws->lock);
				if (list != NULL)
					waiters_answer(ws, list);
			}
			for (j = 0; j < norgs; j++)
				free(orgs[j]);
		}
		pthread_mutex_lock(&ws->lock);
		list = waiters_take(ws, NULL, 1, time_mono_ns());
		pthread_mutex_unlock(&ws->lock);
		waiters_resume(list);
	}
	free(orgs);
	PQfinish(c);
	return (NULL);
}

int
pull_start(struct server *srv, char **cause)
{
	struct waiters	*ws;

	ws = xcalloc(1, sizeof *ws);
	pthread_mutex_init(&ws->lock, NULL);
	ws->srv = srv;
	if (pipe2(ws->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xprintf("pipe: %s", strerror(errno));
		free(ws);
		return (-1);
	}
	ws->tails = pull_tails_new();
	srv->waiters = ws;
	if (pthread_create(&ws->thread, NULL, pull_listener, ws) != 0) {
		*cause = xstrdup(_("cannot start the listener thread"));
		return (-1);
	}
	ws->running = 1;
	return (0);
}

void
pull_stop(struct server *srv)
{
	struct waiters	*ws = srv->waiters;

	if (ws == NULL)
		return;
	if (ws->running) {
		ws->stop = 1;
		waiters_poke(ws);
		pthread_join(ws->thread, NULL);
	}
	close(ws->pipe[0]);
	close(ws->pipe[1]);
	free(ws->gens);
	pull_tails_free(ws->tails);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
	srv->waiters = NULL;
}
