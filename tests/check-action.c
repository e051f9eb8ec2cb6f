/* check-action.c: local actions on tickets and their command-line twins. */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "testutil.h"
#include "fixture.h"
#include "proc.h"

/* Frozen "now" for the actions, an hour after the fixture's. */
#define ACT_NOW		(FX_NOW + FX_HOUR)

/* Write len bytes to a new file. */
static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The fixture's id of ticket number n. */
static void
tid(char out[UUID_STRLEN + 1], int n)
{
	fx_id(out, 7, n);
}

/* The number of outbox entries, all states. */
static int64_t
outbox_total(const char *path)
{
	return (raw_int(path, "SELECT count(*) FROM outbox"));
}

/* The outbox entries, all states. */
static void
outbox_all(struct replica *r, struct outbox_list *l)
{
	char	*fx_cause = NULL;

	FX_CHECK(replica_outbox_list(r, 0xf, l, &fx_cause));
}

/* An entry's payload, parsed. */
static json_t *
payload(const struct outbox_entry *e)
{
	json_t	*j;

	j = json_loads(e->payload, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_object(j));
	return (j);
}

/* A payload's string member (NULL for null or missing). */
static const char *
pstr(json_t *p, const char *key)
{
	return (json_string_value(json_object_get(p, key)));
}

/* A ticket's detail by number. */
static struct ticket_detail *
get(struct replica *r, int n)
{
	struct ticket_detail	*d;
	char			*fx_cause = NULL;

	FX_CHECK(replica_ticket_get(r, n, NULL, &d, &fx_cause));
	return (d);
}

/* Assert a call failed with a cause containing want. */
#define ASSERT_REFUSED(call, want) do {					\
	if ((call) != -1)						\
		ck_abort_msg("%s succeeded", #call);			\
	ck_assert_ptr_nonnull(fx_cause);				\
	if (strstr(fx_cause, want) == NULL)				\
		ck_abort_msg("cause \"%s\" lacks \"%s\"", fx_cause, want); \
	free(fx_cause);							\
	fx_cause = NULL;						\
} while (0)

START_TEST(test_reply_writes_message_and_outbox_together)
{
	struct replica		*r;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	struct message		*m;
	json_t			*p;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], m1[UUID_STRLEN + 1];
	char			 m2[UUID_STRLEN + 1], m3[UUID_STRLEN + 1];
	char			 seen[UUID_STRLEN + 1], u1[UUID_STRLEN + 1];
	int64_t			 seq1, seq2;

	path = fx_make("reply");
	time_set_now_ms(ACT_NOW);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 5);
	d = get(r, 5);
	ck_assert(!d->t.pending);
	ticket_detail_free(d);

	FX_CHECK(replica_act_reply(r, id, "Thanks, refund on its way.", 0,
	    NULL, NULL, m1, &seq1, &fx_cause));
	ck_assert(uuid_valid(m1));
	ck_assert_int_eq(seq1, 1);
	FX_CHECK(replica_act_reply(r, id, "Customer seems upset.", 1, NULL,
	    "0123abcd", m2, &seq2, &fx_cause));
	ck_assert_int_eq(seq2, 2);
	fx_id(seen, 8, 5 * 2);
	FX_CHECK(replica_act_reply(r, id, "Third.", 0, seen, NULL, m3, NULL,
	    &fx_cause));

	d = get(r, 5);
	ck_assert(d->t.pending);
	ck_assert_int_eq(d->t.updated_at, ACT_NOW);
	ck_assert_uint_eq(d->nmessages, 5);
	fx_id(u1, 2, 1);
	m = &d->messages[2];
	ck_assert_str_eq(m->id, m1);
	ck_assert_str_eq(m->author, "agent");
	ck_assert_str_eq(m->author_id, u1);
	ck_assert_str_eq(m->author_name, "Alex Morgan");
	ck_assert(!m->internal);
	ck_assert_str_eq(m->body, "Thanks, refund on its way.");
	ck_assert_int_eq(m->created_at, ACT_NOW);
	ck_assert_ptr_null(m->delivery);
	ck_assert_ptr_null(m->macro_commit);
	ck_assert_int_eq(m->state, SYNC_PENDING);
	m = &d->messages[3];
	ck_assert_str_eq(m->id, m2);
	ck_assert(m->internal);
	ck_assert_str_eq(m->macro_commit, "0123abcd");
	ck_assert_int_eq(m->state, SYNC_PENDING);
	ticket_detail_free(d);

	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].type, "reply");
	ck_assert_str_eq(l.v[0].ticket_id, id);
	ck_assert_str_eq(l.v[0].entity_id, m1);
	ck_assert_int_eq(l.v[0].ticket_number, 5);
	ck_assert_int_eq(l.v[0].state, OUTBOX_PENDING);
	p = payload(&l.v[0]);
	ck_assert_str_eq(pstr(p, "ticket_id"), id);
	ck_assert_str_eq(pstr(p, "message_id"), m1);
	ck_assert_str_eq(pstr(p, "body"), "Thanks, refund on its way.");
	/* The newest message before it: the fixture's agent reply. */
	fx_id(seen, 8, 5 * 2 + 1);
	ck_assert_str_eq(pstr(p, "seen_message_id"), seen);
	ck_assert_ptr_null(json_object_get(p, "macro_commit"));
	json_decref(p);
	ck_assert_str_eq(l.v[1].type, "note");
	ck_assert_str_eq(l.v[1].entity_id, m2);
	p = payload(&l.v[1]);
	ck_assert_str_eq(pstr(p, "seen_message_id"), m1);
	ck_assert_str_eq(pstr(p, "macro_commit"), "0123abcd");
	json_decref(p);
	p = payload(&l.v[2]);
	fx_id(seen, 8, 5 * 2);
	ck_assert_str_eq(pstr(p, "seen_message_id"), seen);
	ck_assert_int_eq(l.v[2].seq, 3);
	json_decref(p);
	outbox_list_free(&l);
	replica_close(r);
	time_set_now_ms(0);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_reply_on_empty_thread_has_null_seen_and_no_user)
{
	struct replica		*r;
	struct outbox_list	 l;
	struct ticket_detail	*d;
	json_t			*p;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], m[UUID_STRLEN + 1];

	path = fx_make("empty");
	raw_exec(path, "DELETE FROM messages WHERE ticket_id = "
	    "'01900007-0000-7000-8000-00000000000b';"
	    "DELETE FROM settings WHERE key = 'user_id'");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 11);
	FX_CHECK(replica_act_reply(r, id, "First words.", 0, NULL, NULL, m,
	    NULL, &fx_cause));
	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 1);
	p = payload(&l.v[0]);
	ck_assert(json_is_null(json_object_get(p, "seen_message_id")));
	json_decref(p);
	outbox_list_free(&l);
	d = get(r, 11);
	ck_assert_uint_eq(d->nmessages, 1);
	ck_assert_ptr_null(d->messages[0].author_id);
	ticket_detail_free(d);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

