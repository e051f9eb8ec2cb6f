/* mailgate-parse.c: one RFC 5322 message (GMime) into a struct inbound: sender, ids, text, attachments. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "cli.h"

#define MAILGATE_MAX_FILES	20

/* Types that run code when opened: refused as attachments. */
static const char *const mailgate_refused[] = {
	".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".js", ".vbs",
	".msi", ".jar", ".ps1", ".hta", ".lnk"
};

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
	/* Names and types are the sender's: kept only if they are text. */
	name = g_mime_part_get_filename(GMIME_PART(part));
	if (name == NULL || *name == '\0' || !utf8_valid(name, strlen(name)))
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
	if (ba->len > INBOUND_MAX_FILE) {
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
	f->name = xstrdup(name);
	f->mime = xstrdup(mime != NULL && utf8_valid(mime, strlen(mime)) &&
	    strpbrk(mime, "\r\n") == NULL ? mime : "application/octet-stream");
	f->b64 = buf_detach(&b64);
	f->len = ba->len;
	g_free(mime);
	g_object_unref(mem);
}

/* "<id>" from GMime's bare id; NULL for none or one unfit for a header. */
static char *
mailgate_id(const char *id)
{
	char	*s;

	if (id == NULL)
		return (NULL);
	s = xprintf("<%s>", id);
	if (!inbound_id_valid(s)) {
		free(s);
		return (NULL);
	}
	return (s);
}

/* Add the i-th id of refs to what m answers, if it is usable. */
static void
mailgate_add_ref(struct inbound *m, GMimeReferences *refs, int i)
{
	char	*id;

	if ((id = mailgate_id(g_mime_references_get_message_id(refs,
	    i))) == NULL)
		return;
	m->refs = xreallocarray(m->refs, m->nrefs + 1, sizeof *m->refs);
	m->refs[m->nrefs++] = id;
}

/*
 * Parse the message into m: the sender, subject, ids, the plain text (or
 * the HTML made text) and the attachments. 0, or -1 with *cause.
 */
int
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
		return (-1);
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
		return (-1);
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
		for (i = 0; i < n; i++)
			mailgate_add_ref(m, refs, i);
		g_mime_references_free(refs);
	}
	if ((s = g_mime_object_get_header(GMIME_OBJECT(msg),
	    "References")) != NULL &&
	    (refs = g_mime_references_parse(NULL, s)) != NULL) {
		n = g_mime_references_length(refs);
		for (i = n - 1; i >= 0; i--)
			mailgate_add_ref(m, refs, i);
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
