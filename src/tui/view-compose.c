/* view-compose.c: the composer: an inline editor for replies and notes, drafts kept in the replica. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui-int.h"

#define CTRL(c)		((c) & 0x1f)

/*
 * The composer reads its own keys until it is sent or put away, so it can
 * leave the terminal's cursor in the text (the main loop paints the
 * message line last). This key, pushed back when it opens, starts that.
 */
#define VCO_WAKE	KEY_F(63)

#define VCO_EDITOR_MAX	(1024 * 1024)	/* bytes read back from $EDITOR */
#define VCO_MIN_ROWS	10		/* editing rows before any context */
#define VCO_CONTEXT	5		/* lines of the customer's message */

struct vco {
	char		 ticket_id[UUID_STRLEN + 1];
	int		 internal;
	int64_t		 number;
	char		*subject;
	char		 seen[UUID_STRLEN + 1];	/* newest message at open */

	/* The customer's last message: context and ^Q. */
	char		*quote_name;
	char		*quote_body;
	int64_t		 quote_at;

	struct editbuf	 e;
	int		 changed;	/* edited since the draft was saved */
	int		 top;		/* first text row on screen */
	int		 height;	/* text rows at the last paint */
	int		 cy, cx;	/* where the cursor goes */
	char		*notice;	/* to show once the editor runs */
	char		*macro_commit;	/* a macro went in: its playbook commit */
};

static const char *
vco_kind(const struct vco *vc)
{
	return (vc->internal ? "note" : "reply");
}

static int
vco_flags(struct view *v)
{
	return (v->tui->ascii ? SANITIZE_ASCII : 0);
}

/* Put text in at the cursor, on a line of its own; from a macro if commit. */
static void
vco_insert(struct vco *vc, const char *text, const char *commit)
{
	if (vc->e.cursor > 0 && vc->e.text.data[vc->e.cursor - 1] != '\n')
		editbuf_insert(&vc->e, '\n');
	editbuf_insert_bytes(&vc->e, text, strlen(text));
	if (commit != NULL) {
		free(vc->macro_commit);
		vc->macro_commit = xstrdup(commit);
	}
	vc->changed = 1;
}

/* The macro picker chose: its text goes in where the cursor is. */
void
view_compose_insert(struct view *v, const char *text, const char *commit,
    const char *notice)
{
	struct vco	*vc = v->data;

	vco_insert(vc, text, commit);
	if (notice != NULL) {
		free(vc->notice);
		vc->notice = xstrdup(notice);
	}
}

/* The composer is on top again: it reads its own keys once more. */
void
view_compose_resume(struct view *v)
{
	(void)v;
	ungetch(VCO_WAKE);
}

