/* server-int.h: what the parts of the server share. */
#ifndef TRIAGE_SERVER_INT_H
#define TRIAGE_SERVER_INT_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <zlib.h>

#include "base/base.h"
#include "model/model.h"
#include "server.h"

/* The schema this binary knows (data/server/NNN-*.sql, embedded). */
extern const char *const server_migrations[];
extern const int server_migrations_count;
#define SERVER_SCHEMA	server_migrations_count

/*
 * pg.c: connections, a pool, queries with bound parameters only, and the
 * migrations. Every function that fails sets *cause (allocated) and, when
 * the failure came from PostgreSQL, the five-character SQLSTATE in
 * state (may be NULL), "" for a lost connection.
 */
#define PG_STATE_SIZE	6
struct pg_err {
	char	 state[PG_STATE_SIZE];	/* SQLSTATE, "" if none */
	int	 lost;			/* the connection is gone */
};

PGconn		*pg_connect(const char *conninfo, char **cause);
PGresult	*pg_query(PGconn *, const char *sql, int n,
		    const char *const *params, struct pg_err *, char **cause);
int		 pg_exec(PGconn *, const char *sql, int n,
		    const char *const *params, struct pg_err *, char **cause);
int		 pg_exec_script(PGconn *, const char *sql, char **cause);
int		 pg_prepare(PGconn *, const char *name, const char *sql, int n,
		    struct pg_err *, char **cause);
PGresult	*pg_query_prepared(PGconn *, const char *name, int n,
		    const char *const *params, struct pg_err *, char **cause);
int		 pg_prepared_stale(const struct pg_err *);
int		 pg_schema_version(PGconn *, int *version, char **cause);
int		 pg_migrate(PGconn *, int *from, int *to, char **cause);
int		 pg_serialization_failure(const struct pg_err *);
const char	*pg_bool(int);			/* "t" / "f" */

struct pg_pool;
struct pg_pool	*pg_pool_new(const char *conninfo, int size);
void		 pg_pool_free(struct pg_pool *);
int		 pg_pool_warm(struct pg_pool *, char **cause);
/* A connection, waiting for a free one; NULL (with cause) if PostgreSQL
 * cannot be reached. Give it back with pg_put, lost or not. */
PGconn		*pg_get(struct pg_pool *, char **cause);
void		 pg_put(struct pg_pool *, PGconn *, int lost);
/* Statements prepared on a pooled connection, prepared lazily by the part
 * that runs them: one bit per set, reset when the connection is replaced. */
#define PG_PREPARED_PULL	0x1	/* pull.c, agents and admins */
#define PG_PREPARED_PULL_VIEWER	0x2	/* pull.c, viewers */
#define PG_PREPARED_AUTH	0x4	/* api.c, the token check */
#define PG_PREPARED_PULL_TAIL	0x8	/* pull.c, the tail's */
unsigned int	*pg_prepared(struct pg_pool *, PGconn *);
PGresult	*pg_pool_query(struct pg_pool *, const char *sql, int n,
		    const char *const *params, char **cause);
PGresult	*pg_pool_query_prepared(struct pg_pool *, unsigned int set,
		    const char *name, const char *sql, int n,
		    const char *const *params, char **cause);

/* Organisations and users, for admin, import and seed. */
int		 pg_org_id(PGconn *, const char *name, char id[UUID_STRLEN + 1],
		    char **cause);		/* 1 found, 0 not, -1 error */

/* Times on the wire are epoch milliseconds; PostgreSQL takes them as text. */
void		 pg_ms_param(int64_t ms, char buf[32]);	/* "" -> NULL use */

/* Password hashing (libsodium argon2id) and tokens. */
int		 auth_hash_password(const char *password, char **hash,
		    char **cause);
int		 auth_verify_password(const char *hash, const char *password);
#define AUTH_TOKEN_HEX	64
void		 auth_new_token(char hex[AUTH_TOKEN_HEX + 1]);
void		 auth_token_hash(const char *token, char hashhex[65]);

/* The caller, from the token: every request's role and organisation. */
struct waiter;
enum role { ROLE_VIEWER, ROLE_AGENT, ROLE_ADMIN };
struct caller {
	char		 user_id[UUID_STRLEN + 1];
	char		 org_id[UUID_STRLEN + 1];
	enum role	 role;
};
int		 role_parse(const char *);	/* -1 if unknown */
const char	*role_name(enum role);

