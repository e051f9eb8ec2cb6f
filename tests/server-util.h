/* server-util.h: a real PostgreSQL and triage serve for tests, and an HTTP client. */
#ifndef TRIAGE_TEST_SERVER_UTIL_H
#define TRIAGE_TEST_SERVER_UTIL_H

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "testutil.h"

/*
 * A suite's world, made once by sv_main before Check forks the tests (the
 * forked tests inherit it): a PostgreSQL cluster from tests/pg-harness.sh
 * in a temporary directory of its own, three organisations with their
 * users and tickets, and one shared `triage serve` on a free port that
 * lives for the whole run. Each test program makes its own world, so that
 * several can run at once. Tests that crash or stop a server start their
 * own (sv_server_start); those die with the test. The code is in
 * server-util.c.
 */
#define SV_PASSWORD	"correct horse battery staple"
#define SV_MAX_BODY	65536
#define SV_MAX_WAIT	10
#define SV_TICKETS	4
#define AUTH_HEX	64	/* a token's hex digits */

enum { SV_ORG_A, SV_ORG_B, SV_ORG_L, SV_NORGS };
extern const char *const sv_org_names[SV_NORGS];

enum {
	U_ADMIN, U_AGENT, U_AGENT2, U_VIEWER, U_AGENT_B, U_EXPIRED,
	U_REVOKED, U_LOCKED, U_LOAD, U_COUNT
};
struct sv_user_def {
	const char	*email;
	const char	*name;
	const char	*role;
	int		 org;
	int		 login;		/* log in during setup */
};
extern const struct sv_user_def sv_user_defs[U_COUNT];
/* The agent that made each organisation's tickets. */
extern const int sv_org_agent[SV_NORGS];

struct sv {
	const char	*name;		/* the test program, for messages */
	pid_t		 main_pid;
	int		 cleaned;
	char		*dir;		/* temporary directory, ours */
	char		*pgdir;		/* the cluster, inside dir */
	char		*harness;	/* tests/pg-harness.sh */
	const char	*triage;	/* the binary under test */
	char		*conninfo;
	pid_t		 server;	/* the shared triage serve */
	int		 port;
	char		*server_log;
	pid_t		 guardian;
	int		 guardian_fd;
	int		 nstarted;	/* servers this process started */
	char		 org[SV_NORGS][UUID_STRLEN + 1];
	char		 user[U_COUNT][UUID_STRLEN + 1];
	char		 token[U_COUNT][AUTH_HEX + 1];
	char		 ticket[SV_NORGS][SV_TICKETS][UUID_STRLEN + 1];
	char		 first_msg[SV_NORGS][SV_TICKETS][UUID_STRLEN + 1];
};
extern struct sv sv;

double		 sv_now(void);
void		 sv_sleep(double);

/* ------------------------------------------------------------------ */
/* Processes. */

/* A running triage serve. */
struct sv_server {
	pid_t	 pid;
	int	 port;
	char	*log;
};

int		 sv_harness(const char *, struct buf *, struct buf *);
int		 sv_admin(struct buf *, struct buf *, ...);
char		*sv_slurp(const char *);
char		*sv_tail(const char *, int);
int		 sv_server_start(struct sv_server *, int, char **);
int		 sv_server_stop(struct sv_server *, int, double);
int		 sv_alive(pid_t);

/* Wait for a child and assert it exited 0. */
#define EXPECT_CHILD_OK(pid, what) do {					\
	int	 st_;						\
	ck_assert_int_eq(waitpid((pid), &st_, 0), (pid));		\
	if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)			\
		ck_abort_msg("%s failed (wait status %d)", (what), st_);\
} while (0)

/* ------------------------------------------------------------------ */
/* HTTP. */

/* A request; zero fields are defaults. */
struct rq {
	const char	*method;	/* GET, or POST with a body */
	const char	*path;
	const char	*token;		/* sent as Bearer */
	const char	*authz;		/* or this Authorization */
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	int		 gzip;		/* Accept-Encoding: gzip */
	int		 chunked;	/* no Content-Length */
	long		 timeout;	/* seconds, 0: 30 */
	int		 port;		/* 0: the shared server */
	CURL		*h;		/* a handle to reuse, or NULL */
};

