/* cli-mailgate.c: `triage mailgate`: one RFC 5322 message on stdin, from an MTA's pipe, into a ticket (GMime parses it). */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "cli.h"
#include "server/server.h"
#include "sync/sync.h"

/* sysexits(3): an MTA bounces the permanent ones and retries the rest. */
#define EX_OK_		0
#define EX_USAGE_	64
#define EX_DATAERR_	65
#define EX_NOINPUT_	66
#define EX_SOFTWARE_	70
#define EX_TEMPFAIL_	75
#define EX_NOPERM_	77
#define EX_CONFIG_	78

#define MAILGATE_MAX		(32 * 1024 * 1024)	/* the whole message */
#define MAILGATE_MAX_FILE	(10 * 1024 * 1024)	/* one attachment */
#define MAILGATE_MAX_FILES	20

#define MAILGATE_USAGE	"usage: triage mailgate (--db CONNINFO --org NAME | " \
	"--server URL --token-file F) [--cacert FILE] < message"

/* Types that run code when opened: refused as attachments. */
static const char *const mailgate_refused[] = {
	".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".js", ".vbs",
	".msi", ".jar", ".ps1", ".hta", ".lnk"
};

static int mailgate_fail(int, const char *, ...) printflike(2, 3);

static int
mailgate_fail(int status, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "triage mailgate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (status);
}

/* HTML to plain text: tags out, breaks kept, common entities decoded. */
static char *
mailgate_html_text(const char *h)
{
	static const struct {
		const char	*name;
		const char	*text;
	} ents[] = { { "amp", "&" }, { "lt", "<" }, { "gt", ">" },
	    { "quot", "\"" }, { "apos", "'" }, { "nbsp", " " } };
	struct buf	 b = BUF_INIT;
	char		 u[8], *end;
	const char	*p = h, *q;
	size_t		 i, n;
	long		 cp;
	int		 skip = 0;

	while (*p != '\0') {
		if (*p == '<') {
			q = strchr(p, '>');
			if (q == NULL)
				break;
			n = (size_t)(q - p);
			if (strncasecmp(p, "<br", 3) == 0 ||
			    strncasecmp(p, "</p", 3) == 0 ||
			    strncasecmp(p, "</div", 5) == 0 ||
			    strncasecmp(p, "</li", 4) == 0 ||
			    strncasecmp(p, "</tr", 4) == 0)
				buf_putc(&b, '\n');
			if (strncasecmp(p, "<style", 6) == 0 ||
			    strncasecmp(p, "<script", 7) == 0 ||
			    strncasecmp(p, "<head", 5) == 0)
				skip = 1;
			if (strncasecmp(p, "</style", 7) == 0 ||
			    strncasecmp(p, "</script", 8) == 0 ||
			    strncasecmp(p, "</head", 6) == 0)
				skip = 0;
			p += n + 1;
			continue;
		}
		if (skip) {
			p++;
			continue;
		}
		if (*p == '&') {
			q = strchr(p, ';');
			if (q != NULL && q - p < 10) {
				if (p[1] == '#') {
					cp = p[2] == 'x' || p[2] == 'X' ?
					    strtol(p + 3, &end, 16) :
					    strtol(p + 2, &end, 10);
					if (end == q && cp > 0 && cp < 0x110000) {
						n = (size_t)utf8_encode(
						    (uint32_t)cp, u);
						buf_append(&b, u, n);
						p = q + 1;
						continue;
					}
				}
				for (i = 0; i < nitems(ents); i++)
					if ((size_t)(q - p - 1) ==
					    strlen(ents[i].name) &&
					    strncmp(p + 1, ents[i].name,
					    (size_t)(q - p - 1)) == 0)
						break;
				if (i < nitems(ents)) {
					buf_puts(&b, ents[i].text);
					p = q + 1;
					continue;
				}
			}
		}
		if (*p == '\r') {
			p++;
			continue;
		}
		buf_putc(&b, *p++);
	}
	return (buf_detach(&b));
}

