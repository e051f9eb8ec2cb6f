/* fuzz-mail.c: fuzz the mail parser entry (triage mailgate): any bytes as an RFC 5322 message through GMime. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "cli/cli.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 started;
	struct inbound	 m;
	char		*cause = NULL;

	if (!started) {
		g_mime_init();
		started = 1;
	}
	if (mailgate_parse((const char *)data, size, &m, &cause) != 0) {
		if (cause == NULL || !utf8_valid(cause, strlen(cause)))
			abort();
		free(cause);
		inbound_free(&m);
		return (0);
	}
	/*
	 * What goes on to the server as JSON or into PostgreSQL is what the
	 * server accepts: UTF-8 text, an address, ids fit for a header,
	 * attachments whose base64 is their size.
	 */
	if (inbound_check(&m) != NULL)
		abort();
	inbound_free(&m);
	return (0);
}
