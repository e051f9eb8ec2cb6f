/* cut-proxy.c: a test proxy that spoils one of triage serve's answers. */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: cut-proxy [-s] [-d MS] [-m TEXT] [-n N] [-c K | -t K | -f K] PORT
 *
 * Listens on 127.0.0.1 (a free port, printed on stdout) and forwards each
 * connection to 127.0.0.1:PORT. Every request is made the only one of its
 * connection ("Connection: close"), so responses and connections pair up.
 * Requests whose request line contains TEXT (-m; every request without
 * it) are counted from 1; the response to the Nth of them (-n, default 1)
 * is changed, counting K in bytes after its header:
 *
 *   -c K	the connection is closed after K bytes of the body
 *   -t K	the same, with the Content-Length changed to K: a short body
 *		that looks whole
 *   -f K	the body's byte K is replaced by a control character
 *
 * -s removes Accept-Encoding from requests (plain bodies, not gzip); -d
 * holds each request and each response MS milliseconds, a slow link.
 * What the proxy changed goes to stderr, one line each, starting with
 * "cut-proxy: ". It runs until killed.
 */

#define HEAD_MAX	(64 * 1024)

enum act {
	ACT_NONE,
	ACT_CUT,
	ACT_SHORT,
	ACT_FLIP
};

struct proxy {
	int		 upstream;	/* port */
	int		 delay_ms;
	const char	*match;
	long		 nth;
	enum act	 act;
	size_t		 arg;
	int		 strip;
	pthread_mutex_t	 lock;
	long		 count;		/* matching requests so far */
};

struct conn {
	struct proxy	*p;
	int		 cfd;		/* the client */
	int		 sfd;		/* the server */
	long		 number;	/* among matching requests; 0: none */
	char		 line[256];	/* the request line, for the log */
};

