/* check-jscan.c: the streaming JSON scanner that reads pulled pages (untrusted input). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "testutil.h"
#include "base/base.h"

/*
 * Scan text (copied: the scanner writes to it) into a line of tokens:
 * { } [ ] k:NAME s:STRING n:INT d:TEXT-LESS-NUMBER t f z, or
 * "error: WHY at N". Strings are shown as JSON, so escapes are visible.
 */
static char *
scan(const char *text, size_t len)
{
	struct jscan	 js;
	struct buf	 out = BUF_INIT;
	char		*copy = xmalloc(len + 1);
	int		 tok;

	memcpy(copy, text, len);
	jscan_init(&js, copy, len);
	while ((tok = jscan_next(&js)) != JT_END) {
		if (out.len > 0)
			buf_putc(&out, ' ');
		switch (tok) {
		case JT_ERROR:
			buf_reset(&out);
			buf_printf(&out, "error: %s at %zu", js.error,
			    js.where);
			free(copy);
			return (buf_detach(&out));
		case JT_OBJECT:
			buf_putc(&out, '{');
			break;
		case JT_OBJECT_END:
			buf_putc(&out, '}');
			break;
		case JT_ARRAY:
			buf_putc(&out, '[');
			break;
		case JT_ARRAY_END:
			buf_putc(&out, ']');
			break;
		case JT_STRING:
			buf_puts(&out, js.key ? "k:" : "s:");
			buf_json_string(&out, js.str);
			ck_assert_uint_eq(strlen(js.str), js.len);
			break;
		case JT_NUMBER:
			if (js.integral)
				buf_printf(&out, "n:%lld", (long long)js.num);
			else
				buf_puts(&out, "d");
			break;
		case JT_TRUE:
			buf_putc(&out, 't');
			break;
		case JT_FALSE:
			buf_putc(&out, 'f');
			break;
		case JT_NULL:
			buf_putc(&out, 'z');
			break;
		}
	}
	free(copy);
	return (buf_detach(&out));
}

static void
check_scan(const char *text, const char *want)
{
	char	*got = scan(text, strlen(text));

	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    text, got, want);
	free(got);
}

/* The scan fails, with a reason that starts with why. */
static void
check_bad(const char *text, size_t len, const char *why)
{
	char	*got = scan(text, len);

	ck_assert_msg(strncmp(got, "error: ", 7) == 0 &&
	    strncmp(got + 7, why, strlen(why)) == 0,
	    "%.*s: got \"%s\", want an error \"%s\"", (int)len, text, got,
	    why);
	free(got);
}

START_TEST(page_shaped_text_scans)
{
	check_scan("{\"cursor\":12,\"more\":true,\"changes\":{\"tickets\":"
	    "[{\"id\":\"a\",\"tags\":[\"x\",\"y\"],\"n\":null,\"b\":false}]}}",
	    "{ k:\"cursor\" n:12 k:\"more\" t k:\"changes\" { k:\"tickets\" "
	    "[ { k:\"id\" s:\"a\" k:\"tags\" [ s:\"x\" s:\"y\" ] k:\"n\" z "
	    "k:\"b\" f } ] } }");
	check_scan(" \n\t[ ]\r\n", "[ ]");
	check_scan("{}", "{ }");
	check_scan("[[],{},[{}]]", "[ [ ] { } [ { } ] ]");
	check_scan("\"top\"", "s:\"top\"");
	check_scan("-0", "n:0");
	check_scan("[-9223372036854775808,9223372036854775807]",
	    "[ n:-9223372036854775808 n:9223372036854775807 ]");
	check_scan("[9223372036854775808,1.5,1e3,-2E-2,0.0]",
	    "[ d d d d d ]");
}
END_TEST

START_TEST(escapes_are_decoded_in_place)
{
	check_scan("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"]",
	    "[ s:\"a\\\"b\\\\c/d\\u0008\\u000c\\u000a\\u000d\\u0009\" ]");
	/* é, €, and U+1F600 from a surrogate pair, as UTF-8. */
	check_scan("[\"\\u00e9\\u20AC\\ud83d\\ude00\"]",
	    "[ s:\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\" ]");
	check_scan("[\"\xc3\xa9 raw \xf0\x9f\x98\x80\"]",
	    "[ s:\"\xc3\xa9 raw \xf0\x9f\x98\x80\" ]");
}
END_TEST

/* An empty body that never had a buffer (NULL, 0): refused, not UB. */
START_TEST(no_buffer_at_all_is_refused)
{
	struct jscan	 js;

	jscan_init(&js, NULL, 0);
	ck_assert_int_eq(jscan_next(&js), JT_ERROR);
}
END_TEST

