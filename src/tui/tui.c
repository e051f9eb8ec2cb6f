/* tui.c: the console's main loop: start-up, the view stack, keys, wake-ups, repaint. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui-int.h"

/* Set by signal handlers only; the loop reads them (DESIGN.md section 4). */
static volatile sig_atomic_t	tui_sig_quit;

/* The config keys the console reads; anything else is reported. */
const struct config_key tui_config_keys[] = {
	{ "keys", "*", N_("bind an action to keys: reply = r R") },
	{ "colors", "*", N_("element = foreground background [attribute]") },
	{ "views", "*", N_("a saved view: Name = query [| sort]") },
	{ "queue", "columns", N_("queue columns, comma-separated") },
	{ "ui", "bell", N_("ring the terminal bell on errors (yes/no)") },
	{ "ui", "mouse", N_("mouse support (yes/no); off by default") },
	{ "ui", "ascii", N_("draw with ASCII only (yes/no)") },
	{ "sync", "cacert", N_("a private certificate authority's file for "
	  "the server's TLS") },
	{ "playbook", "url", N_("the git repository of macros and articles") },
	{ "playbook", "branch", N_("its branch (default: the remote's HEAD)") },
	{ "playbook", "interval", N_("seconds between fetches (default 300)") },
	{ "notify", "bell", N_("ring the bell on a new notification (yes/no)") },
	{ "notify", "dnd", N_("do not disturb: no bell from-to, like "
	  "22:00-07:00") },
	{ NULL, NULL, NULL }
};

static void
tui_on_signal(int sig)
{
	(void)sig;
	tui_sig_quit = 1;
}

/* Append one trace line: milliseconds since start, event, fields. */
void
tui_trace(struct tui *t, const char *fmt, ...)
{
	va_list	 ap;

	if (t->trace == NULL)
		return;
	fprintf(t->trace, "%.3f ", (double)(time_mono_ns() - t->trace_start) /
	    1e6);
	va_start(ap, fmt);
	vfprintf(t->trace, fmt, ap);
	va_end(ap);
	fputc('\n', t->trace);
	fflush(t->trace);
}

static void tui_set_message(struct tui *, int, const char *, va_list)
    printflike(3, 0);

static void
tui_set_message(struct tui *t, int error, const char *fmt, va_list ap)
{
	/* A notice does not hide an error the agent has not seen yet. */
	if (!error && t->message != NULL && t->message_error)
		return;
	free(t->message);
	xvasprintf(&t->message, fmt, ap);
	t->message_error = error;
	if (error && t->bell)
		beep();
}

/* Show a notice on the message line until the next key. */
void
tui_notice(struct tui *t, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	tui_set_message(t, 0, fmt, ap);
	va_end(ap);
}

/* Show an error on the message line until the next key. */
void
tui_error(struct tui *t, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	tui_set_message(t, 1, fmt, ap);
	va_end(ap);
	log_warnx("%s", t->message);
}

/* Open a view on top of the stack; on failure the message line says why. */
void
tui_push(struct tui *t, const struct view_ops *ops, const void *arg)
{
	struct view	*v;
	char		*cause = NULL;

	v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->tui = t;
	if (ops->open(v, arg, &cause) != 0) {
		tui_error(t, "%s", cause != NULL ? cause : _("cannot open"));
		free(cause);
		free(v);
		return;
	}
	v->prev = t->top;
	t->top = v;
	t->dirty = 1;
}

/* Close the view on top; closing the last one quits. */
void
tui_pop(struct tui *t)
{
	struct view	*v = t->top;

	if (v == NULL)
		return;
	t->top = v->prev;
	if (v->ops->close != NULL)
		v->ops->close(v);
	free(v);
	if (t->top == NULL)
		t->quit = 1;
	else if (t->top->ops->reload != NULL)
		t->top->ops->reload(t->top);
	t->dirty = 1;
}

/*
 * Move a list's cursor by a movement action; 1 if act was one. page is
 * the rows a page moves.
 */
int
tui_list_move(enum tui_action act, size_t *cursor, size_t n, size_t page)
{
	switch (act) {
	case ACT_DOWN:
		if (*cursor + 1 < n)
			(*cursor)++;
		return (1);
	case ACT_UP:
		if (*cursor > 0)
			(*cursor)--;
		return (1);
	case ACT_PAGE_DOWN:
		*cursor += page;
		if (*cursor >= n)
			*cursor = n > 0 ? n - 1 : 0;
		return (1);
	case ACT_PAGE_UP:
		*cursor = *cursor > page ? *cursor - page : 0;
		return (1);
	case ACT_TOP:
		*cursor = 0;
		return (1);
	case ACT_BOTTOM:
		*cursor = n > 0 ? n - 1 : 0;
		return (1);
	default:
		return (0);
	}
}

