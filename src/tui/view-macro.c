/* view-macro.c: the macro picker: type-ahead over the playbook's macros, a preview rendered for the ticket. */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

#define CTRL(c)		((c) & 0x1f)
#define VMA_LIST_MAX	10	/* rows of matches above the preview */

struct vma_match {
	size_t		 i;		/* into all */
	int		 score;
};

struct vma {
	char			 ticket_id[UUID_STRLEN + 1];
	int64_t			 number;
	int			 in_composer;	/* opened from the composer */
	char			 commit[41];	/* the copy in use */
	char			*notice;	/* the last fetch failed */

	struct replica_macro	*all;
	size_t			 nall;
	struct vma_match	*match;
	size_t			 nmatch;
	size_t			 cur, top;

	struct editbuf		 filter;
	int			 cx;		/* the cursor's column */

	/* The variables, once; the preview of match[cur], cached. */
	struct replica_macro_context ctx;
	struct playbook_var	 vars[PLAYBOOK_NVARS];
	size_t			 preview_of;	/* all index; SIZE_MAX: none */
	char			*preview;
	struct buf		 unknown;	/* "name\n" each */
	int			 skip;		/* preview rows scrolled */
	int			 preview_rows;	/* at the last paint */
};

/*
 * How well needle (lower case) matches hay: every character in order
 * (fuzzy), more for runs and for word starts; -1 if it does not.
 */
static int
vma_fuzzy(const char *hay, const char *needle, size_t nlen)
{
	const char	*found;
	size_t		 h, k = 0, hlen = strlen(hay);
	int		 score = 0, run = 0;

	if (nlen == 0)
		return (0);
	for (h = 0; h < hlen && k < nlen; h++) {
		if (tolower((unsigned char)hay[h]) != needle[k]) {
			run = 0;
			continue;
		}
		score += 1 + run * 3;
		if (h == 0 || strchr(" /-_,", hay[h - 1]) != NULL)
			score += 5;
		run++;
		k++;
	}
	if (k < nlen)
		return (-1);
	/* The word whole, as typed: best of all. */
	if ((found = strcasestr(hay, needle)) != NULL)
		score += 10 + (found == hay ? 5 : 0);
	return (score);
}

/* A match's score for every word of the filter; -1 if one misses. */
static int
vma_score(const struct replica_macro *m, const char *filter)
{
	char		*hay, word[128];
	const char	*p = filter;
	size_t		 n, i;
	int		 s, total = 0;

	hay = xprintf("%s %s %s", m->title, m->tags, m->name);
	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		n = strcspn(p, " ");
		if (n >= sizeof word)
			n = sizeof word - 1;
		for (i = 0; i < n; i++)
			word[i] = (char)tolower((unsigned char)p[i]);
		word[n] = '\0';
		p += strcspn(p, " ");
		if ((s = vma_fuzzy(hay, word, n)) < 0) {
			total = -1;
			break;
		}
		total += s;
	}
	free(hay);
	return (total);
}

static const struct replica_macro *vma_sort_all;

static int
vma_cmp(const void *a, const void *b)
{
	const struct vma_match	*x = a, *y = b;

	if (x->score != y->score)
		return (x->score > y->score ? -1 : 1);
	return (strcmp(vma_sort_all[x->i].title, vma_sort_all[y->i].title));
}

/* Match the filter against every macro; best first. */
static void
vma_filter(struct vma *vm)
{
	const char	*f = editbuf_text(&vm->filter);
	size_t		 i;
	int		 s;

	vm->nmatch = 0;
	for (i = 0; i < vm->nall; i++) {
		if ((s = vma_score(&vm->all[i], f)) < 0)
			continue;
		vm->match[vm->nmatch].i = i;
		vm->match[vm->nmatch++].score = s;
	}
	if (*f != '\0') {
		vma_sort_all = vm->all;
		qsort(vm->match, vm->nmatch, sizeof *vm->match, vma_cmp);
	}
	vm->cur = vm->top = 0;
	vm->skip = 0;
}

static const struct replica_macro *
vma_current(struct vma *vm)
{
	if (vm->cur >= vm->nmatch)
		return (NULL);
	return (&vm->all[vm->match[vm->cur].i]);
}

/* The current macro rendered for the ticket, once per choice. */
static const char *
vma_preview(struct vma *vm)
{
	const struct replica_macro	*m = vma_current(vm);

	if (m == NULL)
		return (NULL);
	if (vm->preview_of != vm->match[vm->cur].i) {
		free(vm->preview);
		buf_reset(&vm->unknown);
		vm->preview = playbook_render(m->body, vm->vars,
		    PLAYBOOK_NVARS, &vm->unknown);
		vm->preview_of = vm->match[vm->cur].i;
	}
	return (vm->preview);
}

