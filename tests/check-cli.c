/* check-cli.c: the command-line twins, run as real processes, compared through --json. */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "testutil.h"
#include "fixture.h"
#include "proc.h"

/* Decode standard base64. Caller frees. */
static unsigned char *
b64dec(const char *s, size_t *len)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char		*out;
	uint32_t		 v = 0;
	int			 bits = 0;
	const char		*p;

	out = xmalloc(strlen(s));
	*len = 0;
	for (p = s; *p != '\0' && *p != '='; p++) {
		v = (v << 6) | (uint32_t)(strchr(tab, *p) - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*len)++] = (unsigned char)(v >> bits);
		}
	}
	return (out);
}

static void
raw_exec_blob(const char *path, const char *sql, const void *blob, int n)
{
	sqlite3		*db;
	sqlite3_stmt	*s;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (blob != NULL)
		sqlite3_bind_text(s, 1, blob, n, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

START_TEST(test_ls_json_matches_query_in_updated_order)
{
	struct run	 res;
	json_t		*arr, *t;
	char		*path;
	size_t		 i, n = 0;
	int		 num, prev = 0, expect = 0;

	path = fx_make("ls");
	run_triage(&res, path, "ls", "status:open priority:>=high", "--json",
	    "--limit", "0", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert(json_is_array(arr));
	for (num = 1; num <= FX_TICKETS; num++)
		if (num % 6 == 1 && num % 4 >= 2)
			expect++;
	json_array_foreach(arr, i, t) {
		num = (int)json_integer_value(json_object_get(t, "number"));
		ck_assert_int_eq(num % 6, 1);
		ck_assert_int_ge(num % 4, 2);
		ck_assert_str_eq(json_string_value(json_object_get(t,
		    "status")), "open");
		ck_assert(json_is_string(json_object_get(t, "id")));
		ck_assert(json_is_string(json_object_get(t, "subject")));
		ck_assert(json_is_string(json_object_get(t, "priority")));
		ck_assert(json_is_string(json_object_get(t, "updated_at")));
		ck_assert(json_is_object(json_object_get(t, "customer")));
		ck_assert_ptr_nonnull(json_object_get(t, "assignee"));
		/* Most recently updated first: num / 3 hours ago. */
		ck_assert_int_ge(num / 3, prev / 3);
		prev = num;
		n++;
	}
	ck_assert_int_eq((int)n, expect);
	json_decref(arr);
	run_free(&res);

	/* A negated term is a query term, not an option. */
	run_triage(&res, path, "ls", "-tag:refund", "tag:refund", "--json",
	    NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_eq(json_array_size(arr), 0);
	json_decref(arr);
	run_free(&res);

	run_triage(&res, path, "ls", "--view", "Unassigned", "--json",
	    "--limit", "0", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_gt(json_array_size(arr), 0);
	json_array_foreach(arr, i, t)
		ck_assert(json_is_null(json_object_get(t, "assignee")));
	json_decref(arr);
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_show_json_returns_text_intact)
{
	static const char	 ctl[] = "line1\r\nline2 \x1b]52;c;AAAA\x07 "
	    "\x1b[2J\xe2\x80\xae end";
	static const char	 bad[] = "ok \xff\xfe \x1b[31m caf\xc3\xa9";
	struct run		 res;
	json_t			*t, *msgs, *m;
	unsigned char		*raw;
	char			*path;
	size_t			 len;

	path = fx_make("show");
	raw_exec_blob(path, "UPDATE messages SET body = ?1 WHERE rid = 5", ctl,
	    (int)strlen(ctl));
	raw_exec_blob(path, "UPDATE messages SET body = ?1 WHERE rid = 6", bad,
	    (int)strlen(bad));
	run_triage(&res, path, "show", "3", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	t = run_json(&res);
	ck_assert_int_eq(json_integer_value(json_object_get(t, "number")), 3);
	msgs = json_object_get(t, "messages");
	ck_assert_uint_eq(json_array_size(msgs), 2);
	m = json_array_get(msgs, 0);
	ck_assert_str_eq(json_string_value(json_object_get(m, "body")), ctl);
	ck_assert(json_is_boolean(json_object_get(m, "internal")));
	ck_assert_str_eq(json_string_value(json_object_get(m, "author")),
	    "customer");
	ck_assert_str_eq(json_string_value(json_object_get(m, "state")),
	    "synced");
	ck_assert(json_is_string(json_object_get(m, "id")));
	ck_assert(json_is_string(json_object_get(m, "created_at")));
	m = json_array_get(msgs, 1);
	ck_assert_str_eq(json_string_value(json_object_get(m, "body")),
	    "ok \xef\xbf\xbd\xef\xbf\xbd \x1b[31m caf\xc3\xa9");
	raw = b64dec(json_string_value(json_object_get(m, "body_base64")),
	    &len);
	ck_assert_uint_eq(len, strlen(bad));
	ck_assert(memcmp(raw, bad, len) == 0);
	free(raw);
	json_decref(t);
	run_free(&res);

	/* The text form goes through the sanitiser: no escape reaches a tty. */
	run_triage(&res, path, "show", "#3", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_null(memchr(res.out.data, 0x1b, res.out.len));
	ck_assert_ptr_null(memchr(res.out.data, 0x07, res.out.len));
	ck_assert_ptr_null(strstr(buf_cstr(&res.out), "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "line2"));
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_search_json_has_ranked_highlighted_hits)
{
	struct run	 res;
	json_t		*arr, *h, *hl;
	char		*path;
	size_t		 i;
	int		 saw7 = 0;

	path = fx_make("search");
	run_triage(&res, path, "search", "refund", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_gt(json_array_size(arr), 0);
	json_array_foreach(arr, i, h) {
		ck_assert(json_is_string(json_object_get(h, "kind")));
		ck_assert(json_is_string(json_object_get(h, "snippet")));
		hl = json_object_get(h, "highlights");
		ck_assert(json_is_array(hl));
		ck_assert_uint_gt(json_array_size(hl), 0);
		if (json_integer_value(json_object_get(h, "ticket_number")) == 7)
			saw7 = 1;
	}
	ck_assert(saw7);
	json_decref(arr);
	run_free(&res);

	run_triage(&res, path, "search", "#12", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	h = json_array_get(arr, 0);
	ck_assert(json_is_true(json_object_get(h, "exact")));
	ck_assert_int_eq(json_integer_value(json_object_get(h,
	    "ticket_number")), 12);
	json_decref(arr);
	run_free(&res);

	run_triage(&res, path, "search", "xylophone", NULL);
	ck_assert_int_eq(res.status, 1);
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_errors_have_clear_messages_and_statuses)
{
	struct run	 res;
	char		*path, *foreign;
	FILE		*f;

	path = fx_make("errors");
	run_triage(&res, path, "show", "99999", NULL);
	ck_assert_int_eq(res.status, 1);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.err), "no ticket #99999"));
	run_free(&res);

	run_triage(&res, path, "ls", "stauts:open", NULL);
	ck_assert_int_eq(res.status, 2);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.err),
	    "query: unknown field \"stauts\" at column 1"));
	run_free(&res);

	run_triage(&res, path, "ls", "--view", "Nope", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);

	run_triage(&res, path, "show", "abc", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);

	run_triage(&res, path, "frobnicate", NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);

	run_triage(&res, "/nonexistent/replica.db", "ls", NULL);
	ck_assert_int_eq(res.status, 3);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.err), "no replica here"));
	run_free(&res);

	foreign = fx_tmpname("foreign");
	f = fopen(foreign, "w");
	fputs("hello, I am a text file\n", f);
	fclose(f);
	run_triage(&res, foreign, "ls", NULL);
	ck_assert_int_eq(res.status, 3);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.err),
	    "not a triage replica"));
	run_free(&res);
	fx_unlink(foreign);
	free(foreign);

	run_triage(&res, NULL, "--help", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "search"));
	run_free(&res);
	run_triage(&res, NULL, "--version", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), PACKAGE_VERSION));
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_outbox_json_lists_pending_changes)
{
	struct run	 res;
	json_t		*arr;
	char		*path;

	path = fx_make("outbox");
	run_triage(&res, path, "outbox", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_eq(json_array_size(arr), 0);
	json_decref(arr);
	run_free(&res);
	raw_exec_blob(path, "INSERT INTO outbox(mutation_id, type, ticket_id, "
	    "payload, state, reason, created_at, updated_at) VALUES "
	    "('m1', 'set_status', '01900007-0000-7000-8000-000000000005', "
	    "'{\"status\":\"solved\"}', 2, 'no permission', 1, 1)", NULL, 0);
	run_triage(&res, path, "outbox", "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_eq(json_array_size(arr), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "state")), "rejected");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(arr,
	    0), "ticket_number")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(arr, 0), "payload"), "status")), "solved");
	json_decref(arr);
	run_free(&res);
	/* The text says what each change does; data reaches it sanitised. */
	raw_exec_blob(path, "INSERT INTO outbox(mutation_id, type, ticket_id, "
	    "payload, state, created_at, updated_at) VALUES ('m2', 'reply', "
	    "'01900007-0000-7000-8000-000000000005', '{\"body\":\"Hello\\n"
	    "\\u001b[2Jthere\"}', 0, 1, 1)", NULL, 0);
	run_triage(&res, path, "outbox", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), " rejected "));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), " #5 "));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "status none "));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), " solved\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out),
	    "\n        rejected: no permission\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), " pending "));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "reply: Hello "));
	ck_assert_ptr_null(strchr(buf_cstr(&res.out), '\033'));
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

