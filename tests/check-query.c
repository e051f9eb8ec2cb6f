/* check-query.c: the query language: parsing, errors, normal form, SQL on a replica. */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/base.h"
#include "model/model.h"

/* Frozen "now": 2026-01-01T00:00:00Z, and the units the fixture uses. */
#define NOW	1767225600000LL
#define NOW_S	"1767225600000"
#define M_S	"60000"
#define H_S	"3600000"
#define D_S	"86400000"

/* The replica every SQL test runs against (each test runs in its own child). */
static sqlite3	*db;

/*
 * A small organisation: two teams, two agents, three customers (one named
 * like an injection), eight tickets. Ticket 8 is not numbered yet.
 *
 * #  status   prio    channel category tags         customer assignee team
 * 1  open     high    email   Billing  refund,vip   acme     alice    Billing
 * 2  new      normal  chat    Shipping shipping     globex   -        Tier 2
 * 3  pending  low     email   -        -            acme     bob      Tier 2
 * 4  solved   urgent  phone   billing  spam         globex   alice    -
 * 5  on_hold  high    web     Shipping vip,shipping -        -        Billing
 * 6  closed   normal  email   -        spam         acme     bob      -
 * 7  open     urgent  email   -        -            inj      alice    -
 * 8  new      normal  email   -        -            -        -        -
 *
 * SLA: 1 breached 1h ago, 2 due in 1h, 7 due in 5h, the rest run no clock.
 * Created: 1 -1d, 2 -10d, 3 -2d, 4 -30d, 5 -3h, 6 -60d, 7 -5h, 8 -10m.
 * Updated: 1 -1h, 2 -3h, 3 -30m, 4 -8d, 5 -1h, 6 -40d, 7 -2h, 8 -10m.
 */
static const char fixture_sql[] =
	"INSERT INTO teams(id, name) VALUES ('tm-2', 'Tier 2'),"
	"    ('tm-b', 'Billing');"
	"INSERT INTO users(id, email, name) VALUES"
	"    ('u-me', 'alice@example.com', 'Alice'),"
	"    ('u-bob', 'Bob@Example.com', 'Bob');"
	"INSERT INTO customers(id, name, email, company, created_at,"
	"    updated_at) VALUES"
	"    ('c-acme', 'Wile Coyote', 'wile@acme.test', 'Acme Corp', 0, 0),"
	"    ('c-globex', 'Hank Scorpio', 'hank@globex.test', 'Globex', 0, 0),"
	"    ('c-inj', 'x'' OR 1=1 --', 'evil@inj.test', NULL, 0, 0);"
	"INSERT INTO tickets(id, number, subject, status, priority, channel,"
	"    category, tags, customer_id, assignee_id, team_id, created_at,"
	"    updated_at, first_response_due, first_response_at, resolution_due)"
	"    VALUES"
	"    ('t1', 1, 'Refund for broken anvil', 1, 2, 'email', 'Billing',"
	"    '[\"refund\",\"vip\"]', 'c-acme', 'u-me', 'tm-b',"
	"    " NOW_S "-" D_S ", " NOW_S "-" H_S ", " NOW_S "-" H_S ", NULL,"
	"    " NOW_S "+2*" D_S "),"
	"    ('t2', 2, 'Where is my order', 0, 1, 'chat', 'Shipping',"
	"    '[\"shipping\"]', 'c-globex', NULL, 'tm-2',"
	"    " NOW_S "-10*" D_S ", " NOW_S "-3*" H_S ","
	"    " NOW_S "+" H_S ", NULL, NULL),"
	"    ('t3', 3, 'Password reset', 2, 0, 'email', NULL, '[]', 'c-acme',"
	"    'u-bob', 'tm-2', " NOW_S "-2*" D_S ", " NOW_S "-30*" M_S ","
	"    " NOW_S "+" H_S ", NULL, NULL),"
	"    ('t4', 4, 'Invoice question', 4, 3, 'phone', 'billing',"
	"    '[\"spam\"]', 'c-globex', 'u-me', NULL, " NOW_S "-30*" D_S ","
	"    " NOW_S "-8*" D_S ", NULL, NULL, NULL),"
	"    ('t5', 5, 'Anvil delivery late', 3, 2, 'web', 'Shipping',"
	"    '[\"vip\",\"shipping\"]', NULL, NULL, 'tm-b', " NOW_S "-3*" H_S ","
	"    " NOW_S "-" H_S ", NULL, NULL, NULL),"
	"    ('t6', 6, 'Account closed', 5, 1, 'email', NULL, '[\"spam\"]',"
	"    'c-acme', 'u-bob', NULL, " NOW_S "-60*" D_S ","
	"    " NOW_S "-40*" D_S ", NULL, NULL, NULL),"
	"    ('t7', 7, 'Open ticket with resolution clock', 1, 3, 'email',"
	"    NULL, '[]', 'c-inj', 'u-me', NULL, " NOW_S "-5*" H_S ","
	"    " NOW_S "-2*" H_S ", " NOW_S "-4*" H_S ", " NOW_S "-3*" H_S ","
	"    " NOW_S "+5*" H_S "),"
	"    ('t8', NULL, 'Draft ticket not synced', 0, 1, 'email', NULL, '[]',"
	"    NULL, NULL, NULL, " NOW_S "-10*" M_S ", " NOW_S "-10*" M_S ","
	"    NULL, NULL, NULL);"
	"INSERT INTO messages(id, ticket_id, author, body, created_at, deleted)"
	"    VALUES"
	"    ('m1', 't2', 'customer', 'The parcel never arrived, tracking says"
	"    lost', 0, 0),"
	"    ('m2', 't3', 'customer', 'I forgot my password again', 0, 0),"
	"    ('m3', 't6', 'customer', 'nothing relevant here', 0, 0),"
	"    ('m4', 't1', 'agent', 'He said \"quoted\" things', 0, 0);"
	"INSERT INTO outbox(mutation_id, type, ticket_id, payload, state,"
	"    created_at, updated_at) VALUES"
	"    ('mu1', 'ticket.update', 't3', '{}', 0, 0, 0),"
	"    ('mu2', 'ticket.update', 't4', '{}', 1, 0, 0);";

