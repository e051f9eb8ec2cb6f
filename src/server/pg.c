/* pg.c: PostgreSQL connections, the pool, bound queries and migrations. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

/*
 * Connect. The conninfo may be "key=value" pairs or a URI; a connect
 * timeout applies unless the conninfo names its own.
 */
PGconn *
pg_connect(const char *conninfo, char **cause)
{
	const char *const keys[] = { "connect_timeout", "application_name",
	    "dbname", NULL };
	const char *const vals[] = { "5", "triage", conninfo, NULL };
	PGconn		*c;

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		*cause = xprintf(_("cannot connect to PostgreSQL: %s"),
		    c != NULL ? PQerrorMessage(c) : "out of memory");
		/* libpq's messages end in a newline. */
		(*cause)[strcspn(*cause, "\n")] = '\0';
		PQfinish(c);
		return (NULL);
	}
	PQsetClientEncoding(c, "UTF8");
	return (c);
}

/* Fill err and cause from a failed result (res may be NULL). */
static void
pg_fail(PGconn *c, PGresult *res, struct pg_err *err, char **cause)
{
	const char	*st = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char	*msg = res != NULL ? PQresultErrorMessage(res) : "";

	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(c);
	if (err != NULL) {
		memset(err, 0, sizeof *err);
		if (st != NULL)
			snprintf(err->state, sizeof err->state, "%s", st);
		err->lost = PQstatus(c) != CONNECTION_OK;
	}
	if (cause != NULL) {
		*cause = xstrdup(msg);
		(*cause)[strcspn(*cause, "\n")] = '\0';
	}
}

/* Keep a successful result; turn a failed one into err and cause. */
static PGresult *
pg_result(PGconn *c, PGresult *res, struct pg_err *err, char **cause)
{
	int	 st;

	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_fail(c, res, err, cause);
		PQclear(res);
		return (NULL);
	}
	if (err != NULL)
		memset(err, 0, sizeof *err);
	return (res);
}

/* Run a statement with text parameters (NULL pointers are SQL NULL). */
PGresult *
pg_query(PGconn *c, const char *sql, int n, const char *const *params,
    struct pg_err *err, char **cause)
{
	return (pg_result(c, PQexecParams(c, sql, n, NULL, params, NULL, NULL,
	    0), err, cause));
}

/*
 * Prepare a named statement of n text parameters, their types inferred as
 * PQexecParams infers them. It lasts as long as the connection.
 */
int
pg_prepare(PGconn *c, const char *name, const char *sql, int n,
    struct pg_err *err, char **cause)
{
	PGresult	*res;

	if ((res = pg_result(c, PQprepare(c, name, sql, n, NULL), err,
	    cause)) == NULL)
		return (-1);
	PQclear(res);
	return (0);
}

/* Run a prepared statement, as pg_query runs one given as text. */
PGresult *
pg_query_prepared(PGconn *c, const char *name, int n,
    const char *const *params, struct pg_err *err, char **cause)
{
	return (pg_result(c, PQexecPrepared(c, name, n, params, NULL, NULL, 0),
	    err, cause));
}

/*
 * The statement a prepared one was made from is gone from the connection
 * (DEALLOCATE, DISCARD, a pooler between us and PostgreSQL), or its result
 * type changed under it (ALTER TABLE): on this connection it will not work
 * again.
 */
int
pg_prepared_stale(const struct pg_err *err)
{
	return (strcmp(err->state, "26000") == 0 ||
	    strcmp(err->state, "0A000") == 0);
}

int
pg_exec(PGconn *c, const char *sql, int n, const char *const *params,
    struct pg_err *err, char **cause)
{
	PGresult	*res;

	if ((res = pg_query(c, sql, n, params, err, cause)) == NULL)
		return (-1);
	PQclear(res);
	return (0);
}

