/* inbound.c: a customer's parsed mail: what makes one sound, and freeing it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Free what m holds and clear it. */
void
inbound_free(struct inbound *m)
{
	size_t	 i;

	free(m->from);
	free(m->name);
	free(m->subject);
	free(m->message_id);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->body);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].mime);
		free(m->files[i].b64);
	}
	free(m->files);
	memset(m, 0, sizeof *m);
}

/*
 * A message id as it goes into a header: "<...>" with printable
 * characters between, no spaces, no angle brackets, at most 250 bytes
 * (RFC 5322 msg-id, with room for what real mailers write).
 */
int
inbound_id_valid(const char *id)
{
	size_t	 len, i;

	if (id == NULL || (len = strlen(id)) < 3 || len > 250 ||
	    id[0] != '<' || id[len - 1] != '>' || !utf8_valid(id, len))
		return (0);
	for (i = 1; i < len - 1; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f ||
		    id[i] == '<' || id[i] == '>')
			return (0);
	return (1);
}

/*
 * The bytes standard base64 (padded, no line breaks) holds, or -1 if s is
 * not that: characters of the alphabet, '=' only as the last one or two.
 */
static long long
inbound_b64_len(const char *s)
{
	size_t	 n = strlen(s), body, pad = 0;

	if (n % 4 != 0)
		return (-1);
	if (n > 0 && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/");
	if (body != n - pad)
		return (-1);
	return ((long long)(n / 4 * 3 - pad));
}

static int
inbound_text(const char *s)
{
	return (s != NULL && utf8_valid(s, strlen(s)));
}

/*
 * Whether m can be filed as it is: every text UTF-8, a sender that is an
 * address, ids fit for a header, each attachment's size what its base64
 * holds and within the limit. NULL, or why (static).
 */
const char *
inbound_check(const struct inbound *m)
{
	const struct inbound_file	*f;
	size_t				 i;

	if (!inbound_text(m->from) || strchr(m->from, '@') == NULL ||
	    strpbrk(m->from, " <>\r\n\t") != NULL)
		return ("\"from\" must be an address");
	if ((m->name != NULL && !inbound_text(m->name)) ||
	    !inbound_text(m->subject) || !inbound_text(m->body))
		return ("\"name\", \"subject\" and \"body\" must be UTF-8 text");
	if (m->message_id != NULL && !inbound_id_valid(m->message_id))
		return ("\"message_id\" must be a message id (<...>)");
	for (i = 0; i < m->nrefs; i++)
		if (!inbound_id_valid(m->refs[i]))
			return ("\"refs\" must be message ids (<...>)");
	for (i = 0; i < m->nfiles; i++) {
		f = &m->files[i];
		if (!inbound_text(f->name) || !inbound_text(f->mime) ||
		    f->b64 == NULL)
			return ("an attachment needs name, mime and content");
		if (f->len > INBOUND_MAX_FILE)
			return ("an attachment is larger than 10 MB");
		if (inbound_b64_len(f->b64) != (long long)f->len)
			return ("an attachment's size is not what its "
			    "base64 content holds");
	}
	return (NULL);
}