/* Run one SQL file from the source tree's data/replica/. */
static void
run_sql_file(const char *name)
{
	struct buf	 b = BUF_INIT;
	char		*path, *cause = NULL, *errmsg = NULL;

	path = xprintf("%s/data/replica/%s", testutil_srcdir(), name);
	ck_assert_msg(buf_read_file(&b, path, 0, &cause) == 0, "%s", cause);
	ck_assert_msg(sqlite3_exec(db, buf_cstr(&b), NULL, NULL, &errmsg) ==
	    SQLITE_OK, "%s: %s", path, errmsg);
	buf_free(&b);
	free(path);
}

/* Fixture: an in-memory replica with the migrations and the data above. */
static void
db_setup(void)
{
	char	*errmsg = NULL;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	run_sql_file("001-initial.sql");
	run_sql_file("002-search.sql");
	ck_assert_msg(sqlite3_exec(db, fixture_sql, NULL, NULL, &errmsg) ==
	    SQLITE_OK, "fixture: %s", errmsg);
}

/* Fixture: close the replica. */
static void
db_teardown(void)
{
	sqlite3_close(db);
	db = NULL;
}

/* Parse s, which must succeed. */
static struct query *
parse_ok(const char *s)
{
	struct query		*q;
	struct query_error	 err;

	ck_assert_msg(query_parse(s, &q, &err) == 0, "%s: %s", s,
	    err.message);
	ck_assert_ptr_null(err.message);
	ck_assert_ptr_nonnull(q);
	return (q);
}

/* Compile s with me and the frozen now. */
static void
compile_ok(const char *s, const char *me, struct query_sql *sql)
{
	struct query		*q;
	struct query_error	 err;
	struct query_ctx	 ctx = { me, NOW };

	q = parse_ok(s);
	ck_assert_msg(query_compile(q, &ctx, sql, &err) == 0, "%s: %s", s,
	    err.message);
	query_free(q);
}

/* Prepare and bind a compiled query's SELECT. */
static sqlite3_stmt *
prepare(const struct query_sql *sql, const char *what)
{
	sqlite3_stmt	*stmt;
	char		*text;
	size_t		 i;
	int		 rc;

	text = xprintf("SELECT t.number FROM tickets t WHERE %s"
	    " ORDER BY t.number", sql->where.data);
	rc = sqlite3_prepare_v2(db, text, -1, &stmt, NULL);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s: %s", what, text,
	    sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_bind_parameter_count(stmt), (int)sql->nparams);
	for (i = 0; i < sql->nparams; i++) {
		if (sql->params[i].type == QUERY_PARAM_INT)
			rc = sqlite3_bind_int64(stmt, (int)i + 1,
			    sql->params[i].i);
		else
			rc = sqlite3_bind_text(stmt, (int)i + 1,
			    sql->params[i].s, -1, SQLITE_TRANSIENT);
		ck_assert_int_eq(rc, SQLITE_OK);
	}
	free(text);
	return (stmt);
}

/* The numbers of the tickets s matches, "-" for unnumbered. Caller frees. */
static char *
matches(const char *s, const char *me)
{
	struct query_sql	 sql;
	struct buf		 b = BUF_INIT;
	sqlite3_stmt		*stmt;
	int			 rc;

	compile_ok(s, me, &sql);
	stmt = prepare(&sql, s);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (b.len != 0)
			buf_putc(&b, ' ');
		if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
			buf_putc(&b, '-');
		else
			buf_printf(&b, "%lld",
			    (long long)sqlite3_column_int64(stmt, 0));
	}
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", s, sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	query_sql_free(&sql);
	return (buf_detach(&b));
}

/* Assert that s (as user me) matches exactly the tickets in want. */
static void
expect_as(const char *s, const char *me, const char *want)
{
	char	*got;

	got = matches(s, me);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    s, got, want);
	free(got);
}

/* Assert that s (as alice) matches exactly the tickets in want. */
static void
expect(const char *s, const char *want)
{
	expect_as(s, "u-me", want);
}

/* Assert that s fails with message at column for length characters. */
static void
expect_error(const char *s, int column, int length, const char *message)
{
	struct query		*q = (struct query *)1;
	struct query_error	 err;

	ck_assert_msg(query_parse(s, &q, &err) == -1, "%s: parsed", s);
	ck_assert_ptr_null(q);
	ck_assert_ptr_nonnull(err.message);
	ck_assert_str_eq(err.message, message);
	ck_assert_int_eq(err.column, column);
	ck_assert_int_eq(err.length, length);
	query_error_free(&err);
	ck_assert_ptr_null(err.message);
}

