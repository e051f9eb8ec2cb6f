/* replica-action.c: local actions on tickets, each with its outbox entry. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replica-int.h"

/*
 * Every action here writes the local change and the outbox entry that will
 * carry it to the server in one SQLite transaction: after a crash either
 * both are there or neither is. Payloads are JSON objects built by jansson.
 */

#define ACT_TAG_MAX		64	/* bytes */
#define ACT_CATEGORY_MAX	128	/* bytes */

/* The current values of the fields a ticket_change can touch. */
struct act_row {
	int		 status;
	int		 priority;
	char		*assignee_id;
	char		*team_id;
	char		*category;
	char		*tags;
	int64_t		 solved_at;
};

/* The values a ticket row is written back with (borrowed strings). */
struct act_vals {
	int		 status;
	int		 priority;
	const char	*assignee_id;
	const char	*team_id;
	const char	*category;
	int64_t		 solved_at;
};

/* Set every field of a change to "unchanged". */
void
ticket_change_init(struct ticket_change *c)
{
	memset(c, 0, sizeof *c);
	c->status = -1;
	c->priority = -1;
}

/* Text fit for a message to a terminal: data shown through the sanitiser. */
static char *
act_quote(const char *s)
{
	struct buf	 b = BUF_INIT;

	sanitize_line(&b, s, strlen(s), 0);
	return (buf_detach(&b));
}

/* Whether c is white space (ASCII, Latin-1 and Unicode spaces). */
static int
act_is_space(uint32_t c)
{
	if (c == ' ' || (c >= 0x09 && c <= 0x0d))
		return (1);
	if (c == 0x85 || c == 0xa0 || c == 0x1680 || c == 0x180e)
		return (1);
	if (c >= 0x2000 && c <= 0x200b)
		return (1);
	if (c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000 || c == 0xfeff)
		return (1);
	return (0);
}

/*
 * Check a short label (a tag, or with tag 0 a category): not empty, at most
 * max bytes, valid UTF-8, no control or bidi characters; a tag also has no
 * white space and no comma.
 */
static int
act_check_label(const char *what, const char *s, size_t max, int tag,
    char **cause)
{
	size_t		 len = strlen(s), i;
	uint32_t	 c;
	char		*q;
	int		 n;

	if (len == 0) {
		*cause = xprintf(_("empty %s"), what);
		return (-1);
	}
	q = act_quote(s);
	if (len > max) {
		*cause = xprintf(_("%s \"%s\" is longer than %zu bytes"), what,
		    q, max);
		goto fail;
	}
	if (!utf8_valid(s, len)) {
		*cause = xprintf(_("%s \"%s\" is not valid UTF-8"), what, q);
		goto fail;
	}
	for (i = 0; i < len; i += (size_t)n) {
		n = utf8_decode(s + i, len - i, &c);
		if (sanitize_is_forbidden(c)) {
			*cause = xprintf(_("%s \"%s\" contains a control "
			    "character"), what, q);
			goto fail;
		}
		if (tag && (act_is_space(c) || c == ',')) {
			*cause = xprintf(_("%s \"%s\" contains white space or "
			    "a comma"), what, q);
			goto fail;
		}
	}
	free(q);
	return (0);
fail:
	free(q);
	return (-1);
}

/*
 * Check a message body: not empty or only white space, valid UTF-8 with no
 * NUL byte. Control characters are allowed; the body is kept as it is.
 */
int
replica_act_body_check(const char *body, size_t len, char **cause)
{
	size_t		 i;
	uint32_t	 c;

	if (body == NULL || len == 0) {
		*cause = xstrdup(_("empty body"));
		return (-1);
	}
	if (!utf8_valid(body, len)) {
		*cause = xstrdup(_("body is not valid UTF-8 text"));
		return (-1);
	}
	for (i = 0; i < len; ) {
		i += (size_t)utf8_decode(body + i, len - i, &c);
		if (!act_is_space(c))
			return (0);
	}
	*cause = xstrdup(_("empty body (only white space)"));
	return (-1);
}

/* Whether a tag appears (ASCII case-insensitively) in a list of n. */
static int
act_tag_in(const char *tag, const char *const *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(tag, v[i]) == 0)
			return (1);
	}
	return (0);
}

/*
 * Check the parts of a change that need no database: statuses and
 * priorities in range, categories and tags well formed, no tag both added
 * and removed.
 */
