/* check-time.c: RFC 3339 times, durations and their short text forms. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "base/base.h"

#define SEC	1000LL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)

/* 2024-02-29T12:34:56Z */
#define LEAP_DAY	1709210096000LL

/* Parse s, expecting success and ms. */
static void
check_parse(const char *s, int64_t want)
{
	int64_t	 got = -42;

	ck_assert_msg(time_parse_rfc3339(s, &got) == 0, "refused \"%s\"", s);
	ck_assert_msg(got == want, "\"%s\" gave %lld, want %lld", s,
	    (long long)got, (long long)want);
}

/* Parse s, expecting a refusal that leaves the result alone. */
static void
check_parse_refused(const char *s)
{
	int64_t	 got = -42;

	ck_assert_msg(time_parse_rfc3339(s, &got) == -1, "accepted \"%s\"", s);
	ck_assert_int_eq(got, -42);
}

/* Parse a duration, expecting success and ms. */
static void
check_duration(const char *s, int64_t want)
{
	int64_t	 got = -42;

	ck_assert_msg(time_parse_duration(s, &got) == 0, "refused \"%s\"", s);
	ck_assert_msg(got == want, "\"%s\" gave %lld, want %lld", s,
	    (long long)got, (long long)want);
}

/* Parse a duration, expecting a refusal that leaves the result alone. */
static void
check_duration_refused(const char *s)
{
	int64_t	 got = -42;

	ck_assert_msg(time_parse_duration(s, &got) == -1, "accepted \"%s\"",
	    s);
	ck_assert_int_eq(got, -42);
}

static void
check_relative(int64_t ms, const char *want)
{
	char	 out[32];

	time_format_relative(ms, out, sizeof out);
	ck_assert_msg(strcmp(out, want) == 0, "%lld ms gave \"%s\", want "
	    "\"%s\"", (long long)ms, out, want);
}

static void
check_countdown(int64_t ms, const char *want)
{
	char	 out[32];

	time_format_countdown(ms, out, sizeof out);
	ck_assert_msg(strcmp(out, want) == 0, "%lld ms gave \"%s\", want "
	    "\"%s\"", (long long)ms, out, want);
}

START_TEST(parse_utc_with_z)
{
	check_parse("2024-02-29T12:34:56Z", LEAP_DAY);
	check_parse("1970-01-01T00:00:00Z", 0);
	check_parse("2026-11-21T10:00:00Z", 1795255200000LL);
	check_parse("2000-02-29T00:00:00Z", 951782400000LL);
}
END_TEST

START_TEST(parse_accepts_lowercase_and_space_separator)
{
	check_parse("2024-02-29t12:34:56z", LEAP_DAY);
	check_parse("2024-02-29 12:34:56Z", LEAP_DAY);
}
END_TEST

START_TEST(parse_applies_offsets)
{
	check_parse("2024-02-29T13:34:56+01:00", LEAP_DAY);
	check_parse("2024-02-29T07:04:56-05:30", LEAP_DAY);
	check_parse("2024-02-29T12:34:56+00:00", LEAP_DAY);
	check_parse("2024-02-29T12:34:56-00:00", LEAP_DAY);
	/* An offset can move the date across midnight and a month. */
	check_parse("2024-03-01T00:04:56+11:30", LEAP_DAY);
	check_parse("1970-01-01T00:00:00+01:00", -HOUR);
}
END_TEST

START_TEST(parse_keeps_milliseconds_of_fractions)
{
	check_parse("2024-02-29T12:34:56.5Z", LEAP_DAY + 500);
	check_parse("2024-02-29T12:34:56.05Z", LEAP_DAY + 50);
	check_parse("2024-02-29T12:34:56.123Z", LEAP_DAY + 123);
	check_parse("2024-02-29T12:34:56.123456789Z", LEAP_DAY + 123);
	check_parse("2024-02-29T12:34:56.999999+01:00", LEAP_DAY - HOUR + 999);
	check_parse("2024-02-29T12:34:56.000Z", LEAP_DAY);
}
END_TEST

START_TEST(parse_before_the_epoch)
{
	check_parse("1969-12-31T23:59:59.999Z", -1);
	check_parse("1969-12-31T23:59:59Z", -SEC);
	check_parse("1900-01-01T00:00:00Z", -2208988800000LL);
}
END_TEST

