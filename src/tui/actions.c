/* actions.c: ticket actions from keys, bulk marks and ':' commands, all through the replica. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/* The ticket field an action changes, as replica_edit_field names it. */
static const char *
action_field(enum tui_action act)
{
	switch (act) {
	case ACT_STATUS:
		return ("status");
	case ACT_PRIORITY:
		return ("priority");
	case ACT_ASSIGN:
	case ACT_ASSIGN_ME:
		return ("assign");
	case ACT_TEAM:
		return ("team");
	case ACT_CATEGORY:
		return ("category");
	case ACT_TAGS:
		return ("tags");
	default:
		return (NULL);
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
	struct ticket_edit	 e;
	char			*cause = NULL, *q;
	int			 queued = 0, rc, yes;

	ticket_edit_init(&e);
	if (action_field(act) == NULL)
		cause = xstrdup(_("not a ticket change"));
	else if (replica_edit_field(t->r, &e, action_field(act), act ==
	    ACT_ASSIGN_ME ? "me" : text, &cause) == 0)
		cause = NULL;
	if (cause != NULL) {
		tui_error(t, "%s", cause);
		free(cause);
		ticket_edit_free(&e);
		return (-1);
	}
	if (n > 1) {
		q = xprintf(_("Apply \"%s\" to %zu tickets? (y/n)"), text, n);
		yes = prompt_confirm(t, q);
		free(q);
		if (!yes) {
			ticket_edit_free(&e);
			tui_notice(t, "%s", _("nothing changed"));
			return (0);
		}
	}
	rc = n > 1 ? replica_act_bulk_set(t->r, ids, n, &e.c, &queued, &cause) :
	    replica_act_set(t->r, ids[0], &e.c, &queued, &cause);
	ticket_edit_free(&e);
	if (rc != 0) {
		tui_error(t, "%s", cause);
		free(cause);
		return (-1);
	}
	if (queued == 0)
		tui_notice(t, "%s", _("nothing to change"));
	else {
		tui_notice(t, ngettext("queued %d change; pending until synced",
		    "queued %d changes; pending until synced", queued), queued);
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
	struct view_macro_arg	 ma;
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
		memset(&ca, 0, sizeof ca);
		ca.ticket_id = ids[0];
		ca.internal = act == ACT_NOTE;
		tui_push(t, &view_compose_ops, &ca);
		return (0);
	case ACT_MACRO:
		if (n > 1) {
			tui_error(t, "%s", _("a macro goes to one ticket at a "
			    "time"));
			return (-1);
		}
		memset(&ma, 0, sizeof ma);
		ma.ticket_id = ids[0];
		tui_push(t, &view_macro_ops, &ma);
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
		{ "note", ACT_NOTE }, { "macro", ACT_MACRO },
	};
	size_t	 i;

	for (i = 0; i < nitems(verbs); i++) {
		if (strcmp(verbs[i].verb, verb) != 0)
			continue;
		if (n == 0) {
			tui_error(t, "%s", _("no ticket selected"));
			return (-1);
		}
		if (verbs[i].act == ACT_MACRO && n == 1) {
			struct view_macro_arg	 ma;

			ma.ticket_id = ids[0];
			ma.filter = arg;
			tui_push(t, &view_macro_ops, &ma);
			return (0);
		}
		if (verbs[i].act == ACT_REPLY || verbs[i].act == ACT_NOTE ||
		    verbs[i].act == ACT_MACRO)
			return (action_run(t, verbs[i].act, ids, n));
		if (arg == NULL || *arg == '\0')
			return (action_run(t, verbs[i].act, ids, n));
		return (action_apply(t, verbs[i].act, arg, ids, n));
	}
	return (-2);
}
