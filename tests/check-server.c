/* check-server.c: triage serve on a real PostgreSQL: every endpoint, auth, replays, collisions. */
#include "config.h"

#include "server-util.h"

/* Org A's tickets, one per group of tests so that they do not meet. */
#define T_AUTH		sv.ticket[SV_ORG_A][0]
#define T_VIEWER	sv.ticket[SV_ORG_A][1]
#define T_PUSH		sv.ticket[SV_ORG_A][2]
#define T_PULL		sv.ticket[SV_ORG_A][3]

/* Assert the database is as before (a snapshot from db_snapshot). */
#define EXPECT_UNCHANGED(before, what) do {				\
	char	*now_ = db_snapshot();				\
	if (strcmp((before), now_) != 0)				\
		ck_abort_msg("%s changed the database: %s -> %s",	\
		    (what), (before), now_);				\
	free(now_);							\
} while (0)

/* The server still answers health with 200. */
#define EXPECT_HEALTHY() do {						\
	struct rs	 h_;						\
	http_get(&h_, NULL, "/v1/health");				\
	EXPECT_STATUS(&h_, 200);					\
	rs_free(&h_);							\
} while (0)

/* Hex of n bytes. Caller frees. */
static char *
hex(const void *data, size_t n)
{
	const unsigned char	*p = data;
	char			*s = xmalloc(2 * n + 1);
	size_t			 i;

	for (i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * n] = '\0';
	return (s);
}

/* An attachment of a message, made behind the server's back. */
static void
attach(char id[UUID_STRLEN + 1], int org, const char *ticket,
    const char *msg, int internal, const char *name, const void *data,
    size_t len)
{
	char	*h = data != NULL ? hex(data, len) : NULL, size[32];

	uuid_v7(id);
	snprintf(size, sizeof size, "%zu", len);
	db_exec("INSERT INTO attachments(id, org_id, message_id, ticket_id, "
	    "internal, name, mime, size, content) VALUES ($1, $2, $3, $4, $5, "
	    "$6, 'application/pdf', $7, decode($8, 'hex'))", 8, id,
	    sv.org[org], msg, ticket, internal ? "t" : "f", name, size, h);
	free(h);
}

/* A customer's message, as mail would bring it. */
static void
customer_writes(char id[UUID_STRLEN + 1], int org, const char *ticket,
    const char *body)
{
	uuid_v7(id);
	db_exec("INSERT INTO messages(id, org_id, ticket_id, author, body) "
	    "VALUES ($1, $2, $3, 'customer', $4)", 4, id, sv.org[org], ticket,
	    body);
}

/* A new ticket of org A with a first agent message, by push. */
static void
new_ticket(const char *token, char ticket[UUID_STRLEN + 1],
    char msg[UUID_STRLEN + 1])
{
	struct rs	 r;
	char		 client[UUID_STRLEN + 1];

	uuid_v7(client);
	uuid_v7(ticket);
	uuid_v7(msg);
	http_push1(&r, token, client, json_pack("{s:i, s:s, s:s, s:s, s:s, "
	    "s:s, s:s}", "seq", 1, "id", ticket, "type", "create_ticket",
	    "ticket_id", ticket, "subject", "Where is my parcel?", "body",
	    "We are looking into it.", "message_id", msg));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
}

/* ------------------------------------------------------------------ */
/* Health, login, whoami. */

START_TEST(test_health_and_unknown_routes)
{
	static const struct {
		const char	*method;
		const char	*path;
		int		 status;
		const char	*code;
	} bad[] = {
		{ "GET", "/v1/nothing", 404, "not_found" },
		{ "GET", "/v2/health", 404, "not_found" },
		{ "GET", "/", 404, "not_found" },
		{ "GET", "/v1/attachments", 404, "not_found" },
		{ "GET", "/v1/attachments/", 404, "not_found" },
		{ "GET", "/v1/healthz", 404, "not_found" },
		{ "POST", "/v1/health", 405, "method_not_allowed" },
		{ "GET", "/v1/login", 405, "method_not_allowed" },
		{ "GET", "/v1/push", 405, "method_not_allowed" },
		{ "DELETE", "/v1/pull", 405, "method_not_allowed" },
		{ "PUT", "/v1/whoami", 405, "method_not_allowed" },
	};
	struct rs	 r;
	char		*v;
	size_t		 i;

	http_get(&r, NULL, "/v1/health");
	EXPECT_STATUS(&r, 200);
	sv_expect_json_type(&r);
	ck_assert_str_eq(jstr(r.json, "status"), "ok");
	ck_assert_str_eq(jstr(r.json, "database"), "ok");
	ck_assert_int_ge(jint(r.json, "schema"), 1);
	ck_assert_int_eq(jint(r.json, "schema"), jint(r.json,
	    "binary_schema"));
	v = rs_header(&r, "Cache-Control");
	ck_assert_str_eq(v, "no-store");
	free(v);
	rs_free(&r);

	/* A query string does not change the route. */
	http_get(&r, NULL, "/v1/health?verbose=1");
	EXPECT_STATUS(&r, 200);
	rs_free(&r);

	for (i = 0; i < nitems(bad); i++) {
		http(&r, &(struct rq){ .method = bad[i].method,
		    .path = bad[i].path, .token = sv.token[U_AGENT] });
		if (r.status != bad[i].status || r.json == NULL ||
		    jstr(r.json, "error") == NULL ||
		    strcmp(jstr(r.json, "error"), bad[i].code) != 0 ||
		    jstr(r.json, "message") == NULL)
			ck_abort_msg("%s %s: wanted %d %s, got %ld %s",
			    bad[i].method, bad[i].path, bad[i].status,
			    bad[i].code, r.status, buf_cstr(&r.body));
		rs_free(&r);
	}
	EXPECT_HEALTHY();
}
END_TEST

/* POST /v1/login with a raw body. */
static void
login_raw(struct rs *r, const char *body, size_t len)
{
	http(r, &(struct rq){ .path = "/v1/login", .body = body,
	    .len = len });
}

