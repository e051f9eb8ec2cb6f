/* inbound.c: a customer's mail into a ticket: triage mailgate --db, and POST /v1/inbound for mailgate --server. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

/* The number in "[#1234]" in a subject; 0 if none. */
static int64_t
inbound_number(const char *subject)
{
	const char	*p;
	char		*end;
	long long	 n;

	for (p = subject; p != NULL && (p = strstr(p, "[#")) != NULL; p++) {
		if (!isdigit((unsigned char)p[2]))
			continue;
		n = strtoll(p + 2, &end, 10);
		if (*end == ']' && n > 0)
			return (n);
	}
	return (0);
}

/* A subject without "Re:", "Fwd:" and the like in front. */
static const char *
inbound_subject(const char *s)
{
	static const char *const prefixes[] = { "re:", "fw:", "fwd:", "aw:",
	    "wg:", "sv:" };
	size_t	 i;
	int	 again = 1;

	while (again) {
		again = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		for (i = 0; i < nitems(prefixes); i++)
			if (strncasecmp(s, prefixes[i],
			    strlen(prefixes[i])) == 0) {
				s += strlen(prefixes[i]);
				again = 1;
			}
	}
	return (*s != '\0' ? s : "(no subject)");
}

/* One value of a query, or NULL (Caller frees); -1 on error. */
static int
inbound_one(PGconn *c, const char *sql, int n, const char *const *p,
    struct pg_err *err, char **out, char **cause)
{
	PGresult	*res;

	*out = NULL;
	if ((res = pg_query(c, sql, n, p, err, cause)) == NULL)
		return (-1);
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		*out = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return (0);
}

/* The customer with this address, made if there is none. */
static int
inbound_customer(PGconn *c, const char *org, const struct inbound *m,
    struct pg_err *err, char **id, char **cause)
{
	char		 nid[UUID_STRLEN + 1], iid[UUID_STRLEN + 1];
	const char	*p[5];
	char		*name;
	size_t		 at;

	p[0] = org;
	p[1] = m->from;
	if (inbound_one(c, "SELECT coalesce((SELECT i.customer_id FROM "
	    "identities i WHERE i.org_id = $1 AND i.kind = 'email' AND "
	    "lower(i.value) = lower($2) AND NOT i.deleted LIMIT 1), (SELECT "
	    "id FROM customers WHERE org_id = $1 AND lower(email) = lower($2) "
	    "AND NOT deleted LIMIT 1))", 2, p, err, id, cause) != 0)
		return (-1);
	if (*id != NULL)
		return (0);
	at = strcspn(m->from, "@");
	name = m->name != NULL && *m->name != '\0' ? xstrdup(m->name) :
	    xstrndup(m->from, at);
	uuid_v7(nid);
	uuid_v7(iid);
	p[0] = nid;
	p[1] = org;
	p[2] = name;
	p[3] = m->from;
	if (pg_exec(c, "INSERT INTO customers(id, org_id, name, email) VALUES "
	    "($1, $2, $3, $4)", 4, p, err, cause) != 0) {
		free(name);
		return (-1);
	}
	p[2] = iid;
	if (pg_exec(c, "INSERT INTO identities(id, org_id, customer_id, kind, "
	    "value) VALUES ($3, $2, $1, 'email', $4)", 4, p, err,
	    cause) != 0) {
		free(name);
		return (-1);
	}
	free(name);
	*id = xstrdup(nid);
	return (0);
}

/*
 * The customer's ticket the mail belongs to: [#N], else a message it
 * answers. Only the customer's own: a stranger who writes [#N] in a
 * subject starts a ticket of their own rather than adding to someone
 * else's.
 */
