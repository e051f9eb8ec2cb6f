/* api.c: health, login, whoami, attachments, and the bearer-token check. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "server-int.h"

/* Failed logins for one email beyond this many are slowed down. */
#define LOGIN_FREE_FAILURES	5
#define LOGIN_MAX_DELAY		300	/* seconds */

void
api_health(struct req *r, struct reply *rp)
{
	PGconn	*c;
	char	*cause = NULL;
	uint64_t from_db, from_tail;
	int	 v;

	if ((c = pg_get(r->srv->pool, &cause)) == NULL) {
		log_warnx("health: %s", cause);
		free(cause);
		reply_json(rp, 503, json_pack("{s:s, s:s, s:i}", "status",
		    "unavailable", "database", "unreachable", "binary_schema",
		    SERVER_SCHEMA));
		return;
	}
	if (pg_schema_version(c, &v, &cause) != 0) {
		pg_put(r->srv->pool, c, PQstatus(c) != CONNECTION_OK);
		log_warnx("health: %s", cause);
		free(cause);
		reply_json(rp, 503, json_pack("{s:s, s:s, s:i}", "status",
		    "unavailable", "database", "error", "binary_schema",
		    SERVER_SCHEMA));
		return;
	}
	pg_put(r->srv->pool, c, 0);
	pull_counts(r->srv, &from_db, &from_tail);
	reply_json(rp, v == SERVER_SCHEMA ? 200 : 503, json_pack(
	    "{s:s, s:s, s:i, s:i, s:{s:I, s:I}}", "status",
	    v == SERVER_SCHEMA ? "ok" : "schema_mismatch", "database", "ok",
	    "schema", v, "binary_schema", SERVER_SCHEMA, "pages",
	    "database", (json_int_t)from_db, "memory", (json_int_t)from_tail));
}

/* A hash to verify against when the email is unknown, so timing tells
 * nothing about which emails exist. */
static char		*api_dummy_hash;
static pthread_once_t	 api_dummy_once = PTHREAD_ONCE_INIT;

