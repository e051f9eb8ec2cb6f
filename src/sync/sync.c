/* sync.c: login, logout, and a sync round: push the outbox, pull pages. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync-int.h"

#define SYNC_PUSH_BATCH		200
#define SYNC_PULL_LIMIT		10000

/* Settings that hold the login; the token is the secret among them. */
static const char *const sync_keys[] = { "server", "token", "client_id",
    "org_id", "pushed_seq" };

int
sync_logged_in(struct replica *r)
{
	char	*t = replica_setting(r, "token");
	int	 in = t != NULL && *t != '\0';

	free(t);
	return (in);
}

/* "https://host:8787/" and "https://host:8787" are the same server. */
static char *
sync_server_url(const char *s)
{
	char	*u = xstrdup(s);
	size_t	 n = strlen(u);

	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	return (u);
}

int
sync_login(struct replica *r, const char *server, const char *email,
    const char *password, const struct sync_opts *o, char **cause)
{
	struct sync_http	 h;
	json_t			*req, *j = NULL;
	const char		*token, *user, *org;
	char			 client[UUID_STRLEN + 1];
	char			*url, *body;
	int			 rc;

	url = sync_server_url(server);
	if (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		*cause = xprintf(_("%s: the server is an http:// or https:// "
		    "URL"), server);
		free(url);
		return (SYNC_ERR_REFUSED);
	}
	if (!utf8_valid(email, strlen(email)) ||
	    !utf8_valid(password, strlen(password))) {
		*cause = xstrdup(_("the email and the password must be UTF-8 "
		    "text"));
		free(url);
		return (SYNC_ERR_REFUSED);
	}
	req = json_pack("{s:s, s:s}", "email", email, "password", password);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	rc = sync_http(url, NULL, "/v1/login", body, o, 30, 0, &h, cause);
	explicit_bzero(body, strlen(body));
	free(body);
	if (rc != 0)
		goto out;
	if (h.status != 200) {
		rc = sync_http_error(&h, cause);
		goto out;
	}
	if ((j = sync_json_body(&h, cause)) == NULL) {
		rc = SYNC_ERR_SERVER;
		goto out;
	}
	token = json_string_value(json_object_get(j, "token"));
	user = json_string_value(json_object_get(json_object_get(j, "user"),
	    "id"));
	org = json_string_value(json_object_get(json_object_get(j, "org"),
	    "id"));
	if (token == NULL || user == NULL || org == NULL) {
		*cause = xstrdup(_("the server's login answer lacks token, "
		    "user or org"));
		rc = SYNC_ERR_SERVER;
		goto out;
	}
	/* A fresh client id per login: its seqs start again at 1. */
	uuid_v7(client);
	if (replica_begin(r, cause) != 0 ||
	    replica_setting_set(r, "server", url, cause) != 0 ||
	    replica_setting_set(r, "token", token, cause) != 0 ||
	    replica_setting_set(r, "client_id", client, cause) != 0 ||
	    replica_setting_set(r, "user_id", user, cause) != 0 ||
	    replica_setting_set(r, "org_id", org, cause) != 0 ||
	    replica_setting_set(r, "pushed_seq", NULL, cause) != 0 ||
	    replica_commit(r, cause) != 0) {
		replica_rollback(r);
		rc = SYNC_ERR_LOCAL;
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	buf_free(&h.body);
	free(url);
	return (rc);
}

/*
 * Revoke the token on the server (when it can be reached: a token that
 * cannot be revoked now still expires) and forget the login here.
 */
int
sync_logout(struct replica *r, const struct sync_opts *o, char **cause)
{
	struct sync_http	 h;
	char			*server, *token, *why = NULL;
	size_t			 i;

	server = replica_setting(r, "server");
	token = replica_setting(r, "token");
	if (server != NULL && token != NULL) {
		if (sync_http(server, token, "/v1/logout", "{}", o, 15, 0, &h,
		    &why) == 0)
			buf_free(&h.body);
		else
			log_warnx("%s", why);
		free(why);
	}
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	free(server);
	if (replica_begin(r, cause) != 0)
		return (SYNC_ERR_LOCAL);
	for (i = 0; i < sizeof sync_keys / sizeof sync_keys[0]; i++)
		if (replica_setting_set(r, sync_keys[i], NULL, cause) != 0) {
			replica_rollback(r);
			return (SYNC_ERR_LOCAL);
		}
	if (replica_commit(r, cause) != 0)
		return (SYNC_ERR_LOCAL);
	return (0);
}

struct sync_login_info {
	char	*server, *token, *client;
	int64_t	 pushed;
};

static void
sync_info_free(struct sync_login_info *l)
{
	free(l->server);
	if (l->token != NULL)
		explicit_bzero(l->token, strlen(l->token));
	free(l->token);
	free(l->client);
}

static int
sync_info(struct replica *r, struct sync_login_info *l, char **cause)
{
	char	*p;

	memset(l, 0, sizeof *l);
	l->server = replica_setting(r, "server");
	l->token = replica_setting(r, "token");
	l->client = replica_setting(r, "client_id");
	if (l->server == NULL || l->token == NULL || l->client == NULL) {
		sync_info_free(l);
		*cause = xstrdup(_("this replica is not logged in: use "
		    "triage login"));
		return (SYNC_ERR_AUTH);
	}
	p = replica_setting(r, "pushed_seq");
	l->pushed = p != NULL ? strtoll(p, NULL, 10) : 0;
	free(p);
	return (0);
}

/* Mark the pending entries a 403 answered as rejected, with why. */
static int
sync_forbidden(struct replica *r, struct outbox_list *ol,
    const struct sync_login_info *l, const char *why,
    struct sync_report *rep, char **cause)
{
	size_t	 i;
	int	 rc = 0;

	if (replica_begin(r, cause) != 0)
		return (SYNC_ERR_LOCAL);
	for (i = 0; i < ol->n; i++) {
		if (ol->v[i].seq <= l->pushed ||
		    ol->v[i].state != OUTBOX_PENDING)
			continue;
		if (replica_outbox_mark(r, ol->v[i].seq, OUTBOX_REJECTED,
		    why, 0, cause) != 0) {
			rc = SYNC_ERR_LOCAL;
			break;
		}
		rep->pushed++;
		rep->rejected++;
	}
	if (rc == 0 && replica_commit(r, cause) != 0)
		rc = SYNC_ERR_LOCAL;
	if (rc != 0)
		replica_rollback(r);
	return (rc);
}

/*
 * A no-op for a seq the server has not seen that holds nothing to send
 * (an entry refused here by a 403, or answered before a new login or a
 * server restored from a backup): seqs must stay contiguous on the server.
 */
static json_t *
sync_noop(int64_t seq)
{
	char	 id[32];

	/* The same id each time: a resend is a replay, not a new change. */
	snprintf(id, sizeof id, "noop-%lld", (long long)seq);
	return (json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)seq, "id", id,
	    "type", "noop"));
}

