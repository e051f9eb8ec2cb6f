/* view-dashboard.c: the dashboard: open tickets, SLA compliance, times, new tickets, my queue, team load. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/*
 * The figures are computed by replica_stats() when the view opens, when
 * the replica changes (computed at the next paint, so a dashboard under
 * other views costs nothing), when D is pressed on it, and at a paint
 * more than a minute after the last computation (clocks run out without
 * the replica changing). The page is a list of rows that scrolls when the
 * terminal is too short for it; at 80x24 it fits with six teams.
 */
#define VD_MAX_AGE_MS	60000
#define VD_LABEL_W	18	/* "first response" and the like */
#define VD_TEAM_W	20
#define VD_BAR_W	16

/* Bars of the sparkline, lowest first (a day without tickets: blank). */
static const char *const vd_spark_utf8[] = {
	"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"
};
static const char *const vd_spark_ascii[] = {
	"_", ".", "-", "=", "*", "#"
};

/* The rows of the page, in order; teams take one row each from VD_TEAMS. */
enum vd_row {
	VD_OPEN,
	VD_OPEN_PRIORITY,
	VD_GAP1,
	VD_SLA_HEADER,
	VD_SLA_FIRST,
	VD_SLA_RESOLUTION,
	VD_TIMES_HEADER,
	VD_TIMES_FIRST,
	VD_TIMES_RESOLUTION,
	VD_GAP2,
	VD_NEW,
	VD_GAP3,
	VD_MINE,
	VD_GAP4,
	VD_TEAMS_HEADER,
	VD_TEAMS
};

struct vd {
	struct replica_stats	 st;
	int			 have;		/* st holds figures */
	int			 stale;		/* the replica changed */
	size_t			 top;		/* first row on the screen */
};

/* Rows in all: the fixed ones and a row per team. */
static size_t
vd_rows(const struct vd *vd)
{
	return (VD_TEAMS + (vd->have ? vd->st.nteams : 0));
}

/* Keep the page where it can be: no blank screen below the last row. */
static void
vd_scroll(struct vd *vd)
{
	size_t	 page = (size_t)TUI_VIEW_ROWS, n = vd_rows(vd);

	if (vd->top + page > n)
		vd->top = n > page ? n - page : 0;
}

/* Compute the figures now. */
static int
vd_compute(struct view *v, char **cause)
{
	struct vd		*vd = v->data;
	struct replica_stats	 st;
	char			*me;
	int			 rc;

	me = replica_me(v->tui->r);
	rc = replica_stats(v->tui->r, time_now_ms(), me, &st, cause);
	free(me);
	if (rc != 0) {
		replica_stats_free(&st);
		return (-1);
	}
	if (vd->have)
		replica_stats_free(&vd->st);
	vd->st = st;
	vd->have = 1;
	vd->stale = 0;
	vd_scroll(vd);
	return (0);
}

