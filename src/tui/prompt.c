/* prompt.c: one line of input on the message line; confirmations and choices. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "tui-int.h"

#define CTRL(c)	((c) & 0x1f)

/*
 * Read one key, waiting for it: 1 for a curses KEY_ code, 0 for a
 * character, -1 when a signal interrupted the wait and no key came (the
 * main loop must see it: SIGTERM while a prompt is open still quits).
 */
static int
prompt_key(wint_t *key)
{
	struct pollfd	 pfd;
	int		 rc, intr;

	for (;;) {
		if ((rc = get_wch(key)) != ERR)
			return (rc == KEY_CODE_YES);
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, -1);
		if (rc == -1 && errno != EINTR)
			return (-1);
		if (rc > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			return (-1);
		intr = rc == -1;
		if ((rc = get_wch(key)) != ERR)
			return (rc == KEY_CODE_YES);
		if (intr)
			return (-1);
	}
}

/*
 * Draw the prompt: label, then the text scrolled so the cursor shows; the
 * erroneous token (1-based character column, length) is underlined in the
 * error colour.
 */
static void
prompt_draw(const char *label, struct editbuf *e, int ecol, int elen)
{
	const char	*s = editbuf_text(e);
	size_t		 off = 0, i, len = strlen(s);
	int		 x, lw, cw, avail, col, n;
	uint32_t	 c;

	draw_fill(LINES - 1, 0, COLS, EL_NORMAL);
	lw = draw_text(LINES - 1, 0, label, COLS / 2, EL_MESSAGE);
	avail = COLS - lw - 1;
	/* Scroll: drop whole characters from the left until it fits. */
	while (sanitize_width_str(s + off, e->cursor - off) > avail &&
	    off < e->cursor)
		off = utf8_next(s, len, off);
	x = lw;
	col = 1;
	for (i = 0; i < off; col++)
		i += (size_t)utf8_decode(s + i, len - i, &c);
	cw = lw + sanitize_width_str(s + off, e->cursor - off);
	for (i = off; i < len && x < COLS; col++) {
		n = utf8_decode(s + i, len - i, &c);
		x += draw_text_n(LINES - 1, x, s + i, (size_t)n, COLS - x,
		    ecol > 0 && col >= ecol && col < ecol + (elen > 0 ? elen :
		    1) ? EL_ERROR : EL_NORMAL);
		i += (size_t)n;
	}
	if (ecol > 0 && ecol >= col && x < COLS)
		draw_text(LINES - 1, x, "_", 1, EL_ERROR);
	move(LINES - 1, cw < COLS ? cw : COLS - 1);
}

/* Apply one editing key; 1 if it was an editing key. */
int
prompt_edit(struct editbuf *e, wint_t key, int code)
{
	if (code) {
		switch (key) {
		case KEY_BACKSPACE:
			editbuf_backspace(e);
			return (1);
		case KEY_DC:
			editbuf_delete(e);
			return (1);
		case KEY_LEFT:
			editbuf_left(e);
			return (1);
		case KEY_RIGHT:
			editbuf_right(e);
			return (1);
		case KEY_HOME:
			editbuf_home(e);
			return (1);
		case KEY_END:
			editbuf_end(e);
			return (1);
		}
		return (0);
	}
	switch (key) {
	case 0x7f:
	case CTRL('h'):
		editbuf_backspace(e);
		return (1);
	case CTRL('d'):
		editbuf_delete(e);
		return (1);
	case CTRL('b'):
		editbuf_left(e);
		return (1);
	case CTRL('f'):
		editbuf_right(e);
		return (1);
	case CTRL('a'):
		editbuf_home(e);
		return (1);
	case CTRL('e'):
		editbuf_end(e);
		return (1);
	case CTRL('u'):
		editbuf_kill_bol(e);
		return (1);
	case CTRL('k'):
		editbuf_kill_line(e);
		return (1);
	case CTRL('w'):
		editbuf_kill_word(e);
		return (1);
	}
	if (key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
		editbuf_insert(e, (uint32_t)key);
		return (1);
	}
	return (0);
}

/*
 * Read a line on the message line, starting from init. Returns PROMPT_OK
 * with *out (Caller frees), or PROMPT_CANCEL on Escape or ^G.
 */
