/* check-undo.c: retrying and discarding outbox entries, undoing their local change. */
#include "config.h"

#include <sqlite3.h>

#include "testutil.h"
#include "fixture.h"
#include "proc.h"

/* Frozen "now" for the actions, an hour after the fixture's. */
#define UNDO_NOW	(FX_NOW + FX_HOUR)

/* Every state, discarded included. */
#define ALL_STATES	0x3fu

/* The fixture's id of ticket number n. */
static void
tid(char out[UUID_STRLEN + 1], int n)
{
	fx_id(out, 7, n);
}

/* A fresh fixture replica, open, with "now" frozen. Caller frees *path. */
static struct replica *
setup(const char *tag, char **path)
{
	struct replica	*r;
	char		*fx_cause = NULL;

	*path = fx_make(tag);
	time_set_now_ms(UNDO_NOW);
	FX_CHECK(replica_open(*path, 0, &r, &fx_cause));
	return (r);
}

static void
teardown(struct replica *r, char *path)
{
	char	*fx_cause = NULL;

	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	time_set_now_ms(0);
	fx_unlink(path);
	free(path);
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

/* The outbox entry with seq (all states); aborts if it is missing. */
static void
entry(struct replica *r, int64_t seq, struct outbox_list *l,
    struct outbox_entry **e)
{
	char	*fx_cause = NULL;
	size_t	 i;

	FX_CHECK(replica_outbox_list(r, ALL_STATES, l, &fx_cause));
	for (i = 0; i < l->n; i++) {
		if (l->v[i].seq == seq) {
			*e = &l->v[i];
			return;
		}
	}
	ck_abort_msg("no outbox entry %lld", (long long)seq);
}

/* The state of entry seq. */
static enum outbox_state
state_of(struct replica *r, int64_t seq)
{
	struct outbox_list	 l;
	struct outbox_entry	*e;
	enum outbox_state	 s;

	entry(r, seq, &l, &e);
	s = e->state;
	outbox_list_free(&l);
	return (s);
}

/* Assert the outbox holds exactly seqs 1..n, none lost, none reused. */
static void
assert_contiguous(struct replica *r, int64_t n)
{
	struct outbox_list	 l;
	char			*fx_cause = NULL;
	size_t			 i;

	FX_CHECK(replica_outbox_list(r, ALL_STATES, &l, &fx_cause));
	ck_assert_uint_eq(l.n, (size_t)n);
	for (i = 0; i < l.n; i++)
		ck_assert_int_eq(l.v[i].seq, (int64_t)i + 1);
	outbox_list_free(&l);
}

/* The number of hits of one kind a search finds. */
static size_t
hits(struct replica *r, const char *text, enum search_kind kind)
{
	struct search_result	 res;
	char			*fx_cause = NULL;
	size_t			 i, n = 0;

	FX_CHECK(replica_search(r, text, 50, 0, &res, &fx_cause));
	for (i = 0; i < res.n; i++)
		if (res.v[i].kind == kind)
			n++;
	search_result_free(&res);
	return (n);
}

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

/* Whether two nullable strings are equal. */
static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

START_TEST(test_discard_reply_deletes_message_and_index)
{
	struct replica		*r;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], mid[UUID_STRLEN + 1];
	int64_t			 seq;
	int			 internal;

	for (internal = 0; internal <= 1; internal++) {
		r = setup(internal ? "undonote" : "undoreply", &path);
		tid(id, 5);
		FX_CHECK(replica_act_reply(r, id, "The zanzibar parcel is "
		    "on its way.", internal, NULL, NULL, mid, &seq, &fx_cause));
		ck_assert_int_eq(seq, 1);
		ck_assert_uint_eq(hits(r, "zanzibar", SEARCH_MESSAGE), 1);
		d = get(r, 5);
		ck_assert_uint_eq(d->nmessages, 3);
		ck_assert(d->t.pending);
		ticket_detail_free(d);

		FX_CHECK(replica_outbox_discard(r, seq, &fx_cause));
		d = get(r, 5);
		ck_assert_uint_eq(d->nmessages, 2);
		ck_assert(!d->t.pending);
		ck_assert(!d->t.rejected);
		ck_assert_str_ne(d->messages[1].id, mid);
		ticket_detail_free(d);
		ck_assert_uint_eq(hits(r, "zanzibar", SEARCH_MESSAGE), 0);
		ck_assert_int_eq(state_of(r, seq), OUTBOX_DISCARDED);
		ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM messages"),
		    2 * FX_TICKETS);
		assert_contiguous(r, 1);
		teardown(r, path);
	}
}
END_TEST