/* Compute again, or say on the message line why not (the last stay). */
static void
vd_recompute(struct view *v)
{
	char	*cause = NULL;

	if (vd_compute(v, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
	}
}

static int
vd_open(struct view *v, const void *arg, char **cause)
{
	struct vd	*vd;

	(void)arg;
	vd = xcalloc(1, sizeof *vd);
	v->data = vd;
	if (vd_compute(v, cause) != 0) {
		free(vd);
		return (-1);
	}
	return (0);
}

static void
vd_close(struct view *v)
{
	struct vd	*vd = v->data;

	if (vd->have)
		replica_stats_free(&vd->st);
	free(vd);
}

/* The replica changed: compute again before the next paint. */
static void
vd_reload(struct view *v)
{
	struct vd	*vd = v->data;

	vd->stale = 1;
}

/* The screen row of a page row, or -1 when it is scrolled off. */
static int
vd_y(const struct vd *vd, size_t row)
{
	if (row < vd->top || row - vd->top >= (size_t)TUI_VIEW_ROWS)
		return (-1);
	return (TUI_VIEW_TOP + (int)(row - vd->top));
}

/* "label n" at x in two elements; returns the cells used. */
static int
vd_count(int y, int x, const char *label, int64_t n, enum tui_elem el)
{
	char	 num[32], s[32];
	int	 used;

	if (x >= COLS)
		return (0);
	used = draw_text(y, x, label, COLS - x, EL_LABEL);
	snprintf(num, sizeof num, " %s", num_count(s, sizeof s, n));
	used += draw_text(y, x + used, num, COLS - x - used, el);
	return (used);
}

/* Open tickets by status, and on the next row by priority. */
static void
vd_draw_open(struct view *v)
{
	struct vd	*vd = v->data;
	struct tui	*t = v->tui;
	const char	*sep = draw_glyph(t, " · ", "  ");
	char		 num[32], s[32];
	int		 y, x, k;

	if ((y = vd_y(vd, VD_OPEN)) != -1) {
		x = 1 + draw_text(y, 1, _("Open"), VD_LABEL_W, EL_HEADER);
		snprintf(num, sizeof num, " %s", num_count(s, sizeof s,
		    vd->st.open));
		draw_text(y, x, num, VD_LABEL_W, EL_HEADER);
		x = 2 + VD_LABEL_W;
		for (k = 0; k < STATS_OPEN_STATUSES; k++) {
			if (k > 0)
				x += draw_text(y, x, sep, COLS - x, EL_DIM);
			x += vd_count(y, x, ticket_status_label(k),
			    vd->st.by_status[k], EL_NORMAL);
		}
	}
	if ((y = vd_y(vd, VD_OPEN_PRIORITY)) != -1) {
		x = 2 + VD_LABEL_W;
		for (k = 0; k < TICKET_PRIORITY_COUNT; k++) {
			if (k > 0)
				x += draw_text(y, x, sep, COLS - x, EL_DIM);
			x += vd_count(y, x, ticket_priority_label(k),
			    vd->st.by_priority[k], k == PRIORITY_URGENT &&
			    vd->st.by_priority[k] > 0 ? EL_PRIO_URGENT :
			    EL_NORMAL);
		}
	}
}

/* A compliance cell: "70.5% (2838/4027)", or "no data". */
static void
vd_sla_cell(int y, int x, int w, const struct stats_sla *sla)
{
	int64_t	 p = replica_stats_permille(sla);
	char	 s[96], met[32], counted[32];
	int	 used;

	if (p < 0) {
		draw_text(y, x, _("no data"), w, EL_DIM);
		return;
	}
	used = draw_text(y, x, num_permille(s, sizeof s, p), w, EL_NORMAL);
	snprintf(s, sizeof s, " (%s/%s)", num_count(met, sizeof met,
	    sla->met), num_count(counted, sizeof counted, sla->counted));
	draw_text(y, x + used, s, w - used, EL_DIM);
}

/* A row of times: median and p90 ("4h17m"), and how many tickets. */
static void
vd_times_row(int y, int w, const char *label, const struct stats_times *tm)
{
	char	 s[32];
	int	 x = 2 + VD_LABEL_W;

	draw_text(y, 2, label, VD_LABEL_W, EL_LABEL);
	if (tm->count == 0) {
		draw_text(y, x, _("no data"), COLS - x, EL_DIM);
		return;
	}
	time_format_countdown(tm->median, s, sizeof s);
	draw_text(y, x, s, w, EL_NORMAL);
	time_format_countdown(tm->p90, s, sizeof s);
	draw_text(y, x + w + 1, s, w, EL_NORMAL);
	num_count(s, sizeof s, tm->count);
	draw_text(y, x + 2 * (w + 1), s, COLS - x - 2 * (w + 1), EL_DIM);
}

/* SLA compliance over 7 and 30 days, then the times over 30 days. */
static void
vd_draw_sla(struct view *v)
{
	struct vd	*vd = v->data;
	int		 y, x = 2 + VD_LABEL_W, w = (COLS - x - 1) / 2, tw = 10;

	if (w > 26)
		w = 26;
	if ((y = vd_y(vd, VD_SLA_HEADER)) != -1) {
		draw_text(y, 1, _("SLA compliance"), VD_LABEL_W + 1, EL_HEADER);
		draw_text(y, x, _("last 7 days"), w, EL_HEADER);
		draw_text(y, x + w + 1, _("last 30 days"), w, EL_HEADER);
	}
	if ((y = vd_y(vd, VD_SLA_FIRST)) != -1) {
		draw_text(y, 2, _("first response"), VD_LABEL_W, EL_LABEL);
		vd_sla_cell(y, x, w, &vd->st.first_response[STATS_7_DAYS]);
		vd_sla_cell(y, x + w + 1, w,
		    &vd->st.first_response[STATS_30_DAYS]);
	}
	if ((y = vd_y(vd, VD_SLA_RESOLUTION)) != -1) {
		draw_text(y, 2, _("resolution"), VD_LABEL_W, EL_LABEL);
		vd_sla_cell(y, x, w, &vd->st.resolution[STATS_7_DAYS]);
		vd_sla_cell(y, x + w + 1, w,
		    &vd->st.resolution[STATS_30_DAYS]);
	}
	if ((y = vd_y(vd, VD_TIMES_HEADER)) != -1) {
		draw_text(y, 1, _("Times, 30 days"), VD_LABEL_W + 1,
		    EL_HEADER);
		draw_text(y, x, _("median"), tw, EL_HEADER);
		draw_text(y, x + tw + 1, _("p90"), tw, EL_HEADER);
		draw_text(y, x + 2 * (tw + 1), _("tickets"),
		    COLS - x - 2 * (tw + 1), EL_HEADER);
	}
	if ((y = vd_y(vd, VD_TIMES_FIRST)) != -1)
		vd_times_row(y, tw, _("first response"),
		    &vd->st.first_response_time);
	if ((y = vd_y(vd, VD_TIMES_RESOLUTION)) != -1)
		vd_times_row(y, tw, _("resolution"), &vd->st.resolution_time);
}

/*
 * New tickets per day as a sparkline, today last: a day's bar is
 * count x (bars - 1) / the busiest day's count, rounded down; a day
 * without tickets is blank.
 */
static void
vd_draw_new(struct view *v)
{
	struct vd		*vd = v->data;
	struct tui		*t = v->tui;
	const char *const	*bars = t->ascii ? vd_spark_ascii :
				    vd_spark_utf8;
	int64_t			 max = 0, n;
	size_t			 nbars = t->ascii ? nitems(vd_spark_ascii) :
				    nitems(vd_spark_utf8);
	struct buf		 b = BUF_INIT;
	char			 s[96];
	int			 y, x, k;

	if ((y = vd_y(vd, VD_NEW)) == -1)
		return;
	for (k = 0; k < STATS_SPARK_DAYS; k++)
		if (vd->st.new_per_day[k] > max)
			max = vd->st.new_per_day[k];
	for (k = 0; k < STATS_SPARK_DAYS; k++) {
		n = vd->st.new_per_day[k];
		buf_puts(&b, n == 0 ? " " :
		    bars[n * (int64_t)(nbars - 1) / max]);
	}
	draw_text(y, 1, _("New per day"), VD_LABEL_W + 1, EL_HEADER);
	x = 2 + VD_LABEL_W;
	x += draw_text(y, x, buf_cstr(&b), COLS - x, EL_NORMAL);
	buf_free(&b);
	snprintf(s, sizeof s, _("  today %lld, busiest %lld (14 days)"),
	    (long long)vd->st.new_per_day[STATS_SPARK_DAYS - 1],
	    (long long)max);
	draw_text(y, x, s, COLS - x, EL_DIM);
}

/* My queue: open, due within 2 hours, breached. */
static void
vd_draw_mine(struct view *v)
{
	struct vd	*vd = v->data;
	const char	*sep = draw_glyph(v->tui, " · ", "  ");
	int		 y, x;

	if ((y = vd_y(vd, VD_MINE)) == -1)
		return;
	draw_text(y, 1, _("My queue"), VD_LABEL_W + 1, EL_HEADER);
	x = 2 + VD_LABEL_W;
	if (!vd->st.have_me) {
		draw_text(y, x, _("no current user (triage login)"), COLS - x,
		    EL_DIM);
		return;
	}
	x += vd_count(y, x, _("open"), vd->st.mine, EL_NORMAL);
	x += draw_text(y, x, sep, COLS - x, EL_DIM);
	x += vd_count(y, x, _("due within 2h"), vd->st.mine_soon,
	    vd->st.mine_soon > 0 ? EL_SLA_SOON : EL_NORMAL);
	x += draw_text(y, x, sep, COLS - x, EL_DIM);
	vd_count(y, x, _("breached"), vd->st.mine_breached,
	    vd->st.mine_breached > 0 ? EL_SLA_BREACHED : EL_NORMAL);
}

/* The teams: open, weighted load and a bar of it against the busiest. */
static void
vd_draw_teams(struct view *v)
{
	struct vd		*vd = v->data;
	const struct stats_team	*tm;
	int64_t			 max = 0;
	char			 s[64], n1[32], n2[32];
	int			 y, x, k, n;
	size_t			 i;

	if ((y = vd_y(vd, VD_TEAMS_HEADER)) != -1) {
		draw_text(y, 1, _("Team"), VD_TEAM_W + 1, EL_HEADER);
		snprintf(s, sizeof s, "%8s %9s", _("open"), _("weighted"));
		draw_text(y, 2 + VD_TEAM_W, s, COLS - 2 - VD_TEAM_W,
		    EL_HEADER);
	}
	for (i = 0; i < vd->st.nteams; i++)
		if (vd->st.teams[i].weighted > max)
			max = vd->st.teams[i].weighted;
	for (i = 0; i < vd->st.nteams; i++) {
		if ((y = vd_y(vd, VD_TEAMS + i)) == -1)
			continue;
		tm = &vd->st.teams[i];
		draw_text(y, 2, tm->id == NULL ? _("no team") :
		    tm->name != NULL ? tm->name : tm->id, VD_TEAM_W,
		    tm->id == NULL ? EL_DIM : EL_NORMAL);
		snprintf(s, sizeof s, "%8s %9s", num_count(n1, sizeof n1,
		    tm->open), num_count(n2, sizeof n2, tm->weighted));
		x = 2 + VD_TEAM_W;
		x += draw_text(y, x, s, COLS - x, EL_NORMAL) + 2;
		n = max > 0 ? (int)(tm->weighted * VD_BAR_W / max) : 0;
		for (k = 0; k < n && x < COLS; k++)
			x += draw_text(y, x, draw_glyph(v->tui, "█", "#"), 1,
			    EL_LABEL);
	}
}

static void
vd_draw(struct view *v)
{
	struct vd	*vd = v->data;
	struct tui	*t = v->tui;
	char		*title;

	if (vd->stale || time_now_ms() - vd->st.now > VD_MAX_AGE_MS)
		vd_recompute(v);
	title = xprintf("triage %s %s", draw_glyph(t, "—", "-"),
	    _("dashboard"));
	draw_title(t, title);
	free(title);
	vd_scroll(vd);
	vd_draw_open(v);
	vd_draw_sla(v);
	vd_draw_new(v);
	vd_draw_mine(v);
	vd_draw_teams(v);
}

/* Keys: scrolling when the page does not fit; D computes again. */
static int
vd_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vd	*vd = v->data;
	size_t		 page = (size_t)TUI_VIEW_ROWS;

	(void)key;
	(void)code;
	switch (act) {
	case ACT_DOWN:
		vd->top++;
		break;
	case ACT_UP:
		if (vd->top > 0)
			vd->top--;
		break;
	case ACT_PAGE_DOWN:
		vd->top += page;
		break;
	case ACT_PAGE_UP:
		vd->top = vd->top > page ? vd->top - page : 0;
		break;
	case ACT_TOP:
		vd->top = 0;
		break;
	case ACT_BOTTOM:
		vd->top = vd_rows(vd);
		break;
	case ACT_DASHBOARD:
		vd_recompute(v);
		tui_notice(v->tui, "%s", _("dashboard computed again"));
		break;
	default:
		return (VIEW_UNHANDLED);
	}
	vd_scroll(vd);
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/* "as of 06:32 UTC" for the status bar: the figures are a snapshot. */
static void
vd_position(struct view *v, char *out, size_t len)
{
	struct vd	*vd = v->data;
	char		 s[TIME_RFC3339_SIZE];

	time_format_rfc3339(vd->st.now, s);
	snprintf(out, len, _("as of %.5s UTC"), s + 11);
}

const struct view_ops view_dashboard_ops = {
	.name = "dashboard",
	.ctx = CTX_GLOBAL,
	.open = vd_open,
	.draw = vd_draw,
	.key = vd_key,
	.reload = vd_reload,
	.close = vd_close,
	.position = vd_position,
};
