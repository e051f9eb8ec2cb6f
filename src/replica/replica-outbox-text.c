/* replica-outbox-text.c: outbox entries in words, for the console and the CLI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

#define OUTBOX_BODY_MAX	96	/* bytes of a reply shown in its description */

/* What the changes' types are called for people. */
static const struct {
	const char	*type;
	const char	*label;
} outbox_types[] = {
	{ "set_status", N_("status") },
	{ "set_priority", N_("priority") },
	{ "set_assignee", N_("assignee") },
	{ "set_team", N_("team") },
	{ "set_category", N_("category") },
	{ "set_tags", N_("tags") },
	{ "reply", N_("reply") },
	{ "note", N_("note") },
	{ "mark_read", N_("read") },
	{ "set_available", N_("away/back") },
};

/* The translated name of an entry's type; the wire name if unknown. */
const char *
outbox_type_label(const char *type)
{
	size_t	 i;

	for (i = 0; i < nitems(outbox_types); i++)
		if (strcmp(outbox_types[i].type, type) == 0)
			return (_(outbox_types[i].label));
	return (type);
}

/* The translated name of an outbox state. */
const char *
outbox_state_label(enum outbox_state s)
{
	switch (s) {
	case OUTBOX_PENDING:
		return (C_("sync", "pending"));
	case OUTBOX_APPLIED:
		return (C_("sync", "applied"));
	case OUTBOX_REJECTED:
		return (_("rejected"));
	case OUTBOX_CONFLICT:
		return (_("conflict"));
	case OUTBOX_DISCARDED:
		return (C_("sync", "discarded"));
	case OUTBOX_RETRIED:
		return (C_("sync", "retried"));
	}
	return ("?");
}

/* The ticket an entry is for: "#1042", "new" (not numbered yet) or "-". */
const char *
outbox_ticket_label(const struct outbox_entry *e, char *out, size_t len)
{
	if (e->ticket_number > 0)
		snprintf(out, len, "#%lld", (long long)e->ticket_number);
	else
		snprintf(out, len, "%s", e->ticket_id != NULL ? _("new") :
		    "-");
	return (out);
}

/* A payload member as text: strings as they are, null as "none". */
static const char *
od_str(json_t *p, const char *key)
{
	json_t	*j = json_object_get(p, key);

	if (json_is_string(j))
		return (json_string_value(j));
	return (_("none"));
}

/* A status or priority name as its translated label. */
static const char *
od_enum_label(const char *name, int status)
{
	int	 n;

	if (status)
		n = ticket_status_parse(name);
	else
		n = ticket_priority_parse(name);
	if (n < 0)
		return (name);
	return (status ? ticket_status_label(n) : ticket_priority_label(n));
}

/* A user's or team's name for an id in a payload (none, or the id). */
static char *
od_name(struct replica *r, json_t *p, const char *key, int team)
{
	json_t	*j = json_object_get(p, key);
	char	*name;

	if (!json_is_string(j))
		return (xstrdup(_("none")));
	name = team ? replica_team_name(r, json_string_value(j)) :
	    replica_user_name(r, json_string_value(j));
	return (name != NULL ? name : xstrdup(json_string_value(j)));
}

/* " +a +b -c" from a set_tags payload. */
static void
od_tags(struct buf *b, json_t *p)
{
	json_t	*j;
	size_t	 i;

	json_array_foreach(json_object_get(p, "add"), i, j)
		if (json_is_string(j))
			buf_printf(b, " +%s", json_string_value(j));
	json_array_foreach(json_object_get(p, "remove"), i, j)
		if (json_is_string(j))
			buf_printf(b, " -%s", json_string_value(j));
}

/* The first words of a body on one line, cut at a character. */
static void
od_body(struct buf *b, const char *body, int ascii)
{
	size_t	 i, len = strlen(body), start = b->len;
	int	 space = 0;

	for (i = 0; i < len && b->len - start < OUTBOX_BODY_MAX; i++) {
		if (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
		    body[i] == '\n') {
			space = b->len > start;
			continue;
		}
		if (space)
			buf_putc(b, ' ');
		space = 0;
		buf_putc(b, body[i]);
	}
	/* Never end inside a UTF-8 sequence. */
	while (i < len && ((unsigned char)body[i] & 0xc0) == 0x80) {
		buf_putc(b, body[i]);
		i++;
	}
	if (i < len)
		buf_puts(b, ascii ? "..." : "…");
}

/*
 * What an entry changes, in a few words: "status open → pending", "reply:
 * Hello ...". Names come from the replica. The text is data: the caller
 * sanitises it for the terminal. Caller frees.
 */
char *
replica_outbox_describe(struct replica *r, const struct outbox_entry *e,
    int flags)
{
	struct buf	 b = BUF_INIT;
	const char	*arrow = (flags & OUTBOX_TEXT_ASCII) ? "->" : "→";
	json_t		*p;
	char		*from, *to;
	int		 ascii = (flags & OUTBOX_TEXT_ASCII) != 0, st, team;

	p = json_loads(e->payload != NULL ? e->payload : "", 0, NULL);
	if (p == NULL || !json_is_object(p)) {
		json_decref(p);
		return (xstrdup(_("(unreadable change)")));
	}
	if (strcmp(e->type, "set_status") == 0 ||
	    strcmp(e->type, "set_priority") == 0) {
		st = strcmp(e->type, "set_status") == 0;
		buf_printf(&b, "%s %s %s %s", st ? _("status") :
		    _("priority"), od_enum_label(od_str(p, "from"), st), arrow,
		    od_enum_label(od_str(p, st ? "status" : "priority"), st));
	} else if (strcmp(e->type, "set_assignee") == 0 ||
	    strcmp(e->type, "set_team") == 0) {
		team = strcmp(e->type, "set_team") == 0;
		from = od_name(r, p, "from", team);
		to = od_name(r, p, team ? "team_id" : "assignee_id", team);
		buf_printf(&b, "%s %s %s %s", team ? _("team") :
		    _("assignee"), from, arrow, to);
		free(from);
		free(to);
	} else if (strcmp(e->type, "set_category") == 0)
		buf_printf(&b, "%s %s %s %s", _("category"),
		    od_str(p, "from"), arrow, od_str(p, "category"));
	else if (strcmp(e->type, "set_tags") == 0) {
		buf_puts(&b, _("tags"));
		od_tags(&b, p);
	} else if (strcmp(e->type, "reply") == 0 ||
	    strcmp(e->type, "note") == 0) {
		buf_printf(&b, "%s: ", outbox_type_label(e->type));
		od_body(&b, json_is_string(json_object_get(p, "body")) ?
		    json_string_value(json_object_get(p, "body")) : "", ascii);
	} else
		buf_puts(&b, outbox_type_label(e->type));
	json_decref(p);
	return (buf_detach(&b));
}
