/* check-sync-apply.c: pulled pages into a real replica: overlays, rejections, bad pages, bulk loads. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testutil.h"
#include "sync/sync-int.h"

#define T1	"01a20000-0000-7000-8000-000000000001"
#define T2	"01a20000-0000-7000-8000-000000000002"
#define M1	"01a20000-0000-7000-8000-0000000000a1"

static char		 path[64];
static struct replica	*r;

static void
setup(void)
{
	char	*cause = NULL;

	snprintf(path, sizeof path, "/tmp/check-sync-apply.%d.db",
	    (int)getpid());
	unlink(path);
	ck_assert_msg(replica_open(path, REPLICA_CREATE, &r, &cause) == 0,
	    "%s", cause);
}

static void
teardown(void)
{
	char	 p[80];

	replica_close(r);
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* A ticket row as the server sends it. */
static char *
ticket(const char *id, int number, const char *status, const char *prio,
    const char *tags, int64_t rev)
{
	return (xprintf("{\"id\":\"%s\",\"number\":%d,\"subject\":\"Parcel "
	    "%d\",\"status\":\"%s\",\"priority\":\"%s\",\"channel\":\"email\","
	    "\"category\":null,\"tags\":%s,\"customer_id\":null,"
	    "\"assignee_id\":null,\"team_id\":null,\"created_at\":1000,"
	    "\"updated_at\":%lld,\"first_response_due\":null,"
	    "\"first_response_at\":null,\"resolution_due\":null,"
	    "\"solved_at\":null,\"escalation\":0,\"merged_into\":null,"
	    "\"rev\":%lld,\"deleted\":false}", id, number, number, status, prio,
	    tags, (long long)rev * 1000, (long long)rev));
}

/* Apply a page's text; 0 or -1 with the cause in *why (Caller frees). */
static int
apply(const char *text, char **why)
{
	struct sync_page	 pg;
	struct sync_batch	 b = { 0, 0 };
	struct buf		 t = BUF_INIT;
	int64_t			 rows;
	int			 rc;

	*why = NULL;
	buf_puts(&t, text);
	rc = sync_page_open(&pg, &t, why);
	if (rc == 0)
		rc = sync_page_apply(&pg, r, &b, &rows, why);
	if (rc == 0)
		rc = sync_batch_commit(r, &b, why);
	sync_page_free(&pg);
	buf_free(&t);
	return (rc);
}

static void
apply_ok(const char *text)
{
	char	*why;

	ck_assert_msg(apply(text, &why) == 0, "%s", why);
}

/* A page of tickets: cursor, more, then the rows given. */
static void
apply_tickets(int64_t cursor, int more, const char *rows)
{
	char	*page = xprintf("{\"cursor\":%lld,\"more\":%s,\"changes\":"
	    "{\"tickets\":[%s]}}", (long long)cursor, more ? "true" : "false",
	    rows);

	apply_ok(page);
	free(page);
}