START_TEST(parse_leap_days)
{
	check_parse("2024-02-29T00:00:00Z", LEAP_DAY - 12 * HOUR - 34 * MIN -
	    56 * SEC);
	check_parse("2000-02-29T00:00:00Z", 951782400000LL);
	check_parse_refused("2023-02-29T00:00:00Z");
	check_parse_refused("1900-02-29T00:00:00Z");
	check_parse_refused("2100-02-29T00:00:00Z");
}
END_TEST

START_TEST(parse_refuses_impossible_dates)
{
	check_parse_refused("2024-02-30T00:00:00Z");
	check_parse_refused("2024-02-31T00:00:00Z");
	check_parse_refused("2024-04-31T00:00:00Z");
	check_parse_refused("2024-11-31T00:00:00Z");
	check_parse_refused("2024-00-10T00:00:00Z");
	check_parse_refused("2024-13-10T00:00:00Z");
	check_parse_refused("2024-01-00T00:00:00Z");
	check_parse_refused("2024-01-32T00:00:00Z");
	check_parse_refused("2024-01-01T24:00:00Z");
	check_parse_refused("2024-01-01T00:60:00Z");
	check_parse_refused("2024-01-01T00:00:61Z");
	check_parse_refused("2024-01-01T00:00:00+24:00");
	check_parse_refused("2024-01-01T00:00:00+01:60");
}
END_TEST

START_TEST(parse_refuses_garbage)
{
	check_parse_refused("");
	check_parse_refused("garbage");
	check_parse_refused("2024");
	check_parse_refused("2024-01-01");
	check_parse_refused("2024-01-01T");
	check_parse_refused("2024-01-01T00:00");
	check_parse_refused("2024-01-01T00:00:00");
	check_parse_refused("2024-1-01T00:00:00Z");
	check_parse_refused("24-01-01T00:00:00Z");
	check_parse_refused("2024/01/01T00:00:00Z");
	check_parse_refused("2024-01-01X00:00:00Z");
	check_parse_refused("2024-01-01T00:00:00.Z");
	check_parse_refused("2024-01-01T00:00:00+0100");
	check_parse_refused("2024-01-01T00:00:00+01");
	check_parse_refused("2024-01-01T00:00:00 Z");
	check_parse_refused("+2024-01-01T00:00:00Z");
	check_parse_refused("2024-01-01T00:00:00ZZ");
}
END_TEST

START_TEST(parse_refuses_trailing_text)
{
	check_parse_refused("2024-01-01T00:00:00Zjunk");
	check_parse_refused("2024-01-01T00:00:00Z ");
	check_parse_refused("2024-01-01T00:00:00Z\n");
	check_parse_refused("2024-01-01T00:00:00+01:00x");
	check_parse_refused("2024-01-01T00:00:00.5Z.5");
}
END_TEST

START_TEST(format_known_times)
{
	char	 out[TIME_RFC3339_SIZE];

	time_format_rfc3339(0, out);
	ck_assert_str_eq(out, "1970-01-01T00:00:00.000Z");
	time_format_rfc3339(LEAP_DAY + 7, out);
	ck_assert_str_eq(out, "2024-02-29T12:34:56.007Z");
	time_format_rfc3339(-1, out);
	ck_assert_str_eq(out, "1969-12-31T23:59:59.999Z");
	time_format_rfc3339(-1000, out);
	ck_assert_str_eq(out, "1969-12-31T23:59:59.000Z");
	time_format_rfc3339(-1001, out);
	ck_assert_str_eq(out, "1969-12-31T23:59:58.999Z");
}
END_TEST

START_TEST(format_and_parse_round_trip)
{
	struct rng	 r;
	char		 out[TIME_RFC3339_SIZE];
	int64_t		 ms, got;
	int		 i;

	rng_seed(&r, 3339);
	for (i = 0; i < 20000; i++) {
		/* Years 1900 to 9999. */
		ms = -2208988800000LL + (int64_t)(rng_next(&r) %
		    (253402300800000ULL + 2208988800000ULL));
		time_format_rfc3339(ms, out);
		if (time_parse_rfc3339(out, &got) != 0 || got != ms)
			ck_abort_msg("%lld formatted as %s", (long long)ms, out);
	}
}
END_TEST