/* Assert that s reads back in normal form as want. */
static void
expect_describe(const char *s, const char *want)
{
	struct query	*q;
	char		*d;

	q = parse_ok(s);
	d = query_describe(q);
	ck_assert_str_eq(d, want);
	free(d);
	query_free(q);
}

/* The number of rows in tickets, and whether the table is still there. */
static int
ticket_rows(void)
{
	sqlite3_stmt	*stmt;
	int		 n;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM tickets",
	    -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return (n);
}

START_TEST(empty_query_matches_everything)
{
	struct query_sql	 sql;
	struct query		*q;
	char			*d;

	compile_ok("", NULL, &sql);
	ck_assert_str_eq(sql.where.data, "1");
	ck_assert_uint_eq(sql.nparams, 0);
	ck_assert_int_eq(sql.has_text, 0);
	query_sql_free(&sql);

	compile_ok(" \t\n ", NULL, &sql);
	ck_assert_str_eq(sql.where.data, "1");
	query_sql_free(&sql);

	q = parse_ok("");
	d = query_describe(q);
	ck_assert_str_eq(d, "");
	free(d);
	query_free(q);

	expect("", "- 1 2 3 4 5 6 7");
}
END_TEST

START_TEST(null_query_and_null_error_are_safe)
{
	struct query		*q;
	struct query_sql	 sql;
	char			*d;

	ck_assert_int_eq(query_parse(NULL, &q, NULL), 0);
	ck_assert_int_eq(query_compile(q, NULL, &sql, NULL), 0);
	ck_assert_str_eq(sql.where.data, "1");
	query_sql_free(&sql);
	query_sql_free(&sql);
	query_free(q);
	query_free(NULL);
	query_error_free(NULL);
	d = query_describe(NULL);
	ck_assert_str_eq(d, "");
	free(d);
	ck_assert_int_eq(query_parse("stauts:x", &q, NULL), -1);
	ck_assert_ptr_null(q);
}
END_TEST

START_TEST(status_names_and_lists_match)
{
	expect("status:open", "1 7");
	expect("status:open,pending", "1 3 7");
	expect("STATUS:Open", "1 7");
	expect("status:new", "- 2");
	expect("status:solved,closed", "4 6");
	expect("status:on_hold", "5");
	expect("status:on-hold", "5");
	expect("status:hold", "5");
}
END_TEST

START_TEST(status_unsolved_means_new_open_pending_on_hold)
{
	expect("status:unsolved", "- 1 2 3 5 7");
	expect("-status:unsolved", "4 6");
	expect("status:unsolved,solved", "- 1 2 3 4 5 7");
}
END_TEST

START_TEST(status_comparisons_follow_the_workflow_order)
{
	expect("status:<solved", "- 1 2 3 5 7");
	expect("status:>=solved", "4 6");
	expect("status:>pending", "4 5 6");
	expect("status:<=open", "- 1 2 7");
	expect("status:=open", "1 7");
	expect("status:<open,closed", "- 2 6");
}
END_TEST

START_TEST(priority_names_and_comparisons_match)
{
	expect("priority:high", "1 5");
	expect("priority:>=high", "1 4 5 7");
	expect("priority:>high", "4 7");
	expect("priority:<normal", "3");
	expect("priority:<=normal", "- 2 3 6");
	expect("priority:low,urgent", "3 4 7");
	expect("Priority:URGENT", "4 7");
	expect("-priority:>=high", "- 2 3 6");
}
END_TEST

START_TEST(assignee_me_none_and_email_match)
{
	expect("assignee:me", "1 4 7");
	expect("assignee:none", "- 2 5");
	expect("assignee:bob@example.com", "3 6");
	expect("assignee:ALICE@EXAMPLE.COM", "1 4 7");
	expect("assignee:me,none", "- 1 2 4 5 7");
	expect("assignee:nobody@example.com", "");
}
END_TEST

START_TEST(assignee_me_without_a_user_matches_nothing)
{
	struct query_sql	 sql;

	compile_ok("assignee:me", NULL, &sql);
	ck_assert_uint_eq(sql.nparams, 0);
	query_sql_free(&sql);
	expect_as("assignee:me", NULL, "");
	expect_as("is:mine", NULL, "");
	expect_as("-assignee:me", NULL, "- 1 2 3 4 5 6 7");
}
END_TEST

START_TEST(negated_terms_include_rows_with_null_columns)
{
	expect("-assignee:me", "- 2 3 5 6");
	expect("-team:billing", "- 2 3 4 6 7");
	expect("-category:billing", "- 2 3 5 6 7");
	expect("-customer:acme", "- 2 4 5 7");
}
END_TEST

START_TEST(team_matches_name_ignoring_case)
{
	expect("team:\"Tier 2\"", "2 3");
	expect("team:\"tier 2\"", "2 3");
	expect("team:billing", "1 5");
	expect("team:none", "- 4 6 7");
	expect("team:billing,\"TIER 2\"", "1 2 3 5");
	expect("team:Tier", "");
}
END_TEST

START_TEST(tag_matches_and_negates)
{
	expect("tag:vip", "1 5");
	expect("tag:VIP", "1 5");
	expect("tag:refund,shipping", "1 2 5");
	expect("-tag:spam", "- 1 2 3 5 7");
	expect("tag:vip tag:shipping", "5");
	expect("tag:vi", "");
}
END_TEST

