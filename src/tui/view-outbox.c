/* view-outbox.c: the outbox: local changes waiting for the server; retry and discard. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/*
 * Every entry not yet applied (pending, rejected, conflict), oldest first,
 * one row each and a second row with the server's reason when there is one.
 * The outbox is small next to the tickets (what one agent did offline), so
 * it is read whole; descriptions are built from the payloads when an entry
 * is first drawn.
 */
#define VO_MASK		(OUTBOX_MASK(OUTBOX_PENDING) | \
			    OUTBOX_MASK(OUTBOX_REJECTED) | \
			    OUTBOX_MASK(OUTBOX_CONFLICT))

/* Column widths; the type and age columns go on narrow terminals. */
#define VO_SEQ_W	6
#define VO_STATE_W	10
#define VO_TYPE_W	9
#define VO_TICKET_W	7
#define VO_AGE_W	4

struct vo {
	struct outbox_list	 l;
	char			**desc;	/* per entry; NULL until drawn */
	char			**news;	/* conflicts: what the customer wrote */
	size_t			 cursor;
	size_t			 top;
};

/* Rows of entries: the view minus the column header. */
static int
vo_area(void)
{
	int	 n = TUI_VIEW_ROWS - 1;

	return (n > 1 ? n : 1);
}

/* Whether an entry shows a reason on a second row. */
static int
vo_rows(const struct outbox_entry *e)
{
	if (e->state == OUTBOX_CONFLICT && vo_area() >= 6)
		return (3);
	return (e->reason != NULL && *e->reason != '\0' &&
	    e->state != OUTBOX_PENDING && vo_area() >= 4 ? 2 : 1);
}

/* Rows entries from..to (inclusive) take. */
static int
vo_span(const struct vo *vo, size_t from, size_t to)
{
	int	 n = 0;

	for (; from <= to && from < vo->l.n; from++)
		n += vo_rows(&vo->l.v[from]);
	return (n);
}

/* Entries that fit from the top one down (at least one). */
static size_t
vo_page(const struct vo *vo)
{
	size_t	 i;
	int	 used = 0, area = vo_area();

	for (i = vo->top; i < vo->l.n; i++) {
		used += vo_rows(&vo->l.v[i]);
		if (used > area)
			break;
	}
	return (i > vo->top ? i - vo->top : 1);
}

/* Keep the cursor on the screen, and the screen full where it can be. */
static void
vo_scroll(struct vo *vo)
{
	int	 area = vo_area();

	if (vo->l.n == 0) {
		vo->cursor = vo->top = 0;
		return;
	}
	if (vo->cursor >= vo->l.n)
		vo->cursor = vo->l.n - 1;
	if (vo->cursor < vo->top)
		vo->top = vo->cursor;
	while (vo->top < vo->cursor && vo_span(vo, vo->top, vo->cursor) > area)
		vo->top++;
	while (vo->top > 0 && vo_span(vo, vo->top - 1, vo->l.n - 1) <= area)
		vo->top--;
}

/* Free the entries and their descriptions. */
static void
vo_free_list(struct vo *vo)
{
	size_t	 i;

	for (i = 0; i < vo->l.n; i++) {
		free(vo->desc[i]);
		free(vo->news[i]);
	}
	free(vo->desc);
	free(vo->news);
	vo->desc = NULL;
	vo->news = NULL;
	outbox_list_free(&vo->l);
}

/*
 * (Re)read the entries, keeping the cursor on the entry it was on, or
 * on the next one if that one is gone.
 */
static int
vo_load(struct view *v, char **cause)
{
	struct vo		*vo = v->data;
	struct outbox_list	 l;
	int64_t			 seq = -1;
	size_t			 i;

	if (replica_outbox_list(v->tui->r, VO_MASK, &l, cause) != 0)
		return (-1);
	if (vo->cursor < vo->l.n)
		seq = vo->l.v[vo->cursor].seq;
	vo_free_list(vo);
	vo->l = l;
	vo->desc = xcalloc(l.n + 1, sizeof *vo->desc);
	vo->news = xcalloc(l.n + 1, sizeof *vo->news);
	vo->cursor = 0;
	for (i = 0; seq != -1 && i < l.n; i++) {
		vo->cursor = i;
		if (l.v[i].seq >= seq)
			break;
	}
	vo_scroll(vo);
	return (0);
}

/* Open on the entries not yet applied. */
static int
vo_open(struct view *v, const void *arg, char **cause)
{
	struct vo	*vo;

	(void)arg;
	vo = xcalloc(1, sizeof *vo);
	v->data = vo;
	if (vo_load(v, cause) != 0) {
		free(vo);
		return (-1);
	}
	return (0);
}

/* Free the view's state. */
static void
vo_close(struct view *v)
{
	struct vo	*vo = v->data;

	vo_free_list(vo);
	free(vo);
}