START_TEST(format_survives_extreme_values)
{
	char	 out[TIME_RFC3339_SIZE];

	time_format_rfc3339(INT64_MIN, out);
	ck_assert_uint_lt(strlen(out), TIME_RFC3339_SIZE);
	time_format_rfc3339(INT64_MAX, out);
	ck_assert_uint_lt(strlen(out), TIME_RFC3339_SIZE);
}
END_TEST

START_TEST(duration_single_units)
{
	check_duration("7d", 7 * DAY);
	check_duration("2h", 2 * HOUR);
	check_duration("90m", 90 * MIN);
	check_duration("2w", 2 * WEEK);
	check_duration("45s", 45 * SEC);
	check_duration("0s", 0);
	check_duration("007d", 7 * DAY);
}
END_TEST

START_TEST(duration_combined_units)
{
	check_duration("1h30m", HOUR + 30 * MIN);
	check_duration("1w2d", WEEK + 2 * DAY);
	check_duration("1d2h3m4s", DAY + 2 * HOUR + 3 * MIN + 4 * SEC);
}
END_TEST

START_TEST(duration_refuses_malformed)
{
	check_duration_refused("");
	check_duration_refused("7");
	check_duration_refused("7x");
	check_duration_refused("h");
	check_duration_refused("-1d");
	check_duration_refused("+1d");
	check_duration_refused("1.5h");
	check_duration_refused(" 7d");
	check_duration_refused("7d ");
	check_duration_refused("7 d");
	check_duration_refused("1h30");
	check_duration_refused("7D");
	check_duration_refused("1hm");
}
END_TEST

START_TEST(duration_refuses_overflow)
{
	struct buf	 b = BUF_INIT;
	int		 i;

	check_duration_refused("999999999d");
	check_duration_refused("99999999999999999999999s");
	check_duration("100000000w", 100000000 * WEEK);
	/* Each part is in range; the sum is not. */
	for (i = 0; i < 200; i++)
		buf_puts(&b, "100000000w");
	check_duration_refused(buf_cstr(&b));
	buf_free(&b);
}
END_TEST

START_TEST(relative_picks_one_unit)
{
	check_relative(0, "now");
	check_relative(4999, "now");
	check_relative(5 * SEC, "5s");
	check_relative(59 * SEC + 999, "59s");
	check_relative(MIN, "1m");
	check_relative(HOUR - 1, "59m");
	check_relative(HOUR, "1h");
	check_relative(3 * HOUR + 59 * MIN, "3h");
	check_relative(DAY - 1, "23h");
	check_relative(DAY, "1d");
	check_relative(55 * DAY, "55d");
	check_relative(56 * DAY, "8w");
	check_relative(364 * DAY, "52w");
	check_relative(365 * DAY, "1y");
	check_relative(3 * 365 * DAY + 5 * DAY, "3y");
}
END_TEST

START_TEST(relative_ignores_sign)
{
	check_relative(-3 * HOUR, "3h");
	check_relative(-2 * SEC, "now");
	check_relative(INT64_MIN, "292471208y");
}
END_TEST

START_TEST(countdown_shows_two_units)
{
	check_countdown(0, "0m");
	check_countdown(59 * SEC, "0m");
	check_countdown(45 * MIN, "45m");
	check_countdown(59 * MIN, "59m");
	check_countdown(HOUR, "1h00m");
	check_countdown(65 * MIN, "1h05m");
	check_countdown(80 * MIN, "1h20m");
	check_countdown(DAY - MIN, "23h59m");
	check_countdown(DAY, "1d00h");
	check_countdown(2 * DAY + 3 * HOUR + 59 * MIN, "2d03h");
	check_countdown(40 * DAY, "40d00h");
}
END_TEST

START_TEST(countdown_marks_overdue_with_minus)
{
	check_countdown(-90 * MIN, "-1h30m");
	check_countdown(-3 * DAY, "-3d00h");
	check_countdown(-45 * MIN, "-45m");
	/* Less than a minute overdue still shows that it is overdue. */
	check_countdown(-30 * SEC, "-0m");
}
END_TEST

