/* view-search.c: type-ahead search over tickets, messages, customers and orders. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/*
 * The view owns its query line: printable keys type, editing keys edit, and
 * every edit asks the worker for the hits of the new text (the same tag each
 * time, so a search still queued is replaced, not added to). The key handler
 * never searches; hits arrive through vs_result, which drops any whose text
 * is no longer the one typed.
 */
#define VS_TAG		(TAG_VIEW | 2)
#define VS_LIMIT	50
#define VS_KIND_W	8	/* cells for the kind label */
#define VS_NUM_W	8	/* cells for "#number" */

#define CTRL(c)	((c) & 0x1f)

struct vs {
	struct editbuf		 q;
	struct search_result	 hits;
	char			*hits_text;	/* the text hits are for */
	char			*error;		/* the last search failed */
	int			 searching;	/* asked, no answer for q yet */
	int			 stale;		/* the replica changed below */
	size_t			 cursor;
	size_t			 top;
};

/* What an editing key did. */
enum vs_edit {
	VS_EDIT_NONE,		/* not an editing key */
	VS_EDIT_MOVED,		/* the cursor moved */
	VS_EDIT_CHANGED		/* the text changed */
};

/* Rows for hits: the view minus the query and hint lines. */
static int
vs_area(void)
{
	int	 n = TUI_VIEW_ROWS - 2;

	return (n > 1 ? n : 1);
}

/* Whether a hit's snippet is its title with the matches marked. */
static int
vs_snippet_is_title(const struct search_hit *h)
{
	const char	*s = h->snippet, *t = h->title;

	for (;; s++) {
		while (*s == SEARCH_MARK_ON || *s == SEARCH_MARK_OFF)
			s++;
		if (*s != *t)
			return (0);
		if (*s == '\0')
			return (1);
		t++;
	}
}

/*
 * Rows a hit takes: a second for its snippet when the view has room and
 * the snippet says more than the title does.
 */
static int
vs_rows(const struct search_hit *h)
{
	if (vs_area() < 8 || h->exact || vs_snippet_is_title(h))
		return (1);
	return (2);
}

/* Rows hits from..to (inclusive) take. */
static int
vs_span(const struct search_result *hits, size_t from, size_t to)
{
	int	 n = 0;

	for (; from <= to && from < hits->n; from++)
		n += vs_rows(&hits->v[from]);
	return (n);
}

/* Hits that fit on the screen from the top one down (at least one). */
static size_t
vs_page(const struct vs *vs)
{
	size_t	 i;
	int	 used = 0, area = vs_area();

	for (i = vs->top; i < vs->hits.n; i++) {
		used += vs_rows(&vs->hits.v[i]);
		if (used > area)
			break;
	}
	return (i > vs->top ? i - vs->top : 1);
}

/* Whether the text has anything to search for. */
static int
vs_blank(const char *s)
{
	return (s[strspn(s, " \t")] == '\0');
}

/* Ask the worker for the current text's hits (never searches here). */
static void
vs_ask(struct view *v)
{
	struct vs	*vs = v->data;
	const char	*text = editbuf_text(&vs->q);

	free(vs->error);
	vs->error = NULL;
	vs->stale = 0;
	if (vs_blank(text)) {
		search_result_free(&vs->hits);
		free(vs->hits_text);
		vs->hits_text = NULL;
		vs->searching = 0;
		vs->cursor = vs->top = 0;
		return;
	}
	worker_search(v->tui->worker, VS_TAG, text, VS_LIMIT);
	vs->searching = 1;
}

/* Open with the initial text (may be NULL) and ask for its hits. */
static int
vs_open(struct view *v, const void *arg, char **cause)
{
	struct vs	*vs;

	(void)cause;
	vs = xcalloc(1, sizeof *vs);
	v->data = vs;
	editbuf_init(&vs->q, arg);
	vs_ask(v);
	return (0);
}

/* Free the view's state. */
static void
vs_close(struct view *v)
{
	struct vs	*vs = v->data;

	editbuf_free(&vs->q);
	search_result_free(&vs->hits);
	free(vs->hits_text);
	free(vs->error);
	free(vs);
}

