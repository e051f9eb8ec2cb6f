/* view-ticket.c: one ticket: its fields, the thread, attachments and the audit trail. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui-int.h"

#define VT_GUTTER	2	/* cells before a message's body */
#define VT_TEXT_MAX	120	/* bodies wrap here on wide terminals */

/* A clock drawn when the line is painted, so it never goes stale. */
enum vt_dyn {
	DYN_NONE,
	DYN_AGO,		/* "3h ago" */
	DYN_DUE			/* "in 1h20m", or "BREACHED" */
};

/* A run of text on a rendered line. */
struct vt_seg {
	const char	*s;		/* data, a label, or the view's pool */
	size_t		 len;
	int		 x;		/* column, or -1: after the previous */
	enum tui_elem	 e;
	enum vt_dyn	 dyn;
	int64_t		 when;
};

enum vt_kind {
	LINE_HEADER,
	LINE_HEADING,		/* the first line of a message */
	LINE_THREAD		/* bodies, attachments, events, blanks */
};

/* One screen line of the ticket, built once per width, toggles and data. */
struct vt_line {
	size_t		 seg;		/* first segment in vt->segs */
	size_t		 nseg;
	enum vt_kind	 kind;
	ssize_t		 msg;		/* the message it belongs to, or -1 */
};

/* A header or heading field: a few segments laid out as one. */
struct vt_field {
	struct vt_seg	 seg[4];
	int		 n;
	int		 w;		/* cells, clocks at their current width */
};

struct vt {
	char			 id[UUID_STRLEN + 1];
	struct ticket_detail	*d;
	int			 gone;		/* the ticket vanished */
	int			 events;	/* show the audit trail */
	int			 attachments;	/* show attachments */

	struct vt_line		*lines;
	size_t			 nlines;
	struct vt_seg		*segs;
	size_t			 nsegs;
	char			**pool;		/* strings the lines point into */
	size_t			 npool;
	int			 width;		/* COLS the lines were built for */
	size_t			 top;
};

/* The text and element of a clock at time now. */
static enum tui_elem
vt_dyn_text(enum vt_dyn dyn, int64_t when, int64_t now, enum tui_elem e,
    char *out, size_t len)
{
	char	 s[32];

	if (dyn == DYN_AGO) {
		if (now - when < 5000 && when - now < 5000)
			snprintf(out, len, "%s", _("just now"));
		else {
			time_format_relative(now - when, s, sizeof s);
			snprintf(out, len, when > now ? _("in %s") : _("%s ago"),
			    s);
		}
		return (e);
	}
	if (when <= now) {
		snprintf(out, len, "%s", _("BREACHED"));
		return (EL_SLA_BREACHED);
	}
	time_format_countdown(when - now, s, sizeof s);
	snprintf(out, len, _("in %s"), s);
	return (when - now < 2 * 3600 * 1000 ? EL_SLA_SOON : EL_SLA_OK);
}

/* Keep a string for as long as the lines are. */
static const char *
vt_keep(struct vt *vt, char *s)
{
	vt->pool = xreallocarray(vt->pool, vt->npool + 1, sizeof *vt->pool);
	vt->pool[vt->npool++] = s;
	return (s);
}

/* Forget the lines (the data they point into stays). */
static void
vt_lines_free(struct vt *vt)
{
	size_t	 i;

	for (i = 0; i < vt->npool; i++)
		free(vt->pool[i]);
	free(vt->pool);
	free(vt->lines);
	free(vt->segs);
	vt->pool = NULL;
	vt->lines = NULL;
	vt->segs = NULL;
	vt->npool = vt->nlines = vt->nsegs = 0;
}

static void
vt_line_add(struct vt *vt, enum vt_kind kind, ssize_t msg)
{
	struct vt_line	*l;

	vt->lines = xreallocarray(vt->lines, vt->nlines + 1, sizeof *vt->lines);
	l = &vt->lines[vt->nlines++];
	l->seg = vt->nsegs;
	l->nseg = 0;
	l->kind = kind;
	l->msg = msg;
}

