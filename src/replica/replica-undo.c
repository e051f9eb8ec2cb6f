/* replica-undo.c: outbox entries re-applied over pulled rows, retried, or discarded and undone. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replica-int.h"

/*
 * The server requires each console's seq to grow by one (DESIGN.md section
 * 6), so an entry is never deleted: a discarded one stays in the outbox as
 * OUTBOX_DISCARDED and the push sends it as a no-op. Discarding also puts
 * back what the entry changed locally, in the same transaction; a field
 * that has changed again since is left as it is.
 */

/* One outbox entry as undo needs it. */
struct undo_entry {
	int64_t		 seq;
	char		*type;
	char		*ticket_id;
	char		*entity_id;
	char		*payload;
	int		 state;
	int64_t		 created_at;
};

/* A ticket field a set_* entry can change, and how it is stored. */
struct undo_field {
	const char	*type;		/* outbox entry type */
	const char	*key;		/* payload member with the new value */
	const char	*get;		/* SELECT the column; binds the id */
	const char	*set;		/* UPDATE it; binds value, id */
	int		 (*parse)(const char *);	/* names to integers */
};

static const struct undo_field undo_fields[] = {
	{ "set_status", "status",
	  "SELECT status FROM tickets WHERE id = ?",
	  "UPDATE tickets SET status = ? WHERE id = ?", ticket_status_parse },
	{ "set_priority", "priority",
	  "SELECT priority FROM tickets WHERE id = ?",
	  "UPDATE tickets SET priority = ? WHERE id = ?",
	  ticket_priority_parse },
	{ "set_assignee", "assignee_id",
	  "SELECT assignee_id FROM tickets WHERE id = ?",
	  "UPDATE tickets SET assignee_id = ? WHERE id = ?", NULL },
	{ "set_team", "team_id",
	  "SELECT team_id FROM tickets WHERE id = ?",
	  "UPDATE tickets SET team_id = ? WHERE id = ?", NULL },
	{ "set_category", "category",
	  "SELECT category FROM tickets WHERE id = ?",
	  "UPDATE tickets SET category = ? WHERE id = ?", NULL },
};

static void
undo_entry_clear(struct undo_entry *e)
{
	free(e->type);
	free(e->ticket_id);
	free(e->entity_id);
	free(e->payload);
	memset(e, 0, sizeof *e);
}

/* Read entry seq; -1 with a cause naming the seq if there is none. */
static int
undo_entry_read(struct replica *r, int64_t seq, struct undo_entry *e,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(e, 0, sizeof *e);
	if (rp_prepare(r, "SELECT type, ticket_id, entity_id, payload, state, "
	    "created_at FROM outbox WHERE seq = ?", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		e->seq = seq;
		e->type = rp_col_text(s, 0);
		e->ticket_id = rp_col_text(s, 1);
		e->entity_id = rp_col_text(s, 2);
		e->payload = rp_col_text(s, 3);
		e->state = (int)rp_col_int(s, 4);
		e->created_at = rp_col_int(s, 5);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		*cause = xprintf(_("no outbox entry %lld"), (long long)seq);
	else
		*cause = rp_error(r, _("reading the outbox"));
	return (-1);
}

/* Refuse an entry that is applied, discarded or already retried. */
static int
undo_entry_open(const struct undo_entry *e, char **cause)
{
	if (e->state == OUTBOX_APPLIED) {
		*cause = xprintf(_("outbox entry %lld is already applied"),
		    (long long)e->seq);
		return (-1);
	}
	if (e->state == OUTBOX_DISCARDED) {
		*cause = xprintf(_("outbox entry %lld is already discarded"),
		    (long long)e->seq);
		return (-1);
	}
	if (e->state == OUTBOX_RETRIED) {
		*cause = xprintf(_("outbox entry %lld was already queued "
		    "again"), (long long)e->seq);
		return (-1);
	}
	return (0);
}

/* Run a statement binding (text a, text b); a NULL binds SQL NULL. */
static int
undo_exec2(struct replica *r, const char *sql, const char *a, const char *b,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, sql, &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, a);
	if (b != NULL)
		rp_bind_text(s, 2, b);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("undoing a change"));
		return (-1);
	}
	return (0);
}

