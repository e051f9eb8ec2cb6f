/* replica.c: opening the SQLite replica, refusing what is not ours, migrating what is. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "replica-int.h"

/* "Tria": marks a SQLite file as a triage replica (PRAGMA application_id). */
#define REPLICA_APP_ID	0x54726961

/* The replica file to use: $TRIAGE_REPLICA or the XDG data directory. */
char *
replica_default_path(void)
{
	const char	*env;
	char		*dir, *path;

	if ((env = getenv("TRIAGE_REPLICA")) != NULL && *env != '\0')
		return (xstrdup(env));
	dir = path_data_dir();
	path = xprintf("%s/replica.db", dir);
	free(dir);
	return (path);
}

/* The schema version this build creates and migrates to. */
int
replica_latest_version(void)
{
	return (replica_migrations_count);
}

/* "what: sqlite's message". Caller frees. */
char *
rp_error(struct replica *r, const char *what)
{
	return (xprintf("%s: %s", what, sqlite3_errmsg(r->db)));
}

/* Run SQL without results. */
int
rp_exec(struct replica *r, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(r->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xprintf("%s", err != NULL ? err :
		    sqlite3_errmsg(r->db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/*
 * Run a query with one text parameter that yields at most one row: 0 with
 * the first column in *out (if out is not NULL; Caller frees), or
 * REPLICA_NOTFOUND, or -1 with *cause.
 */
int
rp_lookup(struct replica *r, const char *sql, const char *param, char **out,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (out != NULL)
		*out = NULL;
	if (rp_prepare(r, sql, &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, param);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && out != NULL)
		*out = rp_col_text(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("reading the replica"));
	return (-1);
}

/* Prepare a statement. */
int
rp_prepare(struct replica *r, const char *sql, sqlite3_stmt **stmt,
    char **cause)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*cause = rp_error(r, _("replica query"));
		*stmt = NULL;
		return (-1);
	}
	return (0);
}

/* A cached statement for a fixed slot, reset and ready to bind. */
sqlite3_stmt *
rp_stmt(struct replica *r, enum replica_stmt slot, const char *sql,
    char **cause)
{
	sqlite3_stmt	*s = r->stmts[slot];

	if (s == NULL) {
		if (rp_prepare(r, sql, &s, cause) != 0)
			return (NULL);
		r->stmts[slot] = s;
	} else {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return (s);
}

/* Bind text, NULL as NULL. */
void
rp_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Bind an integer where 0 means absent (NULL). */
void
rp_bind_int(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

/* A column's text copied, or NULL. Caller frees. */
char *
rp_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*t;
	int			 n;
	char			*p;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return (NULL);
	t = sqlite3_column_text(s, i);
	n = sqlite3_column_bytes(s, i);
	p = xmalloc((size_t)n + 1);
	memcpy(p, t, (size_t)n);
	p[n] = '\0';
	return (p);
}

/* A UUID column into a fixed buffer ("" when NULL). */
void
rp_col_uuid(sqlite3_stmt *s, int i, char out[UUID_STRLEN + 1])
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	if (t == NULL)
		out[0] = '\0';
	else
		snprintf(out, UUID_STRLEN + 1, "%s", (const char *)t);
}

/* An integer column; NULL reads as 0. */
int64_t
rp_col_int(sqlite3_stmt *s, int i)
{
	return (sqlite3_column_int64(s, i));
}

/*
 * Say why a file SQLite cannot read is refused: foreign or damaged (a
 * truncated file reads as damaged). The file itself is never opened here:
 * closing any descriptor of it would drop the locks every connection of
 * this process holds on it (POSIX advisory locks), and another process
 * could then delete a live WAL.
 */
static void
replica_unreadable(struct replica *r, char **cause)
{
	if ((sqlite3_errcode(r->db) & 0xff) == SQLITE_NOTADB)
		*cause = xprintf(_("%s: not a triage replica (not an SQLite "
		    "database); left untouched"), r->path);
	else
		*cause = xprintf(_("%s: damaged replica (%s); left untouched"),
		    r->path, sqlite3_errmsg(r->db));
}

/* Read the header pragmas without changing anything in the file. */
static int
replica_inspect(struct replica *r, int *app_id, int *version, int *objects,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT (SELECT application_id FROM "
	    "pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_master)",
	    -1, &s, NULL) != SQLITE_OK) {
		replica_unreadable(r, cause);
		return (-1);
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		replica_unreadable(r, cause);
		sqlite3_finalize(s);
		return (-1);
	}
	*app_id = sqlite3_column_int(s, 0);
	*version = sqlite3_column_int(s, 1);
	*objects = sqlite3_column_int(s, 2);
	sqlite3_finalize(s);
	return (0);
}

/* Apply migrations from the current version up to target in one transaction. */
static int
replica_migrate(struct replica *r, int from, int target, char **cause)
{
	char	*sql, *why = NULL;
	int	 v;

	if (rp_exec(r, "BEGIN IMMEDIATE", &why) != 0)
		goto fail;
	for (v = from; v < target; v++) {
		if (rp_exec(r, replica_migrations[v], &why) != 0) {
			sql = why;
			why = xprintf(_("migration to version %d: %s"), v + 1,
			    sql);
			free(sql);
			replica_rollback(r);
			goto fail;
		}
	}
	sql = xprintf("PRAGMA application_id = %d; PRAGMA user_version = %d",
	    REPLICA_APP_ID, target);
	v = rp_exec(r, sql, &why);
	free(sql);
	if (v != 0 || rp_exec(r, "COMMIT", &why) != 0) {
		replica_rollback(r);
		goto fail;
	}
	r->version = target;
	return (0);
fail:
	*cause = xprintf("%s: %s", r->path, why);
	free(why);
	return (-1);
}

/* Open a connection and decide whether the file is ours, fresh or foreign. */
static int
replica_open_version(const char *path, int flags, int target,
    struct replica **out, char **cause)
{
	struct replica	*r;
	struct stat	 st;
	int		 oflags, app_id, version, objects, fd;
	char		*dir, *slash, *why = NULL;

	if (stat(path, &st) == -1) {
		if (errno != ENOENT || !(flags & REPLICA_CREATE)) {
			*cause = xprintf(_("%s: no replica here (%s); "
			    "`triage demo` makes one"), path, strerror(errno));
			return (-1);
		}
		dir = xstrdup(path);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if (path_mkdirs(dir, 0700, cause) != 0) {
				free(dir);
				return (-1);
			}
		}
		free(dir);
		/*
		 * The file is made here, 0600, before SQLite opens it: it will
		 * hold customers' data and the login token, and SQLite would
		 * make it (and its -wal and -shm, which copy its mode) 0644.
		 */
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) == -1 && errno != EEXIST) {
			*cause = xprintf("%s: %s", path, strerror(errno));
			return (-1);
		}
		if (fd != -1)
			close(fd);
		/* A dangling link: SQLite would make its target, 0644. */
		else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			*cause = xprintf(_("%s: a symbolic link to nothing; "
			    "not made"), path);
			return (-1);
		}
	} else if (!S_ISREG(st.st_mode)) {
		*cause = xprintf(_("%s: not a regular file"), path);
		return (-1);
	} else if (!(flags & REPLICA_READONLY) && st.st_uid == geteuid() &&
	    (st.st_mode & 077) != 0) {
		/* One made before replicas were 0600, or copied: tighten. */
		(void)chmod(path, 0600);
	}

	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->flags = flags;
	if (flags & REPLICA_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE |
		    ((flags & REPLICA_CREATE) ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &r->db, oflags, NULL) != SQLITE_OK) {
		*cause = xprintf("%s: %s", path, r->db != NULL ?
		    sqlite3_errmsg(r->db) : _("cannot open"));
		goto fail;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, 5000);

	/* Look before touching: nothing is written to a foreign file. */
	if (replica_inspect(r, &app_id, &version, &objects, cause) != 0)
		goto fail;
	if (app_id != REPLICA_APP_ID && !(app_id == 0 && version == 0 &&
	    objects == 0)) {
		*cause = xprintf(_("%s: not a triage replica "
		    "(application id %#x); left untouched"), path, app_id);
		goto fail;
	}
	if (version > replica_latest_version()) {
		*cause = xprintf(_("%s: replica schema version %d is newer "
		    "than this triage understands (%d); upgrade triage"),
		    path, version, replica_latest_version());
		goto fail;
	}
	r->version = version;
	if (flags & REPLICA_READONLY) {
		if (version < target) {
			*cause = xprintf(_("%s: replica schema version %d "
			    "needs migrating; open it read-write once"), path,
			    version);
			goto fail;
		}
	} else {
		/*
		 * A bulk load fills a fresh file that nobody else reads: no
		 * journal, no fsync, a big cache (the UUID indexes take
		 * inserts in random order). replica_generate() turns WAL on
		 * when it is done.
		 */
		if ((flags & REPLICA_BULK) && objects != 0) {
			*cause = xprintf(_("%s: bulk loading needs a new "
			    "file"), path);
			goto fail;
		}
		if (rp_exec(r, (flags & REPLICA_BULK) ?
		    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
		    "PRAGMA locking_mode = EXCLUSIVE; "
		    "PRAGMA cache_size = -2097152; PRAGMA temp_store = MEMORY" :
		    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
		    &why) != 0)
			goto fail_why;
		if (version < target &&
		    replica_migrate(r, version, target, cause) != 0)
			goto fail;
	}
	if (rp_exec(r, "PRAGMA foreign_keys = ON", &why) != 0)
		goto fail_why;
	*out = r;
	return (0);