/*
 * A 409 seq_gap: the server wants an earlier seq than the one after the
 * last it answered (its database lost them: restored from a backup). Send
 * again from there; what it lost goes as no-ops, the replica keeps its own
 * record. 1 if the push should be tried again.
 */
static int
sync_seq_gap(struct replica *r, struct sync_login_info *l,
    struct sync_http *h, char **cause)
{
	json_t	*j = json_loadb(h->body.data, h->body.len, 0, NULL);
	const char *error = json_string_value(json_object_get(j, "error"));
	int64_t	 want;
	char	 buf[32], client[UUID_STRLEN + 1];
	int	 rc = 0;

	if (error != NULL && strcmp(error, "seq_reused") == 0) {
		/*
		 * The server has these seqs for other changes: this replica
		 * is a restored copy. A new client id starts its seqs again;
		 * what the server has answered here goes as no-ops.
		 */
		log_warnx("sync: the server has seen this replica's seqs for "
		    "other changes (a restored copy?); starting a new "
		    "client id");
		uuid_v7(client);
		if (replica_setting_set(r, "client_id", client, cause) != 0 ||
		    replica_setting_set(r, "pushed_seq", NULL, cause) != 0)
			rc = -1;
		else {
			free(l->client);
			l->client = xstrdup(client);
			l->pushed = 0;
			rc = 1;
		}
		json_decref(j);
		return (rc);
	}
	if (j != NULL && json_is_integer(json_object_get(j, "expected")) &&
	    strcmp(json_string_value(json_object_get(j, "error")) != NULL ?
	    json_string_value(json_object_get(j, "error")) : "", "seq_gap")
	    == 0) {
		want = json_integer_value(json_object_get(j, "expected"));
		if (want >= 1 && want <= l->pushed) {
			log_warnx("sync: the server has no record of changes "
			    "%lld to %lld; they go again as no-ops",
			    (long long)want, (long long)l->pushed);
			l->pushed = want - 1;
			snprintf(buf, sizeof buf, "%lld", (long long)l->pushed);
			rc = replica_setting_set(r, "pushed_seq", buf,
			    cause) != 0 ? -1 : 1;
		}
	}
	json_decref(j);
	return (rc);
}