START_TEST(broken_text_is_refused)
{
	check_bad("", 0, "the text ends too soon");
	check_bad("{\"a\":1", 6, "the text ends too soon");
	check_bad("[1,2", 4, "the text ends too soon");
	check_bad("{\"cursor\":1,\"more\":tr", 21, "an unexpected word");
	check_bad("[\"abc", 5, "an unterminated string");
	check_bad("[1,]", 4, "a trailing comma");
	check_bad("{\"a\":1,}", 8, "a trailing comma");
	check_bad("{\"a\":}", 6, "a misplaced bracket");
	check_bad("{,}", 3, "an object member without a name");
	check_bad("[1 2]", 5, "a missing comma");
	check_bad("{\"a\" 1}", 7, "a missing colon");
	check_bad("{1:2}", 5, "an object member without a name");
	check_bad("[1}", 3, "a misplaced bracket");
	check_bad("{]", 2, "a misplaced bracket");
	check_bad("[] []", 5, "text after the end");
	check_bad("[01]", 4, "a missing comma");
	check_bad("[-]", 3, "a bad number");
	check_bad("[1.]", 4, "a bad number");
	check_bad("[1e]", 4, "a bad number");
	check_bad("[+1]", 4, "an unexpected character");
	check_bad("[nul]", 5, "an unexpected word");
	check_bad("['a']", 5, "an unexpected character");
	check_bad("[\"a\tb\"]", 7, "a control character");
	check_bad("[\"a\\xb\"]", 8, "a bad escape");
	check_bad("[\"\\u12\"]", 8, "a bad \\u escape");
	check_bad("[\"\\u0000\"]", 10, "a NUL character");
	check_bad("[\"\\ud800\"]", 10, "a lone surrogate");
	check_bad("[\"\\udc00\"]", 10, "a lone surrogate");
	check_bad("[\"\\ud800\\u0041\"]", 16, "a lone surrogate");
	check_bad("[\"\xff\"]", 4, "invalid UTF-8");
	check_bad("[\"\xc0\xaf\"]", 5, "invalid UTF-8");		/* overlong */
	check_bad("[\"\xed\xa0\x80\"]", 6, "invalid UTF-8");	/* surrogate */
	check_bad("[\"\xf4\x90\x80\x80\"]", 7, "invalid UTF-8");	/* > 10FFFF */
	check_bad("[\"\xe2\x82\"]", 5, "invalid UTF-8");	/* truncated */
	check_bad("[\"a\0b\"]", 6, "a control character");
}
END_TEST

START_TEST(nesting_is_bounded)
{
	struct buf	 b = BUF_INIT;
	int		 i;

	for (i = 0; i < 100; i++)
		buf_putc(&b, '[');
	for (i = 0; i < 100; i++)
		buf_putc(&b, ']');
	check_bad(b.data, b.len, "nested too deep");
	buf_free(&b);
}
END_TEST

START_TEST(skip_passes_over_a_value)
{
	struct jscan	 js;
	char		 text[] = "{\"x\":[1,{\"y\":[2,3]},\"s\"],\"z\":7}";
	int		 tok;

	jscan_init(&js, text, strlen(text));
	ck_assert_int_eq(jscan_next(&js), JT_OBJECT);
	ck_assert_int_eq(jscan_next(&js), JT_STRING);
	tok = jscan_next(&js);
	ck_assert_int_eq(tok, JT_ARRAY);
	ck_assert_int_eq(jscan_skip(&js, tok), 0);
	ck_assert_int_eq(jscan_next(&js), JT_STRING);
	ck_assert_str_eq(js.str, "z");
	ck_assert_int_eq(jscan_next(&js), JT_NUMBER);
	ck_assert_int_eq(js.num, 7);
	ck_assert_int_eq(jscan_next(&js), JT_OBJECT_END);
	ck_assert_int_eq(jscan_next(&js), JT_END);
}
END_TEST

/*
 * Against a second, independent parser: every one-byte change and every
 * truncation of a page-shaped document is accepted by the scanner exactly
 * when jansson accepts it.
 */
START_TEST(agrees_with_jansson_on_mutations)
{
	static const char base[] = "{\"cursor\":42,\"more\":false,\"changes\":"
	    "{\"messages\":[{\"id\":\"0a\",\"body\":\"caf\\u00e9 \xc3\xa9\","
	    "\"n\":-3,\"ok\":true,\"x\":null,\"tags\":[\"a\",\"b\"]}],"
	    "\"e\":[]}}";
	static const char bytes[] = "{}[]\",:\\0123456789-+.eEtrufalsn u\x80"
	    "\xc3\xff\x01 ";
	char		 doc[sizeof base];
	size_t		 len = sizeof base - 1, i, j;
	json_t		*j_;
	char		*got;
	int		 ours, theirs, n = 0;

	for (i = 0; i <= len; i++) {
		for (j = 0; j < sizeof bytes; j++) {
			memcpy(doc, base, len);
			if (j < sizeof bytes - 1)
				doc[i < len ? i : len - 1] = bytes[j];
			got = scan(doc, j < sizeof bytes - 1 ? len : i);
			ours = strncmp(got, "error: ", 7) != 0;
			j_ = json_loadb(doc, j < sizeof bytes - 1 ? len : i, 0,
			    NULL);
			theirs = j_ != NULL;
			json_decref(j_);
			if (ours != theirs)
				ck_abort_msg("byte %zu set to 0x%02x: scanner "
				    "%s (%s), jansson %s", i,
				    (unsigned char)bytes[j], ours ? "accepts" :
				    "refuses", got, theirs ? "accepts" :
				    "refuses");
			free(got);
			n++;
		}
	}
	ck_assert_int_gt(n, 1000);
}
END_TEST

START_TEST(json_string_round_trips)
{
	struct buf	 b = BUF_INIT;
	json_t		*j;

	buf_json_string(&b, "q\"b\\s\x01\n\xc3\xa9");
	j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(j), "q\"b\\s\x01\n\xc3\xa9");
	json_decref(j);
	buf_free(&b);
}
END_TEST

static Suite *
jscan_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jscan");
	tc = tcase_create("jscan");
	tcase_add_test(tc, page_shaped_text_scans);
	tcase_add_test(tc, escapes_are_decoded_in_place);
	tcase_add_test(tc, broken_text_is_refused);
	tcase_add_test(tc, nesting_is_bounded);
	tcase_add_test(tc, skip_passes_over_a_value);
	tcase_add_test(tc, agrees_with_jansson_on_mutations);
	tcase_add_test(tc, json_string_round_trips);
	tcase_add_test(tc, no_buffer_at_all_is_refused);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(jscan_suite()));
}