static void
vma_free_macros(struct vma *vm)
{
	size_t	 i;

	for (i = 0; i < vm->nall; i++)
		replica_macro_free(&vm->all[i]);
	free(vm->all);
	free(vm->match);
	vm->all = NULL;
	vm->match = NULL;
	vm->nall = vm->nmatch = 0;
	free(vm->preview);
	vm->preview = NULL;
	vm->preview_of = SIZE_MAX;
}

/* (Re)read the macros and the playbook's state. */
static int
vma_load(struct vma *vm, struct replica *r, char **cause)
{
	struct replica_playbook	 st;

	vma_free_macros(vm);
	if (replica_playbook_state(r, &st, cause) != 0)
		return (-1);
	snprintf(vm->commit, sizeof vm->commit, "%s", st.commit);
	free(vm->notice);
	vm->notice = st.notice;
	if (replica_macros(r, &vm->all, &vm->nall, cause) != 0)
		return (-1);
	vm->match = xcalloc(vm->nall + 1, sizeof *vm->match);
	vma_filter(vm);
	return (0);
}

static int
vma_open(struct view *v, const void *arg, char **cause)
{
	const struct view_macro_arg	*a = arg;
	struct ticket_detail		*d;
	struct vma			*vm;
	int				 rc;

	if (a == NULL || a->ticket_id == NULL) {
		*cause = xstrdup(_("no ticket"));
		return (-1);
	}
	rc = replica_ticket_get(v->tui->r, 0, a->ticket_id, &d, cause);
	if (rc == REPLICA_NOTFOUND)
		*cause = xstrdup(_("no such ticket"));
	if (rc != 0)
		return (-1);
	vm = xcalloc(1, sizeof *vm);
	snprintf(vm->ticket_id, sizeof vm->ticket_id, "%s", d->t.id);
	vm->number = d->t.number;
	ticket_detail_free(d);
	vm->in_composer = v->tui->top != NULL &&
	    v->tui->top->ops == &view_compose_ops;
	vm->preview_of = SIZE_MAX;
	editbuf_init(&vm->filter, a->filter != NULL ? a->filter : "");
	v->data = vm;
	if (playbook_vars(v->tui->r, vm->number, &vm->ctx, vm->vars,
	    cause) != 0 || vma_load(vm, v->tui->r, cause) != 0)
		goto fail;
	if (vm->nall == 0) {
		*cause = xstrdup(*vm->commit == '\0' ? _("no playbook: set "
		    "[playbook] url in the config file (triage-playbook(5))") :
		    _("the playbook has no macros"));
		goto fail;
	}
	return (0);
fail:
	vma_free_macros(vm);
	replica_macro_context_free(&vm->ctx);
	editbuf_free(&vm->filter);
	free(vm->notice);
	free(vm);
	v->data = NULL;
	return (-1);
}

static void
vma_close(struct view *v)
{
	struct vma	*vm = v->data;
	int		 resume = vm->in_composer;
	struct view	*below = v->prev;

	vma_free_macros(vm);
	replica_macro_context_free(&vm->ctx);
	editbuf_free(&vm->filter);
	buf_free(&vm->unknown);
	free(vm->notice);
	free(vm);
	/* The composer takes its keys again. */
	if (resume && below != NULL && below->ops == &view_compose_ops &&
	    !isendwin())
		view_compose_resume(below);
}

/* The playbook changed under the picker (a fetch): read it again. */
static void
vma_reload(struct view *v)
{
	struct vma		*vm = v->data;
	struct replica_playbook	 st;
	char			*cause = NULL;

	if (replica_playbook_state(v->tui->r, &st, &cause) == 0) {
		free(vm->notice);
		vm->notice = st.notice;
		if (strcmp(st.commit, vm->commit) == 0)
			return;		/* the same macros: keep the choice */
	}
	if (cause == NULL && vma_load(vm, v->tui->r, &cause) != 0) {
		tui_error(v->tui, "%s", cause);
		free(cause);
	}
}

/* "status pending · tags +refund -new": what Enter also does. */
static void
vma_actions_text(const char *json, struct buf *out)
{
	json_t		*a, *pair;
	size_t		 i;

	if ((a = json_loads(json, 0, NULL)) == NULL)
		return;
	json_array_foreach(a, i, pair) {
		if (i > 0)
			buf_puts(out, "  ");
		buf_printf(out, "%s %s", json_string_value(json_array_get(pair,
		    0)), json_string_value(json_array_get(pair, 1)));
	}
	json_decref(a);
}