START_TEST(test_login_gives_tokens_and_refuses_bad_logins)
{
	static const struct {
		const char	*body;
		int		 status;
		const char	*code;
	} bad[] = {
		{ "", 400, "bad_request" },
		{ "{", 400, "bad_json" },
		{ "[\"agent@a.test\"]", 400, "bad_json" },
		{ "{\"email\": \"agent@a.test\"}", 400, "bad_request" },
		{ "{\"password\": \"" SV_PASSWORD "\"}", 400, "bad_request" },
		{ "{\"email\": \"agent@a.test\", \"password\": 12345678}", 400,
		  "bad_request" },
		{ "{\"email\": null, \"password\": \"x\"}", 400,
		  "bad_request" },
		{ "{\"email\": \"agent@a.test\", \"password\": \"caf\xc3\"}",
		  400, "bad_json" },
		{ "{\"email\": \"a@a\", \"email\": \"b@b\", \"password\": "
		  "\"x\"}", 400, "bad_json" },
	};
	struct rs	 r, w;
	json_t		*user;
	const char	*tok;
	char		*before, *msg_wrong;
	char		 first[AUTH_HEX + 1];
	size_t		 i;

	http_login(&r, "agent@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	sv_expect_json_type(&r);
	tok = jstr(r.json, "token");
	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_eq(strlen(tok), AUTH_HEX);
	ck_assert_uint_eq(strspn(tok, "0123456789abcdef"), AUTH_HEX);
	ck_assert_int_gt(jint(r.json, "expires_at"), time_now_ms());
	user = json_object_get(r.json, "user");
	ck_assert_str_eq(jstr(user, "id"), sv.user[U_AGENT]);
	ck_assert_str_eq(jstr(user, "email"), "agent@a.test");
	ck_assert_str_eq(jstr(user, "name"), "Alan Agent");
	ck_assert_str_eq(jstr(r.json, "role"), "agent");
	ck_assert_str_eq(jstr(json_object_get(r.json, "org"), "id"),
	    sv.org[SV_ORG_A]);
	ck_assert_str_eq(jstr(json_object_get(r.json, "org"), "name"),
	    "Org A");
	memcpy(first, tok, sizeof first);
	/* The server keeps only the token's hash. */
	ck_assert_int_eq(db_int("SELECT count(*) FROM tokens WHERE hash = "
	    "decode($1, 'hex') OR encode(hash, 'hex') = $1", 1, first), 0);
	http_get(&w, first, "/v1/whoami");
	EXPECT_STATUS(&w, 200);
	ck_assert_str_eq(jstr(json_object_get(w.json, "user"), "id"),
	    sv.user[U_AGENT]);
	rs_free(&w);
	rs_free(&r);

	/* Emails are case-insensitive; every login is a new token. */
	http_login(&r, "AGENT@A.Test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	ck_assert_str_ne(jstr(r.json, "token"), first);
	rs_free(&r);

	/* A wrong password and an unknown email look the same. */
	http_login(&r, "agent@a.test", "not the password");
	EXPECT_ERROR(&r, 401, "bad_login");
	ck_assert_ptr_null(jstr(r.json, "token"));
	msg_wrong = xstrdup(jstr(r.json, "message"));
	rs_free(&r);
	http_login(&r, "nobody@a.test", SV_PASSWORD);
	EXPECT_ERROR(&r, 401, "bad_login");
	ck_assert_str_eq(jstr(r.json, "message"), msg_wrong);
	free(msg_wrong);
	rs_free(&r);
	/* A good login forgets the failures. */
	http_login(&r, "agent@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT count(*) FROM login_failures WHERE "
	    "email = 'agent@a.test'", 0), 0);

	before = db_snapshot();
	for (i = 0; i < nitems(bad); i++) {
		login_raw(&r, bad[i].body, 0);
		if (r.status != bad[i].status || r.json == NULL ||
		    jstr(r.json, "error") == NULL ||
		    strcmp(jstr(r.json, "error"), bad[i].code) != 0)
			ck_abort_msg("login %s: wanted %d %s, got %ld %s",
			    bad[i].body, bad[i].status, bad[i].code, r.status,
			    buf_cstr(&r.body));
		rs_free(&r);
		EXPECT_HEALTHY();
	}
	EXPECT_UNCHANGED(before, "a malformed login");
	free(before);

	http_login(&r, "viewer@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	ck_assert_str_eq(jstr(r.json, "role"), "viewer");
	rs_free(&r);
	http_login(&r, "admin@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	ck_assert_str_eq(jstr(r.json, "role"), "admin");
	rs_free(&r);
	http_login(&r, "agent@b.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	ck_assert_str_eq(jstr(json_object_get(r.json, "org"), "id"),
	    sv.org[SV_ORG_B]);
	rs_free(&r);
}
END_TEST

/* The seconds a 429 asks to wait ("... try again in N s"). */
static int
retry_after(struct rs *r)
{
	const char	*m = jstr(r->json, "message"), *p;

	ck_assert_ptr_nonnull(m);
	p = strstr(m, "try again in ");
	ck_assert_msg(p != NULL, "429 without a delay: %s", m);
	return (atoi(p + 13));
}

START_TEST(test_login_slows_down_guessing)
{
	struct rs	 r;
	int		 i, wait;

	for (i = 0; i < 5; i++) {
		http_login(&r, "locked@a.test", "guess number one");
		EXPECT_ERROR(&r, 401, "bad_login");
		rs_free(&r);
	}
	ck_assert_int_eq(db_int("SELECT failures FROM login_failures WHERE "
	    "email = 'locked@a.test'", 0), 5);
	/* Now even the right password waits. */
	http_login(&r, "locked@a.test", SV_PASSWORD);
	EXPECT_ERROR(&r, 429, "too_many_failures");
	ck_assert_ptr_null(jstr(r.json, "token"));
	wait = retry_after(&r);
	ck_assert_int_ge(wait, 1);
	ck_assert_int_le(wait, 300);
	rs_free(&r);
	http_login(&r, "LOCKED@a.test", "guess number two");
	EXPECT_ERROR(&r, 429, "too_many_failures");
	rs_free(&r);

	/* Unknown emails are slowed down the same way. */
	for (i = 0; i < 5; i++) {
		http_login(&r, "ghost@a.test", "guess");
		EXPECT_ERROR(&r, 401, "bad_login");
		rs_free(&r);
	}
	http_login(&r, "ghost@a.test", "guess");
	EXPECT_ERROR(&r, 429, "too_many_failures");
	rs_free(&r);
	/* Others are not. */
	http_login(&r, "agent2@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);

	/* After the delay the right password works and clears the count. */
	sv_sleep(wait + 0.3);
	http_login(&r, "locked@a.test", SV_PASSWORD);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT count(*) FROM login_failures WHERE "
	    "email = 'locked@a.test'", 0), 0);
}
END_TEST

START_TEST(test_whoami_names_user_role_and_org)
{
	static const int	 who[] = { U_ADMIN, U_AGENT, U_VIEWER,
	    U_AGENT_B, U_LOAD };
	const struct sv_user_def *u;
	struct rs		 r;
	json_t			*user;
	size_t			 i;

	for (i = 0; i < nitems(who); i++) {
		u = &sv_user_defs[who[i]];
		http_get(&r, sv.token[who[i]], "/v1/whoami");
		EXPECT_STATUS(&r, 200);
		sv_expect_json_type(&r);
		user = json_object_get(r.json, "user");
		ck_assert_str_eq(jstr(user, "id"), sv.user[who[i]]);
		ck_assert_str_eq(jstr(user, "email"), u->email);
		ck_assert_str_eq(jstr(user, "name"), u->name);
		ck_assert(json_is_null(json_object_get(user, "team_id")));
		ck_assert_str_eq(jstr(r.json, "role"), u->role);
		ck_assert_str_eq(jstr(json_object_get(r.json, "org"), "id"),
		    sv.org[u->org]);
		ck_assert_str_eq(jstr(json_object_get(r.json, "org"), "name"),
		    sv_org_names[u->org]);
		rs_free(&r);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tokens, organisations, viewers. */

START_TEST(test_every_authed_endpoint_refuses_bad_tokens)
{
	struct {
		const char	*what;
		char		*authz;		/* NULL: no header */
		const char	*code;
	} cases[13];
	struct {
		const char	*method;
		char		*path;
		char		*body;
	} eps[4];
	struct buf	 out, err;
	struct rs	 r;
	char		 att[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		 client[UUID_STRLEN + 1], rnd[32], *rndhex, *upper;
	char		*before, *body;
	const char	*good = sv.token[U_AGENT];
	size_t		 i, j, n = 0;
	json_t		*push;

	attach(att, SV_ORG_A, T_AUTH, sv.first_msg[SV_ORG_A][0], 0,
	    "invoice.pdf", "%PDF-1.4", 8);
	uuid_v7(client);
	uuid_v7(msg);
	push = json_pack("{s:s, s:[o]}", "client_id", client, "mutations",
	    mut_message(1, "note", T_AUTH, msg, "auth matrix"));
	body = json_dumps(push, JSON_COMPACT);
	json_decref(push);
	eps[0].method = "GET";
	eps[0].path = xstrdup("/v1/whoami");
	eps[0].body = NULL;
	eps[1].method = "GET";
	eps[1].path = xstrdup("/v1/pull?since=0&limit=10");
	eps[1].body = NULL;
	eps[2].method = "POST";
	eps[2].path = xstrdup("/v1/push");
	eps[2].body = body;
	eps[3].method = "GET";
	eps[3].path = xprintf("/v1/attachments/%s", att);
	eps[3].body = NULL;

	/* An expired token, and a revoked one. */
	db_exec("UPDATE tokens SET expires_at = now() - interval '1 minute' "
	    "WHERE user_id = $1", 1, sv.user[U_EXPIRED]);
	buf_init(&out);
	buf_init(&err);
	ck_assert_int_eq(sv_admin(&out, &err, "revoke", "--email",
	    "revoked@a.test", NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "1 tokens revoked"));
	buf_free(&out);
	buf_free(&err);

	random_bytes(rnd, sizeof rnd);
	rndhex = hex(rnd, sizeof rnd);
	upper = xstrdup(good);
	for (i = 0; upper[i] != '\0'; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	cases[n].what = "no header";
	cases[n].authz = NULL;
	cases[n++].code = "no_token";
	cases[n].what = "Basic";
	cases[n].authz = xstrdup("Basic YWdlbnRAYS50ZXN0OnB3");
	cases[n++].code = "no_token";
	cases[n].what = "Bearer alone";
	cases[n].authz = xstrdup("Bearer");
	cases[n++].code = "no_token";
	cases[n].what = "another scheme";
	cases[n].authz = xprintf("Token %s", good);
	cases[n++].code = "no_token";
	cases[n].what = "unknown token";
	cases[n].authz = xprintf("Bearer %s", rndhex);
	cases[n++].code = "bad_token";
	cases[n].what = "short token";
	cases[n].authz = xstrdup("Bearer abc123");
	cases[n++].code = "bad_token";
	cases[n].what = "upper-case token";
	cases[n].authz = xprintf("Bearer %s", upper);
	cases[n++].code = "bad_token";
	cases[n].what = "token and more";
	cases[n].authz = xprintf("Bearer %s0", good);
	cases[n++].code = "bad_token";
	cases[n].what = "token cut short";
	cases[n].authz = xprintf("Bearer %.63s", good);
	cases[n++].code = "bad_token";
	cases[n].what = "two spaces";
	cases[n].authz = xprintf("Bearer  %s", good);
	cases[n++].code = "bad_token";
	cases[n].what = "expired";
	cases[n].authz = xprintf("Bearer %s", sv.token[U_EXPIRED]);
	cases[n++].code = "token_expired";
	cases[n].what = "revoked";
	cases[n].authz = xprintf("Bearer %s", sv.token[U_REVOKED]);
	cases[n++].code = "token_revoked";
	/* A disabled user's token (agent2 comes back afterwards). */
	cases[n].what = "disabled user";
	cases[n].authz = xprintf("Bearer %s", sv.token[U_AGENT2]);
	cases[n++].code = "user_disabled";
	db_exec("UPDATE users SET active = false WHERE id = $1", 1,
	    sv.user[U_AGENT2]);

	before = db_snapshot();
	for (i = 0; i < nitems(eps); i++) {
		for (j = 0; j < n; j++) {
			http(&r, &(struct rq){ .method = eps[i].method,
			    .path = eps[i].path, .body = eps[i].body,
			    .authz = cases[j].authz });
			if (r.status != 401 || r.json == NULL ||
			    jstr(r.json, "error") == NULL ||
			    strcmp(jstr(r.json, "error"), cases[j].code) != 0)
				ck_abort_msg("%s %s with %s: wanted 401 %s, "
				    "got %ld %s", eps[i].method, eps[i].path,
				    cases[j].what, cases[j].code, r.status,
				    buf_cstr(&r.body));
			rs_free(&r);
		}
	}
	EXPECT_UNCHANGED(before, "a refused request");
	free(before);
	db_exec("UPDATE users SET active = true WHERE id = $1", 1,
	    sv.user[U_AGENT2]);

	/* The revoked user cannot log in again either. */
	http_login(&r, "revoked@a.test", SV_PASSWORD);
	EXPECT_ERROR(&r, 401, "bad_login");
	rs_free(&r);

	/* With a good token each answers. */
	for (i = 0; i < nitems(eps); i++) {
		http(&r, &(struct rq){ .method = eps[i].method,
		    .path = eps[i].path, .body = eps[i].body, .token = good });
		EXPECT_STATUS(&r, 200);
		if (i == 2)
			EXPECT_RESULT(&r, 0, "applied");
		rs_free(&r);
	}
	/* The scheme is case-insensitive (RFC 9110). */
	free(upper);
	upper = xprintf("bearer %s", good);
	http(&r, &(struct rq){ .path = "/v1/whoami", .authz = upper });
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	free(upper);
	for (j = 0; j < n; j++)
		free(cases[j].authz);
	for (i = 0; i < nitems(eps); i++)
		free(eps[i].path);
	free(body);
	free(rndhex);
}
END_TEST

START_TEST(test_other_organisation_sees_and_touches_nothing)
{
	struct pulled	 pb;
	struct rs	 r;
	json_t		*muts;
	char		 client[UUID_STRLEN + 1], aclient[UUID_STRLEN + 1];
	char		 msg[UUID_STRLEN + 1], att[UUID_STRLEN + 1];
	char		*path, *status;
	const char	*tb = sv.token[U_AGENT_B], *ta = T_AUTH;
	int		 t, i;

	pull_all(&pb, tb, 0, 1000);
	for (t = 0; t < SV_TICKETS; t++) {
		ck_assert_uint_eq(pulled_has(&pb, "tickets",
		    sv.ticket[SV_ORG_B][t]), 1);
		ck_assert_ptr_null(strstr(buf_cstr(&pb.text),
		    sv.ticket[SV_ORG_A][t]));
		ck_assert_ptr_null(strstr(buf_cstr(&pb.text),
		    sv.first_msg[SV_ORG_A][t]));
		ck_assert_ptr_null(strstr(buf_cstr(&pb.text),
		    sv.ticket[SV_ORG_L][t]));
	}
	ck_assert_uint_eq(pulled_has(&pb, "orgs", sv.org[SV_ORG_B]), 1);
	ck_assert_ptr_null(strstr(buf_cstr(&pb.text), sv.org[SV_ORG_A]));
	for (i = 0; i < U_COUNT; i++)
		if (sv_user_defs[i].org != SV_ORG_B)
			ck_assert_ptr_null(strstr(buf_cstr(&pb.text),
			    sv.user[i]));
	ck_assert_ptr_null(strstr(buf_cstr(&pb.text), "@a.test"));
	pulled_free(&pb);

	/* Org A's ticket does not exist for org B. */
	status = db_str("SELECT status || priority || tags::text FROM "
	    "tickets WHERE id = $1", 1, ta);
	uuid_v7(client);
	uuid_v7(msg);
	muts = json_array();
	json_array_append_new(muts, mut_message(1, "reply", ta, msg, "hi"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s, s:s, s:s}",
	    "seq", 2, "id", "m2", "type", "set_status", "ticket_id", ta,
	    "status", "solved"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s, s:s, s:[s]}",
	    "seq", 3, "id", "m3", "type", "set_tags", "ticket_id", ta, "add",
	    "stolen"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s, s:s, s:s}",
	    "seq", 4, "id", "m4", "type", "merge", "ticket_id",
	    sv.ticket[SV_ORG_B][0], "into", ta));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s, s:s, s:s}",
	    "seq", 5, "id", "m5", "type", "set_assignee", "ticket_id",
	    sv.ticket[SV_ORG_B][0], "assignee_id", sv.user[U_AGENT]));
	http_push(&r, tb, client, muts, 0, NULL);
	EXPECT_STATUS(&r, 200);
	for (i = 0; i < 5; i++)
		EXPECT_RESULT(&r, i, "rejected");
	ck_assert_str_eq(jstr(jresult(&r, 0), "reason"), "unknown ticket");
	ck_assert_str_eq(jstr(jresult(&r, 1), "reason"), "unknown ticket");
	ck_assert_str_eq(jstr(jresult(&r, 2), "reason"), "unknown ticket");
	ck_assert_str_eq(jstr(jresult(&r, 3), "reason"),
	    "unknown ticket to merge into");
	ck_assert_str_eq(jstr(jresult(&r, 4), "reason"), "unknown assignee");
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1",
	    1, msg), 0);
	path = db_str("SELECT status || priority || tags::text FROM tickets "
	    "WHERE id = $1", 1, ta);
	ck_assert_str_eq(path, status);
	free(path);
	free(status);
	ck_assert_int_eq(db_int("SELECT count(*) FROM tickets WHERE id = $1 "
	    "AND NOT deleted AND assignee_id = $2", 2, sv.ticket[SV_ORG_B][0],
	    sv.user[U_AGENT_B]), 1);

	/* Nor its attachments. */
	attach(att, SV_ORG_A, ta, sv.first_msg[SV_ORG_A][0], 0, "a.pdf",
	    "data", 4);
	path = xprintf("/v1/attachments/%s", att);
	http_get(&r, tb, path);
	EXPECT_ERROR(&r, 404, "not_found");
	rs_free(&r);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	free(path);

	/* Nor may it use org A's console. */
	uuid_v7(aclient);
	http_push1(&r, sv.token[U_AGENT], aclient, json_pack("{s:i, s:s, "
	    "s:s}", "seq", 1, "id", "n1", "type", "noop"));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	http_push1(&r, tb, aclient, json_pack("{s:i, s:s, s:s}", "seq", 2,
	    "id", "n2", "type", "noop"));
	EXPECT_ERROR(&r, 403, "forbidden");
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT last_seq FROM clients WHERE id = $1",
	    1, aclient), 1);
}
END_TEST

