/* replica-outbox.c: the outbox of local changes waiting for the server. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

static const char *const outbox_state_names[] = {
	"pending", "applied", "rejected", "conflict", "discarded", "retried"
};

/* The name of an outbox state. */
const char *
outbox_state_name(enum outbox_state s)
{
	if ((int)s < 0 || (size_t)s >= nitems(outbox_state_names))
		return ("?");
	return (outbox_state_names[s]);
}

/*
 * Append a mutation to the outbox with the next sequence number. It must run
 * inside the transaction that writes the local change it describes, so the
 * two are committed, or lost, together.
 */
int
replica_outbox_append(struct replica *r, const char *type,
    const char *ticket_id, const char *entity_id, const char *payload,
    int64_t *seq, char **cause)
{
	sqlite3_stmt	*s;
	char		 mid[UUID_STRLEN + 1];
	int64_t		 now;
	int		 rc;

	if (sqlite3_get_autocommit(r->db)) {
		*cause = xstrdup(_("outbox append outside a transaction"));
		return (-1);
	}
	if ((s = rp_stmt(r, RS_OUTBOX_APPEND, "INSERT INTO outbox(mutation_id, "
	    "type, ticket_id, entity_id, payload, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", cause)) == NULL)
		return (-1);
	uuid_v7(mid);
	now = time_now_ms();
	rp_bind_text(s, 1, mid);
	rp_bind_text(s, 2, type);
	rp_bind_text(s, 3, ticket_id);
	rp_bind_text(s, 4, entity_id);
	rp_bind_text(s, 5, payload);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("queueing a change"));
		return (-1);
	}
	if (seq != NULL)
		*seq = sqlite3_last_insert_rowid(r->db);
	return (0);
}

/* Free an outbox list. */
void
outbox_list_free(struct outbox_list *l)
{
	size_t			 i;
	struct outbox_entry	*e;

	for (i = 0; i < l->n; i++) {
		e = &l->v[i];
		free(e->type);
		free(e->ticket_id);
		free(e->entity_id);
		free(e->payload);
		free(e->reason);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The entries whose state is in statemask (OUTBOX_MASK bits), in seq order. */
int
replica_outbox_list(struct replica *r, unsigned int statemask,
    struct outbox_list *out, char **cause)
{
	sqlite3_stmt		*s;
	struct outbox_entry	*e;
	int			 rc;

	out->v = NULL;
	out->n = 0;
	if (rp_prepare(r, "SELECT o.seq, o.mutation_id, o.type, o.ticket_id, "
	    "t.number, o.entity_id, o.payload, o.state, o.reason, o.rev, "
	    "o.attempts, o.created_at FROM outbox o "
	    "LEFT JOIN tickets t ON t.id = o.ticket_id "
	    "WHERE ((1 << o.state) & ?) != 0 ORDER BY o.seq", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, (int)statemask);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		e = &out->v[out->n++];
		memset(e, 0, sizeof *e);
		e->seq = rp_col_int(s, 0);
		rp_col_uuid(s, 1, e->mutation_id);
		e->type = rp_col_text(s, 2);
		e->ticket_id = rp_col_text(s, 3);
		e->ticket_number = rp_col_int(s, 4);
		e->entity_id = rp_col_text(s, 5);
		e->payload = rp_col_text(s, 6);
		e->state = (enum outbox_state)rp_col_int(s, 7);
		e->reason = rp_col_text(s, 8);
		e->rev = rp_col_int(s, 9);
		e->attempts = (int)rp_col_int(s, 10);
		e->created_at = rp_col_int(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading the outbox"));
		outbox_list_free(out);
		return (-1);
	}
	return (0);
}

/* Record the server's answer for one entry: applied at rev, or why not. */
int
replica_outbox_mark(struct replica *r, int64_t seq, enum outbox_state state,
    const char *reason, int64_t rev, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (state == OUTBOX_REJECTED && rp_outbox_undo_rejected(r, seq,
	    cause) != 0)
		return (-1);
	if (rp_prepare(r, "UPDATE outbox SET state = ?, reason = ?, rev = ?, "
	    "attempts = attempts + 1, updated_at = ? WHERE seq = ?",
	    &s, cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, (int)state);
	rp_bind_text(s, 2, reason);
	rp_bind_int(s, 3, rev);
	sqlite3_bind_int64(s, 4, time_now_ms());
	sqlite3_bind_int64(s, 5, seq);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("updating the outbox"));
		return (-1);
	}
	if (sqlite3_changes(r->db) == 0) {
		*cause = xprintf(_("no outbox entry %lld"), (long long)seq);
		return (-1);
	}
	return (0);
}

/* The number of entries in one state. */
int
replica_outbox_count(struct replica *r, enum outbox_state state,
    int64_t *count, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT count(*) FROM outbox WHERE state = ?",
	    &s, cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, (int)state);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		*cause = rp_error(r, _("counting the outbox"));
		return (-1);
	}
	return (0);
}