static int
inbound_ticket(PGconn *c, const char *org, const char *customer,
    const struct inbound *m, struct pg_err *err, char **id, char **cause)
{
	char		 num[32];
	const char	*p[3];
	int64_t		 n;
	size_t		 i;

	*id = NULL;
	p[0] = org;
	p[2] = customer;
	if ((n = inbound_number(m->subject)) > 0) {
		snprintf(num, sizeof num, "%lld", (long long)n);
		p[1] = num;
		/* A merged ticket sends its mail on to the one it went into. */
		if (inbound_one(c, "SELECT coalesce(merged_into, id) FROM "
		    "tickets WHERE org_id = $1 AND number = $2::bigint AND "
		    "customer_id = $3 AND (NOT deleted OR merged_into IS NOT "
		    "NULL)", 3, p, err, id, cause) != 0)
			return (-1);
		if (*id != NULL)
			return (0);
	}
	for (i = 0; i < m->nrefs && *id == NULL; i++) {
		p[1] = m->refs[i];
		if (inbound_one(c, "SELECT coalesce(t.merged_into, t.id) FROM "
		    "messages x JOIN tickets t ON t.id = x.ticket_id WHERE "
		    "x.org_id = $1 AND x.mail_id = $2 AND t.customer_id = $3 "
		    "LIMIT 1", 3, p, err, id, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * File one mail of a customer in the organisation, in one transaction:
 * into the ticket its subject ([#N]) or its In-Reply-To/References name,
 * reopening it (a closed ticket gets a new one instead), or a new ticket;
 * the customer found by address or made. A Message-ID seen before is a
 * duplicate (an MTA's retry): nothing is added. 0, or -1 with *cause
 * (err says whether the database was reachable).
 */
int
inbound_apply(PGconn *c, const char *org, const struct inbound *m,
    struct inbound_result *res, struct pg_err *err, char **cause)
{
	PGresult	*r;
	char		*customer = NULL, *ticket = NULL, *status = NULL, *dup;
	char		 mid[UUID_STRLEN + 1], tid[UUID_STRLEN + 1];
	char		 fid[UUID_STRLEN + 1], size[32];
	const char	*p[8];
	size_t		 i;
	int		 rc = -1;

	memset(res, 0, sizeof *res);
	if (pg_exec(c, "BEGIN", 0, NULL, err, cause) != 0 ||
	    pg_exec(c, "SELECT set_config('triage.actor', '', true)", 0, NULL,
	    err, cause) != 0)
		goto fail;
	p[0] = org;
	p[1] = m->message_id;
	if (m->message_id != NULL) {
		if (inbound_one(c, "SELECT t.number FROM messages x JOIN tickets "
		    "t ON t.id = x.ticket_id WHERE x.org_id = $1 AND x.mail_id = "
		    "$2 LIMIT 1", 2, p, err, &dup, cause) != 0)
			goto fail;
		if (dup != NULL) {
			res->duplicate = 1;
			res->number = strtoll(dup, NULL, 10);
			free(dup);
			pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
			return (0);
		}
	}
	if (inbound_customer(c, org, m, err, &customer, cause) != 0 ||
	    inbound_ticket(c, org, customer, m, err, &ticket, cause) != 0)
		goto fail;
	if (ticket != NULL) {
		p[0] = ticket;
		if (inbound_one(c, "SELECT status FROM tickets WHERE id = $1 "
		    "FOR UPDATE", 1, p, err, &status, cause) != 0)
			goto fail;
		if (status != NULL && strcmp(status, "closed") == 0) {
			free(ticket);
			ticket = NULL;	/* closed is closed: a new ticket */
		}
	}
	if (ticket == NULL) {
		uuid_v7(tid);
		p[0] = tid;
		p[1] = org;
		p[2] = inbound_subject(m->subject != NULL ? m->subject : "");
		p[3] = customer;
		if ((r = pg_query(c, "WITH n AS (UPDATE org_counters SET "
		    "next_number = next_number + 1 WHERE org_id = $2 RETURNING "
		    "next_number - 1 AS number) INSERT INTO tickets(id, org_id, "
		    "number, subject, status, channel, customer_id) SELECT $1, "
		    "$2, n.number, left($3::text, 500), 'new', 'email', $4::uuid FROM n "
		    "RETURNING number", 4, p, err, cause)) == NULL)
			goto fail;
		res->number = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (pg_exec(c, push_sla_sql, 1, p, err, cause) != 0)
			goto fail;
		res->created = 1;
		ticket = xstrdup(tid);
	} else {
		/* The customer wrote: the ticket is theirs to answer again. */
		p[0] = ticket;
		if ((r = pg_query(c, "UPDATE tickets SET updated_at = now(), "
		    "status = CASE WHEN status IN ('pending', 'on_hold', "
		    "'solved') THEN 'open' ELSE status END, solved_at = CASE "
		    "WHEN status = 'solved' THEN NULL ELSE solved_at END, "
		    "paused_at = NULL, first_response_due = CASE WHEN status IN "
		    "('pending', 'on_hold') AND first_response_at IS NULL THEN "
		    "triage_resume(first_response_due, paused_at, org_id, "
		    "priority) ELSE first_response_due END, resolution_due = "
		    "CASE WHEN status IN ('pending', 'on_hold') THEN "
		    "triage_resume(resolution_due, paused_at, org_id, priority) "
		    "ELSE resolution_due END WHERE id = $1 RETURNING number",
		    1, p, err, cause)) == NULL)
			goto fail;
		res->number = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (status != NULL && (strcmp(status, "pending") == 0 ||
		    strcmp(status, "on_hold") == 0 ||
		    strcmp(status, "solved") == 0)) {
			uuid_v7(fid);
			p[0] = fid;
			p[1] = org;
			p[2] = ticket;
			p[3] = status;
			if (pg_exec(c, "INSERT INTO events(id, org_id, ticket_id, "
			    "field, old_value, new_value) VALUES ($1, $2, $3, "
			    "'status', $4, 'open')", 4, p, err, cause) != 0)
				goto fail;
			res->reopened = 1;
		}
	}
	uuid_v7(mid);
	p[0] = mid;
	p[1] = org;
	p[2] = ticket;
	p[3] = m->body != NULL ? m->body : "";
	p[4] = m->message_id;
	p[5] = customer;
	if (pg_exec(c, "INSERT INTO messages(id, org_id, ticket_id, author, "
	    "author_id, body, mail_id) VALUES ($1, $2, $3, 'customer', $6, $4, "
	    "$5)", 6, p, err, cause) != 0)
		goto fail;
	for (i = 0; i < m->nfiles; i++) {
		uuid_v7(fid);
		snprintf(size, sizeof size, "%zu", m->files[i].len);
		p[0] = fid;
		p[1] = org;
		p[2] = mid;
		p[3] = ticket;
		p[4] = m->files[i].name;
		p[5] = m->files[i].mime;
		p[6] = size;
		p[7] = m->files[i].b64;
		if (pg_exec(c, "INSERT INTO attachments(id, org_id, message_id, "
		    "ticket_id, name, mime, size, sha256, content) VALUES ($1, "
		    "$2, $3, $4, $5, $6, $7::bigint, encode(sha256(decode($8, "
		    "'base64')), 'hex'), decode($8, 'base64'))", 8, p, err,
		    cause) != 0)
			goto fail;
		res->files++;
	}
	if (pg_exec(c, "COMMIT", 0, NULL, err, cause) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
out:
	free(customer);
	free(ticket);
	free(status);
	return (rc);
}

/* mailgate --db: connect, check, find the organisation, file the mail. */
int
server_inbound_db(const char *conninfo, const char *org,
    const struct inbound *m, struct inbound_result *res, int *temporary,
    char **cause)
{
	struct pg_err	 err;
	PGconn		*c;
	char		 id[UUID_STRLEN + 1];
	const char	*why;
	int		 v, rc = -1;

	if ((why = inbound_check(m)) != NULL) {
		*temporary = 0;
		*cause = xstrdup(why);
		return (-1);
	}
	*temporary = 1;
	memset(&err, 0, sizeof err);
	if ((c = pg_connect(conninfo, cause)) == NULL)
		return (-1);
	if (pg_schema_version(c, &v, cause) != 0)
		goto out;
	if (v != SERVER_SCHEMA) {
		*cause = xprintf(_("the database has schema %d, this triage "
		    "needs %d"), v, SERVER_SCHEMA);
		goto out;
	}
	if ((rc = pg_org_id(c, org, id, cause)) != 1) {
		if (rc == 0) {
			*temporary = 0;
			*cause = xprintf(_("no organisation named \"%s\""),
			    org);
		}
		rc = -1;
		goto out;
	}
	rc = inbound_apply(c, id, m, res, &err, cause);
	/* A refusal by the data (not the connection) will not go away. */
	if (rc != 0 && PQstatus(c) == CONNECTION_OK &&
	    !pg_serialization_failure(&err))
		*temporary = 0;
out:
	PQfinish(c);
	return (rc);
}

/* A JSON string member, copied; NULL if missing or null. */
static char *
inbound_str(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? xstrdup(s) : NULL);
}

/*
 * POST /v1/inbound: a mail that triage mailgate --server parsed, filed in
 * the caller's organisation. Only an admin's token may: it speaks for any
 * customer. Answers the ticket's number and what happened.
 */
void
api_inbound(struct req *r, struct reply *rp)
{
	struct inbound		 m;
	struct inbound_result	 res;
	struct pg_err		 err;
	json_t			*j, *a, *f;
	PGconn			*c;
	const char		*why;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	if (r->who.role != ROLE_ADMIN) {
		reply_error(rp, 403, "forbidden", "only an admin's token may "
		    "file mail");
		return;
	}
	if ((j = http_parse_body(r, rp)) == NULL)
		return;
	memset(&m, 0, sizeof m);
	m.from = inbound_str(j, "from");
	m.name = inbound_str(j, "name");
	m.subject = inbound_str(j, "subject");
	m.message_id = inbound_str(j, "message_id");
	m.body = inbound_str(j, "body");
	a = json_object_get(j, "refs");
	for (i = 0; i < json_array_size(a); i++)
		if (json_is_string(json_array_get(a, i))) {
			m.refs = xreallocarray(m.refs, m.nrefs + 1,
			    sizeof *m.refs);
			m.refs[m.nrefs++] = xstrdup(json_string_value(
			    json_array_get(a, i)));
		}
	a = json_object_get(j, "attachments");
	json_array_foreach(a, i, f) {
		m.files = xreallocarray(m.files, m.nfiles + 1,
		    sizeof *m.files);
		memset(&m.files[m.nfiles], 0, sizeof *m.files);
		m.files[m.nfiles].name = inbound_str(f, "name");
		m.files[m.nfiles].mime = inbound_str(f, "mime");
		m.files[m.nfiles].b64 = inbound_str(f, "content");
		if (json_integer_value(json_object_get(f, "size")) >= 0)
			m.files[m.nfiles].len = (size_t)json_integer_value(
			    json_object_get(f, "size"));
		m.nfiles++;
	}
	json_decref(j);
	j = NULL;
	if (m.subject == NULL)
		m.subject = xstrdup("");
	/* Its ids go into mail headers later: checked like the rest. */
	if ((why = inbound_check(&m)) != NULL) {
		reply_error(rp, 400, "bad_request", "%s", why);
		goto out;
	}
	if ((c = pg_get(r->srv->pool, &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		goto out;
	}
	memset(&err, 0, sizeof err);
	rc = inbound_apply(c, r->who.org_id, &m, &res, &err, &cause);
	pg_put(r->srv->pool, c, err.lost);
	if (rc != 0) {
		reply_db_error(rp, cause);
		free(cause);
		goto out;
	}
	reply_json(rp, res.created ? 201 : 200, json_pack("{s:I, s:b, s:b, "
	    "s:b, s:i}", "number", (json_int_t)res.number, "created",
	    res.created, "reopened", res.reopened, "duplicate",
	    res.duplicate, "attachments", res.files));
out:
	json_decref(j);
	inbound_free(&m);
}
