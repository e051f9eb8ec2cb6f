/* mail.c: agent replies to customers by SMTP (libcurl), from the queue in PostgreSQL, with retries. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "server-int.h"

#define MAIL_BATCH		50	/* replies a pass sends at most */
#define MAIL_MAX_ATTEMPTS	8	/* then the reply has failed */
#define MAIL_BACKOFF_S		30	/* doubling: 30 s, 1 min, ... 1 h */
#define MAIL_TIMEOUT_S		60

/*
 * --smtp URL, --smtp-auth-file F ("user:password" on its first line, a
 * file of mode 0600) and --mail-from ADDRESS. 0, or -1 with *cause.
 */
int
mail_config(struct mailer *m, const char *url, const char *auth_file,
    const char *from, char **cause)
{
	char	*secret = NULL, *colon, *at;

	memset(m, 0, sizeof *m);
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
		*cause = xprintf(_("--smtp wants smtp://HOST:PORT or "
		    "smtps://HOST:PORT, not \"%s\""), url);
		return (-1);
	}
	if (from == NULL || (at = strchr(from, '@')) == NULL ||
	    strpbrk(from, " <>\"\r\n\t") != NULL || at == from ||
	    at[1] == '\0') {
		*cause = xstrdup(_("--smtp needs --mail-from ADDRESS (a plain "
		    "address, like support@example.com)"));
		return (-1);
	}
	if (auth_file != NULL) {
		if (secret_read(auth_file, &secret, cause) != 0)
			return (-1);
		if ((colon = strchr(secret, ':')) == NULL) {
			explicit_bzero(secret, strlen(secret));
			free(secret);
			*cause = xprintf(_("%s: expected USER:PASSWORD"),
			    auth_file);
			return (-1);
		}
		*colon = '\0';
		m->user = xstrdup(secret);
		m->password = xstrdup(colon + 1);
		explicit_bzero(secret, strlen(colon + 1) + (size_t)(colon -
		    secret) + 1);
		free(secret);
	}
	m->url = xstrdup(url);
	m->from = xstrdup(from);
	m->domain = xstrdup(at + 1);
	return (0);
}

void
mail_config_free(struct mailer *m)
{
	free(m->url);
	free(m->from);
	free(m->domain);
	free(m->user);
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	memset(m, 0, sizeof *m);
}

/* Text for a header: ASCII as it is, anything else in RFC 2047 words. */
static void
mail_header_text(struct buf *b, const char *s)
{
	size_t	 len = strlen(s), i, n;
	int	 plain = len < 60;

	for (i = 0; i < len && plain; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			plain = 0;
	if (plain) {
		buf_puts(b, s);
		return;
	}
	/* Encoded words of at most 45 bytes, cut between characters. */
	for (i = 0; i < len; i += n) {
		n = len - i < 45 ? len - i : 45;
		while (n > 1 && i + n < len &&
		    ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		if (i > 0)
			buf_puts(b, "\r\n ");
		buf_puts(b, "=?UTF-8?B?");
		buf_base64(b, s + i, n);
		buf_puts(b, "?=");
	}
}

/*
 * A display name before <address>: as header text, but one in plain ASCII
 * with any of RFC 5322's specials is a quoted string, so a name such as
 * "a@evil.example, B" stays a name and is not read as more addresses.
 */
static void
mail_header_name(struct buf *b, const char *s)
{
	if (strpbrk(s, "()<>[]:;@\\,.\"") == NULL || strlen(s) >= 60) {
		mail_header_text(b, s);
		return;
	}
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			mail_header_text(b, s);	/* encoded words */
			return;
		}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* An id header, unless the id could break the header (never expected). */
static void
mail_header_id(struct buf *b, const char *name, const char *ids)
{
	if (*ids == '\0' || strpbrk(ids, "\r\n") != NULL)
		return;
	buf_printf(b, "%s: %s\r\n", name, ids);
}

/* The body as quoted-printable, lines under 76, CRLF line ends. */
static void
mail_qp(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	int			 col = 0;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\r')
			continue;
		if (c == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if (col >= 72) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		/* A dot starting a line is written encoded (SMTP's end). */
		if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' &&
		    col == 0)) || (c == ' ' && s[1] != '\n' && s[1] != '\0' &&
		    s[1] != '\r')) {
			buf_putc(b, c);
			col++;
		} else {
			buf_putc(b, '=');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
			col += 3;
		}
	}
	buf_puts(b, "\r\n");
}