/* Add a segment to the last line. */
static void
vt_seg_add(struct vt *vt, const struct vt_seg *sg)
{
	vt->segs = xreallocarray(vt->segs, vt->nsegs + 1, sizeof *vt->segs);
	vt->segs[vt->nsegs++] = *sg;
	vt->lines[vt->nlines - 1].nseg++;
}

static void
vt_text(struct vt *vt, int x, const char *s, size_t len, enum tui_elem e)
{
	vt_seg_add(vt, &(struct vt_seg){ s, len, x, e, DYN_NONE, 0 });
}

static void
fld_text(struct vt_field *f, const char *s, enum tui_elem e)
{
	f->seg[f->n++] = (struct vt_seg){ s, strlen(s), -1, e, DYN_NONE, 0 };
	f->w += draw_width(s);
}

static void
fld_dyn(struct vt_field *f, enum vt_dyn dyn, int64_t when, enum tui_elem e)
{
	char	 s[64];

	fld_text(f, "", e);
	f->seg[f->n - 1].dyn = dyn;
	f->seg[f->n - 1].when = when;
	vt_dyn_text(dyn, when, time_now_ms(), e, s, sizeof s);
	f->w += draw_width(s);
}

/*
 * Lay fields out left to right with sep between them, starting new lines
 * (cont cells in) when the next one would not fit the width.
 */
static void
vt_flow(struct vt *vt, struct vt_field *f, size_t n, const char *sep,
    int cont, enum vt_kind kind, ssize_t msg)
{
	size_t	 i;
	int	 j, indent = 0, x = 0, sw = draw_width(sep);

	vt_line_add(vt, kind, msg);
	for (i = 0; i < n; i++) {
		if (f[i].n == 0)
			continue;
		if (x > indent && x + sw + f[i].w > vt->width) {
			vt_line_add(vt, kind == LINE_HEADING ? LINE_THREAD :
			    kind, msg);
			x = indent = cont;
		}
		/* Later fields follow on, so a clock that grows pushes them. */
		if (x > indent) {
			vt_text(vt, -1, sep, strlen(sep), EL_DIM);
			x += sw;
		}
		for (j = 0; j < f[i].n; j++) {
			f[i].seg[j].x = j == 0 && x == indent ? x : -1;
			vt_seg_add(vt, &f[i].seg[j]);
		}
		x += f[i].w;
	}
}

static enum tui_elem
vt_prio_elem(int p)
{
	static const enum tui_elem e[] = {
		EL_PRIO_LOW, EL_PRIO_NORMAL, EL_PRIO_HIGH, EL_PRIO_URGENT
	};

	return (p >= 0 && p < 4 ? e[p] : EL_NORMAL);
}

/* An SLA field: the due time, then its countdown or what became of it. */
static void
vt_sla_field(struct vt *vt, struct vt_field *f, const char *label,
    int64_t due, int64_t done, const char *met, const char *late)
{
	const struct ticket	*tk = &vt->d->t;
	char			 date[64];

	if (due == 0)
		return;
	fld_text(f, label, EL_LABEL);
	time_format_date(due, TIME_DATE_HOURS | TIME_DATE_UTC, date,
	    sizeof date);
	fld_text(f, vt_keep(vt, xprintf("%s ", date)), EL_NORMAL);
	if (done != 0)
		fld_text(f, done > due ? late : met, done > due ?
		    EL_SLA_BREACHED : EL_SLA_OK);
	else if (tk->status == TICKET_NEW || tk->status == TICKET_OPEN)
		fld_dyn(f, DYN_DUE, due, EL_SLA_OK);
	else
		fld_text(f, tk->status == TICKET_PENDING ||
		    tk->status == TICKET_ON_HOLD ? _("paused") : _("stopped"),
		    EL_DIM);
}