/* One value from the replica, as text ("" for NULL). Caller frees. */
static char *
value(const char *sql)
{
	char		*v;
	sqlite3		*db;
	sqlite3_stmt	*s;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	v = xstrdup(sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_text(s, 0) != NULL ?
	    (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (v);
}

static void
check_value(const char *sql, const char *want)
{
	char	*got = value(sql);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    sql, got, want);
	free(got);
}

static void
two_tickets(void)
{
	char	*a = ticket(T1, 1, "open", "normal", "[\"refund\"]", 1);
	char	*b = ticket(T2, 2, "new", "low", "[]", 2);
	char	*rows = xprintf("%s,%s", a, b);

	apply_tickets(2, 0, rows);
	free(rows);
	free(a);
	free(b);
}

START_TEST(rows_land_with_their_cursor)
{
	int64_t	 cursor;
	char	*cause = NULL;

	two_tickets();
	check_value("SELECT count(*) FROM tickets", "2");
	check_value("SELECT tags FROM tickets WHERE number = 1",
	    "[\"refund\"]");
	check_value("SELECT count(*) FROM ticket_tags", "1");
	ck_assert_int_eq(replica_sync_cursor(r, &cursor, &cause), 0);
	ck_assert_int_eq(cursor, 2);
	/* A message, then its tombstone. */
	apply_ok("{\"cursor\":3,\"more\":false,\"changes\":{\"messages\":[{"
	    "\"id\":\"" M1 "\",\"ticket_id\":\"" T1 "\",\"author\":\"customer\","
	    "\"author_id\":null,\"internal\":false,\"body\":\"caf\\u00e9 "
	    "parcel\",\"created_at\":5,\"delivery\":null,"
	    "\"delivery_reason\":null,\"macro_commit\":null,\"rev\":3,"
	    "\"deleted\":false}]}}");
	check_value("SELECT body FROM messages", "caf\xc3\xa9 parcel");
	check_value("SELECT count(*) FROM messages_fts WHERE messages_fts "
	    "MATCH 'cafe'", "1");
	apply_ok("{\"cursor\":4,\"more\":false,\"changes\":{\"messages\":[{"
	    "\"id\":\"" M1 "\",\"rev\":4,\"deleted\":true}],\"unknown\":[{}]},"
	    "\"extra\":{\"a\":[1]}}");
	check_value("SELECT count(*) FROM messages", "0");
}
END_TEST

/*
 * DESIGN.md section 6: a pending change stays shown over a pulled row,
 * and so does one the server applied at a rev the row has not reached.
 */
START_TEST(pending_changes_stay_over_pulled_rows)
{
	struct ticket_change	 c;
	const char		*add[] = { "vip" };
	char			*cause = NULL, *row;
	int			 n;

	two_tickets();
	ticket_change_init(&c);
	c.status = TICKET_PENDING;
	c.tags_add = add;
	c.ntags_add = 1;
	ck_assert_msg(replica_act_set(r, T1, &c, &n, &cause) == 0, "%s",
	    cause);
	ck_assert_int_eq(n, 2);
	check_value("SELECT status FROM tickets WHERE id = '" T1 "'", "2");

	/* The server's row moves on (priority high); ours stays pending. */
	row = ticket(T1, 1, "open", "high", "[\"refund\"]", 5);
	apply_tickets(5, 0, row);
	free(row);
	check_value("SELECT status || ' ' || priority || ' ' || tags FROM "
	    "tickets WHERE id = '" T1 "'", "2 2 [\"refund\",\"vip\"]");
	check_value("SELECT count(*) FROM ticket_tags WHERE ticket_id = '" T1
	    "'", "2");

	/* Applied at rev 9: a row at rev 7 lacks it, one at rev 9 has it. */
	ck_assert_int_eq(replica_begin(r, &cause), 0);
	ck_assert_int_eq(replica_outbox_mark(r, 1, OUTBOX_APPLIED, NULL, 9,
	    &cause), 0);
	ck_assert_int_eq(replica_outbox_mark(r, 2, OUTBOX_APPLIED, NULL, 9,
	    &cause), 0);
	ck_assert_int_eq(replica_commit(r, &cause), 0);
	row = ticket(T1, 1, "open", "high", "[\"refund\"]", 7);
	apply_tickets(7, 0, row);
	free(row);
	check_value("SELECT status || ' ' || tags FROM tickets WHERE id = '"
	    T1 "'", "2 [\"refund\",\"vip\"]");
	row = ticket(T1, 1, "solved", "high", "[\"refund\"]", 9);
	apply_tickets(9, 0, row);
	free(row);
	check_value("SELECT status || ' ' || tags FROM tickets WHERE id = '"
	    T1 "'", "4 [\"refund\"]");
}
END_TEST

/* A refused change is put back at once; discarding it later does nothing. */
START_TEST(rejected_changes_are_put_back)
{
	struct ticket_change	 c;
	char			*cause = NULL, mid[UUID_STRLEN + 1];
	int64_t			 seq;
	int			 n;

	two_tickets();
	ticket_change_init(&c);
	c.priority = PRIORITY_URGENT;
	ck_assert_int_eq(replica_act_set(r, T2, &c, &n, &cause), 0);
	ck_assert_int_eq(replica_act_reply(r, T2, "Hello", 0, NULL, NULL, mid,
	    &seq, &cause), 0);
	check_value("SELECT priority FROM tickets WHERE id = '" T2 "'", "3");
	check_value("SELECT count(*) FROM messages", "1");
	ck_assert_int_eq(replica_begin(r, &cause), 0);
	ck_assert_int_eq(replica_outbox_mark(r, 1, OUTBOX_REJECTED,
	    "viewers cannot change tickets", 0, &cause), 0);
	ck_assert_int_eq(replica_outbox_mark(r, seq, OUTBOX_REJECTED,
	    "viewers cannot reply", 0, &cause), 0);
	ck_assert_int_eq(replica_commit(r, &cause), 0);
	check_value("SELECT priority FROM tickets WHERE id = '" T2 "'", "0");
	check_value("SELECT count(*) FROM messages", "0");
	check_value("SELECT reason FROM outbox WHERE seq = 1",
	    "viewers cannot change tickets");
	/* The entry still says what it wanted; a discard only marks it. */
	ck_assert_msg(replica_outbox_discard(r, 1, &cause) == 0, "%s", cause);
	check_value("SELECT priority FROM tickets WHERE id = '" T2 "'", "0");
}
END_TEST

/* Bad pages: refused with a reason, the replica as it was. */
START_TEST(bad_pages_change_nothing)
{
	static const char *const bad[] = {
		"",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[]}",
		"{\"changes\":{},\"cursor\":9,\"more\":false}",
		"{\"cursor\":\"9\",\"more\":false,\"changes\":{}}",
		"{\"cursor\":1,\"more\":false,\"changes\":{}}",
		"{\"cursor\":9,\"more\":false,\"changes\":[]}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":{}}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[1]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[{"
		    "\"id\":\"x\",\"rev\":9}]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[{"
		    "\"id\":\"" T1 "\",\"subject\":\"\xff\",\"rev\":9}]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[{"
		    "\"id\":\"" T1 "\",\"subject\":7,\"rev\":9}]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[{"
		    "\"id\":\"" T1 "\",\"subject\":\"s\",\"status\":\"gone\","
		    "\"priority\":\"low\",\"rev\":9}]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{\"tickets\":[{"
		    "\"id\":\"" T1 "\",\"tags\":[1],\"rev\":9}]}}",
		"{\"cursor\":9,\"more\":false,\"changes\":{}} trailing",
	};
	char	*row, *page, *why;
	size_t	 i;

	two_tickets();
	/* A good row first in each page: a half-applied page would keep it. */
	row = ticket(T2, 2, "solved", "low", "[]", 8);
	for (i = 0; i < nitems(bad); i++) {
		if (strstr(bad[i], "\"tickets\":[") != NULL) {
			const char *at = strstr(bad[i], "\"tickets\":[") + 11;

			page = xprintf("%.*s%s%s%s", (int)(at - bad[i]),
			    bad[i], row, *at == ']' || *at == '\0' ? "" : ",",
			    at);
		} else
			page = xstrdup(bad[i]);
		ck_assert_msg(apply(page, &why) != 0, "accepted: %s", page);
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, "server") != NULL, "%s: %s", page,
		    why);
		free(why);
		free(page);
		check_value("SELECT cursor FROM sync_state", "2");
		check_value("SELECT status FROM tickets WHERE id = '" T2 "'",
		    "0");
	}
	free(row);
}
END_TEST

