/* view-help.c: the help screen, generated from the keymap and command tables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

struct vh_line {
	char		*keys;		/* NULL: a heading */
	const char	*name;
	const char	*text;
};

struct vh {
	struct vh_line	*lines;
	size_t		 n;
	size_t		 top;
};

static void
vh_add(struct vh *h, char *keys, const char *name, const char *text)
{
	h->lines = xreallocarray(h->lines, h->n + 1, sizeof *h->lines);
	h->lines[h->n].keys = keys;
	h->lines[h->n].name = name;
	h->lines[h->n].text = text;
	h->n++;
}

/* One context's bindings, under a heading. */
static void
vh_context(struct vh *h, enum tui_ctx ctx)
{
	const struct keymap_entry	*e;
	char				*keys;
	int				 any = 0;

	for (e = keymap_table; e->name != NULL; e++) {
		if (e->ctx != ctx)
			continue;
		keys = keymap_keys(e->action, ctx);
		if (!any++)
			vh_add(h, NULL, keymap_ctx_name(ctx), NULL);
		vh_add(h, keys, e->name, _(e->help));
	}
}

static int
vh_open(struct view *v, const void *arg, char **cause)
{
	const struct view	*from = arg;
	struct vh		*h;
	const char		*name, *args, *help;
	size_t			 i;
	int			 c;

	(void)cause;
	h = xcalloc(1, sizeof *h);
	v->data = h;
	/* The keys of the view help was asked from come first. */
	if (from != NULL && from->ops->ctx != CTX_GLOBAL)
		vh_context(h, from->ops->ctx);
	vh_context(h, CTX_GLOBAL);
	for (c = 0; c < CTX_COUNT; c++)
		if ((from == NULL || (enum tui_ctx)c != from->ops->ctx) &&
		    c != CTX_GLOBAL)
			vh_context(h, (enum tui_ctx)c);
	vh_add(h, NULL, _("commands (after ':')"), NULL);
	for (i = 0; command_help(i, &name, &args, &help) == 0; i++)
		vh_add(h, xprintf(":%s %s", name, *args ? _(args) : ""), "",
		    _(help));
	return (0);
}

static void
vh_close(struct view *v)
{
	struct vh	*h = v->data;
	size_t		 i;

	for (i = 0; i < h->n; i++)
		free(h->lines[i].keys);
	free(h->lines);
	free(h);
}

static void
vh_draw(struct view *v)
{
	struct vh	*h = v->data;
	size_t		 i;
	int		 y, x;

	draw_title(v->tui, _("triage — help"));
	for (i = h->top, y = TUI_VIEW_TOP; i < h->n &&
	    y < TUI_VIEW_TOP + TUI_VIEW_ROWS; i++, y++) {
		if (h->lines[i].keys == NULL) {
			draw_text(y, 0, h->lines[i].name, COLS, EL_HEADER);
			continue;
		}
		x = 2;
		draw_text(y, x, h->lines[i].keys, 22, EL_LABEL);
		x += 23;
		draw_text(y, x, h->lines[i].name, 16, EL_DIM);
		x += 17;
		draw_text(y, x, h->lines[i].text, COLS - x, EL_NORMAL);
	}
}

static int
vh_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vh	*h = v->data;
	size_t		 page = (size_t)TUI_VIEW_ROWS;
	size_t		 max = h->n > page ? h->n - page : 0;

	(void)key;
	(void)code;
	switch (act) {
	case ACT_DOWN:
		if (h->top < max)
			h->top++;
		break;
	case ACT_UP:
		if (h->top > 0)
			h->top--;
		break;
	case ACT_PAGE_DOWN:
		h->top = h->top + page < max ? h->top + page : max;
		break;
	case ACT_PAGE_UP:
		h->top = h->top > page ? h->top - page : 0;
		break;
	case ACT_TOP:
		h->top = 0;
		break;
	case ACT_BOTTOM:
		h->top = max;
		break;
	case ACT_HELP:
		tui_pop(v->tui);
		return (VIEW_HANDLED | VIEW_REDRAW);
	default:
		return (VIEW_UNHANDLED);
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

const struct view_ops view_help_ops = {
	.name = "help",
	.ctx = CTX_HELP,
	.open = vh_open,
	.draw = vh_draw,
	.key = vh_key,
	.close = vh_close,
};
