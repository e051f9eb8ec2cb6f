/* check-editbuf.c: the editing buffer: UTF-8 editing and soft-wrapped rows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/base.h"

/* The rows of s at width as "row|row|row" (the bytes each row shows). */
static char *
rows_of(const char *s, int width, int flags)
{
	struct buf	 b = BUF_INIT;
	size_t		 len = strlen(s), start = 0, end, next;

	for (;;) {
		end = editbuf_wrap(s, len, start, width, flags, &next);
		buf_append(&b, s + start, end - start);
		if (end == len)
			break;
		buf_putc(&b, '|');
		start = next;
	}
	return (buf_detach(&b));
}

/* Check the rows of s at width. */
static void
check_rows(const char *s, int width, const char *want)
{
	char	*got = rows_of(s, width, 0);

	ck_assert_str_eq(got, want);
	free(got);
}

/* Put the cursor at byte off of text and check its row and column. */
static void
check_cell(const char *text, size_t off, int width, int row, int col)
{
	struct editbuf	 e;
	int		 r, c;

	editbuf_init(&e, text);
	e.cursor = off;
	editbuf_cursor_cell(&e, width, 0, &r, &c);
	ck_assert_msg(r == row && c == col, "offset %zu: row %d col %d, "
	    "want row %d col %d", off, r, c, row, col);
	editbuf_free(&e);
}