/* Several statements without parameters (migrations, a pull's BEGIN). */
int
pg_exec_script(PGconn *c, const char *sql, char **cause)
{
	PGresult	*res;
	int		 st;

	res = PQexec(c, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pg_fail(c, res, NULL, cause);
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	return (0);
}

/* Serialization failure or deadlock: the transaction may be retried. */
int
pg_serialization_failure(const struct pg_err *err)
{
	return (strcmp(err->state, "40001") == 0 ||
	    strcmp(err->state, "40P01") == 0);
}

const char *
pg_bool(int b)
{
	return (b ? "t" : "f");
}

void
pg_ms_param(int64_t ms, char buf[32])
{
	/* to_timestamp() takes seconds; three decimals keep the ms. */
	snprintf(buf, 32, "%lld.%03lld", (long long)(ms / 1000),
	    (long long)(ms % 1000));
}

/* The schema version: 0 for an empty database. */
int
pg_schema_version(PGconn *c, int *version, char **cause)
{
	PGresult	*res;

	res = pg_query(c, "SELECT to_regclass('triage_schema') IS NOT NULL",
	    0, NULL, NULL, cause);
	if (res == NULL)
		return (-1);
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		*version = 0;
		return (0);
	}
	PQclear(res);
	if ((res = pg_query(c, "SELECT max(version) FROM triage_schema", 0,
	    NULL, NULL, cause)) == NULL)
		return (-1);
	*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return (0);
}

/*
 * Apply the migrations this binary has and the database lacks, each in its
 * own transaction with its version row; concurrent migrators queue on an
 * advisory lock. A database newer than the binary is refused.
 */
int
pg_migrate(PGconn *c, int *from, int *to, char **cause)
{
	char		*why = NULL, vbuf[16];
	const char	*p[1];
	int		 v, i;

	if (pg_exec_script(c, "SELECT pg_advisory_lock(1953653090); "
	    "CREATE TABLE IF NOT EXISTS triage_schema ("
	    "version integer PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", cause) != 0)
		return (-1);
	if (pg_schema_version(c, &v, cause) != 0)
		goto fail;
	*from = v;
	if (v > SERVER_SCHEMA) {
		*cause = xprintf(_("the database has schema %d, newer than "
		    "this triage knows (%d); use a newer triage"), v,
		    SERVER_SCHEMA);
		goto fail;
	}
	for (i = v; i < SERVER_SCHEMA; i++) {
		if (pg_exec_script(c, "BEGIN", cause) != 0)
			goto fail;
		if (pg_exec_script(c, server_migrations[i], &why) != 0) {
			*cause = xprintf(_("migration %d: %s"), i + 1, why);
			free(why);
			pg_exec_script(c, "ROLLBACK", &why);
			free(why);
			goto fail;
		}
		snprintf(vbuf, sizeof vbuf, "%d", i + 1);
		p[0] = vbuf;
		if (pg_exec(c, "INSERT INTO triage_schema(version) VALUES ($1)",
		    1, p, NULL, cause) != 0 ||
		    pg_exec_script(c, "COMMIT", cause) != 0) {
			pg_exec_script(c, "ROLLBACK", &why);
			free(why);
			goto fail;
		}
	}
	*to = SERVER_SCHEMA;
	pg_exec_script(c, "SELECT pg_advisory_unlock(1953653090)", &why);
	free(why);
	return (0);
fail:
	pg_exec_script(c, "SELECT pg_advisory_unlock(1953653090)", &why);
	free(why);
	return (-1);
}

int
pg_org_id(PGconn *c, const char *name, char id[UUID_STRLEN + 1],
    char **cause)
{
	PGresult	*res;
	const char	*p[1] = { name };

	if ((res = pg_query(c, "SELECT id FROM orgs WHERE name = $1 AND "
	    "NOT deleted", 1, p, NULL, cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (0);
	}
	snprintf(id, UUID_STRLEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (1);
}

/*
 * The pool: a fixed number of slots, each a connection or NULL. A slot whose
 * connection was lost is reconnected on its next use, so the server comes
 * back by itself when PostgreSQL does. A slot also remembers which sets of
 * statements its connection has prepared (pg_prepared); a new connection
 * starts with none.
 */
struct pg_slot {
	PGconn		*conn;
	int		 busy;
	unsigned int	 prepared;	/* PG_PREPARED_* */
};

struct pg_pool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	char		*conninfo;
	int		 size;
	struct pg_slot	*slots;
};

struct pg_pool *
pg_pool_new(const char *conninfo, int size)
{
	struct pg_pool	*p;

	p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->conninfo = xstrdup(conninfo);
	p->size = size;
	p->slots = xcalloc((size_t)size, sizeof *p->slots);
	return (p);
}

/* Connect every slot now, so the first requests do not pay for it. */
int
pg_pool_warm(struct pg_pool *p, char **cause)
{
	PGconn	**c;
	int	 i, rc = 0;

	c = xcalloc((size_t)p->size, sizeof *c);
	for (i = 0; i < p->size && rc == 0; i++)
		if ((c[i] = pg_get(p, cause)) == NULL)
			rc = -1;
	for (i = 0; i < p->size; i++)
		if (c[i] != NULL)
			pg_put(p, c[i], 0);
	free(c);
	return (rc);
}

void
pg_pool_free(struct pg_pool *p)
{
	int	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->size; i++)
		PQfinish(p->slots[i].conn);
	free(p->slots);
	free(p->conninfo);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/*
 * Is an idle connection still there? A connection whose server went away
 * (a restart) still says CONNECTION_OK until used; but its socket is
 * readable (the termination notice, then EOF), which costs one poll to
 * see, so no request meets a dead connection after an outage.
 */
static int
pg_alive(PGconn *c)
{
	struct pollfd	 pfd;

	if (PQstatus(c) != CONNECTION_OK)
		return (0);
	pfd.fd = PQsocket(c);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1 && (PQconsumeInput(c) == 0 ||
	    PQstatus(c) != CONNECTION_OK))
		return (0);
	return (1);
}

PGconn *
pg_get(struct pg_pool *p, char **cause)
{
	PGconn	*c;
	int	 i, fresh = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < p->size; i++)
			if (!p->slots[i].busy)
				break;
		if (i < p->size)
			break;
		pthread_cond_wait(&p->cond, &p->lock);
	}
	p->slots[i].busy = 1;
	c = p->slots[i].conn;
	pthread_mutex_unlock(&p->lock);

	if (c != NULL && !pg_alive(c)) {
		PQfinish(c);
		c = NULL;
	}
	if (c == NULL) {
		c = pg_connect(p->conninfo, cause);
		fresh = 1;
	}
	pthread_mutex_lock(&p->lock);
	p->slots[i].conn = c;
	if (fresh)
		p->slots[i].prepared = 0;
	if (c == NULL) {
		p->slots[i].busy = 0;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return (c);
}