/* Copy a result's hits (the worker frees its own). */
static void
vs_copy_hits(struct search_result *dst, const struct search_result *src)
{
	size_t	 i;

	dst->n = src->n;
	dst->v = src->n > 0 ? xcalloc(src->n, sizeof *dst->v) : NULL;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		dst->v[i].title = xstrdup(src->v[i].title != NULL ?
		    src->v[i].title : "");
		dst->v[i].snippet = xstrdup(src->v[i].snippet != NULL ?
		    src->v[i].snippet : "");
	}
}

/*
 * Hits came back: keep them if they are for the text as it is now. A
 * fresh search for the same text (the replica changed) keeps the cursor
 * on the hit it was on.
 */
static void
vs_result(struct view *v, const struct worker_result *res)
{
	struct vs	*vs = v->data;
	char		 id[UUID_STRLEN + 1];
	int		 same;
	size_t		 i;

	if (res->job != JOB_SEARCH || res->tag != VS_TAG || res->text == NULL ||
	    strcmp(res->text, editbuf_text(&vs->q)) != 0)
		return;
	vs->searching = 0;
	free(vs->error);
	vs->error = res->error != NULL ? xstrdup(res->error) : NULL;
	same = vs->hits_text != NULL && strcmp(vs->hits_text, res->text) == 0;
	id[0] = '\0';
	if (same && vs->cursor < vs->hits.n)
		memcpy(id, vs->hits.v[vs->cursor].id, sizeof id);
	search_result_free(&vs->hits);
	free(vs->hits_text);
	vs->hits_text = xstrdup(res->text);
	if (res->error == NULL)
		vs_copy_hits(&vs->hits, &res->hits);
	vs->cursor = vs->top = 0;
	for (i = 0; id[0] != '\0' && i < vs->hits.n; i++)
		if (strcmp(vs->hits.v[i].id, id) == 0)
			vs->cursor = i;
}

/* Keep the cursor on the screen, and the screen full where it can be. */
static void
vs_scroll(struct vs *vs)
{
	int	 area = vs_area();

	if (vs->hits.n == 0) {
		vs->cursor = vs->top = 0;
		return;
	}
	if (vs->cursor >= vs->hits.n)
		vs->cursor = vs->hits.n - 1;
	if (vs->cursor < vs->top)
		vs->top = vs->cursor;
	while (vs->top < vs->cursor &&
	    vs_span(&vs->hits, vs->top, vs->cursor) > area)
		vs->top++;
	while (vs->top > 0 &&
	    vs_span(&vs->hits, vs->top - 1, vs->hits.n - 1) <= area)
		vs->top--;
}

/* The translated label of a hit's kind. */
static const char *
vs_kind_label(enum search_kind k)
{
	switch (k) {
	case SEARCH_TICKET:
		return (_("ticket"));
	case SEARCH_MESSAGE:
		return (_("message"));
	case SEARCH_CUSTOMER:
		return (_("customer"));
	case SEARCH_ORDER:
		return (_("order"));
	case SEARCH_ARTICLE:
		return (_("article"));
	}
	return ("?");
}

/*
 * The query line: a label, then the text scrolled so the cursor shows; the
 * cursor is drawn as a highlighted cell (the terminal's own stays hidden).
 */
static void
vs_draw_query(struct view *v, int y)
{
	struct vs	*vs = v->data;
	const char	*s = editbuf_text(&vs->q);
	size_t		 len = strlen(s), cur = vs->q.cursor, off = 0, n;
	int		 x, avail;

	draw_fill(y, 0, COLS, EL_NORMAL);
	x = draw_text(y, 0, _("Search: "), COLS / 2, EL_LABEL);
	avail = COLS - x - 2;
	while (off < cur && sanitize_width_str(s + off, cur - off) > avail)
		off = utf8_next(s, len, off);
	x += draw_text_n(y, x, s + off, cur - off, COLS - x, EL_NORMAL);
	n = cur < len ? utf8_next(s, len, cur) - cur : 0;
	x += draw_text_n(y, x, n > 0 ? s + cur : " ", n > 0 ? n : 1, COLS - x,
	    EL_CURSOR);
	if (cur < len)
		draw_text_n(y, x, s + cur + n, len - cur - n, COLS - x,
		    EL_NORMAL);
}

