/* replica-ticket.c: one ticket with its thread, audit trail and attachments. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

static const char *const sync_state_names[] = {
	"synced", "pending", "rejected", "conflict"
};

/*
 * "refund, vip" from a ticket's tags as stored (a JSON array of strings);
 * NULL when there are none. Caller frees; the text is data, not sanitised.
 */
char *
tags_text(const char *json)
{
	struct buf	 b = BUF_INIT;
	json_t		*a, *v;
	size_t		 i;

	if (json == NULL || (a = json_loads(json, 0, NULL)) == NULL)
		return (NULL);
	if (json_is_array(a)) {
		json_array_foreach(a, i, v) {
			if (!json_is_string(v))
				continue;
			if (b.len > 0)
				buf_puts(&b, ", ");
			buf_append(&b, json_string_value(v),
			    json_string_length(v));
		}
	}
	json_decref(a);
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_detach(&b));
}

/* The wire name of a message's sync state. */
const char *
sync_state_name(enum sync_state s)
{
	if ((int)s < 0 || (size_t)s >= nitems(sync_state_names))
		return ("?");
	return (sync_state_names[s]);
}

/* Free a ticket detail and everything in it. */
void
ticket_detail_free(struct ticket_detail *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	ticket_clear(&d->t);
	for (i = 0; i < d->nmessages; i++) {
		free(d->messages[i].author);
		free(d->messages[i].author_id);
		free(d->messages[i].author_name);
		free(d->messages[i].body);
		free(d->messages[i].delivery);
		free(d->messages[i].delivery_reason);
		free(d->messages[i].macro_commit);
		free(d->messages[i].reason);
	}
	free(d->messages);
	for (i = 0; i < d->nevents; i++) {
		free(d->events[i].actor);
		free(d->events[i].field);
		free(d->events[i].old_value);
		free(d->events[i].new_value);
	}
	free(d->events);
	for (i = 0; i < d->nattachments; i++) {
		free(d->attachments[i].name);
		free(d->attachments[i].mime);
		free(d->attachments[i].sha256);
	}
	free(d->attachments);
	free(d);
}

