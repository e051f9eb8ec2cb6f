/* commands.c: the ':' command line: a table of commands, their arguments and help. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

struct command {
	const char	*name;
	const char	*args;
	int		(*run)(struct tui *, const char *);
	const char	*help;
};

static int
cmd_quit(struct tui *t, const char *arg)
{
	(void)arg;
	t->quit = 1;
	return (0);
}

/* The queue view at the bottom of the stack. */
static struct view *
cmd_queue(struct tui *t)
{
	struct view	*v;

	for (v = t->top; v != NULL && v->prev != NULL; v = v->prev)
		;
	return (v != NULL && v->ops == &view_queue_ops ? v : NULL);
}

/* Close everything above the queue. */
static void
cmd_to_queue(struct tui *t)
{
	while (t->top != NULL && t->top->ops != &view_queue_ops)
		tui_pop(t);
}

static int
cmd_view(struct tui *t, const char *arg)
{
	struct view	*q = cmd_queue(t);

	if (q == NULL || view_queue_select(q, arg) != 0) {
		tui_error(t, _("no saved view \"%s\""), arg);
		return (-1);
	}
	cmd_to_queue(t);
	return (0);
}

static int
cmd_sort(struct tui *t, const char *arg)
{
	struct view	*q = cmd_queue(t);
	int		 s;

	if ((s = queue_sort_parse(arg)) < 0) {
		tui_error(t, _("unknown sort \"%s\" (sla, updated, priority, "
		    "number)"), arg);
		return (-1);
	}
	cmd_to_queue(t);
	return (q != NULL ? view_queue_set(q, s, NULL) : -1);
}

static int
cmd_limit(struct tui *t, const char *arg)
{
	struct view	*q = cmd_queue(t);

	cmd_to_queue(t);
	return (q != NULL ? view_queue_set(q, -1, arg) : -1);
}

static int
cmd_search(struct tui *t, const char *arg)
{
	tui_push(t, &view_search_ops, *arg != '\0' ? arg : NULL);
	return (0);
}

static int
cmd_outbox(struct tui *t, const char *arg)
{
	(void)arg;
	tui_push(t, &view_outbox_ops, NULL);
	return (0);
}

static int
cmd_dashboard(struct tui *t, const char *arg)
{
	(void)arg;
	if (t->top->ops != &view_dashboard_ops)
		tui_push(t, &view_dashboard_ops, NULL);
	return (0);
}

static int
cmd_notifications(struct tui *t, const char *arg)
{
	(void)arg;
	tui_push(t, &view_notify_ops, NULL);
	return (0);
}