/* The composer's reply takes its draft with it, in the same transaction. */
START_TEST(test_reply_from_composer_takes_its_draft)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL, *text = NULL;
	char		 id[UUID_STRLEN + 1], m[UUID_STRLEN + 1];

	path = fx_make("empty");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 11);
	FX_CHECK(replica_draft_save(r, id, "reply", "Half a reply",
	    NULL, &fx_cause));
	FX_CHECK(replica_draft_save(r, id, "note", "A note", NULL, &fx_cause));
	/* From the command line: the console's draft stays. */
	FX_CHECK(replica_act_reply(r, id, "From the CLI.", 0, NULL, NULL, m,
	    NULL, &fx_cause));
	ck_assert_int_eq(replica_draft_load(r, id, "reply", &text,
	    NULL, &fx_cause),
	    0);
	ck_assert_str_eq(text, "Half a reply");
	free(text);
	FX_CHECK(replica_act_reply(r, id, "Half a reply, finished.",
	    REPLICA_REPLY_DRAFT, NULL, NULL, m, NULL, &fx_cause));
	ck_assert_int_eq(replica_draft_load(r, id, "reply", &text,
	    NULL, &fx_cause),
	    REPLICA_NOTFOUND);
	ck_assert_int_eq(replica_draft_load(r, id, "note", &text,
	    NULL, &fx_cause),
	    0);
	free(text);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_reply_body_stored_byte_exact)
{
	static const char	 body[] = "Hi\r\n\x1b[31mred\x1b[0m "
	    "\x1b]52;c;QUJD"
	    "\x07 \x01\x02\x7f \xc2\x9b \xe2\x80\xae\xe2\x81\xa6 bidi\r\n"
	    "\ttab \xef\xbf\xbd \xf0\x9f\x98\x80\n";
	struct replica		*r;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	json_t			*p;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], m[UUID_STRLEN + 1];

	path = fx_make("exact");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 3);
	FX_CHECK(replica_act_reply(r, id, body, 0, NULL, NULL, m, NULL,
	    &fx_cause));
	d = get(r, 3);
	ck_assert_uint_eq(strlen(d->messages[2].body), sizeof body - 1);
	ck_assert(memcmp(d->messages[2].body, body, sizeof body - 1) == 0);
	ticket_detail_free(d);
	outbox_all(r, &l);
	p = payload(&l.v[0]);
	ck_assert_str_eq(pstr(p, "body"), body);
	json_decref(p);
	outbox_list_free(&l);
	replica_close(r);
	ck_assert_int_eq(raw_int(path, "SELECT length(CAST(body AS BLOB)) "
	    "FROM messages WHERE rev = 0"), (int64_t)sizeof body - 1);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_reply_refuses_bad_bodies_and_tickets_writing_nothing)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL;
	char		 id[UUID_STRLEN + 1], m[UUID_STRLEN + 1];
	int64_t		 seq = -7;

	path = fx_make("refuse");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 4);
	ASSERT_REFUSED(replica_act_reply(r, id, "", 0, NULL, NULL, m, &seq,
	    &fx_cause), "empty");
	ck_assert_str_eq(m, "");
	ck_assert_int_eq(seq, -7);
	ASSERT_REFUSED(replica_act_reply(r, id, " \r\n\t ", 0, NULL, NULL, m,
	    &seq, &fx_cause), "empty");
	ASSERT_REFUSED(replica_act_reply(r, id, NULL, 0, NULL, NULL, m,
	    &seq, &fx_cause), "empty");
	ASSERT_REFUSED(replica_act_reply(r, id, "caf\xe9 ok", 0, NULL, NULL,
	    m, &seq, &fx_cause), "UTF-8");
	ASSERT_REFUSED(replica_act_reply(r, id, "cut \xe2\x82", 0, NULL, NULL,
	    m, &seq, &fx_cause), "UTF-8");
	ASSERT_REFUSED(replica_act_reply(r, id, "\xff\xfe", 1, NULL, NULL, m,
	    &seq, &fx_cause), "UTF-8");
	ASSERT_REFUSED(replica_act_body_check("a\0b", 3, &fx_cause), "UTF-8");
	ASSERT_REFUSED(replica_act_reply(r, "01900007-0000-7000-8000-"
	    "0000deadbeef", "hello", 0, NULL, NULL, m, &seq, &fx_cause),
	    "no ticket");
	ASSERT_REFUSED(replica_act_reply(r, id, "hello", 0, "not-a-uuid",
	    NULL, m, &seq, &fx_cause), "UUID");
	replica_close(r);

	/* A tombstoned ticket is no ticket: pulling one removes the row. */
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	{
		struct ticket_rec	 tomb;

		memset(&tomb, 0, sizeof tomb);
		tomb.id = id;
		tomb.deleted = 1;
		FX_CHECK(replica_put_ticket(r, &tomb, &fx_cause));
	}
	ASSERT_REFUSED(replica_act_reply(r, id, "hello", 0, NULL, NULL, m,
	    &seq, &fx_cause), "no ticket");
	replica_close(r);

	ck_assert_int_eq(outbox_total(path), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM messages"),
	    2 * FX_TICKETS);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_set_each_field_queues_one_entry_with_from)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	json_t			*p;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], u1[UUID_STRLEN + 1];
	char			 u2[UUID_STRLEN + 1], t1[UUID_STRLEN + 1];
	char			 t2[UUID_STRLEN + 1];
	int			 n;

	path = fx_make("set");
	time_set_now_ms(ACT_NOW);
	fx_id(u1, 2, 1);
	fx_id(u2, 2, 2);
	fx_id(t1, 1, 1);
	fx_id(t2, 1, 2);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	/* Ticket 7: open, urgent, Sam, Tier 1, shipping, ["shipping"]. */
	tid(id, 7);

	ticket_change_init(&c);
	c.status = TICKET_PENDING;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	ticket_change_init(&c);
	c.priority = PRIORITY_LOW;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	ticket_change_init(&c);
	c.set_assignee = 1;
	c.assignee_id = u1;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	ticket_change_init(&c);
	c.set_team = 1;
	c.team_id = t2;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	ticket_change_init(&c);
	c.set_category = 1;
	c.category = "refund";
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);

	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_PENDING);
	ck_assert_int_eq(d->t.priority, PRIORITY_LOW);
	ck_assert_str_eq(d->t.assignee_id, u1);
	ck_assert_str_eq(d->t.team, "Billing");
	ck_assert_str_eq(d->t.category, "refund");
	ck_assert_int_eq(d->t.updated_at, ACT_NOW);
	ck_assert(d->t.pending);
	ticket_detail_free(d);

	/* Clearing: unassign, no team, no category. */
	ticket_change_init(&c);
	c.set_assignee = 1;
	c.set_team = 1;
	c.set_category = 1;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 3);
	d = get(r, 7);
	ck_assert_ptr_null(d->t.assignee_id);
	ck_assert_ptr_null(d->t.team_id);
	ck_assert_ptr_null(d->t.category);
	ticket_detail_free(d);

	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 8);
	ck_assert_str_eq(l.v[0].type, "set_status");
	p = payload(&l.v[0]);
	ck_assert_str_eq(pstr(p, "ticket_id"), id);
	ck_assert_str_eq(pstr(p, "status"), "pending");
	ck_assert_str_eq(pstr(p, "from"), "open");
	json_decref(p);
	ck_assert_str_eq(l.v[1].type, "set_priority");
	p = payload(&l.v[1]);
	ck_assert_str_eq(pstr(p, "priority"), "low");
	ck_assert_str_eq(pstr(p, "from"), "urgent");
	json_decref(p);
	ck_assert_str_eq(l.v[2].type, "set_assignee");
	p = payload(&l.v[2]);
	ck_assert_str_eq(pstr(p, "assignee_id"), u1);
	ck_assert_str_eq(pstr(p, "from"), u2);
	json_decref(p);
	ck_assert_str_eq(l.v[3].type, "set_team");
	p = payload(&l.v[3]);
	ck_assert_str_eq(pstr(p, "team_id"), t2);
	ck_assert_str_eq(pstr(p, "from"), t1);
	json_decref(p);
	ck_assert_str_eq(l.v[4].type, "set_category");
	p = payload(&l.v[4]);
	ck_assert_str_eq(pstr(p, "category"), "refund");
	ck_assert_str_eq(pstr(p, "from"), "shipping");
	json_decref(p);
	ck_assert_str_eq(l.v[5].type, "set_assignee");
	p = payload(&l.v[5]);
	ck_assert(json_is_null(json_object_get(p, "assignee_id")));
	ck_assert_str_eq(pstr(p, "from"), u1);
	json_decref(p);
	ck_assert_str_eq(l.v[6].type, "set_team");
	p = payload(&l.v[6]);
	ck_assert(json_is_null(json_object_get(p, "team_id")));
	json_decref(p);
	ck_assert_str_eq(l.v[7].type, "set_category");
	p = payload(&l.v[7]);
	ck_assert(json_is_null(json_object_get(p, "category")));
	ck_assert_str_eq(pstr(p, "from"), "refund");
	json_decref(p);
	ck_assert_ptr_null(l.v[7].entity_id);
	outbox_list_free(&l);
	replica_close(r);
	time_set_now_ms(0);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_set_unchanged_values_write_nothing)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	static const char *const add[] = { "shipping", "SHIPPING" };
	static const char *const rm[] = { "not-there" };
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], u2[UUID_STRLEN + 1];
	char			 t1[UUID_STRLEN + 1];
	int			 n = -1;

	path = fx_make("noop");
	fx_id(u2, 2, 2);
	fx_id(t1, 1, 1);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 7);
	ticket_change_init(&c);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 0);
	c.status = TICKET_OPEN;
	c.priority = PRIORITY_URGENT;
	c.set_assignee = 1;
	c.assignee_id = u2;
	c.set_team = 1;
	c.team_id = t1;
	c.set_category = 1;
	c.category = "shipping";
	c.tags_add = add;
	c.ntags_add = nitems(add);
	c.tags_remove = rm;
	c.ntags_remove = nitems(rm);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 0);
	d = get(r, 7);
	ck_assert_int_eq(d->t.updated_at, FX_NOW - 2 * FX_HOUR);
	ck_assert_str_eq(d->t.tags, "[\"shipping\"]");
	ck_assert(!d->t.pending);
	ticket_detail_free(d);
	replica_close(r);
	ck_assert_int_eq(outbox_total(path), 0);
	fx_unlink(path);
	free(path);
}
END_TEST