void
pg_put(struct pg_pool *p, PGconn *c, int lost)
{
	int	 i;

	/* A connection left inside a transaction is not reusable as is. */
	if (!lost && PQtransactionStatus(c) != PQTRANS_IDLE)
		lost = 1;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->size; i++)
		if (p->slots[i].conn == c && p->slots[i].busy)
			break;
	if (i < p->size) {
		if (lost) {
			PQfinish(c);
			p->slots[i].conn = NULL;
			p->slots[i].prepared = 0;
		}
		p->slots[i].busy = 0;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * The sets of statements (PG_PREPARED_*) that c, taken from the pool with
 * pg_get and not yet given back, has prepared. Only its holder reads or
 * changes them, until pg_put; a connection that replaces it (after a loss)
 * starts with none. NULL if c is not the pool's.
 */
unsigned int *
pg_prepared(struct pg_pool *p, PGconn *c)
{
	unsigned int	*set = NULL;
	int		 i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->size; i++)
		if (p->slots[i].conn == c && p->slots[i].busy) {
			set = &p->slots[i].prepared;
			break;
		}
	pthread_mutex_unlock(&p->lock);
	return (set);
}

/*
 * One statement on a connection from the pool, given back at once (and
 * dropped if it was lost): what most requests need.
 */
PGresult *
pg_pool_query(struct pg_pool *p, const char *sql, int n,
    const char *const *params, char **cause)
{
	struct pg_err	 err;
	PGconn		*c;
	PGresult	*res;

	if ((c = pg_get(p, cause)) == NULL)
		return (NULL);
	res = pg_query(c, sql, n, params, &err, cause);
	pg_put(p, c, res == NULL && err.lost);
	return (res);
}

/*
 * The same for a statement asked on every request: prepared once on each
 * pooled connection (its set bit in pg_prepared), planned once. A
 * connection whose statement went stale is dropped and replaced.
 */
PGresult *
pg_pool_query_prepared(struct pg_pool *p, unsigned int set, const char *name,
    const char *sql, int n, const char *const *params, char **cause)
{
	struct pg_err	 err;
	unsigned int	*have;
	PGconn		*c;
	PGresult	*res = NULL;

	memset(&err, 0, sizeof err);
	if ((c = pg_get(p, cause)) == NULL)
		return (NULL);
	if ((have = pg_prepared(p, c)) == NULL)
		fatalx("%s: not a connection held from the pool", __func__);
	if (!(*have & set)) {
		if (pg_prepare(c, name, sql, n, &err, cause) != 0) {
			pg_put(p, c, 1);
			return (NULL);
		}
		*have |= set;
	}
	res = pg_query_prepared(c, name, n, params, &err, cause);
	pg_put(p, c, res == NULL && (err.lost || pg_prepared_stale(&err)));
	return (res);
}
