/* replica-notify.c: the agent's notifications and availability, kept locally and changed through the outbox. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

#define NOTIFY_CURSOR	"notifications_cursor"

/* What a notification says, in words (translated). */
const char *
notification_kind_label(const char *kind)
{
	static const struct {
		const char	*kind;
		const char	*text;
	} kinds[] = {
		{ "assigned", N_("assigned to you") },
		{ "customer_replied", N_("the customer replied") },
		{ "mention", N_("mentioned you") },
		{ "sla_reminder", N_("SLA: half the time is gone") },
		{ "sla_warning", N_("SLA: three quarters of the time gone") },
		{ "sla_breach", N_("SLA breached: overdue") },
		{ "sla_level2", N_("SLA: a day past the breach") },
	};
	size_t	 i;

	for (i = 0; i < nitems(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (_(kinds[i].text));
	return (kind);
}

/* Where the last fetch of notifications ended (0: never). */
int64_t
replica_notify_cursor(struct replica *r)
{
	char	*s;
	int64_t	 n;

	if ((s = replica_setting(r, NOTIFY_CURSOR)) == NULL)
		return (0);
	n = strtoll(s, NULL, 10);
	free(s);
	return (n);
}

/*
 * Store what GET /v1/notifications answered (its "notifications" array)
 * and its cursor, in one transaction. A notification marked read here
 * and not yet pushed keeps its local read time.
 */
int
replica_notify_store(struct replica *r, json_t *list, int64_t cursor,
    char **cause)
{
	sqlite3_stmt	*s;
	json_t		*n;
	char		 cur[32];
	size_t		 i;
	int		 rc;

	if (!json_is_array(list)) {
		*cause = xstrdup(_("the server's notifications are not a list"));
		return (-1);
	}
	if (replica_begin(r, cause) != 0)
		return (-1);
	if (rp_prepare(r, "INSERT INTO notifications(id, kind, ticket_id, "
	    "actor_id, detail, created_at, read_at, rev) VALUES (?, ?, ?, ?, "
	    "?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET read_at = "
	    "coalesce(notifications.read_at, excluded.read_at), rev = "
	    "excluded.rev", &s, cause) != 0)
		goto fail;
	json_array_foreach(list, i, n) {
		if (!json_is_string(json_object_get(n, "id")) ||
		    !json_is_string(json_object_get(n, "kind")) ||
		    !utf8_valid(json_string_value(json_object_get(n, "kind")),
		    strlen(json_string_value(json_object_get(n, "kind"))))) {
			sqlite3_finalize(s);
			*cause = xstrdup(_("a notification from the server is "
			    "not well formed"));
			goto fail;
		}
		sqlite3_reset(s);
		rp_bind_text(s, 1, json_string_value(json_object_get(n, "id")));
		rp_bind_text(s, 2, json_string_value(json_object_get(n,
		    "kind")));
		rp_bind_text(s, 3, json_string_value(json_object_get(n,
		    "ticket_id")));
		rp_bind_text(s, 4, json_string_value(json_object_get(n,
		    "actor_id")));
		rp_bind_text(s, 5, json_string_value(json_object_get(n,
		    "detail")));
		sqlite3_bind_int64(s, 6, json_integer_value(json_object_get(n,
		    "created_at")));
		rp_bind_int(s, 7, json_integer_value(json_object_get(n,
		    "read_at")));
		sqlite3_bind_int64(s, 8, json_integer_value(json_object_get(n,
		    "rev")));
		if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
			sqlite3_finalize(s);
			*cause = rp_error(r, _("storing notifications"));
			goto fail;
		}
	}
	sqlite3_finalize(s);
	snprintf(cur, sizeof cur, "%lld", (long long)cursor);
	if (replica_setting_set(r, NOTIFY_CURSOR, cur, cause) != 0 ||
	    replica_commit(r, cause) != 0)
		goto fail;
	return (0);
fail:
	replica_rollback(r);
	return (-1);
}

/* How many notifications are unread. */
int
replica_notify_unread(struct replica *r, int64_t *n, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT count(*) FROM notifications WHERE read_at "
	    "IS NULL", &s, cause) != 0)
		return (-1);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		*cause = rp_error(r, _("counting notifications"));
		return (-1);
	}
	return (0);
}

void
notification_list_free(struct notification_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].kind);
		free(l->v[i].subject);
		free(l->v[i].actor);
		free(l->v[i].detail);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The newest notifications first (unread only, if asked), at most limit. */
int
replica_notify_list(struct replica *r, int unread, size_t limit,
    struct notification_list *l, char **cause)
{
	struct notification	*n;
	sqlite3_stmt		*s;
	int			 rc;

	memset(l, 0, sizeof *l);
	if (rp_prepare(r, "SELECT n.id, n.kind, n.ticket_id, t.number, "
	    "t.subject, u.name, n.detail, n.created_at, n.read_at FROM "
	    "notifications n LEFT JOIN tickets t ON t.id = n.ticket_id LEFT "
	    "JOIN users u ON u.id = n.actor_id WHERE (?1 = 0 OR n.read_at IS "
	    "NULL) ORDER BY n.created_at DESC, n.rid DESC LIMIT ?2", &s,
	    cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, unread);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		n = &l->v[l->n++];
		memset(n, 0, sizeof *n);
		rp_col_uuid(s, 0, n->id);
		n->kind = rp_col_text(s, 1);
		rp_col_uuid(s, 2, n->ticket_id);
		n->number = rp_col_int(s, 3);
		n->subject = rp_col_text(s, 4);
		n->actor = rp_col_text(s, 5);
		n->detail = rp_col_text(s, 6);
		n->created_at = rp_col_int(s, 7);
		n->read_at = rp_col_int(s, 8);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		notification_list_free(l);
		*cause = rp_error(r, _("reading notifications"));
		return (-1);
	}
	return (0);
}