int
prompt_read(struct tui *t, const char *label, const char *init,
    const struct prompt_hooks *hooks, char **out)
{
	struct editbuf	 e;
	wint_t		 key;
	char		*msg = NULL;
	int		 code, ecol = 0, elen = 0, rc = PROMPT_CANCEL, bad = 0;
	int64_t		 t0;

	editbuf_init(&e, init);
	curs_set(1);
	for (;;) {
		if (hooks != NULL && hooks->check != NULL) {
			free(msg);
			msg = NULL;
			ecol = elen = 0;
			bad = hooks->check(hooks->arg, editbuf_text(&e), &ecol,
			    &elen, &msg) != 0;
		}
		if (bad && msg != NULL) {
			draw_fill(LINES - 2, 0, COLS, EL_ERROR);
			draw_text(LINES - 2, 0, msg, COLS, EL_ERROR);
		} else
			draw_status(t);
		prompt_draw(label, &e, bad ? ecol : 0, elen);
		refresh();
		if ((code = prompt_key(&key)) < 0)
			break;
		t0 = time_mono_ns();
		if (code && key == KEY_RESIZE) {
			tui_repaint(t);
			continue;
		}
		if ((!code && (key == '\r' || key == '\n')) ||
		    (code && key == KEY_ENTER)) {
			if (bad) {
				if (t->bell)
					beep();
				continue;
			}
			*out = xstrdup(editbuf_text(&e));
			rc = PROMPT_OK;
			tui_trace(t, "key code=%lu ms=%.3f", (unsigned long)key,
			    (double)(time_mono_ns() - t0) / 1e6);
			break;
		}
		if (!code && (key == 0x1b || key == CTRL('g') ||
		    key == CTRL('c')))
			break;
		prompt_edit(&e, key, code);
		tui_trace(t, "key code=%lu ms=%.3f", (unsigned long)key,
		    (double)(time_mono_ns() - t0) / 1e6);
	}
	free(msg);
	editbuf_free(&e);
	curs_set(0);
	t->dirty = 1;
	return (rc);
}

/*
 * Is key a yes? "y" always (fingers learn it), and the language's own
 * key, the one its "(y/n)" shows ("j" in German).
 */
static int
prompt_is_yes(wint_t key)
{
	/* TRANSLATORS: one letter, the one your "(y/n)" questions show. */
	const char	*yes = C_("the key for yes in (y/n)", "y");
	wchar_t		 wc;
	mbstate_t	 ps;

	if (key == 'y' || key == 'Y')
		return (1);
	memset(&ps, 0, sizeof ps);
	if (mbrtowc(&wc, yes, strlen(yes), &ps) > (size_t)-3 || wc == 0)
		return (0);
	return (towlower(key) == towlower((wint_t)wc));
}

/* Ask a yes/no question; 1 for yes. */
int
prompt_confirm(struct tui *t, const char *question)
{
	wint_t	 key;
	int	 code;

	draw_fill(LINES - 1, 0, COLS, EL_NORMAL);
	draw_text(LINES - 1, 0, question, COLS, EL_MESSAGE);
	refresh();
	code = prompt_key(&key);
	t->dirty = 1;
	return (code == 0 && prompt_is_yes(key));
}

/*
 * Offer up to nine choices as "1:open 2:pending ..."; a digit picks one.
 * Returns PROMPT_OK with *idx, or PROMPT_CANCEL.
 */
int
prompt_choose(struct tui *t, const char *label, const char *const *choices,
    size_t n, int *idx)
{
	struct buf	 b = BUF_INIT;
	wint_t		 key;
	size_t		 i;
	int		 code;

	buf_printf(&b, "%s ", label);
	for (i = 0; i < n && i < 9; i++)
		buf_printf(&b, " %zu:%s", i + 1, choices[i]);
	draw_fill(LINES - 1, 0, COLS, EL_NORMAL);
	draw_text(LINES - 1, 0, buf_cstr(&b), COLS, EL_MESSAGE);
	refresh();
	buf_free(&b);
	code = prompt_key(&key);
	t->dirty = 1;
	if (code == 0 && key >= '1' && key < '1' + (wint_t)(n < 9 ? n : 9)) {
		*idx = (int)(key - '1');
		return (PROMPT_OK);
	}
	return (PROMPT_CANCEL);
}
