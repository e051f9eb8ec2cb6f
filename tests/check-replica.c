/* check-replica.c: the SQLite replica: opening, refusing, migrating, windows, search, outbox. */
#include "config.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"
#include "fixture.h"
#include "proc.h"

/* The whole content of a file. Caller frees. */
static char *
slurp(const char *path, size_t *len)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;

	if (buf_read_file(&b, path, 0, &cause) != 0)
		ck_abort_msg("%s", cause);
	*len = b.len;
	return (buf_detach(&b));
}

/* Opening must fail with a message containing want; file bytes unchanged. */
static void
assert_refused(const char *path, const char *want)
{
	struct replica	*r = NULL;
	char		*before, *after, *cause = NULL, *wal;
	size_t		 n1, n2;
	struct stat	 sb;

	before = slurp(path, &n1);
	ck_assert_int_eq(replica_open(path, REPLICA_CREATE, &r, &cause), -1);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(cause);
	if (strstr(cause, want) == NULL)
		ck_abort_msg("cause \"%s\" lacks \"%s\"", cause, want);
	after = slurp(path, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(before, after, n1) == 0);
	wal = xprintf("%s-wal", path);
	ck_assert_int_ne(stat(wal, &sb), 0);
	free(wal);
	free(before);
	free(after);
	free(cause);
}

