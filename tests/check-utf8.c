/* check-utf8.c: UTF-8 decoding and the display sanitiser (a security boundary). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "testutil.h"
#include "base/base.h"

#define FFFD	"\xef\xbf\xbd"

/*
 * An assertion for hot loops: ck_assert() reports every passing check to the
 * parent process, which makes a million of them take minutes.
 */
#define QUICK_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* Decode s (len bytes) expecting one code point cp taking n bytes. */
static void
check_decode(const char *s, size_t len, uint32_t cp, int n)
{
	uint32_t	 got = 0;
	int		 used;

	used = utf8_decode(s, len, &got);
	QUICK_ASSERT(got == cp && used == n,
	    "decode of %zu bytes starting %02x: got U+%04X/%d, want U+%04X/%d",
	    len, len > 0 ? (unsigned char)s[0] : 0, (unsigned)got, used,
	    (unsigned)cp, n);
}

/* Decode s expecting U+FFFD consuming exactly one byte, and invalid text. */
static void
check_rejected(const char *s, size_t len)
{
	check_decode(s, len, UTF8_REPLACEMENT, 1);
	ck_assert_int_eq(utf8_valid(s, len), 0);
}

/*
 * The sanitiser's output contract, checked byte by byte without using the
 * sanitiser's own tables: valid UTF-8; no C0 control but '\n' (and that only
 * with SANITIZE_KEEP_NEWLINES); no DEL; no C1 control; no bidi control; only
 * printable ASCII in ASCII mode. Returns the display width from wcwidth().
 */
static int
check_clean(const char *s, size_t len, int flags)
{
	size_t		 i;
	uint32_t	 c;
	int		 n, w, width = 0;
	unsigned char	 u;

	QUICK_ASSERT(utf8_valid(s, len), "output is not valid UTF-8");
	for (i = 0; i < len; i += (size_t)n) {
		u = (unsigned char)s[i];
		if (u == '\n') {
			QUICK_ASSERT(flags & SANITIZE_KEEP_NEWLINES,
			    "newline on one line");
			n = 1;
			continue;
		}
		QUICK_ASSERT(u >= 0x20, "control byte %02x at %zu", u, i);
		QUICK_ASSERT(u != 0x7f, "DEL at %zu", i);
		if (flags & SANITIZE_ASCII)
			QUICK_ASSERT(u < 0x7f, "non-ASCII byte %02x", u);
		n = utf8_decode(s + i, len - i, &c);
		QUICK_ASSERT(c < 0x80 || c > 0x9f, "C1 control U+%04X",
		    (unsigned)c);
		QUICK_ASSERT(!(c >= 0x202a && c <= 0x202e) &&
		    !(c >= 0x2066 && c <= 0x2069) &&
		    c != 0x200e && c != 0x200f && c != 0x061c,
		    "bidi control U+%04X", (unsigned)c);
		w = wcwidth((wchar_t)c);
		QUICK_ASSERT(w >= 0, "unprintable U+%04X", (unsigned)c);
		width += w;
	}
	return (width);
}

/* sanitize_line into a fresh buffer, check it and compare with want. */
static void
check_line(const char *in, size_t len, int flags, const char *want)
{
	struct buf	 b = BUF_INIT;

	sanitize_line(&b, in, len, flags);
	check_clean(b.data, b.len, flags);
	ck_assert_str_eq(buf_cstr(&b), want);
	ck_assert_uint_eq(b.len, strlen(want));
	buf_free(&b);
}

/* sanitize_fit into a fresh buffer, check it and compare with want. */
static void
check_fit(const char *in, int cols, int flags, const char *want,
    size_t want_cells)
{
	struct buf	 b = BUF_INIT;
	size_t		 cells;

	cells = sanitize_fit(&b, in, strlen(in), cols, flags);
	ck_assert_int_eq(check_clean(b.data, b.len, flags &
	    ~SANITIZE_KEEP_NEWLINES), (int)cells);
	ck_assert_str_eq(buf_cstr(&b), want);
	ck_assert_uint_eq(cells, want_cells);
	buf_free(&b);
}

/* Is c a Unicode scalar value (not a surrogate, not above U+10FFFF)? */
static int
is_scalar(uint32_t c)
{
	return (c <= 0x10ffff && (c < 0xd800 || c > 0xdfff));
}

/* --- UTF-8 ------------------------------------------------------------ */

