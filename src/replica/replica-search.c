/* replica-search.c: ranked full-text search over tickets, messages, customers and orders. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * Ranking looks at the most recent matches of each kind (FTS5 walks its
 * doclist newest first and stops), scores them with bm25 and keeps the
 * best: a rare word is ranked over all its matches, and a word in half the
 * replica costs what a rare one does (support work favours recent tickets
 * anyway). Snippets come from one more FTS query over just the hits kept.
 * A prefix search (type-ahead) cannot look rows up by rowid cheaply (FTS5
 * merges every matching term's doclist for each lookup), so it computes
 * snippets while ranking, over a smaller window.
 */
#define SEARCH_WINDOW		1000
#define SEARCH_WINDOW_PREFIX	300
#define SEARCH_PREFIX_MIN	3	/* shortest last word taken as a prefix */
/*
 * The best few knowledge-base articles come right after exact hits: bm25
 * scores of different tables are not comparable (a word in every article
 * of a small knowledge base scores low there), and an article is what the
 * team wrote down for the very question, so it must not sink below pages
 * of messages using the same word.
 */
#define SEARCH_ARTICLE_LEAD	3

struct search_kind_def {
	enum search_kind kind;
	const char	*name;
	const char	*fts;		/* the FTS5 table */
	const char	*rank;		/* its bm25() call */
	const char	*snippet;	/* its snippet() call */
	const char	*join;		/* from f (rowid, score) to the rows */
	const char	*cols;		/* id, number, title, ticket, customer */
	const char	*group;		/* one hit per ...; NULL: per row */
};

static const struct search_kind_def search_kinds[] = {
	{ SEARCH_TICKET, "ticket", "tickets_fts",
	  "bm25(tickets_fts, 10.0, 4.0)",
	  "snippet(tickets_fts, -1, char(1), char(2), '…', 12)",
	  "JOIN tickets t ON t.rid = f.rowid",
	  "t.id, t.number, t.subject, t.id, t.customer_id",
	  NULL },
	{ SEARCH_MESSAGE, "message", "messages_fts",
	  "bm25(messages_fts)",
	  "snippet(messages_fts, 0, char(1), char(2), '…', 16)",
	  "JOIN messages m ON m.rid = f.rowid "
	  "JOIN tickets t ON t.id = m.ticket_id",
	  "m.id, t.number, t.subject, t.id, t.customer_id",
	  "m.ticket_id" },
	{ SEARCH_CUSTOMER, "customer", "customers_fts",
	  "bm25(customers_fts, 10.0, 8.0, 3.0)",
	  "snippet(customers_fts, -1, char(1), char(2), '…', 12)",
	  "JOIN customers c ON c.rid = f.rowid",
	  "c.id, 0, c.name, NULL, c.id",
	  NULL },
	{ SEARCH_ORDER, "order", "orders_fts",
	  "bm25(orders_fts)",
	  "snippet(orders_fts, 0, char(1), char(2), '…', 8)",
	  "JOIN orders o ON o.rid = f.rowid",
	  "o.id, 0, o.number, NULL, o.customer_id",
	  NULL },
	{ SEARCH_ARTICLE, "article", "kb_fts",
	  "bm25(kb_fts, 10.0, 5.0, 1.0)",
	  "snippet(kb_fts, -1, char(1), char(2), '…', 12)",
	  "JOIN kb_articles k ON k.rid = f.rowid",
	  "k.rid, 0, k.title, NULL, NULL",
	  NULL },
};

/* The name of a hit's kind. */
const char *
search_kind_name(enum search_kind k)
{
	size_t	 i;

	for (i = 0; i < nitems(search_kinds); i++)
		if (search_kinds[i].kind == k)
			return (search_kinds[i].name);
	return ("?");
}

/* Free search results. */
void
search_result_free(struct search_result *res)
{
	size_t	 i;

	for (i = 0; i < res->n; i++) {
		free(res->v[i].title);
		free(res->v[i].snippet);
	}
	free(res->v);
	res->v = NULL;
	res->n = 0;
}

/* Does a word contain anything the tokenizer would index? */
static int
word_has_token(const char *w, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (isalnum((unsigned char)w[i]) || (unsigned char)w[i] >= 0x80)
			return (1);
	return (0);
}

/*
 * Turn what the agent typed into an FTS5 query: each word becomes a quoted
 * string (quotes doubled), so nothing typed is FTS syntax; with prefix, a
 * last word of three or more characters also matches as a prefix.
 * Returns NULL when nothing searchable is left. Caller frees.
 */
char *
search_fts_query(const char *text, int prefix)
{
	struct buf	 q = BUF_INIT;
	const char	*p = text, *w;
	size_t		 len, i;
	int		 words = 0, last;

	while (*p != '\0') {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		len = (size_t)(p - w);
		if (!word_has_token(w, len))
			continue;
		last = *p == '\0';
		if (words++ > 0)
			buf_putc(&q, ' ');
		buf_putc(&q, '"');
		for (i = 0; i < len; i++) {
			if (w[i] == '"')
				buf_putc(&q, '"');
			buf_putc(&q, w[i]);
		}
		buf_putc(&q, '"');
		if (prefix && last && utf8_strlen(w) >= SEARCH_PREFIX_MIN)
			buf_putc(&q, '*');
	}
	if (words == 0) {
		buf_free(&q);
		return (NULL);
	}
	return (buf_detach(&q));
}