START_TEST(test_discard_each_field_puts_from_back)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	struct outbox_list	 l;
	struct outbox_entry	*e;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], u1[UUID_STRLEN + 1];
	char			 u2[UUID_STRLEN + 1], t1[UUID_STRLEN + 1];
	char			 t2[UUID_STRLEN + 1];
	static const int64_t	 order[] = { 3, 1, 5, 2, 4 };
	size_t			 i;
	int			 n;

	r = setup("undoset", &path);
	fx_id(u1, 2, 1);
	fx_id(u2, 2, 2);
	fx_id(t1, 1, 1);
	fx_id(t2, 1, 2);
	tid(id, 7);
	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_OPEN);
	ck_assert_int_eq(d->t.priority, PRIORITY_URGENT);
	ck_assert_str_eq(d->t.assignee_id, u2);
	ck_assert_str_eq(d->t.team_id, t1);
	ck_assert_str_eq(d->t.category, "shipping");
	ck_assert_int_eq(d->t.solved_at, 0);
	ticket_detail_free(d);

	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.priority = PRIORITY_LOW;
	c.set_assignee = 1;
	c.assignee_id = u1;
	c.set_team = 1;
	c.team_id = t2;
	c.set_category = 1;
	c.category = "refund";
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 5);
	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_SOLVED);
	ck_assert_int_eq(d->t.solved_at, UNDO_NOW);
	ticket_detail_free(d);

	/* Entry types in seq order; discard them out of order. */
	entry(r, 1, &l, &e);
	ck_assert_str_eq(l.v[0].type, "set_status");
	ck_assert_str_eq(l.v[1].type, "set_priority");
	ck_assert_str_eq(l.v[2].type, "set_assignee");
	ck_assert_str_eq(l.v[3].type, "set_team");
	ck_assert_str_eq(l.v[4].type, "set_category");
	outbox_list_free(&l);
	for (i = 0; i < nitems(order); i++) {
		FX_CHECK(replica_outbox_discard(r, order[i], &fx_cause));
		d = get(r, 7);
		ck_assert_str_eq(d->t.assignee_id, u2);
		if (i >= 1) {
			ck_assert_int_eq(d->t.status, TICKET_OPEN);
			ck_assert_int_eq(d->t.solved_at, 0);
		}
		if (i >= 2)
			ck_assert_str_eq(d->t.category, "shipping");
		if (i >= 3)
			ck_assert_int_eq(d->t.priority, PRIORITY_URGENT);
		if (i >= 4) {
			ck_assert_str_eq(d->t.team_id, t1);
			ck_assert(!d->t.pending);
		} else
			ck_assert(d->t.pending);
		ticket_detail_free(d);
		ck_assert_int_eq(state_of(r, order[i]), OUTBOX_DISCARDED);
	}
	assert_contiguous(r, 5);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM outbox "
	    "WHERE state = 4"), 5);

	/* Discarding twice is refused and changes nothing. */
	ASSERT_REFUSED(replica_outbox_discard(r, 2, &fx_cause),
	    "already discarded");
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_restores_null_values)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], u1[UUID_STRLEN + 1];
	int			 n;

	r = setup("undonull", &path);
	fx_id(u1, 2, 1);
	tid(id, 8);
	d = get(r, 8);
	ck_assert_ptr_null(d->t.assignee_id);
	ticket_detail_free(d);
	ticket_change_init(&c);
	c.set_assignee = 1;
	c.assignee_id = u1;
	c.set_category = 1;
	c.category = NULL;
	c.set_team = 1;
	c.team_id = NULL;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 3);
	d = get(r, 8);
	ck_assert_str_eq(d->t.assignee_id, u1);
	ck_assert_ptr_null(d->t.category);
	ck_assert_ptr_null(d->t.team_id);
	ticket_detail_free(d);
	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	FX_CHECK(replica_outbox_discard(r, 2, &fx_cause));
	FX_CHECK(replica_outbox_discard(r, 3, &fx_cause));
	d = get(r, 8);
	ck_assert_ptr_null(d->t.assignee_id);
	ck_assert_ptr_nonnull(d->t.team_id);
	ck_assert_str_eq(d->t.category, "shipping");
	ticket_detail_free(d);
	assert_contiguous(r, 3);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_status_keeps_solved_at_in_step)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	r = setup("undosolved", &path);
	tid(id, 4);
	d = get(r, 4);
	ck_assert_int_eq(d->t.status, TICKET_SOLVED);
	ticket_detail_free(d);
	ticket_change_init(&c);
	c.status = TICKET_OPEN;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	d = get(r, 4);
	ck_assert_int_eq(d->t.status, TICKET_SOLVED);
	ck_assert_int_ne(d->t.solved_at, 0);
	ck_assert_int_eq(d->t.sla_due, REPLICA_NO_DUE);
	ticket_detail_free(d);
	ck_assert_int_eq(query_count(r, "status:solved"), 42);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_tags_reverses_add_and_remove)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	static const char *const add[] = { "vip", "new" };
	static const char *const rm[] = { "refund" };
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	r = setup("undotags", &path);
	tid(id, 10);
	ck_assert_int_eq(query_count(r, "tag:refund"), 25);
	ck_assert_uint_eq(hits(r, "vip", SEARCH_TICKET), 0);
	ticket_change_init(&c);
	c.tags_add = add;
	c.ntags_add = nitems(add);
	c.tags_remove = rm;
	c.ntags_remove = nitems(rm);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 1);
	d = get(r, 10);
	ck_assert_str_eq(d->t.tags, "[\"vip\",\"new\"]");
	ticket_detail_free(d);
	ck_assert_int_eq(query_count(r, "tag:refund"), 24);
	ck_assert_int_eq(query_count(r, "tag:vip"), 1);
	ck_assert_uint_eq(hits(r, "vip", SEARCH_TICKET), 1);

	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	d = get(r, 10);
	ck_assert_str_eq(d->t.tags, "[\"refund\"]");
	ck_assert(!d->t.pending);
	ticket_detail_free(d);
	ck_assert_int_eq(query_count(r, "tag:refund"), 25);
	ck_assert_int_eq(query_count(r, "tag:vip"), 0);
	ck_assert_int_eq(query_count(r, "tag:new"), 0);
	ck_assert_uint_eq(hits(r, "vip", SEARCH_TICKET), 0);
	ck_assert_int_eq(state_of(r, 1), OUTBOX_DISCARDED);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_tags_only_where_still_as_set)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	static const char *const add[] = { "vip", "new" };
	static const char *const rm[] = { "shipping" };
	static const char *const add2[] = { "shipping" };
	static const char *const rm2[] = { "vip" };
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	r = setup("undotags2", &path);
	tid(id, 11);
	ticket_change_init(&c);
	c.tags_add = add;
	c.ntags_add = nitems(add);
	c.tags_remove = rm;
	c.ntags_remove = nitems(rm);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	/* A second change takes vip off and puts shipping back. */
	ticket_change_init(&c);
	c.tags_add = add2;
	c.ntags_add = nitems(add2);
	c.tags_remove = rm2;
	c.ntags_remove = nitems(rm2);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	d = get(r, 11);
	ck_assert_str_eq(d->t.tags, "[\"new\",\"shipping\"]");
	ticket_detail_free(d);
	/* Undoing the first drops only "new": the rest changed since. */
	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	d = get(r, 11);
	ck_assert_str_eq(d->t.tags, "[\"shipping\"]");
	ck_assert(d->t.pending);
	ticket_detail_free(d);
	assert_contiguous(r, 2);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_after_overwrite_leaves_field)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	r = setup("undoover", &path);
	tid(id, 7);
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ticket_change_init(&c);
	c.status = TICKET_PENDING;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));

	/* seq 1 set solved, but the ticket is pending now: left alone. */
	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_PENDING);
	ck_assert(d->t.pending);
	ticket_detail_free(d);
	ck_assert_int_eq(state_of(r, 1), OUTBOX_DISCARDED);
	ck_assert_int_eq(state_of(r, 2), OUTBOX_PENDING);

	/* seq 2 still holds: its "from" (solved) comes back. */
	FX_CHECK(replica_outbox_discard(r, 2, &fx_cause));
	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_SOLVED);
	ticket_detail_free(d);

	/* A value changed from elsewhere (a pull) is left too. */
	ticket_change_init(&c);
	c.priority = PRIORITY_LOW;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	raw_exec(path, "UPDATE tickets SET priority = 2 WHERE number = 7");
	FX_CHECK(replica_outbox_discard(r, 3, &fx_cause));
	d = get(r, 7);
	ck_assert_int_eq(d->t.priority, PRIORITY_HIGH);
	ticket_detail_free(d);
	assert_contiguous(r, 3);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_rejected_and_conflict_entries)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], mid[UUID_STRLEN + 1];
	int64_t			 seq;
	int			 n;

	r = setup("undorej", &path);
	tid(id, 9);
	ticket_change_init(&c);
	c.priority = PRIORITY_HIGH;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	FX_CHECK(replica_act_reply(r, id, "Sorry for the wait.", 0, NULL,
	    NULL, mid, &seq, &fx_cause));
	FX_CHECK(replica_outbox_mark(r, 1, OUTBOX_REJECTED, "no permission",
	    0, &fx_cause));
	FX_CHECK(replica_outbox_mark(r, 2, OUTBOX_CONFLICT, "customer wrote",
	    0, &fx_cause));
	d = get(r, 9);
	ck_assert(d->t.rejected);
	ticket_detail_free(d);
	FX_CHECK(replica_outbox_discard(r, 1, &fx_cause));
	FX_CHECK(replica_outbox_discard(r, 2, &fx_cause));
	d = get(r, 9);
	ck_assert_int_eq(d->t.priority, PRIORITY_NORMAL);
	ck_assert_uint_eq(d->nmessages, 2);
	ck_assert(!d->t.rejected);
	ck_assert(!d->t.pending);
	ticket_detail_free(d);
	ck_assert_int_eq(state_of(r, 1), OUTBOX_DISCARDED);
	ck_assert_int_eq(state_of(r, 2), OUTBOX_DISCARDED);
	teardown(r, path);
}
END_TEST