static void
api_make_dummy(void)
{
	char	*cause = NULL;

	if (auth_hash_password("not a password of anyone", &api_dummy_hash,
	    &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	}
}

/* The user object of login and whoami, from a row (id, email, name, team). */
static json_t *
api_user_json(PGresult *res, int col)
{
	return (json_pack("{s:s, s:s, s:s, s:o}",
	    "id", PQgetvalue(res, 0, col),
	    "email", PQgetvalue(res, 0, col + 1),
	    "name", PQgetvalue(res, 0, col + 2),
	    "team_id", PQgetisnull(res, 0, col + 3) ? json_null() :
	    json_string(PQgetvalue(res, 0, col + 3))));
}

/* Is this email being guessed at? 0 go ahead, else seconds to wait. */
static int
api_login_delay(PGconn *c, const char *email, char **cause)
{
	PGresult	*res;
	const char	*p[1] = { email };
	int		 n, delay;
	double		 since;

	if ((res = pg_query(c, "SELECT failures, extract(epoch FROM now() - "
	    "last_at) FROM login_failures WHERE email = lower($1)", 1, p, NULL,
	    cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return (0);
	}
	n = atoi(PQgetvalue(res, 0, 0));
	since = atof(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (n < LOGIN_FREE_FAILURES)
		return (0);
	delay = n - LOGIN_FREE_FAILURES >= 9 ? LOGIN_MAX_DELAY :
	    1 << (n - LOGIN_FREE_FAILURES);
	if (delay > LOGIN_MAX_DELAY)
		delay = LOGIN_MAX_DELAY;
	return (since >= delay ? 0 : (int)(delay - since) + 1);
}

void
api_login(struct req *r, struct reply *rp)
{
	json_t		*j, *out;
	const char	*email, *password, *p[3];
	char		 token[AUTH_TOKEN_HEX + 1], hash[65], ttl[32];
	char		*cause = NULL;
	PGconn		*c;
	PGresult	*res = NULL;
	int		 delay, ok;

	if ((j = http_parse_body(r, rp)) == NULL)
		return;
	email = json_string_value(json_object_get(j, "email"));
	password = json_string_value(json_object_get(j, "password"));
	if (email == NULL || password == NULL) {
		reply_error(rp, 400, "bad_request", "login needs \"email\" and "
		    "\"password\" strings");
		json_decref(j);
		return;
	}
	if ((c = pg_get(r->srv->pool, &cause)) == NULL)
		goto db_fail;
	if ((delay = api_login_delay(c, email, &cause)) < 0)
		goto db_fail;
	if (delay > 0) {
		reply_error(rp, 429, "too_many_failures", "too many failed "
		    "logins for this email; try again in %d s", delay);
		goto out;
	}
	p[0] = email;
	if ((res = pg_query(c, "SELECT u.password_hash, u.id, u.email, u.name, "
	    "u.team_id, u.role, o.id, o.name FROM users u JOIN orgs o ON "
	    "o.id = u.org_id WHERE lower(u.email) = lower($1) AND u.active AND "
	    "NOT u.deleted AND NOT o.deleted", 1, p, NULL, &cause)) == NULL)
		goto db_fail;
	pthread_once(&api_dummy_once, api_make_dummy);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		ok = auth_verify_password(PQgetvalue(res, 0, 0), password);
	else {
		(void)auth_verify_password(api_dummy_hash, password);
		ok = 0;
	}
	if (!ok) {
		if (pg_exec(c, "INSERT INTO login_failures(email, failures, "
		    "last_at) VALUES (lower($1), 1, now()) ON CONFLICT (email) "
		    "DO UPDATE SET failures = login_failures.failures + 1, "
		    "last_at = now()", 1, p, NULL, &cause) != 0)
			goto db_fail;
		reply_error(rp, 401, "bad_login", "wrong email or password");
		goto out;
	}
	auth_new_token(token);
	auth_token_hash(token, hash);
	snprintf(ttl, sizeof ttl, "%lld", (long long)r->srv->token_ttl);
	p[0] = hash;
	p[1] = PQgetvalue(res, 0, 1);
	p[2] = ttl;
	if (pg_exec(c, "INSERT INTO tokens(hash, user_id, expires_at) VALUES "
	    "(decode($1, 'hex'), $2, now() + $3::bigint * interval '1 ms')", 3,
	    p, NULL, &cause) != 0)
		goto db_fail;
	p[0] = email;
	if (pg_exec(c, "DELETE FROM login_failures WHERE email = lower($1)", 1,
	    p, NULL, &cause) != 0)
		goto db_fail;
	out = json_pack("{s:s, s:I, s:o, s:{s:s, s:s}, s:s}",
	    "token", token,
	    "expires_at", (json_int_t)(time_now_ms() + r->srv->token_ttl),
	    "user", api_user_json(res, 1),
	    "org", "id", PQgetvalue(res, 0, 6), "name", PQgetvalue(res, 0, 7),
	    "role", PQgetvalue(res, 0, 5));
	sodium_memzero(token, sizeof token);
	reply_json(rp, 200, out);
	goto out;
db_fail:
	reply_db_error(rp, cause);
	free(cause);
out:
	PQclear(res);
	if (c != NULL)
		pg_put(r->srv->pool, c, PQstatus(c) != CONNECTION_OK);
	json_decref(j);
}

/*
 * The token decides who is asking: user, role and organisation, never the
 * request. 0 and r->who filled, or -1 with a 401 (or 503) in rp.
 */
int
api_authenticate(struct req *r, struct reply *rp)
{
	const char	*h = http_header(r, "Authorization"), *tok, *p[1];
	char		 hash[65], *cause = NULL;
	PGresult	*res;
	size_t		 i;
	int		 rc = -1;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		reply_error(rp, 401, "no_token", "this endpoint needs "
		    "\"Authorization: Bearer TOKEN\"");
		return (-1);
	}
	tok = h + 7;
	for (i = 0; tok[i] != '\0'; i++)
		if (strchr("0123456789abcdef", tok[i]) == NULL)
			break;
	if (i != AUTH_TOKEN_HEX || tok[i] != '\0') {
		reply_error(rp, 401, "bad_token", "the token is not valid");
		return (-1);
	}
	auth_token_hash(tok, hash);
	p[0] = hash;
	/* Asked on every request: prepared once per pooled connection. */
	if ((res = pg_pool_query_prepared(r->srv->pool, PG_PREPARED_AUTH,
	    "auth_token", "SELECT u.id, u.org_id, u.role, "
	    "t.revoked_at IS NOT NULL, t.expires_at <= now(), "
	    "u.active AND NOT u.deleted AND NOT o.deleted FROM tokens t "
	    "JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id "
	    "WHERE t.hash = decode($1, 'hex')", 1, p, &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		return (-1);
	}
	if (PQntuples(res) == 0)
		reply_error(rp, 401, "bad_token", "the token is not valid");
	else if (strcmp(PQgetvalue(res, 0, 3), "t") == 0)
		reply_error(rp, 401, "token_revoked", "the token was revoked; "
		    "log in again");
	else if (strcmp(PQgetvalue(res, 0, 4), "t") == 0)
		reply_error(rp, 401, "token_expired", "the token has expired; "
		    "log in again");
	else if (strcmp(PQgetvalue(res, 0, 5), "t") != 0)
		reply_error(rp, 401, "user_disabled", "this user can no longer "
		    "sign in");
	else {
		snprintf(r->who.user_id, sizeof r->who.user_id, "%s",
		    PQgetvalue(res, 0, 0));
		snprintf(r->who.org_id, sizeof r->who.org_id, "%s",
		    PQgetvalue(res, 0, 1));
		r->who.role = (enum role)role_parse(PQgetvalue(res, 0, 2));
		rc = 0;
	}
	PQclear(res);
	return (rc);
}

/* POST /v1/logout: revoke the token this request came with. */
void
api_logout(struct req *r, struct reply *rp)
{
	const char	*h = http_header(r, "Authorization"), *p[1];
	char		 hash[65], *cause = NULL;
	PGresult	*res;

	/* api_authenticate has checked the header's form already. */
	auth_token_hash(h + 7, hash);
	p[0] = hash;
	if ((res = pg_pool_query(r->srv->pool, "UPDATE tokens SET revoked_at "
	    "= now() WHERE hash = decode($1, 'hex') AND revoked_at IS NULL",
	    1, p, &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		return;
	}
	PQclear(res);
	reply_json(rp, 200, json_pack("{s:b}", "revoked", 1));
}

void
api_whoami(struct req *r, struct reply *rp)
{
	PGresult	*res;
	const char	*p[1] = { r->who.user_id };
	char		*cause = NULL;

	if ((res = pg_pool_query(r->srv->pool, "SELECT u.id, u.email, u.name, "
	    "u.team_id, u.role, o.id, o.name FROM users u JOIN orgs o ON "
	    "o.id = u.org_id WHERE u.id = $1", 1, p, &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		return;
	}
	reply_json(rp, 200, json_pack("{s:o, s:{s:s, s:s}, s:s}",
	    "user", api_user_json(res, 0),
	    "org", "id", PQgetvalue(res, 0, 5), "name", PQgetvalue(res, 0, 6),
	    "role", PQgetvalue(res, 0, 4)));
	PQclear(res);
}

/* A file name safe in a header: ASCII letters, digits, ". - _" only. */
static char *
api_safe_name(const char *name)
{
	char	*s = xstrdup(*name != '\0' ? name : "attachment");
	char	*q;

	for (q = s; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '.' || *q == '-' ||
		    *q == '_'))
			*q = '_';
	return (s);
}

void
api_attachment(struct req *r, struct reply *rp)
{
	const char	*id = r->path + strlen("/v1/attachments/"), *p[2];
	PGresult	*res;
	unsigned char	*data;
	size_t		 len;
	char		*cause = NULL, *name;

	if (!uuid_valid(id)) {
		reply_error(rp, 404, "not_found", "no such attachment");
		return;
	}
	p[0] = id;
	p[1] = r->who.org_id;
	if ((res = pg_pool_query(r->srv->pool, "SELECT name, mime, internal, "
	    "content FROM attachments WHERE id = $1 AND org_id = $2 AND NOT "
	    "deleted", 2, p, &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		return;
	}
	if (PQntuples(res) == 0) {
		reply_error(rp, 404, "not_found", "no such attachment");
	} else if (r->who.role == ROLE_VIEWER &&
	    strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		reply_error(rp, 403, "forbidden", "viewers cannot download "
		    "attachments of internal notes");
	} else if (PQgetisnull(res, 0, 3)) {
		reply_error(rp, 404, "no_content", "the attachment's content "
		    "is not stored on this server");
	} else {
		data = PQunescapeBytea((const unsigned char *)
		    PQgetvalue(res, 0, 3), &len);
		rp->status = 200;
		rp->body = xmalloc(len + 1);
		memcpy(rp->body, data, len);
		rp->len = len;
		PQfreemem(data);
		/* Never let a browser render it: the type is data too. */
		rp->type = "application/octet-stream";
		name = api_safe_name(PQgetvalue(res, 0, 0));
		rp->disposition = xprintf("attachment; filename=\"%s\"", name);
		free(name);
	}
	PQclear(res);
}

/*
 * GET /v1/notifications?since=REV: the caller's own notifications changed
 * after since (new ones, and ones marked read elsewhere), oldest first, at
 * most 500; "cursor" is where to ask from next.
 */
void
api_notifications(struct req *r, struct reply *rp)
{
	PGresult	*res;
	const char	*since = http_arg(r, "since"), *p[2];
	char		*cause = NULL, *end;
	json_t		*a, *o;
	long long	 n = 0, cursor;
	int		 i;

	errno = 0;
	if (since != NULL && ((n = strtoll(since, &end, 10)) < 0 ||
	    *since == '\0' || *end != '\0' || errno == ERANGE)) {
		reply_error(rp, 400, "bad_request", "since must be a rev");
		return;
	}
	p[0] = r->who.user_id;
	p[1] = since != NULL ? since : "0";
	if ((res = pg_pool_query(r->srv->pool, "SELECT id, kind, ticket_id, "
	    "actor_id, detail, ms(created_at), ms(read_at), rev FROM "
	    "notifications n WHERE user_id = $1 AND rev > $2::bigint AND NOT "
	    "deleted AND (kind <> 'mention' OR (SELECT role FROM users WHERE "
	    "id = n.user_id) <> 'viewer') ORDER BY rev LIMIT 500", 2, p,
	    &cause)) == NULL) {
		reply_db_error(rp, cause);
		free(cause);
		return;
	}
	a = json_array();
	cursor = n;
	for (i = 0; i < PQntuples(res); i++) {
		o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:I}",
		    "id", PQgetvalue(res, i, 0), "kind", PQgetvalue(res, i, 1),
		    "ticket_id", PQgetisnull(res, i, 2) ? json_null() :
		    json_string(PQgetvalue(res, i, 2)),
		    "actor_id", PQgetisnull(res, i, 3) ? json_null() :
		    json_string(PQgetvalue(res, i, 3)),
		    "detail", PQgetisnull(res, i, 4) ? json_null() :
		    json_string(PQgetvalue(res, i, 4)),
		    "created_at", (json_int_t)strtoll(PQgetvalue(res, i, 5),
		    NULL, 10),
		    "read_at", PQgetisnull(res, i, 6) ? json_null() :
		    json_integer(strtoll(PQgetvalue(res, i, 6), NULL, 10)),
		    "rev", (json_int_t)strtoll(PQgetvalue(res, i, 7), NULL, 10));
		cursor = strtoll(PQgetvalue(res, i, 7), NULL, 10);
		json_array_append_new(a, o);
	}
	PQclear(res);
	reply_json(rp, 200, json_pack("{s:o, s:I}", "notifications", a,
	    "cursor", (json_int_t)cursor));
}