/* An agent's note and public reply on T_VIEWER, with an attachment each. */
struct viewer_fx {
	char	 note[UUID_STRLEN + 1], reply[UUID_STRLEN + 1];
	char	 att_note[UUID_STRLEN + 1], att_reply[UUID_STRLEN + 1];
};

/* Make them. */
static void
viewer_fx(struct viewer_fx *v)
{
	struct rs	 r;
	json_t		*muts;
	char		 client[UUID_STRLEN + 1];

	uuid_v7(client);
	uuid_v7(v->note);
	uuid_v7(v->reply);
	muts = json_array();
	json_array_append_new(muts, mut_message(1, "note", T_VIEWER, v->note,
	    "INTERNAL: the customer is on the watch list"));
	json_array_append_new(muts, mut_message(2, "reply", T_VIEWER,
	    v->reply, "Your parcel left the warehouse."));
	http_push(&r, sv.token[U_AGENT], client, muts, 0, NULL);
	EXPECT_RESULT(&r, 0, "applied");
	EXPECT_RESULT(&r, 1, "applied");
	rs_free(&r);
	attach(v->att_note, SV_ORG_A, T_VIEWER, v->note, 1, "watchlist.pdf",
	    "secret", 6);
	attach(v->att_reply, SV_ORG_A, T_VIEWER, v->reply, 0, "label.pdf",
	    "label", 5);
}

START_TEST(test_viewer_never_receives_internal_notes)
{
	struct viewer_fx	 v;
	struct pulled		 pv, pa;
	struct rs		 r;
	char			*path, *before, client[UUID_STRLEN + 1];
	char			 msg[UUID_STRLEN + 1];

	viewer_fx(&v);
	pull_all(&pv, sv.token[U_VIEWER], 0, 1000);
	ck_assert_uint_eq(pulled_has(&pv, "messages", v.reply), 1);
	ck_assert_uint_eq(pulled_has(&pv, "messages", v.note), 0);
	ck_assert_uint_eq(pulled_has(&pv, "attachments", v.att_reply), 1);
	ck_assert_uint_eq(pulled_has(&pv, "attachments", v.att_note), 0);
	ck_assert_uint_eq(pulled_has(&pv, "tickets", T_VIEWER), 1);
	ck_assert_ptr_null(strstr(buf_cstr(&pv.text), "\"internal\":true"));
	ck_assert_ptr_null(strstr(buf_cstr(&pv.text), "watch list"));
	ck_assert_ptr_null(strstr(buf_cstr(&pv.text), "watchlist.pdf"));
	pulled_free(&pv);
	pull_all(&pa, sv.token[U_AGENT], 0, 1000);
	ck_assert_uint_eq(pulled_has(&pa, "messages", v.reply), 1);
	ck_assert_uint_eq(pulled_has(&pa, "messages", v.note), 1);
	ck_assert_uint_eq(pulled_has(&pa, "attachments", v.att_note), 1);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&pa.text), "watch list"));
	pulled_free(&pa);

	/* A viewer cannot push: not even a bad body gets looked at. */
	before = db_snapshot();
	uuid_v7(client);
	uuid_v7(msg);
	http_push1(&r, sv.token[U_VIEWER], client, mut_message(1, "reply",
	    T_VIEWER, msg, "I am only a viewer"));
	EXPECT_ERROR(&r, 403, "forbidden");
	rs_free(&r);
	http(&r, &(struct rq){ .path = "/v1/push", .body = "{",
	    .token = sv.token[U_VIEWER] });
	EXPECT_ERROR(&r, 403, "forbidden");
	rs_free(&r);
	EXPECT_UNCHANGED(before, "a viewer's push");
	free(before);

	/* Nor download an internal note's attachment. */
	path = xprintf("/v1/attachments/%s", v.att_note);
	http_get(&r, sv.token[U_VIEWER], path);
	EXPECT_ERROR(&r, 403, "forbidden");
	rs_free(&r);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_STATUS(&r, 200);
	ck_assert_uint_eq(r.body.len, 6);
	ck_assert(memcmp(r.body.data, "secret", 6) == 0);
	rs_free(&r);
	free(path);
	path = xprintf("/v1/attachments/%s", v.att_reply);
	http_get(&r, sv.token[U_VIEWER], path);
	EXPECT_STATUS(&r, 200);
	ck_assert_uint_eq(r.body.len, 5);
	ck_assert(memcmp(r.body.data, "label", 5) == 0);
	rs_free(&r);
	free(path);
}
END_TEST

/*
 * Not even the id of an internal note reaches a viewer: its "note" event
 * (new_value is the note's id) is hidden too. (Found by this test; fixed
 * in pull.c by hiding events of field "note" from viewers.)
 */
START_TEST(test_viewer_pull_never_names_internal_notes)
{
	struct viewer_fx	 v;
	struct pulled		 pv;
	const char		*at;

	viewer_fx(&v);
	pull_all(&pv, sv.token[U_VIEWER], 0, 1000);
	at = strstr(buf_cstr(&pv.text), v.note);
	if (at != NULL)
		ck_abort_msg("a viewer's pull names the internal note %s: "
		    "...%.200s", v.note, at - 120 > pv.text.data ? at - 120 :
		    pv.text.data);
	ck_assert_ptr_null(strstr(buf_cstr(&pv.text), v.att_note));
	pulled_free(&pv);
}
END_TEST