/* Set an entry's state, keeping or clearing its reason. */
static int
undo_set_state(struct replica *r, int64_t seq, enum outbox_state state,
    int clear_reason, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, clear_reason ? "UPDATE outbox SET state = ?, "
	    "reason = NULL, updated_at = ? WHERE seq = ?" :
	    "UPDATE outbox SET state = ?, updated_at = ? WHERE seq = ?", &s,
	    cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, (int)state);
	sqlite3_bind_int64(s, 2, time_now_ms());
	sqlite3_bind_int64(s, 3, seq);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("updating the outbox"));
		return (-1);
	}
	return (0);
}

/*
 * Undo a reply or note: delete the local message (and any local
 * attachments); the FTS triggers take it out of the index. A message the
 * server already sent back (rev != 0) is left alone.
 */
static int
undo_message(struct replica *r, const struct undo_entry *e, char **cause)
{
	if (e->entity_id == NULL)
		return (0);
	if (undo_exec2(r, "DELETE FROM attachments WHERE message_id = ? "
	    "AND rev = 0", e->entity_id, NULL, cause) != 0)
		return (-1);
	return (undo_exec2(r, "DELETE FROM messages WHERE id = ? AND rev = 0",
	    e->entity_id, NULL, cause));
}

/* Whether two nullable strings are equal. */
static int
undo_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/*
 * A payload value as the column stores it: a status or priority name as
 * its number, other strings as they are, null as NULL. -1 if unusable.
 */
static int
undo_value(const struct undo_field *f, json_t *v, char **out, char **cause)
{
	int	 n;

	*out = NULL;
	if (json_is_null(v) && f->parse == NULL)
		return (0);
	if (!json_is_string(v)) {
		*cause = xprintf(_("the %s entry has no usable %s"), f->type,
		    f->key);
		return (-1);
	}
	if (f->parse == NULL) {
		*out = xstrdup(json_string_value(v));
		return (0);
	}
	if ((n = f->parse(json_string_value(v))) < 0) {
		*cause = xprintf(_("the %s entry has no usable %s"), f->type,
		    f->key);
		return (-1);
	}
	*out = xprintf("%d", n);
	return (0);
}

/*
 * Keep solved_at in step with a restored status: none unless the status
 * is solved or closed, and never missing when it is (the time it had is
 * not known; the entry's time is the best guess).
 */
static int
undo_solved_at(struct replica *r, const struct undo_entry *e, int status,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (status == TICKET_SOLVED || status == TICKET_CLOSED) {
		if (rp_prepare(r, "UPDATE tickets SET solved_at = ? "
		    "WHERE id = ? AND solved_at IS NULL", &s, cause) != 0)
			return (-1);
		sqlite3_bind_int64(s, 1, e->created_at);
		rp_bind_text(s, 2, e->ticket_id);
	} else {
		if (rp_prepare(r, "UPDATE tickets SET solved_at = NULL "
		    "WHERE id = ?", &s, cause) != 0)
			return (-1);
		rp_bind_text(s, 1, e->ticket_id);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("undoing a change"));
		return (-1);
	}
	return (0);
}

/*
 * Undo a set_* entry on one field: put "from" back, but only while the
 * ticket still holds the value the entry set.
 */
static int
undo_field(struct replica *r, const struct undo_field *f,
    const struct undo_entry *e, json_t *p, char **cause)
{
	char	*cur = NULL, *to = NULL, *from = NULL;
	int	 rc = -1;

	if (undo_value(f, json_object_get(p, f->key), &to, cause) != 0 ||
	    undo_value(f, json_object_get(p, "from"), &from, cause) != 0)
		goto out;
	switch (rp_lookup(r, f->get, e->ticket_id, &cur, cause)) {
	case 0:
		break;
	case REPLICA_NOTFOUND:
		rc = 0;
		goto out;
	default:
		goto out;
	}
	if (!undo_same(cur, to)) {
		rc = 0;		/* changed again since: leave it */
		goto out;
	}
	if (undo_exec2(r, f->set, from, e->ticket_id, cause) != 0)
		goto out;
	if (strcmp(f->type, "set_status") == 0 &&
	    undo_solved_at(r, e, atoi(from), cause) != 0)
		goto out;
	rc = 0;
out:
	free(cur);
	free(to);
	free(from);
	return (rc);
}