/*
 * The running server (serve.c) and one HTTP request (http.c). Handlers
 * fill a reply; http.c sends it, gzipped when the client accepts it, and
 * logs one line without personal data.
 */
struct waiters;
struct MHD_Daemon;
struct MHD_Connection;
struct MHD_Response;
struct shared_resp;

struct server {
	struct pg_pool		*pool;
	const char		*conninfo;
	struct MHD_Daemon	*mhd;
	struct waiters		*waiters;
	size_t			 max_body;	/* bytes */
	int			 max_wait;	/* seconds a pull may wait */
	int64_t			 token_ttl;	/* ms */
	struct jobs		*jobs;		/* NULL: no jobs here */
	volatile int		 stopping;
};

struct req {
	struct server		*srv;
	struct MHD_Connection	*conn;
	const char		*method;
	char			*path;
	struct buf		 body;
	int			 too_big;
	int			 coding;	/* HTTP_CODING_*, accepted */
	int64_t			 start_ns;
	struct caller		 who;
	/* A pull waiting for a change (pull.c). */
	struct waiter		*waiter;
	int			 status;	/* sent, for the log */
};

struct reply {
	int			 status;
	char			*body;		/* owned; NULL for none */
	size_t			 len;
	const char		*type;		/* Content-Type */
	char			*disposition;	/* Content-Disposition, owned */
	int			 encoded;	/* body is in req's coding */
	int			 suspended;	/* a pull is waiting */
	struct shared_resp	*shared;	/* made once for many pulls */
};

/* http.c */
/* How a body is sent: as it is, gzip, or zstd (cheaper, smaller). */
enum { HTTP_CODING_NONE, HTTP_CODING_GZIP, HTTP_CODING_ZSTD };
struct http_body {
	int		 coding;
	z_stream	 z;
	void		*zstd;		/* ZSTD_CCtx * */
	struct buf	 stage;		/* bytes not yet compressed */
	struct buf	 out;		/* the body */
};
void		 http_body_init(struct http_body *, int coding);
void		 http_body_flush(struct http_body *, int finish);
void		 http_body_free(struct http_body *);
int		 http_start(struct server *, const char *listen, int threads,
		    char **cause);
void		 http_stop(struct server *);
const char	*http_arg(struct req *, const char *);
const char	*http_header(struct req *, const char *);
void		 reply_json(struct reply *, int status, json_t *);	/* steals */
void		 reply_error(struct reply *, int status, const char *code,
		    const char *fmt, ...) printflike(4, 5);
void		 reply_db_error(struct reply *, const char *cause);
struct MHD_Response *http_make_response(int coding, int encoded, char *body,
		    size_t len, const char *type);
json_t		*http_parse_body(struct req *, struct reply *);

/* decode.c: bodies checked before anything is applied (no database). */
struct decode_err {
	int		 status;	/* HTTP status */
	const char	*code;		/* the error code, static */
	char		*message;	/* for people; caller frees */
};
enum push_type {
	PUSH_REPLY, PUSH_NOTE, PUSH_SET_STATUS, PUSH_SET_PRIORITY,
	PUSH_SET_ASSIGNEE, PUSH_SET_TEAM, PUSH_SET_CATEGORY, PUSH_SET_TAGS,
	PUSH_CREATE_TICKET, PUSH_MERGE, PUSH_MARK_READ, PUSH_SET_AVAILABLE,
	PUSH_NOOP, PUSH_NTYPES
};
#define PUSH_MAX_MUTATIONS	1000
struct push_body {
	const char	*client;	/* client_id, in the body */
	json_t		*muts;		/* the mutations, in the body */
	enum push_type	*types;		/* one per mutation; caller frees */
};
json_t		*decode_json_object(const char *, size_t, struct decode_err *);
int		 push_decode(json_t *, struct push_body *, struct decode_err *);
const char	*push_type_name(enum push_type);

/* inbound.c (struct inbound is in model.h) */
int		 inbound_apply(PGconn *, const char *org,
		    const struct inbound *, struct inbound_result *,
		    struct pg_err *, char **cause);
extern const char *push_sla_sql;