/* The header: subject, then the ticket's fields flowed to the width. */
static void
vt_build_header(struct vt *vt)
{
	const struct ticket	*tk = &vt->d->t;
	struct vt_field		 f[12];
	const char		*s = tk->subject != NULL ? tk->subject : "";
	size_t			 len = strlen(s), off = 0, n, next;
	char			*tags;
	int			 i = 0;

	do {
		n = draw_wrap(s + off, len - off, vt->width, &next);
		vt_line_add(vt, LINE_HEADER, -1);
		vt_text(vt, 0, s + off, n, EL_HEADER);
		off += next;
	} while (off < len);

	memset(f, 0, sizeof f);
	fld_text(&f[i++], tk->number != 0 ? vt_keep(vt, xprintf("#%lld",
	    (long long)tk->number)) : _("new"), EL_HEADER);
	fld_text(&f[i], _("Status "), EL_LABEL);
	fld_text(&f[i++], ticket_status_label(tk->status), EL_NORMAL);
	fld_text(&f[i], _("Priority "), EL_LABEL);
	fld_text(&f[i++], ticket_priority_label(tk->priority),
	    vt_prio_elem(tk->priority));
	fld_text(&f[i], _("Customer "), EL_LABEL);
	fld_text(&f[i], tk->customer != NULL ? tk->customer : "-", EL_NORMAL);
	if (tk->customer_email != NULL)
		fld_text(&f[i], vt_keep(vt, xprintf(" <%s>",
		    tk->customer_email)), EL_DIM);
	i++;
	fld_text(&f[i], _("Assignee "), EL_LABEL);
	if (tk->assignee != NULL || tk->assignee_id != NULL)
		fld_text(&f[i++], tk->assignee != NULL ? tk->assignee :
		    tk->assignee_id, EL_NORMAL);
	else
		fld_text(&f[i++], _("unassigned"), EL_DIM);
	fld_text(&f[i], _("Team "), EL_LABEL);
	fld_text(&f[i++], tk->team != NULL ? tk->team : tk->team_id != NULL ?
	    tk->team_id : "-", EL_NORMAL);
	fld_text(&f[i], _("Category "), EL_LABEL);
	fld_text(&f[i++], tk->category != NULL ? tk->category : "-", EL_NORMAL);
	fld_text(&f[i], _("Tags "), EL_LABEL);
	tags = tags_text(tk->tags);
	fld_text(&f[i++], tags != NULL ? vt_keep(vt, tags) : "-", EL_NORMAL);
	vt_sla_field(vt, &f[i++], _("First response "), tk->first_response_due,
	    tk->first_response_at, _("responded"), _("responded late"));
	vt_sla_field(vt, &f[i++], _("Resolution "), tk->resolution_due,
	    tk->solved_at, _("solved"), _("solved late"));
	if (tk->escalation > 0) {
		fld_text(&f[i], _("Escalation "), EL_LABEL);
		fld_text(&f[i++], vt_keep(vt, xprintf(_("level %d"),
		    tk->escalation)), EL_PRIO_URGENT);
	}
	if (tk->merged_into != NULL) {
		fld_text(&f[i], _("Merged into "), EL_LABEL);
		fld_text(&f[i++], tk->merged_into, EL_NORMAL);
	}
	vt_flow(vt, f, (size_t)i, "   ", 0, LINE_HEADER, -1);
	vt_line_add(vt, LINE_HEADER, -1);
}

/* A user or team id as its name, where the ticket knows it; else as is. */
static const char *
vt_name(struct vt *vt, const char *id)
{
	const struct ticket_detail	*d = vt->d;
	size_t				 i;

	if (id == NULL)
		return (_("none"));
	if (d->t.assignee_id != NULL && d->t.assignee != NULL &&
	    strcmp(id, d->t.assignee_id) == 0)
		return (d->t.assignee);
	if (d->t.team_id != NULL && d->t.team != NULL &&
	    strcmp(id, d->t.team_id) == 0)
		return (d->t.team);
	for (i = 0; i < d->nmessages; i++)
		if (d->messages[i].author_id != NULL &&
		    d->messages[i].author_name != NULL &&
		    strcmp(id, d->messages[i].author_id) == 0)
			return (d->messages[i].author_name);
	return (id);
}