/* The hint line: the keys on the left, the state of the search right. */
static void
vs_draw_hint(struct view *v, int y)
{
	struct vs	*vs = v->data;
	struct tui	*t = v->tui;
	char		*state = NULL, *hint;
	enum tui_elem	 e = EL_DIM;
	int		 w = 0;

	draw_fill(y, 0, COLS, EL_NORMAL);
	if (vs->error != NULL) {
		state = xstrdup(_("search failed"));
		e = EL_ERROR;
	} else if (vs->searching)
		state = xprintf("%s%s", _("searching"), draw_glyph(t, "…",
		    "..."));
	else if (vs->hits_text != NULL && vs->hits.n > 0)
		state = xprintf(vs->hits.n >= VS_LIMIT ? _("%zu+ matches") :
		    ngettext("%zu match", "%zu matches", vs->hits.n),
		    vs->hits.n);
	else if (vs->hits_text != NULL)
		state = xstrdup(_("no matches"));
	if (state != NULL) {
		w = draw_width(state);
		draw_text(y, COLS - w - 1 > 0 ? COLS - w - 1 : 0, state, COLS,
		    e);
	}
	hint = xprintf(_("type to search %s %s ^N ^P move %s Enter open "
	    "%s Esc back"), draw_glyph(t, "·", "|"), draw_glyph(t, "↑↓",
	    "Up Down"), draw_glyph(t, "·", "|"), draw_glyph(t, "·", "|"));
	draw_text(y, 1, hint, COLS - w - 3, EL_DIM);
	free(hint);
	free(state);
}

/*
 * Draw one hit at row y: the exact mark, kind, "#number" and title, then
 * on a second row (rows 2) the snippet with its matches highlighted. A
 * snippet that is just the title highlights the title itself.
 */
static void
vs_draw_hit(struct view *v, int y, const struct search_hit *h, int cur,
    int rows)
{
	struct tui	*t = v->tui;
	enum tui_elem	 base = cur ? EL_CURSOR : EL_NORMAL;
	enum tui_elem	 head = cur ? EL_CURSOR : EL_HEADER;
	enum tui_elem	 dim = cur ? EL_CURSOR : EL_DIM;
	char		 num[32];
	int		 x, tw;

	draw_fill(y, 0, COLS, base);
	if (rows > 1)
		draw_fill(y + 1, 0, COLS, base);
	if (h->exact)
		draw_text(y, 0, draw_glyph(t, "★", "*"), 1, cur ? EL_CURSOR :
		    EL_MARKED);
	x = 2;
	draw_text(y, x, vs_kind_label(h->kind), VS_KIND_W, cur ? EL_CURSOR :
	    EL_LABEL);
	x += VS_KIND_W + 1;
	if ((h->kind == SEARCH_TICKET || h->kind == SEARCH_MESSAGE) &&
	    h->ticket_number > 0) {
		snprintf(num, sizeof num, "#%lld", (long long)h->ticket_number);
		draw_text(y, x, num, VS_NUM_W, base);
	}
	x += VS_NUM_W;
	if (x >= COLS)
		return;
	if (rows > 1) {
		draw_text(y, x, h->title, COLS - x - 1, head);
		draw_marked(y + 1, x, h->snippet, COLS - x - 1, dim,
		    EL_MATCH);
	} else if (h->exact) {
		x += draw_text(y, x, h->title, COLS - x - 1, head) + 2;
		draw_text(y, x, h->kind == SEARCH_ORDER ?
		    _("exact order number") : _("exact ticket number"),
		    COLS - x - 1, dim);
	} else if (vs_snippet_is_title(h))
		draw_marked(y, x, h->snippet, COLS - x - 1, head, EL_MATCH);
	else {
		/* A short view: title and snippet share the row. */
		tw = (COLS - x) * 2 / 5;
		x += draw_text(y, x, h->title, tw, head) + 2;
		draw_marked(y, x, h->snippet, COLS - x - 1, dim, EL_MATCH);
	}
}

