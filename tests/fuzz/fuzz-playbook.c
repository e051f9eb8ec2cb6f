/* fuzz-playbook.c: fuzz the playbook's file format (a macro or an article) and the rendering of its variables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base.h"
#include "playbook/playbook.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct playbook_var vars[] = {
		{ "customer.name", "Ada {{ticket.number}}" },
		{ "ticket.number", "42" },
		{ "agent.name", NULL },
	};
	struct playbook_item	 it;
	struct buf		 warnings = BUF_INIT, unknown = BUF_INIT;
	json_t			*a, *pair;
	char			*out;
	size_t			 i;
	enum playbook_kind	 kind;

	/* playbook_read() gives it only UTF-8 under the size limit. */
	if (size == 0 || size > PLAYBOOK_MAX_FILE ||
	    !utf8_valid((const char *)data + 1, size - 1))
		return (0);
	kind = data[0] & 1 ? PLAYBOOK_ARTICLE : PLAYBOOK_MACRO;
	if (playbook_parse(kind, kind == PLAYBOOK_MACRO ? "macros/f.md" :
	    "kb/f.md", (const char *)data + 1, size - 1, &it,
	    &warnings) != 0) {
		/* A refusal names the file and the line, and says why. */
		if (strncmp(buf_cstr(&warnings), kind == PLAYBOOK_MACRO ?
		    "macros/f.md:" : "kb/f.md:", kind == PLAYBOOK_MACRO ? 12 :
		    8) != 0 || strstr(buf_cstr(&warnings), ": skipped\n") ==
		    NULL)
			abort();
		buf_free(&warnings);
		return (0);
	}
	if (it.title == NULL || *it.title == '\0' || it.body == NULL)
		abort();
	/* The actions are a JSON array of [key, value] string pairs. */
	if ((a = json_loads(it.actions, 0, NULL)) == NULL || !json_is_array(a))
		abort();
	json_array_foreach(a, i, pair)
		if (json_array_size(pair) != 2 ||
		    !json_is_string(json_array_get(pair, 0)) ||
		    !json_is_string(json_array_get(pair, 1)))
			abort();
	json_decref(a);
	/* With no variables known, rendering leaves the body as it is. */
	out = playbook_render(it.body, NULL, 0, &unknown);
	if (strcmp(out, it.body) != 0)
		abort();
	free(out);
	/* A value is put in once, never rendered again. */
	buf_reset(&unknown);
	out = playbook_render(it.body, vars, nitems(vars), &unknown);
	free(out);
	buf_free(&unknown);
	buf_free(&warnings);
	playbook_item_free(&it);
	return (0);
}