/* Ask the worker for every saved view's count again. */
void
tui_refresh_counts(struct tui *t)
{
	size_t	 i;

	for (i = 0; i < t->views.n; i++)
		worker_count(t->worker, i, t->views.v[i].query);
}

/* "22:00-07:00" into minutes of the day; -1 if it is not that. */
static int
tui_dnd_parse(const char *s, int *from, int *to)
{
	int	 h0, m0, h1, m1, n = 0;

	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h0, &m0, &h1, &m1, &n) != 4 ||
	    s[n] != '\0' || h0 > 23 || h1 > 23 || m0 > 59 || m1 > 59 ||
	    h0 < 0 || h1 < 0 || m0 < 0 || m1 < 0)
		return (-1);
	*from = h0 * 60 + m0;
	*to = h1 * 60 + m1;
	return (0);
}

/*
 * A new notification: the terminal bell, if [notify] bell = yes and the
 * local time is outside [notify] dnd (do not disturb, "22:00-07:00",
 * which may span midnight).
 */
static void
tui_notify_bell(struct tui *t)
{
	const char	*bell = config_get(t->cfg, "notify", "bell");
	const char	*dnd = config_get(t->cfg, "notify", "dnd");
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 from, to, m;

	if (bell == NULL || strcasecmp(bell, "yes") != 0)
		return;
	if (dnd != NULL && tui_dnd_parse(dnd, &from, &to) == 0 &&
	    localtime_r(&now, &tm) != NULL) {
		m = tm.tm_hour * 60 + tm.tm_min;
		if (from <= to ? (m >= from && m < to) : (m >= from || m < to))
			return;
	}
	beep();
	tui_trace(t, "bell");
}

