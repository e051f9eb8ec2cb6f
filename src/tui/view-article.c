/* view-article.c: a knowledge-base article in a pager; r or i puts its text into a reply or note. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

struct var {
	int64_t			 rid;
	struct replica_article	 a;
	int			 top;		/* body rows scrolled */
	int			 rows;		/* body rows at the last paint */
	int			 total;		/* the body's rows */
};

static int
var_open(struct view *v, const void *arg, char **cause)
{
	const char	*id = arg;
	struct var	*va;
	char		*end;
	int		 rc;

	va = xcalloc(1, sizeof *va);
	va->rid = id != NULL ? strtoll(id, &end, 10) : 0;
	rc = replica_article(v->tui->r, va->rid, &va->a, cause);
	if (rc == REPLICA_NOTFOUND)
		*cause = xstrdup(_("that article is gone from the playbook"));
	if (rc != 0) {
		free(va);
		return (-1);
	}
	v->data = va;
	return (0);
}

static void
var_close(struct view *v)
{
	struct var	*va = v->data;

	replica_article_free(&va->a);
	free(va);
}

static void
var_draw(struct view *v)
{
	struct var	*va = v->data;
	struct tui	*t = v->tui;
	char		*line;
	int		 y = TUI_VIEW_TOP, bottom = TUI_VIEW_TOP + TUI_VIEW_ROWS;

	line = xprintf("triage %s %s", draw_glyph(t, "—", "-"), _("article"));
	draw_title(t, line);
	free(line);
	draw_fill(y, 0, COLS, EL_HEADER);
	draw_text(y++, 0, va->a.title, COLS, EL_HEADER);
	if (y < bottom) {
		line = xprintf("%s@%.12s  %s", va->a.path, va->a.commit,
		    va->a.tags);
		draw_text(y++, 0, line, COLS, EL_DIM);
		free(line);
	}
	if (y < bottom)
		draw_text(y++, 0, _("r put into a reply  i into a note  "
		    "q back"), COLS, EL_DIM);
	y++;
	va->rows = bottom - y > 0 ? bottom - y : 0;
	va->total = draw_body(y, 0, COLS - 1, va->rows, va->a.body, va->top,
	    0);
}

/* The ticket of the nearest view below that has one. */
static const char *
var_ticket(struct view *v)
{
	struct view	*w;
	const char	*id;

	for (w = v->prev; w != NULL; w = w->prev)
		if (w->ops->current_ticket != NULL &&
		    (id = w->ops->current_ticket(w)) != NULL)
			return (id);
	return (NULL);
}

static int
var_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct var		*va = v->data;
	struct view_compose_arg	 ca;
	int			 page = va->rows > 1 ? va->rows - 1 : 1;
	int			 last = va->total - va->rows;

	(void)key;
	(void)code;
	if (last < 0)
		last = 0;
	switch (act) {
	case ACT_DOWN:
		va->top++;
		break;
	case ACT_UP:
		va->top--;
		break;
	case ACT_PAGE_DOWN:
		va->top += page;
		break;
	case ACT_PAGE_UP:
		va->top -= page;
		break;
	case ACT_TOP:
		va->top = 0;
		break;
	case ACT_BOTTOM:
		va->top = last;
		break;
	case ACT_REPLY:
	case ACT_NOTE:
		memset(&ca, 0, sizeof ca);
		if ((ca.ticket_id = var_ticket(v)) == NULL) {
			tui_error(v->tui, "%s", _("no ticket to reply to: open "
			    "the ticket, then search from there"));
			return (VIEW_HANDLED);
		}
		ca.internal = act == ACT_NOTE;
		ca.insert = va->a.body;
		tui_push(v->tui, &view_compose_ops, &ca);
		return (VIEW_HANDLED | VIEW_REDRAW);
	default:
		return (VIEW_UNHANDLED);
	}
	if (va->top > last)
		va->top = last;
	if (va->top < 0)
		va->top = 0;
	return (VIEW_HANDLED | VIEW_REDRAW);
}

static void
var_position(struct view *v, char *out, size_t len)
{
	struct var	*va = v->data;

	snprintf(out, len, "%d/%d", va->total > 0 ? va->top + 1 : 0,
	    va->total);
}

const struct view_ops view_article_ops = {
	.name = "article",
	.ctx = CTX_GLOBAL,
	.open = var_open,
	.draw = var_draw,
	.key = var_key,
	.close = var_close,
	.position = var_position,
};