/* Title, query line, hint line, then as many hits as fit. */
static void
vs_draw(struct view *v)
{
	struct vs	*vs = v->data;
	struct tui	*t = v->tui;
	char		*title;
	int		 y, rows, bottom;
	size_t		 i;

	if (vs->stale)
		vs_ask(v);
	title = xprintf("triage %s %s", draw_glyph(t, "—", "-"), _("search"));
	draw_title(t, title);
	free(title);
	vs_draw_query(v, TUI_VIEW_TOP);
	if (TUI_VIEW_ROWS < 2)
		return;
	vs_draw_hint(v, TUI_VIEW_TOP + 1);
	vs_scroll(vs);
	bottom = TUI_VIEW_TOP + TUI_VIEW_ROWS;
	y = TUI_VIEW_TOP + 2;
	if (vs->error != NULL) {
		draw_text(y + 1, 2, vs->error, COLS - 2, EL_ERROR);
		return;
	}
	if (vs->hits.n == 0 && y + 1 < bottom) {
		if (vs->hits_text == NULL && !vs->searching)
			draw_text(y + 1, 2, _("Search tickets, messages, "
			    "customers and orders; #1234 finds a ticket by "
			    "number."), COLS - 4, EL_DIM);
		else if (!vs->searching)
			draw_text(y + 1, 2, _("No matches."), COLS - 4,
			    EL_DIM);
		return;
	}
	for (i = vs->top; i < vs->hits.n; i++) {
		rows = vs_rows(&vs->hits.v[i]);
		if (y + rows > bottom)
			break;
		vs_draw_hit(v, y, &vs->hits.v[i], i == vs->cursor, rows);
		y += rows;
	}
}

/* Apply an editing key to the query line. */
static enum vs_edit
vs_edit(struct editbuf *e, wint_t key, int code)
{
	size_t	 len = e->text.len;

	if (code) {
		switch (key) {
		case KEY_BACKSPACE:
			editbuf_backspace(e);
			break;
		case KEY_DC:
			editbuf_delete(e);
			break;
		case KEY_LEFT:
			editbuf_left(e);
			break;
		case KEY_RIGHT:
			editbuf_right(e);
			break;
		case KEY_HOME:
			editbuf_home(e);
			break;
		case KEY_END:
			editbuf_end(e);
			break;
		default:
			return (VS_EDIT_NONE);
		}
	} else {
		switch (key) {
		case 0x7f:
		case CTRL('h'):
			editbuf_backspace(e);
			break;
		case CTRL('d'):
			editbuf_delete(e);
			break;
		case CTRL('b'):
			editbuf_left(e);
			break;
		case CTRL('f'):
			editbuf_right(e);
			break;
		case CTRL('a'):
			editbuf_home(e);
			break;
		case CTRL('e'):
			editbuf_end(e);
			break;
		case CTRL('u'):
			editbuf_kill_bol(e);
			break;
		case CTRL('k'):
			editbuf_kill_line(e);
			break;
		case CTRL('w'):
			editbuf_kill_word(e);
			break;
		default:
			if (key < 0x20 || key == 0x7f ||
			    (key >= 0x80 && key < 0xa0) || key > 0x10ffff)
				return (VS_EDIT_NONE);
			editbuf_insert(e, (uint32_t)key);
			break;
		}
	}
	/* A key that did nothing (^D at the end) is still the line's. */
	return (e->text.len != len ? VS_EDIT_CHANGED : VS_EDIT_MOVED);
}

/* Open the hit under the cursor: its ticket, or its customer's 360. */
static void
vs_open_hit(struct view *v)
{
	struct vs		*vs = v->data;
	struct tui		*t = v->tui;
	struct view_ticket_arg	 ta;
	struct search_hit	*h;
	char			 cid[UUID_STRLEN + 1], oid[UUID_STRLEN + 1];
	char			*cause = NULL;
	int			 rc;

	if (vs->cursor >= vs->hits.n)
		return;
	h = &vs->hits.v[vs->cursor];
	switch (h->kind) {
	case SEARCH_TICKET:
	case SEARCH_MESSAGE:
		memset(&ta, 0, sizeof ta);
		ta.ticket_id = h->ticket_id[0] != '\0' ? h->ticket_id : h->id;
		ta.message_id = h->kind == SEARCH_MESSAGE ? h->id : NULL;
		tui_push(t, &view_ticket_ops, &ta);
		break;
	case SEARCH_CUSTOMER:
		tui_push(t, &view_customer_ops, h->id);
		break;
	case SEARCH_ARTICLE:
		tui_push(t, &view_article_ops, h->id);
		break;
	case SEARCH_ORDER:
		if (h->customer_id[0] != '\0') {
			tui_push(t, &view_customer_ops, h->customer_id);
			break;
		}
		rc = replica_order_customer(t->r, h->title, cid, oid, &cause);
		if (rc == 0)
			tui_push(t, &view_customer_ops, cid);
		else if (rc == REPLICA_NOTFOUND)
			tui_error(t, "%s", _("that order is gone"));
		else {
			tui_error(t, "%s", cause);
			free(cause);
		}
		break;
	}
}

