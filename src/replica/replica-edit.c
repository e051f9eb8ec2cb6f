/* replica-edit.c: a ticket change from the words an agent or a macro gives ("solved", "me", "+vip -new"). */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

void
ticket_edit_init(struct ticket_edit *e)
{
	memset(e, 0, sizeof *e);
	ticket_change_init(&e->c);
}

void
ticket_edit_free(struct ticket_edit *e)
{
	size_t	 i;

	free(e->assignee_id);
	free(e->team_id);
	free(e->category);
	for (i = 0; i < e->nadd; i++)
		free(e->add[i]);
	for (i = 0; i < e->nremove; i++)
		free(e->remove[i]);
	free(e->add);
	free(e->remove);
	ticket_edit_init(e);
}

/* Add one tag to a list, once. */
static void
edit_tag(char ***v, size_t *n, const char *tag, size_t len)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && strncmp((*v)[i], tag, len) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrndup(tag, len);
}

/* "+refund -new vip": words split by spaces or commas; no sign adds. */
static int
edit_tags(struct ticket_edit *e, const char *text, char **cause)
{
	const char	*p = text;
	size_t		 len;
	int		 any = 0;

	for (;;) {
		p += strspn(p, " ,\t");
		if (*p == '\0')
			break;
		len = strcspn(p, " ,\t");
		if (*p == '-' && len > 1)
			edit_tag(&e->remove, &e->nremove, p + 1, len - 1);
		else if (*p == '+' && len > 1)
			edit_tag(&e->add, &e->nadd, p + 1, len - 1);
		else if (*p != '-' && *p != '+')
			edit_tag(&e->add, &e->nadd, p, len);
		p += len;
		any = 1;
	}
	if (!any) {
		*cause = xstrdup(_("no tags given (+add -remove)"));
		return (TICKET_EDIT_BAD);
	}
	e->c.tags_add = (const char *const *)e->add;
	e->c.ntags_add = e->nadd;
	e->c.tags_remove = (const char *const *)e->remove;
	e->c.ntags_remove = e->nremove;
	return (ticket_change_validate(&e->c, cause) == 0 ? 0 :
	    TICKET_EDIT_BAD);
}

/*
 * Add one field to the change: status, priority, assign (me, none or an
 * agent's email), team (a name or none), category (a name or none) or
 * tags. Returns 0; TICKET_EDIT_BAD with *cause for a value that is wrong;
 * -1 with *cause if the replica failed.
 */
int
replica_edit_field(struct replica *r, struct ticket_edit *e,
    const char *field, const char *text, char **cause)
{
	int	 v, rc;

	if (strcmp(field, "status") == 0) {
		if ((v = ticket_status_parse(text)) < 0) {
			*cause = xprintf(_("unknown status \"%s\""), text);
			return (TICKET_EDIT_BAD);
		}
		e->c.status = v;
		return (0);
	}
	if (strcmp(field, "priority") == 0) {
		if ((v = ticket_priority_parse(text)) < 0) {
			*cause = xprintf(_("unknown priority \"%s\""), text);
			return (TICKET_EDIT_BAD);
		}
		e->c.priority = v;
		return (0);
	}
	if (strcmp(field, "assign") == 0) {
		e->c.set_assignee = 1;
		free(e->assignee_id);
		e->assignee_id = NULL;
		e->c.assignee_id = NULL;
		if (strcmp(text, "none") == 0)
			return (0);
		if (strcmp(text, "me") == 0) {
			if ((e->assignee_id = replica_me(r)) == NULL) {
				*cause = xstrdup(_("no current user: log in "
				    "first"));
				return (TICKET_EDIT_BAD);
			}
		} else if ((rc = replica_user_by_email(r, text,
		    &e->assignee_id, cause)) != 0) {
			if (rc != REPLICA_NOTFOUND)
				return (-1);
			*cause = xprintf(_("no agent \"%s\""), text);
			return (TICKET_EDIT_BAD);
		}
		e->c.assignee_id = e->assignee_id;
		return (0);
	}
	if (strcmp(field, "team") == 0) {
		e->c.set_team = 1;
		free(e->team_id);
		e->team_id = NULL;
		e->c.team_id = NULL;
		if (strcmp(text, "none") == 0)
			return (0);
		if ((rc = replica_team_by_name(r, text, &e->team_id,
		    cause)) != 0) {
			if (rc != REPLICA_NOTFOUND)
				return (-1);
			*cause = xprintf(_("no team \"%s\""), text);
			return (TICKET_EDIT_BAD);
		}
		e->c.team_id = e->team_id;
		return (0);
	}
	if (strcmp(field, "category") == 0) {
		e->c.set_category = 1;
		free(e->category);
		e->category = strcmp(text, "none") != 0 ? xstrdup(text) : NULL;
		e->c.category = e->category;
		return (0);
	}
	if (strcmp(field, "tags") == 0)
		return (edit_tags(e, text, cause));
	*cause = xprintf(_("not a ticket field: \"%s\""), field);
	return (TICKET_EDIT_BAD);
}

/*
 * Add a macro's actions, the JSON of triage-playbook(5)'s header
 * ([["status", "pending"], ["tags", "+refund -new"]]), to the change.
 * Returns as replica_edit_field; the cause names the action.
 */
int
replica_edit_actions(struct replica *r, struct ticket_edit *e,
    const char *actions, char **cause)
{
	json_t		*a, *pair;
	json_error_t	 jerr;
	const char	*k, *v;
	char		*why = NULL;
	size_t		 i;
	int		 rc = 0;

	if ((a = json_loads(actions, 0, &jerr)) == NULL ||
	    !json_is_array(a)) {
		json_decref(a);
		*cause = xstrdup(_("the macro's actions are not readable"));
		return (TICKET_EDIT_BAD);
	}
	json_array_foreach(a, i, pair) {
		k = json_string_value(json_array_get(pair, 0));
		v = json_string_value(json_array_get(pair, 1));
		if (k == NULL || v == NULL) {
			*cause = xstrdup(_("the macro's actions are not "
			    "readable"));
			rc = TICKET_EDIT_BAD;
			break;
		}
		if ((rc = replica_edit_field(r, e, k, v, &why)) != 0) {
			*cause = xprintf("%s: %s", k, why);
			free(why);
			break;
		}
	}
	json_decref(a);
	return (rc);
}