int
ticket_change_validate(const struct ticket_change *c, char **cause)
{
	size_t	 i;
	char	*q;

	if (c->status < -1 || c->status >= TICKET_STATUS_COUNT) {
		*cause = xprintf(_("no status %d"), c->status);
		return (-1);
	}
	if (c->priority < -1 || c->priority >= TICKET_PRIORITY_COUNT) {
		*cause = xprintf(_("no priority %d"), c->priority);
		return (-1);
	}
	if (c->set_category && c->category != NULL &&
	    act_check_label(_("category"), c->category, ACT_CATEGORY_MAX, 0,
	    cause) != 0)
		return (-1);
	for (i = 0; i < c->ntags_add; i++) {
		if (act_check_label(_("tag"), c->tags_add[i], ACT_TAG_MAX, 1,
		    cause) != 0)
			return (-1);
	}
	for (i = 0; i < c->ntags_remove; i++) {
		if (act_check_label(_("tag"), c->tags_remove[i], ACT_TAG_MAX, 1,
		    cause) != 0)
			return (-1);
		if (act_tag_in(c->tags_remove[i], c->tags_add, c->ntags_add)) {
			q = act_quote(c->tags_remove[i]);
			*cause = xprintf(_("tag \"%s\" is both added and "
			    "removed"), q);
			free(q);
			return (-1);
		}
	}
	return (0);
}

/* A JSON string for text from the replica: null for NULL, never invalid. */
static json_t *
act_json_text(const char *s)
{
	struct buf	 b = BUF_INIT;
	json_t		*j;
	size_t		 len, i;
	uint32_t	 c;
	char		 enc[4];

	if (s == NULL)
		return (json_null());
	len = strlen(s);
	if (utf8_valid(s, len))
		return (json_stringn(s, len));
	for (i = 0; i < len; ) {
		i += (size_t)utf8_decode(s + i, len - i, &c);
		buf_append(&b, enc, (size_t)utf8_encode(c, enc));
	}
	j = json_stringn(b.data, b.len);
	buf_free(&b);
	return (j);
}

/* Append an entry whose payload is the object p (released here). */
static int
act_queue(struct replica *r, const char *type, const char *ticket_id,
    const char *entity_id, json_t *p, int64_t *seq, char **cause)
{
	char	*text;
	int	 rc;

	text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	if (text == NULL) {
		*cause = xprintf(_("encoding the %s change"), type);
		return (-1);
	}
	rc = replica_outbox_append(r, type, ticket_id, entity_id, text, seq,
	    cause);
	free(text);
	return (rc);
}

/* Find a team's id by name (ASCII case-insensitive; exact case first). */
int
replica_team_by_name(struct replica *r, const char *name, char **id,
    char **cause)
{
	return (rp_lookup(r, "SELECT id FROM teams WHERE name = ?1 "
	    "COLLATE NOCASE ORDER BY name = ?1 DESC, rid LIMIT 1", name, id,
	    cause));
}

/* Refuse a ticket id that is not a live ticket. */
static int
act_ticket_live(struct replica *r, const char *ticket_id, char **cause)
{
	char	*q;
	int	 rc;

	rc = rp_lookup(r, "SELECT 1 FROM tickets WHERE id = ?",
	    ticket_id, NULL, cause);
	if (rc == REPLICA_NOTFOUND) {
		q = act_quote(ticket_id);
		*cause = xprintf(_("no ticket %s"), q);
		free(q);
		return (-1);
	}
	return (rc);
}

/* Set a ticket's updated_at. */
static int
act_touch(struct replica *r, const char *ticket_id, int64_t now, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "UPDATE tickets SET updated_at = ? WHERE id = ?",
	    &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, now);
	rp_bind_text(s, 2, ticket_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("updating a ticket"));
		return (-1);
	}
	return (0);
}

/*
 * Queue a public reply or an internal note on a ticket: a pending message
 * in the thread and a "reply" or "note" outbox entry, in one transaction.
 * seen_message_id is the newest message the agent saw (NULL: the newest in
 * the ticket now), for the server's collision check. The new message's id
 * goes to msg_id and the entry's sequence number to *seq (if not NULL).
 * flags: REPLICA_REPLY_NOTE for an internal note; REPLICA_REPLY_DRAFT to
 * delete the ticket's draft of that kind in the same transaction (the
 * composer's text, now sent: a crash never brings it back as a draft).
 */