/* The number of tickets a query matches. */
static int64_t
query_count(struct replica *r, const char *query)
{
	struct queue		*q;
	struct query_error	 err;
	char			*fx_cause = NULL;
	int64_t			 n;

	memset(&err, 0, sizeof err);
	ck_assert_int_eq(replica_queue_open(r, query, QUEUE_SORT_UPDATED, &q,
	    &err), 0);
	FX_CHECK(replica_queue_count(q, &n, &fx_cause));
	replica_queue_close(q);
	return (n);
}

START_TEST(test_set_tags_keeps_order_and_queries_follow)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	json_t			*p, *a;
	static const char *const add1[] = { "vip", "late-parcel", "vip" };
	static const char *const rm1[] = { "REFUND" };
	static const char *const add2[] = { "VIP", "b\xc3\xa4r" };
	static const char *const rm2[] = { "late-parcel" };
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	path = fx_make("tags");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(query_count(r, "tag:refund"), 25);
	ck_assert_int_eq(query_count(r, "tag:vip"), 0);
	tid(id, 10);
	ticket_change_init(&c);
	c.tags_add = add1;
	c.ntags_add = nitems(add1);
	c.tags_remove = rm1;
	c.ntags_remove = nitems(rm1);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	d = get(r, 10);
	ck_assert_str_eq(d->t.tags, "[\"vip\",\"late-parcel\"]");
	ticket_detail_free(d);
	ck_assert_int_eq(query_count(r, "tag:refund"), 24);
	ck_assert_int_eq(query_count(r, "tag:vip"), 1);
	ck_assert_int_eq(query_count(r, "tag:late-parcel is:pending"), 1);

	ticket_change_init(&c);
	c.tags_add = add2;
	c.ntags_add = nitems(add2);
	c.tags_remove = rm2;
	c.ntags_remove = nitems(rm2);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	d = get(r, 10);
	ck_assert_str_eq(d->t.tags, "[\"vip\",\"b\xc3\xa4r\"]");
	ticket_detail_free(d);
	ck_assert_int_eq(query_count(r, "tag:late-parcel"), 0);

	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].type, "set_tags");
	p = payload(&l.v[0]);
	ck_assert_str_eq(pstr(p, "ticket_id"), id);
	a = json_object_get(p, "add");
	ck_assert_uint_eq(json_array_size(a), 2);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)), "vip");
	ck_assert_str_eq(json_string_value(json_array_get(a, 1)),
	    "late-parcel");
	a = json_object_get(p, "remove");
	ck_assert_uint_eq(json_array_size(a), 1);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)), "refund");
	json_decref(p);
	p = payload(&l.v[1]);
	a = json_object_get(p, "add");
	ck_assert_uint_eq(json_array_size(a), 1);
	ck_assert_str_eq(json_string_value(json_array_get(a, 0)),
	    "b\xc3\xa4r");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(p,
	    "remove"), 0)), "late-parcel");
	json_decref(p);
	outbox_list_free(&l);
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_set_refuses_bad_tags_and_references_writing_nothing)
{
	static const char *const bad[] = {
		"", "two words", "a,b", "tab\there", "esc\x1b[31m", "bell\x07",
		"nb\xc2\xa0sp", "em\xe2\x80\x83sp", "rlo\xe2\x80\xae", "\xff",
		"cut\xc3",
		("x234567890123456789012345678901234567890"
		"1234567890123456789012345")	/* 65 bytes */
	};
	static const char *const ok64[] = {
		"x234567890123456789012345678901234567890"
		"123456789012345678901234"	/* 64 bytes */
	};
	static const char *const both[] = { "vip" };
	static const char *const both2[] = { "VIP" };
	struct replica		*r;
	struct ticket_change	 c;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], u2[UUID_STRLEN + 1];
	char			 t2[UUID_STRLEN + 1];
	size_t			 i;
	int			 n = -1;

	path = fx_make("badtags");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 7);
	for (i = 0; i < nitems(bad); i++) {
		ticket_change_init(&c);
		c.status = TICKET_SOLVED;
		c.tags_add = &bad[i];
		c.ntags_add = 1;
		ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause),
		    "tag");
		ck_assert_int_eq(n, 0);
		ticket_change_init(&c);
		c.tags_remove = &bad[i];
		c.ntags_remove = 1;
		ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause),
		    "tag");
	}
	ticket_change_init(&c);
	c.tags_add = both;
	c.ntags_add = 1;
	c.tags_remove = both2;
	c.ntags_remove = 1;
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause),
	    "both added and removed");

	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.set_assignee = 1;
	c.assignee_id = "01900002-0000-7000-8000-0000000000ff";
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "no user");
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.set_team = 1;
	c.team_id = "01900001-0000-7000-8000-0000000000ff";
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "no team");
	ticket_change_init(&c);
	c.status = TICKET_STATUS_COUNT;
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "status");
	ticket_change_init(&c);
	c.priority = -2;
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "priority");
	ticket_change_init(&c);
	c.set_category = 1;
	c.category = "bad\ncategory";
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "category");
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	ASSERT_REFUSED(replica_act_set(r, "01900007-0000-7000-8000-"
	    "0000deadbeef", &c, &n, &fx_cause), "no ticket");
	replica_close(r);

	/* Tombstoned users and teams are gone too. */
	fx_id(u2, 2, 2);
	fx_id(t2, 1, 2);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	{
		struct user_rec	 ut;
		struct team_rec	 tt;

		memset(&ut, 0, sizeof ut);
		ut.id = u2;
		ut.deleted = 1;
		FX_CHECK(replica_put_user(r, &ut, &fx_cause));
		memset(&tt, 0, sizeof tt);
		tt.id = t2;
		tt.deleted = 1;
		FX_CHECK(replica_put_team(r, &tt, &fx_cause));
	}
	ticket_change_init(&c);
	c.set_assignee = 1;
	c.assignee_id = u2;
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "no user");
	ticket_change_init(&c);
	c.set_team = 1;
	c.team_id = t2;
	ASSERT_REFUSED(replica_act_set(r, id, &c, &n, &fx_cause), "no team");
	replica_close(r);
	ck_assert_int_eq(outbox_total(path), 0);
	ck_assert_int_eq(raw_int(path, "SELECT status FROM tickets "
	    "WHERE number = 7"), TICKET_OPEN);

	/* 64 bytes is still a tag. */
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ticket_change_init(&c);
	c.tags_add = ok64;
	c.ntags_add = 1;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_team_by_name_is_case_insensitive)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL, *id = NULL;
	char		 t2[UUID_STRLEN + 1];

	path = fx_make("team");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	fx_id(t2, 1, 2);
	FX_CHECK(replica_team_by_name(r, "bILLING", &id, &fx_cause));
	ck_assert_str_eq(id, t2);
	free(id);
	ck_assert_int_eq(replica_team_by_name(r, "Nope", &id, &fx_cause),
	    REPLICA_NOTFOUND);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_bulk_set_is_all_or_nothing)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct outbox_list	 l;
	char			*path, *fx_cause = NULL;
	char			 a[UUID_STRLEN + 1], b[UUID_STRLEN + 1];
	char			 d[UUID_STRLEN + 1], e[UUID_STRLEN + 1];
	const char		*ids[4];
	static const char *const add[] = { "bulk" };
	int			 n = -1;

	path = fx_make("bulk");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(a, 1);	/* open */
	tid(b, 2);	/* pending */
	tid(d, 4);	/* solved */
	ids[0] = a;
	ids[1] = b;
	ids[2] = "01900007-0000-7000-8000-0000deadbeef";
	ids[3] = d;
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.tags_add = add;
	c.ntags_add = 1;
	ASSERT_REFUSED(replica_act_bulk_set(r, ids, 4, &c, &n, &fx_cause),
	    "no ticket");
	ck_assert_int_eq(n, 0);
	replica_close(r);
	ck_assert_int_eq(outbox_total(path), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM ticket_tags "
	    "WHERE tag = 'bulk'"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT status FROM tickets "
	    "WHERE number = 1"), TICKET_OPEN);

	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(e, 5);
	ids[2] = e;
	FX_CHECK(replica_act_bulk_set(r, ids, 4, &c, &n, &fx_cause));
	/* Four tag changes; ticket 4 was already solved. */
	ck_assert_int_eq(n, 3 + 4);
	ck_assert_int_eq(query_count(r, "tag:bulk status:solved"), 4);
	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 7);
	ck_assert_str_eq(l.v[0].type, "set_status");
	ck_assert_str_eq(l.v[1].type, "set_tags");
	ck_assert_str_eq(l.v[0].ticket_id, a);
	ck_assert_str_eq(l.v[6].type, "set_tags");
	ck_assert_str_eq(l.v[6].ticket_id, d);
	outbox_list_free(&l);
	FX_CHECK(replica_act_bulk_set(r, ids, 0, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 0);
	FX_CHECK(replica_act_bulk_set(r, ids, 4, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 0);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_solved_at_follows_status)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	path = fx_make("solved");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	tid(id, 1);
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	time_set_now_ms(ACT_NOW);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	d = get(r, 1);
	ck_assert_int_eq(d->t.solved_at, ACT_NOW);
	ck_assert_int_eq(d->t.sla_due, REPLICA_NO_DUE);
	ticket_detail_free(d);

	c.status = TICKET_CLOSED;
	time_set_now_ms(ACT_NOW + 1000);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	d = get(r, 1);
	ck_assert_int_eq(d->t.solved_at, ACT_NOW);
	ck_assert_int_eq(d->t.updated_at, ACT_NOW + 1000);
	ticket_detail_free(d);

	c.status = TICKET_OPEN;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	d = get(r, 1);
	ck_assert_int_eq(d->t.solved_at, 0);
	ticket_detail_free(d);
	replica_close(r);
	ck_assert_int_eq(raw_int(path, "SELECT solved_at IS NULL FROM tickets "
	    "WHERE number = 1"), 1);
	time_set_now_ms(0);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_reply_survives_exit_without_close)
{
	struct replica		*r;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], m[UUID_STRLEN + 1];
	char			 got[UUID_STRLEN + 1];
	int			 fds[2], status;
	pid_t			 pid;

	path = fx_make("exit");
	tid(id, 9);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		if (replica_open(path, 0, &r, &fx_cause) != 0)
			_exit(2);
		if (replica_act_reply(r, id, "before the fall", 0, NULL, NULL,
		    m, NULL, &fx_cause) != 0)
			_exit(3);
		if (write(fds[1], m, UUID_STRLEN) != UUID_STRLEN)
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	memset(got, 0, sizeof got);
	ck_assert_int_eq(read(fds[0], got, UUID_STRLEN), UUID_STRLEN);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	d = get(r, 9);
	ck_assert_uint_eq(d->nmessages, 3);
	ck_assert_str_eq(d->messages[2].id, got);
	ck_assert_str_eq(d->messages[2].body, "before the fall");
	ck_assert_int_eq(d->messages[2].state, SYNC_PENDING);
	ticket_detail_free(d);
	outbox_all(r, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].entity_id, got);
	outbox_list_free(&l);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_killed_writer_leaves_message_and_entry_pairs)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL, body[64], id[UUID_STRLEN + 1];
	char		 m[UUID_STRLEN + 1], c;
	int		 fds[2], status, round, i;
	int64_t		 n;
	pid_t		 pid;

	path = fx_make("kill");
	for (round = 0; round < 6; round++) {
		ck_assert_int_eq(pipe(fds), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			if (replica_open(path, 0, &r, &fx_cause) != 0)
				_exit(2);
			for (i = 0;; i++) {
				snprintf(body, sizeof body, "round %d reply %d",
				    round, i);
				tid(id, 1 + i % FX_TICKETS);
				if (replica_act_reply(r, id, body, i % 2, NULL,
				    NULL, m, NULL, &fx_cause) != 0)
					_exit(3);
				if (i == 0 && write(fds[1], "x", 1) != 1)
					_exit(4);
			}
		}
		close(fds[1]);
		/* Wait for one committed reply, then kill it mid-stream. */
		ck_assert_int_eq(read(fds[0], &c, 1), 1);
		close(fds[0]);
		usleep(1000 * (unsigned int)(5 + round * 7));
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}

	n = raw_int(path, "SELECT count(*) FROM messages WHERE rev = 0");
	ck_assert_int_ge(n, 6);
	ck_assert_int_eq(outbox_total(path), n);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM messages m "
	    "WHERE rev = 0 AND (SELECT count(*) FROM outbox o "
	    "WHERE o.entity_id = m.id) != 1"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox o "
	    "WHERE (SELECT count(*) FROM messages m WHERE m.id = o.entity_id "
	    "AND m.rev = 0) != 1"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT min(seq) FROM outbox"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT max(seq) FROM outbox"), n);
	ck_assert_int_eq(raw_int(path, "SELECT count(DISTINCT seq) "
	    "FROM outbox"), n);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