START_TEST(test_attachments_download_and_refuse)
{
	static const char	 data[] = "%PDF\0\xff\xfe binary\r\n";
	struct rs		 r;
	char			 id[UUID_STRLEN + 1], rnd[UUID_STRLEN + 1];
	char			*path, *v, *big;
	size_t			 i, bigsz = 100000;

	attach(id, SV_ORG_A, T_AUTH, sv.first_msg[SV_ORG_A][0], 0,
	    "in\"voice\r\n<b>.pdf", data, sizeof data - 1);
	path = xprintf("/v1/attachments/%s", id);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_STATUS(&r, 200);
	ck_assert_uint_eq(r.body.len, sizeof data - 1);
	ck_assert(memcmp(r.body.data, data, sizeof data - 1) == 0);
	v = rs_header(&r, "Content-Type");
	ck_assert_str_eq(v, "application/octet-stream");
	free(v);
	v = rs_header(&r, "Content-Disposition");
	ck_assert_str_eq(v, "attachment; filename=\"in_voice___b_.pdf\"");
	free(v);
	v = rs_header(&r, "X-Content-Type-Options");
	ck_assert_str_eq(v, "nosniff");
	free(v);
	rs_free(&r);
	http(&r, &(struct rq){ .method = "POST", .path = path,
	    .token = sv.token[U_AGENT] });
	EXPECT_ERROR(&r, 405, "method_not_allowed");
	rs_free(&r);
	/* Deleted is gone. */
	db_exec("UPDATE attachments SET deleted = true WHERE id = $1", 1, id);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_ERROR(&r, 404, "not_found");
	rs_free(&r);
	free(path);

	/* Known but not stored here. */
	attach(id, SV_ORG_A, T_AUTH, sv.first_msg[SV_ORG_A][0], 0, "x.pdf",
	    NULL, 0);
	path = xprintf("/v1/attachments/%s", id);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_ERROR(&r, 404, "no_content");
	rs_free(&r);
	free(path);

	uuid_v7(rnd);
	path = xprintf("/v1/attachments/%s", rnd);
	http_get(&r, sv.token[U_AGENT], path);
	EXPECT_ERROR(&r, 404, "not_found");
	rs_free(&r);
	free(path);
	http_get(&r, sv.token[U_AGENT], "/v1/attachments/not-a-uuid");
	EXPECT_ERROR(&r, 404, "not_found");
	rs_free(&r);
	http_get(&r, sv.token[U_AGENT], "/v1/attachments/..%2f..%2fetc");
	EXPECT_ERROR(&r, 404, "not_found");
	rs_free(&r);

	/* A big one, gzipped on the way when the client accepts it. */
	big = xmalloc(bigsz);
	for (i = 0; i < bigsz; i++)
		big[i] = (char)("abcdefgh"[i % 8] ^ (i % 251 == 0));
	attach(id, SV_ORG_A, T_AUTH, sv.first_msg[SV_ORG_A][0], 0, "big.pdf",
	    big, bigsz);
	path = xprintf("/v1/attachments/%s", id);
	http(&r, &(struct rq){ .path = path, .token = sv.token[U_AGENT],
	    .gzip = 1 });
	EXPECT_STATUS(&r, 200);
	v = rs_header(&r, "Content-Encoding");
	ck_assert_str_eq(v, "gzip");
	free(v);
	ck_assert_uint_eq(r.body.len, bigsz);
	ck_assert(memcmp(r.body.data, big, bigsz) == 0);
	rs_free(&r);
	free(path);
	free(big);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Push. */

START_TEST(test_push_replayed_three_times_applies_once)
{
	struct rs	 r[3];
	json_t		*j, *muts, *a, *b, *m3;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		 ghost[UUID_STRLEN + 1], *body, *after;
	size_t		 k;
	int		 i;

	uuid_v7(client);
	uuid_v7(msg);
	uuid_v7(ghost);
	muts = json_array();
	json_array_append_new(muts, mut_message(1, "note", T_PUSH, msg,
	    "checked the courier"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s, s:s, s:s}",
	    "seq", 2, "id", "s2", "type", "set_status", "ticket_id", T_PUSH,
	    "status", "pending"));
	json_array_append_new(muts, mut_message(3, "reply", ghost, msg,
	    "to nowhere"));
	m3 = json_deep_copy(json_array_get(muts, 2));
	j = json_pack("{s:s, s:o}", "client_id", client, "mutations", muts);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);

	for (i = 0; i < 3; i++) {
		http(&r[i], &(struct rq){ .path = "/v1/push", .body = body,
		    .token = sv.token[U_AGENT] });
		EXPECT_STATUS(&r[i], 200);
		if (i == 0)
			after = db_snapshot();
	}
	EXPECT_RESULT(&r[0], 0, "applied");
	EXPECT_RESULT(&r[0], 1, "applied");
	EXPECT_RESULT(&r[0], 2, "rejected");
	ck_assert_int_gt(jint(jresult(&r[0], 0), "rev"), 0);
	ck_assert_int_gt(jint(jresult(&r[0], 1), "rev"),
	    jint(jresult(&r[0], 0), "rev"));
	for (k = 0; k < 3; k++)
		ck_assert_ptr_null(json_object_get(jresult(&r[0], k),
		    "replayed"));
	/* The later ones answer as the first did, marked replayed. */
	for (i = 1; i < 3; i++) {
		for (k = 0; k < 3; k++) {
			a = json_deep_copy(jresult(&r[0], k));
			b = json_deep_copy(jresult(&r[i], k));
			ck_assert(json_is_true(json_object_get(b,
			    "replayed")));
			json_object_del(b, "replayed");
			if (!json_equal(a, b))
				ck_abort_msg("replay %d result %zu: %s vs %s",
				    i, k, buf_cstr(&r[0].body),
				    buf_cstr(&r[i].body));
			json_decref(a);
			json_decref(b);
		}
	}
	EXPECT_UNCHANGED(after, "a replayed push");
	free(after);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1",
	    1, msg), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM events WHERE "
	    "new_value = $1", 1, msg), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM events WHERE ticket_id "
	    "= $1 AND field = 'status' AND new_value = 'pending'", 1, T_PUSH),
	    1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM push_results WHERE "
	    "client_id = $1", 1, client), 3);
	ck_assert_int_eq(db_int("SELECT last_seq FROM clients WHERE id = $1",
	    1, client), 3);
	for (i = 0; i < 3; i++)
		rs_free(&r[i]);
	free(body);

	/* A push that overlaps the applied ones: old part replayed. */
	uuid_v7(msg);
	muts = json_array();
	json_array_append_new(muts, m3);
	json_array_append_new(muts, mut_message(4, "note", T_PUSH, msg,
	    "second note"));
	http_push(&r[0], sv.token[U_AGENT], client, muts, 0, NULL);
	EXPECT_RESULT(&r[0], 0, "rejected");
	ck_assert(json_is_true(json_object_get(jresult(&r[0], 0),
	    "replayed")));
	EXPECT_RESULT(&r[0], 1, "applied");
	ck_assert_ptr_null(json_object_get(jresult(&r[0], 1), "replayed"));
	rs_free(&r[0]);
	ck_assert_int_eq(db_int("SELECT last_seq FROM clients WHERE id = $1",
	    1, client), 4);
}
END_TEST

/*
 * A seq the server has for another mutation (a console restored from an
 * older copy of its replica): 409 seq_reused, nothing applied, rather
 * than the new change taken for a replay and lost.
 */
START_TEST(test_push_seq_reused_is_409)
{
	struct rs	 r;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		*before;

	uuid_v7(client);
	uuid_v7(msg);
	http_push1(&r, sv.token[U_AGENT], client, mut_message(1, "note",
	    T_PUSH, msg, "the first seq 1"));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	before = db_snapshot();
	uuid_v7(msg);
	http_push1(&r, sv.token[U_AGENT], client, mut_message(1, "note",
	    T_PUSH, msg, "another seq 1"));
	EXPECT_ERROR(&r, 409, "seq_reused");
	EXPECT_UNCHANGED(before, "a reused seq");
	free(before);
	rs_free(&r);
}
END_TEST

START_TEST(test_push_seq_gap_is_409)
{
	struct rs	 r;
	json_t		*muts;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		*before;

	uuid_v7(client);
	uuid_v7(msg);
	before = db_snapshot();
	http_push1(&r, sv.token[U_AGENT], client, mut_message(2, "note",
	    T_PUSH, msg, "gap"));
	EXPECT_ERROR(&r, 409, "seq_gap");
	ck_assert_int_eq(jint(r.json, "expected"), 1);
	rs_free(&r);
	EXPECT_UNCHANGED(before, "a push with a seq gap");
	free(before);
	ck_assert_int_eq(db_int("SELECT count(*) FROM clients WHERE id = $1",
	    1, client), 0);

	http_push1(&r, sv.token[U_AGENT], client, mut_message(1, "note",
	    T_PUSH, msg, "first"));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	uuid_v7(msg);
	before = db_snapshot();
	http_push1(&r, sv.token[U_AGENT], client, mut_message(3, "note",
	    T_PUSH, msg, "third"));
	EXPECT_ERROR(&r, 409, "seq_gap");
	ck_assert_int_eq(jint(r.json, "expected"), 2);
	rs_free(&r);
	/* Seqs inside one push follow each other. */
	muts = json_array();
	json_array_append_new(muts, mut_message(2, "note", T_PUSH, msg, "2"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s}", "seq", 4,
	    "id", "n", "type", "noop"));
	http_push(&r, sv.token[U_AGENT], client, muts, 0, NULL);
	EXPECT_ERROR(&r, 400, "seq_order");
	rs_free(&r);
	EXPECT_UNCHANGED(before, "a push with seqs out of order");
	free(before);

	muts = json_array();
	json_array_append_new(muts, mut_message(2, "note", T_PUSH, msg, "2"));
	json_array_append_new(muts, json_pack("{s:i, s:s, s:s}", "seq", 3,
	    "id", "n", "type", "noop"));
	http_push(&r, sv.token[U_AGENT], client, muts, 0, NULL);
	EXPECT_RESULT(&r, 0, "applied");
	EXPECT_RESULT(&r, 1, "applied");
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT last_seq FROM clients WHERE id = $1",
	    1, client), 3);
}
END_TEST

/* A buffer's string, "" if it is empty. Caller frees. */
static char *
buf_len_detach(struct buf *b)
{
	char	*s = buf_detach(b);

	return (s != NULL ? s : xstrdup(""));
}

/* Replace @C (client), @T (ticket) and @M (a new message id) in a template. */
static char *
expand(const char *tmpl, const char *client, const char *ticket)
{
	struct buf	 b;
	char		 m[UUID_STRLEN + 1];
	const char	*p;

	buf_init(&b);
	for (p = tmpl; *p != '\0'; p++) {
		if (*p == '@' && p[1] == 'C') {
			buf_puts(&b, client);
			p++;
		} else if (*p == '@' && p[1] == 'T') {
			buf_puts(&b, ticket);
			p++;
		} else if (*p == '@' && p[1] == 'M') {
			uuid_v7(m);
			buf_puts(&b, m);
			p++;
		} else
			buf_putc(&b, *p);
	}
	return (buf_len_detach(&b));
}

