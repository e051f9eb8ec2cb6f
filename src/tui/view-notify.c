/* view-notify.c: the agent's notifications, newest first; Enter opens the ticket and marks it read. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

#define VN_LIMIT	500	/* the newest this many */

struct vn {
	struct notification_list l;
	size_t			 cursor;
	size_t			 top;
};

static void
vn_load(struct view *v)
{
	struct vn	*vn = v->data;
	char		*cause = NULL;

	notification_list_free(&vn->l);
	if (replica_notify_list(v->tui->r, 0, VN_LIMIT, &vn->l, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
	}
	if (vn->cursor >= vn->l.n)
		vn->cursor = vn->l.n > 0 ? vn->l.n - 1 : 0;
}

static int
vn_open(struct view *v, const void *arg, char **cause)
{
	(void)arg;
	(void)cause;
	v->data = xcalloc(1, sizeof (struct vn));
	vn_load(v);
	return (0);
}

static void
vn_close(struct view *v)
{
	struct vn	*vn = v->data;

	notification_list_free(&vn->l);
	free(vn);
}

static void
vn_draw(struct view *v)
{
	struct vn		*vn = v->data;
	struct tui		*t = v->tui;
	const struct notification *n;
	struct buf		 b = BUF_INIT;
	char			*line, age[16];
	int			 y = TUI_VIEW_TOP, rows = TUI_VIEW_ROWS, i, x;
	enum tui_elem		 e;

	line = xprintf("triage %s %s", draw_glyph(t, "—", "-"),
	    _("notifications"));
	draw_title(t, line);
	free(line);
	draw_fill(y, 0, COLS, EL_HEADER);
	draw_text(y, 0, _("Enter open  x read  X all read  q back"), COLS,
	    EL_HEADER);
	rows--;
	y++;
	if (vn->l.n == 0) {
		draw_text(y, 1, _("no notifications"), COLS - 1, EL_DIM);
		return;
	}
	if (vn->cursor < vn->top)
		vn->top = vn->cursor;
	if (rows > 0 && vn->cursor >= vn->top + (size_t)rows)
		vn->top = vn->cursor - (size_t)rows + 1;
	for (i = 0; i < rows && vn->top + (size_t)i < vn->l.n; i++) {
		n = &vn->l.v[vn->top + (size_t)i];
		e = vn->top + (size_t)i == vn->cursor ? EL_CURSOR :
		    n->read_at == 0 ? EL_NORMAL : EL_DIM;
		draw_fill(y + i, 0, COLS, e);
		draw_text(y + i, 0, n->read_at == 0 ? draw_glyph(t, "●", "*") :
		    " ", 1, e == EL_CURSOR ? e : EL_PENDING);
		time_format_relative(time_now_ms() - n->created_at, age,
		    sizeof age);
		draw_text(y + i, 2, age, 4, e);
		buf_reset(&b);
		if (n->number > 0)
			buf_printf(&b, "#%lld ", (long long)n->number);
		x = 7 + draw_text(y + i, 7, buf_cstr(&b), 8, e);
		buf_reset(&b);
		buf_puts(&b, notification_kind_label(n->kind));
		if (n->actor != NULL)
			buf_printf(&b, _(" (by %s)"), n->actor);
		x += draw_text(y + i, x, buf_cstr(&b), COLS - x, e) + 2;
		if (n->subject != NULL && x < COLS)
			draw_text(y + i, x, n->subject, COLS - x, e ==
			    EL_CURSOR ? e : EL_DIM);
	}
	buf_free(&b);
}

/* Mark the selected one read (all with all); the outbox tells the server. */
static void
vn_read(struct view *v, int all)
{
	struct vn	*vn = v->data;
	const char	*id;
	char		*cause = NULL;
	int		 marked;

	if (vn->l.n == 0)
		return;
	id = vn->l.v[vn->cursor].id;
	if (replica_notify_read(v->tui->r, &id, all ? 0 : 1, &marked,
	    &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	if (marked > 0)
		tui_data_changed(v->tui);
}

static int
vn_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vn		*vn = v->data;
	struct view_ticket_arg	 ta;
	char			 ticket[UUID_STRLEN + 1];

	(void)key;
	(void)code;
	switch (act) {
	case ACT_OPEN:
		if (vn->l.n == 0 || vn->l.v[vn->cursor].ticket_id[0] == '\0')
			return (VIEW_HANDLED);
		snprintf(ticket, sizeof ticket, "%s",
		    vn->l.v[vn->cursor].ticket_id);
		vn_read(v, 0);
		memset(&ta, 0, sizeof ta);
		ta.ticket_id = ticket;
		tui_push(v->tui, &view_ticket_ops, &ta);
		return (VIEW_HANDLED | VIEW_REDRAW);
	case ACT_MARK_READ:
		vn_read(v, 0);
		break;
	case ACT_MARK_ALL_READ:
		vn_read(v, 1);
		break;
	default:
		if (tui_list_move(act, &vn->cursor, vn->l.n,
		    (size_t)(TUI_VIEW_ROWS > 2 ? TUI_VIEW_ROWS - 2 : 1)))
			break;
		return (VIEW_UNHANDLED);
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

static const char *
vn_current_ticket(struct view *v)
{
	struct vn	*vn = v->data;

	if (vn->l.n == 0 || vn->l.v[vn->cursor].ticket_id[0] == '\0')
		return (NULL);
	return (vn->l.v[vn->cursor].ticket_id);
}

static void
vn_position(struct view *v, char *out, size_t len)
{
	struct vn	*vn = v->data;

	snprintf(out, len, "%zu/%zu", vn->l.n > 0 ? vn->cursor + 1 : 0,
	    vn->l.n);
}

const struct view_ops view_notify_ops = {
	.name = "notifications",
	.ctx = CTX_NOTIFY,
	.open = vn_open,
	.draw = vn_draw,
	.key = vn_key,
	.reload = vn_load,
	.close = vn_close,
	.current_ticket = vn_current_ticket,
	.position = vn_position,
};
