/* actions.c: ticket actions from keys, bulk marks and ':' commands, all through the replica. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/* Strings a ticket_change points into while it is applied. */
struct change_store {
	char	*id;		/* assignee or team id */
	char	*category;
	char	**add;
	size_t	 nadd;
	char	**remove;
	size_t	 nremove;
};

static void
change_store_free(struct change_store *st)
{
	size_t	 i;

	free(st->id);
	free(st->category);
	for (i = 0; i < st->nadd; i++)
		free(st->add[i]);
	for (i = 0; i < st->nremove; i++)
		free(st->remove[i]);
	free(st->add);
	free(st->remove);
	memset(st, 0, sizeof *st);
}

/* Parse "+refund -new vip" into tags to add and remove. */
static void
change_tags(const char *text, struct ticket_change *c, struct change_store *st)
{
	char	*copy, *w, *save = NULL;

	copy = xstrdup(text);
	for (w = strtok_r(copy, " ,", &save); w != NULL;
	    w = strtok_r(NULL, " ,", &save)) {
		if (*w == '-') {
			st->remove = xreallocarray(st->remove, st->nremove + 1,
			    sizeof *st->remove);
			st->remove[st->nremove++] = xstrdup(w + 1);
		} else {
			st->add = xreallocarray(st->add, st->nadd + 1,
			    sizeof *st->add);
			st->add[st->nadd++] = xstrdup(*w == '+' ? w + 1 : w);
		}
	}
	free(copy);
	c->tags_add = (const char *const *)st->add;
	c->ntags_add = st->nadd;
	c->tags_remove = (const char *const *)st->remove;
	c->ntags_remove = st->nremove;
}

/*
 * Turn the text an agent gave for an action ("solved", "me", "+vip") into
 * a ticket change. Returns 0, or -1 with *cause.
 */
static int
change_from_text(struct tui *t, enum tui_action act, const char *text,
    struct ticket_change *c, struct change_store *st, char **cause)
{
	int	 v;

	ticket_change_init(c);
	switch (act) {
	case ACT_STATUS:
		if ((v = ticket_status_parse(text)) < 0) {
			*cause = xprintf(_("unknown status \"%s\""), text);
			return (-1);
		}
		c->status = v;
		return (0);
	case ACT_PRIORITY:
		if ((v = ticket_priority_parse(text)) < 0) {
			*cause = xprintf(_("unknown priority \"%s\""), text);
			return (-1);
		}
		c->priority = v;
		return (0);
	case ACT_ASSIGN_ME:
		text = "me";
		/* FALLTHROUGH */
	case ACT_ASSIGN:
		c->set_assignee = 1;
		if (strcmp(text, "none") == 0)
			return (0);
		if (strcmp(text, "me") == 0) {
			if ((st->id = replica_me(t->r)) == NULL) {
				*cause = xstrdup(_("no current user: log in "
				    "first"));
				return (-1);
			}
		} else if (replica_user_by_email(t->r, text, &st->id,
		    cause) != 0) {
			if (*cause == NULL)
				*cause = xprintf(_("no agent \"%s\""), text);
			return (-1);
		}
		c->assignee_id = st->id;
		return (0);
	case ACT_TEAM:
		c->set_team = 1;
		if (strcmp(text, "none") == 0)
			return (0);
		if (replica_team_by_name(t->r, text, &st->id, cause) != 0) {
			if (*cause == NULL)
				*cause = xprintf(_("no team \"%s\""), text);
			return (-1);
		}
		c->team_id = st->id;
		return (0);
	case ACT_CATEGORY:
		c->set_category = 1;
		if (strcmp(text, "none") != 0)
			c->category = st->category = xstrdup(text);
		return (0);
	case ACT_TAGS:
		change_tags(text, c, st);
		return (ticket_change_validate(c, cause));
	default:
		*cause = xstrdup(_("not a ticket change"));
		return (-1);
	}
}