fail_why:
	*cause = xprintf("%s: %s", path, why);
	free(why);
fail:
	replica_close(r);
	return (-1);
}

/* Open (and with REPLICA_CREATE, create) the replica at path, migrating it. */
int
replica_open(const char *path, int flags, struct replica **out, char **cause)
{
	return (replica_open_version(path, flags, replica_latest_version(),
	    out, cause));
}

/* Create a replica at an older schema version, for migration tests. */
int
replica_create_at_version(const char *path, int version, char **cause)
{
	struct replica	*r;

	if (version < 1 || version > replica_latest_version()) {
		*cause = xprintf("no schema version %d", version);
		return (-1);
	}
	if (replica_open_version(path, REPLICA_CREATE, version, &r,
	    cause) != 0)
		return (-1);
	replica_close(r);
	return (0);
}

/* Close the replica and free it. */
void
replica_close(struct replica *r)
{
	int	 i;

	if (r == NULL)
		return;
	for (i = 0; i < RS_COUNT; i++)
		sqlite3_finalize(r->stmts[i]);
	if (r->db != NULL)
		sqlite3_close(r->db);
	free(r->path);
	free(r);
}

/* The file this replica lives in. */
const char *
replica_path(struct replica *r)
{
	return (r->path);
}

/* The schema version of the open replica. */
int
replica_version(struct replica *r)
{
	return (r->version);
}