/* Re-read the status bar's facts from the replica. */
static void
tui_read_status(struct tui *t)
{
	char	*cause = NULL;
	int64_t	 before = t->conflicts, unread;

	if (replica_outbox_count(t->r, OUTBOX_PENDING, &t->pending,
	    &cause) != 0 || replica_outbox_count(t->r, OUTBOX_REJECTED,
	    &t->rejected, &cause) != 0 || replica_outbox_count(t->r,
	    OUTBOX_CONFLICT, &t->conflicts, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	/* A reply held back: nothing goes out until the agent chooses. */
	if (t->conflicts > before)
		tui_error(t, "%s", _("the customer wrote again before your "
		    "reply went out: O for the outbox, then R send anyway, "
		    "e edit or d discard"));
	unread = t->unread;
	if (replica_notify_unread(t->r, &t->unread, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	} else if (t->unread > unread && unread >= 0)
		tui_notify_bell(t);
	t->away = !replica_available(t->r);
}

/*
 * The replica changed (a local action, or later a pull): every view on the
 * stack re-reads what it shows, and counts are asked for again.
 */
static void
tui_reload_all(struct tui *t)
{
	struct view	*v;

	for (v = t->top; v != NULL; v = v->prev)
		if (v->ops->reload != NULL)
			v->ops->reload(v);
	tui_read_status(t);
	tui_refresh_counts(t);
	t->dirty = 1;
}

/*
 * Changes queued by another program on this replica (triage reply, set):
 * the sync thread is told at once, not after its waiting pull.
 */
static void
tui_outside_changes(struct tui *t)
{
	int64_t	 pending;
	char	*cause = NULL;

	if (replica_outbox_count(t->r, OUTBOX_PENDING, &pending, &cause) != 0) {
		free(cause);
		return;
	}
	if (pending > t->pending)
		tui_data_changed(t);
}

void
tui_data_changed(struct tui *t)
{
	tui_reload_all(t);
	/* A local change: the sync thread pushes it now. */
	if (t->pending > 0)
		sync_thread_poke(t->sync);
}

/* The sync thread said something: its status, maybe new rows. */
static void
tui_take_sync(struct tui *t)
{
	struct sync_status	 st;

	if (t->sync == NULL)
		return;
	sync_thread_status(t->sync, &st);
	tui_trace(t, "sync state=%d changes=%llu", (int)st.state,
	    (unsigned long long)st.changes);
	if (st.changes != t->sync_st.changes)
		tui_reload_all(t);
	else if (st.state != t->sync_st.state)
		tui_read_status(t);
	t->sync_st = st;
	t->dirty = 1;
}

/* The playbook thread fetched: a new copy for the views, or a notice. */
static void
tui_take_playbook(struct tui *t)
{
	struct replica_playbook	 st;
	uint64_t		 n;
	char			*cause = NULL;

	if (t->playbook == NULL ||
	    (n = playbook_thread_changes(t->playbook)) == t->playbook_fetches)
		return;
	t->playbook_fetches = n;
	if (replica_playbook_state(t->r, &st, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		return;
	}
	free(t->playbook_notice);
	t->playbook_notice = st.notice;
	t->dirty = 1;
	/* A new copy: the picker, if open, shows it. */
	if (strcmp(st.commit, t->playbook_commit) != 0) {
		snprintf(t->playbook_commit, sizeof t->playbook_commit, "%s",
		    st.commit);
		tui_reload_all(t);
	}
}

/* Start fetching the playbook, if there is one. */
static int
tui_start_playbook(struct tui *t, const struct tui_opts *o, char **cause)
{
	const char	*url, *v;
	char		*end;
	long		 interval = PLAYBOOK_INTERVAL;

	url = o->playbook_url != NULL ? o->playbook_url :
	    config_get(t->cfg, "playbook", "url");
	if (url == NULL || *url == '\0')
		return (0);
	if ((v = config_get(t->cfg, "playbook", "interval")) != NULL) {
		errno = 0;
		interval = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || interval < 10 ||
		    interval > 86400) {
			*cause = xprintf(_("config: playbook.interval: \"%s\" "
			    "is not a number of seconds from 10 to 86400"), v);
			return (-1);
		}
	}
	t->playbook = playbook_thread_start(o->replica_path, url,
	    o->playbook_url != NULL ? NULL : config_get(t->cfg, "playbook",
	    "branch"), (int)interval, t->wake[1], cause);
	return (t->playbook != NULL ? 0 : -1);
}

/* Paint everything: title, view, status bar, message line. */
void
tui_repaint(struct tui *t)
{
	int64_t	 t0 = time_mono_ns();
	int	 y, x;

	erase();
	if (t->top != NULL)
		t->top->ops->draw(t->top);
	draw_status(t);
	draw_message(t);
	if (t->top != NULL && t->top->ops->cursor != NULL &&
	    t->top->ops->cursor(t->top, &y, &x)) {
		move(y, x);
		curs_set(1);
	} else
		curs_set(0);
	t->draw_ns = time_mono_ns() - t0;
	refresh();
	t->out_ns = time_mono_ns() - t0 - t->draw_ns;
	t->dirty = 0;
}

/* Deliver the worker's results: view counts here, the rest to the views. */
static void
tui_take_results(struct tui *t)
{
	struct worker_result	 res;
	struct view		*v;
	char			 b[64];

	while (read(t->wake[0], b, sizeof b) > 0)
		;
	tui_take_sync(t);
	tui_take_playbook(t);
	while (worker_take(t->worker, &res)) {
		if (res.job == JOB_COUNT && res.tag < t->views.n) {
			t->view_counts[res.tag] = res.error != NULL ? -1 :
			    res.count;
		} else {
			for (v = t->top; v != NULL; v = v->prev)
				if (v->ops->result != NULL)
					v->ops->result(v, &res);
		}
		worker_result_free(&res);
		t->dirty = 1;
	}
}

/* Handle one key: the view first, then the global bindings. */
static void
tui_key(struct tui *t, wint_t key, int code)
{
	struct view		*v = t->top;
	enum tui_action		 act;
	int			 rc = VIEW_UNHANDLED;
	char			*cmd = NULL;

	free(t->message);
	t->message = NULL;
	if (code && key == KEY_RESIZE) {
		t->dirty = 1;
		return;
	}
	act = keymap_lookup(v->ops->ctx, key, code);
	rc = v->ops->key(v, act, key, code);
	if (rc & VIEW_REDRAW)
		t->dirty = 1;
	if (rc & VIEW_HANDLED)
		return;
	switch (act) {
	case ACT_QUIT:
		t->quit = 1;
		break;
	case ACT_BACK:
		tui_pop(t);
		break;
	case ACT_HELP:
		if (v->ops != &view_help_ops)
			tui_push(t, &view_help_ops, v);
		break;
	case ACT_SEARCH:
		if (v->ops != &view_search_ops)
			tui_push(t, &view_search_ops, NULL);
		break;
	case ACT_OUTBOX:
		if (v->ops != &view_outbox_ops)
			tui_push(t, &view_outbox_ops, NULL);
		break;
	case ACT_NOTIFICATIONS:
		if (v->ops != &view_notify_ops)
			tui_push(t, &view_notify_ops, NULL);
		break;
	case ACT_DASHBOARD:
		if (v->ops != &view_dashboard_ops)
			tui_push(t, &view_dashboard_ops, NULL);
		break;
	case ACT_COMMAND:
		if (prompt_read(t, ":", "", NULL, &cmd) == PROMPT_OK) {
			tui_run_command(t, cmd);
			free(cmd);
		}
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		if (act != ACT_NONE && v->ops->current_ticket != NULL &&
		    v->ops->current_ticket(v) != NULL) {
			const char	*id = v->ops->current_ticket(v);

			action_run(t, act, &id, 1);
		}
		break;
	}
	t->dirty = 1;
}

/* Set up curses: colours or attributes, no echo, keypad, quick Escape. */
static void
tui_curses_start(struct tui *t)
{
	t->ascii = sanitize_locale_ascii();
	/* Before theme_init, which tells the drawing code (data text too). */
	if (config_get(t->cfg, "ui", "ascii") != NULL &&
	    strcasecmp(config_get(t->cfg, "ui", "ascii"), "yes") == 0)
		t->ascii = 1;
	set_escdelay(25);
	initscr();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	theme_init(t);
	if (config_get(t->cfg, "ui", "mouse") != NULL &&
	    strcasecmp(config_get(t->cfg, "ui", "mouse"), "yes") == 0)
		mousemask(ALL_MOUSE_EVENTS, NULL);
	if (config_get(t->cfg, "ui", "bell") != NULL &&
	    strcasecmp(config_get(t->cfg, "ui", "bell"), "yes") == 0)
		t->bell = 1;
}

/* Add the config file's [views] to the replica's saved views. */
static void
tui_config_views(struct tui *t)
{
	const char	*name, *value, *bar;
	char		*query, *cause = NULL;
	size_t		 i;
	int		 sort;

	for (i = 0; config_entry(t->cfg, "views", i, &name, &value) == 0;
	    i++) {
		sort = QUEUE_SORT_SLA;
		if ((bar = strchr(value, '|')) != NULL) {
			query = xstrndup(value, (size_t)(bar - value));
			while (*++bar == ' ')
				;
			if ((sort = queue_sort_parse(bar)) < 0) {
				tui_error(t, _("config: view \"%s\": unknown "
				    "sort \"%s\""), name, bar);
				sort = QUEUE_SORT_SLA;
			}
		} else
			query = xstrdup(value);
		if (replica_view_save(t->r, name, query, (enum queue_sort)sort,
		    &cause) != 0) {
			tui_error(t, "%s", cause);
			free(cause);
			cause = NULL;
		}
		free(query);
	}
}

/* Read the config file; unknown keys become a notice (and the log). */
static int
tui_load_config(struct tui *t, const struct tui_opts *o, char **cause)
{
	char		*path;
	const char	*w;
	int		 rc;

	t->cfg = config_new();
	path = o->config_path != NULL ? xstrdup(o->config_path) :
	    path_config_file();
	rc = config_load(t->cfg, path, tui_config_keys, cause);
	free(path);
	if (rc != 0)
		return (-1);
	w = config_warnings(t->cfg);
	if (*w != '\0') {
		log_warnx("%s", w);
		t->message = xstrndup(w, strcspn(w, "\n"));
		t->message_error = 1;
	}
	return (0);
}

static int
tui_setup(struct tui *t, const struct tui_opts *o, char **cause)
{
	const char	*v;
	char		*why = NULL;
	int		 from, to, fd;

	t->trace_start = time_mono_ns();
	if (o->trace_path != NULL) {
		/* 0600: it records every key, so everything typed. */
		if ((fd = open(o->trace_path, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600)) == -1 || fchmod(fd, 0600) == -1 ||
		    (t->trace = fdopen(fd, "w")) == NULL) {
			*cause = xprintf("%s: %s", o->trace_path,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			return (-1);
		}
		tui_trace(t, "start");
	}
	if (tui_load_config(t, o, cause) != 0)
		return (-1);
	if (keymap_init(t->cfg, &why) != 0) {
		*cause = why;
		return (-1);
	}
	t->replica_path = o->replica_path;
	if (replica_open(o->replica_path, REPLICA_CREATE, &t->r, cause) != 0)
		return (-1);
	tui_trace(t, "replica-open");
	tui_config_views(t);
	if (replica_views(t->r, &t->views, cause) != 0)
		return (-1);
	t->view_counts = xcalloc(t->views.n + 1, sizeof *t->view_counts);
	memset(t->view_counts, 0xff, (t->views.n + 1) *
	    sizeof *t->view_counts);
	if (pipe2(t->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xprintf("pipe: %s", strerror(errno));
		return (-1);
	}
	if ((t->worker = worker_start(o->replica_path, t->wake[1],
	    cause)) == NULL)
		return (-1);
	/* Logged in: the console syncs by itself, on its own thread. */
	if (sync_logged_in(t->r)) {
		t->sync = sync_thread_start(o->replica_path,
		    config_get(t->cfg, "sync", "cacert"), t->wake[1], cause);
		if (t->sync == NULL)
			return (-1);
		t->sync_st.state = SYNC_CONNECTING;
	}
	if (tui_start_playbook(t, o, cause) != 0)
		return (-1);
	if ((v = config_get(t->cfg, "notify", "dnd")) != NULL &&
	    tui_dnd_parse(v, &from, &to) != 0) {
		*cause = xprintf(_("config: notify.dnd: \"%s\" is not "
		    "HH:MM-HH:MM"), v);
		return (-1);
	}
	t->unread = -1;		/* the first count rings no bell */
	tui_read_status(t);
	return (0);
}

static void
tui_teardown(struct tui *t)
{
	while (t->top != NULL) {
		struct view	*v = t->top;

		t->top = v->prev;
		if (v->ops->close != NULL)
			v->ops->close(v);
		free(v);
	}
	/* First the sync thread: quitting cuts its transfers at once. */
	sync_thread_stop(t->sync);
	playbook_thread_stop(t->playbook);
	free(t->playbook_notice);
	if (t->worker != NULL)
		worker_stop(t->worker);
	if (t->wake[0] > 0) {
		close(t->wake[0]);
		close(t->wake[1]);
	}
	saved_view_list_free(&t->views);
	free(t->view_counts);
	replica_close(t->r);
	config_free(t->cfg);
	free(t->message);
	if (t->trace != NULL)
		fclose(t->trace);
}

/* Run the console until the agent quits. */
int
tui_main(const struct tui_opts *o, char **cause)
{
	struct tui		 t;
	struct pollfd		 pfd[2];
	struct sigaction	 sa;
	wint_t			 key;
	int64_t			 t0, t1;
	int			 rc, first = 1;

	memset(&t, 0, sizeof t);
	t.wake[0] = t.wake[1] = -1;
	if (tui_setup(&t, o, cause) != 0) {
		tui_teardown(&t);
		return (-1);
	}
	log_set_quiet(1);
	tui_curses_start(&t);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	tui_trace(&t, "curses");
	tui_push(&t, &view_queue_ops, NULL);
	tui_trace(&t, "queue-open");
	if (t.top == NULL) {
		endwin();
		*cause = xstrdup(t.message != NULL ? t.message :
		    _("cannot open the queue"));
		tui_teardown(&t);
		return (-1);
	}

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = t.wake[0];
	pfd[1].events = POLLIN;
	while (!t.quit && !tui_sig_quit) {
		if (t.dirty || first) {
			tui_repaint(&t);
			if (first) {
				tui_trace(&t, "first-paint");
				/* The counts come after the first paint. */
				tui_refresh_counts(&t);
			}
			first = 0;
		}
		rc = poll(pfd, 2, 1000);
		if (rc == -1 && errno != EINTR)
			break;
		if (rc == -1) {
			/* SIGWINCH: curses queued KEY_RESIZE; read it now. */
			pfd[0].revents = POLLIN;
			pfd[1].revents = 0;
			rc = 1;
		}
		if (rc == 0) {
			/* Once a second: clocks and relative times move. */
			t.dirty = 1;
			tui_outside_changes(&t);
			continue;
		}
		if (rc > 0 && (pfd[1].revents & POLLIN))
			tui_take_results(&t);
		if (rc > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			while (!t.quit && (rc = get_wch(&key)) != ERR) {
				t0 = time_mono_ns();
				t.draw_ns = t.out_ns = 0;
				tui_key(&t, key, rc == KEY_CODE_YES);
				t1 = time_mono_ns();
				if (!t.quit && t.top != NULL)
					tui_repaint(&t);
				tui_trace(&t, "key code=%lu ms=%.3f handle=%.3f "
				    "draw=%.3f out=%.3f", (unsigned long)key,
				    (double)(time_mono_ns() - t0) / 1e6,
				    (double)(t1 - t0) / 1e6,
				    (double)t.draw_ns / 1e6, (double)t.out_ns / 1e6);
			}
			if (pfd[0].revents & (POLLHUP | POLLERR))
				t.quit = 1;
		}
	}
	endwin();
	log_set_quiet(0);
	tui_trace(&t, "quit");
	tui_teardown(&t);
	return (0);
}
