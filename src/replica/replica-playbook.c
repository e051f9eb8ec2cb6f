/* replica-playbook.c: the playbook's macros and articles in the replica (issue 6). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "playbook/playbook.h"
#include "replica-int.h"

/*
 * Replace the indexed macros and articles with pb's, in one transaction:
 * a console never sees half of two commits. The fetch worked, so the
 * notice goes.
 */
int
replica_playbook_store(struct replica *r, const struct playbook *pb,
    char **cause)
{
	sqlite3_stmt			*m = NULL, *k = NULL, *s;
	const struct playbook_item	*it;
	size_t				 i;

	if (replica_begin(r, cause) != 0)
		return (-1);
	if (rp_exec(r, "DELETE FROM macros; DELETE FROM kb_articles", cause) != 0 ||
	    rp_prepare(r, "INSERT INTO macros(name, path, title, tags, "
	    "actions, body, commit_id) VALUES (?, ?, ?, ?, ?, ?, ?)", &m,
	    cause) != 0 ||
	    rp_prepare(r, "INSERT INTO kb_articles(name, path, title, tags, "
	    "body, commit_id) VALUES (?, ?, ?, ?, ?, ?)", &k, cause) != 0)
		goto fail;
	for (i = 0; i < pb->n; i++) {
		it = &pb->items[i];
		s = it->kind == PLAYBOOK_MACRO ? m : k;
		sqlite3_reset(s);
		rp_bind_text(s, 1, it->name);
		rp_bind_text(s, 2, it->path);
		rp_bind_text(s, 3, it->title);
		rp_bind_text(s, 4, it->tags);
		if (it->kind == PLAYBOOK_MACRO) {
			rp_bind_text(s, 5, it->actions);
			rp_bind_text(s, 6, it->body);
			rp_bind_text(s, 7, pb->commit);
		} else {
			rp_bind_text(s, 5, it->body);
			rp_bind_text(s, 6, pb->commit);
		}
		if (sqlite3_step(s) != SQLITE_DONE) {
			*cause = rp_error(r, it->path);
			goto fail;
		}
	}
	sqlite3_finalize(m);
	sqlite3_finalize(k);
	m = k = NULL;
	if (rp_exec(r, "INSERT INTO macros_fts(macros_fts) VALUES ('rebuild'); "
	    "INSERT INTO kb_fts(kb_fts) VALUES ('rebuild')", cause) != 0 ||
	    rp_prepare(r, "UPDATE playbook_state SET commit_id = ?, "
	    "synced_at = ?, notice = NULL", &s, cause) != 0)
		goto fail;
	rp_bind_text(s, 1, pb->commit);
	sqlite3_bind_int64(s, 2, time_now_ms());
	if (sqlite3_step(s) != SQLITE_DONE) {
		*cause = rp_error(r, _("recording the playbook"));
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	return (replica_commit(r, cause));
fail:
	sqlite3_finalize(m);
	sqlite3_finalize(k);
	replica_rollback(r);
	return (-1);
}

/* A fetch that failed, or worked with nothing new (notice NULL). */
int
replica_playbook_notice(struct replica *r, const char *notice, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, notice != NULL ? "UPDATE playbook_state SET "
	    "notice = ?" : "UPDATE playbook_state SET notice = NULL, "
	    "synced_at = ?2", &s, cause) != 0)
		return (-1);
	if (notice != NULL)
		rp_bind_text(s, 1, notice);
	else
		sqlite3_bind_int64(s, 2, time_now_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("recording the playbook"));
		return (-1);
	}
	return (0);
}

/* The commit in use (empty if none), when last fetched, and any notice. */
int
replica_playbook_state(struct replica *r, struct replica_playbook *st,
    char **cause)
{
	sqlite3_stmt	*s;
	char		*c;

	memset(st, 0, sizeof *st);
	if (rp_prepare(r, "SELECT commit_id, synced_at, notice, (SELECT "
	    "count(*) FROM macros), (SELECT count(*) FROM kb_articles) FROM "
	    "playbook_state", &s, cause) != 0)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if ((c = rp_col_text(s, 0)) != NULL)
			snprintf(st->commit, sizeof st->commit, "%s", c);
		free(c);
		st->synced_at = rp_col_int(s, 1);
		st->notice = rp_col_text(s, 2);
		st->macros = (size_t)sqlite3_column_int64(s, 3);
		st->articles = (size_t)sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return (0);
}

void
replica_macro_free(struct replica_macro *m)
{
	free(m->name);
	free(m->path);
	free(m->title);
	free(m->tags);
	free(m->actions);
	free(m->body);
	free(m->commit);
	memset(m, 0, sizeof *m);
}

static void
macro_from_row(sqlite3_stmt *s, struct replica_macro *m)
{
	m->name = rp_col_text(s, 0);
	m->path = rp_col_text(s, 1);
	m->title = rp_col_text(s, 2);
	m->tags = rp_col_text(s, 3);
	m->actions = rp_col_text(s, 4);
	m->body = rp_col_text(s, 5);
	m->commit = rp_col_text(s, 6);
}

#define MACRO_COLS	"name, path, title, tags, actions, body, commit_id"