START_TEST(insert_moves_by_characters)
{
	struct editbuf	 e;

	editbuf_init(&e, NULL);
	editbuf_insert(&e, 'h');
	editbuf_insert(&e, 0xe9);	/* é */
	editbuf_insert(&e, 0x6f22);	/* 漢 */
	editbuf_insert(&e, 0x1f600);	/* 😀 */
	ck_assert_str_eq(editbuf_text(&e), "h\xc3\xa9\xe6\xbc\xa2"
	    "\xf0\x9f\x98\x80");
	ck_assert_uint_eq(editbuf_column(&e), 4);
	editbuf_left(&e);
	ck_assert_uint_eq(e.cursor, 6);
	editbuf_backspace(&e);
	ck_assert_str_eq(editbuf_text(&e), "h\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_uint_eq(e.cursor, 3);
	editbuf_delete(&e);
	ck_assert_str_eq(editbuf_text(&e), "h\xc3\xa9");
	editbuf_free(&e);
}
END_TEST

START_TEST(kill_word_and_line)
{
	struct editbuf	 e;

	editbuf_init(&e, "one two  ");
	editbuf_kill_word(&e);
	ck_assert_str_eq(editbuf_text(&e), "one ");
	editbuf_set(&e, "first\nsecond");
	editbuf_home(&e);
	editbuf_kill_line(&e);
	ck_assert_str_eq(editbuf_text(&e), "first\n");
	editbuf_kill_bol(&e);
	ck_assert_str_eq(editbuf_text(&e), "first\n");
	editbuf_backspace(&e);
	editbuf_kill_bol(&e);
	ck_assert_str_eq(editbuf_text(&e), "");
	editbuf_free(&e);
}
END_TEST

START_TEST(short_text_is_one_row)
{
	check_rows("", 10, "");
	check_rows("hello", 10, "hello");
	check_rows("0123456789", 10, "0123456789");
}
END_TEST

START_TEST(wraps_after_the_last_space_that_fits)
{
	check_rows("the quick brown fox", 10, "the quick |brown fox");
	check_rows("ab cde", 5, "ab |cde");
}
END_TEST

START_TEST(space_at_the_edge_is_swallowed)
{
	check_rows("hello world", 5, "hello|world");
	check_rows("ab cd ef", 5, "ab cd|ef");
}
END_TEST

START_TEST(long_word_breaks_hard)
{
	check_rows("abcdefghijkl", 5, "abcde|fghij|kl");
}
END_TEST

START_TEST(newlines_end_rows)
{
	check_rows("a\nb", 10, "a|b");
	check_rows("a\n", 10, "a|");
	check_rows("\n\n", 10, "||");
}
END_TEST

START_TEST(wide_characters_never_straddle_the_edge)
{
	/* 漢字 is four cells: "a漢" is three, 字 would reach five of four. */
	check_rows("a\xe6\xbc\xa2\xe5\xad\x97", 4, "a\xe6\xbc\xa2|"
	    "\xe5\xad\x97");
	/* A wide character on a one-cell row still makes progress. */
	check_rows("\xe6\xbc\xa2\xe5\xad\x97", 1, "\xe6\xbc\xa2|"
	    "\xe5\xad\x97");
}
END_TEST

START_TEST(ascii_mode_counts_one_cell)
{
	char	*got;

	got = rows_of("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2", 2,
	    SANITIZE_ASCII);
	ck_assert_str_eq(got, "\xe6\xbc\xa2\xe5\xad\x97|\xe6\xbc\xa2");
	free(got);
}
END_TEST

START_TEST(rows_are_counted)
{
	struct editbuf	 e;

	editbuf_init(&e, "");
	ck_assert_int_eq(editbuf_rows(&e, 10, 0), 1);
	editbuf_set(&e, "the quick brown fox\n\njumps");
	ck_assert_int_eq(editbuf_rows(&e, 10, 0), 4);
	editbuf_set(&e, "line\n");
	ck_assert_int_eq(editbuf_rows(&e, 10, 0), 2);
	editbuf_free(&e);
}
END_TEST

START_TEST(cursor_cell_counts_wide_characters)
{
	/* "a漢b": a at 0, 漢 at 1..3, b at 4. */
	const char	*s = "a\xe6\xbc\xa2" "b";

	check_cell(s, 0, 10, 0, 0);
	check_cell(s, 1, 10, 0, 1);
	check_cell(s, 4, 10, 0, 3);
	check_cell(s, 5, 10, 0, 4);
}
END_TEST

START_TEST(cursor_cell_follows_soft_wraps)
{
	/* Rows "the quick " and "brown fox". */
	const char	*s = "the quick brown fox";

	check_cell(s, 9, 10, 0, 9);
	check_cell(s, 10, 10, 1, 0);
	check_cell(s, 19, 10, 1, 9);
	/* Rows "hello" and "world", the space swallowed. */
	check_cell("hello world", 5, 5, 0, 5);
	check_cell("hello world", 6, 5, 1, 0);
	/* A hard break: the cursor after the fifth character is on row 1. */
	check_cell("abcdefgh", 5, 5, 1, 0);
	/* The end of a full last row stays on it. */
	check_cell("abcde", 5, 5, 0, 5);
}
END_TEST

START_TEST(cursor_cell_after_newlines)
{
	check_cell("ab\ncd", 2, 10, 0, 2);
	check_cell("ab\ncd", 3, 10, 1, 0);
	check_cell("ab\n", 3, 10, 1, 0);
}
END_TEST

START_TEST(move_rows_keeps_the_column)
{
	struct editbuf	 e;
	int		 r, c;

	/* Rows "the quick " and "brown fox" and "" after the newline. */
	editbuf_init(&e, "the quick brown fox\nab");
	e.cursor = 4;				/* "q" */
	editbuf_move_rows(&e, 10, 0, 1);
	ck_assert_uint_eq(e.cursor, 14);	/* "n" of brown */
	editbuf_move_rows(&e, 10, 0, 1);
	ck_assert_uint_eq(e.cursor, 22);	/* end of "ab" */
	editbuf_move_rows(&e, 10, 0, 5);
	ck_assert_uint_eq(e.cursor, 22);
	editbuf_move_rows(&e, 10, 0, -1);
	ck_assert_uint_eq(e.cursor, 12);	/* column 2 of "brown" */
	editbuf_move_rows(&e, 10, 0, -9);
	ck_assert_uint_eq(e.cursor, 2);
	editbuf_cursor_cell(&e, 10, 0, &r, &c);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(c, 2);
	editbuf_free(&e);
}
END_TEST

START_TEST(move_rows_stays_on_a_hard_broken_row)
{
	struct editbuf	 e;
	int		 r, c;

	/* Rows "abcde" and "fg": up from the end of "fg" column 2 ... */
	editbuf_init(&e, "abcdefg");
	editbuf_move_rows(&e, 5, 0, -1);
	ck_assert_uint_eq(e.cursor, 2);
	/* ... and down from column 4 of a long row lands inside "fg". */
	editbuf_set(&e, "abcdefghij");
	e.cursor = 4;
	editbuf_move_rows(&e, 5, 0, 1);
	editbuf_cursor_cell(&e, 5, 0, &r, &c);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(c, 4);
	/* Down onto a row broken inside a word never shows on the next. */
	editbuf_set(&e, "abcde\nfghijklmn");
	e.cursor = 5;
	editbuf_move_rows(&e, 5, 0, 1);
	editbuf_cursor_cell(&e, 5, 0, &r, &c);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(c, 4);
	editbuf_free(&e);
}
END_TEST

START_TEST(move_rows_over_wide_characters)
{
	struct editbuf	 e;

	/* Rows "ab" (2 cells) and "漢字" (4 cells) at width 4. */
	editbuf_init(&e, "ab\n\xe6\xbc\xa2\xe5\xad\x97");
	e.cursor = 1;
	editbuf_move_rows(&e, 4, 0, 1);
	/* Column 1 falls inside 漢: the cursor stays before it. */
	ck_assert_uint_eq(e.cursor, 3);
	e.cursor = 2;
	editbuf_move_rows(&e, 4, 0, 1);
	ck_assert_uint_eq(e.cursor, 6);
	editbuf_free(&e);
}
END_TEST

static Suite *
editbuf_suite(void)
{
	Suite	*s = suite_create("editbuf");
	TCase	*tc;

	tc = tcase_create("edit");
	tcase_add_test(tc, insert_moves_by_characters);
	tcase_add_test(tc, kill_word_and_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("wrap");
	tcase_add_test(tc, short_text_is_one_row);
	tcase_add_test(tc, wraps_after_the_last_space_that_fits);
	tcase_add_test(tc, space_at_the_edge_is_swallowed);
	tcase_add_test(tc, long_word_breaks_hard);
	tcase_add_test(tc, newlines_end_rows);
	tcase_add_test(tc, wide_characters_never_straddle_the_edge);
	tcase_add_test(tc, ascii_mode_counts_one_cell);
	tcase_add_test(tc, rows_are_counted);
	suite_add_tcase(s, tc);

	tc = tcase_create("cursor");
	tcase_add_test(tc, cursor_cell_counts_wide_characters);
	tcase_add_test(tc, cursor_cell_follows_soft_wraps);
	tcase_add_test(tc, cursor_cell_after_newlines);
	tcase_add_test(tc, move_rows_keeps_the_column);
	tcase_add_test(tc, move_rows_stays_on_a_hard_broken_row);
	tcase_add_test(tc, move_rows_over_wide_characters);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(editbuf_suite()));
}