/* An event's old or new value, readable. */
static const char *
vt_event_value(struct vt *vt, const char *field, const char *value)
{
	char	*tags;
	int	 n;

	if (value == NULL || *value == '\0')
		return (_("none"));
	if (strcmp(field, "status") == 0 &&
	    (n = ticket_status_parse(value)) >= 0)
		return (ticket_status_label(n));
	if (strcmp(field, "priority") == 0 &&
	    (n = ticket_priority_parse(value)) >= 0)
		return (ticket_priority_label(n));
	if (strcmp(field, "assignee") == 0 || strcmp(field, "team") == 0)
		return (vt_name(vt, value));
	if (strcmp(field, "tags") == 0)
		return ((tags = tags_text(value)) != NULL ? vt_keep(vt, tags) :
		    _("none"));
	return (value);
}

/* An audit trail field as people read it ("status"; German "Status"). */
static const char *
vt_event_field(const char *f)
{
	static const struct {
		const char	*field;
		const char	*label;
	} labels[] = {
		{ "status", NC_("audit", "status") },
		{ "priority", NC_("audit", "priority") },
		{ "assignee", NC_("audit", "assignee") },
		{ "team", NC_("audit", "team") },
		{ "category", NC_("audit", "category") },
		{ "tags", NC_("audit", "tags") },
		{ "created", NC_("audit", "created") },
		{ "merged", NC_("audit", "merged") },
		{ "reply", NC_("audit", "reply") },
		{ "note", NC_("audit", "note") },
		{ "sla", NC_("audit", "SLA") },
		{ "escalation", NC_("audit", "escalation") },
	};
	size_t	 i;

	if (f == NULL)
		return ("?");
	for (i = 0; i < nitems(labels); i++)
		if (strcmp(f, labels[i].field) == 0)
			return (gettext_ctx_table("audit", labels[i].label));
	return (f);
}

/* One audit trail entry: "time · actor · field: old → new". */
static void
vt_build_event(struct view *v, const struct event *ev)
{
	struct vt	*vt = v->data;
	const char	*dot = draw_glyph(v->tui, "·", "|");
	const char	*s;
	char		 date[64];

	time_format_date(ev->created_at, TIME_DATE_HOURS, date, sizeof date);
	s = vt_keep(vt, xprintf("%s %s %s %s %s: %s %s %s", date, dot,
	    ev->actor != NULL ? ev->actor : _("system"), dot,
	    vt_event_field(ev->field),
	    vt_event_value(vt, ev->field != NULL ? ev->field : "",
	    ev->old_value), draw_glyph(v->tui, "→", "->"),
	    vt_event_value(vt, ev->field != NULL ? ev->field : "",
	    ev->new_value)));
	vt_line_add(vt, LINE_THREAD, -1);
	vt_text(vt, VT_GUTTER, s, strlen(s), EL_DIM);
}

/* A size as "512 B", "12.3 KiB", "4.0 MiB". */
static char *
vt_size(int64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double	 d = (double)n;
	size_t	 i = 0;

	if (n < 1024)
		return (xprintf("%lld B", (long long)n));
	d /= 1024;
	while (d >= 1024 && i + 1 < nitems(units)) {
		d /= 1024;
		i++;
	}
	return (xprintf("%.1f %s", d, units[i]));
}