/* admin-ops.c */
int		 admin_set_hours(PGconn *, int, char **);
int		 admin_sla(PGconn *, int, char **);
int		 admin_rule(PGconn *, int, char **);
int		 admin_set_lead(PGconn *, int, char **);
int		 admin_run_jobs(PGconn *, int, char **);
char		*ops_parse_hours(const char *, char **);

/* jobs.c: SLA escalation and auto-assignment (schema 3). */
struct jobs_report {
	int		 assigned;	/* tickets given an agent */
	int		 escalated;	/* tickets that took an SLA step */
	int		 sent;		/* replies the SMTP server took */
	int		 failed;	/* replies refused for good */
	int		 retried;	/* replies to try again later */
};
/* mail.c: where replies go (triage serve --smtp). */
struct mailer {
	char		*url;		/* smtp:// or smtps:// */
	char		*from;		/* --mail-from */
	char		*domain;	/* its domain, for Message-IDs */
	char		*user;		/* from --smtp-auth-file, or NULL */
	char		*password;
};
int		 mail_config(struct mailer *, const char *url,
		    const char *auth_file, const char *from, char **cause);
void		 mail_config_free(struct mailer *);
int		 jobs_mail(PGconn *, const struct mailer *,
		    struct jobs_report *, char **cause);
int		 jobs_run(PGconn *, const struct mailer *, struct jobs_report *,
		    char **cause);
int		 jobs_sla(PGconn *, int *, char **cause);
int		 jobs_assign(PGconn *, int *, char **cause);
int		 jobs_start(struct server *, int interval, const struct mailer *,
		    char **cause);
void		 jobs_stop(struct server *);

/* api.c: health, login, whoami, attachments, and the token check. */
void		 api_health(struct req *, struct reply *);
void		 api_login(struct req *, struct reply *);
void		 api_whoami(struct req *, struct reply *);
void		 api_logout(struct req *, struct reply *);
void		 api_attachment(struct req *, struct reply *);
void		 api_notifications(struct req *, struct reply *);
void		 api_inbound(struct req *, struct reply *);
int		 api_authenticate(struct req *, struct reply *);

/* pull.c */
void		 api_pull(struct req *, struct reply *);
void		 pull_page_start(struct buf *, int64_t cursor, int more,
		    int64_t head);
/* One synced row read for the tail (pull-tail.c). */
struct pull_row {
	int64_t		 rev;
	uint64_t	 key;		/* hash of table and id */
	unsigned int	 table;		/* pull.c's table index */
	int		 viewer_ok;	/* viewers receive it */
	char		*id;		/* NULL once superseded */
	char		*json;		/* {...} */
	size_t		 len;
};
int		 pull_tail_fetch(struct pg_pool *, PGconn *, const char *org,
		    int64_t after, int limit, struct pull_row **, size_t *,
		    int *complete, int *lost, char **cause);
const char	*pull_table_name(unsigned int);
unsigned int	 pull_ntables(void);
void		 pull_rows_clear(struct pull_row *, size_t);
void		 pull_rows_free(struct pull_row *, size_t);

/* pull-tail.c: recent changes of busy organisations, in memory. */
struct pull_tails;
struct pull_tails *pull_tails_new(void);
void		 pull_tails_free(struct pull_tails *);
void		 pull_tails_drop(struct pull_tails *, const char *org);
void		 pull_tails_changed(struct pull_tails *, struct pg_pool *,
		    const char *org, int64_t start);
int		 pull_tails_page(struct pull_tails *, const char *org,
		    int64_t since, int limit, int viewer, struct buf *,
		    int *nrows);
int		 pull_start(struct server *, char **cause);
void		 pull_stop(struct server *);
void		 pull_wake_all(struct server *);
void		 pull_counts(struct server *, uint64_t *from_db,
		    uint64_t *from_tail);
struct MHD_Response *shared_resp_get(struct shared_resp *);
void		 shared_resp_release(struct shared_resp *);

/* push.c */
void		 api_push(struct req *, struct reply *);

/* admin.c: the admin subcommands share these. Exit status: 0 success,
 * 1 failure, 2 usage. */
int		 admin_error(int status, const char *, ...) printflike(2, 3);
int		 admin_check_schema(PGconn *);
const char	*admin_conninfo(const char *db);
/* admin-seed.c, admin-import.c: argv[0] is the subcommand's name. */
int		 admin_seed(PGconn *, int, char **);
int		 admin_import(PGconn *, int, char **);

#endif