static void
vma_draw(struct view *v)
{
	struct vma			*vm = v->data;
	struct tui			*t = v->tui;
	const struct replica_macro	*m;
	const char			*text;
	struct buf			 b = BUF_INIT;
	char				*line, *label;
	size_t				 i;
	int				 y = TUI_VIEW_TOP, rows = TUI_VIEW_ROWS;
	int				 list, lw, total, bottom;

	line = xprintf("triage %s %s #%lld %s %s %.12s", draw_glyph(t, "—",
	    "-"), _("macro for"), (long long)vm->number, draw_glyph(t, "—",
	    "-"), _("playbook"), vm->commit);
	draw_title(t, line);
	free(line);

	/* The filter, with the count of matches. */
	label = xprintf(_("Macro (%zu/%zu): "), vm->nmatch, vm->nall);
	draw_fill(y, 0, COLS, EL_HEADER);
	lw = draw_text(y, 0, label, COLS, EL_HEADER);
	free(label);
	draw_text(y, lw, editbuf_text(&vm->filter), COLS - lw, EL_HEADER);
	vm->cx = lw + sanitize_width_str(editbuf_text(&vm->filter),
	    vm->filter.cursor);
	if (vm->cx >= COLS)
		vm->cx = COLS - 1;
	if (rows < 2)
		return;
	draw_text(y + 1, 0, vm->notice != NULL ? vm->notice :
	    _("type to match title and tags  Up/Down choose  PgUp/PgDn "
	    "preview  Enter use  Esc back"), COLS, vm->notice != NULL ?
	    EL_PENDING : EL_DIM);

	/* The matches. */
	list = (int)vm->nmatch < VMA_LIST_MAX ? (int)vm->nmatch : VMA_LIST_MAX;
	if (list > (rows - 2) / 2)
		list = (rows - 2) / 2;
	if (list < 1)
		list = 1;
	if (vm->cur < vm->top)
		vm->top = vm->cur;
	if (list > 0 && vm->cur >= vm->top + (size_t)list)
		vm->top = vm->cur - (size_t)list + 1;
	for (i = 0; i < (size_t)list && vm->top + i < vm->nmatch; i++) {
		m = &vm->all[vm->match[vm->top + i].i];
		if (vm->top + i == vm->cur)
			draw_fill(y + 2 + (int)i, 0, COLS, EL_CURSOR);
		lw = draw_text(y + 2 + (int)i, 1, m->title, COLS / 2, vm->top +
		    i == vm->cur ? EL_CURSOR : EL_NORMAL);
		buf_reset(&b);
		buf_printf(&b, "  %s  %s", m->tags, m->name);
		draw_text(y + 2 + (int)i, 1 + lw, buf_cstr(&b), COLS - 2 - lw,
		    vm->top + i == vm->cur ? EL_CURSOR : EL_DIM);
	}
	if (vm->nmatch == 0)
		draw_text(y + 2, 1, _("no macro matches"), COLS - 1, EL_DIM);

	/* The preview: title, actions, then the body for this ticket. */
	y += 2 + list;
	bottom = TUI_VIEW_TOP + rows;
	if ((m = vma_current(vm)) == NULL || y + 2 >= bottom) {
		buf_free(&b);
		return;
	}
	text = vma_preview(vm);
	buf_reset(&b);
	buf_printf(&b, "%s  %s@%.12s", draw_glyph(t, "─", "-"), m->path,
	    m->commit);
	draw_fill(y, 0, COLS, EL_LABEL);
	draw_text(y, 0, buf_cstr(&b), COLS, EL_LABEL);
	y++;
	buf_reset(&b);
	vma_actions_text(m->actions, &b);
	if (b.len > 0) {
		line = xprintf(_("then: %s"), buf_cstr(&b));
		draw_text(y++, 1, line, COLS - 1, EL_PENDING);
		free(line);
	}
	if (vm->unknown.len > 0 && y < bottom) {
		buf_reset(&b);
		for (i = 0; i < vm->unknown.len; i++)
			buf_putc(&b, vm->unknown.data[i] == '\n' ? ' ' :
			    vm->unknown.data[i]);
		line = xprintf(_("unknown, left as written: %s"),
		    buf_cstr(&b));
		draw_text(y++, 1, line, COLS - 1, EL_ERROR);
		free(line);
	}
	vm->preview_rows = bottom - y;
	total = draw_body(y, 1, COLS - 2, bottom - y, text, vm->skip,
	    DRAW_FLAG_VARS);
	if (vm->skip > 0 && vm->skip >= total)
		vm->skip = total > 0 ? total - 1 : 0;
	buf_free(&b);
}