/* The heading of message k: who, when, and where it stands. */
static void
vt_build_heading(struct view *v, size_t k, enum tui_elem e)
{
	struct vt		*vt = v->data;
	const struct message	*m = &vt->d->messages[k];
	struct vt_field		 f[6];
	char			 date[64];
	int			 i = 0;

	memset(f, 0, sizeof f);
	if (strcmp(m->author, "customer") == 0)
		fld_text(&f[i++], _("customer"), e);
	else if (strcmp(m->author, "agent") == 0)
		fld_text(&f[i++], m->internal ? _("internal note") :
		    _("agent"), e);
	else if (strcmp(m->author, "system") == 0)
		fld_text(&f[i++], _("system"), e);
	else
		fld_text(&f[i++], m->author, e);
	if (m->author_name != NULL || m->author_id != NULL)
		fld_text(&f[i++], m->author_name != NULL ? m->author_name :
		    m->author_id, EL_HEADER);
	time_format_date(m->created_at, TIME_DATE_HOURS | TIME_DATE_UTC,
	    date, sizeof date);
	fld_dyn(&f[i], DYN_AGO, m->created_at, EL_NORMAL);
	fld_text(&f[i++], vt_keep(vt, xprintf(" (%s)", date)), EL_DIM);
	/* Which version of the playbook a macro's text came from. */
	if (m->macro_commit != NULL)
		fld_text(&f[i++], vt_keep(vt, xprintf(_("macro %.12s"),
		    m->macro_commit)), EL_DIM);
	if (m->delivery != NULL && strcmp(m->author, "agent") == 0 &&
	    !m->internal) {
		if (strcmp(m->delivery, "failed") == 0)
			fld_text(&f[i++], vt_keep(vt, m->delivery_reason !=
			    NULL ? xprintf(_("failed: %s"),
			    m->delivery_reason) : xstrdup(_("failed"))),
			    EL_ERROR);
		else if (strcmp(m->delivery, "queued") == 0 &&
		    m->delivery_reason != NULL)
			/* Still to go: the mail server's last answer. */
			fld_text(&f[i++], vt_keep(vt, xprintf(_("queued, to "
			    "retry: %s"), m->delivery_reason)), EL_PENDING);
		else
			fld_text(&f[i++], strcmp(m->delivery, "sent") == 0 ?
			    _("sent") : strcmp(m->delivery, "queued") == 0 ?
			    _("queued") : m->delivery, EL_DIM);
	}
	switch (m->state) {
	case SYNC_PENDING:
		fld_text(&f[i++], vt_keep(vt, xprintf("%s %s",
		    draw_glyph(v->tui, "↑", "^"), C_("sync", "pending"))),
		    EL_PENDING);
		break;
	case SYNC_REJECTED:
		fld_text(&f[i++], vt_keep(vt, m->reason != NULL ?
		    xprintf(_("! rejected: %s"), m->reason) :
		    xstrdup(_("! rejected"))), EL_REJECTED);
		break;
	case SYNC_CONFLICT:
		fld_text(&f[i++], _("! conflict"), EL_REJECTED);
		break;
	default:
		break;
	}
	vt_flow(vt, f, (size_t)i, vt_keep(vt, xprintf(" %s ",
	    draw_glyph(v->tui, "·", "|"))), VT_GUTTER, LINE_HEADING,
	    (ssize_t)k);
}

/* Message k: heading, body wrapped to the width, then attachments. */
static void
vt_build_message(struct view *v, size_t k)
{
	struct vt		*vt = v->data;
	const struct message	*m = &vt->d->messages[k];
	const struct attachment	*a;
	const char		*bar = draw_glyph(v->tui, "│", "|"), *s;
	enum tui_elem		 e;
	size_t			 len, off = 0, n, next, i;

	if (strcmp(m->author, "customer") == 0)
		e = EL_CUSTOMER;
	else if (strcmp(m->author, "agent") == 0)
		e = m->internal ? EL_NOTE : EL_AGENT;
	else
		e = EL_SYSTEM;
	vt_build_heading(v, k, e);

	/* The body, without trailing blank lines. */
	s = m->body;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (off < len) {
		n = draw_wrap(s + off, len - off, vt->width - VT_GUTTER >
		    VT_TEXT_MAX ? VT_TEXT_MAX : vt->width - VT_GUTTER, &next);
		vt_line_add(vt, LINE_THREAD, (ssize_t)k);
		vt_text(vt, 0, bar, strlen(bar), e);
		if (n > 0 && s[off + n - 1] == '\r')
			n--;
		vt_text(vt, VT_GUTTER, s + off, n, EL_NORMAL);
		off += next;
	}

	for (i = 0; vt->attachments && i < vt->d->nattachments; i++) {
		a = &vt->d->attachments[i];
		if (strcmp(a->message_id, m->id) != 0)
			continue;
		vt_line_add(vt, LINE_THREAD, (ssize_t)k);
		vt_text(vt, 0, bar, strlen(bar), e);
		s = _("attachment ");
		vt_text(vt, VT_GUTTER, s, strlen(s), EL_LABEL);
		vt_text(vt, -1, a->name, strlen(a->name), EL_NORMAL);
		s = vt_keep(vt, xprintf("  %s, %s", a->mime, vt_keep(vt,
		    vt_size(a->size))));
		vt_text(vt, -1, s, strlen(s), EL_DIM);
	}
	vt_line_add(vt, LINE_THREAD, -1);
}