int
replica_act_reply(struct replica *r, const char *ticket_id, const char *body,
    int flags, const char *seen_message_id, const char *macro_commit,
    char msg_id[UUID_STRLEN + 1], int64_t *seq, char **cause)
{
	int	 internal = (flags & REPLICA_REPLY_NOTE) != 0;

	struct message_rec	 m;
	json_t			*p;
	char			*me = NULL, *seen = NULL;
	int64_t			 now;
	int			 rc;

	msg_id[0] = '\0';
	if (replica_act_body_check(body, body != NULL ? strlen(body) : 0,
	    cause) != 0)
		return (-1);
	if (seen_message_id != NULL && !uuid_valid(seen_message_id)) {
		*cause = xstrdup(_("seen message id is not a UUID"));
		return (-1);
	}
	if (macro_commit != NULL && (*macro_commit == '\0' ||
	    !utf8_valid(macro_commit, strlen(macro_commit)))) {
		*cause = xstrdup(_("invalid macro commit"));
		return (-1);
	}
	if (replica_begin(r, cause) != 0)
		return (-1);
	if (act_ticket_live(r, ticket_id, cause) != 0)
		goto fail;
	if (seen_message_id != NULL)
		seen = xstrdup(seen_message_id);
	else {
		rc = rp_lookup(r, "SELECT id FROM messages "
		    "WHERE ticket_id = ? "
		    "ORDER BY created_at DESC, rid DESC LIMIT 1",
		    ticket_id, &seen, cause);
		if (rc == -1)
			goto fail;
	}

	now = time_now_ms();
	me = replica_me(r);
	uuid_v7(msg_id);
	memset(&m, 0, sizeof m);
	m.id = msg_id;
	m.ticket_id = ticket_id;
	m.author = "agent";
	m.author_id = me;
	m.internal = internal != 0;
	m.body = body;
	m.created_at = now;
	m.macro_commit = macro_commit;
	if (replica_put_message(r, &m, cause) != 0)
		goto fail;
	if (act_touch(r, ticket_id, now, cause) != 0)
		goto fail;

	p = json_object();
	json_object_set_new(p, "ticket_id", json_string(ticket_id));
	json_object_set_new(p, "message_id", json_string(msg_id));
	json_object_set_new(p, "body", json_string(body));
	json_object_set_new(p, "seen_message_id", seen != NULL ?
	    json_string(seen) : json_null());
	if (macro_commit != NULL)
		json_object_set_new(p, "macro_commit",
		    json_string(macro_commit));
	if (act_queue(r, internal ? "note" : "reply", ticket_id, msg_id, p,
	    seq, cause) != 0)
		goto fail;
	if ((flags & REPLICA_REPLY_DRAFT) && replica_draft_delete(r, ticket_id,
	    internal ? "note" : "reply", cause) != 0)
		goto fail;
	if (replica_commit(r, cause) != 0)
		goto fail;
	free(me);
	free(seen);
	return (0);
fail:
	replica_rollback(r);
	msg_id[0] = '\0';
	free(me);
	free(seen);
	return (-1);
}

/* Free the strings of a row. */
static void
act_row_clear(struct act_row *w)
{
	free(w->assignee_id);
	free(w->team_id);
	free(w->category);
	free(w->tags);
}