static struct search_hit *
search_add(struct search_result *res)
{
	struct search_hit	*h;

	res->v = xreallocarray(res->v, res->n + 1, sizeof *res->v);
	h = &res->v[res->n++];
	memset(h, 0, sizeof *h);
	return (h);
}

/* "#1234" (or "1234"): that ticket, first. */
static int
search_exact_ticket(struct replica *r, const char *text,
    struct search_result *res, char **cause)
{
	struct search_hit	*h;
	sqlite3_stmt		*s;
	const char		*p = text;
	char			*end;
	long long		 n;
	int			 rc;

	if (*p == '#')
		p++;
	if (!isdigit((unsigned char)*p))
		return (0);
	n = strtoll(p, &end, 10);
	if (*end != '\0' || n <= 0)
		return (0);
	if (rp_prepare(r, "SELECT id, number, subject, customer_id "
	    "FROM tickets WHERE number = ?", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, n);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		h = search_add(res);
		h->kind = SEARCH_TICKET;
		h->exact = 1;
		rp_col_uuid(s, 0, h->id);
		rp_col_uuid(s, 0, h->ticket_id);
		h->ticket_number = rp_col_int(s, 1);
		h->title = rp_col_text(s, 2);
		h->snippet = rp_col_text(s, 2);
		rp_col_uuid(s, 3, h->customer_id);
		h->score = -1e300;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching"));
		return (-1);
	}
	return (0);
}

/* An exact order number: that order, first. */
static int
search_exact_order(struct replica *r, const char *text,
    struct search_result *res, char **cause)
{
	struct search_hit	*h;
	sqlite3_stmt		*s;
	int			 rc;

	if (rp_prepare(r, "SELECT id, number, customer_id FROM orders "
	    "WHERE number = ? COLLATE NOCASE LIMIT 5",
	    &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, text);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		h = search_add(res);
		h->kind = SEARCH_ORDER;
		h->exact = 1;
		rp_col_uuid(s, 0, h->id);
		h->title = rp_col_text(s, 1);
		h->snippet = rp_col_text(s, 1);
		rp_col_uuid(s, 2, h->customer_id);
		h->score = -1e300;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching"));
		return (-1);
	}
	return (0);
}

/*
 * The ranking query of a kind: binds MATCH (1), limit (2), window (3).
 * Columns: rowid, score, id, number, title, ticket id, customer id, and
 * with inline snippets the snippet. Grouped kinds keep their best row
 * (SQLite takes bare columns from the row that gave min()).
 */
static char *
search_rank_sql(const struct search_kind_def *k, int inline_snippet)
{
	return (xprintf("SELECT f.rowid, %s, %s%s FROM (SELECT rowid, "
	    "%s AS score%s%s%s FROM %s WHERE %s MATCH ?1 ORDER BY rowid DESC "
	    "LIMIT ?3) f %s%s%s ORDER BY 2 LIMIT ?2",
	    k->group != NULL ? "min(f.score)" : "f.score", k->cols,
	    inline_snippet ? ", f.snip" : "", k->rank,
	    inline_snippet ? ", " : "", inline_snippet ? k->snippet : "",
	    inline_snippet ? " AS snip" : "",
	    k->fts, k->fts, k->join,
	    k->group != NULL ? " GROUP BY " : "",
	    k->group != NULL ? k->group : ""));
}

/* Snippets for the hits of one kind, in one FTS query over their rowids. */
static int
search_snippets(struct replica *r, const struct search_kind_def *k,
    const char *fts, struct search_result *res, size_t first,
    const int64_t *rowids, char **cause)
{
	sqlite3_stmt	*s;
	struct buf	 ids = BUF_INIT;
	char		*sql;
	size_t		 i;
	int64_t		 rowid;
	int		 rc;

	if (first == res->n)
		return (0);
	buf_putc(&ids, '[');
	for (i = first; i < res->n; i++)
		buf_printf(&ids, "%s%lld", i > first ? "," : "",
		    (long long)rowids[i - first]);
	buf_putc(&ids, ']');
	sql = xprintf("SELECT rowid, %s FROM %s WHERE %s MATCH ?1 AND rowid "
	    "IN (SELECT value FROM json_each(?2))", k->snippet, k->fts,
	    k->fts);
	rc = rp_prepare(r, sql, &s, cause);
	free(sql);
	if (rc != 0) {
		buf_free(&ids);
		return (-1);
	}
	rp_bind_text(s, 1, fts);
	rp_bind_text(s, 2, buf_cstr(&ids));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rowid = sqlite3_column_int64(s, 0);
		for (i = first; i < res->n; i++) {
			if (rowids[i - first] == rowid &&
			    res->v[i].snippet == NULL)
				res->v[i].snippet = rp_col_text(s, 1);
		}
	}
	sqlite3_finalize(s);
	buf_free(&ids);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching"));
		return (-1);
	}
	return (0);
}