/* Begin a write transaction (taking the write lock at once). */
int
replica_begin(struct replica *r, char **cause)
{
	return (rp_exec(r, "BEGIN IMMEDIATE", cause));
}

/* Commit the current transaction. */
int
replica_commit(struct replica *r, char **cause)
{
	return (rp_exec(r, "COMMIT", cause));
}

/* Roll back the current transaction, if any. */
void
replica_rollback(struct replica *r)
{
	if (!sqlite3_get_autocommit(r->db))
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * Start a bulk load inside the caller's transaction: drop the secondary
 * indexes (not the unique ones: they keep the data right) and the
 * full-text triggers, keeping their SQL in bulk_ddl. Building an index
 * once from sorted rows is far cheaper than millions of inserts in random
 * key order. A load already under way is left as it is.
 */
int
replica_bulk_begin(struct replica *r, char **cause)
{
	sqlite3_stmt	*s;
	struct buf	 drop = BUF_INIT;
	int		 rc;

	if (replica_bulk_active(r))
		return (0);
	if (rp_exec(r, "INSERT INTO bulk_ddl(sql) SELECT sql FROM "
	    "sqlite_master WHERE " RP_BULK_DEFERRED " ORDER BY type, name",
	    cause) != 0)
		return (-1);
	if (rp_prepare(r, "SELECT type, name FROM sqlite_master WHERE "
	    RP_BULK_DEFERRED, &s, cause) != 0)
		return (-1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		buf_printf(&drop, "DROP %s \"%s\";",
		    strcmp((const char *)sqlite3_column_text(s, 0), "index") ==
		    0 ? "INDEX" : "TRIGGER", sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading the schema"));
		buf_free(&drop);
		return (-1);
	}
	rc = drop.len > 0 ? rp_exec(r, buf_cstr(&drop), cause) : 0;
	buf_free(&drop);
	return (rc);
}

/* Whether a bulk load is under way (its indexes wait in bulk_ddl). */
int
replica_bulk_active(struct replica *r)
{
	sqlite3_stmt	*s;
	int		 active = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM bulk_ddl LIMIT 1", -1,
	    &s, NULL) != SQLITE_OK)
		return (0);
	active = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return (active);
}