/*
 * Mark notifications read: the n ids, or with n 0 every unread one. Local
 * at once, with one mark_read entry in the outbox for the server.
 * *marked: how many changed.
 */
int
replica_notify_read(struct replica *r, const char *const *ids, size_t n,
    int *marked, char **cause)
{
	sqlite3_stmt	*s;
	json_t		*a, *p;
	char		*text = NULL, *list;
	int64_t		 seq;
	size_t		 i;
	int		 rc;

	*marked = 0;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(ids[i]));
	list = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (replica_begin(r, cause) != 0) {
		free(list);
		return (-1);
	}
	if (rp_prepare(r, "UPDATE notifications SET read_at = ?1 WHERE "
	    "read_at IS NULL AND (?2 = '[]' OR id IN (SELECT value FROM "
	    "json_each(?2))) RETURNING id", &s, cause) != 0)
		goto fail;
	sqlite3_bind_int64(s, 1, time_now_ms());
	rp_bind_text(s, 2, list);
	a = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_string((const char *)
		    sqlite3_column_text(s, 0)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		*cause = rp_error(r, _("marking notifications read"));
		goto fail;
	}
	*marked = (int)json_array_size(a);
	if (*marked == 0) {
		json_decref(a);
		replica_rollback(r);
		free(list);
		return (0);
	}
	p = json_pack("{s:o}", "ids", a);
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (replica_outbox_append(r, "mark_read", NULL, NULL, text, &seq,
	    cause) != 0 || replica_commit(r, cause) != 0)
		goto fail;
	free(text);
	free(list);
	return (0);
fail:
	replica_rollback(r);
	free(text);
	free(list);
	return (-1);
}

/* Whether the logged-in agent is available for assignment (1), away (0). */
int
replica_available(struct replica *r)
{
	char	*me, *v = NULL, *cause = NULL;
	int	 yes;

	if ((me = replica_me(r)) == NULL)
		return (1);
	if (rp_lookup(r, "SELECT available FROM users WHERE id = ?", me, &v,
	    &cause) != 0)
		free(cause);
	free(me);
	yes = v == NULL || strcmp(v, "0") != 0;
	free(v);
	return (yes);
}

/* Say available or away: local at once, and a set_available entry. */
int
replica_set_available(struct replica *r, int available, char **cause)
{
	sqlite3_stmt	*s;
	char		*me, *text;
	int64_t		 seq;
	int		 rc;

	if ((me = replica_me(r)) == NULL) {
		*cause = xstrdup(_("no current user: log in first"));
		return (-1);
	}
	if (replica_begin(r, cause) != 0) {
		free(me);
		return (-1);
	}
	if (rp_prepare(r, "UPDATE users SET available = ? WHERE id = ?", &s,
	    cause) != 0)
		goto fail;
	sqlite3_bind_int(s, 1, available != 0);
	rp_bind_text(s, 2, me);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("saving availability"));
		goto fail;
	}
	text = xprintf("{\"available\":%s}", available ? "true" : "false");
	rc = replica_outbox_append(r, "set_available", NULL, NULL, text, &seq,
	    cause);
	free(text);
	if (rc != 0 || replica_commit(r, cause) != 0)
		goto fail;
	free(me);
	return (0);
fail:
	replica_rollback(r);
	free(me);
	return (-1);
}

/*
 * Put back what a mark_read or set_available entry changed locally
 * (discarded, or refused by the server), inside the caller's transaction.
 * 1 if type is one of these, 0 if not, -1 on error.
 */
int
rp_notify_undo(struct replica *r, const char *type, const char *payload,
    char **cause)
{
	sqlite3_stmt	*s;
	json_t		*p;
	char		*ids, *me;
	int		 rc;

	if (strcmp(type, "mark_read") != 0 && strcmp(type, "set_available") != 0)
		return (0);
	if ((p = json_loads(payload != NULL ? payload : "", 0, NULL)) == NULL) {
		*cause = xstrdup(_("an outbox entry has a damaged payload"));
		return (-1);
	}
	if (strcmp(type, "mark_read") == 0) {
		ids = json_dumps(json_object_get(p, "ids"), JSON_COMPACT);
		rc = rp_prepare(r, "UPDATE notifications SET read_at = NULL "
		    "WHERE id IN (SELECT value FROM json_each(?))", &s, cause);
		if (rc == 0) {
			rp_bind_text(s, 1, ids != NULL ? ids : "[]");
			rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
			sqlite3_finalize(s);
		}
		free(ids);
	} else {
		me = replica_me(r);
		rc = rp_prepare(r, "UPDATE users SET available = ? WHERE id = ?",
		    &s, cause);
		if (rc == 0) {
			sqlite3_bind_int(s, 1, !json_is_true(json_object_get(p,
			    "available")));
			rp_bind_text(s, 2, me);
			rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
			sqlite3_finalize(s);
		}
		free(me);
	}
	json_decref(p);
	if (rc != 0) {
		if (*cause == NULL)
			*cause = rp_error(r, _("undoing a change"));
		return (-1);
	}
	return (1);
}
