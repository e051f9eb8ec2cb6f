/* view-queue.c: the queue: a keyset window onto a saved view, marks and bulk actions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

#define VQ_COUNT_TAG	(TAG_VIEW | 1)
#define VQ_POS_TAG	(TAG_VIEW | 3)

/* Queue columns: the config's [queue] columns picks and orders them. */
enum vq_col {
	COL_NUMBER,
	COL_PRIORITY,
	COL_STATUS,
	COL_SLA,
	COL_SUBJECT,
	COL_CUSTOMER,
	COL_ASSIGNEE,
	COL_UPDATED,
	COL_COUNT
};

static const struct {
	const char	*name;
	const char	*header;
	int		 width;		/* 0: takes what is left */
	int		 drop;		/* dropped first when narrow: higher */
} vq_cols[COL_COUNT] = {
	{ "number", N_("#"), 7, 0 },
	{ "priority", N_("Prio"), 6, 2 },
	{ "status", N_("Status"), 7, 3 },
	{ "sla", N_("SLA"), 8, 1 },
	{ "subject", N_("Subject"), 0, 0 },
	{ "customer", N_("Customer"), 16, 4 },
	{ "assignee", N_("Assignee"), 14, 5 },
	{ "updated", N_("Upd"), 4, 1 },
};

struct vq {
	struct queue		*q;
	enum queue_sort		 sort;
	char			*limit;		/* terms added with 'l' */
	char			*query;		/* view query and limit */
	struct ticket_list	 rows;		/* rows[0] is on the top line */
	size_t			 cursor;
	int			 height;	/* rows when last loaded */
	int64_t			 total;		/* -1 until counted */
	char			**marks;	/* marked ticket ids */
	size_t			 nmarks;
	enum vq_col		 cols[COL_COUNT];
	size_t			 ncols;
	int64_t			 top_pos;	/* rows above rows[0]; -1 */
};

/* Ticket rows on screen: the view minus the column header line. */
static int
vq_height(void)
{
	int	 h = TUI_VIEW_ROWS - 1;

	return (h > 0 ? h : 1);
}

/* The columns from the config, or all of them. */
static void
vq_columns(struct vq *vq, struct tui *t)
{
	const char	*cfg;
	char		*copy, *w, *save = NULL;
	size_t		 i;

	vq->ncols = 0;
	cfg = config_get(t->cfg, "queue", "columns");
	if (cfg == NULL) {
		for (i = 0; i < COL_COUNT; i++)
			vq->cols[vq->ncols++] = (enum vq_col)i;
		return;
	}
	copy = xstrdup(cfg);
	for (w = strtok_r(copy, " ,", &save); w != NULL;
	    w = strtok_r(NULL, " ,", &save)) {
		for (i = 0; i < COL_COUNT; i++)
			if (strcmp(vq_cols[i].name, w) == 0)
				break;
		if (i == COL_COUNT)
			tui_error(t, _("config: [queue] columns: unknown column "
			    "\"%s\""), w);
		else if (vq->ncols < COL_COUNT)
			vq->cols[vq->ncols++] = (enum vq_col)i;
	}
	free(copy);
	if (vq->ncols == 0)
		for (i = 0; i < COL_COUNT; i++)
			vq->cols[vq->ncols++] = (enum vq_col)i;
}

static int
vq_marked(struct vq *vq, const char *id)
{
	size_t	 i;

	for (i = 0; i < vq->nmarks; i++)
		if (strcmp(vq->marks[i], id) == 0)
			return (1);
	return (0);
}

static void
vq_mark_toggle(struct vq *vq, const char *id)
{
	size_t	 i;

	for (i = 0; i < vq->nmarks; i++) {
		if (strcmp(vq->marks[i], id) == 0) {
			free(vq->marks[i]);
			vq->marks[i] = vq->marks[--vq->nmarks];
			return;
		}
	}
	vq->marks = xreallocarray(vq->marks, vq->nmarks + 1,
	    sizeof *vq->marks);
	vq->marks[vq->nmarks++] = xstrdup(id);
}

