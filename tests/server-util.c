/* server-util.c: a real PostgreSQL and triage serve for tests, and an HTTP client. */
#include "config.h"

#include <locale.h>

#include "server-util.h"

const char *const sv_org_names[SV_NORGS] = {
	"Org A", "Org B", "Org L (load)"
};

const struct sv_user_def sv_user_defs[U_COUNT] = {
	{ "admin@a.test", "Ada Admin", "admin", SV_ORG_A, 1 },
	{ "agent@a.test", "Alan Agent", "agent", SV_ORG_A, 1 },
	{ "agent2@a.test", "Grace Agent", "agent", SV_ORG_A, 1 },
	{ "viewer@a.test", "Vera Viewer", "viewer", SV_ORG_A, 1 },
	{ "agent@b.test", "Bob Agent", "agent", SV_ORG_B, 1 },
	{ "expired@a.test", "Ed Expired", "agent", SV_ORG_A, 1 },
	{ "revoked@a.test", "Rita Revoked", "agent", SV_ORG_A, 1 },
	{ "locked@a.test", "Lou Locked", "agent", SV_ORG_A, 0 },
	{ "load@l.test", "Lee Load", "agent", SV_ORG_L, 1 },
};

const int sv_org_agent[SV_NORGS] = { U_AGENT, U_AGENT_B, U_LOAD };

/* The world of this test program (see server-util.h). */
struct sv sv = { .guardian_fd = -1 };

static __dead void sv_diex(const char *, ...) printflike(1, 2);

/* Seconds on the monotonic clock (comparable between processes). */
double
sv_now(void)
{
	return ((double)time_mono_ns() / 1e9);
}

/* Sleep for secs seconds, signals or not. */
void
sv_sleep(double secs)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Processes. */

/*
 * Run argv and wait for it. Its stdout goes to out and its stderr to err
 * (either may be NULL: discarded). The exit status, or -1 if it did not
 * exit (a signal) or could not run.
 */
