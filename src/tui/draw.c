/* draw.c: drawing primitives; every string from data reaches curses only through here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/*
 * Sanitiser flags for everything drawn: SANITIZE_ASCII when the terminal is
 * not UTF-8. Set once by theme_init() from the console's state.
 */
static int	draw_flags;

/* Use ASCII fallbacks for data and glyphs. */
void
draw_set_ascii(int ascii)
{
	draw_flags = ascii ? SANITIZE_ASCII : 0;
}

static void
draw_attr_on(enum tui_elem e)
{
	attr_set(theme_attr(e), theme_pair(e), NULL);
}

/*
 * Draw len bytes of s at (y, x), sanitised and cut to cols cells.
 * Returns the cells used.
 */
int
draw_text_n(int y, int x, const char *s, size_t len, int cols, enum tui_elem e)
{
	struct buf	 b = BUF_INIT;
	size_t		 used;

	if (cols <= 0 || y < 0 || y >= LINES || x >= COLS)
		return (0);
	if (x + cols > COLS)
		cols = COLS - x;
	used = sanitize_fit(&b, s != NULL ? s : "", s != NULL ? len : 0, cols,
	    draw_flags);
	draw_attr_on(e);
	mvaddnstr(y, x, buf_cstr(&b), (int)b.len);
	attr_set(A_NORMAL, 0, NULL);
	buf_free(&b);
	return ((int)used);
}

/* Draw a string, sanitised and cut to cols cells. Returns cells used. */
int
draw_text(int y, int x, const char *s, int cols, enum tui_elem e)
{
	return (draw_text_n(y, x, s, s != NULL ? strlen(s) : 0, cols, e));
}

/* Fill cols cells from (y, x) with blanks in an element's colours. */
void
draw_fill(int y, int x, int cols, enum tui_elem e)
{
	if (y < 0 || y >= LINES || x >= COLS || cols <= 0)
		return;
	if (x + cols > COLS)
		cols = COLS - x;
	draw_attr_on(e);
	mvhline(y, x, ' ', cols);
	attr_set(A_NORMAL, 0, NULL);
}

/*
 * Draw a search snippet whose matches are between SEARCH_MARK_ON and
 * SEARCH_MARK_OFF, matches in the `hit` element. Returns cells used.
 */
int
draw_marked(int y, int x, const char *s, int cols, enum tui_elem e,
    enum tui_elem hit)
{
	const char	*p = s, *q;
	int		 used = 0, in = 0;

	while (p != NULL && *p != '\0' && used < cols) {
		q = p + strcspn(p, "\001\002");
		used += draw_text_n(y, x + used, p, (size_t)(q - p),
		    cols - used, in ? hit : e);
		if (*q == '\0')
			break;
		in = *q == SEARCH_MARK_ON;
		p = q + 1;
	}
	return (used);
}

/* The display width of data text once sanitised. */
int
draw_width(const char *s)
{
	struct buf	 b = BUF_INIT;
	int		 w;

	w = (int)sanitize_fit(&b, s, strlen(s), 1 << 20, draw_flags);
	buf_free(&b);
	return (w);
}

/*
 * Find the next line of s (len bytes) that fits width cells, breaking at a
 * space where possible. Returns the bytes to draw; *next is where the
 * following line starts (past the break and a newline).
 */
size_t
draw_wrap(const char *s, size_t len, int width, size_t *next)
{
	size_t		 i = 0, brk = 0, n;
	uint32_t	 c;
	int		 w, used = 0;

	while (i < len) {
		if (s[i] == '\n') {
			*next = i + 1;
			return (i);
		}
		n = (size_t)utf8_decode(s + i, len - i, &c);
		w = sanitize_is_forbidden(c) ? 1 : sanitize_width(c);
		if (w < 0)
			w = 1;
		if (used + w > width) {
			if (brk > 0) {
				*next = brk + 1;
				return (brk);
			}
			*next = i > 0 ? i : n;
			return (i > 0 ? i : n);
		}
		if (c == ' ')
			brk = i;
		used += w;
		i += n;
	}
	*next = len;
	return (len);
}

/*
 * Draw text s wrapped to width from row y, skipping its first skip rows
 * and drawing at most rows; with DRAW_FLAG_VARS a "{{ ... }}" left in it
 * (an unknown playbook variable) shows as an error. Returns the rows the
 * whole text takes.
 */