static void
vq_marks_clear(struct vq *vq)
{
	size_t	 i;

	for (i = 0; i < vq->nmarks; i++)
		free(vq->marks[i]);
	free(vq->marks);
	vq->marks = NULL;
	vq->nmarks = 0;
}

/*
 * The window's place is not known (it was read again from the middle, or
 * rows appeared above it): ask the worker to count the rows before its top
 * row; until the answer comes, the status bar shows "?".
 */
static void
vq_locate(struct view *v)
{
	struct vq	*vq = v->data;

	vq->top_pos = -1;
	if (vq->rows.n > 0)
		worker_position(v->tui->worker, VQ_POS_TAG, vq->query,
		    vq->sort, &vq->rows.v[0]);
}

/*
 * Load a screenful: from `from` (inclusive) downward, or with from NULL
 * from the top; if that leaves the screen short, fill it from the bottom.
 */
static int
vq_load(struct view *v, const struct ticket *from, int bottom)
{
	struct vq		*vq = v->data;
	struct ticket_list	 l;
	char			*cause = NULL;
	int			 h = vq_height(), rc;

	if (bottom)
		rc = replica_queue_fetch(vq->q, NULL, QUEUE_BACKWARD,
		    (size_t)h, &l, &cause);
	else
		rc = replica_queue_fetch(vq->q, from, from != NULL ?
		    QUEUE_INCLUSIVE : 0, (size_t)h, &l, &cause);
	if (rc == 0 && !bottom && from != NULL && l.n < (size_t)h) {
		ticket_list_free(&l);
		rc = replica_queue_fetch(vq->q, NULL, QUEUE_BACKWARD,
		    (size_t)h, &l, &cause);
	}
	if (rc != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return (-1);
	}
	ticket_list_free(&vq->rows);
	vq->rows = l;
	vq->height = h;
	if (from == NULL && !bottom)
		vq->top_pos = 0;
	else if ((bottom || l.n < (size_t)h) && vq->total >= 0)
		vq->top_pos = vq->total - (int64_t)l.n;
	else
		vq_locate(v);
	return (0);
}

/* Copy just the sort keys of a ticket (what keyset paging compares). */
static void
vq_keys_of(struct ticket *dst, const struct ticket *src)
{
	memset(dst, 0, sizeof *dst);
	memcpy(dst->id, src->id, sizeof dst->id);
	dst->number = src->number;
	dst->priority = src->priority;
	dst->updated_at = src->updated_at;
	dst->sla_due = src->sla_due;
}

/* Reload around the same rows, keeping the cursor on its ticket. */
static void
vq_reload(struct view *v)
{
	struct vq	*vq = v->data;
	struct ticket	 top, cur;
	size_t		 i;
	int		 had = vq->rows.n > 0;

	if (had) {
		vq_keys_of(&top, &vq->rows.v[0]);
		vq_keys_of(&cur, &vq->rows.v[vq->cursor]);
	}
	/* At the start of the list, stay there: rows that arrive above the
	 * old first row (a pull, a change) must show. */
	if (vq_load(v, had && vq->top_pos != 0 ? &top : NULL, 0) != 0)
		return;
	vq->cursor = 0;
	for (i = 0; had && i < vq->rows.n; i++)
		if (strcmp(vq->rows.v[i].id, cur.id) == 0)
			vq->cursor = i;
}