START_TEST(test_open_creates_wal_replica_at_latest_version)
{
	struct replica	*r;
	struct stat	 sb;
	char		*path, *side, *dangling = NULL, *fx_cause = NULL;

	/* Customers' data and the token: only the owner reads it, whatever
	 * the umask, and so for the WAL and shared-memory files. */
	umask(022);
	path = fx_tmpname("new");
	FX_CHECK(replica_open(path, REPLICA_CREATE, &r, &fx_cause));
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	side = xprintf("%s-wal", path);
	ck_assert_int_eq(stat(side, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	free(side);
	ck_assert_int_eq(replica_version(r), replica_latest_version());
	ck_assert_int_ge(replica_latest_version(), 2);
	replica_close(r);
	/* One others could read (made before, or copied) is tightened. */
	ck_assert_int_eq(chmod(path, 0644), 0);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	replica_close(r);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	/* A link to nothing is not followed to make a file others read. */
	side = fx_tmpname("link");
	dangling = xprintf("%s-target", side);
	ck_assert_int_eq(symlink(dangling, side), 0);
	ck_assert_int_eq(replica_open(side, REPLICA_CREATE, &r, &fx_cause), -1);
	ck_assert_ptr_nonnull(strstr(fx_cause, "symbolic link"));
	free(fx_cause);
	fx_cause = NULL;
	ck_assert_int_ne(access(dangling, F_OK), 0);
	unlink(side);
	free(side);
	free(dangling);
	ck_assert_int_eq(raw_int(path, "SELECT user_version FROM "
	    "pragma_user_version"), replica_latest_version());
	ck_assert_int_eq(raw_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1);
	/* Opening again is a no-op. */
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_open_missing_without_create_fails)
{
	struct replica	*r = NULL;
	char		*cause = NULL;

	ck_assert_int_eq(replica_open("/nonexistent/triage/replica.db", 0, &r,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no replica here"));
	free(cause);
}
END_TEST

START_TEST(test_newer_replica_refused_untouched)
{
	char	*path, *sql;

	path = fx_make("newer");
	sql = xprintf("PRAGMA user_version = %d", replica_latest_version() + 1);
	raw_exec(path, sql);
	raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE); "
	    "PRAGMA journal_mode = DELETE");
	assert_refused(path, "newer");
	free(sql);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_foreign_sqlite_refused_untouched)
{
	char	*path;

	path = fx_tmpname("foreign");
	raw_exec(path, "CREATE TABLE notes(x); INSERT INTO notes VALUES (1)");
	assert_refused(path, "not a triage replica");
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_non_database_file_refused_untouched)
{
	char	*path;
	FILE	*f;
	int	 i;

	path = fx_tmpname("garbage");
	f = fopen(path, "w");
	for (i = 0; i < 200; i++)
		fputs("this is not a database, just some text\n", f);
	fclose(f);
	assert_refused(path, "not a triage replica");
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_tail_truncated_replica_refused_untouched)
{
	char	*path;
	struct stat sb;

	/* Cut only the last pages: the schema still reads, the size lies. */
	path = fx_make("tail");
	raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(truncate(path, sb.st_size - 8192), 0);
	assert_refused(path, "damaged replica");
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_truncated_replica_refused_untouched)
{
	char	*path;
	struct stat sb;

	path = fx_make("trunc");
	raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(truncate(path, sb.st_size / 2), 0);
	assert_refused(path, "damaged replica");
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_migration_from_v1_indexes_existing_rows)
{
	struct replica		*r;
	struct search_result	 res;
	char			*path, *fx_cause = NULL;

	path = fx_tmpname("v1");
	FX_CHECK(replica_create_at_version(path, 1, &fx_cause));
	ck_assert_int_eq(raw_int(path, "SELECT user_version FROM "
	    "pragma_user_version"), 1);
	raw_exec(path, "INSERT INTO tickets(id, number, subject, created_at, "
	    "updated_at) VALUES ('a', 1, 'Wobbly trampoline', 1, 1);"
	    "INSERT INTO messages(id, ticket_id, author, body, created_at) "
	    "VALUES ('m', 'a', 'customer', 'my zeppelin is late', 1)");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(replica_version(r), replica_latest_version());
	FX_CHECK(replica_search(r, "trampoline", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_TICKET);
	search_result_free(&res);
	FX_CHECK(replica_search(r, "zeppelin", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_MESSAGE);
	search_result_free(&res);
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_migration_from_every_version_keeps_data)
{
	struct replica		*r;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	int			 v;

	for (v = 1; v < replica_latest_version(); v++) {
		path = fx_tmpname("vN");
		FX_CHECK(replica_create_at_version(path, v, &fx_cause));
		raw_exec(path, "INSERT INTO tickets(id, number, subject, "
		    "created_at, updated_at) VALUES ('a', 1, 'Old ticket', 1, 1)");
		FX_CHECK(replica_open(path, 0, &r, &fx_cause));
		ck_assert_int_eq(replica_version(r), replica_latest_version());
		FX_CHECK(replica_ticket_get(r, 1, NULL, &d, &fx_cause));
		ck_assert_str_eq(d->t.subject, "Old ticket");
		ticket_detail_free(d);
		FX_CHECK(replica_check(r, &fx_cause));
		replica_close(r);
		fx_unlink(path);
		free(path);
	}
}
END_TEST

START_TEST(test_failed_migration_leaves_old_version_whole)
{
	struct replica	*r = NULL;
	char		*path, *cause = NULL, *fx_cause = NULL;

	path = fx_tmpname("badmig");
	FX_CHECK(replica_create_at_version(path, 1, &fx_cause));
	/* Version 2 creates messages_fts; a squatter makes it fail midway. */
	raw_exec(path, "CREATE TABLE messages_fts(x)");
	ck_assert_int_eq(replica_open(path, 0, &r, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "migration to version 2"));
	free(cause);
	ck_assert_int_eq(raw_int(path, "SELECT user_version FROM "
	    "pragma_user_version"), 1);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = 'tickets_fts'"), 0);
	fx_unlink(path);
	free(path);
}
END_TEST

/* Every ticket of a queue, paging forward by n. */
static void
page_all(struct queue *q, size_t n, struct ticket_list *all)
{
	struct ticket_list	 page;
	struct ticket		*last = NULL;
	char			*fx_cause = NULL;
	size_t			 i;

	all->v = NULL;
	all->n = 0;
	for (;;) {
		FX_CHECK(replica_queue_fetch(q, last, 0, n, &page, &fx_cause));
		if (page.n == 0) {
			free(page.v);
			break;
		}
		all->v = xreallocarray(all->v, all->n + page.n,
		    sizeof *all->v);
		for (i = 0; i < page.n; i++)
			all->v[all->n + i] = page.v[i];
		all->n += page.n;
		free(page.v);
		last = &all->v[all->n - 1];
		if (page.n < n)
			break;
	}
}

/* Compare the queue's order with a plain ORDER BY over all rows. */
static void
check_sort(const char *path, struct replica *r, enum queue_sort sort,
    const char *query, const char *where, const char *order)
{
	struct queue		*q;
	struct query_error	 err;
	struct ticket_list	 all, back, page;
	sqlite3			*db;
	sqlite3_stmt		*s;
	char			*sql, *fx_cause = NULL;
	size_t			 i, n, k;
	int64_t			 count, pos;

	ck_assert_int_eq(replica_queue_open(r, query, sort, &q, &err), 0);
	/* Pages of 50 over 250 rows end exactly at a border. */
	page_all(q, 50, &all);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sql = xprintf("SELECT number FROM tickets t WHERE %s ORDER BY %s",
	    where, order);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		ck_assert_uint_lt(n, all.n);
		ck_assert_int_eq(all.v[n].number, sqlite3_column_int64(s, 0));
		n++;
	}
	ck_assert_uint_eq(n, all.n);
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(sql);
	FX_CHECK(replica_queue_count(q, &count, &fx_cause));
	ck_assert_int_eq(count, (int64_t)all.n);

	/* Past the last row: nothing. */
	if (all.n > 0) {
		FX_CHECK(replica_queue_fetch(q, &all.v[all.n - 1], 0, 50,
		    &page, &fx_cause));
		ck_assert_uint_eq(page.n, 0);
		free(page.v);
		/* Backward from the bottom: the last rows, in display order. */
		FX_CHECK(replica_queue_fetch(q, NULL, QUEUE_BACKWARD, 7, &back,
		    &fx_cause));
		k = all.n < 7 ? all.n : 7;
		ck_assert_uint_eq(back.n, k);
		for (i = 0; i < k; i++)
			ck_assert_str_eq(back.v[i].id,
			    all.v[all.n - k + i].id);
		ticket_list_free(&back);
		/* Backward before a middle row: the rows just above it. */
		i = all.n / 2;
		FX_CHECK(replica_queue_fetch(q, &all.v[i], QUEUE_BACKWARD, 3, &back,
		    &fx_cause));
		ck_assert_uint_eq(back.n, i < 3 ? i : 3);
		for (k = 0; k < back.n; k++)
			ck_assert_str_eq(back.v[k].id,
			    all.v[i - back.n + k].id);
		ticket_list_free(&back);
		/* Inclusive: the row itself, then what follows or precedes. */
		FX_CHECK(replica_queue_fetch(q, &all.v[i], QUEUE_INCLUSIVE, 4,
		    &back, &fx_cause));
		ck_assert_uint_eq(back.n, all.n - i < 4 ? all.n - i : 4);
		for (k = 0; k < back.n; k++)
			ck_assert_str_eq(back.v[k].id, all.v[i + k].id);
		ticket_list_free(&back);
		FX_CHECK(replica_queue_fetch(q, &all.v[i], QUEUE_BACKWARD |
		    QUEUE_INCLUSIVE, 2, &back, &fx_cause));
		ck_assert_uint_eq(back.n, i >= 1 ? 2 : 1);
		ck_assert_str_eq(back.v[back.n - 1].id, all.v[i].id);
		ticket_list_free(&back);
		FX_CHECK(replica_queue_position(q, &all.v[i], &pos,
		    &fx_cause));
		ck_assert_int_eq(pos, (int64_t)i);
		/* Before the first row: nothing. */
		FX_CHECK(replica_queue_fetch(q, &all.v[0], QUEUE_BACKWARD, 10, &back,
		    &fx_cause));
		ck_assert_uint_eq(back.n, 0);
		free(back.v);
	}
	ticket_list_free(&all);
	replica_queue_close(q);
}

START_TEST(test_queue_windows_match_full_sort_for_every_sort)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL;

	path = fx_make("sorts");
	time_set_now_ms(FX_NOW);
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	check_sort(path, r, QUEUE_SORT_UPDATED, "", "1",
	    "updated_at DESC, id DESC");
	check_sort(path, r, QUEUE_SORT_SLA, "", "1", "sla_due, id");
	check_sort(path, r, QUEUE_SORT_PRIORITY, "", "1",
	    "priority DESC, updated_at DESC, id DESC");
	check_sort(path, r, QUEUE_SORT_NUMBER, "", "1", "number DESC");
	check_sort(path, r, QUEUE_SORT_UPDATED, "status:open,pending "
	    "priority:>=high", "status IN (1, 2) AND priority >= 2",
	    "updated_at DESC, id DESC");
	check_sort(path, r, QUEUE_SORT_SLA, "assignee:me",
	    "assignee_id = '0190" "0002-0000-7000-8000-000000000001'",
	    "sla_due, id");
	check_sort(path, r, QUEUE_SORT_PRIORITY, "tag:refund -status:closed",
	    "tags LIKE '%refund%' AND status != 5",
	    "priority DESC, updated_at DESC, id DESC");
	replica_close(r);
	time_set_now_ms(0);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_queue_bad_query_reports_column)
{
	struct replica		*r;
	struct queue		*q = NULL;
	struct query_error	 err;
	char			*path, *fx_cause = NULL;

	path = fx_make("badq");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(replica_queue_open(r, "status:open stauts:x",
	    QUEUE_SORT_SLA, &q, &err), -1);
	ck_assert_ptr_null(q);
	ck_assert_int_eq(err.column, 13);
	ck_assert_ptr_nonnull(strstr(err.message, "stauts"));
	query_error_free(&err);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_ticket_detail_has_thread_events_and_names)
{
	struct replica		*r;
	struct ticket_detail	*d = NULL;
	char			*path, *fx_cause = NULL;

	path = fx_make("detail");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	FX_CHECK(replica_ticket_get(r, 15, NULL, &d, &fx_cause));
	ck_assert_int_eq(d->t.number, 15);
	ck_assert_str_eq(d->t.subject, "Question number 15");
	ck_assert_str_eq(d->t.assignee, "Alex Morgan");
	ck_assert_str_eq(d->t.customer, "Ada Lovelace");
	ck_assert_str_eq(d->t.team, "Tier 1");
	ck_assert_uint_eq(d->nmessages, 2);
	ck_assert_str_eq(d->messages[0].author, "customer");
	ck_assert_str_eq(d->messages[0].author_name, "Ada Lovelace");
	ck_assert_str_eq(d->messages[1].author_name, "Alex Morgan");
	ck_assert_str_eq(d->messages[1].delivery, "sent");
	ck_assert_int_eq(d->messages[1].state, SYNC_SYNCED);
	ck_assert_uint_eq(d->nevents, 1);
	ck_assert_str_eq(d->events[0].new_value, "open");
	ticket_detail_free(d);
	ck_assert_int_eq(replica_ticket_get(r, 99999, NULL, &d, &fx_cause),
	    REPLICA_NOTFOUND);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_customer_360_orders_items_shipments_tickets)
{
	struct replica		*r;
	struct customer_360	*c = NULL;
	char			 cid[UUID_STRLEN + 1], oid[UUID_STRLEN + 1];
	char			*path, *fx_cause = NULL;

	path = fx_make("c360");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	fx_id(cid, 3, 0);
	FX_CHECK(replica_customer_get(r, cid, &c, &fx_cause));
	ck_assert_str_eq(c->name, "Ada Lovelace");
	ck_assert_str_eq(c->company, "Acme Corp");
	ck_assert_uint_eq(c->norders, 2);
	/* Newest first: order j=1 was placed later. */
	ck_assert_str_eq(c->orders[0].number, "SO-01000");
	ck_assert_uint_eq(c->orders[0].nitems, 1);
	ck_assert_int_eq(c->orders[0].items[0].qty, 2);
	ck_assert_uint_eq(c->orders[0].nshipments, 1);
	ck_assert_str_eq(c->orders[0].shipments[0].status, "in_transit");
	ck_assert_uint_eq(c->tickets.n, FX_TICKETS / 5);
	customer_360_free(c);
	FX_CHECK(replica_order_customer(r, "so-01000", cid, oid, &fx_cause));
	ck_assert_int_eq(replica_order_customer(r, "SO-nope", cid, oid,
	    &fx_cause), REPLICA_NOTFOUND);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_search_ranks_exact_then_relevance_with_snippets)
{
	struct replica		*r;
	struct search_result	 res;
	char			*path, *fx_cause = NULL;
	size_t			 i;

	path = fx_make("search");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	/* #N first. */
	FX_CHECK(replica_search(r, "#42", 5, 0, &res, &fx_cause));
	ck_assert_uint_ge(res.n, 1);
	ck_assert_int_eq(res.v[0].exact, 1);
	ck_assert_int_eq(res.v[0].ticket_number, 42);
	search_result_free(&res);
	/* An exact order number, any case, first. */
	FX_CHECK(replica_search(r, "so-21002", 5, 0, &res, &fx_cause));
	ck_assert_uint_ge(res.n, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_ORDER);
	ck_assert_int_eq(res.v[0].exact, 1);
	ck_assert_str_eq(res.v[0].title, "SO-21002");
	search_result_free(&res);
	/* "kettle": the subject hit and the thread saying it three times. */
	FX_CHECK(replica_search(r, "kettle", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 2);
	for (i = 0; i < res.n; i++) {
		ck_assert_ptr_nonnull(strstr(res.v[i].snippet,
		    "\001kettle\002"));
		ck_assert(i == 0 || res.v[i - 1].score <= res.v[i].score);
	}
	search_result_free(&res);
	/* Customers by name, accents folded; a prefix only when asked. */
	FX_CHECK(replica_search(r, "bjork", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_CUSTOMER);
	search_result_free(&res);
	FX_CHECK(replica_search(r, "lovel", 10, SEARCH_PREFIX, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	search_result_free(&res);
	FX_CHECK(replica_search(r, "lovel", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 0);
	search_result_free(&res);
	/*
	 * Type-ahead completes a subject's word, not a message body's; a
	 * whole word finds both, each hit with its marked snippet.
	 */
	FX_CHECK(replica_search(r, "kett", 10, SEARCH_PREFIX, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	ck_assert_int_eq(res.v[0].kind, SEARCH_TICKET);
	ck_assert_ptr_nonnull(strstr(res.v[0].snippet, "\001"));
	search_result_free(&res);
	FX_CHECK(replica_search(r, "kettle", 10, SEARCH_PREFIX, &res,
	    &fx_cause));
	ck_assert_uint_eq(res.n, 2);
	ck_assert_ptr_nonnull(strstr(res.v[0].snippet, "\001"));
	ck_assert_ptr_nonnull(strstr(res.v[1].snippet, "\001"));
	search_result_free(&res);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_search_text_is_never_fts_syntax)
{
	static const char *const evil[] = {
		"\"", "\"\"\"", "kettle OR parcel", "NEAR(kettle parcel)",
		"kettle*", "^kettle", "subject:kettle", "(", ")", "-", "*",
		"'; DROP TABLE tickets; --", "a\"b", "\xff\xfe", "   ",
	};
	struct replica		*r;
	struct search_result	 res;
	char			*path, *fx_cause = NULL;
	size_t			 i;

	path = fx_make("evil");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	for (i = 0; i < nitems(evil); i++) {
		FX_CHECK(replica_search(r, evil[i], 10, 0, &res, &fx_cause));
		search_result_free(&res);
		FX_CHECK(replica_search(r, evil[i], 10, SEARCH_PREFIX, &res,
		    &fx_cause));
		search_result_free(&res);
	}
	/* "kettle OR parcel" means all three words, not an OR. */
	FX_CHECK(replica_search(r, "kettle OR parcel", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 0);
	search_result_free(&res);
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_fts_follows_updates_and_deletes)
{
	struct replica		*r;
	struct search_result	 res;
	char			*path, *fx_cause = NULL;

	path = fx_make("ftsstep");
	raw_exec(path, "UPDATE tickets SET subject = 'Marmalade emergency' "
	    "WHERE number = 7; UPDATE messages SET body = 'hovercraft eels' "
	    "WHERE rid = 1; DELETE FROM messages WHERE body LIKE '%kettle%'");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	FX_CHECK(replica_search(r, "kettle", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 0);
	search_result_free(&res);
	FX_CHECK(replica_search(r, "marmalade", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	ck_assert_int_eq(res.v[0].ticket_number, 7);
	search_result_free(&res);
	FX_CHECK(replica_search(r, "hovercraft", 10, 0, &res, &fx_cause));
	ck_assert_uint_eq(res.n, 1);
	search_result_free(&res);
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

/* Write a local message and its outbox entry in one transaction. */
static void
local_reply(struct replica *r, int n, int commit, int64_t *seq)
{
	struct message_rec	 m;
	char			 mid[UUID_STRLEN + 1], tid[UUID_STRLEN + 1];
	char			*fx_cause = NULL;

	fx_id(tid, 7, 1);
	fx_id(mid, 10, n);
	memset(&m, 0, sizeof m);
	m.id = mid;
	m.ticket_id = tid;
	m.author = "agent";
	m.body = "a local reply";
	m.created_at = FX_NOW;
	FX_CHECK(replica_begin(r, &fx_cause));
	FX_CHECK(replica_put_message(r, &m, &fx_cause));
	FX_CHECK(replica_outbox_append(r, "reply", tid, mid,
	    "{\"body\":\"a local reply\"}", seq, &fx_cause));
	if (commit)
		FX_CHECK(replica_commit(r, &fx_cause));
}

START_TEST(test_outbox_seq_in_order_and_crash_loses_both_halves)
{
	struct replica		*r;
	struct outbox_list	 l;
	struct ticket_detail	*d;
	char			*path, *fx_cause = NULL;
	int64_t			 seq, n;
	pid_t			 pid;
	int			 status, i;

	path = fx_make("outbox");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(replica_outbox_append(r, "reply", NULL, NULL, "{}",
	    &seq, &fx_cause), -1);
	free(fx_cause);
	fx_cause = NULL;
	for (i = 1; i <= 3; i++) {
		local_reply(r, i, 1, &seq);
		ck_assert_int_eq(seq, i);
	}
	replica_close(r);

	/* A child dies between the local change and the commit. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (replica_open(path, 0, &r, &fx_cause) != 0)
			_exit(2);
		local_reply(r, 4, 0, &seq);
		_exit(seq == 4 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	FX_CHECK(replica_outbox_count(r, OUTBOX_PENDING, &n, &fx_cause));
	ck_assert_int_eq(n, 3);
	FX_CHECK(replica_ticket_get(r, 1, NULL, &d, &fx_cause));
	ck_assert_uint_eq(d->nmessages, 2 + 3);
	ck_assert_int_eq(d->messages[4].state, SYNC_PENDING);
	ck_assert(d->t.pending);
	ticket_detail_free(d);

	/* The next entry continues the sequence, never reusing a number. */
	local_reply(r, 5, 1, &seq);
	ck_assert_int_eq(seq, 4);
	FX_CHECK(replica_outbox_mark(r, 1, OUTBOX_APPLIED, NULL, 77,
	    &fx_cause));
	FX_CHECK(replica_outbox_mark(r, 2, OUTBOX_REJECTED, "no permission",
	    0, &fx_cause));
	FX_CHECK(replica_outbox_list(r, OUTBOX_MASK(OUTBOX_PENDING) |
	    OUTBOX_MASK(OUTBOX_REJECTED), &l, &fx_cause));
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.v[0].seq, 2);
	ck_assert_str_eq(l.v[0].reason, "no permission");
	ck_assert_int_eq(l.v[0].ticket_number, 1);
	ck_assert_int_eq(l.v[1].seq, 3);
	ck_assert_int_eq(l.v[2].seq, 4);
	outbox_list_free(&l);
	ck_assert_int_eq(replica_outbox_mark(r, 99, OUTBOX_APPLIED, NULL, 1,
	    &fx_cause), -1);
	free(fx_cause);
	replica_close(r);
	raw_exec(path, "DELETE FROM outbox WHERE seq = 4");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	local_reply(r, 6, 1, &seq);
	ck_assert_int_eq(seq, 5);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_drafts_settings_and_views)
{
	struct replica		*r;
	struct saved_view_list	 views;
	struct saved_view	 v;
	struct queue		*q;
	struct query_error	 err;
	char			*path, *body = NULL, *s, *fx_cause = NULL;
	char			*commit = NULL;
	size_t			 i;

	path = fx_make("drafts");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(replica_draft_load(r, "t", "reply", &body, NULL,
	    &fx_cause), REPLICA_NOTFOUND);
	FX_CHECK(replica_draft_save(r, "t", "reply", "first \x1b[2J",
	    "c0ffee", &fx_cause));
	/* A later save without a macro keeps the macro's commit. */
	FX_CHECK(replica_draft_save(r, "t", "reply", "second\n\tline", NULL,
	    &fx_cause));
	FX_CHECK(replica_draft_save(r, "t", "note", "a note", NULL,
	    &fx_cause));
	FX_CHECK(replica_draft_load(r, "t", "reply", &body, &commit,
	    &fx_cause));
	ck_assert_str_eq(body, "second\n\tline");
	ck_assert_str_eq(commit, "c0ffee");
	free(body);
	free(commit);
	FX_CHECK(replica_draft_delete(r, "t", "reply", &fx_cause));
	ck_assert_int_eq(replica_draft_load(r, "t", "reply", &body, NULL,
	    &fx_cause), REPLICA_NOTFOUND);
	FX_CHECK(replica_draft_load(r, "t", "note", &body, &commit,
	    &fx_cause));
	ck_assert_ptr_null(commit);
	free(body);

	ck_assert_ptr_null(replica_setting(r, "nothing"));
	FX_CHECK(replica_setting_set(r, "k", "v1", &fx_cause));
	FX_CHECK(replica_setting_set(r, "k", "v2", &fx_cause));
	s = replica_setting(r, "k");
	ck_assert_str_eq(s, "v2");
	free(s);
	FX_CHECK(replica_setting_set(r, "k", NULL, &fx_cause));
	ck_assert_ptr_null(replica_setting(r, "k"));

	FX_CHECK(replica_views(r, &views, &fx_cause));
	ck_assert_uint_eq(views.n, 6);
	ck_assert_str_eq(views.v[0].name, "My open");
	for (i = 0; i < views.n; i++) {
		if (replica_queue_open(r, views.v[i].query, views.v[i].sort,
		    &q, &err) != 0)
			ck_abort_msg("view %s: %s", views.v[i].name,
			    err.message);
		replica_queue_close(q);
	}
	saved_view_list_free(&views);
	FX_CHECK(replica_view_save(r, "Refunds", "tag:refund",
	    QUEUE_SORT_PRIORITY, &fx_cause));
	FX_CHECK(replica_view_get(r, "refunds", &v, &fx_cause));
	ck_assert_str_eq(v.query, "tag:refund");
	ck_assert_int_eq(v.sort, QUEUE_SORT_PRIORITY);
	saved_view_clear(&v);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_generated_replica_is_consistent)
{
	struct replica		*r;
	struct gen_opts		 go;
	struct gen_stats	 st;
	struct queue		*q;
	struct query_error	 err;
	char			*path, *me, *fx_cause = NULL;
	int64_t			 n;

	path = fx_tmpname("gen");
	FX_CHECK(replica_open(path, REPLICA_CREATE | REPLICA_BULK, &r,
	    &fx_cause));
	memset(&go, 0, sizeof go);
	go.seed = 7;
	go.tickets = 600;
	go.now = FX_NOW;
	FX_CHECK(replica_generate(r, &go, NULL, NULL, &st, &fx_cause));
	ck_assert_int_eq(st.tickets, 600);
	me = replica_me(r);
	ck_assert_ptr_nonnull(me);
	free(me);
	time_set_now_ms(FX_NOW);
	ck_assert_int_eq(replica_queue_open(r, "assignee:me status:unsolved",
	    QUEUE_SORT_SLA, &q, &err), 0);
	FX_CHECK(replica_queue_count(q, &n, &fx_cause));
	ck_assert_int_gt(n, 0);
	replica_queue_close(q);
	time_set_now_ms(0);
	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM messages"),
	    st.messages);
	fx_unlink(path);
	free(path);
}
END_TEST

/*
 * The console opens a second connection (its worker) and other processes
 * (triage ls, sqlite3) open and close the replica while it runs. None of
 * that may cost the first connection its locks: if it did, the last closer
 * would delete the live WAL and later writes would be lost.
 */
START_TEST(test_other_connections_closing_keep_the_wal)
{
	struct replica	*r1, *r2;
	struct stat	 sb;
	char		*path, *wal, *body = NULL, *fx_cause = NULL;
	pid_t		 pid;
	int		 status;

	path = fx_make("locks");
	wal = xprintf("%s-wal", path);
	FX_CHECK(replica_open(path, 0, &r1, &fx_cause));
	FX_CHECK(replica_draft_save(r1, "t", "reply", "before",
	    NULL, &fx_cause));
	FX_CHECK(replica_open(path, 0, &r2, &fx_cause));
	replica_close(r2);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (replica_open(path, 0, &r2, &fx_cause) != 0)
			_exit(2);
		replica_close(r2);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(stat(wal, &sb), 0);
	FX_CHECK(replica_draft_save(r1, "t", "reply", "after",
	    NULL, &fx_cause));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (replica_open(path, 0, &r2, &fx_cause) != 0 ||
		    replica_draft_load(r2, "t", "reply", &body,
		    NULL, &fx_cause) != 0)
			_exit(2);
		_exit(strcmp(body, "after") == 0 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another process does not see the first connection's write");
	replica_close(r1);
	free(wal);
	fx_unlink(path);
	free(path);
}
END_TEST

static Suite *
replica_suite(void)
{
	Suite	*s = suite_create("replica");
	TCase	*tc;

	tc = tcase_create("open");
	tcase_add_test(tc, test_open_creates_wal_replica_at_latest_version);
	tcase_add_test(tc, test_open_missing_without_create_fails);
	tcase_add_test(tc, test_newer_replica_refused_untouched);
	tcase_add_test(tc, test_foreign_sqlite_refused_untouched);
	tcase_add_test(tc, test_non_database_file_refused_untouched);
	tcase_add_test(tc, test_truncated_replica_refused_untouched);
	tcase_add_test(tc, test_tail_truncated_replica_refused_untouched);
	tcase_add_test(tc, test_migration_from_v1_indexes_existing_rows);
	tcase_add_test(tc, test_failed_migration_leaves_old_version_whole);
	tcase_add_test(tc, test_migration_from_every_version_keeps_data);
	tcase_add_test(tc, test_other_connections_closing_keep_the_wal);
	suite_add_tcase(s, tc);

	tc = tcase_create("queries");
	tcase_add_test(tc, test_queue_windows_match_full_sort_for_every_sort);
	tcase_add_test(tc, test_queue_bad_query_reports_column);
	tcase_add_test(tc, test_ticket_detail_has_thread_events_and_names);
	tcase_add_test(tc, test_customer_360_orders_items_shipments_tickets);
	suite_add_tcase(s, tc);

	tc = tcase_create("search");
	tcase_add_test(tc, test_search_ranks_exact_then_relevance_with_snippets);
	tcase_add_test(tc, test_search_text_is_never_fts_syntax);
	tcase_add_test(tc, test_fts_follows_updates_and_deletes);
	suite_add_tcase(s, tc);

	tc = tcase_create("local");
	tcase_add_test(tc, test_outbox_seq_in_order_and_crash_loses_both_halves);
	tcase_add_test(tc, test_drafts_settings_and_views);
	tcase_add_test(tc, test_generated_replica_is_consistent);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(replica_suite()));
}