/* The last message of a `show --json` ticket. */
static json_t *
last_message(json_t *t)
{
	json_t	*msgs;

	msgs = json_object_get(t, "messages");
	ck_assert_uint_gt(json_array_size(msgs), 0);
	return (json_array_get(msgs, json_array_size(msgs) - 1));
}

START_TEST(test_cli_reply_queues_and_show_and_outbox_see_it)
{
	struct run	 res;
	json_t		*j, *m, *e;
	char		*path, *mid;

	path = fx_make("clireply");
	run_triage(&res, path, "reply", "5", "-m", "Your parcel left today.",
	    NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out),
	    "queued reply to #5 (outbox seq 1)\n");
	run_free(&res);

	run_triage(&res, path, "show", "5", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert(json_is_true(json_object_get(j, "pending")));
	m = last_message(j);
	ck_assert_str_eq(pstr(m, "body"), "Your parcel left today.");
	ck_assert_str_eq(pstr(m, "state"), "pending");
	ck_assert_str_eq(pstr(m, "author"), "agent");
	ck_assert_str_eq(pstr(m, "author_name"), "Alex Morgan");
	ck_assert(json_is_false(json_object_get(m, "internal")));
	mid = xstrdup(pstr(m, "id"));
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "outbox", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_uint_eq(json_array_size(j), 1);
	e = json_array_get(j, 0);
	ck_assert_str_eq(pstr(e, "type"), "reply");
	ck_assert_str_eq(pstr(e, "state"), "pending");
	ck_assert_str_eq(pstr(e, "entity_id"), mid);
	ck_assert_int_eq(json_integer_value(json_object_get(e,
	    "ticket_number")), 5);
	ck_assert_str_eq(pstr(json_object_get(e, "payload"), "body"),
	    "Your parcel left today.");
	ck_assert_str_eq(pstr(json_object_get(e, "payload"), "message_id"),
	    mid);
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "reply", "#5", "--json", "-m", "Again.", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "ticket_number")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "seq")), 2);
	ck_assert_str_eq(pstr(j, "type"), "reply");
	ck_assert(uuid_valid(pstr(j, "message_id")));
	json_decref(j);
	run_free(&res);
	free(mid);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_reply_body_file_is_byte_exact)
{
	static const char	 body[] = "Dear customer,\r\n\x1b[1mbold\x1b[0m"
	    "\r\n\x07 bell \xe2\x80\xae rtl \xc2\x9b\r\n\ttabbed\r\n";
	struct run		 res;
	json_t			*j;
	char			*path, *file;

	path = fx_make("clifile");
	file = xprintf("%s.body", path);
	write_file(file, body, sizeof body - 1);
	run_triage(&res, path, "reply", "6", "--body-file", file, NULL);
	ck_assert_int_eq(res.status, 0);
	run_free(&res);
	run_triage(&res, path, "show", "6", "--json", NULL);
	j = run_json(&res);
	ck_assert_str_eq(pstr(last_message(j), "body"), body);
	ck_assert_str_eq(pstr(last_message(j), "state"), "pending");
	json_decref(j);
	run_free(&res);
	/* The text form shows it sanitised. */
	run_triage(&res, path, "show", "6", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_null(memchr(res.out.data, 0x1b, res.out.len));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "[pending]"));
	run_free(&res);

	/* "-" reads standard input. */
	run_triage_in(&res, file, path, "reply", "6", "--note", "--body-file",
	    "-", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_str_eq(pstr(j, "type"), "note");
	json_decref(j);
	run_free(&res);
	run_triage(&res, path, "show", "6", "--json", NULL);
	j = run_json(&res);
	ck_assert_str_eq(pstr(last_message(j), "body"), body);
	ck_assert(json_is_true(json_object_get(last_message(j), "internal")));
	json_decref(j);
	run_free(&res);
	unlink(file);
	free(file);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_reply_note)
{
	struct run	 res;
	json_t		*j;
	char		*path;

	path = fx_make("clinote");
	run_triage(&res, path, "reply", "8", "--note", "-m", "Check stock.",
	    NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out),
	    "queued note to #8 (outbox seq 1)\n");
	run_free(&res);
	run_triage(&res, path, "outbox", "--json", NULL);
	j = run_json(&res);
	ck_assert_str_eq(pstr(json_array_get(j, 0), "type"), "note");
	json_decref(j);
	run_free(&res);
	run_triage(&res, path, "show", "8", "--json", NULL);
	j = run_json(&res);
	ck_assert(json_is_true(json_object_get(last_message(j), "internal")));
	ck_assert_str_eq(pstr(last_message(j), "body"), "Check stock.");
	json_decref(j);
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_reply_errors_write_nothing)
{
	struct run	 res;
	char		*path, *bad, *nul, *big;
	char		*huge;
	size_t		 hugelen = 1024 * 1024 + 1;

	path = fx_make("clierr");
	bad = xprintf("%s.bad", path);
	write_file(bad, "caf\xe9\n", 5);
	nul = xprintf("%s.nul", path);
	write_file(nul, "a\0b\n", 4);
	big = xprintf("%s.big", path);
	huge = xmalloc(hugelen);
	memset(huge, 'a', hugelen);
	write_file(big, huge, hugelen);
	free(huge);

	run_triage(&res, path, "reply", "5", "-m", "", NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "empty body");
	run_free(&res);
	run_triage(&res, path, "reply", "5", "-m", "\n \n", NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "empty body");
	run_free(&res);
	run_triage(&res, path, "reply", "5", "--body-file", bad, NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "UTF-8");
	run_free(&res);
	run_triage(&res, path, "reply", "5", "--body-file", nul, NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "UTF-8");
	run_free(&res);
	run_triage(&res, path, "reply", "5", "-m", "caf\xe9", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "reply", "5", "--body-file", big, NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "body larger than");
	run_free(&res);
	run_triage_in(&res, big, path, "reply", "5", "--body-file", "-",
	    NULL);
	ck_assert_int_eq(res.status, 2);
	run_err_has(&res, "larger than");
	run_free(&res);
	run_triage(&res, path, "reply", "5", "--body-file", "/nonexistent/x",
	    NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "reply", "5", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "reply", "5", "-m", "a", "--body-file", bad,
	    NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "reply", "five", "-m", "a", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "reply", "99999", "-m", "hello", NULL);
	ck_assert_int_eq(res.status, 1);
	run_err_has(&res, "no ticket #99999");
	run_free(&res);
	run_triage(&res, "/nonexistent/replica.db", "reply", "5", "-m",
	    "hello", NULL);
	ck_assert_int_eq(res.status, 3);
	run_free(&res);
	run_triage(&res, path, "reply", "--help", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "--body-file"));
	run_free(&res);

	ck_assert_int_eq(outbox_total(path), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM messages"),
	    2 * FX_TICKETS);
	unlink(bad);
	unlink(nul);
	unlink(big);
	free(bad);
	free(nul);
	free(big);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_set_every_field)
{
	struct run	 res;
	json_t		*j, *tags, *e;
	char		*path;
	static const char *const types[] = {
		"set_status", "set_priority", "set_assignee", "set_team",
		"set_category", "set_tags"
	};
	size_t		 i;

	path = fx_make("cliset");
	run_triage(&res, path, "set", "7", "status=solved", "priority=low",
	    "assignee=ALEX@demo.example", "team=billing", "category=refund",
	    "tags=+vip,-shipping,new", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out), "queued 6 changes to #7\n");
	run_free(&res);

	run_triage(&res, path, "show", "7", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_str_eq(pstr(j, "status"), "solved");
	ck_assert_str_eq(pstr(j, "priority"), "low");
	ck_assert_str_eq(pstr(json_object_get(j, "assignee"), "email"),
	    "alex@demo.example");
	ck_assert_str_eq(pstr(json_object_get(j, "team"), "name"), "Billing");
	ck_assert_str_eq(pstr(j, "category"), "refund");
	ck_assert(json_is_string(json_object_get(j, "solved_at")));
	ck_assert(json_is_true(json_object_get(j, "pending")));
	tags = json_object_get(j, "tags");
	ck_assert_uint_eq(json_array_size(tags), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tags, 0)), "vip");
	ck_assert_str_eq(json_string_value(json_array_get(tags, 1)), "new");
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "outbox", "--json", NULL);
	j = run_json(&res);
	ck_assert_uint_eq(json_array_size(j), nitems(types));
	for (i = 0; i < nitems(types); i++) {
		e = json_array_get(j, i);
		ck_assert_str_eq(pstr(e, "type"), types[i]);
		ck_assert_int_eq(json_integer_value(json_object_get(e,
		    "ticket_number")), 7);
	}
	e = json_object_get(json_array_get(j, 0), "payload");
	ck_assert_str_eq(pstr(e, "status"), "solved");
	ck_assert_str_eq(pstr(e, "from"), "open");
	e = json_object_get(json_array_get(j, 5), "payload");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e,
	    "remove"), 0)), "shipping");
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "set", "7", "assignee=me", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out), "nothing to change on #7\n");
	run_free(&res);
	run_triage(&res, path, "set", "7", "assignee=sam@demo.example",
	    "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_int_eq(json_integer_value(json_object_get(j,
	    "ticket_number")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "queued")), 1);
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "set", "7", "assignee=none", "team=none",
	    "category=none", "tags=-vip", "tags=-new", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out), "queued 4 changes to #7\n");
	run_free(&res);
	run_triage(&res, path, "show", "7", "--json", NULL);
	j = run_json(&res);
	ck_assert(json_is_null(json_object_get(j, "assignee")));
	ck_assert(json_is_null(json_object_get(j, "team")));
	ck_assert(json_is_null(json_object_get(j, "category")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "tags")), 0);
	json_decref(j);
	run_free(&res);

	run_triage(&res, path, "set", "7", "status=on-hold", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out), "queued 1 change to #7\n");
	run_free(&res);
	run_triage(&res, path, "set", "--help", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "tags="));
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_set_bad_arguments_write_nothing)
{
	static const struct {
		const char	*a1, *a2;
		const char	*want;
	} bad[] = {
		{ "stauts=open", NULL, "unknown field \"stauts\"" },
		{ "status", NULL, "FIELD=VALUE" },
		{ "status=bogus", NULL, "bogus" },
		{ "priority=meh", NULL, "meh" },
		{ "status=solved", "assignee=nobody@example.org",
		  "nobody@example.org" },
		{ "status=solved", "team=Nope", "Nope" },
		{ "status=solved", "tags=+ok,-bad tag", "bad tag" },
		{ "status=solved", "tags=a,,b", "empty tag" },
		{ "status=solved", "tags=", "empty tag" },
		{ "status=solved", "tags=+vip,-vip", "both" },
		{ "status=solved", "status=open", "more than once" },
		{ "status=solved", "category=", "category" },
		{ "status=solved", "assignee=", "assignee" },
	};
	struct run	 res;
	char		*path;
	size_t		 i;

	path = fx_make("clisetbad");
	for (i = 0; i < nitems(bad); i++) {
		run_triage(&res, path, "set", "7", bad[i].a1, bad[i].a2, NULL);
		if (res.status != 2)
			ck_abort_msg("set 7 %s %s: exit %d", bad[i].a1,
			    bad[i].a2 != NULL ? bad[i].a2 : "", res.status);
		run_err_has(&res, bad[i].want);
		run_free(&res);
	}
	run_triage(&res, path, "set", "99999", "status=open", NULL);
	ck_assert_int_eq(res.status, 1);
	run_err_has(&res, "no ticket #99999");
	run_free(&res);
	run_triage(&res, path, "set", "abc", "status=open", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	run_triage(&res, path, "set", "7", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	ck_assert_int_eq(outbox_total(path), 0);
	ck_assert_int_eq(raw_int(path, "SELECT status FROM tickets "
	    "WHERE number = 7"), TICKET_OPEN);

	/* No current user: assignee=me cannot mean anything. */
	raw_exec(path, "DELETE FROM settings WHERE key = 'user_id'");
	run_triage(&res, path, "set", "7", "assignee=me", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	ck_assert_int_eq(outbox_total(path), 0);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_set_unchanged_says_nothing_to_change)
{
	struct run	 res;
	json_t		*j;
	char		*path;

	path = fx_make("clisetnoop");
	run_triage(&res, path, "set", "1", "status=open", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(buf_cstr(&res.out), "nothing to change on #1\n");
	run_free(&res);
	run_triage(&res, path, "set", "1", "status=OPEN", "tags=shipping",
	    "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	j = run_json(&res);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "queued")), 0);
	json_decref(j);
	run_free(&res);
	ck_assert_int_eq(outbox_total(path), 0);
	fx_unlink(path);
	free(path);
}
END_TEST

static Suite *
action_suite(void)
{
	Suite	*s = suite_create("action");
	TCase	*tc;

	tc = tcase_create("replica");
	tcase_add_test(tc, test_reply_writes_message_and_outbox_together);
	tcase_add_test(tc,
	    test_reply_on_empty_thread_has_null_seen_and_no_user);
	tcase_add_test(tc, test_reply_body_stored_byte_exact);
	tcase_add_test(tc, test_reply_from_composer_takes_its_draft);
	tcase_add_test(tc,
	    test_reply_refuses_bad_bodies_and_tickets_writing_nothing);
	tcase_add_test(tc, test_set_each_field_queues_one_entry_with_from);
	tcase_add_test(tc, test_set_unchanged_values_write_nothing);
	tcase_add_test(tc, test_set_tags_keeps_order_and_queries_follow);
	tcase_add_test(tc,
	    test_set_refuses_bad_tags_and_references_writing_nothing);
	tcase_add_test(tc, test_team_by_name_is_case_insensitive);
	tcase_add_test(tc, test_bulk_set_is_all_or_nothing);
	tcase_add_test(tc, test_solved_at_follows_status);
	tcase_add_test(tc, test_reply_survives_exit_without_close);
	tcase_add_test(tc, test_killed_writer_leaves_message_and_entry_pairs);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_test(tc, test_cli_reply_queues_and_show_and_outbox_see_it);
	tcase_add_test(tc, test_cli_reply_body_file_is_byte_exact);
	tcase_add_test(tc, test_cli_reply_note);
	tcase_add_test(tc, test_cli_reply_errors_write_nothing);
	tcase_add_test(tc, test_cli_set_every_field);
	tcase_add_test(tc, test_cli_set_bad_arguments_write_nothing);
	tcase_add_test(tc, test_cli_set_unchanged_says_nothing_to_change);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(action_suite()));
}