START_TEST(test_retry_transitions)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct outbox_list	 l;
	struct outbox_entry	*e;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int64_t			 count, ns;
	int			 n;

	r = setup("retry", &path);
	tid(id, 7);
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.priority = PRIORITY_LOW;
	c.set_category = 1;
	c.category = "refund";
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	ck_assert_int_eq(n, 3);
	FX_CHECK(replica_outbox_mark(r, 1, OUTBOX_REJECTED, "no permission",
	    0, &fx_cause));
	FX_CHECK(replica_outbox_mark(r, 2, OUTBOX_CONFLICT, "changed", 0,
	    &fx_cause));

	/*
	 * Rejected and conflict entries are queued again under new seqs (the
	 * server would answer their old seqs as replays); the old entries
	 * are marked retried, their reasons kept.
	 */
	FX_CHECK(replica_outbox_retry(r, 1, &ns, &fx_cause));
	ck_assert_int_eq(ns, 4);
	FX_CHECK(replica_outbox_retry(r, 2, &ns, &fx_cause));
	ck_assert_int_eq(ns, 5);
	FX_CHECK(replica_outbox_list(r, ALL_STATES, &l, &fx_cause));
	ck_assert_uint_eq(l.n, 5);
	ck_assert_int_eq(l.v[0].state, OUTBOX_RETRIED);
	ck_assert_str_eq(l.v[0].reason, "no permission");
	ck_assert_int_eq(l.v[1].state, OUTBOX_RETRIED);
	ck_assert_int_eq(l.v[3].state, OUTBOX_PENDING);
	ck_assert_str_eq(l.v[3].type, l.v[0].type);
	ck_assert_str_eq(l.v[3].payload, l.v[0].payload);
	ck_assert_ptr_null(l.v[3].reason);
	ck_assert_int_eq(l.v[4].state, OUTBOX_PENDING);
	ck_assert_str_eq(l.v[4].type, l.v[1].type);
	/* Not a reply: a retried conflict gets no force. */
	ck_assert_str_eq(l.v[4].payload, l.v[1].payload);
	outbox_list_free(&l);
	FX_CHECK(replica_outbox_count(r, OUTBOX_REJECTED, &count, &fx_cause));
	ck_assert_int_eq(count, 0);
	ASSERT_REFUSED(replica_outbox_retry(r, 1, &ns, &fx_cause),
	    "already queued again");
	ASSERT_REFUSED(replica_outbox_discard(r, 2, &fx_cause),
	    "already queued again");

	/* A pending entry stays as it is. */
	FX_CHECK(replica_outbox_retry(r, 3, &ns, &fx_cause));
	ck_assert_int_eq(ns, 3);
	entry(r, 3, &l, &e);
	ck_assert_int_eq(e->state, OUTBOX_PENDING);
	ck_assert_int_eq(e->attempts, 0);
	outbox_list_free(&l);

	/* Applied entries can be neither retried nor discarded. */
	FX_CHECK(replica_outbox_mark(r, 3, OUTBOX_APPLIED, NULL, 500,
	    &fx_cause));
	ASSERT_REFUSED(replica_outbox_retry(r, 3, NULL, &fx_cause),
	    "already applied");
	ASSERT_REFUSED(replica_outbox_discard(r, 3, &fx_cause),
	    "already applied");
	ck_assert_int_eq(state_of(r, 3), OUTBOX_APPLIED);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM tickets "
	    "WHERE number = 7 AND category = 'refund'"), 1);

	/* Nor can discarded ones be retried. */
	FX_CHECK(replica_outbox_discard(r, 4, &fx_cause));
	ASSERT_REFUSED(replica_outbox_retry(r, 4, NULL, &fx_cause),
	    "already discarded");
	ck_assert_int_eq(state_of(r, 4), OUTBOX_DISCARDED);
	assert_contiguous(r, 5);
	teardown(r, path);
}
END_TEST