/*
 * The outbox after the last seq the server answered, in seq order: pending
 * entries as their mutations, discarded ones and holes as no-ops (seqs
 * must stay contiguous on the server). Results go back into the outbox.
 */
static int
sync_push(struct replica *r, const struct sync_opts *o,
    struct sync_login_info *l, struct sync_report *rep, char **cause)
{
	struct outbox_list	 ol;
	struct outbox_entry	*e;
	struct sync_http	 h;
	json_t			*req, *muts, *m, *ans = NULL, *res;
	const char		*st;
	char			*body, buf[32];
	size_t			 i, n;
	int64_t			 next;
	int			 rc = 0, tries = 0;

again:

	if (replica_outbox_list(r, OUTBOX_MASK(OUTBOX_PENDING) |
	    OUTBOX_MASK(OUTBOX_DISCARDED), &ol, cause) != 0)
		return (SYNC_ERR_LOCAL);
	req = json_pack("{s:s, s:[]}", "client_id", l->client, "mutations");
	muts = json_object_get(req, "mutations");
	next = l->pushed + 1;
	for (i = 0, n = 0; i < ol.n && n < SYNC_PUSH_BATCH; i++) {
		e = &ol.v[i];
		if (e->seq <= l->pushed)
			continue;
		while (next < e->seq && n < SYNC_PUSH_BATCH) {
			json_array_append_new(muts, sync_noop(next++));
			n++;
		}
		if (n >= SYNC_PUSH_BATCH)
			break;
		next = e->seq + 1;
		if (e->state == OUTBOX_DISCARDED)
			m = json_object();
		else if ((m = json_loads(e->payload, 0, NULL)) == NULL ||
		    !json_is_object(m)) {
			json_decref(m);
			m = json_object();	/* unreadable: send nothing */
		}
		json_object_set_new(m, "seq", json_integer(e->seq));
		json_object_set_new(m, "id", json_string(e->mutation_id));
		json_object_set_new(m, "type", json_string(
		    e->state == OUTBOX_DISCARDED ? "noop" : e->type));
		json_array_append_new(muts, m);
		n++;
	}
	if (n == 0)
		goto out;
	body = json_dumps(req, JSON_COMPACT);
	rc = sync_http(l->server, l->token, "/v1/push", body, o, 60, 0, &h,
	    cause);
	free(body);
	if (rc != 0)
		goto out;
	if (h.status == 403) {
		/* Not allowed to change anything (a viewer): each change is
		 * rejected with the server's reason, and the link is fine. */
		body = sync_http_message(&h);
		buf_free(&h.body);
		rc = sync_forbidden(r, &ol, l, body, rep, cause);
		free(body);
		goto out;
	}
	if (h.status == 409 && tries++ == 0) {
		rc = sync_seq_gap(r, l, &h, cause);
		if (rc == 1) {
			buf_free(&h.body);
			json_decref(req);
			outbox_list_free(&ol);
			goto again;
		}
		if (rc == -1) {
			buf_free(&h.body);
			rc = SYNC_ERR_LOCAL;
			goto out;
		}
	}
	if (h.status != 200) {
		rc = sync_http_error(&h, cause);
		buf_free(&h.body);
		goto out;
	}
	ans = sync_json_body(&h, cause);
	buf_free(&h.body);
	if (ans == NULL || !json_is_array(json_object_get(ans, "results"))) {
		if (ans != NULL)
			*cause = xstrdup(_("the server's push answer has no "
			    "results"));
		rc = SYNC_ERR_SERVER;
		goto out;
	}
	if (replica_begin(r, cause) != 0) {
		rc = SYNC_ERR_LOCAL;
		goto out;
	}
	json_array_foreach(json_object_get(ans, "results"), i, res) {
		int64_t	 seq = json_integer_value(json_object_get(res, "seq"));
		int64_t	 rev = json_integer_value(json_object_get(res, "rev"));
		const char *reason = json_string_value(json_object_get(res,
		    "reason"));
		enum outbox_state s;
		size_t	 k;

		st = json_string_value(json_object_get(res, "status"));
		if (st == NULL)
			continue;
		rep->sent++;
		if (seq > l->pushed)
			l->pushed = seq;
		for (k = 0; k < ol.n && ol.v[k].seq != seq; k++)
			;
		if (k == ol.n)
			continue;	/* a no-op for a hole */
		rep->pushed++;
		if (strcmp(st, "applied") == 0) {
			s = OUTBOX_APPLIED;
			rep->applied++;
		} else if (strcmp(st, "conflict") == 0) {
			s = OUTBOX_CONFLICT;
			rep->conflicts++;
		} else {
			s = OUTBOX_REJECTED;
			rep->rejected++;
		}
		if (ol.v[k].state == OUTBOX_DISCARDED)
			s = OUTBOX_DISCARDED;
		if (replica_outbox_mark(r, seq, s, reason, rev, cause) != 0)
			goto fail;
	}
	snprintf(buf, sizeof buf, "%lld", (long long)l->pushed);
	if (replica_setting_set(r, "pushed_seq", buf, cause) != 0 ||
	    replica_commit(r, cause) != 0)
		goto fail;
	goto out;
fail:
	replica_rollback(r);
	rc = SYNC_ERR_LOCAL;
out:
	json_decref(ans);
	json_decref(req);
	outbox_list_free(&ol);
	return (rc);
}

