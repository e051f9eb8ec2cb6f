/* gettext-ctx.c: a translated message in a context, for words that mean two things in English ("pending"). */
#include "config.h"

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
