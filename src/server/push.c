/* push.c: POST /v1/push: mutations applied once each, in seq order. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

#define PUSH_MAX_TEXT		200	/* subject, category, tag: characters */
#define PUSH_RETRIES		5

/* What applying one mutation came to. */
struct outcome {
	const char	*status;	/* applied, rejected, conflict */
	char		*reason;	/* rejected: why, for the agent */
	char		 message_id[UUID_STRLEN + 1];	/* conflict */
	int64_t		 rev;
};

/* One mutation being applied: its fields and the transaction's facts. */
struct mut {
	PGconn		*c;
	const struct caller *who;
	json_t		*m;
	const char	*type;
	struct pg_err	 err;
	char		*cause;		/* an SQL failure (not a rejection) */
};

static void
outcome_reject(struct outcome *o, const char *fmt, ...) printflike(2, 3);

static void
outcome_reject(struct outcome *o, const char *fmt, ...)
{
	va_list	 ap;

	o->status = "rejected";
	free(o->reason);
	va_start(ap, fmt);
	if (vasprintf(&o->reason, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
}

static const char *
mut_str(struct mut *mu, const char *key)
{
	return (json_string_value(json_object_get(mu->m, key)));
}

/* Run a write returning rev; keep the highest rev in o. 0, or -1. */
static int
mut_write(struct mut *mu, struct outcome *o, const char *sql, int n,
    const char *const *p)
{
	PGresult	*res;
	int64_t		 rev;
	int		 i;

	if ((res = pg_query(mu->c, sql, n, p, &mu->err, &mu->cause)) == NULL)
		return (-1);
	for (i = 0; i < PQntuples(res); i++) {
		rev = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		if (rev > o->rev)
			o->rev = rev;
	}
	PQclear(res);
	return (0);
}

/* An audit event for a ticket, in the same transaction as the change. */
static int
mut_event(struct mut *mu, struct outcome *o, const char *ticket,
    const char *field, const char *from, const char *to)
{
	char		 id[UUID_STRLEN + 1];
	const char	*p[7];

	uuid_v7(id);
	p[0] = id;
	p[1] = mu->who->org_id;
	p[2] = ticket;
	p[3] = mu->who->user_id;
	p[4] = field;
	p[5] = from;
	p[6] = to;
	return (mut_write(mu, o, "INSERT INTO events(id, org_id, ticket_id, "
	    "actor_id, field, old_value, new_value) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7) RETURNING rev", 7, p));
}

/* The ticket a mutation names, locked. 1 found, 0 rejected, -1 error. */
struct tk {
	char	 status[16], priority[16];
	char	*assignee, *team, *category, *tags;
	int64_t	 number, rev;
};

static void
tk_free(struct tk *t)
{
	free(t->assignee);
	free(t->team);
	free(t->category);
	free(t->tags);
}

static char *
tk_val(PGresult *res, int col)
{
	return (PQgetisnull(res, 0, col) ? NULL :
	    xstrdup(PQgetvalue(res, 0, col)));
}

static int
mut_ticket(struct mut *mu, struct outcome *o, const char *id, struct tk *t)
{
	PGresult	*res;
	const char	*p[2] = { id, mu->who->org_id };

	memset(t, 0, sizeof *t);
	if ((res = pg_query(mu->c, "SELECT status, priority, assignee_id, "
	    "team_id, category, tags::text, number, rev, deleted, "
	    "(SELECT number FROM tickets m WHERE m.id = t.merged_into) FROM "
	    "tickets t WHERE id = $1 AND org_id = $2 FOR UPDATE", 2, p,
	    &mu->err, &mu->cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 0) {
		PQclear(res);
		outcome_reject(o, "unknown ticket");
		return (0);
	}
	t->rev = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 8), "t") == 0) {
		if (!PQgetisnull(res, 0, 9))
			outcome_reject(o, "the ticket was merged into #%s",
			    PQgetvalue(res, 0, 9));
		else
			outcome_reject(o, "the ticket was deleted");
		o->rev = t->rev;
		PQclear(res);
		return (0);
	}
	snprintf(t->status, sizeof t->status, "%s", PQgetvalue(res, 0, 0));
	snprintf(t->priority, sizeof t->priority, "%s", PQgetvalue(res, 0, 1));
	t->assignee = tk_val(res, 2);
	t->team = tk_val(res, 3);
	t->category = tk_val(res, 4);
	t->tags = tk_val(res, 5);
	t->number = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
	PQclear(res);
	return (1);
}

/* SLA due times from the organisation's policy for a priority. */
const char *push_sla_sql =
    "UPDATE tickets t SET "
    "first_response_due = CASE WHEN t.first_response_at IS NULL THEN "
    "t.created_at + p.first_response_mins * interval '1 minute' END, "
    "resolution_due = t.created_at + p.resolution_mins * interval '1 minute' "
    "FROM sla_policies p WHERE t.id = $1 AND p.org_id = t.org_id AND "
    "p.priority = t.priority AND NOT p.deleted RETURNING t.rev";

static int
mut_set_field(struct mut *mu, struct outcome *o)
{
	const char	*ticket = mut_str(mu, "ticket_id"), *p[3];
	const char	*key, *col, *to, *from, *field;
	struct tk	 t;
	PGresult	*res;
	int		 rc, r = -1;

	if ((rc = mut_ticket(mu, o, ticket, &t)) != 1)
		return (rc);
	if (strcmp(mu->type, "set_status") == 0) {
		key = "status"; col = "status"; field = "status";
		from = t.status;
	} else if (strcmp(mu->type, "set_priority") == 0) {
		key = "priority"; col = "priority"; field = "priority";
		from = t.priority;
	} else if (strcmp(mu->type, "set_assignee") == 0) {
		key = "assignee_id"; col = "assignee_id"; field = "assignee";
		from = t.assignee;
	} else if (strcmp(mu->type, "set_team") == 0) {
		key = "team_id"; col = "team_id"; field = "team";
		from = t.team;
	} else {
		key = "category"; col = "category"; field = "category";
		from = t.category;
	}
	to = mut_str(mu, key);

	/* Validate the new value against the organisation. */
	if (strcmp(key, "status") == 0 && ticket_status_parse(to) < 0) {
		outcome_reject(o, "unknown status \"%s\"", to);
		goto done;
	}
	if (strcmp(key, "priority") == 0 && ticket_priority_parse(to) < 0) {
		outcome_reject(o, "unknown priority \"%s\"", to);
		goto done;
	}
	/* "hold" and "on-hold" are "on_hold": store the one name. */
	if (strcmp(key, "status") == 0)
		to = ticket_status_name(ticket_status_parse(to));
	else if (strcmp(key, "priority") == 0)
		to = ticket_priority_name(ticket_priority_parse(to));
	if (to != NULL && (strcmp(key, "assignee_id") == 0 ||
	    strcmp(key, "team_id") == 0)) {
		p[0] = to;
		p[1] = mu->who->org_id;
		res = pg_query(mu->c, strcmp(key, "team_id") == 0 ?
		    "SELECT 'agent' FROM teams WHERE id = $1 AND org_id = $2 "
		    "AND NOT deleted" :
		    "SELECT role FROM users WHERE id = $1 AND org_id = $2 AND "
		    "active AND NOT deleted", 2, p, &mu->err, &mu->cause);
		if (res == NULL)
			goto out;
		if (PQntuples(res) == 0)
			outcome_reject(o, strcmp(key, "team_id") == 0 ?
			    "unknown team" : "unknown assignee");
		else if (strcmp(PQgetvalue(res, 0, 0), "viewer") == 0)
			outcome_reject(o, "viewers cannot be assigned "
			    "tickets");
		PQclear(res);
		if (o->reason != NULL)
			goto done;
	}
	if (strcmp(key, "category") == 0 && to != NULL &&
	    utf8_strlen(to) > PUSH_MAX_TEXT) {
		outcome_reject(o, "the category is longer than %d characters",
		    PUSH_MAX_TEXT);
		goto done;
	}
	if ((to == NULL && from == NULL) ||
	    (to != NULL && from != NULL && strcmp(to, from) == 0)) {
		o->rev = t.rev;		/* already so: nothing to change */
		r = 0;
		goto out;
	}

	p[0] = ticket;
	p[1] = to;
	if (strcmp(col, "status") == 0) {
		/*
		 * Pending and on hold stop the SLA clocks; back to new or
		 * open, the due times move on by the business minutes they
		 * stood still (schema 3).
		 */
		if (mut_write(mu, o, "UPDATE tickets SET status = $2, "
		    "updated_at = now(), solved_at = CASE WHEN $2 = 'solved' "
		    "THEN now() WHEN $2 = 'closed' THEN coalesce(solved_at, "
		    "now()) END, paused_at = CASE WHEN $2 IN ('pending', "
		    "'on_hold') THEN coalesce(paused_at, now()) END, "
		    "first_response_due = CASE WHEN $2 IN ('new', 'open') AND "
		    "first_response_at IS NULL THEN triage_resume("
		    "first_response_due, paused_at, org_id, priority) ELSE "
		    "first_response_due END, resolution_due = CASE WHEN $2 IN "
		    "('new', 'open') THEN triage_resume(resolution_due, "
		    "paused_at, org_id, priority) ELSE resolution_due END "
		    "WHERE id = $1 RETURNING rev", 2, p) != 0)
			goto out;
	} else {
		char *sql = xprintf("UPDATE tickets SET %s = $2, updated_at = "
		    "now() WHERE id = $1 RETURNING rev", col);

		rc = mut_write(mu, o, sql, 2, p);
		free(sql);
		if (rc != 0)
			goto out;
		if (strcmp(col, "priority") == 0 &&
		    mut_write(mu, o, push_sla_sql, 1, p) != 0)
			goto out;
	}
	if (mut_event(mu, o, ticket, field, from, to) != 0)
		goto out;
done:
	r = 0;
out:
	tk_free(&t);
	return (r);
}

/* Does a JSON array of strings hold s (case-insensitively)? */
static int
tags_have(json_t *a, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(a, i, v)
		if (strcasecmp(json_string_value(v), s) == 0)
			return (1);
	return (0);
}

static int
mut_set_tags(struct mut *mu, struct outcome *o)
{
	const char	*ticket = mut_str(mu, "ticket_id"), *p[2];
	json_t		*old, *nw, *add, *rm, *v;
	struct tk	 t;
	char		*text = NULL, *was = NULL;
	size_t		 i;
	int		 rc, r = -1;

	if ((rc = mut_ticket(mu, o, ticket, &t)) != 1)
		return (rc);
	add = json_object_get(mu->m, "add");
	rm = json_object_get(mu->m, "remove");
	old = json_loads(t.tags != NULL ? t.tags : "[]", 0, NULL);
	nw = json_array();
	json_array_foreach(old, i, v)
		if (json_is_string(v) && !tags_have(rm, json_string_value(v)))
			json_array_append(nw, v);
	json_array_foreach(add, i, v) {
		if (*json_string_value(v) == '\0' ||
		    utf8_strlen(json_string_value(v)) > PUSH_MAX_TEXT) {
			outcome_reject(o, "a tag is empty or longer than %d "
			    "characters", PUSH_MAX_TEXT);
			r = 0;
			goto out;
		}
		if (!tags_have(nw, json_string_value(v)))
			json_array_append(nw, v);
	}
	if (json_equal(old, nw)) {
		o->rev = t.rev;
		r = 0;
		goto out;
	}
	text = json_dumps(nw, JSON_COMPACT);
	was = json_dumps(old, JSON_COMPACT);
	p[0] = ticket;
	p[1] = text;
	if (mut_write(mu, o, "UPDATE tickets SET tags = $2::jsonb, updated_at "
	    "= now() WHERE id = $1 RETURNING rev", 2, p) != 0 ||
	    mut_event(mu, o, ticket, "tags", was, text) != 0)
		goto out;
	r = 0;
out:
	json_decref(old);
	json_decref(nw);
	free(text);
	free(was);
	tk_free(&t);
	return (r);
}

/*
 * The collision gate: a reply names the newest message its author had
 * seen; a customer message newer than that means the agent has not read
 * it, and the reply waits for a decision unless it comes with force.
 * 1 conflict (o filled), 0 go ahead, -1 error.
 */
static int
mut_collision(struct mut *mu, struct outcome *o, const char *ticket)
{
	const char	*seen = mut_str(mu, "seen_message_id"), *p[2];
	PGresult	*res;
	int		 rc = 0;

	if (json_is_true(json_object_get(mu->m, "force")))
		return (0);
	p[0] = ticket;
	p[1] = seen;
	if ((res = pg_query(mu->c, "SELECT m.id, m.rev FROM messages m WHERE "
	    "m.ticket_id = $1 AND m.author = 'customer' AND NOT m.deleted AND "
	    "m.id IS DISTINCT FROM $2::uuid AND ($2::uuid IS NULL OR "
	    "m.created_at > coalesce((SELECT s.created_at FROM messages s "
	    "WHERE s.id = $2::uuid AND s.ticket_id = $1), '-infinity')) "
	    "ORDER BY m.created_at DESC, m.id DESC LIMIT 1", 2, p, &mu->err,
	    &mu->cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1) {
		o->status = "conflict";
		snprintf(o->message_id, sizeof o->message_id, "%s",
		    PQgetvalue(res, 0, 0));
		o->rev = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		free(o->reason);
		o->reason = xstrdup("the customer wrote again since this "
		    "reply was written");
		rc = 1;
	}
	PQclear(res);
	return (rc);
}

static int
mut_reply(struct mut *mu, struct outcome *o)
{
	const char	*ticket = mut_str(mu, "ticket_id");
	const char	*msg = mut_str(mu, "message_id");
	const char	*body = mut_str(mu, "body"), *p[7];
	int		 note = strcmp(mu->type, "note") == 0;
	struct tk	 t;
	PGresult	*res;
	int		 rc, r = -1;

	if ((rc = mut_ticket(mu, o, ticket, &t)) != 1)
		return (rc);
	if (*body == '\0') {
		outcome_reject(o, "the %s is empty", note ? "note" : "reply");
		r = 0;
		goto out;
	}
	p[0] = msg;
	if ((res = pg_query(mu->c, "SELECT 1 FROM messages WHERE id = $1", 1,
	    p, &mu->err, &mu->cause)) == NULL)
		goto out;
	rc = PQntuples(res);
	PQclear(res);
	if (rc != 0) {
		outcome_reject(o, "a message with this id exists");
		r = 0;
		goto out;
	}
	if (!note && (rc = mut_collision(mu, o, ticket)) != 0) {
		r = rc < 0 ? -1 : 0;
		goto out;
	}
	p[0] = msg;
	p[1] = mu->who->org_id;
	p[2] = ticket;
	p[3] = mu->who->user_id;
	p[4] = pg_bool(note);
	p[5] = body;
	p[6] = mut_str(mu, "macro_commit");
	if (mut_write(mu, o, "INSERT INTO messages(id, org_id, ticket_id, "
	    "author, author_id, internal, body, macro_commit) VALUES ($1, $2, "
	    "$3, 'agent', $4, $5, $6, $7) RETURNING rev", 7, p) != 0)
		goto out;
	p[0] = ticket;
	if (mut_write(mu, o, note ? "UPDATE tickets SET updated_at = now() "
	    "WHERE id = $1 RETURNING rev" :
	    "UPDATE tickets SET updated_at = now(), first_response_at = "
	    "coalesce(first_response_at, now()), first_response_due = CASE "
	    "WHEN first_response_at IS NULL THEN NULL ELSE first_response_due "
	    "END, status = CASE WHEN status = 'new' THEN 'open' ELSE status "
	    "END WHERE id = $1 RETURNING rev", 1, p) != 0)
		goto out;
	if (mut_event(mu, o, ticket, note ? "note" : "reply", NULL, msg) != 0)
		goto out;
	if (!note && strcmp(t.status, "new") == 0 &&
	    mut_event(mu, o, ticket, "status", "new", "open") != 0)
		goto out;
	r = 0;
out:
	tk_free(&t);
	return (r);
}

static int
mut_create(struct mut *mu, struct outcome *o)
{
	const char	*ticket = mut_str(mu, "ticket_id");
	const char	*subject = mut_str(mu, "subject");
	const char	*customer = mut_str(mu, "customer_id");
	const char	*prio = mut_str(mu, "priority");
	const char	*chan = mut_str(mu, "channel");
	const char	*body = mut_str(mu, "body");
	const char	*msg = mut_str(mu, "message_id"), *p[10];
	json_t		*tags = json_object_get(mu->m, "tags");
	PGresult	*res;
	char		*tagtext = NULL;
	size_t		 i;
	int		 n, r = -1;

	if (prio == NULL)
		prio = "normal";
	if (chan == NULL)
		chan = "web";
	if (*subject == '\0' || utf8_strlen(subject) > 1000) {
		outcome_reject(o, "a ticket needs a subject of 1 to 1000 "
		    "characters");
		return (0);
	}
	if (ticket_priority_parse(prio) < 0) {
		outcome_reject(o, "unknown priority \"%s\"", prio);
		return (0);
	}
	/* The same limits as when they are set on a ticket later. */
	if (utf8_strlen(chan) > PUSH_MAX_TEXT || (mut_str(mu, "category") !=
	    NULL && utf8_strlen(mut_str(mu, "category")) > PUSH_MAX_TEXT)) {
		outcome_reject(o, "a channel or category is over %d "
		    "characters", PUSH_MAX_TEXT);
		return (0);
	}
	for (i = 0; i < json_array_size(tags); i++)
		if (*json_string_value(json_array_get(tags, i)) == '\0' ||
		    utf8_strlen(json_string_value(json_array_get(tags, i))) >
		    PUSH_MAX_TEXT) {
			outcome_reject(o, "a tag must be 1 to %d characters",
			    PUSH_MAX_TEXT);
			return (0);
		}
	prio = ticket_priority_name(ticket_priority_parse(prio));
	p[0] = ticket;
	p[1] = customer;
	p[2] = mu->who->org_id;
	if ((res = pg_query(mu->c, "SELECT (SELECT count(*) FROM tickets "
	    "WHERE id = $1), (SELECT count(*) FROM customers WHERE id = $2 "
	    "AND org_id = $3 AND NOT deleted)", 3, p, &mu->err,
	    &mu->cause)) == NULL)
		return (-1);
	n = atoi(PQgetvalue(res, 0, 0));
	if (n == 0 && customer != NULL && atoi(PQgetvalue(res, 0, 1)) == 0)
		n = -1;
	PQclear(res);
	if (n != 0) {
		outcome_reject(o, n > 0 ? "a ticket with this id exists" :
		    "unknown customer");
		return (0);
	}
	tagtext = tags != NULL ? json_dumps(tags, JSON_COMPACT) :
	    xstrdup("[]");
	p[0] = ticket;
	p[1] = mu->who->org_id;
	p[2] = subject;
	p[3] = prio;
	p[4] = chan;
	p[5] = mut_str(mu, "category");
	p[6] = tagtext;
	p[7] = customer;
	p[8] = mu->who->user_id;
	if (mut_write(mu, o, "WITH c AS (UPDATE org_counters SET next_number "
	    "= next_number + 1 WHERE org_id = $2 RETURNING next_number - 1 AS "
	    "n) INSERT INTO tickets(id, org_id, number, subject, priority, "
	    "channel, category, tags, customer_id, assignee_id) SELECT $1, $2, "
	    "c.n, $3, $4, $5, $6, $7::jsonb, $8, $9 FROM c RETURNING rev", 9,
	    p) != 0)
		goto out;
	p[0] = ticket;
	if (mut_write(mu, o, push_sla_sql, 1, p) != 0 ||
	    mut_event(mu, o, ticket, "created", NULL, subject) != 0)
		goto out;
	if (body != NULL && *body != '\0') {
		p[0] = msg;
		p[1] = mu->who->org_id;
		p[2] = ticket;
		p[3] = mu->who->user_id;
		p[4] = body;
		if (mut_write(mu, o, "INSERT INTO messages(id, org_id, "
		    "ticket_id, author, author_id, internal, body) VALUES ($1, "
		    "$2, $3, 'agent', $4, false, $5) RETURNING rev", 5, p) != 0)
			goto out;
	}
	r = 0;
out:
	free(tagtext);
	return (r);
}

static int
mut_merge(struct mut *mu, struct outcome *o)
{
	const char	*src = mut_str(mu, "ticket_id");
	const char	*into = mut_str(mu, "into"), *p[2];
	struct tk	 a, b;
	char		 num[32];
	int		 rc, r = -1;

	if (strcmp(src, into) == 0) {
		outcome_reject(o, "a ticket cannot be merged into itself");
		return (0);
	}
	if ((rc = mut_ticket(mu, o, src, &a)) != 1)
		return (rc);
	if ((rc = mut_ticket(mu, o, into, &b)) != 1) {
		tk_free(&a);
		if (rc == 0) {
			free(o->reason);
			o->reason = xstrdup("unknown ticket to merge into");
		}
		return (rc);
	}
	p[0] = src;
	p[1] = into;
	snprintf(num, sizeof num, "%lld", (long long)a.number);
	if (mut_write(mu, o, "UPDATE messages SET ticket_id = $2 WHERE "
	    "ticket_id = $1 RETURNING rev", 2, p) != 0 ||
	    mut_write(mu, o, "UPDATE attachments SET ticket_id = $2 WHERE "
	    "ticket_id = $1 RETURNING rev", 2, p) != 0 ||
	    mut_write(mu, o, "UPDATE tickets SET merged_into = $2, deleted = "
	    "true, status = 'closed', updated_at = now() WHERE id = $1 "
	    "RETURNING rev", 2, p) != 0 ||
	    mut_write(mu, o, "UPDATE tickets SET updated_at = now() WHERE "
	    "id = $1 RETURNING rev", 1, p + 1) != 0 ||
	    mut_event(mu, o, into, "merged", num, NULL) != 0)
		goto out;
	r = 0;
out:
	tk_free(&a);
	tk_free(&b);
	return (r);
}

/* An agent marks their notifications read (any other user's: nothing). */
static int
mut_mark_read(struct mut *mu, struct outcome *o)
{
	const char	*p[2];
	char		*ids;
	int		 rc;

	ids = json_dumps(json_object_get(mu->m, "ids"), JSON_COMPACT);
	p[0] = mu->who->user_id;
	p[1] = ids;
	rc = mut_write(mu, o, "UPDATE notifications SET read_at = now() "
	    "WHERE user_id = $1 AND read_at IS NULL AND id::text IN (SELECT "
	    "jsonb_array_elements_text($2::jsonb)) RETURNING rev", 2, p);
	free(ids);
	return (rc);
}

/* An agent says they are available for assignment, or away. */
static int
mut_set_available(struct mut *mu, struct outcome *o)
{
	const char	*p[2];

	p[0] = mu->who->user_id;
	p[1] = pg_bool(json_is_true(json_object_get(mu->m, "available")));
	return (mut_write(mu, o, "UPDATE users SET available = $2 WHERE id = "
	    "$1 AND available <> $2 RETURNING rev", 2, p));
}

static int
mut_noop(struct mut *mu, struct outcome *o)
{
	(void)mu;
	(void)o;
	return (0);
}

/* How each type of mutation is applied (decode.c checked its shape). */
static int (*const mut_apply[PUSH_NTYPES])(struct mut *, struct outcome *) = {
	[PUSH_REPLY] = mut_reply,
	[PUSH_NOTE] = mut_reply,
	[PUSH_SET_STATUS] = mut_set_field,
	[PUSH_SET_PRIORITY] = mut_set_field,
	[PUSH_SET_ASSIGNEE] = mut_set_field,
	[PUSH_SET_TEAM] = mut_set_field,
	[PUSH_SET_CATEGORY] = mut_set_field,
	[PUSH_SET_TAGS] = mut_set_tags,
	[PUSH_CREATE_TICKET] = mut_create,
	[PUSH_MERGE] = mut_merge,
	[PUSH_MARK_READ] = mut_mark_read,
	[PUSH_SET_AVAILABLE] = mut_set_available,
	[PUSH_NOOP] = mut_noop,
};

/* The result object of one mutation. */
static json_t *
push_result(json_int_t seq, const char *id, const struct outcome *o,
    int replayed)
{
	json_t	*j;

	j = json_pack("{s:I, s:s, s:s, s:I}", "seq", seq, "id", id, "status",
	    o->status, "rev", (json_int_t)o->rev);
	if (o->reason != NULL)
		json_object_set_new(j, "reason", json_string(o->reason));
	if (o->message_id[0] != '\0')
		json_object_set_new(j, "message_id",
		    json_string(o->message_id));
	if (replayed)
		json_object_set_new(j, "replayed", json_true());
	return (j);
}

/*
 * One attempt at the whole push in one transaction. 0 done (results
 * filled), 1 answered already (rp set), -1 database error (err, cause).
 */
/*
 * A rejected change to a ticket: the console has already shown it, so the
 * ticket row is given a new rev (nothing else changes) and its next pull
 * brings the server's state back (DESIGN.md section 6: "the affected rows
 * restored from the server"). The result carries that rev.
 */
static int
push_restore(PGconn *c, const struct caller *who, json_t *m, const char *type,
    struct outcome *o, struct pg_err *err, char **cause)
{
	const char	*p[2];
	PGresult	*res;

	p[0] = who->org_id;
	p[1] = json_string_value(json_object_get(m, "ticket_id"));
	if (strncmp(type, "set_", 4) != 0 || p[1] == NULL || !uuid_valid(p[1]))
		return (0);
	if ((res = pg_query(c, "UPDATE tickets SET rev = rev WHERE org_id = $1 "
	    "AND id = $2 RETURNING rev", 2, p, err, cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1)
		o->rev = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return (0);
}

static int
push_apply(PGconn *c, const struct caller *who, const char *client,
    json_t *muts, const enum push_type *types, json_t *results,
    struct reply *rp, struct pg_err *err, char **cause)
{
	struct outcome	 o;
	struct mut	 mu;
	PGresult	*res;
	const char	*p[7];
	char		 sbuf[32], rbuf[32];
	json_t		*m;
	json_int_t	 seq, last;
	size_t		 i;
	int		 rc;

	p[0] = who->org_id;
	p[1] = client;
	p[2] = who->user_id;
	if (pg_exec(c, "BEGIN", 0, NULL, err, cause) != 0 ||
	    /* One writer per organisation from here to commit. */
	    /* Who acts, for schema 3's notification triggers. */
	    pg_exec(c, "SELECT pg_advisory_xact_lock(1953653089, "
	    "hashtext($1)), set_config('triage.actor', $2, true)", 2,
	    (const char *[]){ p[0], p[2] }, err, cause) != 0 ||
	    pg_exec(c, "INSERT INTO clients(id, user_id) VALUES ($1, $2) "
	    "ON CONFLICT (id) DO NOTHING", 2, p + 1, err, cause) != 0 ||
	    (res = pg_query(c, "SELECT user_id, last_seq FROM clients WHERE "
	    "id = $1 FOR UPDATE", 1, p + 1, err, cause)) == NULL)
		return (-1);
	if (strcmp(PQgetvalue(res, 0, 0), who->user_id) != 0) {
		PQclear(res);
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		reply_error(rp, 403, "forbidden", "this client_id belongs to "
		    "another user");
		return (1);
	}
	last = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	seq = json_integer_value(json_object_get(json_array_get(muts, 0),
	    "seq"));
	if (seq > last + 1) {
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		reply_json(rp, 409, json_pack("{s:s, s:s, s:I}", "error",
		    "seq_gap", "message", "the first seq jumps ahead of the "
		    "last one applied", "expected", last + 1));
		return (1);
	}
	json_array_foreach(muts, i, m) {
		memset(&o, 0, sizeof o);
		seq = json_integer_value(json_object_get(m, "seq"));
		snprintf(sbuf, sizeof sbuf, "%" JSON_INTEGER_FORMAT, seq);
		p[0] = client;
		p[1] = sbuf;
		if (seq <= last) {
			/* Applied before: answer as the first time. */
			if ((res = pg_query(c, "SELECT status, reason, rev, "
			    "message_id, mutation_id FROM push_results WHERE "
			    "client_id = $1 AND seq = $2", 2, p, err,
			    cause)) == NULL)
				return (-1);
			/*
			 * The same seq with another mutation: the console
			 * reuses seqs (its replica restored from a copy).
			 * Acknowledging it as a replay would lose it.
			 */
			if (PQntuples(res) == 1 && json_string_value(
			    json_object_get(m, "id")) != NULL && strcmp(
			    PQgetvalue(res, 0, 4), json_string_value(
			    json_object_get(m, "id"))) != 0) {
				PQclear(res);
				pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
				reply_json(rp, 409, json_pack("{s:s, s:s, s:I}",
				    "error", "seq_reused", "message", "this "
				    "seq was used for another change; start a "
				    "new client_id", "seq", seq));
				return (1);
			}
			o.status = "applied";
			if (PQntuples(res) == 1) {
				o.status = strcmp(PQgetvalue(res, 0, 0),
				    "rejected") == 0 ? "rejected" :
				    strcmp(PQgetvalue(res, 0, 0),
				    "conflict") == 0 ? "conflict" : "applied";
				if (!PQgetisnull(res, 0, 1))
					o.reason = xstrdup(PQgetvalue(res, 0,
					    1));
				o.rev = strtoll(PQgetvalue(res, 0, 2), NULL,
				    10);
				if (!PQgetisnull(res, 0, 3))
					snprintf(o.message_id,
					    sizeof o.message_id, "%s",
					    PQgetvalue(res, 0, 3));
			}
			PQclear(res);
			json_array_append_new(results, push_result(seq,
			    json_string_value(json_object_get(m, "id")), &o,
			    1));
			free(o.reason);
			continue;
		}
		memset(&mu, 0, sizeof mu);
		mu.c = c;
		mu.who = who;
		mu.m = m;
		mu.type = push_type_name(types[i]);
		o.status = "applied";
		if (pg_exec(c, "SAVEPOINT m", 0, NULL, err, cause) != 0)
			return (-1);
		rc = mut_apply[types[i]](&mu, &o);
		if (rc != 0) {
			/*
			 * An SQL failure. A lost connection or a
			 * serialization failure retries the whole push;
			 * anything else is this mutation's problem.
			 */
			*err = mu.err;
			if (err->lost || pg_serialization_failure(err)) {
				*cause = mu.cause;
				free(o.reason);
				return (-1);
			}
			log_warnx("push %s: %s", mu.type, mu.cause);
			free(mu.cause);
			outcome_reject(&o, "the server could not apply this "
			    "change (%s)", err->state);
		}
		if (strcmp(o.status, "applied") != 0) {
			if (pg_exec(c, "ROLLBACK TO SAVEPOINT m", 0, NULL, err,
			    cause) != 0 || (strcmp(o.status, "rejected") ==
			    0 && push_restore(c, who, m, mu.type, &o, err,
			    cause) != 0)) {
				free(o.reason);
				return (-1);
			}
		} else if (pg_exec(c, "RELEASE SAVEPOINT m", 0, NULL, err,
		    cause) != 0) {
			free(o.reason);
			return (-1);
		}
		snprintf(rbuf, sizeof rbuf, "%lld", (long long)o.rev);
		p[2] = json_string_value(json_object_get(m, "id"));
		p[3] = o.status;
		p[4] = o.reason;
		p[5] = o.message_id[0] != '\0' ? o.message_id : NULL;
		p[6] = rbuf;
		if (pg_exec(c, "INSERT INTO push_results(client_id, seq, "
		    "mutation_id, status, reason, message_id, rev) VALUES ($1, "
		    "$2, $3, $4, $5, $6, $7)", 7, p, err, cause) != 0) {
			free(o.reason);
			return (-1);
		}
		json_array_append_new(results, push_result(seq,
		    json_string_value(json_object_get(m, "id")), &o, 0));
		free(o.reason);
		last = seq;
	}
	snprintf(sbuf, sizeof sbuf, "%" JSON_INTEGER_FORMAT, last);
	p[0] = client;
	p[1] = sbuf;
	if (pg_exec(c, "UPDATE clients SET last_seq = $2 WHERE id = $1", 2, p,
	    err, cause) != 0 ||
	    pg_exec(c, "COMMIT", 0, NULL, err, cause) != 0)
		return (-1);
	return (0);
}

void
api_push(struct req *r, struct reply *rp)
{
	struct push_body	 pb;
	struct decode_err	 e;
	struct pg_err		 err;
	json_t			*body, *results = NULL;
	PGconn			*c = NULL;
	char			*cause = NULL;
	int			 tries, rc;

	if (r->who.role == ROLE_VIEWER) {
		reply_error(rp, 403, "forbidden", "viewers cannot change "
		    "anything");
		return;
	}
	if ((body = http_parse_body(r, rp)) == NULL)
		return;
	if (push_decode(body, &pb, &e) != 0) {
		reply_error(rp, e.status, e.code, "%s", e.message);
		free(e.message);
		json_decref(body);
		return;
	}
	for (tries = 0; tries < PUSH_RETRIES; tries++) {
		if ((c = pg_get(r->srv->pool, &cause)) == NULL)
			break;
		json_decref(results);
		results = json_array();
		memset(&err, 0, sizeof err);
		rc = push_apply(c, &r->who, pb.client, pb.muts, pb.types,
		    results, rp, &err, &cause);
		if (rc != 0 && PQstatus(c) == CONNECTION_OK &&
		    PQtransactionStatus(c) != PQTRANS_IDLE)
			pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		pg_put(r->srv->pool, c, PQstatus(c) != CONNECTION_OK);
		c = NULL;
		if (rc == 1)
			goto out;
		if (rc == 0) {
			reply_json(rp, 200, json_pack("{s:O}", "results",
			    results));
			goto out;
		}
		if (!pg_serialization_failure(&err) && !err.lost)
			break;
		if (err.lost && tries > 0)
			break;
		free(cause);
		cause = NULL;
	}
	reply_db_error(rp, cause != NULL ? cause : "no connection");
	free(cause);
out:
	free(pb.types);
	json_decref(results);
	json_decref(body);
}