struct mailgate_walk {
	char		*plain;
	char		*html;
	struct inbound	*m;
	char		*refused;	/* why an attachment was refused */
};

/* Each leaf part: the first text/plain and text/html, the attachments. */
static void
mailgate_part(GMimeObject *parent, GMimeObject *part, gpointer arg)
{
	struct mailgate_walk	*w = arg;
	GMimeContentType	*ct;
	GMimeDataWrapper	*dw;
	GMimeStream		*mem;
	GByteArray		*ba;
	struct inbound_file	*f;
	struct buf		 b64 = BUF_INIT;
	const char		*name;
	char			*mime;
	size_t			 i, nlen;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	ct = g_mime_object_get_content_type(part);
	if (GMIME_IS_TEXT_PART(part) &&
	    !g_mime_part_is_attachment(GMIME_PART(part))) {
		if (g_mime_content_type_is_type(ct, "text", "plain") &&
		    w->plain == NULL)
			w->plain = g_mime_text_part_get_text(
			    GMIME_TEXT_PART(part));
		else if (g_mime_content_type_is_type(ct, "text", "html") &&
		    w->html == NULL)
			w->html = g_mime_text_part_get_text(
			    GMIME_TEXT_PART(part));
		return;
	}
	name = g_mime_part_get_filename(GMIME_PART(part));
	if (name == NULL)
		name = "attachment";
	nlen = strlen(name);
	for (i = 0; i < nitems(mailgate_refused); i++)
		if (nlen >= strlen(mailgate_refused[i]) && strcasecmp(name +
		    nlen - strlen(mailgate_refused[i]),
		    mailgate_refused[i]) == 0) {
			free(w->refused);
			w->refused = xprintf(_("attachment \"%s\": a program, "
			    "not kept"), name);
			return;
		}
	if (w->m->nfiles >= MAILGATE_MAX_FILES) {
		free(w->refused);
		w->refused = xstrdup(_("more attachments than kept"));
		return;
	}
	if ((dw = g_mime_part_get_content(GMIME_PART(part))) == NULL)
		return;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (ba->len > MAILGATE_MAX_FILE) {
		free(w->refused);
		w->refused = xprintf(_("attachment \"%s\": larger than 10 "
		    "MB, not kept"), name);
		g_object_unref(mem);
		return;
	}
	buf_base64(&b64, ba->data, ba->len);
	mime = g_mime_content_type_get_mime_type(ct);
	w->m->files = xreallocarray(w->m->files, w->m->nfiles + 1,
	    sizeof *w->m->files);
	f = &w->m->files[w->m->nfiles++];
	f->name = utf8_valid(name, nlen) ? xstrdup(name) :
	    xstrdup("attachment");
	f->mime = xstrdup(mime != NULL ? mime : "application/octet-stream");
	f->b64 = buf_detach(&b64);
	f->len = ba->len;
	g_free(mime);
	g_object_unref(mem);
}

/* "<id>" from GMime's bare id. */
static char *
mailgate_id(const char *id)
{
	return (id != NULL && *id != '\0' ? xprintf("<%s>", id) : NULL);
}

/*
 * Parse the message into m: the sender, subject, ids, the plain text (or
 * the HTML made text) and the attachments. 0, or EX_DATAERR with *cause.
 */
