/* view-customer.c: the customer 360: profile, identities, orders and their tickets. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui-int.h"

#define VCU_INDENT	2	/* cells before a section's lines */
#define VCU_SUB		6	/* cells before an order's items */
#define VCU_SUBJECT_MAX	80	/* cells of a ticket's subject */

/* A run of text on a rendered line; `ago` ones are clocks drawn at paint. */
struct vcu_seg {
	const char	*s;
	size_t		 len;
	int		 x;		/* column, or -1: after the previous */
	int		 w;		/* at most this many cells; 0: any */
	enum tui_elem	 e;
	int		 ago;
	int64_t		 when;
};

/* One screen line, built once per width and data. */
struct vcu_line {
	size_t		 seg;
	size_t		 nseg;
};

struct vcu {
	char			 id[UUID_STRLEN + 1];
	struct customer_360	*c;
	int			 gone;		/* the customer vanished */

	struct vcu_line		*lines;
	size_t			 nlines;
	struct vcu_seg		*segs;
	size_t			 nsegs;
	char			**pool;		/* strings the lines point into */
	size_t			 npool;
	int			 width;		/* COLS the lines were built for */
	size_t			 top;
	size_t			 first;		/* the line of the first ticket */
	size_t			 sel;		/* the selected ticket */
};

/* Keep a string for as long as the lines are. */
static const char *
vcu_keep(struct vcu *cu, char *s)
{
	cu->pool = xreallocarray(cu->pool, cu->npool + 1, sizeof *cu->pool);
	cu->pool[cu->npool++] = s;
	return (s);
}

static void
vcu_lines_free(struct vcu *cu)
{
	size_t	 i;

	for (i = 0; i < cu->npool; i++)
		free(cu->pool[i]);
	free(cu->pool);
	free(cu->lines);
	free(cu->segs);
	cu->pool = NULL;
	cu->lines = NULL;
	cu->segs = NULL;
	cu->npool = cu->nlines = cu->nsegs = 0;
}

static void
vcu_line(struct vcu *cu)
{
	cu->lines = xreallocarray(cu->lines, cu->nlines + 1, sizeof *cu->lines);
	cu->lines[cu->nlines].seg = cu->nsegs;
	cu->lines[cu->nlines].nseg = 0;
	cu->nlines++;
}

/* Add text (NULL: nothing) to the last line at x, at most w cells. */
static void
vcu_text(struct vcu *cu, int x, int w, const char *s, enum tui_elem e)
{
	struct vcu_seg	*sg;

	if (s == NULL)
		return;
	cu->segs = xreallocarray(cu->segs, cu->nsegs + 1, sizeof *cu->segs);
	sg = &cu->segs[cu->nsegs++];
	memset(sg, 0, sizeof *sg);
	sg->s = s;
	sg->len = strlen(s);
	sg->x = x;
	sg->w = w;
	sg->e = e;
	cu->lines[cu->nlines - 1].nseg++;
}

/* Add a "3h ago" clock to the last line. */
static void
vcu_ago(struct vcu *cu, int x, int64_t when, enum tui_elem e)
{
	vcu_text(cu, x, 0, "", e);
	cu->segs[cu->nsegs - 1].ago = 1;
	cu->segs[cu->nsegs - 1].when = when;
}

/* A date as "2026-05-01" (in the language's format). */
static const char *
vcu_date(struct vcu *cu, int64_t ms)
{
	char	 out[32];

	time_format_date(ms, 0, out, sizeof out);
	return (vcu_keep(cu, xstrdup(out)));
}

/* An amount in cents as "129.90 EUR". */
static const char *
vcu_money(struct vcu *cu, int64_t cents, const char *currency)
{
	uint64_t	 a = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;

	return (vcu_keep(cu, xprintf("%s%llu.%02llu%s%s", cents < 0 ? "-" : "",
	    (unsigned long long)(a / 100), (unsigned long long)(a % 100),
	    currency != NULL ? " " : "", currency != NULL ? currency : "")));
}

/* A section heading with a count: "Orders (3)". */
static void
vcu_heading(struct vcu *cu, const char *title, size_t n)
{
	vcu_line(cu);
	vcu_line(cu);
	vcu_text(cu, 0, 0, vcu_keep(cu, xprintf("%s (%zu)", title, n)),
	    EL_HEADER);
}

