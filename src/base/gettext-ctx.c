/* gettext-ctx.c: a translated message in a context, for words that mean two things in English ("pending"). */
#include "config.h"

#include <stdlib.h>

#include "base.h"

/*
 * id is "context\004msgid" as xgettext writes it (--keyword=C_:1c,2);
 * gettext() gives the translation, or id itself when there is none, and
 * then the plain msgid is the answer.
 */
const char *
gettext_ctx(const char *id, const char *msgid)
{
	const char	*t = gettext(id);

	return (t == id ? msgid : t);
}

/* The same for a msgid from a table (marked with NC_ for xgettext). */
const char *
gettext_ctx_table(const char *ctx, const char *msgid)
{
	const char	*t;
	char		*id;

	id = xprintf("%s\004%s", ctx, msgid);
	t = gettext_ctx(id, msgid);
	free(id);
	return (t);
}