#define NOTE	"{\"seq\":1,\"id\":\"m1\",\"type\":\"note\"," \
		"\"ticket_id\":\"@T\",\"message_id\":\"@M\",\"body\":\"hello\"}"
#define PUSH(m)	"{\"client_id\":\"@C\",\"mutations\":[" m "]}"
#define MUT(f)	PUSH("{\"seq\":1,\"id\":\"m1\"," f "}")

START_TEST(test_push_bad_input_is_400_and_changes_nothing)
{
	static const struct {
		const char	*body;
		const char	*code;
	} bad[] = {
		{ "", "bad_request" },
		{ "{", "bad_json" },
		{ "{\"client_id\":\"@C\",\"mutations\":[", "bad_json" },
		{ PUSH(NOTE) " trailing", "bad_json" },
		{ "[]", "bad_json" },
		{ "\"push\"", "bad_json" },
		{ "null", "bad_json" },
		{ "\xef\xbb\xbf" PUSH(NOTE), "bad_json" },
		{ "{\"client_id\":\"@C\",\"client_id\":\"@C\",\"mutations\":["
		  NOTE "]}", "bad_json" },
		/* Invalid UTF-8, raw or escaped, anywhere in a string. */
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"caf\xc3\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"\xff\xfe\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"\xc0\xaf overlong\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"\xed\xa0\x80 surrogate\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"\\ud800 alone\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"nul \\u0000 inside\""), "bad_json" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"b\xffody\":\"x\""), "bad_json" },
		{ "{\"client_id\":\"@C\",\"mutations\":[{\"seq\":"
		  "99999999999999999999999,\"id\":\"m\",\"type\":\"noop\"}]}",
		  "bad_json" },
		/* The envelope. */
		{ "{\"mutations\":[" NOTE "]}", "bad_request" },
		{ "{\"client_id\":5,\"mutations\":[" NOTE "]}",
		  "bad_request" },
		{ "{\"client_id\":\"laptop\",\"mutations\":[" NOTE "]}",
		  "bad_request" },
		{ "{\"client_id\":\"@C\"}", "bad_request" },
		{ "{\"client_id\":\"@C\",\"mutations\":[]}", "bad_request" },
		{ "{\"client_id\":\"@C\",\"mutations\":{}}", "bad_request" },
		{ "{\"client_id\":\"@C\",\"mutations\":\"all\"}",
		  "bad_request" },
		/* A mutation's frame. */
		{ PUSH("5"), "bad_mutation" },
		{ PUSH("{\"id\":\"m\",\"type\":\"noop\"}"), "bad_mutation" },
		{ PUSH("{\"seq\":\"1\",\"id\":\"m\",\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":0,\"id\":\"m\",\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":-1,\"id\":\"m\",\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":1.5,\"id\":\"m\",\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":1,\"type\":\"noop\"}"), "bad_mutation" },
		{ PUSH("{\"seq\":1,\"id\":7,\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":1,\"id\":\"x0123456789x0123456789x0123456789"
		  "x0123456789x0123456789x0123456789x0123456789x0123456789x01"
		  "23456789x0123456789\",\"type\":\"noop\"}"),
		  "bad_mutation" },
		{ PUSH("{\"seq\":1,\"id\":\"m\"}"), "bad_mutation" },
		{ PUSH("{\"seq\":1,\"id\":\"m\",\"type\":null}"),
		  "bad_mutation" },
		{ MUT("\"type\":\"frobnicate\""), "unknown_type" },
		{ MUT("\"type\":\"\""), "unknown_type" },
		{ MUT("\"type\":\"NOTE\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"x\""), "unknown_type" },
		/* A mutation's fields. */
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\""), "bad_mutation" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":42"), "bad_mutation" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":null"), "bad_mutation" },
		{ MUT("\"type\":\"note\",\"message_id\":\"@M\",\"body\":\"x\""),
		  "bad_mutation" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"#12\",\"message_id\":"
		  "\"@M\",\"body\":\"x\""), "bad_mutation" },
		{ MUT("\"type\":\"note\",\"ticket_id\":12,\"message_id\":"
		  "\"@M\",\"body\":\"x\""), "bad_mutation" },
		{ MUT("\"type\":\"note\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"m-1\",\"body\":\"x\""), "bad_mutation" },
		{ MUT("\"type\":\"reply\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"x\",\"force\":\"yes\""), "bad_mutation" },
		{ MUT("\"type\":\"reply\",\"ticket_id\":\"@T\",\"message_id\":"
		  "\"@M\",\"body\":\"x\",\"seen_message_id\":7"),
		  "bad_mutation" },
		{ MUT("\"type\":\"set_status\",\"ticket_id\":\"@T\""),
		  "bad_mutation" },
		{ MUT("\"type\":\"set_status\",\"ticket_id\":\"@T\","
		  "\"status\":true"), "bad_mutation" },
		{ MUT("\"type\":\"set_tags\",\"ticket_id\":\"@T\""),
		  "bad_mutation" },
		{ MUT("\"type\":\"set_tags\",\"ticket_id\":\"@T\",\"add\":"
		  "\"vip\""), "bad_mutation" },
		{ MUT("\"type\":\"set_tags\",\"ticket_id\":\"@T\",\"add\":"
		  "[\"vip\",3]"), "bad_mutation" },
		{ MUT("\"type\":\"create_ticket\",\"ticket_id\":\"@M\","
		  "\"subject\":\"s\",\"body\":\"b\""), "bad_mutation" },
		{ MUT("\"type\":\"create_ticket\",\"ticket_id\":\"@M\""),
		  "bad_mutation" },
		{ MUT("\"type\":\"merge\",\"ticket_id\":\"@T\""),
		  "bad_mutation" },
		/* One bad mutation spoils the push: the good one before it
		 * is not applied either. */
		{ PUSH(NOTE ",{\"seq\":2,\"id\":\"m2\",\"type\":\"frob\"}"),
		  "unknown_type" },
		{ PUSH(NOTE ",{\"seq\":2,\"id\":\"m2\",\"type\":\"note\"}"),
		  "bad_mutation" },
		{ PUSH(NOTE ",{\"seq\":2}"), "bad_mutation" },
	};
	struct rs	 r;
	struct buf	 many;
	char		 client[UUID_STRLEN + 1], *body, *before, *deep;
	size_t		 i;
	int		 k;

	before = db_snapshot();
	for (i = 0; i < nitems(bad); i++) {
		uuid_v7(client);
		body = expand(bad[i].body, client, T_PUSH);
		http(&r, &(struct rq){ .path = "/v1/push", .body = body,
		    .token = sv.token[U_AGENT] });
		if (r.status != 400 || r.json == NULL ||
		    jstr(r.json, "error") == NULL ||
		    strcmp(jstr(r.json, "error"), bad[i].code) != 0 ||
		    jstr(r.json, "message") == NULL)
			ck_abort_msg("case %zu %s: wanted 400 %s, got %ld %s",
			    i, body, bad[i].code, r.status, buf_cstr(&r.body));
		rs_free(&r);
		free(body);
		EXPECT_HEALTHY();
		EXPECT_UNCHANGED(before, bad[i].body);
	}

	/* A NUL byte in the body. */
	uuid_v7(client);
	body = expand(MUT("\"type\":\"noop\",\"x\":\"a\001b\""), client,
	    T_PUSH);
	*strchr(body, '\001') = '\0';
	http(&r, &(struct rq){ .path = "/v1/push", .body = body,
	    .len = strlen(body) + 1 + strlen(body + strlen(body) + 1),
	    .token = sv.token[U_AGENT] });
	EXPECT_ERROR(&r, 400, "bad_json");
	rs_free(&r);
	free(body);

	/* Nesting deeper than any parser should follow. */
	buf_init(&many);
	buf_puts(&many, "{\"client_id\":\"");
	buf_puts(&many, client);
	buf_puts(&many, "\",\"mutations\":[{\"seq\":1,\"id\":\"m\",\"type\":"
	    "\"noop\",\"x\":");
	for (k = 0; k < 20000; k++)
		buf_putc(&many, '[');
	for (k = 0; k < 20000; k++)
		buf_putc(&many, ']');
	buf_puts(&many, "}]}");
	deep = buf_detach(&many);
	http(&r, &(struct rq){ .path = "/v1/push", .body = deep,
	    .token = sv.token[U_AGENT] });
	EXPECT_ERROR(&r, 400, "bad_json");
	rs_free(&r);
	free(deep);
	EXPECT_HEALTHY();

	/* More than 1,000 mutations in one push. */
	buf_init(&many);
	buf_printf(&many, "{\"client_id\":\"%s\",\"mutations\":[", client);
	for (k = 1; k <= 1001; k++)
		buf_printf(&many, "%s{\"seq\":%d,\"id\":\"n\",\"type\":"
		    "\"noop\"}", k > 1 ? "," : "", k);
	buf_puts(&many, "]}");
	http(&r, &(struct rq){ .path = "/v1/push", .body = buf_cstr(&many),
	    .token = sv.token[U_AGENT] });
	EXPECT_ERROR(&r, 400, "bad_request");
	rs_free(&r);
	buf_free(&many);

	EXPECT_HEALTHY();
	EXPECT_UNCHANGED(before, "bad pushes");
	free(before);
}
END_TEST

/* A push body of exactly size bytes: one note padded out. Caller frees. */
static char *
push_of_size(const char *client, const char *msg, size_t size)
{
	char	*head, *out;
	size_t	 n;

	head = xprintf("{\"client_id\":\"%s\",\"mutations\":[{\"seq\":1,"
	    "\"id\":\"big\",\"type\":\"note\",\"ticket_id\":\"%s\","
	    "\"message_id\":\"%s\",\"body\":\"", client, T_PUSH, msg);
	n = strlen(head);
	ck_assert_uint_gt(size, n + 5);
	out = xmalloc(size + 1);
	memcpy(out, head, n);
	memset(out + n, 'x', size - n - 4);
	memcpy(out + size - 4, "\"}]}", 4);
	out[size] = '\0';
	free(head);
	return (out);
}