/*
 * Labelled values on as few lines as the width allows: each pair is
 * "label value", pairs separated by three spaces.
 */
static void
vcu_flow(struct vcu *cu, const char *const *pairs, size_t n, int indent)
{
	size_t	 i;
	int	 x = indent, w;

	vcu_line(cu);
	for (i = 0; i + 1 < n; i += 2) {
		if (pairs[i + 1] == NULL || *pairs[i + 1] == '\0')
			continue;
		w = draw_width(pairs[i]) + 1 + draw_width(pairs[i + 1]);
		if (x > indent && x + 3 + w > cu->width) {
			vcu_line(cu);
			x = indent;
		}
		if (x > indent)
			x += 3;
		vcu_text(cu, x, 0, pairs[i], EL_LABEL);
		vcu_text(cu, x + draw_width(pairs[i]) + 1, 0, pairs[i + 1],
		    EL_NORMAL);
		x += w;
	}
}

/* The profile and identities. */
static void
vcu_build_profile(struct view *v)
{
	struct vcu			*cu = v->data;
	const struct customer_360	*c = cu->c;
	const char			*pairs[8];
	const char			**ids;
	size_t				 i;

	vcu_line(cu);
	vcu_text(cu, 0, 0, c->name, EL_HEADER);
	pairs[0] = _("Email");
	pairs[1] = c->email;
	pairs[2] = _("Phone");
	pairs[3] = c->phone;
	pairs[4] = _("Company");
	pairs[5] = c->company;
	pairs[6] = _("Customer since");
	pairs[7] = c->created_at != 0 ? vcu_date(cu, c->created_at) : NULL;
	vcu_flow(cu, pairs, nitems(pairs), 0);

	vcu_heading(cu, _("Identities"), c->nidentities);
	ids = xcalloc(c->nidentities * 2 + 1, sizeof *ids);
	for (i = 0; i < c->nidentities; i++) {
		ids[2 * i] = c->identities[i].kind;
		ids[2 * i + 1] = c->identities[i].value;
	}
	if (c->nidentities > 0)
		vcu_flow(cu, ids, c->nidentities * 2, VCU_INDENT);
	free(ids);
}

/* Orders, newest first, each with its items and shipments. */
static void
vcu_build_orders(struct view *v)
{
	struct vcu		*cu = v->data;
	const struct order	*o;
	const struct shipment	*sh;
	const char		*bad, *money;
	size_t			 i, j;
	int			 x, w;

	vcu_heading(cu, _("Orders"), cu->c->norders);
	for (i = 0; i < cu->c->norders; i++) {
		o = &cu->c->orders[i];
		vcu_line(cu);
		vcu_text(cu, VCU_INDENT, 0, o->number, EL_HEADER);
		/* The total right-aligned in 14 cells, then status and date. */
		x = VCU_INDENT + 14;
		money = vcu_money(cu, o->total_cents, o->currency);
		w = draw_width(money);
		vcu_text(cu, x + (w < 14 ? 14 - w : 0), 0, money, EL_NORMAL);
		vcu_text(cu, x + 16, 0, o->status, EL_NORMAL);
		vcu_text(cu, x + 29, 0, vcu_date(cu, o->placed_at), EL_DIM);
		for (j = 0; j < o->nitems; j++) {
			vcu_line(cu);
			vcu_text(cu, VCU_SUB, 0, vcu_keep(cu, xprintf("%d %s ",
			    o->items[j].qty, draw_glyph(v->tui, "×", "x"))),
			    EL_NORMAL);
			vcu_text(cu, -1, 0, o->items[j].title, EL_NORMAL);
			vcu_text(cu, -1, 0, "  ", EL_NORMAL);
			vcu_text(cu, -1, 0, o->items[j].sku, EL_DIM);
			vcu_text(cu, -1, 0, vcu_keep(cu, xprintf("  @ %s",
			    vcu_money(cu, o->items[j].unit_price_cents,
			    o->currency))), EL_DIM);
		}
		for (j = 0; j < o->nshipments; j++) {
			sh = &o->shipments[j];
			bad = sh->status;
			vcu_line(cu);
			vcu_text(cu, VCU_SUB, 0, vcu_keep(cu, xprintf("%s ",
			    draw_glyph(v->tui, "↳", ">"))), EL_DIM);
			vcu_text(cu, -1, 0, sh->carrier, EL_NORMAL);
			vcu_text(cu, -1, 0, " ", EL_NORMAL);
			vcu_text(cu, -1, 0, sh->tracking, EL_DIM);
			vcu_text(cu, -1, 0, "  ", EL_NORMAL);
			vcu_text(cu, -1, 0, sh->status, bad != NULL &&
			    (strcmp(bad, "late") == 0 || strcmp(bad, "lost") ==
			    0) ? EL_ERROR : EL_NORMAL);
			if (sh->delivered_at != 0 && bad != NULL &&
			    strcmp(bad, "delivered") == 0)
				vcu_text(cu, -1, 0, vcu_keep(cu, xprintf(" %s",
				    vcu_date(cu, sh->delivered_at))), EL_DIM);
			else if (sh->delivered_at != 0)
				vcu_text(cu, -1, 0, vcu_keep(cu, xprintf(
				    _("  delivered %s"), vcu_date(cu,
				    sh->delivered_at))), EL_DIM);
			else if (sh->shipped_at != 0)
				vcu_text(cu, -1, 0, vcu_keep(cu, xprintf(
				    _("  shipped %s"), vcu_date(cu,
				    sh->shipped_at))), EL_DIM);
		}
	}
}