START_TEST(customer_matches_words_prefixes_and_email)
{
	expect("customer:acme", "1 3 6");
	expect("customer:\"acme co\"", "1 3 6");
	expect("customer:\"acme corp\"", "1 3 6");
	expect("customer:glo", "2 4");
	expect("customer:wile", "1 3 6");
	expect("customer:HANK@globex.test", "2 4");
	expect("customer:\"corp acme\"", "");
	expect("customer:acme,globex", "1 2 3 4 6");
	expect("customer:nobody", "");
}
END_TEST

START_TEST(channel_and_category_match_ignoring_case)
{
	expect("channel:email", "- 1 3 6 7");
	expect("channel:EMAIL", "- 1 3 6 7");
	expect("channel:chat,phone", "2 4");
	expect("category:billing", "1 4");
	expect("category:SHIPPING", "2 5");
	expect("category:none", "- 3 6 7");
}
END_TEST

START_TEST(created_and_updated_durations_are_ages)
{
	expect("created:<7d", "- 1 3 5 7");
	expect("created:>7d", "2 4 6");
	expect("created:7d", "- 1 3 5 7");
	expect("created:<1h", "-");
	expect("updated:>2h", "2 4 6");
	expect("updated:>=2h", "2 4 6 7");
	expect("updated:<2h", "- 1 3 5");
	expect("updated:<=2h", "- 1 3 5 7");
	expect("updated:<1h30m", "- 1 3 5");
	expect("created:<1w", "- 1 3 5 7");
	expect("created:>1w updated:<10d", "2 4");
}
END_TEST

START_TEST(created_accepts_days_and_instants)
{
	expect("created:2025-12-31", "- 1 5 7");
	expect("created:<2025-12-22", "4 6");
	expect("created:<=2025-12-22", "2 4 6");
	expect("created:>2025-12-22", "- 1 3 5 7");
	expect("created:>=2025-12-22", "- 1 2 3 5 7");
	expect("created:<2025-12-22T00:00:01Z", "2 4 6");
	expect("created:>2025-12-22T00:00:00Z", "- 1 3 5 7");
	expect("created:>=2025-12-22T01:00:00+01:00", "- 1 2 3 5 7");
	expect("updated:>=2025-12-31T22:00:00.000Z", "- 1 3 5 7");
}
END_TEST

START_TEST(sla_breached_soon_later_and_none)
{
	expect("sla:breached", "1");
	expect("sla:<2h", "1 2");
	expect("sla:<1h", "1");
	expect("sla:<=1h", "1 2");
	expect("sla:2h", "1 2");
	expect("sla:>4h", "7");
	expect("sla:>=5h", "7");
	expect("sla:>5h", "");
	expect("sla:none", "- 3 4 5 6");
	expect("-sla:none", "1 2 7");
	expect("sla:breached,none", "- 1 3 4 5 6");
	expect("sla:<2026-01-01T02:00:00Z", "1 2");
}
END_TEST

START_TEST(is_flags_match)
{
	expect("is:pending", "3");
	expect("is:unassigned", "- 2 5");
	expect("is:assigned", "1 3 4 6 7");
	expect("is:mine", "1 4 7");
	expect("is:breached", "1");
	expect("is:new", "-");
	expect("is:pending,new", "- 3");
	expect("-is:pending", "- 1 2 4 5 6 7");
	expect("IS:Mine is:breached", "1");
}
END_TEST

START_TEST(free_text_matches_subject_tags_and_messages)
{
	expect("anvil", "1 5");
	expect("refund", "1");
	expect("vip", "1 5");
	expect("parcel", "2");
	expect("password", "3");
	expect("\"forgot my password\"", "3");
	expect("\"password forgot\"", "");
	expect("Anvil", "1 5");
}
END_TEST

START_TEST(free_text_words_are_anded_across_ticket_and_messages)
{
	expect("anvil late", "5");
	expect("refund quoted", "1");
	expect("-anvil", "- 2 3 4 6 7");
	expect("anvil -late", "1");
	expect("parcel status:new", "2");
}
END_TEST

START_TEST(free_text_sets_has_text)
{
	struct query_sql	 sql;

	compile_ok("status:open", NULL, &sql);
	ck_assert_int_eq(sql.has_text, 0);
	query_sql_free(&sql);
	compile_ok("status:open anvil", NULL, &sql);
	ck_assert_int_eq(sql.has_text, 1);
	query_sql_free(&sql);
	compile_ok("\"two words\"", NULL, &sql);
	ck_assert_int_eq(sql.has_text, 1);
	query_sql_free(&sql);
}
END_TEST

START_TEST(free_text_becomes_quoted_fts_strings)
{
	struct query_sql	 sql;

	compile_ok("\"say \\\"hi\\\" OR x\"", NULL, &sql);
	ck_assert_uint_eq(sql.nparams, 2);
	ck_assert_int_eq(sql.params[0].type, QUERY_PARAM_TEXT);
	ck_assert_str_eq(sql.params[0].s, "\"say \"\"hi\"\" OR x\"");
	ck_assert_str_eq(sql.params[1].s, "\"say \"\"hi\"\" OR x\"");
	query_sql_free(&sql);

	compile_ok("customer:\"acme \\\"co\"", NULL, &sql);
	ck_assert_uint_eq(sql.nparams, 2);
	ck_assert_str_eq(sql.params[0].s, "\"acme \"\"co\" *");
	ck_assert_str_eq(sql.params[1].s, "acme \"co");
	query_sql_free(&sql);
}
END_TEST