/* Whether an address can go in an SMTP envelope and a To: header. */
static int
mail_address_ok(const char *a)
{
	const char	*at = strchr(a, '@');

	return (at != NULL && at != a && at[1] != '\0' &&
	    strpbrk(a, " <>\"(),;:\\[]\r\n\t") == NULL &&
	    utf8_valid(a, strlen(a)));
}

struct mail_out {
	struct buf	 text;
	size_t		 off;
};

static size_t
mail_read(char *p, size_t sz, size_t n, void *arg)
{
	struct mail_out	*o = arg;
	size_t		 left = o->text.len - o->off;

	if (left > sz * n)
		left = sz * n;
	memcpy(p, o->text.data + o->off, left);
	o->off += left;
	return (left);
}

/*
 * Send one message; 0 sent, 1 refused for good (*cause), 2 try again
 * later (*cause).
 */
static int
mail_send(const struct mailer *m, const char *to, struct buf *text,
    char **cause)
{
	struct curl_slist	*rcpt = NULL;
	struct mail_out		 o;
	CURL			*h;
	CURLcode		 rc;
	long			 code = 0;

	if ((h = curl_easy_init()) == NULL) {
		*cause = xstrdup("curl_easy_init failed");
		return (2);
	}
	o.text = *text;
	o.off = 0;
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(h, CURLOPT_URL, m->url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, m->from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &o);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)MAIL_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (m->user != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, m->password);
		/* Never a password in the clear: TLS or no login. */
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK)
		return (0);
	if (code >= 500 && code <= 599) {
		*cause = xprintf(_("the mail server refused it (%ld): %s"),
		    code, curl_easy_strerror(rc));
		return (1);
	}
	*cause = code > 0 ? xprintf(_("the mail server said %ld: %s"), code,
	    curl_easy_strerror(rc)) : xprintf("%s", curl_easy_strerror(rc));
	return (2);
}

/* The reply as an RFC 5322 message. */
static void
mail_build(const struct mailer *m, PGresult *res, struct buf *b)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t		 now = time(NULL);
	struct tm	 tm;
	char		*subject;

	/* RFC 5322 names days and months in English, whatever the locale. */
	gmtime_r(&now, &tm);
	buf_printf(b, "Date: %s, %02d %s %d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_printf(b, "Message-ID: <%s@%s>\r\n", PQgetvalue(res, 0, 0),
	    m->domain);
	buf_puts(b, "From: ");
	mail_header_name(b, PQgetvalue(res, 0, 6));
	buf_printf(b, " <%s>\r\n", m->from);
	buf_puts(b, "To: ");
	if (!PQgetisnull(res, 0, 5) && *PQgetvalue(res, 0, 5) != '\0') {
		mail_header_name(b, PQgetvalue(res, 0, 5));
		buf_putc(b, ' ');
	}
	buf_printf(b, "<%s>\r\n", PQgetvalue(res, 0, 4));
	subject = xprintf("[#%s] %s", PQgetvalue(res, 0, 2),
	    PQgetvalue(res, 0, 3));
	buf_puts(b, "Subject: ");
	mail_header_text(b, subject);
	buf_puts(b, "\r\n");
	free(subject);
	/* The customer's client threads it under what it answers. */
	if (!PQgetisnull(res, 0, 7))
		mail_header_id(b, "In-Reply-To", PQgetvalue(res, 0, 7));
	if (!PQgetisnull(res, 0, 8))
		mail_header_id(b, "References", PQgetvalue(res, 0, 8));
	buf_puts(b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: no\r\n\r\n");
	mail_qp(b, PQgetvalue(res, 0, 1));
}

/*
 * The next due reply, locked (no other server sends it meanwhile): its id,
 * body, ticket number and subject, the customer's address and name, the
 * organisation's name, what it answers and the thread's Message-IDs.
 */
