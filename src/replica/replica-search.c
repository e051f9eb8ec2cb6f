/* replica-search.c: ranked full-text search over tickets, messages, customers and orders. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * Ranking looks at the most recent SEARCH_WINDOW matches of each kind (FTS5
 * walks its doclist newest first and stops), scores them with bm25 and keeps
 * the best. A rare word is ranked over all its matches; a word in half the
 * replica costs the same as a rare one, and support work favours recent
 * tickets anyway.
 */
#define SEARCH_WINDOW	2000
#define SEARCH_PREFIX_MIN 3	/* shortest last word searched as a prefix */

struct search_kind_def {
	enum search_kind kind;
	const char	*name;
	const char	*rank;		/* ranked rowids: MATCH, limit, window */
	const char	*detail;	/* one hit: binds MATCH, rowid */
};

static const struct search_kind_def search_kinds[] = {
	{ SEARCH_TICKET, "ticket",
	  "SELECT f.rowid, f.score FROM (SELECT rowid, "
	  "bm25(tickets_fts, 10.0, 4.0) AS score FROM tickets_fts "
	  "WHERE tickets_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3) "
	  "f JOIN tickets t ON t.rid = f.rowid WHERE t.deleted = 0 "
	  "ORDER BY f.score LIMIT ?2",
	  "SELECT t.id, t.number, t.subject, t.id, t.customer_id, "
	  "snippet(tickets_fts, -1, char(1), char(2), '…', 12) "
	  "FROM tickets_fts JOIN tickets t ON t.rid = tickets_fts.rowid "
	  "WHERE tickets_fts MATCH ?1 AND tickets_fts.rowid = ?2" },
	{ SEARCH_MESSAGE, "message",
	  "SELECT min(f.rowid), min(f.score) FROM (SELECT rowid, "
	  "bm25(messages_fts) AS score FROM messages_fts "
	  "WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3) f "
	  "JOIN messages m ON m.rid = f.rowid WHERE m.deleted = 0 "
	  "GROUP BY m.ticket_id ORDER BY min(f.score) LIMIT ?2",
	  "SELECT m.id, t.number, t.subject, t.id, t.customer_id, "
	  "snippet(messages_fts, 0, char(1), char(2), '…', 16) "
	  "FROM messages_fts JOIN messages m ON m.rid = messages_fts.rowid "
	  "JOIN tickets t ON t.id = m.ticket_id "
	  "WHERE messages_fts MATCH ?1 AND messages_fts.rowid = ?2" },
	{ SEARCH_CUSTOMER, "customer",
	  "SELECT f.rowid, f.score FROM (SELECT rowid, "
	  "bm25(customers_fts, 10.0, 8.0, 3.0) AS score FROM customers_fts "
	  "WHERE customers_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3) f "
	  "JOIN customers c ON c.rid = f.rowid WHERE c.deleted = 0 "
	  "ORDER BY f.score LIMIT ?2",
	  "SELECT c.id, 0, c.name, NULL, c.id, "
	  "snippet(customers_fts, -1, char(1), char(2), '…', 12) "
	  "FROM customers_fts JOIN customers c ON c.rid = customers_fts.rowid "
	  "WHERE customers_fts MATCH ?1 AND customers_fts.rowid = ?2" },
	{ SEARCH_ORDER, "order",
	  "SELECT f.rowid, f.score FROM (SELECT rowid, bm25(orders_fts) "
	  "AS score FROM orders_fts WHERE orders_fts MATCH ?1 "
	  "ORDER BY rowid DESC LIMIT ?3) f JOIN orders o "
	  "ON o.rid = f.rowid WHERE o.deleted = 0 ORDER BY f.score LIMIT ?2",
	  "SELECT o.id, 0, o.number, NULL, o.customer_id, "
	  "snippet(orders_fts, 0, char(1), char(2), '…', 8) "
	  "FROM orders_fts JOIN orders o ON o.rid = orders_fts.rowid "
	  "WHERE orders_fts MATCH ?1 AND orders_fts.rowid = ?2" },
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
	    "FROM tickets WHERE number = ? AND deleted = 0", &s, cause) != 0)
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
	    "WHERE number = ? COLLATE NOCASE AND deleted = 0 LIMIT 5",
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

/* Ranked hits of one kind, each with its snippet. */
static int
search_kind(struct replica *r, const struct search_kind_def *k,
    const char *fts, size_t limit, struct search_result *res, char **cause)
{
	sqlite3_stmt		*rank = NULL, *detail = NULL;
	struct search_hit	*h;
	size_t			 i;
	int			 rc, ret = -1, dup;

	if (rp_prepare(r, k->rank, &rank, cause) != 0 ||
	    rp_prepare(r, k->detail, &detail, cause) != 0)
		goto out;
	rp_bind_text(rank, 1, fts);
	sqlite3_bind_int64(rank, 2, (sqlite3_int64)limit);
	sqlite3_bind_int(rank, 3, SEARCH_WINDOW);
	while ((rc = sqlite3_step(rank)) == SQLITE_ROW) {
		sqlite3_reset(detail);
		rp_bind_text(detail, 1, fts);
		sqlite3_bind_int64(detail, 2, sqlite3_column_int64(rank, 0));
		if ((rc = sqlite3_step(detail)) != SQLITE_ROW) {
			if (rc == SQLITE_DONE)
				continue;
			break;
		}
		/* An exact hit already listed is not repeated. */
		for (i = 0, dup = 0; i < res->n; i++) {
			if (res->v[i].kind == k->kind && strcmp(res->v[i].id,
			    (const char *)sqlite3_column_text(detail, 0)) == 0)
				dup = 1;
		}
		if (dup)
			continue;
		h = search_add(res);
		h->kind = k->kind;
		rp_col_uuid(detail, 0, h->id);
		h->ticket_number = rp_col_int(detail, 1);
		h->title = rp_col_text(detail, 2);
		rp_col_uuid(detail, 3, h->ticket_id);
		rp_col_uuid(detail, 4, h->customer_id);
		h->snippet = rp_col_text(detail, 5);
		h->score = sqlite3_column_double(rank, 1);
		if (h->title == NULL)
			h->title = xstrdup("");
		if (h->snippet == NULL)
			h->snippet = xstrdup("");
	}
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching"));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(rank);
	sqlite3_finalize(detail);
	return (ret);
}

static int
search_hit_cmp(const void *a, const void *b)
{
	const struct search_hit	*x = a, *y = b;

	if (x->exact != y->exact)
		return (y->exact - x->exact);
	if (x->score < y->score)
		return (-1);
	if (x->score > y->score)
		return (1);
	return ((int)x->kind - (int)y->kind);
}

/*
 * Search everything for text: exact ticket numbers and order numbers first,
 * then the best-ranked hits of every kind, at most limit in all.
 */
int
replica_search(struct replica *r, const char *text, size_t limit,
    struct search_result *res, char **cause)
{
	char	*fts, *trimmed;
	size_t	 i, len;

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
	if ((fts = search_fts_query(trimmed, 1)) != NULL) {
		for (i = 0; i < nitems(search_kinds); i++) {
			if (search_kind(r, &search_kinds[i], fts, limit, res,
			    cause) != 0) {
				free(fts);
				goto fail;
			}
		}
		free(fts);
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