static enum tui_elem
vcu_prio_elem(int p)
{
	static const enum tui_elem e[] = {
		EL_PRIO_LOW, EL_PRIO_NORMAL, EL_PRIO_HIGH, EL_PRIO_URGENT
	};

	return (p >= 0 && p < 4 ? e[p] : EL_NORMAL);
}

/* The customer's tickets, one selectable line each. */
static void
vcu_build_tickets(struct view *v)
{
	struct vcu		*cu = v->data;
	const struct ticket	*tk;
	size_t			 i;
	int			 x, subj;

	vcu_heading(cu, _("Tickets"), cu->c->tickets.n);
	cu->first = cu->nlines;
	/* The subject takes what is left, up to a readable width. */
	subj = cu->width - (VCU_INDENT + 8 + 9 + 8 + 10);
	if (subj > VCU_SUBJECT_MAX)
		subj = VCU_SUBJECT_MAX;
	if (subj < 8)
		subj = 8;
	for (i = 0; i < cu->c->tickets.n; i++) {
		tk = &cu->c->tickets.v[i];
		vcu_line(cu);
		vcu_text(cu, 0, 1, tk->rejected ? "!" : tk->pending ?
		    draw_glyph(v->tui, "↑", "^") : NULL, tk->rejected ?
		    EL_REJECTED : EL_PENDING);
		x = VCU_INDENT;
		vcu_text(cu, x, 7, tk->number != 0 ? vcu_keep(cu,
		    xprintf("#%lld", (long long)tk->number)) : _("new"),
		    EL_NORMAL);
		x += 8;
		vcu_text(cu, x, 8, ticket_status_label(tk->status), EL_NORMAL);
		x += 9;
		vcu_text(cu, x, 7, ticket_priority_label(tk->priority),
		    vcu_prio_elem(tk->priority));
		x += 8;
		vcu_text(cu, x, subj, tk->subject, EL_NORMAL);
		x += subj + 1;
		vcu_ago(cu, x, tk->updated_at, EL_DIM);
	}
	if (cu->c->tickets.n == 0) {
		vcu_line(cu);
		vcu_text(cu, VCU_INDENT, 0, _("No tickets."), EL_DIM);
	}
}

/* Build every line for the current width and data. */
static void
vcu_build(struct view *v)
{
	struct vcu	*cu = v->data;

	vcu_lines_free(cu);
	cu->width = COLS > 1 ? COLS : 1;
	vcu_build_profile(v);
	vcu_build_orders(v);
	vcu_build_tickets(v);
}

static size_t
vcu_max_top(struct vcu *cu)
{
	size_t	 rows = (size_t)TUI_VIEW_ROWS;

	return (cu->nlines > rows ? cu->nlines - rows : 0);
}