/* A response. status 0 means no HTTP answer (cc, err say why). */
struct rs {
	long		 status;
	CURLcode	 cc;
	char		 err[CURL_ERROR_SIZE];
	struct buf	 body;
	struct buf	 headers;
	json_t		*json;		/* parsed body or NULL */
	double		 secs;		/* how long it took */
};

void		 http(struct rs *, const struct rq *);
void		 rs_free(struct rs *);
char		*rs_header(struct rs *, const char *);
const char	*jstr(json_t *, const char *);
json_int_t	 jint(json_t *, const char *);
json_t		*jresult(struct rs *, size_t);

/* Assertions that name the response when they fail. */
#define EXPECT_STATUS(r, want) do {					\
	if ((r)->status != (want))					\
		ck_abort_msg("HTTP %ld (%s), wanted %d: %.600s",	\
		    (r)->status, (r)->status == 0 ? (r)->err : "answered", \
		    (int)(want), buf_cstr(&(r)->body));			\
} while (0)

/* An error answer: the status, and {"error": code, "message": text}. */
#define EXPECT_ERROR(r, want, code) do {				\
	EXPECT_STATUS(r, want);						\
	if ((r)->json == NULL || jstr((r)->json, "error") == NULL ||	\
	    strcmp(jstr((r)->json, "error"), (code)) != 0 ||		\
	    jstr((r)->json, "message") == NULL ||			\
	    *jstr((r)->json, "message") == '\0')			\
		ck_abort_msg("wanted {\"error\": \"%s\", \"message\": "	\
		    "...}, got %.600s", (code), buf_cstr(&(r)->body));	\
	sv_expect_json_type(r);						\
} while (0)

#define sv_expect_json_type(r) do {					\
	char	*ct_ = rs_header((r), "Content-Type");		\
	if (ct_ == NULL || strncmp(ct_, "application/json", 16) != 0)	\
		ck_abort_msg("Content-Type \"%s\", wanted "		\
		    "application/json", ct_ != NULL ? ct_ : "(none)");	\
	free(ct_);							\
} while (0)

void		 http_get(struct rs *, const char *, const char *);
void		 http_login(struct rs *, const char *, const char *);
void		 http_pull(struct rs *, const char *, int64_t, int, int, int);
void		 http_push(struct rs *, const char *, const char *, json_t *,
		     int, CURL *);
json_t		*mut_message(int64_t, const char *, const char *,
		     const char *, const char *);
void		 http_push1(struct rs *, const char *, const char *,
		     json_t *);
pid_t		 push_later(double, const char *, const char *, const char *,
		     const char *, int);
int		 result_is(struct rs *, size_t, const char *);

#define EXPECT_RESULT(r, i, want) do {					\
	EXPECT_STATUS(r, 200);						\
	if (!result_is((r), (i), (want)))				\
		ck_abort_msg("result %d: wanted \"%s\", got %.600s",	\
		    (int)(i), (want), buf_cstr(&(r)->body));		\
} while (0)

/* ------------------------------------------------------------------ */
/* PostgreSQL, directly: to look behind the server's back. */

PGconn		*db_connect(void);
void		 db_exec(const char *, int, ...);
char		*db_str(const char *, int, ...);
long long	 db_int(const char *, int, ...);
char		*db_snapshot(void);
int64_t		 db_cursor(void);

/* ------------------------------------------------------------------ */
/* Pulls, followed to the end. */

struct idlist {
	char	**v;
	size_t	 n;
	size_t	 cap;
};

void		 idlist_add(struct idlist *, const char *);
void		 idlist_sort(struct idlist *);
size_t		 idlist_count(const struct idlist *, const char *);
void		 idlist_free(struct idlist *);

/* What a pull followed to the end brought. */
struct pulled {
	struct idlist	 rows;		/* "TABLE ID" rows, sorted */
	struct buf	 text;		/* every page's body */
	int64_t		 cursor;
	int		 pages;
};

int		 pull_page_check(json_t *, int64_t, int, struct pulled *,
		     char **);
void		 pull_all(struct pulled *, const char *, int64_t, int);
void		 pulled_free(struct pulled *);
size_t		 pulled_has(struct pulled *, const char *, const char *);

/* ------------------------------------------------------------------ */
/* The world. */

void		 sv_each(void);
int		 sv_main(const char *, Suite *(*)(void));

#endif