/*
 * The next page, fetched in a thread while the one before it is applied:
 * the server reads and sends page N + 1 while SQLite writes page N.
 */
struct sync_prefetch {
	pthread_t			 thread;
	const struct sync_login_info	*l;
	const struct sync_opts		*o;
	char				 path[128];
	int				 rc;
	struct sync_http		 h;
	char				*cause;
};

static void *
sync_prefetch_run(void *arg)
{
	struct sync_prefetch	*pf = arg;

	pf->rc = sync_http(pf->l->server, pf->l->token, pf->path, NULL, pf->o,
	    60, 0, &pf->h, &pf->cause);
	return (NULL);
}

/*
 * How often a round fetches notifications when none of its rows hinted
 * at one: a notification changed elsewhere (marked read in another
 * console) still arrives.
 */
#define SYNC_NOTIFY_EVERY_MS	(5 * 60 * 1000)
static __thread int64_t sync_notify_last;	/* ms; 0: never, this thread */

/*
 * The agent's notifications changed since the last fetch, into the
 * replica. A server from before schema 3 has no such endpoint (404):
 * there is nothing to fetch then.
 */
static int
sync_notifications(struct replica *r, const struct sync_opts *o,
    const struct sync_login_info *l, struct sync_report *rep, char **cause)
{
	struct sync_http	 h;
	json_t			*j, *list;
	char			 path[96];
	int64_t			 cursor;
	size_t			 n;
	int			 rc;

	do {
		cursor = replica_notify_cursor(r);
		snprintf(path, sizeof path, "/v1/notifications?since=%lld",
		    (long long)cursor);
		if ((rc = sync_http(l->server, l->token, path, NULL, o, 60, 0,
		    &h, cause)) != 0)
			return (rc);
		if (h.status == 404) {
			buf_free(&h.body);
			return (0);
		}
		if (h.status != 200) {
			rc = sync_http_error(&h, cause);
			buf_free(&h.body);
			return (rc);
		}
		j = sync_json_body(&h, cause);
		buf_free(&h.body);
		if (j == NULL)
			return (SYNC_ERR_SERVER);
		list = json_object_get(j, "notifications");
		n = json_array_size(list);
		if (!json_is_integer(json_object_get(j, "cursor"))) {
			json_decref(j);
			*cause = xstrdup(_("the server's notifications have no "
			    "cursor"));
			return (SYNC_ERR_SERVER);
		}
		if (n > 0 && replica_notify_store(r, list, json_integer_value(
		    json_object_get(j, "cursor")), cause) != 0) {
			json_decref(j);
			return (SYNC_ERR_LOCAL);
		}
		json_decref(j);
		rep->notified += (int64_t)n;
	} while (n >= 500);
	return (0);
}