/* Ask the agent for an action's value: a choice or a line of text. */
static char *
action_ask(struct tui *t, enum tui_action act)
{
	const char	*choices[TICKET_STATUS_COUNT];
	char		*s = NULL;
	int		 i, idx;

	switch (act) {
	case ACT_STATUS:
		for (i = 0; i < TICKET_STATUS_COUNT; i++)
			choices[i] = ticket_status_label(i);
		if (prompt_choose(t, _("status:"), choices,
		    TICKET_STATUS_COUNT, &idx) != PROMPT_OK)
			return (NULL);
		return (xstrdup(ticket_status_name(idx)));
	case ACT_PRIORITY:
		for (i = 0; i < TICKET_PRIORITY_COUNT; i++)
			choices[i] = ticket_priority_label(i);
		if (prompt_choose(t, _("priority:"), choices,
		    TICKET_PRIORITY_COUNT, &idx) != PROMPT_OK)
			return (NULL);
		return (xstrdup(ticket_priority_name(idx)));
	case ACT_ASSIGN_ME:
		return (xstrdup("me"));
	case ACT_ASSIGN:
		prompt_read(t, _("assign to (me, none, email): "), "", NULL, &s);
		return (s);
	case ACT_TEAM:
		prompt_read(t, _("team (name or none): "), "", NULL, &s);
		return (s);
	case ACT_CATEGORY:
		prompt_read(t, _("category (name or none): "), "", NULL, &s);
		return (s);
	case ACT_TAGS:
		prompt_read(t, _("tags (+add -remove): "), "", NULL, &s);
		return (s);
	default:
		return (NULL);
	}
}

/*
 * Apply a change given as text to n tickets; more than one asks first,
 * showing the count. Returns the number of changes queued, or -1.
 */
static int
action_apply(struct tui *t, enum tui_action act, const char *text,
    const char *const *ids, size_t n)
{
	struct ticket_change	 c;
	struct change_store	 st;
	char			*cause = NULL, *q;
	int			 queued = 0, rc, yes;

	memset(&st, 0, sizeof st);
	if (change_from_text(t, act, text, &c, &st, &cause) != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		change_store_free(&st);
		return (-1);
	}
	if (n > 1) {
		q = xprintf(_("Apply \"%s\" to %zu tickets? (y/n)"), text, n);
		yes = prompt_confirm(t, q);
		free(q);
		if (!yes) {
			change_store_free(&st);
			tui_notice(t, "%s", _("nothing changed"));
			return (0);
		}
	}
	rc = n > 1 ? replica_act_bulk_set(t->r, ids, n, &c, &queued, &cause) :
	    replica_act_set(t->r, ids[0], &c, &queued, &cause);
	change_store_free(&st);
	if (rc != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return (-1);
	}
	if (queued == 0)
		tui_notice(t, "%s", _("nothing to change"));
	else {
		tui_notice(t, _("queued %d change(s); pending until synced"),
		    queued);
		tui_data_changed(t);
	}
	return (queued);
}

/* Run a ticket action from a key on n tickets. */
int
action_run(struct tui *t, enum tui_action act, const char *const *ids,
    size_t n)
{
	struct view_compose_arg	 ca;
	char			*text;
	int			 rc;

	if (n == 0)
		return (0);
	switch (act) {
	case ACT_REPLY:
	case ACT_NOTE:
		if (n > 1) {
			tui_error(t, "%s", _("reply to one ticket at a time"));
			return (-1);
		}
		ca.ticket_id = ids[0];
		ca.internal = act == ACT_NOTE;
		tui_push(t, &view_compose_ops, &ca);
		return (0);
	case ACT_STATUS:
	case ACT_PRIORITY:
	case ACT_ASSIGN:
	case ACT_ASSIGN_ME:
	case ACT_TEAM:
	case ACT_CATEGORY:
	case ACT_TAGS:
		if ((text = action_ask(t, act)) == NULL)
			return (0);
		rc = action_apply(t, act, text, ids, n);
		free(text);
		return (rc);
	default:
		return (0);
	}
}

/* ':status solved' and friends: a verb with its value. */
int
action_command(struct tui *t, const char *verb, const char *arg,
    const char *const *ids, size_t n)
{
	static const struct {
		const char	*verb;
		enum tui_action	 act;
	} verbs[] = {
		{ "status", ACT_STATUS }, { "priority", ACT_PRIORITY },
		{ "assign", ACT_ASSIGN }, { "team", ACT_TEAM },
		{ "category", ACT_CATEGORY }, { "tags", ACT_TAGS },
		{ "tag", ACT_TAGS }, { "reply", ACT_REPLY },
		{ "note", ACT_NOTE },
	};
	size_t	 i;

	for (i = 0; i < nitems(verbs); i++) {
		if (strcmp(verbs[i].verb, verb) != 0)
			continue;
		if (n == 0) {
			tui_error(t, "%s", _("no ticket selected"));
			return (-1);
		}
		if (verbs[i].act == ACT_REPLY || verbs[i].act == ACT_NOTE)
			return (action_run(t, verbs[i].act, ids, n));
		if (arg == NULL || *arg == '\0')
			return (action_run(t, verbs[i].act, ids, n));
		return (action_apply(t, verbs[i].act, arg, ids, n));
	}
	return (-2);
}
