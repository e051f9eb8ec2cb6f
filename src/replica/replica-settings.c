/* replica-settings.c: local key/value settings and who "me" is. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/* A setting's value, or NULL when unset. Caller frees. */
char *
replica_setting(struct replica *r, const char *key)
{
	sqlite3_stmt	*s;
	char		*cause = NULL, *v = NULL;

	s = rp_stmt(r, RS_SETTING_GET,
	    "SELECT value FROM settings WHERE key = ?", &cause);
	if (s == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (NULL);
	}
	rp_bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = rp_col_text(s, 0);
	sqlite3_reset(s);
	return (v);
}

/* Set (or with NULL, remove) a setting. */
int
replica_setting_set(struct replica *r, const char *key, const char *value,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, value != NULL ?
	    "INSERT INTO settings(key, value) VALUES (?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value" :
	    "DELETE FROM settings WHERE key = ?", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, key);
	if (value != NULL)
		rp_bind_text(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("saving a setting"));
		return (-1);
	}
	return (0);
}

/* The current user's id (setting user_id), or NULL. Caller frees. */
char *
replica_me(struct replica *r)
{
	return (replica_setting(r, "user_id"));
}

/* Find a user's id by email (case-insensitive). */
int
replica_user_by_email(struct replica *r, const char *email, char **id,
    char **cause)
{
	return (rp_lookup(r, "SELECT id FROM users WHERE email = ? "
	    "COLLATE NOCASE", email, id, cause));
}

/* The pull cursor: the highest server rev applied to this replica. */
int
replica_sync_cursor(struct replica *r, int64_t *cursor, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT cursor FROM sync_state WHERE id = 1", &s,
	    cause) != 0)
		return (-1);
	rc = sqlite3_step(s);
	*cursor = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading the sync cursor"));
		return (-1);
	}
	return (0);
}

/* Move the cursor; inside the transaction that applied the page. */
int
replica_sync_set_cursor(struct replica *r, int64_t cursor, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "UPDATE sync_state SET cursor = ?, last_pull_at = ? "
	    "WHERE id = 1", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, cursor);
	sqlite3_bind_int64(s, 2, time_now_ms());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("writing the sync cursor"));
		return (-1);
	}
	return (0);
}