/* Read the current values of a live ticket. */
static int
act_row_read(struct replica *r, const char *ticket_id, struct act_row *w,
    char **cause)
{
	sqlite3_stmt	*s;
	char		*q;
	int		 rc;

	memset(w, 0, sizeof *w);
	if (rp_prepare(r, "SELECT status, priority, assignee_id, team_id, "
	    "category, tags, solved_at FROM tickets "
	    "WHERE id = ?", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, ticket_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		w->status = (int)rp_col_int(s, 0);
		w->priority = (int)rp_col_int(s, 1);
		w->assignee_id = rp_col_text(s, 2);
		w->team_id = rp_col_text(s, 3);
		w->category = rp_col_text(s, 4);
		w->tags = rp_col_text(s, 5);
		w->solved_at = rp_col_int(s, 6);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE) {
		q = act_quote(ticket_id);
		*cause = xprintf(_("no ticket %s"), q);
		free(q);
	} else
		*cause = rp_error(r, _("reading a ticket"));
	return (-1);
}

/* Whether two nullable strings differ. */
static int
act_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

/* Whether a JSON array holds a string equal (ASCII case-insensitively) to s. */
static int
act_array_has(json_t *a, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(a, i, v) {
		if (json_is_string(v) &&
		    strcasecmp(json_string_value(v), s) == 0)
			return (1);
	}
	return (0);
}

/*
 * Apply tag changes to a tags array: keep the existing order, drop removed
 * tags, append new ones. The tags that really change go into add and remove
 * (removed ones as spelt on the ticket); *out is the new JSON text, or NULL
 * when nothing changes.
 */
static int
act_tags(const char *ticket_tags, const struct ticket_change *c, json_t *add,
    json_t *remove, char **out, char **cause)
{
	json_t		*old, *nw, *v;
	size_t		 i;
	const char	*t;

	*out = NULL;
	old = json_loads(ticket_tags != NULL ? ticket_tags : "[]", 0, NULL);
	if (old == NULL || !json_is_array(old)) {
		json_decref(old);
		*cause = xstrdup(_("the ticket's tags are not a JSON array"));
		return (-1);
	}
	nw = json_array();
	json_array_foreach(old, i, v) {
		t = json_is_string(v) ? json_string_value(v) : NULL;
		if (t != NULL &&
		    act_tag_in(t, c->tags_remove, c->ntags_remove)) {
			if (!act_array_has(remove, t))
				json_array_append(remove, v);
			continue;
		}
		json_array_append(nw, v);
	}
	for (i = 0; i < c->ntags_add; i++) {
		t = c->tags_add[i];
		if (act_array_has(nw, t))
			continue;
		json_array_append_new(nw, json_string(t));
		json_array_append_new(add, json_string(t));
	}
	if (json_array_size(add) != 0 || json_array_size(remove) != 0)
		*out = json_dumps(nw, JSON_COMPACT);
	json_decref(nw);
	json_decref(old);
	if ((json_array_size(add) != 0 || json_array_size(remove) != 0) &&
	    *out == NULL) {
		*cause = xstrdup(_("encoding tags"));
		return (-1);
	}
	return (0);
}

/* A payload {ticket_id, key: to, from: from}, taking the two values. */
static json_t *
act_payload(const char *ticket_id, const char *key, json_t *to, json_t *from)
{
	json_t	*p;

	p = json_object();
	json_object_set_new(p, "ticket_id", json_string(ticket_id));
	json_object_set_new(p, key, to);
	json_object_set_new(p, "from", from);
	return (p);
}

/* Write the changed fields of a ticket row (tags apart). */
static int
act_update(struct replica *r, const char *ticket_id, const struct act_vals *w,
    int64_t now, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "UPDATE tickets SET status = ?, priority = ?, "
	    "assignee_id = ?, team_id = ?, category = ?, solved_at = ?, "
	    "updated_at = ? WHERE id = ?", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, w->status);
	sqlite3_bind_int(s, 2, w->priority);
	rp_bind_text(s, 3, w->assignee_id);
	rp_bind_text(s, 4, w->team_id);
	rp_bind_text(s, 5, w->category);
	rp_bind_int(s, 6, w->solved_at);
	sqlite3_bind_int64(s, 7, now);
	rp_bind_text(s, 8, ticket_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("updating a ticket"));
		return (-1);
	}
	return (0);
}

/* Write a ticket's new tags; the ticket_tags triggers follow. */
static int
act_update_tags(struct replica *r, const char *ticket_id, const char *tags,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "UPDATE tickets SET tags = ? WHERE id = ?", &s,
	    cause) != 0)
		return (-1);
	rp_bind_text(s, 1, tags);
	rp_bind_text(s, 2, ticket_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("updating a ticket's tags"));
		return (-1);
	}
	return (0);
}

/*
 * Apply a change to one ticket inside an open transaction: update what
 * really changes and queue one entry per changed field, adding the number
 * queued to *n.
 */
