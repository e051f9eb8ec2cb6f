/* http.c: libmicrohttpd glue: requests, bodies, limits, routes, replies, log. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>
#include <zstd.h>

#include "server-int.h"

/* Requests between their first byte and their completion, for a clean stop. */
static pthread_mutex_t	 http_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 http_idle = PTHREAD_COND_INITIALIZER;
static int		 http_active;

struct route {
	const char	*method;
	const char	*path;		/* exact, or a prefix ending in '/' */
	void		(*fn)(struct req *, struct reply *);
	int		 auth;
	size_t		 max_body;	/* bytes, if over --max-body's */
};

/* A whole mail as JSON: 32 MB of message, its attachments in base64. */
#define HTTP_INBOUND_MAX	(48 << 20)

static const struct route routes[] = {
	{ "GET", "/v1/health", api_health, 0, 0 },
	{ "POST", "/v1/login", api_login, 0, 0 },
	{ "GET", "/v1/whoami", api_whoami, 1, 0 },
	{ "POST", "/v1/logout", api_logout, 1, 0 },
	{ "GET", "/v1/pull", api_pull, 1, 0 },
	{ "POST", "/v1/push", api_push, 1, 0 },
	{ "GET", "/v1/attachments/", api_attachment, 1, 0 },
	{ "GET", "/v1/notifications", api_notifications, 1, 0 },
	{ "POST", "/v1/inbound", api_inbound, 1, HTTP_INBOUND_MAX },
	{ NULL, NULL, NULL, 0, 0 }
};

const char *
http_arg(struct req *r, const char *name)
{
	return (MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name));
}

const char *
http_header(struct req *r, const char *name)
{
	return (MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name));
}

void
reply_json(struct reply *rp, int status, json_t *j)
{
	free(rp->body);
	rp->status = status;
	rp->body = json_dumps(j, JSON_COMPACT);
	rp->len = rp->body != NULL ? strlen(rp->body) : 0;
	rp->type = "application/json";
	json_decref(j);
}

/* {"error": code, "message": text}: code for programs, text for people. */
void
reply_error(struct reply *rp, int status, const char *code,
    const char *fmt, ...)
{
	struct buf	 b = BUF_INIT;
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	/* JSON strings are UTF-8; a message may quote bytes that are not. */
	buf_utf8_repair(&b, msg, strlen(msg));
	reply_json(rp, status, json_pack("{s:s, s:s}", "error", code,
	    "message", buf_cstr(&b)));
	buf_free(&b);
	free(msg);
}

/* PostgreSQL failed: 503 when it is gone (retry later), else 500. */
void
reply_db_error(struct reply *rp, const char *cause)
{
	log_warnx("database: %s", cause);
	reply_error(rp, 503, "database_unavailable", "%s",
	    "the database is not reachable; retry later");
}

/* Parse the body as one JSON object; on failure reply 400 and give NULL. */
json_t *
http_parse_body(struct req *r, struct reply *rp)
{
	struct decode_err	 e;
	json_t			*j;

	if ((j = decode_json_object(r->body.data, r->body.len, &e)) == NULL) {
		reply_error(rp, e.status, e.code, "%s", e.message);
		free(e.message);
	}
	return (j);
}

/*
 * A body as it is written: plain, or compressed as it goes (zstd or gzip
 * at level 1: the links are fast, the rows many), so a pull page's
 * compressing overlaps PostgreSQL reading its next table. zstd costs a
 * third of gzip's time for a smaller body; gzip is for clients without it.
 */
