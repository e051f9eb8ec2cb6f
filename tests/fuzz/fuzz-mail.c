/* fuzz-mail.c: fuzz the mail parser entry (triage mailgate): any bytes as an RFC 5322 message through GMime. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "cli/cli.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
valid(const char *s)
{
	return (s != NULL && utf8_valid(s, strlen(s)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 started;
	struct inbound	 m;
	char		*cause = NULL;
	size_t		 i;

	if (!started) {
		g_mime_init();
		started = 1;
	}
	if (mailgate_parse((const char *)data, size, &m, &cause) != 0) {
		if (!valid(cause))
			abort();
		free(cause);
		inbound_free(&m);
		return (0);
	}
	/*
	 * What goes on to the server as JSON or into PostgreSQL: every string
	 * UTF-8 (json_string() refuses anything else), a sender with an '@'.
	 */
	if (!valid(m.from) || strchr(m.from, '@') == NULL ||
	    (m.name != NULL && !valid(m.name)) || !valid(m.subject) ||
	    !valid(m.body) || (m.message_id != NULL && !valid(m.message_id)))
		abort();
	for (i = 0; i < m.nrefs; i++)
		if (!valid(m.refs[i]))
			abort();
	for (i = 0; i < m.nfiles; i++) {
		if (!valid(m.files[i].name) || !valid(m.files[i].mime) ||
		    m.files[i].len > 10 * 1024 * 1024)
			abort();
		/* The base64 holds exactly the attachment's bytes. */
		if (m.files[i].b64 == NULL || strlen(m.files[i].b64) !=
		    (m.files[i].len + 2) / 3 * 4 || strspn(m.files[i].b64,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/=") != strlen(m.files[i].b64))
			abort();
	}
	inbound_free(&m);
	return (0);
}