START_TEST(fts_syntax_in_free_text_is_plain_words)
{
	/* Unquoted, these would be a column filter, OR, NEAR and a prefix. */
	expect("\"subject:anvil OR vip\"", "");
	expect("\"anvil\\\" OR \\\"vip\"", "");
	expect("\"NEAR(anvil late)\"", "");
	expect("an*", "");
	expect("*", "");
	expect("\"\\\"\"", "");
	expect("\"\"", "");
	expect("OR", "");
	expect("\"\\\"quoted\\\"\"", "1");
}
END_TEST

START_TEST(sql_injection_in_values_stays_data)
{
	static const char *const attacks[] = {
		"customer:\"x' OR 1=1 --\"",
		"tag:');DROP TABLE tickets;--",
		"team:\"x' OR '1'='1\"",
		"category:\"'; DELETE FROM tickets; --\"",
		"assignee:\"' OR 1=1 --@example.com\"",
		"channel:email'--",
		"\"'); DROP TABLE tickets; --\"",
		"'); DROP TABLE tickets; --",
		"tag:\"x\\\" OR 1=1) --\"",
	};
	struct query_sql	 sql;
	size_t			 i;

	for (i = 0; i < nitems(attacks); i++) {
		compile_ok(attacks[i], "u-me", &sql);
		ck_assert_msg(strchr(sql.where.data, '\'') == NULL, "%s: %s",
		    attacks[i], sql.where.data);
		ck_assert_msg(strstr(sql.where.data, "DROP") == NULL, "%s",
		    attacks[i]);
		ck_assert_msg(strstr(sql.where.data, "1=1") == NULL, "%s",
		    attacks[i]);
		query_sql_free(&sql);
	}

	/* The customer really called that is found, and only that one. */
	expect("customer:\"x' OR 1=1 --\"", "7");
	expect("tag:');DROP TABLE tickets;--", "");
	expect("team:\"x' OR '1'='1\"", "");
	expect("category:\"'; DELETE FROM tickets; --\"", "");
	expect("assignee:\"' OR 1=1 --@example.com\"", "");
	expect("channel:email'--", "");
	expect("\"'); DROP TABLE tickets; --\"", "");
	expect("'); DROP TABLE tickets; --", "");
	expect("tag:\"x\\\" OR 1=1) --\"", "");
	expect("customer:evil@inj.test", "7");

	ck_assert_int_eq(ticket_rows(), 8);
	expect("", "- 1 2 3 4 5 6 7");
}
END_TEST

START_TEST(every_value_is_a_parameter)
{
	struct query_sql	 sql;

	compile_ok("status:open priority:>=high created:<7d", NULL, &sql);
	ck_assert_uint_eq(sql.nparams, 3);
	ck_assert_int_eq(sql.params[0].type, QUERY_PARAM_INT);
	ck_assert_int_eq(sql.params[0].i, TICKET_OPEN);
	ck_assert_int_eq(sql.params[1].i, PRIORITY_HIGH);
	ck_assert_int_eq(sql.params[2].i, NOW - 7 * 86400000LL);
	ck_assert_ptr_null(strpbrk(sql.where.data, "0123456789"));
	query_sql_free(&sql);

	compile_ok("tag:vip team:\"Tier 2\" assignee:a@b.c channel:web", "u-me",
	    &sql);
	ck_assert_uint_eq(sql.nparams, 4);
	ck_assert_str_eq(sql.params[0].s, "vip");
	ck_assert_str_eq(sql.params[1].s, "Tier 2");
	ck_assert_str_eq(sql.params[2].s, "a@b.c");
	ck_assert_str_eq(sql.params[3].s, "web");
	ck_assert_ptr_null(strstr(sql.where.data, "vip"));
	ck_assert_ptr_null(strstr(sql.where.data, "Tier"));
	query_sql_free(&sql);

	compile_ok("sla:<2h", NULL, &sql);
	ck_assert_uint_eq(sql.nparams, 1);
	ck_assert_int_eq(sql.params[0].i, NOW + 2 * 3600000LL);
	query_sql_free(&sql);
}
END_TEST

START_TEST(terms_and_together_and_values_or_together)
{
	expect("status:open priority:high", "1");
	expect("status:open,on_hold priority:high", "1 5");
	expect("status:open,on_hold priority:high tag:vip -team:billing", "");
	expect("channel:email assignee:me status:unsolved", "1 7");
}
END_TEST

START_TEST(quoted_values_may_hold_spaces_commas_and_quotes)
{
	expect_describe("team:\"Tier 2\"", "team:\"Tier 2\"");
	expect_describe("team:Tier\" 2\"", "team:\"Tier 2\"");
	expect_describe("tag:\"a,b\",c", "tag:\"a,b\",c");
	expect_describe("tag:\"say \\\"hi\\\"\"", "tag:\"say \\\"hi\\\"\"");
	expect_describe("tag:\"back\\\\slash\"", "tag:\"back\\\\slash\"");
	expect_describe("tag:\"<x\"", "tag:\"<x\"");
	expect_describe("customer:\"acme corp\"", "customer:\"acme corp\"");
	expect_describe("\"two words\" one", "\"two words\" one");
	expect_describe("\"a:b\"", "\"a:b\"");
	expect_describe("\"-x\"", "\"-x\"");
	expect_describe("\"\"", "\"\"");
	expect("team:Tier\" 2\"", "2 3");
}
END_TEST