/* Every macro, by name. */
int
replica_macros(struct replica *r, struct replica_macro **out, size_t *n,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (rp_prepare(r, "SELECT " MACRO_COLS " FROM macros ORDER BY name",
	    &s, cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		macro_from_row(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading the macros"));
		return (-1);
	}
	return (0);
}

/* The macro called name: 0, REPLICA_NOTFOUND, or -1 with cause. */
int
replica_macro(struct replica *r, const char *name, struct replica_macro *m,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(m, 0, sizeof *m);
	if (rp_prepare(r, "SELECT " MACRO_COLS " FROM macros WHERE name = ?",
	    &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		macro_from_row(s, m);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("reading the macros"));
	return (-1);
}

/*
 * The values a macro's variables take for ticket number (0: none), as
 * playbook_var_names lists them; an unknown ticket is REPLICA_NOTFOUND.
 * The agent is the logged-in user. Caller frees with
 * replica_macro_context_free.
 */
int
replica_macro_context(struct replica *r, int64_t number,
    struct replica_macro_context *ctx, char **cause)
{
	sqlite3_stmt	*s;
	char		*me;
	int		 rc, i;

	memset(ctx, 0, sizeof *ctx);
	if (number > 0) {
		if (rp_prepare(r, "SELECT c.name, t.number, t.subject, o.number, "
		    "(SELECT sh.tracking FROM shipments sh WHERE sh.order_id = "
		    "o.id ORDER BY sh.shipped_at DESC LIMIT 1), (SELECT "
		    "sh.carrier FROM shipments sh WHERE sh.order_id = o.id ORDER "
		    "BY sh.shipped_at DESC LIMIT 1) FROM tickets t LEFT JOIN "
		    "customers c ON c.id = t.customer_id LEFT JOIN orders o ON "
		    "o.id = (SELECT id FROM orders WHERE customer_id = "
		    "t.customer_id ORDER BY placed_at DESC LIMIT 1) WHERE "
		    "t.number = ?", &s, cause) != 0)
			return (-1);
		sqlite3_bind_int64(s, 1, number);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			ctx->customer_name = rp_col_text(s, 0);
			ctx->ticket_number = rp_col_text(s, 1);
			ctx->ticket_subject = rp_col_text(s, 2);
			ctx->order_number = rp_col_text(s, 3);
			ctx->order_tracking = rp_col_text(s, 4);
			ctx->order_carrier = rp_col_text(s, 5);
		}
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return (REPLICA_NOTFOUND);
		if (rc != SQLITE_ROW) {
			*cause = rp_error(r, _("reading the ticket"));
			return (-1);
		}
		if (ctx->customer_name != NULL) {
			i = (int)strcspn(ctx->customer_name, " ");
			ctx->customer_first_name = xstrndup(ctx->customer_name,
			    (size_t)i);
		}
	}
	if ((me = replica_me(r)) != NULL) {
		if (rp_prepare(r, "SELECT name, signature FROM users WHERE id = ?",
		    &s, cause) != 0) {
			free(me);
			replica_macro_context_free(ctx);
			return (-1);
		}
		rp_bind_text(s, 1, me);
		if (sqlite3_step(s) == SQLITE_ROW) {
			ctx->agent_name = rp_col_text(s, 0);
			ctx->agent_signature = rp_col_text(s, 1);
		}
		sqlite3_finalize(s);
		free(me);
	}
	return (0);
}

void
replica_macro_context_free(struct replica_macro_context *ctx)
{
	free(ctx->customer_name);
	free(ctx->customer_first_name);
	free(ctx->ticket_number);
	free(ctx->ticket_subject);
	free(ctx->order_number);
	free(ctx->order_tracking);
	free(ctx->order_carrier);
	free(ctx->agent_name);
	free(ctx->agent_signature);
	memset(ctx, 0, sizeof *ctx);
}

void
replica_article_free(struct replica_article *a)
{
	free(a->name);
	free(a->title);
	free(a->tags);
	free(a->snippet);
	free(a->body);
	free(a->path);
	free(a->commit);
	memset(a, 0, sizeof *a);
}

/* One article by its row id (a search hit's id). REPLICA_NOTFOUND if gone. */
int
replica_article(struct replica *r, int64_t rid, struct replica_article *a,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(a, 0, sizeof *a);
	if (rp_prepare(r, "SELECT name, title, tags, body, path, commit_id "
	    "FROM kb_articles WHERE rid = ?", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, rid);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a->name = rp_col_text(s, 0);
		a->title = rp_col_text(s, 1);
		a->tags = rp_col_text(s, 2);
		a->body = rp_col_text(s, 3);
		a->path = rp_col_text(s, 4);
		a->commit = rp_col_text(s, 5);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("reading an article"));
	return (-1);
}

/*
 * Knowledge-base articles matching text, best first, at most limit, each
 * with a snippet (the match between \1 and \2) and its body.
 */
int
replica_kb_search(struct replica *r, const char *text, size_t limit,
    struct replica_article **out, size_t *n, char **cause)
{
	sqlite3_stmt		*s;
	struct replica_article	*a;
	char			*fts;
	int			 rc;

	*out = NULL;
	*n = 0;
	if ((fts = search_fts_query(text, 1)) == NULL)
		return (0);
	if (rp_prepare(r, "SELECT k.name, k.title, k.tags, snippet(kb_fts, 2, "
	    "char(1), char(2), '…', 16), k.body, k.path, k.commit_id "
	    "FROM kb_fts f JOIN "
	    "kb_articles k ON k.rid = f.rowid WHERE kb_fts MATCH ?1 ORDER BY "
	    "bm25(kb_fts, 10.0, 5.0, 1.0) LIMIT ?2", &s, cause) != 0) {
		free(fts);
		return (-1);
	}
	rp_bind_text(s, 1, fts);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		a = &(*out)[(*n)++];
		a->name = rp_col_text(s, 0);
		a->title = rp_col_text(s, 1);
		a->tags = rp_col_text(s, 2);
		a->snippet = rp_col_text(s, 3);
		a->body = rp_col_text(s, 4);
		a->path = rp_col_text(s, 5);
		a->commit = rp_col_text(s, 6);
	}
	sqlite3_finalize(s);
	free(fts);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("searching the knowledge base"));
		return (-1);
	}
	return (0);
}