static int
vco_open(struct view *v, const void *arg, char **cause)
{
	const struct view_compose_arg	*ca = arg;
	struct ticket_detail		*d;
	struct vco			*vc;
	const struct message		*m;
	char				*draft = NULL, *why = NULL;
	size_t				 i;
	int				 rc;

	if (ca == NULL || ca->ticket_id == NULL) {
		*cause = xstrdup(_("no ticket"));
		return (-1);
	}
	rc = replica_ticket_get(v->tui->r, 0, ca->ticket_id, &d, cause);
	if (rc == REPLICA_NOTFOUND)
		*cause = xstrdup(_("no such ticket"));
	if (rc != 0)
		return (-1);
	vc = xcalloc(1, sizeof *vc);
	v->data = vc;
	snprintf(vc->ticket_id, sizeof vc->ticket_id, "%s", d->t.id);
	vc->internal = ca->internal != 0;
	vc->number = d->t.number;
	vc->subject = xstrdup(d->t.subject != NULL ? d->t.subject : "");
	if (d->nmessages > 0)
		snprintf(vc->seen, sizeof vc->seen, "%s",
		    d->messages[d->nmessages - 1].id);
	for (i = d->nmessages; i-- > 0;) {
		m = &d->messages[i];
		if (strcmp(m->author, "customer") != 0 || m->internal)
			continue;
		vc->quote_name = xstrdup(m->author_name != NULL ?
		    m->author_name : _("the customer"));
		vc->quote_body = xstrdup(m->body);
		vc->quote_at = m->created_at;
		break;
	}
	ticket_detail_free(d);

	rc = replica_draft_load(v->tui->r, vc->ticket_id, vco_kind(vc), &draft,
	    &vc->macro_commit, &why);
	if (rc == -1) {
		log_warnx("%s", why);
		free(why);
	}
	editbuf_init(&vc->e, rc == 0 ? draft : "");
	if (rc == 0 && *draft != '\0')
		vc->notice = xstrdup(_("draft restored"));
	free(draft);
	if (ca->insert != NULL) {
		vc->e.cursor = vc->e.text.len;
		vco_insert(vc, ca->insert, ca->macro_commit);
	} else if (ca->macro_commit != NULL && vc->macro_commit == NULL)
		vc->macro_commit = xstrdup(ca->macro_commit);
	if (ca->notice != NULL) {
		free(vc->notice);
		vc->notice = xstrdup(ca->notice);
	}

	/* Every key is text here: ^Q and ^S and ^C too. */
	savetty();
	raw();
	ungetch(VCO_WAKE);
	return (0);
}

static void
vco_close(struct view *v)
{
	struct vco	*vc = v->data;

	/* Back to the console's modes, unless curses already ended (quit). */
	if (!isendwin()) {
		resetty();
		def_prog_mode();
		curs_set(0);
	}
	editbuf_free(&vc->e);
	free(vc->subject);
	free(vc->quote_name);
	free(vc->quote_body);
	free(vc->notice);
	free(vc->macro_commit);
	free(vc);
}

/* Save the draft if the text changed: one small upsert (or a delete). */
static void
vco_save(struct view *v)
{
	struct vco	*vc = v->data;
	struct tui	*t = v->tui;
	const char	*text = editbuf_text(&vc->e);
	char		*cause = NULL;
	int64_t		 t0 = time_mono_ns();
	int		 rc;

	if (!vc->changed)
		return;
	if (*text == '\0')
		rc = replica_draft_delete(t->r, vc->ticket_id, vco_kind(vc),
		    &cause);
	else
		rc = replica_draft_save(t->r, vc->ticket_id, vco_kind(vc),
		    text, vc->macro_commit, &cause);
	if (rc != 0) {
		tui_error(t, _("draft not saved: %s"), cause);
		free(cause);
		return;
	}
	vc->changed = 0;
	tui_trace(t, "draft-save bytes=%zu ms=%.3f", strlen(text),
	    (double)(time_mono_ns() - t0) / 1e6);
}

/* The lines of the customer's message shown above the editor. */
static int
vco_context_lines(struct vco *vc, int width)
{
	const char	*s = vc->quote_body;
	size_t		 len, off = 0, next;
	int		 n = 1;

	if (s == NULL)
		return (0);
	len = strlen(s);
	while (off < len && n < VCO_CONTEXT) {
		draw_wrap(s + off, len - off, width, &next);
		off += next;
		n++;
	}
	return (n);
}

/* Draw the customer's message for context: rows lines from y. */
static void
vco_draw_context(struct view *v, int y, int rows)
{
	struct vco	*vc = v->data;
	const char	*s = vc->quote_body, *bar;
	char		 date[64], *intro;
	size_t		 len = strlen(s), off = 0, n, next;
	int		 i;

	time_format_date(vc->quote_at, TIME_DATE_HOURS | TIME_DATE_UTC, date,
	    sizeof date);
	intro = xprintf(_("On %s, %s wrote:"), date, vc->quote_name);
	draw_text(y, 0, intro, COLS, EL_DIM);
	free(intro);
	bar = draw_glyph(v->tui, "│", "|");
	for (i = 1; i < rows && off < len; i++) {
		n = draw_wrap(s + off, len - off, COLS - 2, &next);
		if (n > 0 && s[off + n - 1] == '\r')
			n--;
		draw_text(y + i, 0, bar, 1, EL_CUSTOMER);
		draw_text_n(y + i, 2, s + off, n, COLS - 2, EL_DIM);
		off += next;
	}
}