static int
act_set_one(struct replica *r, const char *ticket_id,
    const struct ticket_change *c, int64_t now, int *n, char **cause)
{
	struct act_row	 w;
	struct act_vals	 nw;
	json_t		*add, *remove, *p;
	char		*tags = NULL;
	int		 queued = 0, rc = -1;

	if (act_row_read(r, ticket_id, &w, cause) != 0)
		return (-1);
	nw.status = w.status;
	nw.priority = w.priority;
	nw.assignee_id = w.assignee_id;
	nw.team_id = w.team_id;
	nw.category = w.category;
	nw.solved_at = w.solved_at;
	add = json_array();
	remove = json_array();

	if (c->status != -1 && c->status != w.status) {
		nw.status = c->status;
		if (c->status == TICKET_SOLVED)
			nw.solved_at = now;
		else if (c->status != TICKET_CLOSED &&
		    (w.status == TICKET_SOLVED || w.status == TICKET_CLOSED))
			nw.solved_at = 0;
		p = act_payload(ticket_id, "status",
		    json_string(ticket_status_name(c->status)),
		    json_string(ticket_status_name(w.status)));
		if (act_queue(r, "set_status", ticket_id, NULL, p, NULL,
		    cause) != 0)
			goto out;
		queued++;
	}
	if (c->priority != -1 && c->priority != w.priority) {
		nw.priority = c->priority;
		p = act_payload(ticket_id, "priority",
		    json_string(ticket_priority_name(c->priority)),
		    json_string(ticket_priority_name(w.priority)));
		if (act_queue(r, "set_priority", ticket_id, NULL, p, NULL,
		    cause) != 0)
			goto out;
		queued++;
	}
	if (c->set_assignee && act_differ(c->assignee_id, w.assignee_id)) {
		nw.assignee_id = c->assignee_id;
		p = act_payload(ticket_id, "assignee_id",
		    act_json_text(c->assignee_id),
		    act_json_text(w.assignee_id));
		if (act_queue(r, "set_assignee", ticket_id, NULL, p, NULL,
		    cause) != 0)
			goto out;
		queued++;
	}
	if (c->set_team && act_differ(c->team_id, w.team_id)) {
		nw.team_id = c->team_id;
		p = act_payload(ticket_id, "team_id", act_json_text(c->team_id),
		    act_json_text(w.team_id));
		if (act_queue(r, "set_team", ticket_id, NULL, p, NULL,
		    cause) != 0)
			goto out;
		queued++;
	}
	if (c->set_category && act_differ(c->category, w.category)) {
		nw.category = c->category;
		p = act_payload(ticket_id, "category",
		    act_json_text(c->category), act_json_text(w.category));
		if (act_queue(r, "set_category", ticket_id, NULL, p, NULL,
		    cause) != 0)
			goto out;
		queued++;
	}
	if (c->ntags_add != 0 || c->ntags_remove != 0) {
		if (act_tags(w.tags, c, add, remove, &tags, cause) != 0)
			goto out;
		if (tags != NULL) {
			if (act_update_tags(r, ticket_id, tags, cause) != 0)
				goto out;
			p = json_object();
			json_object_set_new(p, "ticket_id",
			    json_string(ticket_id));
			json_object_set(p, "add", add);
			json_object_set(p, "remove", remove);
			if (act_queue(r, "set_tags", ticket_id, NULL, p, NULL,
			    cause) != 0)
				goto out;
			queued++;
		}
	}
	if (queued != 0 && act_update(r, ticket_id, &nw, now, cause) != 0)
		goto out;
	*n += queued;
	rc = 0;
out:
	free(tags);
	json_decref(add);
	json_decref(remove);
	act_row_clear(&w);
	return (rc);
}

/* Refuse an assignee or team the change names that is not a live row. */
static int
act_check_refs(struct replica *r, const struct ticket_change *c, char **cause)
{
	char	*q;
	int	 rc;

	if (c->set_assignee && c->assignee_id != NULL) {
		rc = rp_lookup(r, "SELECT 1 FROM users WHERE id = ?",
		    c->assignee_id, NULL, cause);
		if (rc == REPLICA_NOTFOUND) {
			q = act_quote(c->assignee_id);
			*cause = xprintf(_("no user %s"), q);
			free(q);
		}
		if (rc != 0)
			return (-1);
	}
	if (c->set_team && c->team_id != NULL) {
		rc = rp_lookup(r, "SELECT 1 FROM teams WHERE id = ?",
		    c->team_id, NULL, cause);
		if (rc == REPLICA_NOTFOUND) {
			q = act_quote(c->team_id);
			*cause = xprintf(_("no team %s"), q);
			free(q);
		}
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/*
 * Apply one change to n tickets in one transaction, all or nothing. Fields
 * that already hold the requested value write nothing; *nqueued is the
 * number of outbox entries written (0: nothing to do).
 */
int
replica_act_bulk_set(struct replica *r, const char *const *ticket_ids,
    size_t n, const struct ticket_change *c, int *nqueued, char **cause)
{
	int64_t	 now;
	size_t	 i;
	int	 queued = 0;

	*nqueued = 0;
	if (ticket_change_validate(c, cause) != 0)
		return (-1);
	if (n == 0)
		return (0);
	if (replica_begin(r, cause) != 0)
		return (-1);
	if (act_check_refs(r, c, cause) != 0)
		goto fail;
	now = time_now_ms();
	for (i = 0; i < n; i++) {
		if (act_set_one(r, ticket_ids[i], c, now, &queued, cause) != 0)
			goto fail;
	}
	if (replica_commit(r, cause) != 0)
		goto fail;
	*nqueued = queued;
	return (0);
fail:
	replica_rollback(r);
	return (-1);
}

/* Apply a change to one ticket (see replica_act_bulk_set). */
int
replica_act_set(struct replica *r, const char *ticket_id,
    const struct ticket_change *c, int *nqueued, char **cause)
{
	return (replica_act_bulk_set(r, &ticket_id, 1, c, nqueued, cause));
}