static int
mailgate_parse(const char *data, size_t len, struct inbound *m,
    char **cause)
{
	GMimeStream		*st;
	GMimeParser		*p;
	GMimeMessage		*msg;
	InternetAddressList	*from;
	InternetAddress		*ia;
	GMimeReferences		*refs;
	struct mailgate_walk	 w;
	const char		*s;
	char			*text;
	int			 i, n;

	memset(m, 0, sizeof *m);
	memset(&w, 0, sizeof w);
	w.m = m;
	st = g_mime_stream_mem_new_with_buffer(data, len);
	p = g_mime_parser_new_with_stream(st);
	msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	if (msg == NULL) {
		*cause = xstrdup(_("not a mail message"));
		return (EX_DATAERR_);
	}
	from = g_mime_message_get_from(msg);
	ia = from != NULL && internet_address_list_length(from) > 0 ?
	    internet_address_list_get_address(from, 0) : NULL;
	if (ia == NULL || !INTERNET_ADDRESS_IS_MAILBOX(ia) ||
	    (s = internet_address_mailbox_get_addr(
	    INTERNET_ADDRESS_MAILBOX(ia))) == NULL || strchr(s, '@') == NULL ||
	    strpbrk(s, " <>\r\n\t") != NULL || !utf8_valid(s, strlen(s))) {
		g_object_unref(msg);
		*cause = xstrdup(_("no sender address (From:)"));
		return (EX_DATAERR_);
	}
	m->from = xstrdup(s);
	if ((s = internet_address_get_name(ia)) != NULL && *s != '\0' &&
	    utf8_valid(s, strlen(s)))
		m->name = xstrdup(s);
	s = g_mime_message_get_subject(msg);
	m->subject = xstrdup(s != NULL && utf8_valid(s, strlen(s)) ? s : "");
	m->message_id = mailgate_id(g_mime_message_get_message_id(msg));
	/* What it answers: In-Reply-To first, then References, newest. */
	if ((s = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "In-Reply-To")) != NULL &&
	    (refs = g_mime_references_parse(NULL, s)) != NULL) {
		n = g_mime_references_length(refs);
		for (i = 0; i < n; i++) {
			m->refs = xreallocarray(m->refs, m->nrefs + 1,
			    sizeof *m->refs);
			m->refs[m->nrefs++] = mailgate_id(
			    g_mime_references_get_message_id(refs, i));
		}
		g_mime_references_free(refs);
	}
	if ((s = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "References")) != NULL &&
	    (refs = g_mime_references_parse(NULL, s)) != NULL) {
		n = g_mime_references_length(refs);
		for (i = n - 1; i >= 0; i--) {
			m->refs = xreallocarray(m->refs, m->nrefs + 1,
			    sizeof *m->refs);
			m->refs[m->nrefs++] = mailgate_id(
			    g_mime_references_get_message_id(refs, i));
		}
		g_mime_references_free(refs);
	}
	g_mime_message_foreach(msg, mailgate_part, &w);
	if (w.plain != NULL)
		text = xstrdup(w.plain);
	else if (w.html != NULL)
		text = mailgate_html_text(w.html);
	else
		text = xstrdup("");
	g_free(w.plain);
	g_free(w.html);
	if (!utf8_valid(text, strlen(text))) {
		free(text);
		text = xstrdup(_("(the text could not be read as any "
		    "character set)"));
	}
	/* Said on the ticket, not lost: what was not kept and why. */
	if (w.refused != NULL) {
		m->body = xprintf("%s\n\n[%s]", text, w.refused);
		free(text);
		free(w.refused);
	} else
		m->body = text;
	g_object_unref(msg);
	return (0);
}

/* mailgate --server: the parsed mail to POST /v1/inbound. */
static int
mailgate_post(const char *server, const char *token, const char *cacert,
    const struct inbound *m, struct inbound_result *res, long *status,
    char **cause)
{
	struct sync_opts	 o;
	json_t			*j, *a, *reply;
	char			*body;
	size_t			 i;
	int			 rc;

	j = json_pack("{s:s, s:o, s:s, s:o, s:s}", "from", m->from, "name",
	    m->name != NULL ? json_string(m->name) : json_null(), "subject",
	    m->subject, "message_id", m->message_id != NULL ?
	    json_string(m->message_id) : json_null(), "body", m->body);
	a = json_array();
	for (i = 0; i < m->nrefs; i++)
		json_array_append_new(a, json_string(m->refs[i]));
	json_object_set_new(j, "refs", a);
	a = json_array();
	for (i = 0; i < m->nfiles; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}",
		    "name", m->files[i].name, "mime", m->files[i].mime,
		    "content", m->files[i].b64, "size",
		    (json_int_t)m->files[i].len));
	json_object_set_new(j, "attachments", a);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	memset(&o, 0, sizeof o);
	o.cacert = cacert;
	*status = 0;
	rc = sync_post_json(server, token, "/v1/inbound", body, &o, status,
	    &reply, cause);
	free(body);
	if (rc != 0)
		return (rc);
	memset(res, 0, sizeof *res);
	res->number = json_integer_value(json_object_get(reply, "number"));
	res->created = json_is_true(json_object_get(reply, "created"));
	res->reopened = json_is_true(json_object_get(reply, "reopened"));
	res->duplicate = json_is_true(json_object_get(reply, "duplicate"));
	res->files = (int)json_integer_value(json_object_get(reply,
	    "attachments"));
	json_decref(reply);
	return (0);
}