/* (Re)open the queue for the current saved view, sort and limit. */
static int
vq_open_query(struct view *v, char **cause)
{
	struct vq		*vq = v->data;
	struct tui		*t = v->tui;
	struct query_error	 err;
	struct queue		*q;
	const char		*base = "";

	if (t->current_view < t->views.n)
		base = t->views.v[t->current_view].query;
	free(vq->query);
	vq->query = xprintf("%s %s", base, vq->limit != NULL ? vq->limit : "");
	if (replica_queue_open(t->r, vq->query, vq->sort, &q, &err) != 0) {
		*cause = err.message != NULL ? err.message :
		    xstrdup(_("bad query"));
		return (-1);
	}
	replica_queue_close(vq->q);
	vq->q = q;
	ticket_list_free(&vq->rows);
	vq->cursor = 0;
	vq->total = -1;
	if (vq_load(v, NULL, 0) != 0)
		return (-1);
	/* Counting all rows comes after the screenful, not beside it. */
	worker_count(t->worker, VQ_COUNT_TAG, vq->query);
	return (0);
}

/* Switch to saved view n: its query and sort, no limit. */
static void
vq_switch(struct view *v, size_t n)
{
	struct vq	*vq = v->data;
	struct tui	*t = v->tui;
	char		*cause = NULL;

	if (n >= t->views.n) {
		tui_error(t, _("no saved view %zu"), n + 1);
		return;
	}
	t->current_view = n;
	vq->sort = t->views.v[n].sort;
	free(vq->limit);
	vq->limit = NULL;
	if (vq_open_query(v, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
	}
}

static int
vq_open(struct view *v, const void *arg, char **cause)
{
	struct vq	*vq;
	struct tui	*t = v->tui;

	(void)arg;
	vq = xcalloc(1, sizeof *vq);
	v->data = vq;
	vq->total = -1;
	vq->sort = t->current_view < t->views.n ?
	    t->views.v[t->current_view].sort : QUEUE_SORT_SLA;
	vq_columns(vq, t);
	if (vq_open_query(v, cause) != 0) {
		replica_queue_close(vq->q);
		free(vq->query);
		free(vq);
		return (-1);
	}
	return (0);
}

static void
vq_close(struct view *v)
{
	struct vq	*vq = v->data;

	ticket_list_free(&vq->rows);
	replica_queue_close(vq->q);
	vq_marks_clear(vq);
	free(vq->limit);
	free(vq->query);
	free(vq);
}

/*
 * A column's width: its default, or wider where the language's header or
 * labels need it ("angehalten", "niedrig"), so none is cut.
 */
static int
vq_col_width(size_t c)
{
	const char	*(*label)(int) = NULL;
	int		 w = vq_cols[c].width, n = 0, i, lw;

	if (w == 0)
		return (0);
	if (c == COL_PRIORITY) {
		label = ticket_priority_label;
		n = TICKET_PRIORITY_COUNT;
	} else if (c == COL_STATUS) {
		label = ticket_status_label;
		n = TICKET_STATUS_COUNT;
	}
	for (i = -1; i < n; i++) {
		lw = i < 0 ? sanitize_width_str(_(vq_cols[c].header),
		    strlen(_(vq_cols[c].header))) :
		    sanitize_width_str(label(i), strlen(label(i)));
		if (lw > w && lw <= 12)
			w = lw;
	}
	return (w);
}

/* Column widths for this terminal; dropped columns get 0. */
static void
vq_layout(struct vq *vq, int widths[COL_COUNT])
{
	int	 used, level;
	size_t	 i;

	for (level = 6; level >= 0; level--) {
		used = 0;
		for (i = 0; i < COL_COUNT; i++)
			widths[i] = 0;
		for (i = 0; i < vq->ncols; i++) {
			if (vq_cols[vq->cols[i]].drop > level)
				continue;
			widths[vq->cols[i]] = vq_col_width(vq->cols[i]);
			used += widths[vq->cols[i]] + 1;
		}
		used += 2;	/* mark and pending markers */
		if (COLS - used >= 24 || level == 0)
			break;
	}
	widths[COL_SUBJECT] = COLS - used > 8 ? COLS - used : 8;
	/* Wide terminals give the subject most, the names some. */
	if (widths[COL_SUBJECT] > 70 && widths[COL_CUSTOMER] > 0) {
		widths[COL_CUSTOMER] += (widths[COL_SUBJECT] - 70) / 4;
		widths[COL_SUBJECT] -= (widths[COL_SUBJECT] - 70) / 4;
	}
}

static enum tui_elem
vq_prio_elem(int p)
{
	static const enum tui_elem e[] = {
		EL_PRIO_LOW, EL_PRIO_NORMAL, EL_PRIO_HIGH, EL_PRIO_URGENT
	};

	return (p >= 0 && p < 4 ? e[p] : EL_NORMAL);
}

/* The SLA cell: countdown, BREACHED, or '-' when no clock runs. */
static enum tui_elem
vq_sla(const struct ticket *tk, int64_t now, char *out, size_t len)
{
	if (tk->sla_due == REPLICA_NO_DUE) {
		snprintf(out, len, "-");
		return (EL_DIM);
	}
	if (tk->sla_due <= now) {
		snprintf(out, len, "%s", _("BREACHED"));
		return (EL_SLA_BREACHED);
	}
	time_format_countdown(tk->sla_due - now, out, len);
	return (tk->sla_due - now < 2 * 3600 * 1000 ? EL_SLA_SOON : EL_SLA_OK);
}

/* Draw one ticket row at screen line y. */
static void
vq_draw_row(struct view *v, int y, const struct ticket *tk, int cursor,
    const int w[COL_COUNT], int64_t now)
{
	struct vq	*vq = v->data;
	struct tui	*t = v->tui;
	char		 cell[64];
	enum tui_elem	 e;
	size_t		 i;
	int		 x = 0;

	draw_fill(y, 0, COLS, cursor ? EL_CURSOR : EL_NORMAL);
	x += draw_text(y, x, vq_marked(vq, tk->id) ? "*" : " ", 1,
	    cursor ? EL_CURSOR : EL_MARKED);
	x += draw_text(y, x, tk->rejected ? "!" : tk->pending ?
	    draw_glyph(t, "↑", "^") : " ", 1, cursor ? EL_CURSOR :
	    tk->rejected ? EL_REJECTED : EL_PENDING);
	for (i = 0; i < vq->ncols; i++) {
		enum vq_col	 c = vq->cols[i];

		if (w[c] == 0)
			continue;
		e = EL_NORMAL;
		switch (c) {
		case COL_NUMBER:
			if (tk->number != 0)
				snprintf(cell, sizeof cell, "%7lld",
				    (long long)tk->number);
			else
				snprintf(cell, sizeof cell, "%7s", _("new"));
			draw_text(y, x, cell, w[c], cursor ? EL_CURSOR :
			    EL_NORMAL);
			break;
		case COL_PRIORITY:
			draw_text(y, x, ticket_priority_label(tk->priority),
			    w[c], cursor ? EL_CURSOR :
			    vq_prio_elem(tk->priority));
			break;
		case COL_STATUS:
			draw_text(y, x, ticket_status_label(tk->status), w[c],
			    cursor ? EL_CURSOR : EL_NORMAL);
			break;
		case COL_SLA:
			e = vq_sla(tk, now, cell, sizeof cell);
			draw_text(y, x, cell, w[c], cursor ? EL_CURSOR : e);
			break;
		case COL_SUBJECT:
			draw_text(y, x, tk->subject, w[c], cursor ? EL_CURSOR :
			    EL_NORMAL);
			break;
		case COL_CUSTOMER:
			draw_text(y, x, tk->customer, w[c], cursor ?
			    EL_CURSOR : EL_NORMAL);
			break;
		case COL_ASSIGNEE:
			draw_text(y, x, tk->assignee != NULL ? tk->assignee :
			    "-", w[c], cursor ? EL_CURSOR : tk->assignee ?
			    EL_NORMAL : EL_DIM);
			break;
		case COL_UPDATED:
			time_format_relative(now - tk->updated_at, cell,
			    sizeof cell);
			draw_text(y, x, cell, w[c], cursor ? EL_CURSOR :
			    EL_DIM);
			break;
		default:
			break;
		}
		x += w[c] + 1;
	}
}

static void
vq_draw(struct view *v)
{
	struct vq	*vq = v->data;
	struct tui	*t = v->tui;
	char		 title[256];
	int		 w[COL_COUNT], x, y;
	size_t		 i;
	int64_t		 now = time_now_ms();

	if (vq->height != vq_height())
		vq_reload(v);
	snprintf(title, sizeof title, "triage %s %s%s", draw_glyph(t, "—", "-"),
	    queue_sort_label(vq->sort), vq->limit != NULL ? _(", limited") :
	    "");
	draw_title(t, title);
	vq_layout(vq, w);
	draw_fill(TUI_VIEW_TOP, 0, COLS, EL_HEADER);
	x = 2;
	for (i = 0; i < vq->ncols; i++) {
		if (w[vq->cols[i]] == 0)
			continue;
		draw_text(TUI_VIEW_TOP, x, _(vq_cols[vq->cols[i]].header),
		    w[vq->cols[i]], EL_HEADER);
		x += w[vq->cols[i]] + 1;
	}
	for (i = 0, y = TUI_VIEW_TOP + 1; i < vq->rows.n &&
	    y < TUI_VIEW_TOP + TUI_VIEW_ROWS; i++, y++)
		vq_draw_row(v, y, &vq->rows.v[i], i == vq->cursor, w, now);
	if (vq->rows.n == 0)
		draw_text(TUI_VIEW_TOP + 2, 2, vq->limit != NULL ?
		    _("No tickets match this limit.") :
		    _("No tickets in this view."), COLS - 2, EL_DIM);
}

/* Move down one row, scrolling the window by one at the bottom. */
static void
vq_down(struct view *v)
{
	struct vq		*vq = v->data;
	struct ticket_list	 l;
	char			*cause = NULL;

	if (vq->cursor + 1 < vq->rows.n) {
		vq->cursor++;
		return;
	}
	if (vq->rows.n == 0)
		return;
	if (replica_queue_fetch(vq->q, &vq->rows.v[vq->rows.n - 1], 0, 1, &l,
	    &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	if (l.n == 1 && vq->rows.n >= (size_t)vq_height()) {
		ticket_clear(&vq->rows.v[0]);
		memmove(&vq->rows.v[0], &vq->rows.v[1],
		    (vq->rows.n - 1) * sizeof *vq->rows.v);
		vq->rows.v[vq->rows.n - 1] = l.v[0];
		free(l.v);
		if (vq->top_pos >= 0)
			vq->top_pos++;
	} else if (l.n == 1) {
		vq->rows.v = xreallocarray(vq->rows.v, vq->rows.n + 1,
		    sizeof *vq->rows.v);
		vq->rows.v[vq->rows.n++] = l.v[0];
		vq->cursor++;
		free(l.v);
	} else
		ticket_list_free(&l);
}

/* Move up one row, scrolling the window by one at the top. */
static void
vq_up(struct view *v)
{
	struct vq		*vq = v->data;
	struct ticket_list	 l;
	char			*cause = NULL;

	if (vq->cursor > 0) {
		vq->cursor--;
		return;
	}
	if (vq->rows.n == 0)
		return;
	if (replica_queue_fetch(vq->q, &vq->rows.v[0], QUEUE_BACKWARD, 1, &l,
	    &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	if (l.n == 1) {
		if (vq->rows.n >= (size_t)vq_height())
			ticket_clear(&vq->rows.v[--vq->rows.n]);
		else
			vq->rows.v = xreallocarray(vq->rows.v, vq->rows.n + 1,
			    sizeof *vq->rows.v);
		memmove(&vq->rows.v[1], &vq->rows.v[0],
		    vq->rows.n * sizeof *vq->rows.v);
		vq->rows.v[0] = l.v[0];
		vq->rows.n++;
		free(l.v);
		if (vq->top_pos > 0)
			vq->top_pos--;
		else
			vq_locate(v);	/* a row above "the top": recount */
	} else
		ticket_list_free(&l);
}

/* Page down: the row after the last on screen goes to the top. */
static void
vq_page(struct view *v, int down)
{
	struct vq		*vq = v->data;
	struct ticket_list	 l;
	char			*cause = NULL;
	size_t			 h = (size_t)vq_height();

	if (vq->rows.n == 0)
		return;
	if (replica_queue_fetch(vq->q, down ? &vq->rows.v[vq->rows.n - 1] :
	    &vq->rows.v[0], down ? 0 : QUEUE_BACKWARD, h, &l, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	if (l.n == 0) {
		vq->cursor = down ? vq->rows.n - 1 : 0;
		free(l.v);
		return;
	}
	if (l.n < h) {
		ticket_list_free(&l);
		vq_load(v, NULL, down);
		vq->cursor = down ? vq->rows.n - 1 : 0;
		return;
	}
	if (vq->top_pos >= 0)
		vq->top_pos += down ? (int64_t)vq->rows.n : -(int64_t)l.n;
	ticket_list_free(&vq->rows);
	vq->rows = l;
	if (vq->cursor >= vq->rows.n)
		vq->cursor = vq->rows.n - 1;
}

/* Check a limit as it is typed: errors point at the token. */
static int
vq_check_limit(void *arg, const char *text, int *col, int *len, char **msg)
{
	struct query		*q;
	struct query_error	 err;

	(void)arg;
	if (query_parse(text, &q, &err) != 0) {
		*col = err.column;
		*len = err.length;
		*msg = err.message;
		return (-1);
	}
	query_free(q);
	return (0);
}

/* The ids of the marked tickets, or of the cursor's when none are marked. */
static const char **
vq_targets(struct vq *vq, size_t *n)
{
	const char	**ids;
	size_t		  i;

	if (vq->nmarks > 0) {
		ids = xcalloc(vq->nmarks, sizeof *ids);
		for (i = 0; i < vq->nmarks; i++)
			ids[i] = vq->marks[i];
		*n = vq->nmarks;
		return (ids);
	}
	*n = 0;
	return (NULL);
}

/* ';': choose an action for every marked ticket. */
static void
vq_bulk(struct view *v)
{
	static const char *const choices[] = {
		N_("status"), N_("priority"), N_("assignee"), N_("tags"),
		N_("team"), N_("category")
	};
	static const enum tui_action acts[] = {
		ACT_STATUS, ACT_PRIORITY, ACT_ASSIGN, ACT_TAGS, ACT_TEAM,
		ACT_CATEGORY
	};
	const char	*labels[nitems(choices)];
	struct vq	*vq = v->data;
	const char	**ids;
	size_t		 n, i;
	int		 idx;
	char		*q;

	if ((ids = vq_targets(vq, &n)) == NULL) {
		tui_error(v->tui, "%s", _("no marked tickets (t marks one)"));
		return;
	}
	for (i = 0; i < nitems(choices); i++)
		labels[i] = _(choices[i]);
	q = xprintf(_("%zu marked:"), n);
	if (prompt_choose(v->tui, q, labels, nitems(labels), &idx) ==
	    PROMPT_OK && action_run(v->tui, acts[idx], ids, n) > 0)
		vq_marks_clear(vq);
	free(q);
	free(ids);
}

/*
 * The mouse ([ui] mouse = yes): a click selects a row, a double click opens
 * it, the wheel scrolls.
 */
static int
vq_mouse(struct view *v)
{
	struct vq		*vq = v->data;
	struct view_ticket_arg	 ta;
	MEVENT			 me;
	int			 row;

	if (getmouse(&me) != OK)
		return (VIEW_HANDLED);
	if (me.bstate & BUTTON4_PRESSED)
		vq_up(v);
	else if (me.bstate & BUTTON5_PRESSED)
		vq_down(v);
	else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) {
		row = me.y - (TUI_VIEW_TOP + 1);
		if (row < 0 || (size_t)row >= vq->rows.n)
			return (VIEW_HANDLED);
		vq->cursor = (size_t)row;
		if (me.bstate & BUTTON1_DOUBLE_CLICKED) {
			memset(&ta, 0, sizeof ta);
			ta.ticket_id = vq->rows.v[vq->cursor].id;
			tui_push(v->tui, &view_ticket_ops, &ta);
		}
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

static int
vq_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vq		*vq = v->data;
	struct tui		*t = v->tui;
	struct view_ticket_arg	 ta;
	char			*s = NULL, *cause = NULL, id[UUID_STRLEN + 1];
	int64_t			 num;
	struct prompt_hooks	 hooks = { vq_check_limit, NULL };

	if (code && key == KEY_MOUSE)
		return (vq_mouse(v));
	switch (act) {
	case ACT_DOWN:
		vq_down(v);
		break;
	case ACT_UP:
		vq_up(v);
		break;
	case ACT_PAGE_DOWN:
		vq_page(v, 1);
		break;
	case ACT_PAGE_UP:
		vq_page(v, 0);
		break;
	case ACT_TOP:
		vq_load(v, NULL, 0);
		vq->cursor = 0;
		break;
	case ACT_BOTTOM:
		vq_load(v, NULL, 1);
		vq->cursor = vq->rows.n > 0 ? vq->rows.n - 1 : 0;
		break;
	case ACT_OPEN:
		if (vq->rows.n == 0)
			break;
		memset(&ta, 0, sizeof ta);
		ta.ticket_id = vq->rows.v[vq->cursor].id;
		tui_push(t, &view_ticket_ops, &ta);
		break;
	case ACT_LIMIT:
		if (prompt_read(t, _("limit: "), vq->limit != NULL ?
		    vq->limit : "", &hooks, &s) != PROMPT_OK)
			break;
		free(vq->limit);
		vq->limit = *s != '\0' ? s : NULL;
		if (vq->limit == NULL)
			free(s);
		if (vq_open_query(v, &cause) != 0) {
			tui_error(t, "%s", cause);
			free(cause);
		}
		break;
	case ACT_SORT:
		vq->sort = (enum queue_sort)((vq->sort + 1) % QUEUE_SORT_COUNT);
		if (vq_open_query(v, &cause) != 0) {
			tui_error(t, "%s", cause);
			free(cause);
		} else
			tui_notice(t, _("sorted by %s"),
			    queue_sort_label(vq->sort));
		break;
	case ACT_JUMP:
		if (prompt_read(t, "#", "", NULL, &s) != PROMPT_OK)
			break;
		if (s[0] == '#')
			memmove(s, s + 1, strlen(s));
		num = strtoll(s, NULL, 10);
		if (num <= 0 || replica_ticket_id(t->r, num, id, &cause) != 0) {
			tui_error(t, _("no ticket #%s"), s);
			free(cause);
		} else {
			memset(&ta, 0, sizeof ta);
			ta.ticket_id = id;
			tui_push(t, &view_ticket_ops, &ta);
		}
		free(s);
		break;
	case ACT_MARK:
		if (vq->rows.n == 0)
			break;
		vq_mark_toggle(vq, vq->rows.v[vq->cursor].id);
		vq_down(v);
		tui_notice(t, _("%zu marked"), vq->nmarks);
		break;
	case ACT_MARK_CLEAR:
		vq_marks_clear(vq);
		break;
	case ACT_BULK:
		vq_bulk(v);
		break;
	case ACT_VIEW_NEXT:
		vq_switch(v, t->views.n ? (t->current_view + 1) %
		    t->views.n : 0);
		break;
	case ACT_VIEW_PREV:
		vq_switch(v, t->views.n ? (t->current_view + t->views.n - 1) %
		    t->views.n : 0);
		break;
	case ACT_VIEW_1: case ACT_VIEW_2: case ACT_VIEW_3:
	case ACT_VIEW_4: case ACT_VIEW_5: case ACT_VIEW_6:
	case ACT_VIEW_7: case ACT_VIEW_8: case ACT_VIEW_9:
		vq_switch(v, (size_t)(act - ACT_VIEW_1));
		break;
	default:
		return (VIEW_UNHANDLED);
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/* The replica changed: re-read the window and the count. */
static void
vq_refresh(struct view *v)
{
	struct vq	*vq = v->data;

	vq_reload(v);
	worker_count(v->tui->worker, VQ_COUNT_TAG, vq->query);
}

/*
 * "row/total" for the status bar. The top row's position is tracked as the
 * window moves (counting rows before a ticket costs a scan at 1,000,000
 * rows, too slow for a key); -1 means not known.
 */
static void
vq_position(struct view *v, char *out, size_t len)
{
	struct vq	*vq = v->data;
	char		 pos[32], total[32];

	if (vq->top_pos >= 0 && vq->rows.n > 0)
		snprintf(pos, sizeof pos, "%lld",
		    (long long)(vq->top_pos + (int64_t)vq->cursor + 1));
	else
		snprintf(pos, sizeof pos, "%s", vq->rows.n > 0 ? "?" : "0");
	if (vq->total >= 0)
		snprintf(total, sizeof total, "%lld", (long long)vq->total);
	else
		snprintf(total, sizeof total, "%s",
		    draw_glyph(v->tui, "…", "..."));
	snprintf(out, len, "%s/%s", pos, total);
}

static const char *
vq_current(struct view *v)
{
	struct vq	*vq = v->data;

	return (vq->rows.n > 0 ? vq->rows.v[vq->cursor].id : NULL);
}

static void
vq_result(struct view *v, const struct worker_result *res)
{
	struct vq	*vq = v->data;
	size_t		 i;

	if (res->job == JOB_COUNT && res->tag == VQ_COUNT_TAG &&
	    strcmp(res->text, vq->query) == 0) {
		vq->total = res->error != NULL ? -1 : res->count;
	}
	/* A position answers for a ticket; it counts if that row is here. */
	if (res->job == JOB_POSITION && res->tag == VQ_POS_TAG &&
	    res->error == NULL && strcmp(res->text, vq->query) == 0) {
		for (i = 0; i < vq->rows.n; i++) {
			if (strcmp(vq->rows.v[i].id, res->id) == 0) {
				vq->top_pos = res->count - (int64_t)i;
				break;
			}
		}
	}
}

/* Switch the queue to a saved view by name (for ':view'). */
int
view_queue_select(struct view *v, const char *name)
{
	struct tui	*t = v->tui;
	size_t		 i;

	for (i = 0; i < t->views.n; i++) {
		if (strcasecmp(t->views.v[i].name, name) == 0 ||
		    strcasecmp(saved_view_label(&t->views.v[i]), name) == 0) {
			vq_switch(v, i);
			return (0);
		}
	}
	return (-1);
}

/* Set the queue's sort or limit (for ':sort' and ':limit'). */
int
view_queue_set(struct view *v, int sort, const char *limit)
{
	struct vq	*vq = v->data;
	char		*cause = NULL;

	if (sort >= 0)
		vq->sort = (enum queue_sort)sort;
	if (limit != NULL) {
		free(vq->limit);
		vq->limit = *limit != '\0' ? xstrdup(limit) : NULL;
	}
	if (vq_open_query(v, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

const struct view_ops view_queue_ops = {
	.name = "queue",
	.ctx = CTX_QUEUE,
	.open = vq_open,
	.draw = vq_draw,
	.key = vq_key,
	.reload = vq_refresh,
	.close = vq_close,
	.current_ticket = vq_current,
	.result = vq_result,
	.position = vq_position,
};