/* Scroll so the selected ticket is on screen. */
static void
vcu_show_sel(struct vcu *cu)
{
	size_t	 l = cu->first + cu->sel, rows = (size_t)TUI_VIEW_ROWS;

	if (l < cu->top)
		cu->top = l;
	else if (l >= cu->top + rows)
		cu->top = l - rows + 1;
	if (cu->top > vcu_max_top(cu))
		cu->top = vcu_max_top(cu);
}

/* After a page move: keep the selection on a ticket that is on screen. */
static void
vcu_follow(struct vcu *cu)
{
	size_t	 n = cu->c->tickets.n, rows = (size_t)TUI_VIEW_ROWS, last;

	if (n == 0 || cu->first + n <= cu->top || cu->first >= cu->top + rows)
		return;
	last = cu->top + rows - 1 - cu->first;
	if (cu->first + cu->sel < cu->top)
		cu->sel = cu->top - cu->first;
	else if (cu->sel > last)
		cu->sel = last < n ? last : n - 1;
}

static int
vcu_open(struct view *v, const void *arg, char **cause)
{
	const char		*id = arg;
	struct customer_360	*c;
	struct vcu		*cu;
	int			 rc;

	if (id == NULL) {
		*cause = xstrdup(_("no customer"));
		return (-1);
	}
	rc = replica_customer_get(v->tui->r, id, &c, cause);
	if (rc == REPLICA_NOTFOUND)
		*cause = xstrdup(_("no such customer"));
	if (rc != 0)
		return (-1);
	cu = xcalloc(1, sizeof *cu);
	v->data = cu;
	snprintf(cu->id, sizeof cu->id, "%s", c->id);
	cu->c = c;
	vcu_build(v);
	return (0);
}

static void
vcu_close(struct view *v)
{
	struct vcu	*cu = v->data;

	vcu_lines_free(cu);
	customer_360_free(cu->c);
	free(cu);
}

/* Draw one line at screen row y; the selected ticket in the cursor colour. */
static void
vcu_draw_line(struct vcu *cu, int y, const struct vcu_line *l, int selected,
    int64_t now)
{
	const struct vcu_seg	*sg;
	char			 s[32], rel[32];
	size_t			 i;
	int			 x = 0, cols;

	if (selected)
		draw_fill(y, 0, COLS, EL_CURSOR);
	for (i = 0; i < l->nseg; i++) {
		sg = &cu->segs[l->seg + i];
		if (sg->x >= 0)
			x = sg->x;
		if (x >= COLS)
			break;
		cols = sg->w > 0 && sg->w < COLS - x ? sg->w : COLS - x;
		if (sg->ago) {
			time_format_relative(now - sg->when, rel, sizeof rel);
			snprintf(s, sizeof s, _("%s ago"), rel);
			x += draw_text(y, x, s, cols, selected ? EL_CURSOR :
			    sg->e);
		} else
			x += draw_text_n(y, x, sg->s, sg->len, cols, selected ?
			    EL_CURSOR : sg->e);
	}
}

static void
vcu_draw(struct view *v)
{
	struct vcu	*cu = v->data;
	struct tui	*t = v->tui;
	char		*title;
	size_t		 i;
	int		 y;
	int64_t		 now = time_now_ms();

	if (cu->gone && t->top == v) {
		/* The customer went away: go back to what was below. */
		tui_pop(t);
		if (t->top != NULL)
			t->top->ops->draw(t->top);
		return;
	}
	if (cu->width != (COLS > 1 ? COLS : 1))
		vcu_build(v);
	if (cu->top > vcu_max_top(cu))
		cu->top = vcu_max_top(cu);
	title = xprintf("triage %s %s %s", draw_glyph(t, "—", "-"),
	    _("customer"), cu->c->name);
	draw_title(t, title);
	free(title);
	for (i = cu->top, y = TUI_VIEW_TOP; i < cu->nlines &&
	    y < TUI_VIEW_TOP + TUI_VIEW_ROWS; i++, y++)
		vcu_draw_line(cu, y, &cu->lines[i], cu->c->tickets.n > 0 &&
		    i == cu->first + cu->sel, now);
}