void
http_body_init(struct http_body *po, int coding)
{
	memset(po, 0, sizeof *po);
	buf_init(&po->stage);
	buf_init(&po->out);
	po->coding = coding;
	if (coding == HTTP_CODING_GZIP && deflateInit2(&po->z, 1, Z_DEFLATED,
	    15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fatalx("zlib cannot start");
	if (coding == HTTP_CODING_ZSTD) {
		/* With a checksum, as gzip has: a changed byte is seen. */
		if ((po->zstd = ZSTD_createCCtx()) == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(po->zstd,
		    ZSTD_c_compressionLevel, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(po->zstd,
		    ZSTD_c_checksumFlag, 1)))
			fatalx("zstd cannot start");
	}
}

/* The staged bytes through zstd into the body. */
static void
http_body_zstd(struct http_body *po, int finish)
{
	ZSTD_inBuffer	 in = { po->stage.data, po->stage.len, 0 };
	ZSTD_outBuffer	 out;
	size_t		 rc;

	do {
		buf_grow(&po->out, po->out.len + 65536);
		out.dst = po->out.data;
		out.size = po->out.size;
		out.pos = po->out.len;
		rc = ZSTD_compressStream2(po->zstd, &out, &in, finish ?
		    ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(rc))
			fatalx("zstd: %s", ZSTD_getErrorName(rc));
		po->out.len = out.pos;
	} while (in.pos < in.size || (finish && rc != 0));
	buf_reset(&po->stage);
}

/* Move the staged bytes into the body (compressing them if asked). */
void
http_body_flush(struct http_body *po, int finish)
{
	int	 rc;

	if (po->coding == HTTP_CODING_ZSTD) {
		http_body_zstd(po, finish);
		return;
	}
	if (po->coding != HTTP_CODING_GZIP) {
		buf_append(&po->out, po->stage.data, po->stage.len);
		buf_reset(&po->stage);
		return;
	}
	po->z.next_in = (Bytef *)po->stage.data;
	po->z.avail_in = (uInt)po->stage.len;
	do {
		buf_grow(&po->out, po->out.len + 65536);
		po->z.next_out = (Bytef *)po->out.data + po->out.len;
		po->z.avail_out = (uInt)(po->out.size - po->out.len);
		rc = deflate(&po->z, finish ? Z_FINISH : Z_NO_FLUSH);
		po->out.len = po->out.size - po->z.avail_out;
	} while (po->z.avail_out == 0 || (finish && rc != Z_STREAM_END));
	buf_reset(&po->stage);
}

void
http_body_free(struct http_body *po)
{
	if (po->coding == HTTP_CODING_GZIP)
		deflateEnd(&po->z);
	ZSTD_freeCCtx(po->zstd);
	buf_free(&po->stage);
	buf_free(&po->out);
}

/*
 * A response from a body we own: already in coding (encoded), or
 * compressed here in the coding the client accepts when worth it.
 */
struct MHD_Response *
http_make_response(int coding, int encoded, char *body, size_t len,
    const char *type)
{
	struct MHD_Response	*resp;
	struct http_body	 z;

	if (!encoded && coding != HTTP_CODING_NONE && len > 1024) {
		http_body_init(&z, coding);
		buf_append(&z.stage, body, len);
		http_body_flush(&z, 1);
		free(body);
		len = z.out.len;
		body = buf_detach(&z.out);
		http_body_free(&z);
		encoded = 1;
	}
	resp = MHD_create_response_from_buffer(len, body,
	    body != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		fatalx("cannot make a response");
	if (type != NULL)
		MHD_add_response_header(resp, "Content-Type", type);
	if (encoded && coding != HTTP_CODING_NONE)
		MHD_add_response_header(resp, "Content-Encoding",
		    coding == HTTP_CODING_ZSTD ? "zstd" : "gzip");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return (resp);
}

/*
 * The coding to answer in, from Accept-Encoding: zstd if the client
 * takes it, else gzip, else none (a coding with q=0 is refused).
 */
static int
http_coding(const char *v)
{
	char	*copy, *p, *tok, *q;
	int	 zstd = 0, gzip = 0;

	if (v == NULL)
		return (HTTP_CODING_NONE);
	copy = p = xstrdup(v);
	while ((tok = strsep(&p, ",")) != NULL) {
		tok += strspn(tok, " \t");
		if ((q = strchr(tok, ';')) != NULL) {
			*q++ = '\0';
			q += strspn(q, " \t");
			if (strncmp(q, "q=0", 3) == 0 &&
			    strspn(q + 3, ".0") == strlen(q + 3))
				continue;
		}
		tok[strcspn(tok, " \t")] = '\0';
		if (strcasecmp(tok, "zstd") == 0)
			zstd = 1;
		else if (strcasecmp(tok, "gzip") == 0)
			gzip = 1;
	}
	free(copy);
	return (zstd ? HTTP_CODING_ZSTD : gzip ? HTTP_CODING_GZIP :
	    HTTP_CODING_NONE);
}

static enum MHD_Result
http_send(struct req *r, struct reply *rp)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 rc;

	if (rp->shared != NULL) {
		/* One response for many waiting pulls: the last frees it. */
		rc = MHD_queue_response(r->conn, (unsigned)rp->status,
		    shared_resp_get(rp->shared));
		shared_resp_release(rp->shared);
		r->status = rp->status;
		return (rc);
	}
	{
		resp = http_make_response(r->coding, rp->encoded, rp->body,
		    rp->len, rp->type);
		rp->body = NULL;
		if (rp->disposition != NULL)
			MHD_add_response_header(resp, "Content-Disposition",
			    rp->disposition);
	}
	free(rp->disposition);
	rp->disposition = NULL;
	rc = MHD_queue_response(r->conn, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	r->status = rp->status;
	return (rc);
}

/* The largest body a route takes: --max-body, or more where it needs it. */
static size_t
http_max_body(const struct server *srv, const struct route *rt)
{
	return (rt != NULL && rt->max_body > srv->max_body ? rt->max_body :
	    srv->max_body);
}

static const struct route *
http_route(const char *method, const char *url, int *bad_method)
{
	const struct route	*rt;
	size_t			 n;

	*bad_method = 0;
	for (rt = routes; rt->path != NULL; rt++) {
		n = strlen(rt->path);
		if (rt->path[n - 1] == '/' ? strncmp(url, rt->path, n) != 0 ||
		    url[n] == '\0' : strcmp(url, rt->path) != 0)
			continue;
		if (strcmp(method, rt->method) == 0)
			return (rt);
		*bad_method = 1;
	}
	return (NULL);
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server		*srv = cls;
	struct req		*r = *con_cls;
	const struct route	*rt;
	struct reply		 rp;
	const char		*v;
	int			 bad_method;

	(void)version;
	memset(&rp, 0, sizeof rp);
	rt = http_route(method, url, &bad_method);
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->path = xstrdup(url);
		r->start_ns = time_mono_ns();
		buf_init(&r->body);
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Accept-Encoding");
		r->coding = http_coding(v);
		*con_cls = r;
		pthread_mutex_lock(&http_lock);
		http_active++;
		pthread_mutex_unlock(&http_lock);

		/* Everything that needs no body is decided now. */
		if (rt == NULL) {
			if (bad_method)
				reply_error(&rp, 405, "method_not_allowed",
				    "%s is not allowed here", method);
			else
				reply_error(&rp, 404, "not_found",
				    "no such endpoint");
			return (http_send(r, &rp));
		}
		if (rt->auth && api_authenticate(r, &rp) != 0)
			return (http_send(r, &rp));
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Content-Length");
		if (v != NULL && strtoull(v, NULL, 10) > http_max_body(srv,
		    rt)) {
			reply_error(&rp, 413, "too_large", "the body is over "
			    "%zu bytes", http_max_body(srv, rt));
			return (http_send(r, &rp));
		}
		return (MHD_YES);
	}
	if (*upload_size != 0) {
		if (r->body.len + *upload_size > http_max_body(srv, rt))
			r->too_big = 1;
		else
			buf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		return (MHD_YES);
	}
	if (r->too_big) {
		reply_error(&rp, 413, "too_large", "the body is over %zu bytes",
		    http_max_body(srv, rt));
		return (http_send(r, &rp));
	}
	rt->fn(r, &rp);
	if (rp.suspended)
		return (MHD_YES);
	return (http_send(r, &rp));
}

/* One access log line: no query string, no body, no names, no emails. */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req	*r = *con_cls;

	(void)cls;
	(void)conn;
	if (r == NULL)
		return;
	log_info("%s %s %d %.1fms%s%s%s", r->method, r->path,
	    r->status,
	    (double)(time_mono_ns() - r->start_ns) / 1e6,
	    r->who.user_id[0] != '\0' ? " user=" : "", r->who.user_id,
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
	    " (connection ended early)");
	buf_free(&r->body);
	free(r->path);
	free(r);
	*con_cls = NULL;
	pthread_mutex_lock(&http_lock);
	if (--http_active == 0)
		pthread_cond_broadcast(&http_idle);
	pthread_mutex_unlock(&http_lock);
}

static void http_log(void *, const char *, va_list) printflike(2, 0);

/* libmicrohttpd's own messages, into our log. */
static void
http_log(void *cls, const char *fmt, va_list ap)
{
	char	*msg;

	(void)cls;
	if (vasprintf(&msg, fmt, ap) == -1)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("http: %s", msg);
	free(msg);
}

/* "127.0.0.1:8787", "[::1]:8787" or ":8787" into a socket address. */
static int
http_parse_listen(const char *s, struct sockaddr_storage *ss, char **cause)
{
	struct sockaddr_in	*in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;
	const char		*colon = strrchr(s, ':');
	char			 host[128];
	char			*end;
	long			 port;
	size_t			 n;

	memset(ss, 0, sizeof *ss);
	if (colon == NULL)
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
		goto bad;
	n = (size_t)(colon - s);
	if (n >= sizeof host)
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			goto bad;
		return (0);
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	if (n == 0)
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		goto bad;
	return (0);
bad:
	*cause = xprintf(_("bad listen address \"%s\": use HOST:PORT, "
	    "[IPV6]:PORT or :PORT"), s);
	return (-1);
}

int
http_start(struct server *srv, const char *listen, int threads, char **cause)
{
	struct sockaddr_storage	 ss;
	struct rlimit		 rl;
	unsigned int		 flags;

	if (http_parse_listen(listen, &ss, cause) != 0)
		return (-1);
	/* Long-polls hold a descriptor each: raise the soft limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)20000,
	    /* Waiting pulls are many and small: keep their pools small. */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)8192,
	    MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)1024,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		*cause = xprintf(_("cannot listen on %s: %s"), listen,
		    errno != 0 ? strerror(errno) : "?");
		return (-1);
	}
	return (0);
}

/*
 * Stop: take no new connections, answer the waiting pulls, let the
 * requests in flight finish (at most 10 s), then close everything.
 */
void
http_stop(struct server *srv)
{
	struct timespec	 ts;
	int		 fd;

	if (srv->mhd == NULL)
		return;
	srv->stopping = 1;
	fd = MHD_quiesce_daemon(srv->mhd);
	if (fd >= 0)
		close(fd);
	pull_wake_all(srv);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&http_lock);
	while (http_active > 0)
		if (pthread_cond_timedwait(&http_idle, &http_lock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&http_lock);
	MHD_stop_daemon(srv->mhd);
	srv->mhd = NULL;
}