/* Build every line for the current width, toggles and data. */
static void
vt_build(struct view *v)
{
	struct vt		*vt = v->data;
	const struct ticket_detail *d = vt->d;
	const char		*s;
	size_t			 k, n, ev = 0;

	vt_lines_free(vt);
	vt->width = COLS > 1 ? COLS : 1;
	vt_build_header(vt);
	for (k = 0; k < d->nmessages; k++) {
		for (n = 0; vt->events && ev < d->nevents &&
		    d->events[ev].created_at <= d->messages[k].created_at; n++)
			vt_build_event(v, &d->events[ev++]);
		if (n > 0)
			vt_line_add(vt, LINE_THREAD, -1);
		vt_build_message(v, k);
	}
	while (vt->events && ev < d->nevents)
		vt_build_event(v, &d->events[ev++]);
	if (d->nmessages == 0) {
		s = _("No messages.");
		vt_line_add(vt, LINE_THREAD, -1);
		vt_text(vt, VT_GUTTER, s, strlen(s), EL_DIM);
	}
}

/* The line where message id starts, or -1. */
static ssize_t
vt_find_message(struct vt *vt, const char *id)
{
	size_t	 i;

	for (i = 0; i < vt->nlines; i++)
		if (vt->lines[i].kind == LINE_HEADING &&
		    strcmp(vt->d->messages[vt->lines[i].msg].id, id) == 0)
			return ((ssize_t)i);
	return (-1);
}

static size_t
vt_max_top(struct vt *vt)
{
	size_t	 rows = (size_t)TUI_VIEW_ROWS;

	return (vt->nlines > rows ? vt->nlines - rows : 0);
}

/*
 * Rebuild, keeping the top of the screen on the same message: remember
 * the message heading at or above the top and how far below it we are.
 * Call with the old lines and data still valid; swap data in via d.
 */
static void
vt_rebuild(struct view *v, struct ticket_detail *d)
{
	struct vt	*vt = v->data;
	char		 anchor[UUID_STRLEN + 1];
	size_t		 i, off = 0, nmsg = vt->d != NULL ? vt->d->nmessages : 0;
	ssize_t		 at;
	int		 have = 0, follow;

	/* At the end of the thread, stay at the end: a new message shows. */
	follow = vt->nlines > 0 && vt->top >= vt_max_top(vt);
	for (i = vt->top + 1; i-- > 0 && i < vt->nlines;) {
		if (vt->lines[i].kind == LINE_HEADING) {
			snprintf(anchor, sizeof anchor, "%s",
			    vt->d->messages[vt->lines[i].msg].id);
			off = vt->top - i;
			have = 1;
			break;
		}
	}
	if (d != NULL) {
		vt_lines_free(vt);
		ticket_detail_free(vt->d);
		vt->d = d;
	}
	vt_build(v);
	if (have && (at = vt_find_message(vt, anchor)) >= 0)
		vt->top = (size_t)at + off;
	if (vt->d->nmessages > nmsg && nmsg > 0) {
		if (follow)
			vt->top = vt_max_top(vt);
		else
			tui_notice(v->tui, "%s", _("a new message below (G to "
			    "see it)"));
	}
	if (vt->top > vt_max_top(vt))
		vt->top = vt_max_top(vt);
}