/* Paint: what is being written, a hint, some context, then the text. */
static void
vco_draw(struct view *v)
{
	struct vco	*vc = v->data;
	struct tui	*t = v->tui;
	const char	*s = editbuf_text(&vc->e);
	struct buf	 rule = BUF_INIT;
	size_t		 len = vc->e.text.len, start = 0, end, next;
	char		*line, num[32];
	int		 y = TUI_VIEW_TOP, rows = TUI_VIEW_ROWS, width, ctx = 0;
	int		 h, r, total, row, col, i;

	if (vc->number != 0)
		snprintf(num, sizeof num, "#%lld", (long long)vc->number);
	else
		snprintf(num, sizeof num, "%s", _("new ticket"));
	line = xprintf("triage %s %s %s", draw_glyph(t, "—", "-"),
	    vc->internal ? _("note on") : _("reply to"), num);
	draw_title(t, line);
	free(line);

	line = vc->internal ? xprintf(_("Internal note on %s %s"), num,
	    vc->subject) : xprintf(_("Reply to %s %s"), num, vc->subject);
	draw_fill(y, 0, COLS, vc->internal ? EL_NOTE : EL_HEADER);
	draw_text(y, 0, line, COLS, vc->internal ? EL_NOTE : EL_HEADER);
	free(line);
	if (rows > 1)
		draw_text(y + 1, 0, _("^D send  Esc keep draft  ^E $EDITOR  "
		    "^Q quote  ^T macro"), COLS, EL_DIM);

	/* Context only while at least VCO_MIN_ROWS remain for the text. */
	h = rows - 2;
	if (h - 1 - VCO_MIN_ROWS >= 2) {
		ctx = vco_context_lines(vc, COLS - 2);
		if (ctx > h - 1 - VCO_MIN_ROWS)
			ctx = h - 1 - VCO_MIN_ROWS;
	}
	if (ctx > 0) {
		vco_draw_context(v, y + 2, ctx);
		for (i = 0; i < COLS; i++)
			buf_puts(&rule, draw_glyph(t, "─", "-"));
		draw_text(y + 2 + ctx, 0, buf_cstr(&rule), COLS, EL_DIM);
		buf_free(&rule);
		h -= ctx + 1;
	}
	if (h < 1)
		h = 1;
	y = TUI_VIEW_TOP + rows - h;
	vc->height = h;

	/* Keep the cursor's row on screen. */
	width = COLS > 1 ? COLS - 1 : 1;
	total = editbuf_rows(&vc->e, width, vco_flags(v));
	editbuf_cursor_cell(&vc->e, width, vco_flags(v), &row, &col);
	if (vc->top > total - h)
		vc->top = total - h > 0 ? total - h : 0;
	if (row < vc->top)
		vc->top = row;
	if (row >= vc->top + h)
		vc->top = row - h + 1;

	for (r = 0;; r++) {
		end = editbuf_wrap(s, len, start, width, vco_flags(v), &next);
		if (r >= vc->top && r < vc->top + h)
			draw_text_n(y + r - vc->top, 0, s + start, end - start,
			    width, EL_NORMAL);
		if (end == len || r >= vc->top + h)
			break;
		start = next;
	}
	vc->cy = y + row - vc->top;
	vc->cx = col < COLS ? col : COLS - 1;
	move(vc->cy, vc->cx);
}

