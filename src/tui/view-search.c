/* view-search.c: placeholder until the search view lands (issue 3). */
#include "config.h"

#include "tui-int.h"

static int
v_open(struct view *v, const void *arg, char **cause)
{
	(void)v;
	(void)arg;
	*cause = xstrdup("the search view is not built yet");
	return (-1);
}

const struct view_ops view_search_ops = {
	.name = "search",
	.ctx = CTX_GLOBAL,
	.open = v_open,
};