/*
 * End a bulk load inside the caller's transaction: recreate what
 * replica_bulk_begin() dropped and fill the full-text indexes from their
 * tables. The caller then runs ANALYZE outside it.
 */
int
replica_bulk_done(struct replica *r, char **cause)
{
	sqlite3_stmt	*s;
	struct buf	 sql = BUF_INIT;
	size_t		 start;
	int		 rc;

	/* ticket_tags from the tickets, before its index is made. */
	buf_puts(&sql, "DELETE FROM ticket_tags; INSERT OR IGNORE INTO "
	    "ticket_tags(tag, ticket_id) SELECT j.value, t.id FROM tickets t, "
	    "json_each(t.tags) j;");
	start = sql.len;
	if (rp_prepare(r, "SELECT sql FROM bulk_ddl ORDER BY seq", &s,
	    cause) != 0) {
		buf_free(&sql);
		return (-1);
	}
	while (sqlite3_step(s) == SQLITE_ROW)
		buf_printf(&sql, "%s;", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (sql.len == start) {
		buf_free(&sql);
		return (0);
	}
	/* The dashboard's sums, whose triggers were off. */
	if (rp_stats_rebuild(r, cause) != 0) {
		buf_free(&sql);
		return (-1);
	}
	if (rp_prepare(r, "SELECT name FROM sqlite_master WHERE type = 'table' "
	    "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'", &s, cause) != 0) {
		buf_free(&sql);
		return (-1);
	}
	/* A 16 MB hash of pending terms (FTS5's default is 1 MB): a third
	 * fewer segments to write and merge; live transactions are small. */
	while (sqlite3_step(s) == SQLITE_ROW)
		buf_printf(&sql, "INSERT INTO \"%s\"(\"%s\", rank) VALUES "
		    "('hashsize', 16777216); INSERT INTO \"%s\"(\"%s\") "
		    "VALUES ('rebuild');", sqlite3_column_text(s, 0),
		    sqlite3_column_text(s, 0), sqlite3_column_text(s, 0),
		    sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	buf_printf(&sql, "DELETE FROM bulk_ddl;");
	rc = rp_exec(r, buf_cstr(&sql), cause);
	buf_free(&sql);
	return (rc);
}

/*
 * The page cache for a bulk load: big enough to hold the unique indexes
 * that every row goes into in random order (64 MB); 0 restores the
 * default.
 */
int
replica_bulk_cache(struct replica *r, int on, char **cause)
{
	return (rp_exec(r, on ? "PRAGMA cache_size = -65536" :
	    "PRAGMA cache_size = -2000", cause));
}

/* Statistics for the query planner, after a bulk load. */
int
replica_analyze(struct replica *r, char **cause)
{
	return (rp_exec(r, "ANALYZE", cause));
}

/*
 * Check the database's integrity, that every FTS index matches its table
 * and that the dashboard's sums match the tickets.
 */
int
replica_check(struct replica *r, char **cause)
{
	static const char *const fts[] = {
		"tickets_fts", "messages_fts", "customers_fts", "orders_fts"
	};
	sqlite3_stmt	*s;
	char		*sql, *result;
	size_t		 i;
	int		 rc;

	if (rp_prepare(r, "PRAGMA integrity_check", &s, cause) != 0)
		return (-1);
	rc = sqlite3_step(s);
	result = rc == SQLITE_ROW ? rp_col_text(s, 0) : NULL;
	sqlite3_finalize(s);
	if (result == NULL || strcmp(result, "ok") != 0) {
		*cause = xprintf(_("integrity check: %s"), result != NULL ?
		    result : sqlite3_errmsg(r->db));
		free(result);
		return (-1);
	}
	free(result);
	for (i = 0; i < nitems(fts); i++) {
		sql = xprintf("INSERT INTO %s(%s, rank) "
		    "VALUES ('integrity-check', 1)", fts[i], fts[i]);
		rc = rp_exec(r, sql, cause);
		free(sql);
		if (rc != 0)
			return (-1);
	}
	return (rp_stats_check(r, cause));
}