/* ^Q: quote the customer's last message at the cursor. */
static void
vco_quote(struct view *v)
{
	struct vco	*vc = v->data;
	struct buf	 b = BUF_INIT;
	const char	*s = vc->quote_body, *nl;
	char		 date[64];
	size_t		 len, n;

	if (s == NULL) {
		tui_error(v->tui, "%s", _("no customer message to quote"));
		return;
	}
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[len - 1] == ' '))
		len--;
	if (vc->e.cursor > 0 && vc->e.text.data[vc->e.cursor - 1] != '\n')
		buf_putc(&b, '\n');
	time_format_date(vc->quote_at, TIME_DATE_HOURS | TIME_DATE_UTC, date,
	    sizeof date);
	buf_printf(&b, _("On %s, %s wrote:"), date, vc->quote_name);
	buf_putc(&b, '\n');
	while (len > 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		buf_puts(&b, n > 0 ? "> " : ">");
		buf_append(&b, s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
		buf_putc(&b, '\n');
		if (nl == NULL)
			break;
		len -= n + 1;
		s += n + 1;
	}
	buf_putc(&b, '\n');
	editbuf_insert_bytes(&vc->e, b.data, b.len);
	buf_free(&b);
	vc->changed = 1;
}

/* Run the editor on path with the terminal handed over; its wait status. */
static int
vco_run_editor(const char *path)
{
	struct sigaction	 ign, oint, oquit;
	const char		*cmd, *env;
	pid_t			 pid;
	int			 status = -1;

	/* The command refers to the variable: the path is only "$1". */
	if ((env = getenv("VISUAL")) != NULL && *env != '\0')
		cmd = "exec $VISUAL \"$1\"";
	else if ((env = getenv("EDITOR")) != NULL && *env != '\0')
		cmd = "exec $EDITOR \"$1\"";
	else
		cmd = "exec vi \"$1\"";
	def_prog_mode();
	endwin();
	if ((pid = fork()) == -1) {
		reset_prog_mode();
		return (-1);
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	return (status);
}

/*
 * ^E: edit the text in $VISUAL or $EDITOR on a private temporary file,
 * then take it back. The file is removed whatever happens.
 */
static void
vco_external(struct view *v)
{
	struct vco	*vc = v->data;
	struct tui	*t = v->tui;
	struct buf	 b = BUF_INIT;
	const char	*tmp;
	char		*path, *cause = NULL;
	size_t		 i, j;
	int		 fd, status;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	path = xprintf("%s/triage-draft.XXXXXX", tmp);
	if ((fd = mkstemp(path)) == -1) {
		tui_error(t, _("temporary file in %s: %s"), tmp,
		    strerror(errno));
		free(path);
		return;
	}
	/* Editors expect a last newline; it comes off again below. */
	buf_puts(&b, editbuf_text(&vc->e));
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_putc(&b, '\n');
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 ||
	    fd_write_all(fd, buf_cstr(&b), b.len) != 0) {
		tui_error(t, _("writing %s: %s"), path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		tui_error(t, _("writing %s: %s"), path, strerror(errno));
		goto out;
	}
	buf_reset(&b);
	status = vco_run_editor(path);
	if (status == -1) {
		tui_error(t, _("cannot run the editor: %s"), strerror(errno));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		tui_error(t, "%s", _("the editor failed; the text is "
		    "unchanged"));
		goto out;
	}
	if (buf_read_file(&b, path, VCO_EDITOR_MAX, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		goto out;
	}
	if (memchr(buf_cstr(&b), '\0', b.len) != NULL) {
		tui_error(t, "%s", _("the edited text has a NUL byte; the "
		    "text is unchanged"));
		goto out;
	}
	/* Line ends as the composer keeps them, no trailing newlines. */
	for (i = j = 0; i < b.len; i++)
		if (!(b.data[i] == '\r' && i + 1 < b.len &&
		    b.data[i + 1] == '\n'))
			b.data[j++] = b.data[i];
	while (j > 0 && b.data[j - 1] == '\n')
		j--;
	buf_truncate(&b, j);
	editbuf_set(&vc->e, buf_cstr(&b));
	vc->changed = 1;
out:
	unlink(path);
	free(path);
	buf_free(&b);
}

/* ^D: queue the reply or note; 1 if it was queued (the view is gone). */
static int
vco_send(struct view *v)
{
	struct vco	*vc = v->data;
	struct tui	*t = v->tui;
	const char	*body = editbuf_text(&vc->e);
	struct buf	 unknown = BUF_INIT;
	char		*cause = NULL, msg_id[UUID_STRLEN + 1], *q;
	int64_t		 seq;
	int		 internal = vc->internal, yes;

	/* A {{ variable }} left in the text: the customer would see it. */
	free(playbook_render(body, NULL, 0, &unknown));
	if (unknown.len > 0) {
		buf_truncate(&unknown, strcspn(unknown.data, "\n"));
		q = xprintf(_("The text still has {{%s}}: send it as it is? "
		    "(y/n)"), buf_cstr(&unknown));
		yes = prompt_confirm(t, q);
		free(q);
		buf_free(&unknown);
		if (!yes) {
			tui_notice(t, "%s", _("not sent: the text is as it "
			    "was"));
			return (0);
		}
	}
	if (replica_act_body_check(body, strlen(body), &cause) != 0 ||
	    replica_act_reply(t->r, vc->ticket_id, body, (vc->internal ?
	    REPLICA_REPLY_NOTE : 0) | REPLICA_REPLY_DRAFT,
	    vc->seen[0] != '\0' ? vc->seen : NULL, vc->macro_commit, msg_id, &seq,
	    &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return (0);
	}
	tui_data_changed(t);
	tui_pop(t);
	tui_notice(t, "%s", internal ? _("note queued") : _("reply queued"));
	return (1);
}

/* A key with a code (arrows and the like). */
static void
vco_code(struct view *v, wint_t key)
{
	struct vco	*vc = v->data;
	int		 w = COLS > 1 ? COLS - 1 : 1, f = vco_flags(v);

	switch (key) {
	case KEY_ENTER:
		editbuf_insert(&vc->e, '\n');
		vc->changed = 1;
		break;
	case KEY_BACKSPACE:
		editbuf_backspace(&vc->e);
		vc->changed = 1;
		break;
	case KEY_DC:
		editbuf_delete(&vc->e);
		vc->changed = 1;
		break;
	case KEY_LEFT:
		editbuf_left(&vc->e);
		break;
	case KEY_RIGHT:
		editbuf_right(&vc->e);
		break;
	case KEY_UP:
		editbuf_move_rows(&vc->e, w, f, -1);
		break;
	case KEY_DOWN:
		editbuf_move_rows(&vc->e, w, f, 1);
		break;
	case KEY_PPAGE:
		editbuf_move_rows(&vc->e, w, f, -(vc->height > 1 ?
		    vc->height - 1 : 1));
		break;
	case KEY_NPAGE:
		editbuf_move_rows(&vc->e, w, f, vc->height > 1 ?
		    vc->height - 1 : 1);
		break;
	case KEY_HOME:
		editbuf_home(&vc->e);
		break;
	case KEY_END:
		editbuf_end(&vc->e);
		break;
	default:
		break;		/* KEY_RESIZE and the rest: just repaint */
	}
}

/* Handle one key; 1 if the composer closed (the view is gone). */
static int
vco_char(struct view *v, wint_t key)
{
	struct vco	*vc = v->data;
	struct tui	*t = v->tui;
	int		 w = COLS > 1 ? COLS - 1 : 1, f = vco_flags(v);

	switch (key) {
	case 0x1b:
	case CTRL('g'):
	case CTRL('c'):
		vco_save(v);
		tui_pop(t);
		tui_notice(t, "%s", _("draft kept"));
		return (1);
	case CTRL('d'):
		return (vco_send(v));
	case CTRL('q'):
		vco_quote(v);
		return (0);
	case CTRL('t'): {
		struct view_macro_arg	 ma;

		/* The picker reads the keys until it puts text back. */
		vco_save(v);
		memset(&ma, 0, sizeof ma);
		ma.ticket_id = vc->ticket_id;
		tui_push(t, &view_macro_ops, &ma);
		return (t->top != v);
	}
	case CTRL('e'):
		vco_save(v);
		vco_external(v);
		return (0);
	case CTRL('l'):
		clearok(curscr, TRUE);
		return (0);
	case CTRL('a'):
		editbuf_home(&vc->e);
		return (0);
	case CTRL('b'):
		editbuf_left(&vc->e);
		return (0);
	case CTRL('f'):
		editbuf_right(&vc->e);
		return (0);
	case CTRL('p'):
		editbuf_move_rows(&vc->e, w, f, -1);
		return (0);
	case CTRL('n'):
		editbuf_move_rows(&vc->e, w, f, 1);
		return (0);
	case CTRL('k'):
		editbuf_kill_line(&vc->e);
		break;
	case CTRL('u'):
		editbuf_kill_bol(&vc->e);
		break;
	case CTRL('w'):
		editbuf_kill_word(&vc->e);
		break;
	case 0x7f:
	case CTRL('h'):
		editbuf_backspace(&vc->e);
		break;
	case '\r':
	case '\n':
		editbuf_insert(&vc->e, '\n');
		break;
	case '\t':
		editbuf_insert(&vc->e, '\t');
		break;
	default:
		if (key < 0x20 || (key >= 0x7f && key < 0xa0))
			return (0);
		editbuf_insert(&vc->e, (uint32_t)key);
		break;
	}
	vc->changed = 1;
	return (0);
}

/*
 * Edit until the text is sent or put away: handle the keys waiting, save
 * the draft, paint, put the cursor in the text, wait for more. Returns to
 * the main loop when the composer closed or on a signal it must see.
 */
static void
vco_run(struct view *v, wint_t key, int code)
{
	struct tui	*t = v->tui;
	struct vco	*vc = v->data;
	struct pollfd	 pfd;
	int64_t		 t0;
	int		 rc, intr;

	curs_set(1);
	for (;;) {
		if (code && key == VCO_WAKE) {
			if (vc->notice != NULL) {
				tui_notice(t, "%s", vc->notice);
				free(vc->notice);
				vc->notice = NULL;
			}
		} else {
			t0 = time_mono_ns();
			free(t->message);
			t->message = NULL;
			if (code)
				vco_code(v, key);
			else if (vco_char(v, key))
				return;		/* closed: v is freed */
			tui_trace(t, "key code=%lu ms=%.3f", (unsigned long)key,
			    (double)(time_mono_ns() - t0) / 1e6);
		}
		if ((rc = get_wch(&key)) != ERR) {
			code = rc == KEY_CODE_YES;
			continue;
		}
		vco_save(v);
		tui_repaint(t);
		move(vc->cy, vc->cx);
		refresh();

		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, 1000);
		if (rc == -1 && errno != EINTR)
			return;
		if (rc > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			return;
		intr = rc == -1;
		rc = get_wch(&key);
		if (rc == ERR && intr)
			return;		/* a signal the main loop must see */
		if (rc == ERR) {
			key = VCO_WAKE;	/* a second passed: repaint */
			code = 1;
		} else
			code = rc == KEY_CODE_YES;
	}
}

static int
vco_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	(void)act;
	vco_run(v, key, code);
	return (VIEW_HANDLED | VIEW_REDRAW);
}

static int
vco_cursor(struct view *v, int *y, int *x)
{
	struct vco	*vc = v->data;

	*y = vc->cy;
	*x = vc->cx;
	return (1);
}

const struct view_ops view_compose_ops = {
	.name = "compose",
	.ctx = CTX_GLOBAL,
	.open = vco_open,
	.draw = vco_draw,
	.key = vco_key,
	.close = vco_close,
	.cursor = vco_cursor,
};