static int
sv_run(char *const argv[], struct buf *out, struct buf *err)
{
	struct pollfd	 pfd[2];
	struct buf	*dst[2] = { out, err };
	char		 b[4096];
	int		 op[2], ep[2], st, i, open_fds = 2;
	ssize_t		 n;
	pid_t		 pid;

	if (pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0)
		return (-1);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		dup2(op[1], 1);
		dup2(ep[1], 2);
		setenv("LANGUAGE", "C", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	pfd[0].fd = op[0];
	pfd[1].fd = ep[0];
	while (open_fds > 0) {
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, b, sizeof b);
			if (n > 0 && dst[i] != NULL)
				buf_append(dst[i], b, (size_t)n);
			if (n == 0 || (n < 0 && errno != EINTR)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return (-1);
	return (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* pg-harness.sh CMD on the suite's cluster; the exit status. */
int
sv_harness(const char *cmd, struct buf *out, struct buf *err)
{
	char *const argv[] = { (char *)"bash", sv.harness, (char *)cmd,
	    sv.pgdir, NULL };

	return (sv_run(argv, out, err));
}

/* triage admin --db CONNINFO ARGS... (NULL-terminated); the exit status. */
int
sv_admin(struct buf *out, struct buf *err, ...)
{
	const char	*argv[24];
	va_list		 ap;
	int		 n = 0;

	argv[n++] = sv.triage;
	argv[n++] = "admin";
	argv[n++] = "--db";
	argv[n++] = sv.conninfo;
	va_start(ap, err);
	while (n < 23 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return (sv_run((char *const *)argv, out, err));
}

/* A file's contents (empty if unreadable). Caller frees. */
char *
sv_slurp(const char *path)
{
	struct buf	 b;
	char		*cause = NULL;

	char		*s;

	buf_init(&b);
	if (buf_read_file(&b, path, 0, &cause) != 0)
		free(cause);
	s = buf_detach(&b);
	return (s != NULL ? s : xstrdup(""));
}

/* The last n lines of a file, for a failure message. Caller frees. */
char *
sv_tail(const char *path, int n)
{
	char	*s = sv_slurp(path), *p, *out;
	size_t	 len = strlen(s);

	p = s + len;
	while (p > s && n >= 0) {
		p--;
		if (*p == '\n' && --n < 0) {
			p++;
			break;
		}
	}
	out = xstrdup(p);
	free(s);
	return (out);
}

/*
 * Start triage serve on 127.0.0.1:port (0: any free port) and wait until
 * it listens. The server dies with the process that started it
 * (PR_SET_PDEATHSIG) and, in a test, with the test (Check kills the
 * test's process group). 0, or -1 with cause.
 */
int
sv_server_start(struct sv_server *s, int port, char **cause)
{
	char		*addr, *log, *p, *end;
	pid_t		 parent = getpid(), pid;
	sigset_t	 none;
	double		 deadline;
	int		 fd, st, i;

	memset(s, 0, sizeof *s);
	s->log = xprintf("%s/serve-%ld-%d.log", sv.dir, (long)parent,
	    sv.nstarted++);
	addr = xprintf("127.0.0.1:%d", port);
	if ((pid = fork()) == -1) {
		*cause = xprintf("fork: %s", strerror(errno));
		free(addr);
		return (-1);
	}
	if (pid == 0) {
		if ((fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644))
		    == -1)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		/* The server waits for SIGTERM with sigwait: defaults. */
		for (i = 1; i < NSIG; i++)
			if (i != SIGKILL && i != SIGSTOP)
				signal(i, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setenv("LANGUAGE", "C", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(sv.triage, sv.triage, "serve", "--db", sv.conninfo,
		    "--listen", addr, "--max-body", "65536", "--max-wait",
		    "10", "--jobs-interval", "0", (char *)NULL);
		_exit(127);
	}
	free(addr);
	s->pid = pid;
	deadline = sv_now() + 20;
	while (sv_now() < deadline) {
		log = sv_slurp(s->log);
		if ((p = strstr(log, "listening on 127.0.0.1:")) != NULL) {
			s->port = (int)strtol(p + 23, &end, 10);
			free(log);
			if (s->port <= 0) {
				*cause = xstrdup("no port in the log");
				return (-1);
			}
			return (0);
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*cause = xprintf("triage serve exited (status %d): %s",
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1, log);
			free(log);
			s->pid = 0;
			return (-1);
		}
		free(log);
		sv_sleep(0.02);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	s->pid = 0;
	*cause = xprintf("triage serve did not listen within 20 s");
	return (-1);
}

/*
 * Stop a server we started: send sig, wait up to secs, then SIGKILL. Its
 * wait status, or -1.
 */
int
sv_server_stop(struct sv_server *s, int sig, double secs)
{
	double	 deadline = sv_now() + secs;
	pid_t	 got;
	int	 st = -1;

	if (s->pid <= 0)
		return (-1);
	kill(s->pid, sig);
	for (;;) {
		got = waitpid(s->pid, &st, WNOHANG);
		if (got == s->pid || (got == -1 && errno != EINTR))
			break;
		if (sv_now() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
			st = -1;
			break;
		}
		sv_sleep(0.01);
	}
	s->pid = 0;
	return (got == -1 ? -1 : st);
}

/* Is pid a live process (not a zombie)? For servers we did not start. */
int
sv_alive(pid_t pid)
{
	char	*path, *st, *p;
	int	 alive;

	if (pid <= 0 || kill(pid, 0) != 0)
		return (0);
	path = xprintf("/proc/%ld/stat", (long)pid);
	st = sv_slurp(path);
	free(path);
	p = strrchr(st, ')');
	alive = p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	free(st);
	return (alive);
}

/* ------------------------------------------------------------------ */
/* HTTP. */

/* libcurl: collect a body or headers into a buf. */
static size_t
sv_curl_write(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return (size * n);
}

struct sv_upload {
	const char	*p;
	size_t		 left;
};

/* libcurl: give the body in pieces (for chunked uploads). */
static size_t
sv_curl_read(char *out, size_t size, size_t n, void *arg)
{
	struct sv_upload	*u = arg;
	size_t			 m = size * n;

	if (m > u->left)
		m = u->left;
	if (m > 4000)
		m = 4000;	/* several chunks */
	memcpy(out, u->p, m);
	u->p += m;
	u->left -= m;
	return (m);
}

/* Make a request and fill r (never fails: see r->status). */
void
http(struct rs *r, const struct rq *q)
{
	CURL			*h = q->h != NULL ? q->h : curl_easy_init();
	struct curl_slist	*hd = NULL;
	struct sv_upload	 up;
	const char		*method, *body = q->body;
	char			*url, *line;
	size_t			 len;
	double			 t0;

	memset(r, 0, sizeof *r);
	buf_init(&r->body);
	buf_init(&r->headers);
	method = q->method != NULL ? q->method : body != NULL ? "POST" :
	    "GET";
	if (body == NULL && strcmp(method, "POST") == 0)
		body = "";
	url = xprintf("http://127.0.0.1:%d%s", q->port != 0 ? q->port :
	    sv.port, q->path);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, q->timeout > 0 ? q->timeout :
	    30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sv_curl_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sv_curl_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->err);
	if (q->gzip)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (q->token != NULL) {
		line = xprintf("Authorization: Bearer %s", q->token);
		hd = curl_slist_append(hd, line);
		free(line);
	} else if (q->authz != NULL) {
		line = xprintf("Authorization: %s", q->authz);
		hd = curl_slist_append(hd, line);
		free(line);
	}
	hd = curl_slist_append(hd, "Expect:");
	if (body != NULL) {
		len = q->len != 0 ? q->len : strlen(body);
		hd = curl_slist_append(hd, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (q->chunked) {
			up.p = body;
			up.left = len;
			curl_easy_setopt(h, CURLOPT_READFUNCTION,
			    sv_curl_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &up);
			hd = curl_slist_append(hd,
			    "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		}
	}
	if (strcmp(method, body != NULL ? "POST" : "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	t0 = sv_now();
	r->cc = curl_easy_perform(h);
	r->secs = sv_now() - t0;
	if (r->cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	else if (r->err[0] == '\0')
		snprintf(r->err, sizeof r->err, "%s",
		    curl_easy_strerror(r->cc));
	if (r->body.len > 0)
		r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	curl_slist_free_all(hd);
	if (q->h == NULL)
		curl_easy_cleanup(h);
	free(url);
}

/* Free a response's contents. */
void
rs_free(struct rs *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
	json_decref(r->json);
	r->json = NULL;
}

/* A response header's value (the last one of that name). Caller frees. */
char *
rs_header(struct rs *r, const char *name)
{
	const char	*p = buf_cstr(&r->headers), *nl, *v;
	char		*found = NULL;
	size_t		 n = strlen(name), vl;

	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		v = p + n + 1;
		v += strspn(v, " \t");
		vl = (size_t)(nl - v);
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
			vl--;
		free(found);
		found = xstrndup(v, vl);
	}
	return (found);
}

/* A string member of an object, or NULL. */
const char *
jstr(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* An integer member of an object, or 0. */
json_int_t
jint(json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

/* The i-th result of a push. */
json_t *
jresult(struct rs *r, size_t i)
{
	return (json_array_get(json_object_get(r->json, "results"), i));
}

/* Simple requests. */
void
http_get(struct rs *r, const char *token, const char *path)
{
	http(r, &(struct rq){ .path = path, .token = token });
}

/* POST /v1/login with an email and a password. */
void
http_login(struct rs *r, const char *email, const char *password)
{
	json_t	*j;
	char	*body;

	j = json_pack("{s:s, s:s}", "email", email, "password", password);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http(r, &(struct rq){ .path = "/v1/login", .body = body });
	free(body);
}

/* GET /v1/pull on port (0: shared). */
void
http_pull(struct rs *r, const char *token, int64_t since, int limit,
    int wait, int port)
{
	char	*path;

	path = xprintf("/v1/pull?since=%lld&limit=%d&wait=%d",
	    (long long)since, limit, wait);
	http(r, &(struct rq){ .path = path, .token = token, .port = port,
	    .timeout = wait + 20 });
	free(path);
}

/* POST /v1/push {client_id, mutations} (mutations is stolen). */
void
http_push(struct rs *r, const char *token, const char *client,
    json_t *mutations, int port, CURL *h)
{
	json_t	*j;
	char	*body;

	j = json_pack("{s:s, s:o}", "client_id", client, "mutations",
	    mutations);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http(r, &(struct rq){ .path = "/v1/push", .token = token,
	    .body = body, .port = port, .h = h });
	free(body);
}

/* A reply or note mutation. Caller owns it. */
json_t *
mut_message(int64_t seq, const char *type, const char *ticket,
    const char *msgid, const char *body)
{
	char	 mid[UUID_STRLEN + 1];

	uuid_v7(mid);
	return (json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "seq",
	    (json_int_t)seq, "id", mid, "type", type, "ticket_id", ticket,
	    "message_id", msgid, "body", body));
}

/* Push one mutation (stolen). */
void
http_push1(struct rs *r, const char *token, const char *client, json_t *m)
{
	http_push(r, token, client, json_pack("[o]", m), 0, NULL);
}

/*
 * In a child: after delay seconds push a note (with body) to ticket as
 * token's user and write the time the push was acknowledged to fd.
 */
pid_t
push_later(double delay, const char *token, const char *ticket,
    const char *msg, const char *body, int fd)
{
	struct rs	 r;
	char		 client[UUID_STRLEN + 1];
	double		 done;
	pid_t		 pid;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid != 0)
		return (pid);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sv_sleep(delay);
	uuid_v7(client);
	http_push1(&r, token, client, mut_message(1, "note", ticket, msg,
	    body));
	done = sv_now();
	if (fd >= 0)
		(void)!write(fd, &done, sizeof done);
	_exit(result_is(&r, 0, "applied") ? 0 : 1);
}

/* Is a push's i-th result this status? */
int
result_is(struct rs *r, size_t i, const char *status)
{
	const char	*s = jstr(jresult(r, i), "status");

	return (r->status == 200 && s != NULL && strcmp(s, status) == 0);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL, directly: to look behind the server's back. */

/* Connect to the suite's database (the test fails if it cannot). */
PGconn *
db_connect(void)
{
	PGconn	*c = PQconnectdb(sv.conninfo);

	if (PQstatus(c) != CONNECTION_OK)
		ck_abort_msg("connect to PostgreSQL: %s", PQerrorMessage(c));
	return (c);
}

/* Run sql with n text parameters (NULL: SQL NULL); the result. */
static PGresult *
db_query_v(const char *sql, int n, va_list ap)
{
	const char	*p[16];
	PGconn		*c = db_connect();
	PGresult	*res;
	int		 i, st;

	for (i = 0; i < n && i < 16; i++)
		p[i] = va_arg(ap, const char *);
	res = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		ck_abort_msg("%s: %s", sql, PQerrorMessage(c));
	PQfinish(c);
	return (res);
}

/* Run a statement. */
void
db_exec(const char *sql, int n, ...)
{
	va_list	 ap;

	va_start(ap, n);
	PQclear(db_query_v(sql, n, ap));
	va_end(ap);
}

/* The first column of the first row as text ("" for NULL). Caller frees. */
char *
db_str(const char *sql, int n, ...)
{
	PGresult	*res;
	va_list		 ap;
	char		*s;

	va_start(ap, n);
	res = db_query_v(sql, n, ap);
	va_end(ap);
	if (PQntuples(res) < 1)
		ck_abort_msg("%s: no rows", sql);
	s = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return (s);
}

/* The first column of the first row as an integer. */
long long
db_int(const char *sql, int n, ...)
{
	PGresult	*res;
	va_list		 ap;
	long long	 v;

	va_start(ap, n);
	res = db_query_v(sql, n, ap);
	va_end(ap);
	if (PQntuples(res) < 1)
		ck_abort_msg("%s: no rows", sql);
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return (v);
}

/* Everything a push or login could change, as one string. Caller frees. */
char *
db_snapshot(void)
{
	return (db_str("SELECT concat_ws(' ', (SELECT count(*) FROM messages), "
	    "(SELECT count(*) FROM events), (SELECT count(*) FROM tickets), "
	    "(SELECT count(*) FROM push_results), (SELECT count(*) FROM "
	    "clients), (SELECT coalesce(sum(last_seq), 0) FROM clients), "
	    "(SELECT last_value FROM revs), (SELECT count(*) FROM tokens), "
	    "(SELECT coalesce(sum(failures), 0) FROM login_failures), "
	    "(SELECT string_agg(status || priority || tags::text, ',' ORDER "
	    "BY id) FROM tickets))", 0));
}

/* A cursor past every committed change (tests run one at a time). */
int64_t
db_cursor(void)
{
	return (db_int("SELECT last_value FROM revs", 0));
}

/* ------------------------------------------------------------------ */
/* Pulls, followed to the end. */

/* Add a copy of s to a list. */
void
idlist_add(struct idlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 256 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

/* qsort and bsearch: two list entries in strcmp order. */
static int
idlist_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Sort a list (for idlist_count). */
void
idlist_sort(struct idlist *l)
{
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, idlist_cmp);
}

/* How many times s is in a sorted list. */
size_t
idlist_count(const struct idlist *l, const char *s)
{
	char	**p;
	size_t	 i, n = 0;

	if (l->n == 0)
		return (0);
	p = bsearch(&s, l->v, l->n, sizeof *l->v, idlist_cmp);
	if (p == NULL)
		return (0);
	i = (size_t)(p - l->v);
	while (i > 0 && strcmp(l->v[i - 1], s) == 0)
		i--;
	for (; i < l->n && strcmp(l->v[i], s) == 0; i++)
		n++;
	return (n);
}

/* Free a list's entries and leave it empty. */
void
idlist_free(struct idlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/*
 * Check one page of a pull from since with limit and add its rows to p:
 * rows in (since, cursor], at most limit, exactly limit when more, the
 * cursor moves only with rows. 1 if more, 0 if not; -1 (with why) if the
 * page breaks the protocol.
 */
int
pull_page_check(json_t *j, int64_t since, int limit, struct pulled *p,
    char **why)
{
	json_t		*changes, *rows, *row;
	const char	*table;
	char		*key;
	json_int_t	 cursor, rev;
	size_t		 i, n = 0;
	int		 more;

	if (j == NULL || !json_is_integer(json_object_get(j, "cursor")) ||
	    !json_is_boolean(json_object_get(j, "more")) ||
	    !json_is_object(changes = json_object_get(j, "changes"))) {
		*why = xstrdup("not {cursor, more, changes}");
		return (-1);
	}
	cursor = jint(j, "cursor");
	more = json_is_true(json_object_get(j, "more"));
	json_object_foreach(changes, table, rows) {
		json_array_foreach(rows, i, row) {
			rev = jint(row, "rev");
			if (rev <= since || rev > cursor) {
				*why = xprintf("%s row at rev %lld outside "
				    "(%lld, %lld]", table, (long long)rev,
				    (long long)since, (long long)cursor);
				return (-1);
			}
			if (jstr(row, "id") == NULL) {
				*why = xprintf("%s row without an id", table);
				return (-1);
			}
			key = xprintf("%s %s", table, jstr(row, "id"));
			idlist_add(&p->rows, key);
			free(key);
			n++;
		}
	}
	if (n > (size_t)limit || (more && n != (size_t)limit) ||
	    (n == 0 && cursor != since) || (n > 0 && cursor <= since)) {
		*why = xprintf("%zu rows, limit %d, more %d, cursor %lld "
		    "from %lld", n, limit, more, (long long)cursor,
		    (long long)since);
		return (-1);
	}
	p->cursor = cursor;
	return (more);
}

/* Pull from since in pages of limit until more is false. */
void
pull_all(struct pulled *p, const char *token, int64_t since, int limit)
{
	struct rs	 r;
	char		*why = NULL;
	int		 more;

	memset(p, 0, sizeof *p);
	buf_init(&p->text);
	p->cursor = since;
	do {
		http_pull(&r, token, p->cursor, limit, 0, 0);
		EXPECT_STATUS(&r, 200);
		buf_append(&p->text, r.body.data, r.body.len);
		buf_putc(&p->text, '\n');
		if ((more = pull_page_check(r.json, p->cursor, limit, p,
		    &why)) < 0)
			ck_abort_msg("pull page %d: %s: %.300s", p->pages, why,
			    buf_cstr(&r.body));
		p->pages++;
		rs_free(&r);
		if (p->pages > 100000)
			ck_abort_msg("pull does not end");
	} while (more);
	idlist_sort(&p->rows);
}

/* Free what a pull brought. */
void
pulled_free(struct pulled *p)
{
	idlist_free(&p->rows);
	buf_free(&p->text);
}

/* Did the pull bring the row TABLE ID, and how often? */
size_t
pulled_has(struct pulled *p, const char *table, const char *id)
{
	char	*key = xprintf("%s %s", table, id);
	size_t	 n;

	n = idlist_count(&p->rows, key);
	free(key);
	return (n);
}

/* ------------------------------------------------------------------ */
/* The world: setup in sv_main, cleanup at exit (even on a signal). */

/* Setup failed: say why and leave (the exit handler cleans up). */
static __dead void
sv_diex(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", sv.name != NULL ? sv.name : "server-util");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(99);	/* automake: a hard error */
}

/* Remove a directory tree. */
static void
sv_rmtree(const char *dir)
{
	char *const argv[] = { (char *)"rm", (char *)"-rf", (char *)"--",
	    (char *)dir, NULL };

	sv_run(argv, NULL, NULL);
}

/*
 * Stop everything: the shared server, the cluster, the directory. Only
 * the main process does it (forked tests exit through here too).
 */
static void
sv_cleanup(void)
{
	struct sv_server	 s;
	double			 deadline;
	pid_t			 got;
	int			 st;

	if (getpid() != sv.main_pid || sv.cleaned)
		return;
	sv.cleaned = 1;
	if (sv.server > 0) {
		s.pid = sv.server;
		sv_server_stop(&s, SIGTERM, 15);
		sv.server = 0;
	}
	if (sv.pgdir != NULL && sv_harness("stop", NULL, NULL) != 0)
		fprintf(stderr, "%s: could not stop PostgreSQL in %s\n",
		    sv.name, sv.pgdir);
	/* TRIAGE_KEEP_TEST_DIR keeps the servers' logs for a look. */
	if (sv.dir != NULL && getenv("TRIAGE_KEEP_TEST_DIR") == NULL)
		sv_rmtree(sv.dir);
	if (sv.guardian > 0) {
		/* All is clean: tell the guardian it has nothing to do. */
		(void)!write(sv.guardian_fd, "k", 1);
		close(sv.guardian_fd);
		while (waitpid(sv.guardian, &st, 0) == -1 && errno == EINTR)
			;
		sv.guardian = 0;
	}
	/* Reap the postmasters that came to us (we are their subreaper). */
	deadline = sv_now() + 5;
	while (sv_now() < deadline) {
		got = waitpid(-1, &st, WNOHANG);
		if (got == -1 && errno == ECHILD)
			break;
		if (got <= 0)
			sv_sleep(0.02);
	}
}

/* Interrupted: clean up, then die of the signal as we would have. */
static void
sv_on_signal(int sig)
{
	sv_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A guardian process for when the main process dies without running its
 * exit handler (SIGKILL): when the pipe from main closes without a word,
 * it stops the cluster and removes the directory. Servers need no help:
 * they die with their parents.
 */
static void
sv_guardian_start(void)
{
	int	 p[2];
	char	 c;
	ssize_t	 n;
	pid_t	 pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		sv_diex("pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		sv_diex("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
			;
		if (n != 1) {
			sv_harness("stop", NULL, NULL);
			sv_rmtree(sv.dir);
		}
		_exit(0);
	}
	close(p[0]);
	sv.guardian = pid;
	sv.guardian_fd = p[1];
}

/* Log in; the token into out (AUTH_HEX + 1). 0, or -1 with cause. */
static int
sv_login(const char *email, const char *password, char *out, char **cause)
{
	struct rs	 r;

	http_login(&r, email, password);
	if (r.status != 200 || jstr(r.json, "token") == NULL ||
	    strlen(jstr(r.json, "token")) != AUTH_HEX) {
		*cause = xprintf("login %s: HTTP %ld %s", email, r.status,
		    r.status == 0 ? r.err : buf_cstr(&r.body));
		rs_free(&r);
		return (-1);
	}
	memcpy(out, jstr(r.json, "token"), AUTH_HEX + 1);
	rs_free(&r);
	return (0);
}

/* Write a 0600 password file; its path. Caller frees. */
static char *
sv_password_file(const char *name, const char *password, mode_t mode)
{
	char	*path = xprintf("%s/%s.pw", sv.dir, name);
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		sv_diex("%s: %s", path, strerror(errno));
	fprintf(f, "%s\n", password);
	fclose(f);
	chmod(path, mode);
	return (path);
}

/* The first line of a successful command's output. */
static void
sv_admin_id(char id[UUID_STRLEN + 1], struct buf *out, struct buf *err,
    int rc, const char *what)
{
	const char	*s = buf_cstr(out);

	if (rc != 0 || strlen(s) < UUID_STRLEN)
		sv_diex("triage admin %s: exit %d: %s%s", what, rc, s,
		    buf_cstr(err));
	memcpy(id, s, UUID_STRLEN);
	id[UUID_STRLEN] = '\0';
}

/*
 * Make the world. The harness comes from $TRIAGE_SRCDIR or $srcdir (as
 * make check sets them), else "..": the suite runs from the build tree.
 */
static void
sv_setup(void)
{
	struct sv_server	 s;
	struct buf		 out, err;
	struct rs		 r;
	const struct sv_user_def *u;
	const char		*top;
	json_t			*muts;
	char			*tmpl;
	char			 client[UUID_STRLEN + 1];
	char			*pw, *cause = NULL;
	char			*subject;
	int			 rc, i, o, t;

	sv.main_pid = getpid();
	if ((top = getenv("TRIAGE_SRCDIR")) == NULL &&
	    (top = getenv("srcdir")) == NULL)
		top = "..";
	sv.harness = xprintf("%s/tests/pg-harness.sh", top);
	if (access(sv.harness, R_OK) != 0)
		sv_diex("%s: %s (set TRIAGE_SRCDIR)", sv.harness,
		    strerror(errno));
	sv.triage = testutil_triage();
	if (access(sv.triage, X_OK) != 0)
		sv_diex("%s: %s (set TRIAGE)", sv.triage, strerror(errno));
	/* Named for the program; mkdtemp makes it unique. */
	tmpl = xprintf("/tmp/triage-%s.XXXXXX", sv.name);
	if (mkdtemp(tmpl) == NULL)
		sv_diex("mkdtemp %s: %s", tmpl, strerror(errno));
	sv.dir = tmpl;
	/* PostgreSQL runs as nobody when we are root: it must get in. */
	chmod(sv.dir, 0711);
	sv.pgdir = xprintf("%s/pg", sv.dir);

	/*
	 * pg_ctl leaves the postmaster to its parent's subreaper: be it, so
	 * that the stopped ones are reaped here, not left as zombies.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	atexit(sv_cleanup);
	signal(SIGINT, sv_on_signal);
	signal(SIGTERM, sv_on_signal);
	signal(SIGHUP, sv_on_signal);
	sv_guardian_start();
	curl_global_init(CURL_GLOBAL_ALL);

	buf_init(&out);
	buf_init(&err);
	if (sv_harness("start", &out, &err) != 0)
		sv_diex("pg-harness.sh start failed: %s", buf_cstr(&err));
	sv.conninfo = xstrdup(buf_cstr(&out));
	sv.conninfo[strcspn(sv.conninfo, "\n")] = '\0';
	buf_reset(&out);
	buf_reset(&err);
	if ((rc = sv_admin(&out, &err, "migrate", NULL)) != 0)
		sv_diex("triage admin migrate: exit %d: %s", rc,
		    buf_cstr(&err));
	for (o = 0; o < SV_NORGS; o++) {
		buf_reset(&out);
		buf_reset(&err);
		rc = sv_admin(&out, &err, "create-org", sv_org_names[o], NULL);
		sv_admin_id(sv.org[o], &out, &err, rc, "create-org");
	}
	pw = sv_password_file("users", SV_PASSWORD, 0600);
	for (i = 0; i < U_COUNT; i++) {
		u = &sv_user_defs[i];
		buf_reset(&out);
		buf_reset(&err);
		rc = sv_admin(&out, &err, "create-user", "--org",
		    sv_org_names[u->org], "--email", u->email, "--name",
		    u->name, "--role", u->role, "--password-file", pw, NULL);
		sv_admin_id(sv.user[i], &out, &err, rc, "create-user");
	}
	free(pw);
	buf_free(&out);
	buf_free(&err);

	if (sv_server_start(&s, 0, &cause) != 0)
		sv_diex("the shared server: %s", cause);
	sv.server = s.pid;
	sv.port = s.port;
	sv.server_log = s.log;

	for (i = 0; i < U_COUNT; i++) {
		if (sv_user_defs[i].login &&
		    sv_login(sv_user_defs[i].email, SV_PASSWORD, sv.token[i],
		    &cause) != 0)
			sv_diex("%s", cause);
	}

	/* Each organisation's agent makes its tickets, each with a reply. */
	for (o = 0; o < SV_NORGS; o++) {
		muts = json_array();
		for (t = 0; t < SV_TICKETS; t++) {
			uuid_v7(sv.ticket[o][t]);
			uuid_v7(sv.first_msg[o][t]);
			subject = xprintf("%s ticket %d", sv_org_names[o], t);
			json_array_append_new(muts, json_pack("{s:i, s:s, "
			    "s:s, s:s, s:s, s:s, s:s}", "seq", t + 1, "id",
			    sv.ticket[o][t], "type", "create_ticket",
			    "ticket_id", sv.ticket[o][t], "subject", subject,
			    "body", "Hello, how can we help?", "message_id",
			    sv.first_msg[o][t]));
			free(subject);
		}
		uuid_v7(client);
		http_push(&r, sv.token[sv_org_agent[o]], client, muts, 0,
		    NULL);
		for (t = 0; t < SV_TICKETS; t++)
			if (!result_is(&r, (size_t)t, "applied"))
				sv_diex("create tickets: HTTP %ld: %s",
				    r.status, buf_cstr(&r.body));
		rs_free(&r);
	}
}

/*
 * Before each test (in the test's process): die with the suite, and find
 * the shared server answering with PostgreSQL up (a test that stopped
 * PostgreSQL and failed may have left it down).
 */
void
sv_each(void)
{
	struct rs	 r;
	char		*tail;
	double		 deadline;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!sv_alive(sv.server)) {
		tail = sv_tail(sv.server_log, 30);
		ck_abort_msg("the shared triage serve is gone; its log:\n%s",
		    tail);
	}
	http_get(&r, NULL, "/v1/health");
	if (r.status == 200) {
		rs_free(&r);
		return;
	}
	rs_free(&r);
	sv_harness("resume", NULL, NULL);
	deadline = sv_now() + 20;
	for (;;) {
		http_get(&r, NULL, "/v1/health");
		if (r.status == 200)
			break;
		if (sv_now() > deadline)
			ck_abort_msg("the shared server is not healthy: HTTP "
			    "%ld %s", r.status, buf_cstr(&r.body));
		rs_free(&r);
		sv_sleep(0.1);
	}
	rs_free(&r);
}

/*
 * A test program's main: make the world, run the suite that make builds
 * (every test in a forked child), check that the shared server still
 * stops cleanly, and clean up. name is the program's, for messages and
 * its temporary directory. The exit status for make check.
 */
int
sv_main(const char *name, Suite *(*make)(void))
{
	struct sv_server	 s;
	SRunner			*sr;
	char			*tail;
	int			 failed, st;

	setlocale(LC_ALL, "C.UTF-8");
	sv.name = name;
	sv_setup();
	sr = srunner_create(make());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* After all that, the shared server still stops cleanly. */
	s.pid = sv.server;
	st = sv_server_stop(&s, SIGTERM, 15);
	sv.server = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: the shared triage serve ended with wait "
		    "status %d on SIGTERM\n", sv.name, st);
		failed++;
	}
	if (failed != 0) {
		tail = sv_tail(sv.server_log, 40);
		fprintf(stderr, "%s: the end of the shared server's log:\n%s",
		    sv.name, tail);
		free(tail);
	}
	sv_cleanup();
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