START_TEST(countdown_survives_extreme_values_and_small_buffers)
{
	char	 out[4];

	time_format_countdown(INT64_MIN, out, sizeof out);
	ck_assert_str_eq(out, "-10");
	time_format_countdown(INT64_MAX, out, sizeof out);
	ck_assert_str_eq(out, "106");
	time_format_relative(90 * DAY, out, 2);
	ck_assert_str_eq(out, "1");
}
END_TEST

START_TEST(frozen_now_stays_put)
{
	int64_t	 real;

	time_set_now_ms(LEAP_DAY);
	ck_assert_int_eq(time_now_ms(), LEAP_DAY);
	usleep(20000);
	ck_assert_int_eq(time_now_ms(), LEAP_DAY);
	time_set_now_ms(LEAP_DAY + DAY);
	ck_assert_int_eq(time_now_ms(), LEAP_DAY + DAY);
	time_set_now_ms(0);
	real = (int64_t)time(NULL) * 1000;
	ck_assert_int_ge(time_now_ms(), real - 2000);
	ck_assert_int_le(time_now_ms(), real + 2000);
}
END_TEST

START_TEST(monotonic_clock_moves_forward)
{
	int64_t	 a, b;

	a = time_mono_ns();
	usleep(10000);
	b = time_mono_ns();
	ck_assert_int_ge(b - a, 9000000);
}
END_TEST

/* Dates for people: ISO in C, with hours and " UTC" when asked, cut
 * cleanly by a small buffer. */
START_TEST(date_formats_and_small_buffers)
{
	char	 out[32];
	int64_t	 ms = 1763820300000;	/* 2025-11-22 14:05 UTC */

	time_format_date(ms, 0, out, sizeof out);
	ck_assert_str_eq(out, "2025-11-22");
	time_format_date(ms, TIME_DATE_HOURS, out, sizeof out);
	ck_assert_str_eq(out, "2025-11-22 14:05");
	time_format_date(ms, TIME_DATE_HOURS | TIME_DATE_UTC, out, sizeof out);
	ck_assert_str_eq(out, "2025-11-22 14:05 UTC");
	time_format_date(ms, TIME_DATE_HOURS | TIME_DATE_UTC, out, 8);
	ck_assert_str_eq(out, "");
	time_format_date(ms, TIME_DATE_HOURS | TIME_DATE_UTC, out, 18);
	ck_assert_str_eq(out, "2025-11-22 14:05");
}
END_TEST

static Suite *
time_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("time");

	tc = tcase_create("rfc3339");
	tcase_add_test(tc, parse_utc_with_z);
	tcase_add_test(tc, parse_accepts_lowercase_and_space_separator);
	tcase_add_test(tc, parse_applies_offsets);
	tcase_add_test(tc, parse_keeps_milliseconds_of_fractions);
	tcase_add_test(tc, parse_before_the_epoch);
	tcase_add_test(tc, parse_leap_days);
	tcase_add_test(tc, parse_refuses_impossible_dates);
	tcase_add_test(tc, parse_refuses_garbage);
	tcase_add_test(tc, parse_refuses_trailing_text);
	tcase_add_test(tc, format_known_times);
	tcase_add_test(tc, format_and_parse_round_trip);
	tcase_add_test(tc, format_survives_extreme_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("durations");
	tcase_add_test(tc, duration_single_units);
	tcase_add_test(tc, duration_combined_units);
	tcase_add_test(tc, duration_refuses_malformed);
	tcase_add_test(tc, duration_refuses_overflow);
	tcase_add_test(tc, relative_picks_one_unit);
	tcase_add_test(tc, relative_ignores_sign);
	tcase_add_test(tc, countdown_shows_two_units);
	tcase_add_test(tc, countdown_marks_overdue_with_minus);
	tcase_add_test(tc, countdown_survives_extreme_values_and_small_buffers);
	tcase_add_test(tc, date_formats_and_small_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("clock");
	tcase_add_test(tc, frozen_now_stays_put);
	tcase_add_test(tc, monotonic_clock_moves_forward);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(time_suite()));
}