/* Enter: queue the actions, then the text goes to the composer. */
static void
vma_use(struct view *v)
{
	struct vma			*vm = v->data;
	struct tui			*t = v->tui;
	const struct replica_macro	*m = vma_current(vm);
	struct view_compose_arg		 ca;
	struct ticket_edit		 e;
	struct view			*below;
	char				*cause = NULL, *text, *notice;
	char				 commit[41];
	char				 ticket[UUID_STRLEN + 1];
	int				 queued = 0, rc;

	if (m == NULL)
		return;
	ticket_edit_init(&e);
	rc = replica_edit_actions(t->r, &e, m->actions, &cause);
	if (rc == 0 && strcmp(m->actions, "[]") != 0)
		rc = replica_act_set(t->r, vm->ticket_id, &e.c, &queued,
		    &cause);
	ticket_edit_free(&e);
	if (rc != 0) {
		tui_error(t, _("macro %s: %s; nothing done"), m->name, cause);
		free(cause);
		return;
	}
	text = xstrdup(vma_preview(vm));
	snprintf(commit, sizeof commit, "%s", m->commit);
	notice = queued > 0 ? xprintf(ngettext("macro %s: %d change queued, "
	    "pending until synced", "macro %s: %d changes queued, pending "
	    "until synced", (unsigned long)queued), m->name, queued) :
	    xprintf(_("macro %s"), m->name);
	if (queued > 0)
		tui_data_changed(t);
	if (vm->in_composer) {
		below = v->prev;
		view_compose_insert(below, text, commit, notice);
		tui_pop(t);
	} else {
		/* The picker goes; the composer takes its place. */
		memset(&ca, 0, sizeof ca);
		snprintf(ticket, sizeof ticket, "%s", vm->ticket_id);
		ca.ticket_id = ticket;
		ca.insert = text;
		ca.macro_commit = commit;
		ca.notice = notice;
		tui_pop(t);
		tui_push(t, &view_compose_ops, &ca);
	}
	free(notice);
	free(text);
}

static int
vma_key(struct view *v, enum tui_action act, wint_t key, int code)
{
	struct vma	*vm = v->data;
	int		 page = vm->preview_rows > 1 ? vm->preview_rows - 1 : 1;

	(void)act;
	if (code) {
		switch (key) {
		case KEY_UP:
			if (vm->cur > 0)
				vm->cur--;
			vm->skip = 0;
			return (VIEW_HANDLED | VIEW_REDRAW);
		case KEY_DOWN:
			if (vm->cur + 1 < vm->nmatch)
				vm->cur++;
			vm->skip = 0;
			return (VIEW_HANDLED | VIEW_REDRAW);
		case KEY_NPAGE:
			vm->skip += page;
			return (VIEW_HANDLED | VIEW_REDRAW);
		case KEY_PPAGE:
			vm->skip = vm->skip > page ? vm->skip - page : 0;
			return (VIEW_HANDLED | VIEW_REDRAW);
		case KEY_ENTER:
			vma_use(v);
			return (VIEW_HANDLED | VIEW_REDRAW);
		case KEY_RESIZE:
			return (VIEW_HANDLED | VIEW_REDRAW);
		}
	} else {
		switch (key) {
		case '\r':
		case '\n':
			vma_use(v);
			return (VIEW_HANDLED | VIEW_REDRAW);
		case 0x1b:
		case CTRL('g'):
		case CTRL('c'):
			tui_pop(v->tui);
			return (VIEW_HANDLED | VIEW_REDRAW);
		case CTRL('p'):
			return (vma_key(v, act, KEY_UP, 1));
		case CTRL('n'):
			return (vma_key(v, act, KEY_DOWN, 1));
		case CTRL('l'):
			clearok(curscr, TRUE);
			return (VIEW_HANDLED | VIEW_REDRAW);
		}
	}
	if (prompt_edit(&vm->filter, key, code))
		vma_filter(vm);
	return (VIEW_HANDLED | VIEW_REDRAW);
}

static const char *
vma_current_ticket(struct view *v)
{
	struct vma	*vm = v->data;

	return (vm->ticket_id);
}

static int
vma_cursor(struct view *v, int *y, int *x)
{
	struct vma	*vm = v->data;

	*y = TUI_VIEW_TOP;
	*x = vm->cx;
	return (1);
}

const struct view_ops view_macro_ops = {
	.name = "macro",
	.ctx = CTX_GLOBAL,
	.open = vma_open,
	.draw = vma_draw,
	.key = vma_key,
	.reload = vma_reload,
	.close = vma_close,
	.current_ticket = vma_current_ticket,
	.cursor = vma_cursor,
};