/* j: scroll until the tickets show, then move through them. */
static void
vcu_down(struct vcu *cu)
{
	size_t	 n = cu->c->tickets.n, rows = (size_t)TUI_VIEW_ROWS;

	if (n > 0 && cu->first + cu->sel < cu->top + rows &&
	    cu->first + cu->sel >= cu->top) {
		if (cu->sel + 1 < n) {
			cu->sel++;
			vcu_show_sel(cu);
			return;
		}
	}
	if (cu->top < vcu_max_top(cu))
		cu->top++;
}

/* k: move up through the tickets, then scroll back to the orders. */
static void
vcu_up(struct vcu *cu)
{
	size_t	 n = cu->c->tickets.n, rows = (size_t)TUI_VIEW_ROWS;

	if (n > 0 && cu->sel > 0 && cu->first + cu->sel < cu->top + rows) {
		cu->sel--;
		vcu_show_sel(cu);
		return;
	}
	if (cu->top > 0)
		cu->top--;
}

static int
vcu_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vcu		*cu = v->data;
	struct view_ticket_arg	 ta;
	size_t			 page, max = vcu_max_top(cu);

	(void)key;
	(void)code;
	page = TUI_VIEW_ROWS > 2 ? (size_t)TUI_VIEW_ROWS - 1 : 1;
	switch (act) {
	case ACT_DOWN:
		vcu_down(cu);
		break;
	case ACT_UP:
		vcu_up(cu);
		break;
	case ACT_PAGE_DOWN:
		cu->top = cu->top + page < max ? cu->top + page : max;
		vcu_follow(cu);
		break;
	case ACT_PAGE_UP:
		cu->top = cu->top > page ? cu->top - page : 0;
		vcu_follow(cu);
		break;
	case ACT_TOP:
		cu->top = 0;
		cu->sel = 0;
		break;
	case ACT_BOTTOM:
		cu->top = max;
		if (cu->c->tickets.n > 0)
			cu->sel = cu->c->tickets.n - 1;
		break;
	case ACT_OPEN:
		if (cu->c->tickets.n == 0)
			break;
		memset(&ta, 0, sizeof ta);
		ta.ticket_id = cu->c->tickets.v[cu->sel].id;
		tui_push(v->tui, &view_ticket_ops, &ta);
		break;
	default:
		return (VIEW_UNHANDLED);
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/* The replica changed: read the customer again, keeping the selection. */
static void
vcu_reload(struct view *v)
{
	struct vcu		*cu = v->data;
	struct customer_360	*c;
	char			*cause = NULL, sel[UUID_STRLEN + 1];
	size_t			 i;
	int			 rc;

	if (cu->gone)
		return;
	rc = replica_customer_get(v->tui->r, cu->id, &c, &cause);
	if (rc == REPLICA_NOTFOUND) {
		cu->gone = 1;
		tui_notice(v->tui, "%s", _("the customer is gone"));
		return;
	}
	if (rc != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	sel[0] = '\0';
	if (cu->sel < cu->c->tickets.n)
		snprintf(sel, sizeof sel, "%s", cu->c->tickets.v[cu->sel].id);
	vcu_lines_free(cu);
	customer_360_free(cu->c);
	cu->c = c;
	cu->sel = 0;
	for (i = 0; i < c->tickets.n; i++)
		if (strcmp(c->tickets.v[i].id, sel) == 0)
			cu->sel = i;
	vcu_build(v);
	if (cu->top > vcu_max_top(cu))
		cu->top = vcu_max_top(cu);
}

/* For the status bar: the selected ticket, of how many. */
static void
vcu_position(struct view *v, char *out, size_t len)
{
	struct vcu	*cu = v->data;

	snprintf(out, len, _("ticket %zu/%zu"), cu->c->tickets.n > 0 ?
	    cu->sel + 1 : 0, cu->c->tickets.n);
}

static const char *
vcu_current(struct view *v)
{
	struct vcu	*cu = v->data;

	if (cu->gone || cu->c->tickets.n == 0)
		return (NULL);
	return (cu->c->tickets.v[cu->sel].id);
}

const struct view_ops view_customer_ops = {
	.name = "customer",
	.ctx = CTX_CUSTOMER,
	.open = vcu_open,
	.draw = vcu_draw,
	.key = vcu_key,
	.reload = vcu_reload,
	.close = vcu_close,
	.current_ticket = vcu_current,
	.position = vcu_position,
};