/* Retrying a reply in conflict is "send anyway": the new entry has force. */
START_TEST(test_retry_conflict_reply_forces)
{
	struct replica		*r;
	struct outbox_list	 l;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], mid[UUID_STRLEN + 1];
	int64_t			 seq, ns;

	r = setup("retryforce", &path);
	tid(id, 5);
	FX_CHECK(replica_act_reply(r, id, "Your parcel is on its way.", 0,
	    NULL, NULL, mid, &seq, &fx_cause));
	FX_CHECK(replica_outbox_mark(r, seq, OUTBOX_CONFLICT,
	    "the customer wrote again", 0, &fx_cause));
	FX_CHECK(replica_outbox_retry(r, seq, &ns, &fx_cause));
	ck_assert_int_eq(ns, seq + 1);
	FX_CHECK(replica_outbox_list(r, ALL_STATES, &l, &fx_cause));
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[0].state, OUTBOX_RETRIED);
	ck_assert_int_eq(l.v[1].state, OUTBOX_PENDING);
	ck_assert_str_eq(l.v[1].type, "reply");
	ck_assert_ptr_nonnull(strstr(l.v[1].payload, "\"force\":true"));
	ck_assert_ptr_null(strstr(l.v[0].payload, "force"));
	outbox_list_free(&l);
	teardown(r, path);
}
END_TEST