int
sync_round(struct replica *r, const struct sync_opts *o, int wait,
    struct sync_report *rep,
    void (*progress)(void *, const struct sync_report *), void *arg,
    char **cause)
{
	struct sync_login_info	 l;
	struct sync_http	 h;
	struct sync_prefetch	 pf;
	struct sync_page	 pg;
	struct sync_batch	 batch = { 0, 0 };
	char			 path[128];
	int64_t			 cursor, rows, hint = sync_notify_hint;
	int			 rc, more, fetched = 0, waiting;

	memset(rep, 0, sizeof *rep);
	if ((rc = sync_info(r, &l, cause)) != 0)
		return (rc);
	/* A poke from now on (a change made during this round) cuts the
	 * round's waiting pull short, so it is pushed at once. */
	if (o->cancel != NULL)
		__atomic_store_n(&o->cancel->poked, 0, __ATOMIC_SEQ_CST);
	do {
		int64_t before = rep->sent;

		if ((rc = sync_push(r, o, &l, rep, cause)) != 0)
			goto out;
		if (rep->sent == before)
			break;
		/* The outbox changed: let the caller show it. */
		if (progress != NULL)
			progress(arg, rep);
	} while (1);
	for (;;) {
		if (!fetched) {
			if (replica_sync_cursor(r, &cursor, cause) != 0) {
				rc = SYNC_ERR_LOCAL;
				goto out;
			}
			waiting = wait > 0 && (rep->pages > 0 || (rep->pushed == 0 &&
			    cursor == o->idle_cursor && cursor > 0));
			snprintf(path, sizeof path, "/v1/pull?since=%lld&"
			    "limit=%d&wait=%d", (long long)cursor,
			    SYNC_PULL_LIMIT, waiting ? wait : 0);
			rc = sync_http(l.server, l.token, path, NULL, o,
			    (long)wait + 60, waiting ? SYNC_HTTP_WAITING : 0,
			    &h, cause);
			if (rc == SYNC_ERR_STOPPED && o->cancel != NULL &&
			    !__atomic_load_n(&o->cancel->stopped,
			    __ATOMIC_SEQ_CST)) {
				/* Poked: something to push; the round is
				 * done. */
				free(*cause);
				*cause = NULL;
				rc = 0;
				goto out;
			}
			if (rc != 0)
				goto out;
		}
		fetched = 0;
		if (h.status != 200) {
			rc = sync_http_error(&h, cause);
			buf_free(&h.body);
			goto out;
		}
		if (sync_page_open(&pg, &h.body, cause) != 0) {
			sync_page_free(&pg);
			rc = SYNC_ERR_SERVER;
			goto out;
		}
		if (pg.more) {
			memset(&pf, 0, sizeof pf);
			pf.l = &l;
			pf.o = o;
			snprintf(pf.path, sizeof pf.path, "/v1/pull?since=%lld&"
			    "limit=%d&wait=0", (long long)pg.cursor,
			    SYNC_PULL_LIMIT);
			if (pthread_create(&pf.thread, NULL, sync_prefetch_run,
			    &pf) == 0)
				fetched = 1;
		}
		if (rep->pages == 0)
			rep->start = cursor;
		if (pg.head > rep->head)
			rep->head = pg.head;
		rc = sync_page_apply(&pg, r, &batch, &rows, cause);
		rep->cursor = pg.cursor;
		more = pg.more;
		sync_page_free(&pg);
		if (fetched) {
			waiting = 0;
			pthread_join(pf.thread, NULL);
			if (rc == 0 && pf.rc != 0) {
				*cause = pf.cause;
				rc = pf.rc;
				goto out;
			}
			h = pf.h;
			if (rc != 0) {
				buf_free(&h.body);
				free(pf.cause);
			}
		}
		if (rc != 0) {
			rc = SYNC_ERR_SERVER;
			goto out;
		}
		rep->pulled += rows;
		rep->pages++;
		if (progress != NULL)
			progress(arg, rep);
		if (!more && (wait == 0 || waiting || rows > 0))
			break;
	}
	/*
	 * Notifications come with rows that say so (sync-apply.c); asking
	 * after every round would double the requests of idle consoles.
	 */
	rc = 0;
	if (sync_notify_hint != hint || sync_notify_last == 0 ||
	    time_now_ms() - sync_notify_last >= SYNC_NOTIFY_EVERY_MS) {
		if ((rc = sync_notifications(r, o, &l, rep, cause)) == 0)
			sync_notify_last = time_now_ms();
	}
out:
	/* Pages a bulk load applied before a failure are whole: keep them. */
	if (batch.open) {
		char *why = NULL;

		if (sync_batch_commit(r, &batch, &why) != 0 && rc == 0) {
			*cause = why;
			rc = SYNC_ERR_LOCAL;
		} else
			free(why);
	}
	sync_info_free(&l);
	return (rc);
}

int64_t
sync_backoff(int64_t *backoff)
{
	int64_t	 ms;

	if (*backoff < 1000)
		*backoff = 1000;
	ms = *backoff * 3 / 4 +
	    (int64_t)arc4random_uniform((uint32_t)(*backoff / 2 + 1));
	*backoff = *backoff < 60000 ? *backoff * 2 : 60000;
	return (ms);
}

int
sync_permille(const struct sync_report *rep)
{
	if (rep->head <= rep->start || rep->cursor < rep->start)
		return (-1);
	if (rep->cursor >= rep->head)
		return (1000);
	return ((int)((rep->cursor - rep->start) * 1000 /
	    (rep->head - rep->start)));
}