static const char *mail_next_sql =
    "SELECT m.id, m.body, t.number, t.subject, c.email, c.name, o.name, "
    "(SELECT x.mail_id FROM messages x WHERE x.ticket_id = m.ticket_id AND "
    "x.mail_id IS NOT NULL AND x.author = 'customer' AND x.created_at <= "
    "m.created_at ORDER BY x.created_at DESC LIMIT 1), "
    "(SELECT string_agg(y.mail_id, ' ' ORDER BY y.created_at) FROM (SELECT "
    "x.mail_id, x.created_at FROM messages x WHERE x.ticket_id = "
    "m.ticket_id AND x.mail_id IS NOT NULL AND x.created_at <= m.created_at "
    "ORDER BY x.created_at DESC LIMIT 20) y), q.attempts, m.org_id "
    "FROM mail_queue q JOIN messages m ON m.id = q.message_id "
    "JOIN tickets t ON t.id = m.ticket_id JOIN orgs o ON o.id = m.org_id "
    "LEFT JOIN customers c ON c.id = t.customer_id "
    "WHERE q.next_at <= now() ORDER BY q.next_at, q.message_id "
    "FOR UPDATE OF q SKIP LOCKED LIMIT 1";

/* Send the next due reply: 1 done (sent or not), 0 none due, -1 error. */
static int
mail_one(PGconn *c, const struct mailer *m, struct jobs_report *rep,
    char **cause)
{
	PGresult	*res;
	struct buf	 text = BUF_INIT;
	char		*why = NULL, *mid = NULL, attempts[16], delay[16];
	const char	*p[4];
	int		 rc, n;

	if (pg_exec(c, "BEGIN", 0, NULL, NULL, cause) != 0)
		return (-1);
	if ((res = pg_query(c, mail_next_sql, 0, NULL, NULL, cause)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		return (0);
	}
	n = atoi(PQgetvalue(res, 0, 9)) + 1;
	if (PQgetisnull(res, 0, 4) || !mail_address_ok(PQgetvalue(res, 0, 4))) {
		why = xstrdup(_("the customer has no usable email address"));
		rc = 1;
	} else {
		mail_build(m, res, &text);
		rc = mail_send(m, PQgetvalue(res, 0, 4), &text, &why);
	}
	mid = xprintf("<%s@%s>", PQgetvalue(res, 0, 0), m->domain);
	p[0] = PQgetvalue(res, 0, 0);
	if (rc == 2 && n >= MAIL_MAX_ATTEMPTS)
		rc = 1;		/* retried long enough */
	if (rc == 0) {
		p[1] = mid;
		if (pg_exec(c, "DELETE FROM mail_queue WHERE message_id = $1",
		    1, p, NULL, cause) != 0 || pg_exec(c, "UPDATE messages SET "
		    "delivery = 'sent', delivery_reason = NULL, mail_id = $2 "
		    "WHERE id = $1", 2, p, NULL, cause) != 0)
			goto fail_res;
		rep->sent++;
	} else if (rc == 1) {
		p[1] = why;
		if (pg_exec(c, "DELETE FROM mail_queue WHERE message_id = $1",
		    1, p, NULL, cause) != 0 || pg_exec(c, "UPDATE messages SET "
		    "delivery = 'failed', delivery_reason = $2 WHERE id = $1", 2,
		    p, NULL, cause) != 0)
			goto fail_res;
		rep->failed++;
	} else {
		/* Still queued; the agent sees why it waits. */
		snprintf(attempts, sizeof attempts, "%d", n);
		snprintf(delay, sizeof delay, "%d", MAIL_BACKOFF_S *
		    (1 << (n - 1 < 7 ? n - 1 : 7)));
		p[1] = attempts;
		p[2] = delay;
		p[3] = why;
		if (pg_exec(c, "UPDATE mail_queue SET attempts = $2::int, "
		    "next_at = now() + least($3::int, 3600) * interval "
		    "'1 second', last_error = $4 WHERE message_id = $1", 4, p,
		    NULL, cause) != 0)
			goto fail_res;
		p[1] = why;
		if (pg_exec(c, "UPDATE messages SET delivery_reason = $2 WHERE "
		    "id = $1 AND delivery_reason IS DISTINCT FROM $2", 2, p,
		    NULL, cause) != 0)
			goto fail_res;
		rep->retried++;
	}
	PQclear(res);
	free(why);
	free(mid);
	buf_free(&text);
	if (pg_exec(c, "COMMIT", 0, NULL, NULL, cause) != 0)
		return (-1);
	return (1);
fail_res:
	PQclear(res);
	free(why);
	free(mid);
	buf_free(&text);
fail:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	return (-1);
}

/* One pass of the mail job. */
int
jobs_mail(PGconn *c, const struct mailer *m, struct jobs_report *rep,
    char **cause)
{
	int	 i, rc;

	for (i = 0; i < MAIL_BATCH; i++)
		if ((rc = mail_one(c, m, rep, cause)) <= 0)
			return (rc);
	return (0);
}