START_TEST(test_push_oversized_body_is_413)
{
	struct rs	 r;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		*body, *before;
	int		 chunked;

	uuid_v7(client);
	uuid_v7(msg);
	before = db_snapshot();
	for (chunked = 0; chunked < 2; chunked++) {
		body = push_of_size(client, msg, SV_MAX_BODY + 1);
		http(&r, &(struct rq){ .path = "/v1/push", .body = body,
		    .token = sv.token[U_AGENT], .chunked = chunked });
		EXPECT_ERROR(&r, 413, "too_large");
		rs_free(&r);
		free(body);
		body = push_of_size(client, msg, 4 * SV_MAX_BODY);
		http(&r, &(struct rq){ .path = "/v1/push", .body = body,
		    .token = sv.token[U_AGENT], .chunked = chunked });
		EXPECT_ERROR(&r, 413, "too_large");
		rs_free(&r);
		free(body);
		EXPECT_HEALTHY();
	}
	/* Logins too; and without a token it is the token that is wrong. */
	body = push_of_size(client, msg, SV_MAX_BODY + 100);
	http(&r, &(struct rq){ .path = "/v1/login", .body = body });
	EXPECT_ERROR(&r, 413, "too_large");
	rs_free(&r);
	http(&r, &(struct rq){ .path = "/v1/push", .body = body });
	EXPECT_ERROR(&r, 401, "no_token");
	rs_free(&r);
	free(body);
	EXPECT_UNCHANGED(before, "an oversized push");
	free(before);

	/* At the limit exactly it goes through. */
	body = push_of_size(client, msg, SV_MAX_BODY);
	http(&r, &(struct rq){ .path = "/v1/push", .body = body,
	    .token = sv.token[U_AGENT], .chunked = 1 });
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	free(body);
	ck_assert_int_gt(db_int("SELECT length(body) FROM messages WHERE id = "
	    "$1", 1, msg), SV_MAX_BODY - 300);
}
END_TEST

START_TEST(test_push_rejections_advance_seq)
{
	static const struct {
		const char	*status;
		const char	*reason;	/* a part of it */
	} want[] = {
		{ "rejected", "unknown ticket" },
		{ "rejected", "the note is empty" },
		{ "rejected", "unknown status" },
		{ "applied", NULL },
		{ "rejected", "a message with this id exists" },
		{ "rejected", "viewers cannot be assigned tickets" },
		{ "applied", NULL },
		{ "rejected", "a ticket with this id exists" },
		{ "rejected", "cannot be merged into itself" },
		{ "rejected", "longer than 200 characters" },
		{ "rejected", "a tag is empty" },
		{ "applied", NULL },
		{ "applied", NULL },
		{ "rejected", "unknown priority" },
		{ "applied", NULL },	/* already so: the ticket's rev */
	};
	struct rs	 r;
	json_t		*m;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		 ghost[UUID_STRLEN + 1], t1[UUID_STRLEN + 1];
	char		 m1[UUID_STRLEN + 1], long_cat[202], *num, *s;
	const char	*reason;
	size_t		 i;

	new_ticket(sv.token[U_AGENT], t1, m1);
	uuid_v7(client);
	uuid_v7(msg);
	uuid_v7(ghost);
	memset(long_cat, 'c', sizeof long_cat - 1);
	long_cat[sizeof long_cat - 1] = '\0';
	m = json_array();
	json_array_append_new(m, mut_message(1, "note", ghost, msg, "x"));
	json_array_append_new(m, mut_message(2, "note", t1, msg, ""));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    3, "id", "3", "type", "set_status", "ticket_id", t1, "status",
	    "bogus"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    4, "id", "4", "type", "set_priority", "ticket_id", t1, "priority",
	    "urgent"));
	json_array_append_new(m, mut_message(5, "note", t1, m1, "same id"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    6, "id", "6", "type", "set_assignee", "ticket_id", t1,
	    "assignee_id", sv.user[U_VIEWER]));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    7, "id", "7", "type", "set_assignee", "ticket_id", t1,
	    "assignee_id", sv.user[U_AGENT2]));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    8, "id", "8", "type", "create_ticket", "ticket_id", t1, "subject",
	    "again"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    9, "id", "9", "type", "merge", "ticket_id", t1, "into", t1));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    10, "id", "10", "type", "set_category", "ticket_id", t1,
	    "category", long_cat));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:[s]}",
	    "seq", 11, "id", "11", "type", "set_tags", "ticket_id", t1, "add",
	    ""));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:[ss]}",
	    "seq", 12, "id", "12", "type", "set_tags", "ticket_id", t1, "add",
	    "vip", "VIP"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s}", "seq", 13, "id",
	    "13", "type", "noop"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}",
	    "seq", 14, "id", "14", "type", "create_ticket", "ticket_id",
	    ghost, "subject", "s", "priority", "whenever"));
	json_array_append_new(m, json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq",
	    15, "id", "15", "type", "set_priority", "ticket_id", t1,
	    "priority", "URGENT"));
	http_push(&r, sv.token[U_AGENT], client, m, 0, NULL);
	EXPECT_STATUS(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "results")),
	    nitems(want));
	for (i = 0; i < nitems(want); i++) {
		EXPECT_RESULT(&r, i, want[i].status);
		ck_assert_int_eq(jint(jresult(&r, i), "seq"), (int)i + 1);
		reason = jstr(jresult(&r, i), "reason");
		if (want[i].reason != NULL && (reason == NULL ||
		    strstr(reason, want[i].reason) == NULL))
			ck_abort_msg("result %zu: reason \"%s\", wanted \"%s\"",
			    i, reason != NULL ? reason : "(none)",
			    want[i].reason);
	}
	ck_assert_int_eq(jint(jresult(&r, 14), "rev"), db_int("SELECT rev "
	    "FROM tickets WHERE id = $1", 1, t1));
	rs_free(&r);
	/* Only the applied ones changed anything. */
	s = db_str("SELECT concat_ws(' ', status, priority, assignee_id, "
	    "coalesce(category, '-'), tags::text) FROM tickets WHERE id = $1",
	    1, t1);
	num = xprintf("new urgent %s - [\"vip\"]", sv.user[U_AGENT2]);
	ck_assert_str_eq(s, num);
	free(s);
	free(num);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1",
	    1, msg), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM tickets WHERE id = $1",
	    1, ghost), 0);
	ck_assert_int_eq(db_int("SELECT last_seq FROM clients WHERE id = $1",
	    1, client), (int)nitems(want));

}
END_TEST

/*
 * SERVER BUG (reported): every merge is rejected with "the server could
 * not apply this change (42P18)". push.c's mut_merge runs "UPDATE tickets
 * SET updated_at = now() WHERE id = $2 RETURNING rev" with two parameters
 * and PostgreSQL cannot type the unused $1 (42P18, indeterminate
 * datatype). This test fails until that is fixed.
 */
START_TEST(test_push_merge_moves_messages_and_closes_the_ticket)
{
	struct pulled	 p;
	struct rs	 r;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	char		 t1[UUID_STRLEN + 1], t2[UUID_STRLEN + 1];
	char		 m1[UUID_STRLEN + 1], m2[UUID_STRLEN + 1], *num, *s;
	int64_t		 since;

	new_ticket(sv.token[U_AGENT], t1, m1);
	new_ticket(sv.token[U_AGENT], t2, m2);
	since = db_cursor();
	uuid_v7(client);
	http_push1(&r, sv.token[U_AGENT], client, json_pack("{s:i, s:s, s:s, "
	    "s:s, s:s}", "seq", 1, "id", "merge", "type", "merge",
	    "ticket_id", t2, "into", t1));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1 "
	    "AND ticket_id = $2", 2, m2, t1), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM tickets WHERE id = $1 "
	    "AND deleted AND merged_into = $2 AND status = 'closed'", 2, t2,
	    t1), 1);
	/* The merge reaches pullers as a tombstone. */
	pull_all(&p, sv.token[U_AGENT], since, 1000);
	ck_assert_uint_eq(pulled_has(&p, "tickets", t2), 1);
	ck_assert_uint_eq(pulled_has(&p, "messages", m2), 1);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&p.text), "\"deleted\":true"));
	pulled_free(&p);
	/* Later changes to it are refused, naming where it went. */
	num = db_str("SELECT number FROM tickets WHERE id = $1", 1, t1);
	uuid_v7(msg);
	http_push1(&r, sv.token[U_AGENT], client, mut_message(2, "note", t2,
	    msg, "late"));
	EXPECT_RESULT(&r, 0, "rejected");
	s = xprintf("the ticket was merged into #%s", num);
	ck_assert_str_eq(jstr(jresult(&r, 0), "reason"), s);
	free(s);
	free(num);
	rs_free(&r);
}
END_TEST

/* A reply mutation that had seen seen (NULL: nothing), maybe forced. */
static json_t *
mut_reply(int64_t seq, const char *ticket, const char *msg,
    const char *seen, int force)
{
	json_t	*m;

	m = mut_message(seq, "reply", ticket, msg, "On its way!");

	if (seen != NULL)
		json_object_set_new(m, "seen_message_id", json_string(seen));
	if (force)
		json_object_set_new(m, "force", json_true());
	return (m);
}