START_TEST(describe_gives_the_normal_form)
{
	expect_describe("STATUS:Open,ON-HOLD   Priority:>=HIGH",
	    "status:open,on_hold priority:>=high");
	expect_describe("status:unsolved", "status:unsolved");
	expect_describe("-Tag:spam", "-tag:spam");
	expect_describe("assignee:ME,None,bob@example.com",
	    "assignee:me,none,bob@example.com");
	expect_describe("created:<7d updated:>=2h sla:BREACHED,<1h30m",
	    "created:<7d updated:>=2h sla:breached,<1h30m");
	expect_describe("created:>2025-12-22 is:Pending,NEW",
	    "created:>2025-12-22 is:pending,new");
	expect_describe("priority:=high", "priority:high");
	expect_describe("\thello\n world ", "hello world");
	expect_describe("-\"big deal\"", "-\"big deal\"");
	expect_describe("café", "café");
}
END_TEST

START_TEST(describe_round_trips)
{
	static const char *const queries[] = {
		("status:open,pending priority:>=high assignee:me"
		    " team:\"Tier 2\""),
		"tag:\"a \\\"b\\\"\" -tag:spam customer:\"acme corp\"",
		"\"quoted, text\" bare -\"minus word\" w\\ord",
		"created:<7d updated:>2h sla:<2h sla:none is:pending,new",
		"category:none channel:\"<chat>\" tag:\",\"",
		"created:>=2025-12-22T01:00:00+01:00",
	};
	struct query	*q, *q2;
	char		*d, *d2;
	size_t		 i;

	for (i = 0; i < nitems(queries); i++) {
		q = parse_ok(queries[i]);
		d = query_describe(q);
		q2 = parse_ok(d);
		d2 = query_describe(q2);
		ck_assert_str_eq(d, d2);
		free(d);
		free(d2);
		query_free(q);
		query_free(q2);
	}
}
END_TEST

START_TEST(unknown_field_names_the_token_and_column)
{
	expect_error("stauts:open", 1, 6,
	    "unknown field \"stauts\" at column 1");
	expect_error("status:open Stauts:open", 13, 6,
	    "unknown field \"Stauts\" at column 13");
	expect_error("-foo:bar", 2, 3, "unknown field \"foo\" at column 2");
	expect_error("http://example.com", 1, 4,
	    "unknown field \"http\" at column 1");
}
END_TEST

START_TEST(unknown_status_and_priority_name_the_value)
{
	expect_error("status:opne", 8, 4,
	    "unknown status \"opne\" at column 8");
	expect_error("status:open,opne", 13, 4,
	    "unknown status \"opne\" at column 13");
	expect_error("status:<opne", 9, 4,
	    "unknown status \"opne\" at column 9");
	expect_error("priority:hgih", 10, 4,
	    "unknown priority \"hgih\" at column 10");
	expect_error("priority:>=top", 12, 3,
	    "unknown priority \"top\" at column 12");
	expect_error("status:\"on hold\"", 8, 9,
	    "unknown status \"on hold\" at column 8");
}
END_TEST

START_TEST(bad_durations_and_dates_are_errors)
{
	expect_error("created:<7x", 10, 2, "bad duration \"7x\" at column 10");
	expect_error("updated:>", 1, 9,
	    "missing value after \"updated:>\" at column 1");
	expect_error("sla:<soon", 6, 4, "bad duration \"soon\" at column 6");
	expect_error("created:>2025-13-01", 10, 10,
	    "bad date \"2025-13-01\" at column 10");
	expect_error("created:<d7", 10, 2, "bad duration \"d7\" at column 10");
	expect_error("created:<99999999999999999999d", 10, 21,
	    "bad duration \"99999999999999999999d\" at column 10");
}
END_TEST

START_TEST(missing_values_are_errors)
{
	expect_error("status:", 1, 7,
	    "missing value after \"status:\" at column 1");
	expect_error("tag:a status: open", 7, 7,
	    "missing value after \"status:\" at column 7");
	expect_error("-status:", 2, 7,
	    "missing value after \"status:\" at column 2");
	expect_error("status:open,", 1, 12,
	    "missing value after \"status:open,\" at column 1");
	expect_error("priority:>=", 1, 11,
	    "missing value after \"priority:>=\" at column 1");
	expect_error("tag:\"\"", 1, 4,
	    "missing value after \"tag:\" at column 1");
	expect_error("tag:a,,b", 1, 6,
	    "missing value after \"tag:a,\" at column 1");
	expect_error("anvil -", 7, 1, "missing value after \"-\" at column 7");
}
END_TEST

START_TEST(unterminated_quotes_are_errors)
{
	expect_error("\"hello", 1, 6, "unterminated quote at column 1");
	expect_error("team:\"Tier 2", 6, 7, "unterminated quote at column 6");
	expect_error("tag:a,\"b", 7, 2, "unterminated quote at column 7");
	expect_error("x \"a\\\"", 3, 4, "unterminated quote at column 3");
}
END_TEST

START_TEST(unknown_is_values_are_errors)
{
	expect_error("is:open", 4, 4,
	    "unknown value \"open\" for is: at column 4");
	expect_error("is:new,old", 8, 3,
	    "unknown value \"old\" for is: at column 8");
}
END_TEST