START_TEST(test_unknown_seq_is_refused)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL;
	static const int64_t seqs[] = { 0, -1, 1, 999 };
	size_t		 i;

	r = setup("undounknown", &path);
	for (i = 0; i < nitems(seqs); i++) {
		ASSERT_REFUSED(replica_outbox_retry(r, seqs[i], NULL,
		    &fx_cause),
		    "no outbox entry");
		ASSERT_REFUSED(replica_outbox_discard(r, seqs[i], &fx_cause),
		    "no outbox entry");
	}
	/* The refusals left no transaction open. */
	FX_CHECK(replica_begin(r, &fx_cause));
	replica_rollback(r);
	teardown(r, path);
}
END_TEST

START_TEST(test_discard_bad_entry_changes_nothing)
{
	struct replica		*r;
	struct ticket_change	 c;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1];
	int			 n;

	r = setup("undobad", &path);
	tid(id, 7);
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	c.priority = PRIORITY_LOW;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	replica_close(r);
	raw_exec(path, "UPDATE outbox SET payload = '{not json' WHERE seq = 1;"
	    "UPDATE outbox SET type = 'merge' WHERE seq = 2");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ASSERT_REFUSED(replica_outbox_discard(r, 1, &fx_cause),
	    "damaged payload");
	ASSERT_REFUSED(replica_outbox_discard(r, 2, &fx_cause),
	    "cannot undo a merge change");
	ck_assert_int_eq(state_of(r, 1), OUTBOX_PENDING);
	ck_assert_int_eq(state_of(r, 2), OUTBOX_PENDING);
	d = get(r, 7);
	ck_assert_int_eq(d->t.status, TICKET_SOLVED);
	ck_assert_int_eq(d->t.priority, PRIORITY_LOW);
	ticket_detail_free(d);
	teardown(r, path);
}
END_TEST