/* The replica changed: read the entries again. */
static void
vo_reload(struct view *v)
{
	char	*cause = NULL;

	if (vo_load(v, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
	}
}

/* An entry's description, built once. */
static const char *
vo_desc(struct view *v, size_t i)
{
	struct vo	*vo = v->data;

	if (vo->desc[i] == NULL)
		vo->desc[i] = replica_outbox_describe(v->tui->r, &vo->l.v[i],
		    v->tui->ascii ? OUTBOX_TEXT_ASCII : 0);
	return (vo->desc[i]);
}

/* Which columns this width has room for. */
static void
vo_layout(int *type_w, int *age_w)
{
	*type_w = COLS >= 64 ? VO_TYPE_W : 0;
	*age_w = COLS >= 48 ? VO_AGE_W : 0;
}

/*
 * A conflict entry's news: the newest message from the customer on its
 * ticket, on one line (drawn through the sanitiser like all text).
 */
static const char *
vo_news(struct view *v, size_t i)
{
	struct vo		*vo = v->data;
	const struct outbox_entry *e = &vo->l.v[i];
	struct ticket_detail	*d;
	char			*cause = NULL;
	size_t			 k;

	if (vo->news[i] != NULL)
		return (vo->news[i]);
	if (e->ticket_id != NULL && replica_ticket_get(v->tui->r, 0,
	    e->ticket_id, &d, &cause) == 0) {
		for (k = d->nmessages; k-- > 0;) {
			if (strcmp(d->messages[k].author, "customer") == 0 &&
			    !d->messages[k].internal) {
				vo->news[i] = xstrdup(d->messages[k].body);
				break;
			}
		}
		ticket_detail_free(d);
	}
	free(cause);
	if (vo->news[i] == NULL)
		vo->news[i] = xstrdup("");
	return (vo->news[i]);
}

/* Draw entry i at row y. */
static void
vo_draw_entry(struct view *v, int y, size_t i, int64_t now)
{
	struct vo		*vo = v->data;
	struct tui		*t = v->tui;
	const struct outbox_entry *e = &vo->l.v[i];
	int			 cur = i == vo->cursor, x, type_w, age_w;
	enum tui_elem		 base = cur ? EL_CURSOR : EL_NORMAL, st;
	char			 cell[64];
	const char		*glyph, *name, *fmt;

	vo_layout(&type_w, &age_w);
	draw_fill(y, 0, COLS, base);
	snprintf(cell, sizeof cell, "%*lld", VO_SEQ_W, (long long)e->seq);
	x = 1 + draw_text(y, 1, cell, VO_SEQ_W, base) + 1;
	switch (e->state) {
	case OUTBOX_PENDING:
		glyph = draw_glyph(t, "↑", "^");
		name = outbox_state_label(e->state);
		st = EL_PENDING;
		break;
	case OUTBOX_CONFLICT:
		glyph = draw_glyph(t, "≠", "~");
		name = outbox_state_label(e->state);
		st = EL_REJECTED;
		break;
	default:
		glyph = "!";
		name = outbox_state_label(e->state);
		st = EL_REJECTED;
		break;
	}
	snprintf(cell, sizeof cell, "%s %s", glyph, name);
	draw_text(y, x, cell, VO_STATE_W, cur ? EL_CURSOR : st);
	x += VO_STATE_W + 1;
	if (type_w > 0) {
		draw_text(y, x, outbox_type_label(e->type), type_w, cur ?
		    EL_CURSOR : EL_LABEL);
		x += type_w + 1;
	}
	draw_text(y, x, outbox_ticket_label(e, cell, sizeof cell),
	    VO_TICKET_W, base);
	x += VO_TICKET_W + 1;
	if (age_w > 0) {
		time_format_relative(now - e->created_at, cell, sizeof cell);
		draw_text(y, x, cell, age_w, cur ? EL_CURSOR : EL_DIM);
		x += age_w + 1;
	}
	if (x < COLS)
		draw_text(y, x, vo_desc(v, i), COLS - x - 1, base);
	if (vo_rows(e) < 2)
		return;
	draw_fill(y + 1, 0, COLS, base);
	fmt = e->state == OUTBOX_CONFLICT ? _("conflict: ") :
	    _("rejected: ");
	x = 1 + VO_SEQ_W + 1;
	x += draw_text(y + 1, x, fmt, COLS - x, cur ? EL_CURSOR : EL_ERROR);
	draw_text(y + 1, x, e->reason, COLS - x - 1, cur ? EL_CURSOR :
	    EL_ERROR);
	if (vo_rows(e) < 3)
		return;
	/* What the customer wrote that the reply has not seen. */
	draw_fill(y + 2, 0, COLS, base);
	x = 1 + VO_SEQ_W + 1;
	x += draw_text(y + 2, x, _("the customer: "), COLS - x, cur ?
	    EL_CURSOR : EL_LABEL);
	draw_text(y + 2, x, vo_news(v, i), COLS - x - 1, base);
}

/* The column header, with the keys on the right when they fit. */
static void
vo_draw_header(struct view *v, int y)
{
	struct tui	*t = v->tui;
	char		*hint;
	int		 x, type_w, age_w, w;

	vo_layout(&type_w, &age_w);
	draw_fill(y, 0, COLS, EL_HEADER);
	x = 1 + VO_SEQ_W - draw_width(_("Seq"));
	draw_text(y, x > 0 ? x : 0, _("Seq"), VO_SEQ_W, EL_HEADER);
	x = 1 + VO_SEQ_W + 1;
	draw_text(y, x, _("State"), VO_STATE_W, EL_HEADER);
	x += VO_STATE_W + 1;
	if (type_w > 0) {
		draw_text(y, x, _("Type"), type_w, EL_HEADER);
		x += type_w + 1;
	}
	draw_text(y, x, _("Ticket"), VO_TICKET_W, EL_HEADER);
	x += VO_TICKET_W + 1;
	if (age_w > 0) {
		draw_text(y, x, _("Age"), age_w, EL_HEADER);
		x += age_w + 1;
	}
	x += draw_text(y, x, _("Change"), COLS - x, EL_HEADER);
	hint = xprintf(_("R retry %s e edit %s d discard"), draw_glyph(t, "·",
	    "|"), draw_glyph(t, "·", "|"));
	w = draw_width(hint);
	if (COLS - w - 1 > x + 2)
		draw_text(y, COLS - w - 1, hint, w, EL_DIM);
	free(hint);
}

/* Title, column header, then as many entries as fit. */
static void
vo_draw(struct view *v)
{
	struct vo	*vo = v->data;
	struct tui	*t = v->tui;
	char		*title;
	int		 y, rows, bottom;
	size_t		 i;
	int64_t		 now = time_now_ms();

	title = xprintf("triage %s %s", draw_glyph(t, "—", "-"), _("outbox"));
	draw_title(t, title);
	free(title);
	vo_draw_header(v, TUI_VIEW_TOP);
	vo_scroll(vo);
	bottom = TUI_VIEW_TOP + TUI_VIEW_ROWS;
	y = TUI_VIEW_TOP + 1;
	if (vo->l.n == 0) {
		draw_text(y + 1, 2, _("No changes are waiting for the server."),
		    COLS - 4, EL_DIM);
		return;
	}
	for (i = vo->top; i < vo->l.n; i++) {
		rows = vo_rows(&vo->l.v[i]);
		if (y + rows > bottom)
			break;
		vo_draw_entry(v, y, i, now);
		y += rows;
	}
}

/* R: make a rejected or conflict entry pending again. */
static void
vo_retry(struct view *v)
{
	struct vo		*vo = v->data;
	struct tui		*t = v->tui;
	enum outbox_state	 was;
	int64_t			 seq, nseq = 0;
	char			*cause = NULL;

	if (vo->cursor >= vo->l.n)
		return;
	seq = vo->l.v[vo->cursor].seq;
	was = vo->l.v[vo->cursor].state;
	if (replica_outbox_retry(t->r, seq, &nseq, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return;
	}
	if (was == OUTBOX_PENDING) {
		tui_notice(t, _("change %lld is pending: sync will send it"),
		    (long long)seq);
		return;
	}
	tui_data_changed(t);		/* reloads this view too */
	tui_notice(t, _("change %lld will be sent again as %lld%s"),
	    (long long)seq, (long long)nseq, was == OUTBOX_CONFLICT ?
	    _(", even though the customer wrote again") : "");
}

/* d: after asking, undo an entry's local change and discard it. */
static void
vo_discard(struct view *v)
{
	struct vo			*vo = v->data;
	struct tui			*t = v->tui;
	const struct outbox_entry	*e;
	char				*q, *cause = NULL, num[32];
	int64_t				 seq;

	if (vo->cursor >= vo->l.n)
		return;
	e = &vo->l.v[vo->cursor];
	seq = e->seq;
	if (e->ticket_number > 0)
		snprintf(num, sizeof num, "#%lld", (long long)e->ticket_number);
	else
		snprintf(num, sizeof num, "%s", _("a new ticket"));
	/* The question first: a long description is cut, not the y/n. */
	if (strcmp(e->type, "reply") == 0 || strcmp(e->type, "note") == 0)
		q = xprintf(_("Discard change %lld: delete the unsent %s on "
		    "%s? (y/n)  %s"), (long long)seq, outbox_type_label(e->type),
		    num, vo_desc(v, vo->cursor));
	else
		q = xprintf(_("Discard change %lld: undo it on %s? (y/n)  %s"),
		    (long long)seq, num, vo_desc(v, vo->cursor));
	if (!prompt_confirm(t, q)) {
		free(q);
		tui_notice(t, "%s", _("nothing discarded"));
		return;
	}
	free(q);
	if (replica_outbox_discard(t->r, seq, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return;
	}
	tui_data_changed(t);		/* reloads this view too */
	tui_notice(t, _("change %lld discarded and undone here"),
	    (long long)seq);
}

/*
 * e: a refused or conflicting reply or note back into the composer. Its
 * text becomes the ticket's draft and the entry is discarded; the
 * composer then shows what the customer wrote since, and sending queues
 * a new reply that has seen it.
 */
static void
vo_edit(struct view *v)
{
	struct vo			*vo = v->data;
	struct tui			*t = v->tui;
	const struct outbox_entry	*e;
	struct view_compose_arg		 ca;
	json_t				*p;
	char				*cause = NULL, id[UUID_STRLEN + 1];
	char				 commit[41] = "";
	const char			*body, *mc;
	int				 internal;

	if (vo->cursor >= vo->l.n)
		return;
	e = &vo->l.v[vo->cursor];
	internal = strcmp(e->type, "note") == 0;
	if ((!internal && strcmp(e->type, "reply") != 0) ||
	    (e->state != OUTBOX_CONFLICT && e->state != OUTBOX_REJECTED) ||
	    e->ticket_id == NULL) {
		tui_notice(t, "%s", _("only a refused or conflicting reply or "
		    "note can be edited"));
		return;
	}
	p = json_loads(e->payload, 0, NULL);
	body = json_string_value(json_object_get(p, "body"));
	snprintf(id, sizeof id, "%s", e->ticket_id);
	if ((mc = json_string_value(json_object_get(p, "macro_commit"))) !=
	    NULL)
		snprintf(commit, sizeof commit, "%s", mc);
	if (body == NULL || replica_draft_save(t->r, id, internal ? "note" :
	    "reply", body, *commit != '\0' ? commit : NULL, &cause) != 0 ||
	    replica_outbox_discard(t->r, e->seq, &cause) != 0) {
		tui_error(t, "%s", cause != NULL ? cause :
		    _("the change has no text"));
		free(cause);
		json_decref(p);
		return;
	}
	json_decref(p);
	tui_data_changed(t);
	memset(&ca, 0, sizeof ca);
	ca.ticket_id = id;
	ca.internal = internal;
	ca.macro_commit = *commit != '\0' ? commit : NULL;
	tui_push(t, &view_compose_ops, &ca);
}

/* Enter: the entry's ticket, at the message for a reply or note. */
static void
vo_open_ticket(struct view *v)
{
	struct vo		*vo = v->data;
	const struct outbox_entry *e;
	struct view_ticket_arg	 ta;

	if (vo->cursor >= vo->l.n)
		return;
	e = &vo->l.v[vo->cursor];
	if (e->ticket_id == NULL) {
		tui_error(v->tui, "%s", _("this change names no ticket"));
		return;
	}
	memset(&ta, 0, sizeof ta);
	ta.ticket_id = e->ticket_id;
	if (strcmp(e->type, "reply") == 0 || strcmp(e->type, "note") == 0)
		ta.message_id = e->entity_id;
	tui_push(v->tui, &view_ticket_ops, &ta);
}

/* Keys: movement, Enter for the ticket, R retry, d discard. */
static int
vo_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vo	*vo = v->data;
	size_t		 page = vo_page(vo);

	(void)key;
	(void)code;
	switch (act) {
	case ACT_OPEN:
		vo_open_ticket(v);
		return (VIEW_HANDLED | VIEW_REDRAW);
	case ACT_RETRY:
		vo_retry(v);
		break;
	case ACT_DISCARD:
		vo_discard(v);
		break;
	case ACT_EDIT:
		vo_edit(v);
		return (VIEW_HANDLED | VIEW_REDRAW);
	default:
		if (!tui_list_move(act, &vo->cursor, vo->l.n, page))
			return (VIEW_UNHANDLED);
		break;
	}
	vo_scroll(vo);
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/* "entry/entries" for the status bar. */
static void
vo_position(struct view *v, char *out, size_t len)
{
	struct vo	*vo = v->data;

	snprintf(out, len, "%zu/%zu", vo->l.n > 0 ? vo->cursor + 1 : 0,
	    vo->l.n);
}

const struct view_ops view_outbox_ops = {
	.name = "outbox",
	.ctx = CTX_OUTBOX,
	.open = vo_open,
	.draw = vo_draw,
	.key = vo_key,
	.reload = vo_reload,
	.close = vo_close,
	.result = NULL,
	.position = vo_position,
};