int
draw_body(int y, int x, int width, int rows, const char *s, int skip,
    int flags)
{
	size_t		 len = strlen(s), off = 0, n, next, i, seg;
	const char	*line, *p;
	int		 r = 0, in = 0, next_in, cx;

	if (width < 1)
		width = 1;
	while (off < len) {
		n = draw_wrap(s + off, len - off, width, &next);
		line = s + off;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		/* Segments in and out of a flagged variable. */
		for (i = 0, cx = x; i < n; i += seg, in = next_in) {
			next_in = in;
			seg = n - i;
			if ((flags & DRAW_FLAG_VARS) && !in &&
			    (p = memmem(line + i, n - i, "{{", 2)) != NULL) {
				seg = (size_t)(p - (line + i));
				next_in = 1;
			} else if ((flags & DRAW_FLAG_VARS) && in &&
			    (p = memmem(line + i, n - i, "}}", 2)) != NULL) {
				seg = (size_t)(p - (line + i)) + 2;
				next_in = 0;
			}
			if (seg > 0 && r >= skip && r < skip + rows)
				cx += draw_text_n(y + r - skip, cx, line + i,
				    seg, width - (cx - x), in ? EL_ERROR :
				    EL_NORMAL);
		}
		/* A variable does not go on past the end of a line. */
		if (next > 0 && line[next - 1] == '\n')
			in = 0;
		r++;
		off += next;
	}
	return (r);
}

/* A glyph in UTF-8, or its ASCII stand-in on other terminals. */
const char *
draw_glyph(struct tui *t, const char *utf8, const char *ascii)
{
	return (t->ascii ? ascii : utf8);
}

/* Clear the view's rows. */
void
draw_clear_view(void)
{
	int	 y;

	for (y = TUI_VIEW_TOP; y < TUI_VIEW_TOP + TUI_VIEW_ROWS; y++)
		draw_fill(y, 0, COLS, EL_NORMAL);
}

/*
 * The title bar: the view's title, then the saved views with their live
 * counts ("1:My open 12"), the current one highlighted, as many as fit.
 */
void
draw_title(struct tui *t, const char *title)
{
	char	 label[64];
	size_t	 i;
	int	 x;

	draw_fill(0, 0, COLS, EL_TITLE);
	x = draw_text(0, 0, title, COLS, EL_TITLE);
	x += 2;
	for (i = 0; i < t->views.n && i < 9 && x < COLS; i++) {
		snprintf(label, sizeof label, "%zu:", i + 1);
		x += draw_text(0, x, label, COLS - x, EL_TITLE);
		x += draw_text(0, x, saved_view_label(&t->views.v[i]), COLS - x,
		    i == t->current_view ? EL_TITLE_ACTIVE : EL_TITLE);
		if (t->view_counts[i] >= 0)
			snprintf(label, sizeof label, " %lld  ",
			    (long long)t->view_counts[i]);
		else
			snprintf(label, sizeof label, " %s  ",
			    draw_glyph(t, "…", "..."));
		x += draw_text(0, x, label, COLS - x, EL_TITLE);
	}
}

/*
 * The status bar: connection, pending and rejected changes, key hints, and
 * at the right the view's position ("12/340"), which the hints never hide.
 */
/* The link to the server, as the sync thread last told it. */
/* A progress bar of width cells, permille full (UTF-8 or ASCII). */
static const char *
draw_bar(struct tui *t, int permille, int width, char *out, size_t len)
{
	const char	*full = draw_glyph(t, "█", "#");
	const char	*empty = draw_glyph(t, "░", ".");
	size_t		 o = 0;
	int		 i, n = permille * width / 1000;

	out[0] = '\0';
	for (i = 0; i < width; i++) {
		const char *g = i < n ? full : empty;

		if (o + strlen(g) + 1 > len)
			break;
		memcpy(out + o, g, strlen(g) + 1);
		o += strlen(g);
	}
	return (out);
}