/* The first sync of an empty replica: a bulk load, finished at the end. */
START_TEST(first_sync_is_a_bulk_load)
{
	char	*a = ticket(T1, 1, "open", "normal", "[\"refund\"]", 1);
	char	*b = ticket(T2, 2, "new", "low", "[\"vip\"]", 2);
	/* T1 again, changed while the load went on: new tags. */
	char	*a2 = ticket(T1, 1, "open", "normal", "[\"late\",\"vip\"]",
	    3);
	char	*indexes, *cause = NULL, *rows;

	indexes = value("SELECT group_concat(name) FROM (SELECT name FROM "
	    "sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name)");
	apply_tickets(1, 1, a);
	check_value("SELECT count(*) > 5 FROM bulk_ddl", "1");
	/* The triggers that would make every insert keep a statement
	 * journal wait for the end too. */
	check_value("SELECT count(*) FROM sqlite_master WHERE name IN "
	    "('tickets_fts_ai', 'tickets_tags_ai', 'tickets_tags_au')", "0");
	rows = xprintf("%s,%s", b, a2);
	apply_tickets(3, 0, rows);
	free(rows);
	free(a2);
	check_value("SELECT count(*) FROM bulk_ddl", "0");
	check_value("SELECT group_concat(name) FROM (SELECT name FROM "
	    "sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name)",
	    indexes);
	check_value("SELECT count(*) FROM tickets_fts WHERE tickets_fts "
	    "MATCH 'parcel'", "2");
	check_value("SELECT group_concat(tag || ' ' || n, ', ') FROM (SELECT "
	    "g.tag, t.number n FROM ticket_tags g JOIN tickets t ON t.id = "
	    "g.ticket_id ORDER BY 1, 2)", "late 1, vip 1, vip 2");
	ck_assert_msg(replica_check(r, &cause) == 0, "%s", cause);
	free(indexes);
	free(a);
	free(b);
}
END_TEST

/* The progress a console and triage sync show. */
START_TEST(progress_in_thousandths)
{
	struct sync_report	 rep;

	memset(&rep, 0, sizeof rep);
	ck_assert_int_eq(sync_permille(&rep), -1);	/* not known */
	rep.start = 100;
	rep.head = 1100;
	rep.cursor = 100;
	ck_assert_int_eq(sync_permille(&rep), 0);
	rep.cursor = 550;
	ck_assert_int_eq(sync_permille(&rep), 450);
	rep.cursor = 1100;
	ck_assert_int_eq(sync_permille(&rep), 1000);
	rep.cursor = 5000;		/* more came meanwhile */
	ck_assert_int_eq(sync_permille(&rep), 1000);
}
END_TEST

static Suite *
sync_apply_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("sync-apply");
	tc = tcase_create("sync-apply");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rows_land_with_their_cursor);
	tcase_add_test(tc, pending_changes_stay_over_pulled_rows);
	tcase_add_test(tc, rejected_changes_are_put_back);
	tcase_add_test(tc, bad_pages_change_nothing);
	tcase_add_test(tc, first_sync_is_a_bulk_load);
	tcase_add_test(tc, progress_in_thousandths);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(sync_apply_suite()));
}