/* The thread in order, each message with its author's name and sync state. */
static int
ticket_messages(struct replica *r, struct ticket_detail *d, char **cause)
{
	sqlite3_stmt	*s;
	struct message	*m;
	int		 rc;

	if (rp_prepare(r, "SELECT m.id, m.author, m.author_id, "
	    "CASE m.author WHEN 'agent' THEN u.name "
	    "WHEN 'customer' THEN c.name END, m.internal, m.body, "
	    "m.created_at, m.delivery, m.delivery_reason, m.macro_commit, "
	    "o.state, o.reason FROM messages m "
	    "LEFT JOIN users u ON m.author = 'agent' AND u.id = m.author_id "
	    "LEFT JOIN customers c ON m.author = 'customer' "
	    "AND c.id = m.author_id "
	    "LEFT JOIN outbox o ON o.seq = (SELECT max(seq) FROM outbox "
	    "WHERE entity_id = m.id) "
	    "WHERE m.ticket_id = ? "
	    "ORDER BY m.created_at, m.rid", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, d->t.id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->messages = xreallocarray(d->messages, d->nmessages + 1,
		    sizeof *d->messages);
		m = &d->messages[d->nmessages++];
		memset(m, 0, sizeof *m);
		rp_col_uuid(s, 0, m->id);
		m->author = rp_col_text(s, 1);
		m->author_id = rp_col_text(s, 2);
		m->author_name = rp_col_text(s, 3);
		m->internal = (int)rp_col_int(s, 4);
		m->body = rp_col_text(s, 5);
		if (m->body == NULL)
			m->body = xstrdup("");
		m->created_at = rp_col_int(s, 6);
		m->delivery = rp_col_text(s, 7);
		m->delivery_reason = rp_col_text(s, 8);
		m->macro_commit = rp_col_text(s, 9);
		switch (sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 :
		    (int)rp_col_int(s, 10)) {
		case OUTBOX_PENDING:
			m->state = SYNC_PENDING;
			break;
		case OUTBOX_REJECTED:
			m->state = SYNC_REJECTED;
			break;
		case OUTBOX_CONFLICT:
			m->state = SYNC_CONFLICT;
			break;
		default:
			m->state = SYNC_SYNCED;
			break;
		}
		m->reason = rp_col_text(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading messages"));
		return (-1);
	}
	return (0);
}

/* The audit trail in order. */
static int
ticket_events(struct replica *r, struct ticket_detail *d, char **cause)
{
	sqlite3_stmt	*s;
	struct event	*e;
	int		 rc;

	if (rp_prepare(r, "SELECT e.id, u.name, e.field, e.old_value, "
	    "e.new_value, e.created_at FROM events e "
	    "LEFT JOIN users u ON u.id = e.actor_id "
	    "WHERE e.ticket_id = ? "
	    "ORDER BY e.created_at, e.rid", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, d->t.id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->events = xreallocarray(d->events, d->nevents + 1,
		    sizeof *d->events);
		e = &d->events[d->nevents++];
		rp_col_uuid(s, 0, e->id);
		e->actor = rp_col_text(s, 1);
		e->field = rp_col_text(s, 2);
		e->old_value = rp_col_text(s, 3);
		e->new_value = rp_col_text(s, 4);
		e->created_at = rp_col_int(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading events"));
		return (-1);
	}
	return (0);
}

/* Attachment metadata in order. */
static int
ticket_attachments(struct replica *r, struct ticket_detail *d, char **cause)
{
	sqlite3_stmt		*s;
	struct attachment	*a;
	int			 rc;

	if (rp_prepare(r, "SELECT id, message_id, name, mime, size, sha256 "
	    "FROM attachments WHERE ticket_id = ? "
	    "ORDER BY rid", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, d->t.id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->attachments = xreallocarray(d->attachments,
		    d->nattachments + 1, sizeof *d->attachments);
		a = &d->attachments[d->nattachments++];
		rp_col_uuid(s, 0, a->id);
		rp_col_uuid(s, 1, a->message_id);
		a->name = rp_col_text(s, 2);
		a->mime = rp_col_text(s, 3);
		a->size = rp_col_int(s, 4);
		a->sha256 = rp_col_text(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading attachments"));
		return (-1);
	}
	return (0);
}

/*
 * A ticket by number (id NULL) or by id, with its thread, events and
 * attachments. Returns REPLICA_NOTFOUND when there is no such ticket.
 */
int
replica_ticket_get(struct replica *r, int64_t number, const char *id,
    struct ticket_detail **out, char **cause)
{
	struct ticket_detail	*d;
	sqlite3_stmt		*s;
	int			 rc;

	if (rp_prepare(r, id != NULL ?
	    "SELECT " RP_TICKET_COLUMNS " FROM tickets t " RP_TICKET_JOINS
	    " WHERE t.id = ?" :
	    "SELECT " RP_TICKET_COLUMNS " FROM tickets t " RP_TICKET_JOINS
	    " WHERE t.number = ?", &s, cause) != 0)
		return (-1);
	if (id != NULL)
		rp_bind_text(s, 1, id);
	else
		sqlite3_bind_int64(s, 1, number);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return (REPLICA_NOTFOUND);
		*cause = rp_error(r, _("reading a ticket"));
		return (-1);
	}
	d = xcalloc(1, sizeof *d);
	rp_read_ticket(s, 0, &d->t);
	sqlite3_finalize(s);
	if (ticket_messages(r, d, cause) != 0 ||
	    ticket_events(r, d, cause) != 0 ||
	    ticket_attachments(r, d, cause) != 0) {
		ticket_detail_free(d);
		return (-1);
	}
	*out = d;
	return (0);
}

/* The id of ticket number n. */
int
replica_ticket_id(struct replica *r, int64_t n, char id[UUID_STRLEN + 1],
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT id FROM tickets WHERE number = ?", &s,
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, n);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rp_col_uuid(s, 0, id);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("looking up a ticket"));
	return (-1);
}