static void	say(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A line on stderr. */
static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("cut-proxy: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
}

/* Sleep ms milliseconds. */
static void
pause_ms(int ms)
{
	struct timespec	 ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Write all of buf; -1 when the peer is gone. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Where the header block in buf ends (after its blank line), or 0. */
static size_t
head_end(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return (i + 4);
	return (0);
}

/* Whether the header line starts with the name (and its colon). */
static int
is_header(const char *line, size_t len, const char *name)
{
	size_t	 n = strlen(name);

	return (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0);
}

/*
 * The request's header block, rewritten into out (HEAD_MAX + 64 bytes):
 * without its own connection headers (and Accept-Encoding with -s), with
 * "Connection: close". Returns the new length.
 */
static size_t
rewrite_request(const struct proxy *p, const char *head, size_t len,
    char *out)
{
	const char	*line = head, *eol;
	size_t		 n, o = 0;
	int		 first = 1;

	while (line < head + len) {
		eol = memchr(line, '\n', (size_t)(head + len - line));
		eol = eol != NULL ? eol + 1 : head + len;
		n = (size_t)(eol - line);
		if (n <= 2 && !first)	/* the blank line */
			break;
		if (first || !(is_header(line, n, "Connection") ||
		    is_header(line, n, "Keep-Alive") ||
		    is_header(line, n, "Proxy-Connection") ||
		    (p->strip && is_header(line, n, "Accept-Encoding")))) {
			memcpy(out + o, line, n);
			o += n;
		}
		first = 0;
		line = eol;
	}
	memcpy(out + o, "Connection: close\r\n\r\n", 21);
	return (o + 21);
}

/* A socket connected to the server, or -1. */
static int
connect_upstream(int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return (-1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* The response of the counted request, on its way through. */
struct mangle {
	char	 head[HEAD_MAX];
	size_t	 have;		/* of head */
	int	 in_body;
	size_t	 body;		/* body bytes passed on */
	int	 done;
};

/*
 * The response's header block (its first end bytes of m->head) passed on,
 * with the Content-Length changed for -t. 1 when it was an interim 1xx
 * response (100 Continue: the real one follows), 0 when the body follows,
 * -1 when the client is gone.
 */
static int
mangle_head(struct conn *c, struct mangle *m, size_t end)
{
	const struct proxy	*p = c->p;
	char			 out[HEAD_MAX + 64];
	const char		*line, *eol;
	size_t			 n, o = 0;

	if (end > 12 && m->head[9] == '1') {
		/* 100 Continue and the like: not the response. */
		if (write_all(c->cfd, m->head, end) != 0)
			return (-1);
		memmove(m->head, m->head + end, m->have - end);
		m->have -= end;
		return (1);
	}
	for (line = m->head; line < m->head + end; line = eol) {
		eol = memchr(line, '\n', (size_t)(m->head + end - line));
		eol = eol != NULL ? eol + 1 : m->head + end;
		n = (size_t)(eol - line);
		if (p->act == ACT_SHORT && is_header(line, n,
		    "Content-Length")) {
			o += (size_t)snprintf(out + o, sizeof out - o,
			    "Content-Length: %zu\r\n", p->arg);
			continue;
		}
		memcpy(out + o, line, n);
		o += n;
	}
	if (write_all(c->cfd, out, o) != 0)
		return (-1);
	memmove(m->head, m->head + end, m->have - end);
	m->have -= end;
	m->in_body = 1;
	return (0);
}

/* Body bytes of the counted response: pass them on, changed as asked. */
static int
mangle_body(struct conn *c, struct mangle *m, char *buf, size_t len)
{
	const struct proxy	*p = c->p;
	size_t			 k = p->arg;

	if (m->done)
		return (write_all(c->cfd, buf, len));
	if (p->act == ACT_FLIP) {
		if (k >= m->body && k < m->body + len) {
			buf[k - m->body] = buf[k - m->body] == '\001' ?
			    '\002' : '\001';
			m->done = 1;
			say("#%ld %s: flipped body byte %zu", c->number,
			    c->line, k);
		}
		m->body += len;
		return (write_all(c->cfd, buf, len));
	}
	/* ACT_CUT, ACT_SHORT: up to k bytes, then the end. */
	if (m->body + len < k) {
		m->body += len;
		return (write_all(c->cfd, buf, len));
	}
	if (write_all(c->cfd, buf, k - m->body) != 0)
		return (-1);
	say("#%ld %s: cut after %zu body bytes%s", c->number, c->line, k,
	    p->act == ACT_SHORT ? " (Content-Length made to match)" : "");
	return (-1);
}

/*
 * Bytes from the server on their way to the client: as they are, unless
 * this is the counted response. 0 to go on, -1 to close the connection.
 */
static int
from_server(struct conn *c, struct mangle *m, char *buf, size_t len)
{
	size_t	 end, rest;
	int	 rc;

	if (c->number != c->p->nth || c->p->act == ACT_NONE)
		return (write_all(c->cfd, buf, len));
	if (m->in_body)
		return (mangle_body(c, m, buf, len));
	if (m->have + len > sizeof m->head) {
		say("#%ld: the response's header is too long", c->number);
		return (-1);
	}
	memcpy(m->head + m->have, buf, len);
	m->have += len;
	while (!m->in_body && (end = head_end(m->head, m->have)) != 0) {
		if ((rc = mangle_head(c, m, end)) < 0)
			return (-1);
	}
	if (m->in_body && m->have > 0) {
		rest = m->have;
		m->have = 0;
		return (mangle_body(c, m, m->head, rest));
	}
	return (0);
}

/* One connection: the request's header, then both ways until either ends. */
static void *
conn_run(void *arg)
{
	struct conn	*c = arg;
	struct proxy	*p = c->p;
	struct mangle	*m;
	struct pollfd	 pfd[2];
	char		 head[HEAD_MAX], out[HEAD_MAX + 64], buf[16384];
	size_t		 have = 0, end = 0, n;
	ssize_t		 r;
	int		 first_answer = 1, client_open = 1;

	m = calloc(1, sizeof *m);
	c->sfd = -1;
	if (m == NULL)
		goto out;
	while ((end = head_end(head, have)) == 0) {
		if (have == sizeof head)
			goto out;
		r = recv(c->cfd, head + have, sizeof head - have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		have += (size_t)r;
	}
	n = strcspn(head, "\r\n");
	snprintf(c->line, sizeof c->line, "%.*s", (int)(n < 200 ? n : 200),
	    head);
	if (p->match == NULL || strstr(c->line, p->match) != NULL) {
		pthread_mutex_lock(&p->lock);
		c->number = ++p->count;
		pthread_mutex_unlock(&p->lock);
	}
	n = rewrite_request(p, head, end, out);
	pause_ms(p->delay_ms);
	if ((c->sfd = connect_upstream(p->upstream)) < 0) {
		say("cannot connect to port %d", p->upstream);
		goto out;
	}
	/* Sent even when the client is gone meanwhile: it was on its way. */
	if (write_all(c->sfd, out, n) != 0 ||
	    write_all(c->sfd, head + end, have - end) != 0)
		goto out;
	for (;;) {
		pfd[0].fd = client_open ? c->cfd : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0) {
			r = recv(c->cfd, buf, sizeof buf, 0);
			if (r <= 0) {
				/* The client is done sending (or gone):
				 * the server still answers what it has. */
				shutdown(c->sfd, SHUT_WR);
				client_open = 0;
			} else if (write_all(c->sfd, buf, (size_t)r) != 0)
				break;
		}
		if (pfd[1].revents != 0) {
			r = recv(c->sfd, buf, sizeof buf, 0);
			if (r <= 0)
				break;
			if (first_answer) {
				pause_ms(p->delay_ms);
				first_answer = 0;
			}
			if (from_server(c, m, buf, (size_t)r) != 0)
				break;
		}
	}
out:
	if (c->sfd >= 0)
		close(c->sfd);
	close(c->cfd);
	free(m);
	free(c);
	return (NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: cut-proxy [-s] [-d ms] [-m text] [-n nth] "
	    "[-c bytes | -t bytes | -f offset] port\n");
	exit(2);
}

/* A non-negative number from an argument, or the usage. */
static long
number(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0)
		usage();
	return (v);
}

int
main(int argc, char **argv)
{
	struct proxy		 p;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	pthread_attr_t		 attr;
	pthread_t		 th;
	struct conn		*c;
	int			 ch, lfd, fd, one = 1;

	memset(&p, 0, sizeof p);
	p.nth = 1;
	pthread_mutex_init(&p.lock, NULL);
	while ((ch = getopt(argc, argv, "c:d:f:m:n:st:")) != -1) {
		switch (ch) {
		case 'c':
			p.act = ACT_CUT;
			p.arg = (size_t)number(optarg);
			break;
		case 't':
			p.act = ACT_SHORT;
			p.arg = (size_t)number(optarg);
			break;
		case 'f':
			p.act = ACT_FLIP;
			p.arg = (size_t)number(optarg);
			break;
		case 'd':
			p.delay_ms = (int)number(optarg);
			break;
		case 'm':
			p.match = optarg;
			break;
		case 'n':
			p.nth = number(optarg);
			break;
		case 's':
			p.strip = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || p.nth < 1)
		usage();
	p.upstream = (int)number(argv[optind]);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		perror("cut-proxy: socket");
		return (1);
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) != 0) {
		perror("cut-proxy: listen");
		return (1);
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Each connection's thread keeps two 64 KiB header buffers. */
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("cut-proxy: accept");
			return (1);
		}
		if ((c = calloc(1, sizeof *c)) == NULL) {
			close(fd);
			continue;
		}
		c->p = &p;
		c->cfd = fd;
		if (pthread_create(&th, &attr, conn_run, c) != 0) {
			close(fd);
			free(c);
		}
	}
}