START_TEST(test_seq_keeps_growing_after_discards)
{
	struct replica		*r;
	struct ticket_change	 c;
	char			*path, *fx_cause = NULL;
	char			 id[UUID_STRLEN + 1], mid[UUID_STRLEN + 1];
	int64_t			 seq;
	int			 n, i;

	r = setup("undoseq", &path);
	tid(id, 12);
	for (i = 0; i < 3; i++)
		FX_CHECK(replica_act_reply(r, id, "One more thing.", i % 2,
		    NULL, NULL, mid, &seq, &fx_cause));
	ck_assert_int_eq(seq, 3);
	FX_CHECK(replica_outbox_discard(r, 3, &fx_cause));
	FX_CHECK(replica_outbox_discard(r, 2, &fx_cause));
	ticket_change_init(&c);
	c.status = TICKET_PENDING;
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	FX_CHECK(replica_act_reply(r, id, "And another.", 0, NULL, NULL, mid,
	    &seq, &fx_cause));
	ck_assert_int_eq(seq, 5);
	assert_contiguous(r, 5);
	ck_assert_int_eq(state_of(r, 1), OUTBOX_PENDING);
	ck_assert_int_eq(state_of(r, 2), OUTBOX_DISCARDED);
	ck_assert_int_eq(state_of(r, 4), OUTBOX_PENDING);
	ck_assert_str_eq(outbox_state_name(OUTBOX_DISCARDED), "discarded");
	ck_assert(same(outbox_state_name(OUTBOX_CONFLICT), "conflict"));
	teardown(r, path);
}
END_TEST

START_TEST(test_names_for_descriptions)
{
	struct replica	*r;
	char		*path, *s;
	char		 u1[UUID_STRLEN + 1], t2[UUID_STRLEN + 1];

	r = setup("undonames", &path);
	fx_id(u1, 2, 1);
	fx_id(t2, 1, 2);
	s = replica_user_name(r, u1);
	ck_assert_str_eq(s, "Alex Morgan");
	free(s);
	s = replica_team_name(r, t2);
	ck_assert_str_eq(s, "Billing");
	free(s);
	ck_assert_ptr_null(replica_user_name(r, t2));
	ck_assert_ptr_null(replica_team_name(r, NULL));
	teardown(r, path);
}
END_TEST

static Suite *
undo_suite(void)
{
	Suite	*s = suite_create("undo");
	TCase	*tc;

	tc = tcase_create("discard");
	tcase_add_test(tc, test_discard_reply_deletes_message_and_index);
	tcase_add_test(tc, test_discard_each_field_puts_from_back);
	tcase_add_test(tc, test_discard_restores_null_values);
	tcase_add_test(tc, test_discard_status_keeps_solved_at_in_step);
	tcase_add_test(tc, test_discard_tags_reverses_add_and_remove);
	tcase_add_test(tc, test_discard_tags_only_where_still_as_set);
	tcase_add_test(tc, test_discard_after_overwrite_leaves_field);
	tcase_add_test(tc, test_discard_rejected_and_conflict_entries);
	tcase_add_test(tc, test_discard_bad_entry_changes_nothing);
	tcase_add_test(tc, test_seq_keeps_growing_after_discards);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("retry");
	tcase_add_test(tc, test_retry_transitions);
	tcase_add_test(tc, test_retry_conflict_reply_forces);
	tcase_add_test(tc, test_unknown_seq_is_refused);
	tcase_add_test(tc, test_names_for_descriptions);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(undo_suite()));
}