START_TEST(bad_comparisons_are_errors)
{
	expect_error("tag:>x", 5, 1, "bad comparison \">\" at column 5");
	expect_error("priority:=>high", 10, 2,
	    "bad comparison \"=>\" at column 10");
	expect_error("priority:<<high", 10, 2,
	    "bad comparison \"<<\" at column 10");
	expect_error("status:!=open", 8, 2,
	    "bad comparison \"!=\" at column 8");
	expect_error("status:<unsolved", 8, 1,
	    "bad comparison \"<\" at column 8");
	expect_error("sla:>breached", 5, 1, "bad comparison \">\" at column 5");
	expect_error("assignee:<me", 10, 1,
	    "bad comparison \"<\" at column 10");
	expect_error("is:>=new", 4, 2, "bad comparison \">=\" at column 4");
}
END_TEST

START_TEST(error_columns_count_characters_not_bytes)
{
	expect_error("\"café\" stauts:open", 8, 6,
	    "unknown field \"stauts\" at column 8");
	expect_error("tag:ü status:opne", 14, 4,
	    "unknown status \"opne\" at column 14");
	expect_error("\xf0\x9f\x98\x80 priority:x", 12, 1,
	    "unknown priority \"x\" at column 12");
	expect_error("status:ópen", 8, 4,
	    "unknown status \"ópen\" at column 8");
	expect_error("日本 \"語", 4, 2, "unterminated quote at column 4");
}
END_TEST

START_TEST(invalid_utf8_is_replaced_and_counted_per_byte)
{
	struct query	*q;
	char		*d;

	expect_error("status:\xff", 8, 1,
	    "unknown status \"\xef\xbf\xbd\" at column 8");
	expect_error("\xc3 \xe2\x82 stauts:x", 6, 6,
	    "unknown field \"stauts\" at column 6");
	q = parse_ok("tag:a\xff\xfe");
	d = query_describe(q);
	ck_assert_str_eq(d, "tag:a\xef\xbf\xbd\xef\xbf\xbd");
	free(d);
	query_free(q);
}
END_TEST

START_TEST(long_tokens_are_cut_in_messages)
{
	struct buf		 b = BUF_INIT;
	struct query		*q;
	struct query_error	 err;
	int			 i;

	buf_puts(&b, "status:");
	for (i = 0; i < 200; i++)
		buf_putc(&b, 'x');
	ck_assert_int_eq(query_parse(buf_cstr(&b), &q, &err), -1);
	ck_assert_int_eq(err.column, 8);
	ck_assert_int_eq(err.length, 200);
	ck_assert_ptr_nonnull(strstr(err.message, "...\" at column 8"));
	ck_assert_uint_lt(strlen(err.message), 120);
	query_error_free(&err);
	buf_free(&b);
}
END_TEST

START_TEST(huge_queries_are_refused_not_crashed)
{
	struct buf		 b = BUF_INIT;
	struct query		*q;
	struct query_error	 err;
	int			 i, j;

	for (i = 0; i < 101; i++)
		buf_puts(&b, "ab ");
	ck_assert_int_eq(query_parse(buf_cstr(&b), &q, &err), -1);
	ck_assert_str_eq(err.message, "too many terms at column 301");
	query_error_free(&err);

	buf_reset(&b);
	buf_puts(&b, "tag:a");
	for (i = 0; i < 100; i++)
		buf_puts(&b, ",a");
	ck_assert_int_eq(query_parse(buf_cstr(&b), &q, &err), -1);
	ck_assert_str_eq(err.message, "too many values at column 205");
	query_error_free(&err);

	buf_reset(&b);
	for (i = 0; i < 70000; i++)
		buf_putc(&b, 'a');
	ck_assert_int_eq(query_parse(buf_cstr(&b), &q, &err), -1);
	ck_assert_ptr_null(q);
	ck_assert_str_eq(err.message, "query too long at column 65537");
	query_error_free(&err);

	/* The most a query may hold stays within SQLite's limits. */
	buf_reset(&b);
	for (i = 0; i < 100; i++) {
		buf_puts(&b, i % 2 ? " -customer:\"b c\"" : " tag:a");
		for (j = 1; j < 100; j++)
			buf_puts(&b, ",x");
	}
	ck_assert_int_eq(query_parse(buf_cstr(&b), &q, &err), 0);
	query_free(q);
	expect(buf_cstr(&b), "");
	buf_free(&b);
}
END_TEST