START_TEST(test_demo_and_gen_make_usable_replicas)
{
	struct run	 res;
	json_t		*arr, *t;
	char		*path, *num;

	path = fx_tmpname("demo");
	run_triage(&res, path, "demo", "--tickets", "400", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "400 tickets"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "My open"));
	run_free(&res);
	/* A second run reuses it. */
	run_triage(&res, path, "demo", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "the demo replica"));
	run_free(&res);
	run_triage(&res, path, "ls", "status:open priority:>=high", "--json",
	    NULL);
	ck_assert_int_eq(res.status, 0);
	arr = run_json(&res);
	ck_assert_uint_gt(json_array_size(arr), 0);
	t = json_array_get(arr, 0);
	num = xprintf("%lld", (long long)json_integer_value(json_object_get(t,
	    "number")));
	json_decref(arr);
	run_free(&res);
	run_triage(&res, path, "show", num, "--json", NULL);
	ck_assert_int_eq(res.status, 0);
	t = run_json(&res);
	ck_assert_uint_gt(json_array_size(json_object_get(t, "messages")), 0);
	json_decref(t);
	run_free(&res);
	free(num);
	run_triage(&res, path, "replica", "check", NULL);
	ck_assert_int_eq(res.status, 0);
	run_free(&res);
	/* gen refuses to overwrite. */
	run_triage(&res, NULL, "replica", "gen", "--tickets", "10", "--out",
	    path, NULL);
	ck_assert_int_eq(res.status, 2);
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite	*s = suite_create("cli");
	TCase	*tc;

	tc = tcase_create("cli");
	tcase_add_test(tc, test_ls_json_matches_query_in_updated_order);
	tcase_add_test(tc, test_show_json_returns_text_intact);
	tcase_add_test(tc, test_search_json_has_ranked_highlighted_hits);
	tcase_add_test(tc, test_errors_have_clear_messages_and_statuses);
	tcase_add_test(tc, test_outbox_json_lists_pending_changes);
	tcase_add_test(tc, test_demo_and_gen_make_usable_replicas);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(cli_suite()));
}