/* triage mailgate (--db CONNINFO --org NAME | --server URL --token-file F) */
int
cli_mailgate(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "org", required_argument, NULL, 'o' },
		{ "server", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct inbound		 m;
	struct inbound_result	 res;
	struct buf		 in = BUF_INIT;
	const char		*db = NULL, *org = NULL, *server = NULL;
	const char		*tokfile = NULL, *cacert = NULL;
	char			*cause = NULL, *token = NULL;
	long			 status;
	int			 c, rc, temporary;

	(void)env;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': org = optarg; break;
		case 's': server = optarg; break;
		case 't': tokfile = optarg; break;
		case 'c': cacert = optarg; break;
		case 'h':
			printf("%s\n", _(MAILGATE_USAGE));
			return (0);
		default:
			return (EX_USAGE_);
		}
	}
	if (optind != argc || (db == NULL) == (server == NULL) ||
	    (db != NULL && org == NULL) || (server != NULL && tokfile == NULL))
		return (mailgate_fail(EX_USAGE_, "%s", _(MAILGATE_USAGE)));
	if (buf_read_fd(&in, STDIN_FILENO, MAILGATE_MAX, &cause) != 0) {
		rc = mailgate_fail(EX_DATAERR_, _("the message: %s"), cause);
		free(cause);
		buf_free(&in);
		return (rc);
	}
	if (in.len == 0) {
		buf_free(&in);
		return (mailgate_fail(EX_NOINPUT_, "%s", _("no message on "
		    "standard input")));
	}
	g_mime_init();
	rc = mailgate_parse(in.data, in.len, &m, &cause);
	g_mime_shutdown();	/* all it gave is copied into m */
	buf_free(&in);
	if (rc != 0) {
		rc = mailgate_fail(rc, "%s", cause);
		free(cause);
		inbound_free(&m);
		return (rc);
	}
	if (db != NULL) {
		if (server_inbound_db(db, org, &m, &res, &temporary,
		    &cause) != 0) {
			rc = mailgate_fail(temporary ? EX_TEMPFAIL_ :
			    EX_DATAERR_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
	} else {
		if (secret_read(tokfile, &token, &cause) != 0) {
			rc = mailgate_fail(EX_CONFIG_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
		rc = mailgate_post(server, token, cacert, &m, &res, &status,
		    &cause);
		explicit_bzero(token, strlen(token));
		free(token);
		if (rc != 0) {
			rc = mailgate_fail(rc == SYNC_ERR_AUTH ||
			    status == 403 ? EX_NOPERM_ :
			    rc == SYNC_ERR_REFUSED ? EX_DATAERR_ :
			    EX_TEMPFAIL_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
	}
	/* The MTA's log: the ticket, never the sender or the text. */
	printf(res.duplicate ? _("#%lld: already filed\n") : res.created ?
	    _("#%lld: new ticket\n") : res.reopened ? _("#%lld: reopened\n") :
	    _("#%lld: added\n"), (long long)res.number);
	inbound_free(&m);
	return (EX_OK_);
}