START_TEST(test_reply_collision_gate)
{
	struct rs	 r, again;
	json_t		*j;
	char		 t[UUID_STRLEN + 1], m0[UUID_STRLEN + 1];
	char		 r1[UUID_STRLEN + 1], c1[UUID_STRLEN + 1];
	char		 r2[UUID_STRLEN + 1], r3[UUID_STRLEN + 1];
	char		 client[UUID_STRLEN + 1], *body, *crev;
	const char	*tok = sv.token[U_AGENT];

	new_ticket(tok, t, m0);
	uuid_v7(client);
	uuid_v7(r1);
	uuid_v7(r2);
	uuid_v7(r3);

	/* Nothing new from the customer: the reply goes. */
	http_push1(&r, tok, client, mut_reply(1, t, r1, m0, 0));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);

	/* The customer writes; a reply that had not seen it waits. */
	sv_sleep(0.01);
	customer_writes(c1, SV_ORG_A, t, "Any news? It has been a week.");
	crev = db_str("SELECT rev FROM messages WHERE id = $1", 1, c1);
	j = json_pack("{s:s, s:[o]}", "client_id", client, "mutations",
	    mut_reply(2, t, r2, r1, 0));
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http(&r, &(struct rq){ .path = "/v1/push", .body = body,
	    .token = tok });
	EXPECT_RESULT(&r, 0, "conflict");
	ck_assert_str_eq(jstr(jresult(&r, 0), "message_id"), c1);
	ck_assert_int_eq(jint(jresult(&r, 0), "rev"), atoll(crev));
	ck_assert_ptr_nonnull(jstr(jresult(&r, 0), "reason"));
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1",
	    1, r2), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM events WHERE new_value "
	    "= $1", 1, r2), 0);
	/* Asked again, the same answer. */
	http(&again, &(struct rq){ .path = "/v1/push", .body = body,
	    .token = tok });
	EXPECT_RESULT(&again, 0, "conflict");
	ck_assert(json_is_true(json_object_get(jresult(&again, 0),
	    "replayed")));
	ck_assert_str_eq(jstr(jresult(&again, 0), "message_id"), c1);
	ck_assert_int_eq(jint(jresult(&again, 0), "rev"), atoll(crev));
	rs_free(&again);
	rs_free(&r);
	free(body);
	free(crev);

	/* A reply that had seen nothing at all waits too. */
	http_push1(&r, tok, client, mut_reply(3, t, r2, NULL, 0));
	EXPECT_RESULT(&r, 0, "conflict");
	ck_assert_str_eq(jstr(jresult(&r, 0), "message_id"), c1);
	rs_free(&r);

	/* The agent sends it anyway: a new seq with force. */
	http_push1(&r, tok, client, mut_reply(4, t, r2, r1, 1));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = $1 "
	    "AND author = 'agent' AND NOT internal", 1, r2), 1);

	/* Having seen the customer's message, no force is needed. */
	http_push1(&r, tok, client, mut_reply(5, t, r3, c1, 0));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
	/* Notes never wait. */
	customer_writes(c1, SV_ORG_A, t, "Hello??");
	uuid_v7(r3);
	http_push1(&r, tok, client, mut_message(6, "note", t, r3, "chase"));
	EXPECT_RESULT(&r, 0, "applied");
	rs_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Pull. */

/* n notes on ticket by token as one push from seq first. */
static void
push_notes(const char *token, const char *client, const char *ticket,
    int first, int n, struct idlist *ids)
{
	struct rs	 r;
	json_t		*muts = json_array();
	char		 msg[UUID_STRLEN + 1];
	int		 i;

	for (i = 0; i < n; i++) {
		uuid_v7(msg);
		if (ids != NULL)
			idlist_add(ids, msg);
		json_array_append_new(muts, mut_message(first + i, "note",
		    ticket, msg, "paging"));
	}
	http_push(&r, token, client, muts, 0, NULL);
	for (i = 0; i < n; i++)
		EXPECT_RESULT(&r, i, "applied");
	rs_free(&r);
}

/* No row twice in a (sorted) pull. */
static void
expect_each_row_once(struct pulled *p)
{
	size_t	 i;

	for (i = 1; i < p->rows.n; i++)
		if (strcmp(p->rows.v[i - 1], p->rows.v[i]) == 0)
			ck_abort_msg("row %s came twice", p->rows.v[i]);
}

START_TEST(test_pull_pages_every_row_once)
{
	static const int	 limits[] = { 7, 1, 1000 };
	struct pulled		 p, whole;
	struct idlist		 ids;
	struct rs		 r;
	char			 client[UUID_STRLEN + 1];
	int64_t			 since;
	size_t			 i, k;

	since = db_cursor();
	memset(&ids, 0, sizeof ids);
	uuid_v7(client);
	/* Three commits, each changing the ticket again. */
	push_notes(sv.token[U_AGENT2], client, T_PULL, 1, 15, &ids);
	push_notes(sv.token[U_AGENT2], client, T_PULL, 16, 15, &ids);
	push_notes(sv.token[U_AGENT2], client, T_PULL, 31, 15, &ids);

	pull_all(&whole, sv.token[U_AGENT], since, 10000);
	ck_assert_int_eq(whole.pages, 1);
	/* 45 notes, 45 events, and the ticket once at its latest. */
	ck_assert_uint_eq(whole.rows.n, 91);
	ck_assert_uint_eq(pulled_has(&whole, "tickets", T_PULL), 1);
	expect_each_row_once(&whole);
	for (k = 0; k < nitems(limits); k++) {
		pull_all(&p, sv.token[U_AGENT], since, limits[k]);
		ck_assert_int_eq(p.pages, (91 + limits[k] - 1) / limits[k]);
		ck_assert_int_eq(p.cursor, whole.cursor);
		ck_assert_uint_eq(p.rows.n, whole.rows.n);
		for (i = 0; i < p.rows.n; i++)
			ck_assert_str_eq(p.rows.v[i], whole.rows.v[i]);
		for (i = 0; i < ids.n; i++)
			ck_assert_uint_eq(pulled_has(&p, "messages",
			    ids.v[i]), 1);
		pulled_free(&p);
	}
	ck_assert_int_eq(whole.cursor, db_cursor());

	/* Past the end: nothing, the cursor stays. */
	http_pull(&r, sv.token[U_AGENT], whole.cursor + 1000, 10, 0, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_int_eq(jint(r.json, "cursor"), whole.cursor + 1000);
	ck_assert(json_is_false(json_object_get(r.json, "more")));
	ck_assert_uint_eq(json_object_size(json_object_get(r.json,
	    "changes")), 0);
	rs_free(&r);
	/* Defaults: since 0, a page of at most 1000. */
	http_get(&r, sv.token[U_AGENT], "/v1/pull");
	EXPECT_STATUS(&r, 200);
	ck_assert_int_gt(jint(r.json, "cursor"), 0);
	rs_free(&r);
	pulled_free(&whole);
	idlist_free(&ids);
}
END_TEST

START_TEST(test_pull_bad_arguments_are_400)
{
	static const char *const bad[] = {
		"since=-1", "since=abc", "since=", "since=1e3", "since=+5",
		"limit=99999999999999999999", "limit=0", "limit=10001",
		"limit=5x", "limit=-3", "wait=11", "wait=-1", "wait=1.5",
		"since=1&limit=", "since=%00",
	};
	struct rs	 r;
	char		*path;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		path = xprintf("/v1/pull?%s", bad[i]);
		http_get(&r, sv.token[U_AGENT], path);
		if (r.status != 400 || r.json == NULL ||
		    jstr(r.json, "error") == NULL ||
		    strcmp(jstr(r.json, "error"), "bad_request") != 0)
			ck_abort_msg("%s: wanted 400 bad_request, got %ld %s",
			    path, r.status, buf_cstr(&r.body));
		rs_free(&r);
		free(path);
	}
	http_get(&r, sv.token[U_AGENT], "/v1/pull?since=0&limit=10000&wait=0");
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	EXPECT_HEALTHY();
}
END_TEST

/*
 * SERVER BUG (reported): pull.c's pull_arg does not check strtoll's
 * ERANGE, so since=99999999999999999999 is taken as INT64_MAX and answered
 * 200 with cursor 9223372036854775807 (a client that kept that cursor
 * would never see another change) instead of 400. This test fails until
 * out-of-range numbers are refused.
 */
START_TEST(test_pull_since_out_of_range_is_400)
{
	struct rs	 r;

	http_get(&r, sv.token[U_AGENT], "/v1/pull?since=99999999999999999999");
	EXPECT_ERROR(&r, 400, "bad_request");
	rs_free(&r);
}
END_TEST