/* Ranked hits of one kind, each with its snippet. */
static int
search_kind(struct replica *r, const struct search_kind_def *k,
    const char *fts, int prefix, size_t limit, struct search_result *res,
    char **cause)
{
	sqlite3_stmt		*rank = NULL;
	struct search_hit	*h;
	char			*sql;
	int64_t			*rowids = NULL;
	size_t			 i, first = res->n, n = 0;
	int			 rc, dup;

	sql = search_rank_sql(k, prefix);
	rc = rp_prepare(r, sql, &rank, cause);
	free(sql);
	if (rc != 0)
		return (-1);
	rp_bind_text(rank, 1, fts);
	sqlite3_bind_int64(rank, 2, (sqlite3_int64)limit);
	sqlite3_bind_int(rank, 3, prefix ? SEARCH_WINDOW_PREFIX : SEARCH_WINDOW);
	rowids = xcalloc(limit, sizeof *rowids);
	while ((rc = sqlite3_step(rank)) == SQLITE_ROW) {
		/* An exact hit already listed is not repeated. */
		for (i = 0, dup = 0; i < first; i++) {
			if (res->v[i].kind == k->kind && strcmp(res->v[i].id,
			    (const char *)sqlite3_column_text(rank, 2)) == 0)
				dup = 1;
		}
		if (dup || n == limit)
			continue;
		rowids[n++] = sqlite3_column_int64(rank, 0);
		h = search_add(res);
		h->kind = k->kind;
		h->score = sqlite3_column_double(rank, 1);
		rp_col_uuid(rank, 2, h->id);
		h->ticket_number = rp_col_int(rank, 3);
		h->title = rp_col_text(rank, 4);
		rp_col_uuid(rank, 5, h->ticket_id);
		rp_col_uuid(rank, 6, h->customer_id);
		if (prefix)
			h->snippet = rp_col_text(rank, 7);
		h->lead = k->kind == SEARCH_ARTICLE && n <= SEARCH_ARTICLE_LEAD;
		if (h->title == NULL)
			h->title = xstrdup("");
	}
	sqlite3_finalize(rank);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching"));
		free(rowids);
		return (-1);
	}
	rc = prefix ? 0 : search_snippets(r, k, fts, res, first, rowids, cause);
	free(rowids);
	for (i = first; i < res->n; i++)
		if (res->v[i].snippet == NULL)
			res->v[i].snippet = xstrdup(res->v[i].title);
	return (rc);
}

static int
search_hit_cmp(const void *a, const void *b)
{
	const struct search_hit	*x = a, *y = b;

	if (x->exact != y->exact)
		return (y->exact - x->exact);
	if (x->lead != y->lead)
		return (y->lead - x->lead);
	if (x->score < y->score)
		return (-1);
	if (x->score > y->score)
		return (1);
	return ((int)x->kind - (int)y->kind);
}

/*
 * Search everything for text: exact ticket numbers and order numbers first,
 * then the best few articles, then the best-ranked hits of every kind, at
 * most limit in all. With
 * SEARCH_PREFIX the last word also matches as a prefix (type-ahead).
 */
int
replica_search(struct replica *r, const char *text, size_t limit, int flags,
    struct search_result *res, char **cause)
{
	char	*fts, *trimmed;
	size_t	 i, len;
	int	 prefix, rc;

	res->v = NULL;
	res->n = 0;
	if (limit == 0)
		return (0);
	while (isspace((unsigned char)*text))
		text++;
	trimmed = xstrdup(text);
	len = strlen(trimmed);
	while (len > 0 && isspace((unsigned char)trimmed[len - 1]))
		trimmed[--len] = '\0';
	if (search_exact_ticket(r, trimmed, res, cause) != 0 ||
	    search_exact_order(r, trimmed, res, cause) != 0)
		goto fail;
	/*
	 * Type-ahead completes the last word in subjects, tags, names and
	 * order numbers; message bodies (millions of rows) match whole words
	 * only, since a prefix there merges the doclists of every word it
	 * starts, costing time and memory in proportion to the replica.
	 */
	for (i = 0; i < nitems(search_kinds); i++) {
		prefix = (flags & SEARCH_PREFIX) &&
		    search_kinds[i].kind != SEARCH_MESSAGE;
		if ((fts = search_fts_query(trimmed, prefix)) == NULL)
			break;
		prefix = strchr(fts, '*') != NULL;
		rc = search_kind(r, &search_kinds[i], fts, prefix, limit, res,
		    cause);
		free(fts);
		if (rc != 0)
			goto fail;
	}
	free(trimmed);
	if (res->n > 1)
		qsort(res->v, res->n, sizeof *res->v, search_hit_cmp);
	while (res->n > limit) {
		res->n--;
		free(res->v[res->n].title);
		free(res->v[res->n].snippet);
	}
	return (0);
fail:
	free(trimmed);
	search_result_free(res);
	return (-1);
}