START_TEST(round_trip_of_every_scalar_value)
{
	char		 enc[4];
	uint32_t	 c, got;
	int		 n, want;

	for (c = 0; c <= 0x10ffff; c++) {
		if (!is_scalar(c))
			continue;
		n = utf8_encode(c, enc);
		want = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
		QUICK_ASSERT(n == want, "U+%04X encoded in %d bytes",
		    (unsigned)c, n);
		QUICK_ASSERT(utf8_decode(enc, (size_t)n, &got) == n &&
		    got == c, "U+%04X decoded as U+%04X", (unsigned)c,
		    (unsigned)got);
		QUICK_ASSERT(c == 0 || utf8_valid(enc, (size_t)n),
		    "U+%04X not valid", (unsigned)c);
	}
}
END_TEST

START_TEST(encode_of_non_scalar_gives_replacement)
{
	char	 enc[4];

	ck_assert_int_eq(utf8_encode(0xd800, enc), 3);
	ck_assert_mem_eq(enc, FFFD, 3);
	ck_assert_int_eq(utf8_encode(0xdfff, enc), 3);
	ck_assert_mem_eq(enc, FFFD, 3);
	ck_assert_int_eq(utf8_encode(0x110000, enc), 3);
	ck_assert_mem_eq(enc, FFFD, 3);
	ck_assert_int_eq(utf8_encode(0xffffffff, enc), 3);
	ck_assert_mem_eq(enc, FFFD, 3);
}
END_TEST