static int
vt_open(struct view *v, const void *arg, char **cause)
{
	const struct view_ticket_arg	*ta = arg;
	struct vt			*vt;
	struct ticket_detail		*d;
	ssize_t				 at;
	int				 rc;

	if (ta == NULL || ta->ticket_id == NULL) {
		*cause = xstrdup(_("no ticket"));
		return (-1);
	}
	rc = replica_ticket_get(v->tui->r, 0, ta->ticket_id, &d, cause);
	if (rc == REPLICA_NOTFOUND)
		*cause = xstrdup(_("no such ticket"));
	if (rc != 0)
		return (-1);
	vt = xcalloc(1, sizeof *vt);
	v->data = vt;
	snprintf(vt->id, sizeof vt->id, "%s", d->t.id);
	vt->d = d;
	vt->attachments = 1;
	vt_build(v);
	if (ta->message_id != NULL &&
	    (at = vt_find_message(vt, ta->message_id)) >= 0)
		vt->top = (size_t)at < vt_max_top(vt) ? (size_t)at :
		    vt_max_top(vt);
	return (0);
}

static void
vt_close(struct view *v)
{
	struct vt	*vt = v->data;

	vt_lines_free(vt);
	ticket_detail_free(vt->d);
	free(vt);
}

/* The title: "triage — #N subject", the subject cut to leave room. */
static void
vt_title(struct view *v)
{
	struct vt		*vt = v->data;
	const struct ticket	*tk = &vt->d->t;
	struct buf		 b = BUF_INIT;
	const char		*s = tk->subject != NULL ? tk->subject : "";
	int			 room;

	buf_printf(&b, "triage %s ", draw_glyph(v->tui, "—", "-"));
	if (tk->number != 0)
		buf_printf(&b, "#%lld ", (long long)tk->number);
	else
		buf_printf(&b, "%s ", _("new"));
	room = (COLS * 2) / 3 - draw_width(buf_cstr(&b));
	if (draw_width(s) > (room > 10 ? room : 10)) {
		sanitize_fit(&b, s, strlen(s), (room > 10 ? room : 10) - 1,
		    v->tui->ascii ? SANITIZE_ASCII : 0);
		buf_puts(&b, draw_glyph(v->tui, "…", "~"));
	} else
		buf_puts(&b, s);
	draw_title(v->tui, buf_cstr(&b));
	buf_free(&b);
}

/* Draw the segments of one line at screen row y. */
static void
vt_draw_line(const struct vt *vt, int y, const struct vt_line *l, int64_t now)
{
	const struct vt_seg	*sg;
	enum tui_elem		 e;
	char			 s[64];
	size_t			 i;
	int			 x = 0;

	for (i = 0; i < l->nseg; i++) {
		sg = &vt->segs[l->seg + i];
		if (sg->x >= 0)
			x = sg->x;
		if (x >= COLS)
			break;
		if (sg->dyn != DYN_NONE) {
			e = vt_dyn_text(sg->dyn, sg->when, now, sg->e, s,
			    sizeof s);
			x += draw_text(y, x, s, COLS - x, e);
		} else
			x += draw_text_n(y, x, sg->s, sg->len, COLS - x, sg->e);
	}
}

static void
vt_draw(struct view *v)
{
	struct vt	*vt = v->data;
	struct tui	*t = v->tui;
	size_t		 i;
	int		 y;
	int64_t		 now = time_now_ms();

	if (vt->gone && t->top == v) {
		/* The ticket went away: go back to what was below. */
		tui_pop(t);
		if (t->top != NULL)
			t->top->ops->draw(t->top);
		return;
	}
	if (vt->width != (COLS > 1 ? COLS : 1))
		vt_rebuild(v, NULL);
	if (vt->top > vt_max_top(vt))
		vt->top = vt_max_top(vt);
	vt_title(v);
	for (i = vt->top, y = TUI_VIEW_TOP; i < vt->nlines &&
	    y < TUI_VIEW_TOP + TUI_VIEW_ROWS; i++, y++)
		vt_draw_line(vt, y, &vt->lines[i], now);
}