START_TEST(arbitrary_input_parses_or_fails_cleanly)
{
	static const char *const pieces[] = {
		"status:", "priority:", "tag:", "customer:", "is:", "sla:",
		"created:", "team:", "assignee:", "category:", "channel:",
		"-", "\"", "\\", ",", ":", "<", ">=", "=", "!", " ", "\t",
		"open", "high", "me", "none", "7d", "2h", "2025-12-31",
		"breached", "pending", "unsolved", "anvil", "*", "'", ";",
		"NEAR(", ")", "OR", "--", "é", "😀", "\xff", "\xc3", "\x01",
	};
	struct query		*q, *q2;
	struct query_error	 err;
	struct query_sql	 sql;
	struct query_ctx	 ctx = { "u-me", NOW };
	struct buf		 b = BUF_INIT;
	struct rng		 r;
	sqlite3_stmt		*stmt;
	char			*d, *d2;
	int			 i, j, n, rc;

	rng_seed(&r, 20260101);
	for (i = 0; i < 3000; i++) {
		buf_reset(&b);
		n = rng_range(&r, 0, 10);
		for (j = 0; j < n; j++) {
			if (rng_chance(&r, 0.1))
				buf_putc(&b, rng_range(&r, 1, 255));
			else
				buf_puts(&b, pieces[rng_below(&r,
				    nitems(pieces))]);
		}
		if (query_parse(buf_cstr(&b), &q, &err) != 0) {
			ck_assert_ptr_null(q);
			ck_assert_ptr_nonnull(err.message);
			ck_assert_int_ge(err.column, 1);
			ck_assert_int_le(err.column,
			    (int)utf8_strlen(buf_cstr(&b)) + 1);
			ck_assert_int_ge(err.length, 0);
			query_error_free(&err);
			continue;
		}
		d = query_describe(q);
		ck_assert_msg(utf8_valid(d, strlen(d)), "%s", d);
		ck_assert_msg(query_parse(d, &q2, &err) == 0, "%s -> %s: %s",
		    buf_cstr(&b), d, err.message);
		d2 = query_describe(q2);
		ck_assert_str_eq(d, d2);
		ck_assert_int_eq(query_compile(q, &ctx, &sql, &err), 0);
		stmt = prepare(&sql, d);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			/* nothing */;
		ck_assert_msg(rc == SQLITE_DONE, "%s: %s", d,
		    sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		query_sql_free(&sql);
		free(d);
		free(d2);
		query_free(q);
		query_free(q2);
	}
	buf_free(&b);
	ck_assert_int_eq(ticket_rows(), 8);
}
END_TEST

START_TEST(random_bytes_never_crash_the_parser)
{
	struct query		*q;
	struct query_error	 err;
	struct query_sql	 sql;
	struct rng		 r;
	char			 s[80];
	int			 i, j, n;

	rng_seed(&r, 42);
	for (i = 0; i < 20000; i++) {
		n = rng_range(&r, 0, (int)sizeof s - 1);
		for (j = 0; j < n; j++)
			s[j] = (char)rng_range(&r, 1, 255);
		s[n] = '\0';
		if (query_parse(s, &q, &err) != 0) {
			query_error_free(&err);
			continue;
		}
		ck_assert_int_eq(query_compile(q, NULL, &sql, NULL), 0);
		query_sql_free(&sql);
		query_free(q);
	}
}
END_TEST

/* The suite: parsing and errors alone, then SQL against a replica. */
static Suite *
query_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("query");

	tc = tcase_create("parse");
	tcase_add_test(tc, null_query_and_null_error_are_safe);
	tcase_add_test(tc, assignee_me_without_a_user_matches_nothing);
	tcase_add_test(tc, free_text_sets_has_text);
	tcase_add_test(tc, free_text_becomes_quoted_fts_strings);
	tcase_add_test(tc, every_value_is_a_parameter);
	tcase_add_test(tc, quoted_values_may_hold_spaces_commas_and_quotes);
	tcase_add_test(tc, describe_gives_the_normal_form);
	tcase_add_test(tc, describe_round_trips);
	tcase_add_test(tc, unknown_field_names_the_token_and_column);
	tcase_add_test(tc, unknown_status_and_priority_name_the_value);
	tcase_add_test(tc, bad_durations_and_dates_are_errors);
	tcase_add_test(tc, missing_values_are_errors);
	tcase_add_test(tc, unterminated_quotes_are_errors);
	tcase_add_test(tc, unknown_is_values_are_errors);
	tcase_add_test(tc, bad_comparisons_are_errors);
	tcase_add_test(tc, error_columns_count_characters_not_bytes);
	tcase_add_test(tc, invalid_utf8_is_replaced_and_counted_per_byte);
	tcase_add_test(tc, long_tokens_are_cut_in_messages);
	tcase_add_test(tc, random_bytes_never_crash_the_parser);
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	suite_add_tcase(s, tc);

	tc = tcase_create("sql");
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_add_test(tc, empty_query_matches_everything);
	tcase_add_test(tc, status_names_and_lists_match);
	tcase_add_test(tc, status_unsolved_means_new_open_pending_on_hold);
	tcase_add_test(tc, status_comparisons_follow_the_workflow_order);
	tcase_add_test(tc, priority_names_and_comparisons_match);
	tcase_add_test(tc, assignee_me_none_and_email_match);
	tcase_add_test(tc, negated_terms_include_rows_with_null_columns);
	tcase_add_test(tc, team_matches_name_ignoring_case);
	tcase_add_test(tc, tag_matches_and_negates);
	tcase_add_test(tc, customer_matches_words_prefixes_and_email);
	tcase_add_test(tc, channel_and_category_match_ignoring_case);
	tcase_add_test(tc, created_and_updated_durations_are_ages);
	tcase_add_test(tc, created_accepts_days_and_instants);
	tcase_add_test(tc, sla_breached_soon_later_and_none);
	tcase_add_test(tc, is_flags_match);
	tcase_add_test(tc, free_text_matches_subject_tags_and_messages);
	tcase_add_test(tc,
	    free_text_words_are_anded_across_ticket_and_messages);
	tcase_add_test(tc, fts_syntax_in_free_text_is_plain_words);
	tcase_add_test(tc, sql_injection_in_values_stays_data);
	tcase_add_test(tc, terms_and_together_and_values_or_together);
	tcase_add_test(tc, huge_queries_are_refused_not_crashed);
	tcase_add_test(tc, arbitrary_input_parses_or_fails_cleanly);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(query_suite()));
}