static int
draw_link(struct tui *t, int y, int right)
{
	const struct sync_status *st = &t->sync_st;
	char			 s[160], ago[32], bar[64];
	int			 el = EL_STATUS;
	int64_t			 now = time_now_ms();

	if (t->sync == NULL || st->state == SYNC_NOT_LOGGED_IN)
		snprintf(s, sizeof s, " %s", _("local replica (not logged in)"));
	else if (st->state == SYNC_CONNECTING)
		snprintf(s, sizeof s, " %s", _("connecting"));
	else if (st->state == SYNC_SYNCING && st->permille >= 0)
		snprintf(s, sizeof s, " %s %s %d%% (%lld %s)", _("syncing:"),
		    draw_bar(t, st->permille, 10, bar, sizeof bar),
		    st->permille / 10, (long long)st->rows, _("rows"));
	else if (st->state == SYNC_SYNCING)
		snprintf(s, sizeof s, " %s %lld %s", _("syncing:"),
		    (long long)st->rows, _("rows"));
	else if (st->state == SYNC_AUTH_FAILED) {
		snprintf(s, sizeof s, " %s", _("login refused: run triage "
		    "login again (changes are kept)"));
		el = EL_REJECTED;
	} else if (st->state == SYNC_OFFLINE) {
		time_format_relative(now - st->offline_since, ago, sizeof ago);
		snprintf(s, sizeof s, " %s %s", _("offline for"), ago);
		el = EL_PENDING;
	} else {
		time_format_relative(now - st->last_ok, ago, sizeof ago);
		if (now - st->last_ok < 60000)
			snprintf(s, sizeof s, " %s", _("online, synced just now"));
		else
			snprintf(s, sizeof s, _(" online, synced %s ago"), ago);
	}
	return (draw_text(y, 0, s, right, el));
}

void
draw_status(struct tui *t)
{
	char	 s[256], pos[64];
	int	 x, y = LINES - 2, right = COLS;

	if (y < 1)
		return;
	draw_fill(y, 0, COLS, EL_STATUS);
	if (t->top != NULL && t->top->ops->position != NULL) {
		t->top->ops->position(t->top, pos, sizeof pos);
		snprintf(s, sizeof s, " %s ", pos);
		right = COLS - draw_width(s);
		if (right < 0)
			right = 0;
		draw_text(y, right, s, COLS - right, EL_STATUS);
	}
	x = draw_link(t, y, right);
	snprintf(s, sizeof s, "  %s %lld %s", draw_glyph(t, "·", "|"),
	    (long long)t->pending, C_("sync", "pending"));
	x += draw_text(y, x, s, right - x, t->pending > 0 ? EL_PENDING :
	    EL_STATUS);
	if (t->rejected > 0) {
		snprintf(s, sizeof s, "  %s %lld %s", draw_glyph(t, "·", "|"),
		    (long long)t->rejected, _("rejected"));
		x += draw_text(y, x, s, right - x, EL_REJECTED);
	}
	if (t->conflicts > 0) {
		snprintf(s, sizeof s, "  %s %lld %s", draw_glyph(t, "·", "|"),
		    (long long)t->conflicts, _("conflict"));
		x += draw_text(y, x, s, right - x, EL_REJECTED);
	}
	if (t->unread > 0) {
		snprintf(s, sizeof s, "  %s %lld %s", draw_glyph(t, "·", "|"),
		    (long long)t->unread, _("new (!)"));
		x += draw_text(y, x, s, right - x, EL_PENDING);
	}
	if (t->away) {
		snprintf(s, sizeof s, "  %s %s", draw_glyph(t, "·", "|"),
		    _("away"));
		x += draw_text(y, x, s, right - x, EL_PENDING);
	}
	if (t->playbook_notice != NULL) {
		snprintf(s, sizeof s, "  %s %s ", draw_glyph(t, "·", "|"),
		    _("playbook:"));
		x += draw_text(y, x, s, right - x, EL_PENDING);
		x += draw_text(y, x, t->playbook_notice, (right - x) / 2,
		    EL_PENDING);
	}
	snprintf(s, sizeof s, "  %s %s", draw_glyph(t, "·", "|"),
	    _("? help  : command  q back"));
	draw_text(y, x, s, right - x - 1, EL_STATUS);
}

/* The message line: the last notice or error, if any. */
void
draw_message(struct tui *t)
{
	draw_fill(LINES - 1, 0, COLS, EL_NORMAL);
	if (t->message != NULL)
		draw_text(LINES - 1, 0, t->message, COLS,
		    t->message_error ? EL_ERROR : EL_MESSAGE);
}