START_TEST(decode_of_known_sequences)
{
	check_decode("A", 1, 'A', 1);
	check_decode("\xc2\x80", 2, 0x80, 2);
	check_decode("\xc3\xa9", 2, 0xe9, 2);
	check_decode("\xdf\xbf", 2, 0x7ff, 2);
	check_decode("\xe0\xa0\x80", 3, 0x800, 3);
	check_decode("\xe6\xbc\xa2", 3, 0x6f22, 3);
	check_decode("\xed\x9f\xbf", 3, 0xd7ff, 3);
	check_decode("\xee\x80\x80", 3, 0xe000, 3);
	check_decode("\xef\xbf\xbd", 3, 0xfffd, 3);
	check_decode("\xf0\x90\x80\x80", 4, 0x10000, 4);
	check_decode("\xf0\x9f\x98\x80", 4, 0x1f600, 4);
	check_decode("\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4);
}
END_TEST

START_TEST(overlong_forms_are_rejected)
{
	check_rejected("\xc0\x80", 2);
	check_rejected("\xc1\xbf", 2);
	check_rejected("\xe0\x80\x80", 3);
	check_rejected("\xe0\x9f\xbf", 3);
	check_rejected("\xf0\x80\x80\x80", 4);
	check_rejected("\xf0\x8f\xbf\xbf", 4);
}
END_TEST

START_TEST(surrogates_are_rejected)
{
	check_rejected("\xed\xa0\x80", 3);
	check_rejected("\xed\xaf\xbf", 3);
	check_rejected("\xed\xb0\x80", 3);
	check_rejected("\xed\xbf\xbf", 3);
	/* A CESU-8 style pair is two rejected halves. */
	ck_assert_int_eq(utf8_valid("\xed\xa0\xbd\xed\xb8\x80", 6), 0);
}
END_TEST

START_TEST(above_max_code_point_is_rejected)
{
	check_rejected("\xf4\x90\x80\x80", 4);
	check_rejected("\xf5\x80\x80\x80", 4);
	check_rejected("\xf7\xbf\xbf\xbf", 4);
	check_rejected("\xf8\x88\x80\x80\x80", 5);
	check_rejected("\xfc\x84\x80\x80\x80\x80", 6);
	check_rejected("\xfe", 1);
	check_rejected("\xff", 1);
}
END_TEST

START_TEST(truncated_sequences_are_rejected)
{
	check_rejected("\xc3", 1);
	check_rejected("\xe6\xbc", 2);
	check_rejected("\xe6", 1);
	check_rejected("\xf0\x9f\x98", 3);
	check_rejected("\xf0\x9f", 2);
	/* Cut short by a following ASCII byte rather than by the end. */
	check_rejected("\xc3" "A", 2);
	check_rejected("\xe6\xbc" "A", 3);
	check_rejected("\xf0\x9f\x98" "A", 4);
	/* Cut short by the length even though the bytes are there. */
	check_decode("\xe6\xbc\xa2", 2, UTF8_REPLACEMENT, 1);
	check_decode("", 0, UTF8_REPLACEMENT, 1);
}
END_TEST

START_TEST(lone_continuation_bytes_are_rejected)
{
	unsigned int	 u;
	char		 c;

	for (u = 0x80; u <= 0xbf; u++) {
		c = (char)u;
		check_rejected(&c, 1);
	}
	ck_assert_int_eq(utf8_valid("a\x80" "b", 3), 0);
	ck_assert_int_eq(utf8_valid("\xc3\xa9\xa9", 3), 0);
}
END_TEST

START_TEST(valid_accepts_mixed_text_and_rejects_nul)
{
	const char	*s = "plain é 漢字 😀 e\xcc\x81";

	ck_assert_int_eq(utf8_valid(s, strlen(s)), 1);
	ck_assert_int_eq(utf8_valid("", 0), 1);
	ck_assert_int_eq(utf8_valid("a\0b", 3), 0);
	ck_assert_int_eq(utf8_valid(FFFD, 3), 1);
	/* Only len bytes are looked at. */
	ck_assert_int_eq(utf8_valid("ok\xff", 2), 1);
}
END_TEST

START_TEST(strlen_counts_code_points)
{
	ck_assert_uint_eq(utf8_strlen(""), 0);
	ck_assert_uint_eq(utf8_strlen("abc"), 3);
	ck_assert_uint_eq(utf8_strlen("h\xc3\xa9llo"), 5);
	ck_assert_uint_eq(utf8_strlen("漢字"), 2);
	ck_assert_uint_eq(utf8_strlen("😀a"), 2);
	ck_assert_uint_eq(utf8_strlen("e\xcc\x81"), 2);
	ck_assert_uint_eq(utf8_strlen("\xff\xfe"), 2);
	ck_assert_uint_eq(utf8_strlen("\xe6\xbc"), 2);
}
END_TEST

START_TEST(next_and_prev_walk_mixed_text)
{
	const char	*s = "a\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80" "b";
	const size_t	 stops[] = { 0, 1, 3, 6, 10, 11 };
	size_t		 len = strlen(s), off, i;

	off = 0;
	for (i = 1; i < nitems(stops); i++) {
		off = utf8_next(s, len, off);
		ck_assert_uint_eq(off, stops[i]);
	}
	ck_assert_uint_eq(utf8_next(s, len, len), len);
	ck_assert_uint_eq(utf8_next(s, len, len + 5), len);
	for (i = nitems(stops) - 1; i > 0; i--) {
		off = utf8_prev(s, off);
		ck_assert_uint_eq(off, stops[i - 1]);
	}
	ck_assert_uint_eq(utf8_prev(s, 0), 0);
}
END_TEST

/* Walk s forwards and backwards; the character boundaries must agree. */
static void
check_walks_agree(const char *s, size_t len)
{
	size_t	*stops, n = 0, off, i;

	stops = xreallocarray(NULL, len + 1, sizeof *stops);
	for (off = 0; off < len; off = utf8_next(s, len, off))
		stops[n++] = off;
	off = len;
	for (i = n; i > 0; i--) {
		off = utf8_prev(s, off);
		QUICK_ASSERT(off == stops[i - 1],
		    "prev gave %zu, next stopped at %zu", off, stops[i - 1]);
	}
	free(stops);
}

START_TEST(prev_is_inverse_of_next_on_invalid_text)
{
	check_walks_agree("\xc3\xa9\xa9", 3);
	check_walks_agree("a\x80\x80\x80\x80\x80" "b", 7);
	check_walks_agree("\xe6\xbc", 2);
	check_walks_agree("\xf0\x9f\x98", 3);
	check_walks_agree("x\xf0\xe6\xbc\xa2", 5);
	check_walks_agree("\xed\xa0\x80", 3);
	check_walks_agree("\xc0\x80", 2);
	check_walks_agree("\xf4\x90\x80\x80", 4);
}
END_TEST

START_TEST(prev_is_inverse_of_next_on_random_bytes)
{
	static const unsigned char	 alphabet[] = {
		'a', 0x80, 0x8f, 0xa9, 0xbf, 0xc3, 0xc0, 0xe0, 0xe6, 0xed,
		0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0x98
	};
	struct rng	 r;
	char		 s[16];
	size_t		 len, i;
	int		 round;

	rng_seed(&r, 7);
	for (round = 0; round < 100000; round++) {
		len = rng_below(&r, sizeof s + 1);
		for (i = 0; i < len; i++)
			s[i] = (char)alphabet[rng_below(&r, sizeof alphabet)];
		check_walks_agree(s, len);
	}
}
END_TEST

/* Valid text comes through as it is; each bad byte becomes one U+FFFD. */
START_TEST(repair_keeps_valid_text_and_replaces_bad_bytes)
{
	struct buf	 b = BUF_INIT;

	buf_utf8_repair(&b, "Gr\xc3\xbc\xc3\x9f\xe2\x82\xac", 9);
	ck_assert_str_eq(buf_cstr(&b), "Gr\xc3\xbc\xc3\x9f\xe2\x82\xac");
	buf_reset(&b);
	/* Half a character, a lone continuation byte, an overlong NUL. */
	buf_utf8_repair(&b, "a\xc8 b\x9c c\xc0\x80", 9);
	ck_assert_str_eq(buf_cstr(&b), "a\xef\xbf\xbd b\xef\xbf\xbd "
	    "c\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert(utf8_valid(b.data, b.len));
	buf_free(&b);
}
END_TEST

/* --- The sanitiser ------------------------------------------------------ */

START_TEST(forbidden_code_points)
{
	static const uint32_t	 bad[] = {
		0x00, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f,
		0x80, 0x85, 0x9b, 0x9c, 0x9d, 0x9f,
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c
	};
	static const uint32_t	 good[] = {
		0x20, 'a', 0x7e, 0xa0, 0xe9, 0x6f22, 0x1f600, 0x301, 0xfffd
	};
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(sanitize_is_forbidden(bad[i]), "U+%04X allowed",
		    (unsigned)bad[i]);
	for (i = 0; i < nitems(good); i++)
		ck_assert_msg(!sanitize_is_forbidden(good[i]),
		    "U+%04X forbidden", (unsigned)good[i]);
}
END_TEST

START_TEST(plain_text_passes_unchanged)
{
	check_line("Hello, world! ~{}|", 18, 0, "Hello, world! ~{}|");
	check_line("h\xc3\xa9 漢字 😀 e\xcc\x81", strlen("h\xc3\xa9 漢字 😀 e\xcc\x81"),
	    0, "h\xc3\xa9 漢字 😀 e\xcc\x81");
	check_line("", 0, 0, "");
}
END_TEST

START_TEST(line_appends_to_existing_buffer)
{
	struct buf	 b = BUF_INIT;

	buf_puts(&b, "pre:");
	sanitize_line(&b, "\x1b" "x", 2, 0);
	ck_assert_str_eq(buf_cstr(&b), "pre:" FFFD "x");
	buf_free(&b);
}
END_TEST

START_TEST(osc52_clipboard_write_is_defused)
{
	const char	*p = "\x1b]52;c;ZWNobyBwd25lZA==\x07";

	check_line(p, strlen(p), 0, FFFD "]52;c;ZWNobyBwd25lZA==" FFFD);
	check_line(p, strlen(p), SANITIZE_KEEP_NEWLINES,
	    FFFD "]52;c;ZWNobyBwd25lZA==" FFFD);
}
END_TEST

START_TEST(osc8_hyperlink_is_defused)
{
	const char	*p = "\x1b]8;;http://evil\x1b\\text\x1b]8;;\x1b\\";

	check_line(p, strlen(p), 0,
	    FFFD "]8;;http://evil" FFFD "\\text" FFFD "]8;;" FFFD "\\");
}
END_TEST

START_TEST(csi_clear_screen_is_defused)
{
	check_line("\x1b[2J", 4, 0, FFFD "[2J");
	check_line("a\x1b[31mred\x1b[0m", 13, 0,
	    "a" FFFD "[31mred" FFFD "[0m");
}
END_TEST

START_TEST(dcs_and_apc_strings_are_defused)
{
	const char	*dcs = "\x1bP+q544e\x1b\\";
	const char	*apc = "\x1b_Gi=31;AAAA\x1b\\";

	check_line(dcs, strlen(dcs), 0, FFFD "P+q544e" FFFD "\\");
	check_line(apc, strlen(apc), 0, FFFD "_Gi=31;AAAA" FFFD "\\");
}
END_TEST

START_TEST(c1_csi_raw_and_encoded_is_defused)
{
	/* Raw 0x9b is invalid UTF-8; C2 9B is U+009B, a C1 control. */
	check_line("\x9b" "2J", 3, 0, FFFD "2J");
	check_line("\xc2\x9b" "2J", 4, 0, FFFD "2J");
	check_line("\xc2\x80\xc2\x85\xc2\x90\xc2\x9c\xc2\x9d\xc2\x9f", 12, 0,
	    FFFD FFFD FFFD FFFD FFFD FFFD);
	check_line("\x90\x9d\x9e\x9f", 4, 0, FFFD FFFD FFFD FFFD);
	check_line("\xc2\x9b", 2, SANITIZE_ASCII, "?");
}
END_TEST

START_TEST(carriage_return_overwrite_is_defused)
{
	check_line("safe\rEVIL", 9, 0, "safe" FFFD "EVIL");
	check_line("safe\rEVIL", 9, SANITIZE_KEEP_NEWLINES,
	    "safe" FFFD "EVIL");
	check_line("end\r", 4, SANITIZE_KEEP_NEWLINES, "end" FFFD);
	check_line("\r\r\n", 3, SANITIZE_KEEP_NEWLINES, FFFD "\n");
	check_line("a\n\rb", 4, SANITIZE_KEEP_NEWLINES, "a\n" FFFD "b");
}
END_TEST

START_TEST(bidi_controls_are_defused)
{
	/* "invoice_\u202Efdp.exe" would read as "invoice_exe.pdf". */
	check_line("invoice_\xe2\x80\xae" "fdp.exe", 18, 0,
	    "invoice_" FFFD "fdp.exe");
	check_line("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 12, 0,
	    FFFD FFFD FFFD FFFD);
	check_line("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 12, 0,
	    FFFD FFFD FFFD FFFD);
	check_line("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 8, 0,
	    FFFD FFFD FFFD);
}
END_TEST

START_TEST(nul_and_del_are_defused)
{
	check_line("a\0b\x7f" "c", 5, 0, "a" FFFD "b" FFFD "c");
}
END_TEST

START_TEST(invalid_utf8_shows_replacement)
{
	check_line("a\xff" "b", 3, 0, "a" FFFD "b");
	check_line("\xc0\x80", 2, 0, FFFD FFFD);
	check_line("\xed\xa0\x80", 3, 0, FFFD FFFD FFFD);
	check_line("\xf4\x90\x80\x80", 4, 0, FFFD FFFD FFFD FFFD);
	check_line("x\xe6\xbc", 3, 0, "x" FFFD FFFD);
	/* Unassigned and noncharacter code points are not printable. */
	check_line("\xef\xbf\xbf", 3, 0, FFFD);
}
END_TEST

START_TEST(tabs_become_spaces)
{
	check_line("a\tb\t\tc", 6, 0, "a b  c");
	check_line("a\tb", 3, SANITIZE_KEEP_NEWLINES, "a b");
}
END_TEST

START_TEST(newlines_kept_only_when_asked)
{
	check_line("a\nb", 3, SANITIZE_KEEP_NEWLINES, "a\nb");
	check_line("a\nb", 3, 0, "a b");
	check_line("a\n\nb", 4, SANITIZE_KEEP_NEWLINES, "a\n\nb");
}
END_TEST

START_TEST(crlf_keeps_one_newline)
{
	check_line("a\r\nb\r\n", 6, SANITIZE_KEEP_NEWLINES, "a\nb\n");
	check_line("a\r\n\r\nb", 6, SANITIZE_KEEP_NEWLINES, "a\n\nb");
	/* On one line a CRLF is one line break: one space, no U+FFFD. */
	check_line("a\r\nb", 4, 0, "a b");
}
END_TEST

START_TEST(widths_of_characters)
{
	ck_assert_int_eq(sanitize_width('a'), 1);
	ck_assert_int_eq(sanitize_width(' '), 1);
	ck_assert_int_eq(sanitize_width(0x1b), -1);
	ck_assert_int_eq(sanitize_width(0x7f), -1);
	ck_assert_int_eq(sanitize_width(0xe9), 1);
	ck_assert_int_eq(sanitize_width(0x6f22), 2);	/* 漢 */
	ck_assert_int_eq(sanitize_width(0x1f600), 2);	/* 😀 */
	ck_assert_int_eq(sanitize_width(0x301), 0);	/* combining acute */
	ck_assert_int_eq(sanitize_width(0xfffd), 1);
	ck_assert_int_eq(sanitize_width_str("abc", 3), 3);
	ck_assert_int_eq(sanitize_width_str("漢字", 6), 4);
	ck_assert_int_eq(sanitize_width_str("a漢😀e\xcc\x81", 11), 6);
	ck_assert_int_eq(sanitize_width_str("\x1b[2J", 4), 4);
	ck_assert_int_eq(sanitize_width_str("a\r\nb", 4), 3);
	ck_assert_int_eq(sanitize_width_str("", 0), 0);
}
END_TEST

START_TEST(fit_cuts_at_columns)
{
	check_fit("abcdef", 3, 0, "abc", 3);
	check_fit("abc", 10, 0, "abc", 3);
	check_fit("abc", 3, 0, "abc", 3);
	check_fit("abc", 0, 0, "", 0);
	check_fit("abc", -5, 0, "", 0);
	check_fit("", 5, 0, "", 0);
	check_fit("\x1b[2J", 2, 0, FFFD "[", 2);
}
END_TEST

START_TEST(fit_replaces_straddling_wide_char_by_space)
{
	check_fit("漢字", 3, 0, "漢 ", 3);
	check_fit("漢", 1, 0, " ", 1);
	check_fit("a漢", 2, 0, "a ", 2);
	check_fit("a😀b", 2, 0, "a ", 2);
	check_fit("a😀b", 3, 0, "a😀", 3);
	check_fit("漢字", 4, 0, "漢字", 4);
}
END_TEST

START_TEST(fit_keeps_combining_marks_with_their_base)
{
	check_fit("e\xcc\x81" "x", 2, 0, "e\xcc\x81" "x", 2);
	check_fit("e\xcc\x81" "x", 1, 0, "e", 1);
}
END_TEST

START_TEST(fit_puts_newlines_on_one_line)
{
	check_fit("a\nb", 5, SANITIZE_KEEP_NEWLINES, "a b", 3);
	check_fit("a\r\nb", 5, SANITIZE_KEEP_NEWLINES, "a b", 3);
	check_fit("a\tb", 5, 0, "a b", 3);
}
END_TEST

START_TEST(ascii_mode_shows_question_marks)
{
	check_line("h\xc3\xa9llo 漢😀", strlen("h\xc3\xa9llo 漢😀"),
	    SANITIZE_ASCII, "h?llo ??");
	check_line("\x1b[2J\xff", 5, SANITIZE_ASCII, "?[2J?");
	check_line("\xe2\x80\xae", 3, SANITIZE_ASCII, "?");
	check_line("a\r\nb", 4, SANITIZE_ASCII | SANITIZE_KEEP_NEWLINES,
	    "a\nb");
	check_fit("漢字x", 3, SANITIZE_ASCII, "??x", 3);
	check_fit("e\xcc\x81", 5, SANITIZE_ASCII, "e?", 2);
}
END_TEST

START_TEST(every_code_point_comes_out_clean)
{
	struct buf	 b = BUF_INIT;
	char		 enc[4];
	uint32_t	 c;
	int		 n, flags;
	size_t		 cells;

	for (c = 0; c <= 0x10ffff; c++) {
		if (!is_scalar(c))
			continue;
		n = utf8_encode(c, enc);
		for (flags = 0; flags < 4; flags++) {
			buf_reset(&b);
			sanitize_line(&b, enc, (size_t)n, flags);
			check_clean(b.data, b.len, flags);
		}
		buf_reset(&b);
		cells = sanitize_fit(&b, enc, (size_t)n, 1, 0);
		QUICK_ASSERT(cells <= 1 &&
		    check_clean(b.data, b.len, 0) == (int)cells,
		    "U+%04X fit in %zu cells", (unsigned)c, cells);
	}
	buf_free(&b);
}
END_TEST

/* Random input: bytes, with a bias to the pieces attacks are made of. */
static size_t
random_input(struct rng *r, char *s, size_t max)
{
	static const char	*pieces[] = {
		"\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b_", "\x1b\\", "\x07",
		"\r", "\n", "\r\n", "\t", "\x7f", "\x9b", "\xc2\x9b",
		"\xc2\x85", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x80\x8f",
		"\xd8\x9c", "\xe6\xbc\xa2", "\xf0\x9f\x98\x80", "\xcc\x81",
		"\xc3\xa9", "\xe6\xbc", "\xf0\x9f", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xc0\x80", "\xef\xbf\xbf", "a", " "
	};
	const char	*p;
	size_t		 len = 0, want, n;

	want = rng_below(r, (uint32_t)max + 1);
	while (len < want) {
		if (rng_chance(r, 0.5)) {
			s[len++] = (char)rng_below(r, 256);
			continue;
		}
		p = pieces[rng_below(r, nitems(pieces))];
		n = strlen(p);
		if (len + n > want)
			break;
		memcpy(s + len, p, n);
		len += n;
	}
	return (len);
}

START_TEST(random_bytes_come_out_clean)
{
	struct rng	 r;
	struct buf	 b = BUF_INIT;
	char		 in[64];
	size_t		 len, cells;
	int		 round, flags, cols, width;

	rng_seed(&r, 20261121);
	for (round = 0; round < 100000; round++) {
		len = random_input(&r, in, sizeof in);
		flags = (int)rng_below(&r, 4);

		buf_reset(&b);
		sanitize_line(&b, in, len, flags);
		width = check_clean(b.data, b.len, flags);
		QUICK_ASSERT(flags != 0 || width == sanitize_width_str(in, len),
		    "round %d: width %d", round, width);

		cols = rng_range(&r, -1, 40);
		buf_reset(&b);
		cells = sanitize_fit(&b, in, len, cols, flags);
		QUICK_ASSERT((int)cells <= (cols < 0 ? 0 : cols),
		    "round %d: %zu cells in %d columns", round, cells, cols);
		width = check_clean(b.data, b.len,
		    flags & ~SANITIZE_KEEP_NEWLINES);
		QUICK_ASSERT(width == (int)cells,
		    "round %d: %zu cells reported, %d drawn", round, cells,
		    width);
	}
	buf_free(&b);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("utf8");

	tc = tcase_create("utf8");
	tcase_add_test(tc, round_trip_of_every_scalar_value);
	tcase_add_test(tc, encode_of_non_scalar_gives_replacement);
	tcase_add_test(tc, decode_of_known_sequences);
	tcase_add_test(tc, overlong_forms_are_rejected);
	tcase_add_test(tc, surrogates_are_rejected);
	tcase_add_test(tc, above_max_code_point_is_rejected);
	tcase_add_test(tc, truncated_sequences_are_rejected);
	tcase_add_test(tc, lone_continuation_bytes_are_rejected);
	tcase_add_test(tc, valid_accepts_mixed_text_and_rejects_nul);
	tcase_add_test(tc, strlen_counts_code_points);
	tcase_add_test(tc, next_and_prev_walk_mixed_text);
	tcase_add_test(tc, prev_is_inverse_of_next_on_invalid_text);
	tcase_add_test(tc, prev_is_inverse_of_next_on_random_bytes);
	tcase_add_test(tc, repair_keeps_valid_text_and_replaces_bad_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("sanitize");
	tcase_add_test(tc, forbidden_code_points);
	tcase_add_test(tc, plain_text_passes_unchanged);
	tcase_add_test(tc, line_appends_to_existing_buffer);
	tcase_add_test(tc, osc52_clipboard_write_is_defused);
	tcase_add_test(tc, osc8_hyperlink_is_defused);
	tcase_add_test(tc, csi_clear_screen_is_defused);
	tcase_add_test(tc, dcs_and_apc_strings_are_defused);
	tcase_add_test(tc, c1_csi_raw_and_encoded_is_defused);
	tcase_add_test(tc, carriage_return_overwrite_is_defused);
	tcase_add_test(tc, bidi_controls_are_defused);
	tcase_add_test(tc, nul_and_del_are_defused);
	tcase_add_test(tc, invalid_utf8_shows_replacement);
	tcase_add_test(tc, tabs_become_spaces);
	tcase_add_test(tc, newlines_kept_only_when_asked);
	tcase_add_test(tc, crlf_keeps_one_newline);
	tcase_add_test(tc, widths_of_characters);
	tcase_add_test(tc, fit_cuts_at_columns);
	tcase_add_test(tc, fit_replaces_straddling_wide_char_by_space);
	tcase_add_test(tc, fit_keeps_combining_marks_with_their_base);
	tcase_add_test(tc, fit_puts_newlines_on_one_line);
	tcase_add_test(tc, ascii_mode_shows_question_marks);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_code_point_comes_out_clean);
	tcase_add_test(tc, random_bytes_come_out_clean);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(utf8_suite()));
}