/* :away and :available: whether new tickets may be assigned to me. */
static int
cmd_availability(struct tui *t, int available)
{
	char	*cause = NULL;

	if (replica_set_available(t->r, available, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return (-1);
	}
	tui_data_changed(t);
	tui_notice(t, "%s", available ? _("available: new tickets may be "
	    "assigned to you") : _("away: new tickets go to others"));
	return (0);
}

static int
cmd_away(struct tui *t, const char *arg)
{
	(void)arg;
	return (cmd_availability(t, 0));
}

static int
cmd_available(struct tui *t, const char *arg)
{
	(void)arg;
	return (cmd_availability(t, 1));
}

static int
cmd_help(struct tui *t, const char *arg)
{
	(void)arg;
	tui_push(t, &view_help_ops, t->top);
	return (0);
}

static int
cmd_open(struct tui *t, const char *arg)
{
	struct view_ticket_arg	 ta;
	char			 id[UUID_STRLEN + 1], *cause = NULL;
	long long		 n;

	n = strtoll(*arg == '#' ? arg + 1 : arg, NULL, 10);
	if (n <= 0 || replica_ticket_id(t->r, n, id, &cause) != 0) {
		tui_error(t, _("no ticket #%s"), arg);
		free(cause);
		return (-1);
	}
	memset(&ta, 0, sizeof ta);
	ta.ticket_id = id;
	tui_push(t, &view_ticket_ops, &ta);
	return (0);
}

/* The commands; ticket changes (status, assign, ...) are in actions.c. */
static const struct command commands[] = {
	{ "quit", "", cmd_quit, N_("quit triage") },
	{ "q", "", cmd_quit, N_("quit triage") },
	{ "view", N_("NAME"), cmd_view, N_("switch to a saved view") },
	{ "sort", N_("sla|updated|priority|number"), cmd_sort,
	  N_("sort the queue") },
	{ "limit", N_("QUERY"), cmd_limit,
	  N_("limit the queue (empty: no limit)") },
	{ "search", N_("[TEXT]"), cmd_search, N_("search everything") },
	{ "outbox", "", cmd_outbox, N_("show pending and rejected changes") },
	{ "notifications", "", cmd_notifications,
	  N_("show your notifications") },
	{ "away", "", cmd_away, N_("take no new tickets from auto-assignment") },
	{ "available", "", cmd_available,
	  N_("take new tickets from auto-assignment again") },
	{ "dashboard", "", cmd_dashboard,
	  N_("show open tickets, SLA compliance, times and load") },
	{ "help", "", cmd_help, N_("show keys and commands") },
	{ "open", N_("NUMBER"), cmd_open, N_("open a ticket") },
	{ NULL, NULL, NULL, NULL }
};

/* The ticket commands, for help; actions.c runs them. */
static const struct command ticket_commands[] = {
	{ "status", N_("NAME"), NULL, N_("set the status") },
	{ "priority", N_("NAME"), NULL, N_("set the priority") },
	{ "assign", N_("me|none|EMAIL"), NULL, N_("assign the ticket") },
	{ "team", N_("NAME|none"), NULL, N_("set the team") },
	{ "category", N_("NAME|none"), NULL, N_("set the category") },
	{ "tags", N_("+ADD -REMOVE"), NULL, N_("change tags") },
	{ "reply", "", NULL, N_("reply to the customer") },
	{ "note", "", NULL, N_("write an internal note") },
	{ "macro", N_("[TEXT]"), NULL,
	  N_("reply with a macro (the picker, matching TEXT)") },
	{ NULL, NULL, NULL, NULL }
};

/* Help lines for every command, "name args - help", one per call. */
int
command_help(size_t i, const char **name, const char **args,
    const char **help)
{
	size_t	 n = nitems(commands) - 1;

	if (i < n) {
		*name = commands[i].name;
		*args = commands[i].args;
		*help = commands[i].help;
		return (0);
	}
	i -= n;
	if (i < nitems(ticket_commands) - 1) {
		*name = ticket_commands[i].name;
		*args = ticket_commands[i].args;
		*help = ticket_commands[i].help;
		return (0);
	}
	return (-1);
}

/* Run a ':' command line. Returns 0, or -1 (the message line says why). */
int
tui_run_command(struct tui *t, const char *line)
{
	const struct command	*c;
	char			*copy, *verb, *arg, *end;
	const char		*id;
	int			 rc;

	copy = xstrdup(line);
	verb = copy + strspn(copy, " \t");
	arg = verb + strcspn(verb, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	end = arg + strlen(arg);
	while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*verb == '\0') {
		free(copy);
		return (0);
	}
	for (c = commands; c->name != NULL; c++) {
		if (strcmp(c->name, verb) == 0) {
			rc = c->run(t, arg);
			free(copy);
			return (rc);
		}
	}
	id = t->top->ops->current_ticket != NULL ?
	    t->top->ops->current_ticket(t->top) : NULL;
	rc = action_command(t, verb, arg, &id, id != NULL ? 1 : 0);
	if (rc == -2) {
		tui_error(t, _("unknown command \"%s\" (:help lists them)"),
		    verb);
		rc = -1;
	}
	free(copy);
	return (rc < 0 ? -1 : 0);
}