/*
 * Keys: Esc (or q on an empty line) goes back, editing keys edit and ask
 * for a search, the movement actions move through the hits, Enter opens.
 * Every printable key is text here, so j, k, g and G type themselves.
 */
static int
vs_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vs	*vs = v->data;
	struct tui	*t = v->tui;
	size_t		 page = vs_page(vs);

	if (!code && (key == 0x1b || (key == 'q' && vs->q.text.len == 0))) {
		tui_pop(t);		/* frees v */
		return (VIEW_HANDLED | VIEW_REDRAW);
	}
	switch (vs_edit(&vs->q, key, code)) {
	case VS_EDIT_CHANGED:
		vs_ask(v);
		return (VIEW_HANDLED | VIEW_REDRAW);
	case VS_EDIT_MOVED:
		return (VIEW_HANDLED | VIEW_REDRAW);
	case VS_EDIT_NONE:
		break;
	}
	switch (act) {
	case ACT_DOWN:
		if (vs->cursor + 1 < vs->hits.n)
			vs->cursor++;
		break;
	case ACT_UP:
		if (vs->cursor > 0)
			vs->cursor--;
		break;
	case ACT_PAGE_DOWN:
		vs->cursor += page;
		if (vs->cursor >= vs->hits.n)
			vs->cursor = vs->hits.n > 0 ? vs->hits.n - 1 : 0;
		break;
	case ACT_PAGE_UP:
		vs->cursor = vs->cursor > page ? vs->cursor - page : 0;
		break;
	case ACT_TOP:
		vs->cursor = 0;
		break;
	case ACT_BOTTOM:
		vs->cursor = vs->hits.n > 0 ? vs->hits.n - 1 : 0;
		break;
	case ACT_OPEN:
		vs_open_hit(v);
		break;
	default:
		return (VIEW_UNHANDLED);
	}
	vs_scroll(vs);
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/*
 * The replica changed: search again, but only when on top; a view below
 * asks when it is back on top (tui_pop reloads the new top), so it never
 * replaces the search of a view above it in the worker's queue.
 */
static void
vs_reload(struct view *v)
{
	struct vs	*vs = v->data;

	if (v->tui->top == v)
		vs_ask(v);
	else
		vs->stale = 1;
}

/* The ticket the selected hit belongs to, for ticket actions. */
static const char *
vs_current(struct view *v)
{
	struct vs		*vs = v->data;
	const struct search_hit	*h;

	if (vs->cursor >= vs->hits.n)
		return (NULL);
	h = &vs->hits.v[vs->cursor];
	if (h->kind != SEARCH_TICKET && h->kind != SEARCH_MESSAGE)
		return (NULL);
	return (h->ticket_id[0] != '\0' ? h->ticket_id : NULL);
}

/* "hit/hits" for the status bar. */
static void
vs_position(struct view *v, char *out, size_t len)
{
	struct vs	*vs = v->data;

	if (vs->hits.n == 0)
		snprintf(out, len, "0/0");
	else
		snprintf(out, len, "%zu/%zu", vs->cursor + 1, vs->hits.n);
}

const struct view_ops view_search_ops = {
	.name = "search",
	.ctx = CTX_SEARCH,
	.open = vs_open,
	.draw = vs_draw,
	.key = vs_key,
	.reload = vs_reload,
	.close = vs_close,
	.current_ticket = vs_current,
	.result = vs_result,
	.position = vs_position,
};
