/* replica-draft.c: reply and note drafts, saved as the agent types. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * Save the draft of one kind (reply, note) for a ticket. macro_commit, if
 * not NULL, is the playbook commit of a macro put into it; it stays with
 * the draft until the draft is sent or deleted.
 */
int
replica_draft_save(struct replica *r, const char *ticket_id, const char *kind,
    const char *body, const char *macro_commit, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "INSERT INTO drafts(ticket_id, kind, body, "
	    "updated_at, macro_commit) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT(ticket_id, kind) DO UPDATE SET body = excluded.body, "
	    "updated_at = excluded.updated_at, macro_commit = "
	    "coalesce(excluded.macro_commit, drafts.macro_commit)", &s,
	    cause) != 0)
		return (-1);
	rp_bind_text(s, 1, ticket_id);
	rp_bind_text(s, 2, kind);
	rp_bind_text(s, 3, body);
	sqlite3_bind_int64(s, 4, time_now_ms());
	rp_bind_text(s, 5, macro_commit);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("saving a draft"));
		return (-1);
	}
	return (0);
}

/*
 * Load a draft; REPLICA_NOTFOUND when there is none. *body and, if
 * macro_commit is not NULL, *macro_commit (NULL if none): Caller frees.
 */
int
replica_draft_load(struct replica *r, const char *ticket_id, const char *kind,
    char **body, char **macro_commit, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT body, macro_commit FROM drafts WHERE "
	    "ticket_id = ? "
	    "AND kind = ?", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, ticket_id);
	rp_bind_text(s, 2, kind);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*body = rp_col_text(s, 0);
		if (macro_commit != NULL)
			*macro_commit = sqlite3_column_type(s, 1) ==
			    SQLITE_NULL ? NULL : rp_col_text(s, 1);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("loading a draft"));
	return (-1);
}

/* Remove a draft (after it was sent). */
int
replica_draft_delete(struct replica *r, const char *ticket_id,
    const char *kind, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "DELETE FROM drafts WHERE ticket_id = ? AND kind = ?",
	    &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, ticket_id);
	rp_bind_text(s, 2, kind);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("deleting a draft"));
		return (-1);
	}
	return (0);
}