/* The index of a string in a JSON array, ASCII case-insensitively; -1. */
static int
undo_tag_index(json_t *a, const char *tag)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) &&
		    strcasecmp(json_string_value(v), tag) == 0)
			return ((int)i);
	}
	return (-1);
}

/*
 * Undo a set_tags entry: drop the tags it added that are still there, and
 * put back (at the end) the tags it removed that are still missing.
 */
static int
undo_tags(struct replica *r, const struct undo_entry *e, json_t *p,
    int redo, char **cause)
{
	json_t	*tags, *add, *remove, *v;
	char	*cur = NULL, *text = NULL;
	size_t	 i;
	int	 rc = -1, idx, changed = 0;

	add = json_object_get(p, "add");
	remove = json_object_get(p, "remove");
	if ((add != NULL && !json_is_array(add)) ||
	    (remove != NULL && !json_is_array(remove))) {
		*cause = xstrdup(_("the set_tags entry has no usable tags"));
		return (-1);
	}
	switch (rp_lookup(r, "SELECT tags FROM tickets WHERE id = ?",
	    e->ticket_id, &cur, cause)) {
	case 0:
		break;
	case REPLICA_NOTFOUND:
		return (0);
	default:
		return (-1);
	}
	tags = json_loads(cur != NULL ? cur : "[]", 0, NULL);
	if (tags == NULL || !json_is_array(tags)) {
		*cause = xstrdup(_("the ticket's tags are not a JSON array"));
		goto out;
	}
	/* Undoing takes out what the entry added and puts back what it
	 * removed; redoing does what it did. */
	json_array_foreach(redo ? remove : add, i, v) {
		if (!json_is_string(v))
			continue;
		if ((idx = undo_tag_index(tags, json_string_value(v))) >= 0) {
			json_array_remove(tags, (size_t)idx);
			changed = 1;
		}
	}
	json_array_foreach(redo ? add : remove, i, v) {
		if (!json_is_string(v))
			continue;
		if (undo_tag_index(tags, json_string_value(v)) < 0) {
			json_array_append(tags, v);
			changed = 1;
		}
	}
	if (changed) {
		if ((text = json_dumps(tags, JSON_COMPACT)) == NULL) {
			*cause = xstrdup(_("encoding tags"));
			goto out;
		}
		if (undo_exec2(r, "UPDATE tickets SET tags = ? WHERE id = ?",
		    text, e->ticket_id, cause) != 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(tags);
	free(text);
	free(cur);
	return (rc);
}

/* Undo what an entry changed locally, inside the open transaction. */
static int
undo_local(struct replica *r, const struct undo_entry *e, char **cause)
{
	json_t	*p;
	size_t	 i;
	int	 rc = -1, known;

	if (strcmp(e->type, "reply") == 0 || strcmp(e->type, "note") == 0)
		return (undo_message(r, e, cause));
	if ((known = rp_notify_undo(r, e->type, e->payload, cause)) != 0)
		return (known < 0 ? -1 : 0);
	p = json_loads(e->payload != NULL ? e->payload : "", 0, NULL);
	if (p == NULL || !json_is_object(p)) {
		*cause = xprintf(_("outbox entry %lld has a damaged payload"),
		    (long long)e->seq);
		goto out;
	}
	if (e->ticket_id == NULL) {
		*cause = xprintf(_("outbox entry %lld names no ticket"),
		    (long long)e->seq);
		goto out;
	}
	if (strcmp(e->type, "set_tags") == 0) {
		rc = undo_tags(r, e, p, 0, cause);
		goto out;
	}
	for (i = 0; i < nitems(undo_fields); i++) {
		if (strcmp(e->type, undo_fields[i].type) == 0) {
			rc = undo_field(r, &undo_fields[i], e, p, cause);
			goto out;
		}
	}
	*cause = xprintf(_("cannot undo a %s change"), e->type);
out:
	json_decref(p);
	return (rc);
}

/* Do a set_* entry's change again on the ticket row. */
static int
redo_field(struct replica *r, const struct undo_field *f,
    const struct undo_entry *e, json_t *p, char **cause)
{
	char	*to = NULL;
	int	 rc = -1;

	if (undo_value(f, json_object_get(p, f->key), &to, cause) != 0)
		goto out;
	if (undo_exec2(r, f->set, to, e->ticket_id, cause) != 0)
		goto out;
	if (strcmp(f->type, "set_status") == 0 &&
	    undo_solved_at(r, e, atoi(to), cause) != 0)
		goto out;
	rc = 0;
out:
	free(to);
	return (rc);
}

/* Do entry e's change again, inside the open transaction. */
static int
redo_local(struct replica *r, const struct undo_entry *e, char **cause)
{
	json_t	*p;
	size_t	 i;
	int	 rc = 0;

	p = json_loads(e->payload != NULL ? e->payload : "", 0, NULL);
	if (p == NULL || !json_is_object(p)) {
		json_decref(p);
		return (0);	/* nothing usable to do again */
	}
	if (strcmp(e->type, "set_tags") == 0)
		rc = undo_tags(r, e, p, 1, cause);
	for (i = 0; i < nitems(undo_fields); i++) {
		if (strcmp(e->type, undo_fields[i].type) == 0)
			rc = redo_field(r, &undo_fields[i], e, p, cause);
	}
	json_decref(p);
	return (rc);
}

/*
 * A pull has just written the server's ticket row (at rev): do again, in
 * seq order, the local changes that row does not hold yet, the entries
 * still pending and those the server applied at a later rev (DESIGN.md
 * section 6). Inside the caller's transaction. Replies and notes need
 * nothing: their messages are rows of their own.
 */
int
replica_outbox_overlay(struct replica *r, const char *ticket_id, int64_t rev,
    char **cause)
{
	sqlite3_stmt		*s;
	struct undo_entry	 e;
	int64_t			*seqs = NULL;
	size_t			 n = 0, i;
	int			 rc;

	if ((s = rp_stmt(r, RS_OUTBOX_OVERLAY, "SELECT seq FROM outbox "
	    "WHERE ticket_id = ? AND (state = 0 OR (state = 1 AND rev > ?)) "
	    "AND type GLOB 'set_*' ORDER BY seq", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, rev);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		seqs = xreallocarray(seqs, n + 1, sizeof *seqs);
		seqs[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading the outbox"));
		free(seqs);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (undo_entry_read(r, seqs[i], &e, cause) != 0)
			break;
		rc = redo_local(r, &e, cause);
		undo_entry_clear(&e);
		if (rc != 0)
			break;
	}
	rc = i == n ? 0 : -1;
	free(seqs);
	return (rc);
}

/* Whether undo_local() knows how to put an entry's type back. */
static int
undo_known(const char *type)
{
	size_t	 i;

	if (strcmp(type, "reply") == 0 || strcmp(type, "note") == 0 ||
	    strcmp(type, "set_tags") == 0 || strcmp(type, "mark_read") == 0 ||
	    strcmp(type, "set_available") == 0)
		return (1);
	for (i = 0; i < nitems(undo_fields); i++) {
		if (strcmp(type, undo_fields[i].type) == 0)
			return (1);
	}
	return (0);
}

/*
 * A pending entry the server refused: put back what it changed locally
 * (inside the caller's transaction), before it is marked rejected. The
 * server also sends the ticket again, so the row ends as the server has
 * it. Discarding a rejected entry later has nothing left to undo.
 */
int
rp_outbox_undo_rejected(struct replica *r, int64_t seq, char **cause)
{
	struct undo_entry	 e;
	int			 rc = 0;

	if (undo_entry_read(r, seq, &e, cause) != 0)
		return (-1);
	if (e.state == OUTBOX_PENDING && undo_known(e.type))
		rc = undo_local(r, &e, cause);
	undo_entry_clear(&e);
	return (rc);
}

/*
 * Discard entry seq: undo its local change (a rejected one was undone
 * when the server refused it) and mark it discarded, in one
 * transaction. Pending, rejected and conflict entries only.
 */
int
replica_outbox_discard(struct replica *r, int64_t seq, char **cause)
{
	struct undo_entry	 e;

	if (replica_begin(r, cause) != 0)
		return (-1);
	if (undo_entry_read(r, seq, &e, cause) != 0)
		goto fail;
	if (undo_entry_open(&e, cause) != 0 ||
	    (e.state != OUTBOX_REJECTED && undo_local(r, &e, cause) != 0) ||
	    undo_set_state(r, seq, OUTBOX_DISCARDED, 0, cause) != 0 ||
	    replica_commit(r, cause) != 0)
		goto fail;
	undo_entry_clear(&e);
	return (0);
fail:
	replica_rollback(r);
	undo_entry_clear(&e);
	return (-1);
}

/*
 * Send a rejected or conflict entry again. The server has answered its seq
 * once and would answer a resend of it as a replay, so the change is
 * queued as a new entry with the next seq, and the old one is marked
 * retried (its reason kept as history). Retrying a conflict is the agent's
 * "send anyway": the new reply carries force. A pending entry stays as it
 * is. *newseq, if given, gets the seq that will be sent.
 */
int
replica_outbox_retry(struct replica *r, int64_t seq, int64_t *newseq,
    char **cause)
{
	struct undo_entry	 e;
	json_t			*p = NULL;
	char			*payload = NULL;
	int64_t			 ns = seq;

	if (replica_begin(r, cause) != 0)
		return (-1);
	if (undo_entry_read(r, seq, &e, cause) != 0 ||
	    undo_entry_open(&e, cause) != 0)
		goto fail;
	if (e.state != OUTBOX_PENDING) {
		if ((p = json_loads(e.payload, 0, NULL)) == NULL ||
		    !json_is_object(p)) {
			*cause = xprintf(_("outbox entry %lld has a damaged "
			    "payload"), (long long)seq);
			goto fail;
		}
		if (e.state == OUTBOX_CONFLICT &&
		    strcmp(e.type, "reply") == 0)
			json_object_set_new(p, "force", json_true());
		payload = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (replica_outbox_append(r, e.type, e.ticket_id, e.entity_id,
		    payload, &ns, cause) != 0 ||
		    undo_set_state(r, seq, OUTBOX_RETRIED, 0, cause) != 0)
			goto fail;
	}
	if (replica_commit(r, cause) != 0)
		goto fail;
	if (newseq != NULL)
		*newseq = ns;
	json_decref(p);
	free(payload);
	undo_entry_clear(&e);
	return (0);
fail:
	replica_rollback(r);
	json_decref(p);
	free(payload);
	undo_entry_clear(&e);
	return (-1);
}

/* The name of a live row by id from a one-column query; NULL if none. */
static char *
undo_name(struct replica *r, const char *sql, const char *id)
{
	char	*name = NULL, *cause = NULL;

	if (id == NULL)
		return (NULL);
	if (rp_lookup(r, sql, id, &name, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	return (name);
}

/* A user's name by id, for describing changes; NULL if unknown. */
char *
replica_user_name(struct replica *r, const char *id)
{
	return (undo_name(r, "SELECT name FROM users WHERE id = ?", id));
}

/* A team's name by id, for describing changes; NULL if unknown. */
char *
replica_team_name(struct replica *r, const char *id)
{
	return (undo_name(r, "SELECT name FROM teams WHERE id = ?", id));
}