START_TEST(test_pull_wait_wakes_on_commit)
{
	struct pulled	 p;
	struct rs	 r;
	char		 msg[UUID_STRLEN + 1], *why = NULL;
	double		 t0, acked;
	int64_t		 since;
	pid_t		 pid;
	int		 fd[2];

	ck_assert_int_eq(pipe(fd), 0);
	since = db_cursor();
	uuid_v7(msg);
	pid = push_later(1.0, sv.token[U_AGENT2], T_PULL, msg, "wake up",
	    fd[1]);
	t0 = sv_now();
	http_pull(&r, sv.token[U_AGENT], since, 100, 8, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_int_eq(read(fd[0], &acked, sizeof acked),
	    (ssize_t)sizeof acked);
	EXPECT_CHILD_OK(pid, "the pusher");
	memset(&p, 0, sizeof p);
	if (pull_page_check(r.json, since, 100, &p, &why) < 0)
		ck_abort_msg("%s", why);
	idlist_sort(&p.rows);
	ck_assert_uint_eq(pulled_has(&p, "messages", msg), 1);
	/* It waited for the change and came within 2 s of its commit. */
	ck_assert_msg(sv_now() - t0 >= 0.8, "answered after %.2f s, before "
	    "the change", sv_now() - t0);
	ck_assert_msg(t0 + r.secs - acked < 2.0, "answered %.2f s after the "
	    "push", t0 + r.secs - acked);
	rs_free(&r);
	pulled_free(&p);

	/* Another organisation's change does not wake org B. */
	since = db_cursor();
	uuid_v7(msg);
	pid = push_later(0.3, sv.token[U_AGENT], T_PULL, msg, "not yours", -1);
	http_pull(&r, sv.token[U_AGENT_B], since, 100, 2, 0);
	EXPECT_CHILD_OK(pid, "the pusher");
	EXPECT_STATUS(&r, 200);
	ck_assert_uint_eq(json_object_size(json_object_get(r.json,
	    "changes")), 0);
	ck_assert_msg(r.secs >= 1.8, "org B's pull ended after %.2f s",
	    r.secs);
	rs_free(&r);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_pull_wait_ends_empty)
{
	struct rs	 r;
	int64_t		 since = db_cursor();

	http_pull(&r, sv.token[U_AGENT], since, 100, 1, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_msg(r.secs >= 0.9 && r.secs < 3.0, "wait=1 took %.2f s",
	    r.secs);
	ck_assert_int_eq(jint(r.json, "cursor"), since);
	ck_assert(json_is_false(json_object_get(r.json, "more")));
	ck_assert_uint_eq(json_object_size(json_object_get(r.json,
	    "changes")), 0);
	rs_free(&r);
	http_pull(&r, sv.token[U_AGENT], since, 100, 0, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_msg(r.secs < 0.5, "wait=0 took %.2f s", r.secs);
	rs_free(&r);
	/* With rows to give, a wait does not wait. */
	http_pull(&r, sv.token[U_AGENT], 0, 10, 5, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_msg(r.secs < 1.0, "a pull with rows waited %.2f s", r.secs);
	rs_free(&r);
}
END_TEST

/* Pull pages with rows the server has answered from memory (its health). */
static long long
pages_from_memory(void)
{
	struct rs	 r;
	long long	 n;

	http_get(&r, NULL, "/v1/health");
	EXPECT_STATUS(&r, 200);
	n = jint(json_object_get(r.json, "pages"), "memory");
	rs_free(&r);
	return (n);
}

/* A console long-polls at the head and one note wakes it. */
static void
wake_one_waiter(void)
{
	struct rs	 r;
	char		 msg[UUID_STRLEN + 1];
	int64_t		 since = db_cursor();
	pid_t		 pid;

	uuid_v7(msg);
	pid = push_later(0.5, sv.token[U_AGENT2], T_PULL, msg, "wake", -1);
	http_pull(&r, sv.token[U_AGENT], since, 100, 8, 0);
	EXPECT_STATUS(&r, 200);
	ck_assert_int_gt(jint(r.json, "cursor"), since);
	EXPECT_CHILD_OK(pid, "the pusher");
	rs_free(&r);
}

/*
 * Long polls near the head are answered from the changes the server keeps
 * in memory (pull-tail.c): every such page must be the very page
 * PostgreSQL gives, for agents and viewers, at every cursor and limit,
 * with rows changed again (the ticket) appearing once at their latest.
 */
START_TEST(test_pull_memory_pages_are_the_database_pages)
{
	static const int	 limits[] = { 1, 2, 5, 1000 };
	const char		*tokens[] = { sv.token[U_AGENT],
				    sv.token[U_VIEWER] };
	struct rs		 r, db;
	json_t			*muts;
	char			 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	int64_t			 since0, head, s;
	long long		 mem;
	size_t			 k, t;
	int			 i, compared = 0;

	since0 = db_cursor();
	wake_one_waiter();
	/* Commits after it: internal notes (not for viewers) and replies,
	 * each changing the ticket again. */
	uuid_v7(client);
	for (i = 0; i < 6; i++) {
		muts = json_array();
		uuid_v7(msg);
		json_array_append_new(muts, mut_message(2 * i + 1, i % 2 ?
		    "reply" : "note", T_PULL, msg, "from memory"));
		uuid_v7(msg);
		json_array_append_new(muts, mut_message(2 * i + 2, "note",
		    T_PULL, msg, "from memory"));
		http_push(&r, sv.token[U_AGENT2], client, muts, 0, NULL);
		EXPECT_RESULT(&r, 0, "applied");
		EXPECT_RESULT(&r, 1, "applied");
		rs_free(&r);
	}
	head = db_cursor();
	/* The listener reads each commit after its notification. */
	for (i = 0;; i++) {
		mem = pages_from_memory();
		http_pull(&r, sv.token[U_AGENT], since0, 1000, 1, 0);
		EXPECT_STATUS(&r, 200);
		if (pages_from_memory() == mem + 1 &&
		    jint(r.json, "cursor") == head) {
			rs_free(&r);
			break;
		}
		rs_free(&r);
		ck_assert_msg(i < 50, "the server's memory never caught up");
		sv_sleep(0.1);
	}

	for (t = 0; t < nitems(tokens); t++)
		for (s = since0; s < head; s++)
			for (k = 0; k < nitems(limits); k++) {
				http_pull(&db, tokens[t], s, limits[k], 0, 0);
				EXPECT_STATUS(&db, 200);
				if (json_object_size(json_object_get(db.json,
				    "changes")) == 0) {
					rs_free(&db);
					continue;
				}
				mem = pages_from_memory();
				http_pull(&r, tokens[t], s, limits[k], 1, 0);
				EXPECT_STATUS(&r, 200);
				if (pages_from_memory() != mem + 1)
					ck_abort_msg("since %lld limit %d: not "
					    "from memory", (long long)s,
					    limits[k]);
				ck_assert_str_eq(buf_cstr(&r.body),
				    buf_cstr(&db.body));
				compared++;
				rs_free(&r);
				rs_free(&db);
			}
	ck_assert_int_gt(compared, 60);

	/* Older cursors, and wait=0, are PostgreSQL's. */
	mem = pages_from_memory();
	http_pull(&r, sv.token[U_AGENT], 0, 10, 1, 0);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	http_pull(&r, sv.token[U_AGENT], head - 1, 10, 0, 0);
	EXPECT_STATUS(&r, 200);
	rs_free(&r);
	ck_assert_int_eq(pages_from_memory(), mem);
}
END_TEST

/*
 * One commit of more rows than the memory takes at once (an import): the
 * waiting console is answered by PostgreSQL with all of them, and the
 * next change near the head is served from memory again.
 */
START_TEST(test_pull_memory_gives_way_to_a_bulk_change)
{
	struct rs	 r;
	struct pulled	 p;
	char		 client[UUID_STRLEN + 1], *why = NULL;
	int64_t		 since;
	long long	 mem;
	size_t		 i, n;
	pid_t		 pid;

	wake_one_waiter();
	since = db_cursor();
	mem = pages_from_memory();
	if ((pid = fork()) == 0) {
		http_pull(&r, sv.token[U_AGENT], since, 10000, 8, 0);
		memset(&p, 0, sizeof p);
		if (r.status != 200 || pull_page_check(r.json, since, 10000,
		    &p, &why) < 0)
			_exit(2);
		for (i = n = 0; i < p.rows.n; i++)
			n += strncmp(p.rows.v[i], "messages ", 9) == 0;
		_exit(n == 300 ? 0 : 3);
	}
	ck_assert_int_gt(pid, 0);
	sv_sleep(0.5);
	uuid_v7(client);
	push_notes(sv.token[U_AGENT2], client, T_PULL, 1, 300, NULL);
	EXPECT_CHILD_OK(pid, "the waiting console's pull");
	ck_assert_int_eq(pages_from_memory(), mem);

	mem = pages_from_memory();
	wake_one_waiter();
	ck_assert_int_eq(pages_from_memory(), mem + 1);
}
END_TEST

START_TEST(test_gzip_when_accepted)
{
	struct rs	 z, plain;
	char		*v, *path, msg[UUID_STRLEN + 1], *body;
	int64_t		 since;
	pid_t		 pid, other;
	int		 st;

	http(&z, &(struct rq){ .path = "/v1/pull?since=0&limit=500",
	    .token = sv.token[U_AGENT], .gzip = 1 });
	EXPECT_STATUS(&z, 200);
	v = rs_header(&z, "Content-Encoding");
	ck_assert_msg(v != NULL && strcmp(v, "gzip") == 0,
	    "Content-Encoding %s", v != NULL ? v : "(none)");
	free(v);
	ck_assert_ptr_nonnull(z.json);
	http(&plain, &(struct rq){ .path = "/v1/pull?since=0&limit=500",
	    .token = sv.token[U_AGENT] });
	EXPECT_STATUS(&plain, 200);
	ck_assert_ptr_null(rs_header(&plain, "Content-Encoding"));
	ck_assert_uint_gt(plain.body.len, 1024);
	ck_assert(json_equal(z.json, plain.json));
	rs_free(&z);
	rs_free(&plain);

	/* Waiting pulls sharing a change each get their own encoding. */
	since = db_cursor();
	path = xprintf("/v1/pull?since=%lld&limit=50&wait=8",
	    (long long)since);
	ck_assert_int_ge(other = fork(), 0);
	if (other == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		http(&plain, &(struct rq){ .path = path,
		    .token = sv.token[U_AGENT2], .timeout = 20 });
		v = rs_header(&plain, "Content-Encoding");
		_exit(plain.status == 200 && v == NULL && plain.json != NULL &&
		    strstr(buf_cstr(&plain.body), "wake") != NULL ? 0 : 1);
	}
	uuid_v7(msg);
	body = xmalloc(3001);
	memset(body, 'w', 3000);
	memcpy(body, "wake", 4);
	body[3000] = '\0';
	pid = push_later(0.7, sv.token[U_AGENT], T_PULL, msg, body, -1);
	http(&z, &(struct rq){ .path = path, .token = sv.token[U_AGENT],
	    .gzip = 1, .timeout = 20 });
	EXPECT_CHILD_OK(pid, "the pusher");
	EXPECT_STATUS(&z, 200);
	v = rs_header(&z, "Content-Encoding");
	ck_assert_msg(v != NULL && strcmp(v, "gzip") == 0,
	    "Content-Encoding %s", v != NULL ? v : "(none)");
	free(v);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&z.body), msg));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&z.body), body));
	ck_assert_int_eq(waitpid(other, &st, 0), other);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the plain waiting pull got a wrong answer");
	rs_free(&z);
	free(body);
	free(path);
}
END_TEST
static Suite *
server_suite(void)
{
	Suite	*s = suite_create("server");
	TCase	*tc;

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, sv_each, NULL);
	tcase_add_test(tc, test_health_and_unknown_routes);
	tcase_add_test(tc, test_login_gives_tokens_and_refuses_bad_logins);
	tcase_add_test(tc, test_login_slows_down_guessing);
	tcase_add_test(tc, test_whoami_names_user_role_and_org);
	tcase_add_test(tc, test_every_authed_endpoint_refuses_bad_tokens);
	tcase_add_test(tc, test_other_organisation_sees_and_touches_nothing);
	tcase_add_test(tc, test_viewer_never_receives_internal_notes);
	tcase_add_test(tc, test_viewer_pull_never_names_internal_notes);
	tcase_add_test(tc, test_attachments_download_and_refuse);
	tcase_add_test(tc, test_push_replayed_three_times_applies_once);
	tcase_add_test(tc, test_push_seq_gap_is_409);
	tcase_add_test(tc, test_push_seq_reused_is_409);
	tcase_add_test(tc, test_push_bad_input_is_400_and_changes_nothing);
	tcase_add_test(tc, test_push_oversized_body_is_413);
	tcase_add_test(tc, test_push_rejections_advance_seq);
	tcase_add_test(tc,
	    test_push_merge_moves_messages_and_closes_the_ticket);
	tcase_add_test(tc, test_reply_collision_gate);
	tcase_add_test(tc, test_pull_pages_every_row_once);
	tcase_add_test(tc, test_pull_bad_arguments_are_400);
	tcase_add_test(tc, test_pull_since_out_of_range_is_400);
	tcase_add_test(tc, test_pull_wait_wakes_on_commit);
	tcase_add_test(tc, test_pull_wait_ends_empty);
	tcase_add_test(tc, test_gzip_when_accepted);
	tcase_add_test(tc, test_pull_memory_pages_are_the_database_pages);
	tcase_add_test(tc, test_pull_memory_gives_way_to_a_bulk_change);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (sv_main("check-server", server_suite));
}