/* Scroll so the next (dir 1) or previous (-1) message heading is on top. */
static void
vt_jump(struct view *v, int dir)
{
	struct vt	*vt = v->data;
	size_t		 i;

	if (dir > 0) {
		for (i = vt->top + 1; i < vt->nlines; i++)
			if (vt->lines[i].kind == LINE_HEADING)
				break;
		if (i >= vt->nlines || vt->top >= vt_max_top(vt)) {
			tui_notice(v->tui, "%s", _("no more messages"));
			return;
		}
	} else {
		for (i = vt->top; i-- > 0;)
			if (vt->lines[i].kind == LINE_HEADING)
				break;
		if (i == (size_t)-1) {
			vt->top = 0;
			return;
		}
	}
	vt->top = i < vt_max_top(vt) ? i : vt_max_top(vt);
}

static int
vt_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vt	*vt = v->data;
	size_t		 page = TUI_VIEW_ROWS > 2 ? (size_t)TUI_VIEW_ROWS - 1 : 1;
	size_t		 max = vt_max_top(vt);

	(void)key;
	(void)code;
	switch (act) {
	case ACT_DOWN:
		if (vt->top < max)
			vt->top++;
		break;
	case ACT_UP:
		if (vt->top > 0)
			vt->top--;
		break;
	case ACT_PAGE_DOWN:
		vt->top = vt->top + page < max ? vt->top + page : max;
		break;
	case ACT_PAGE_UP:
		vt->top = vt->top > page ? vt->top - page : 0;
		break;
	case ACT_TOP:
		vt->top = 0;
		break;
	case ACT_BOTTOM:
		vt->top = max;
		break;
	case ACT_NEXT_MESSAGE:
		vt_jump(v, 1);
		break;
	case ACT_PREV_MESSAGE:
		vt_jump(v, -1);
		break;
	case ACT_EVENTS:
		vt->events = !vt->events;
		vt_rebuild(v, NULL);
		tui_notice(v->tui, "%s", vt->events ? _("audit trail shown") :
		    _("audit trail hidden"));
		break;
	case ACT_ATTACHMENTS:
		vt->attachments = !vt->attachments;
		vt_rebuild(v, NULL);
		tui_notice(v->tui, "%s", vt->attachments ?
		    _("attachments shown") : _("attachments hidden"));
		break;
	case ACT_CUSTOMER:
		if (vt->d->t.customer_id == NULL)
			tui_error(v->tui, "%s", _("this ticket has no customer"));
		else
			tui_push(v->tui, &view_customer_ops,
			    vt->d->t.customer_id);
		break;
	default:
		return (VIEW_UNHANDLED);
	}
	return (VIEW_HANDLED | VIEW_REDRAW);
}

/* The replica changed: read the ticket again, staying on the same message. */
static void
vt_reload(struct view *v)
{
	struct vt		*vt = v->data;
	struct ticket_detail	*d;
	char			*cause = NULL;
	int			 rc;

	if (vt->gone)
		return;
	rc = replica_ticket_get(v->tui->r, 0, vt->id, &d, &cause);
	if (rc == REPLICA_NOTFOUND) {
		vt->gone = 1;
		if (vt->d->t.number != 0)
			tui_notice(v->tui, _("ticket #%lld is gone"),
			    (long long)vt->d->t.number);
		else
			tui_notice(v->tui, "%s", _("the ticket is gone"));
		return;
	}
	if (rc != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
		return;
	}
	vt_rebuild(v, d);
}

/* For the status bar: the message at the top of the screen, of how many. */
static void
vt_position(struct view *v, char *out, size_t len)
{
	struct vt	*vt = v->data;
	size_t		 i, k = 0;

	for (i = 0; i < vt->nlines && (i <= vt->top || k == 0); i++)
		if (vt->lines[i].kind == LINE_HEADING)
			k = (size_t)vt->lines[i].msg + 1;
	snprintf(out, len, _("message %zu/%zu"), k, vt->d->nmessages);
}

static const char *
vt_current(struct view *v)
{
	struct vt	*vt = v->data;

	return (vt->gone ? NULL : vt->id);
}

const struct view_ops view_ticket_ops = {
	.name = "ticket",
	.ctx = CTX_TICKET,
	.open = vt_open,
	.draw = vt_draw,
	.key = vt_key,
	.reload = vt_reload,
	.close = vt_close,
	.current_ticket = vt_current,
	.position = vt_position,
};
