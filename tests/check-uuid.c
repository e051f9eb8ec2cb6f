/* check-uuid.c: version 7 UUIDs and the seeded random generator. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/base.h"

/* An assertion for hot loops (ck_assert reports every pass to the parent). */
#define QUICK_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

#define MANY	100000

/* Is s a canonical lowercase version 7, variant 10xx UUID? */
static int
is_v7(const char *s)
{
	size_t	 i;

	if (strlen(s) != UUID_STRLEN)
		return (0);
	for (i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (strchr("0123456789abcdef", s[i]) == NULL ||
		    s[i] == '\0')
			return (0);
	}
	return (s[14] == '7' && strchr("89ab", s[19]) != NULL);
}

static int
compare_ids(const void *a, const void *b)
{
	return (strcmp(a, b));
}

START_TEST(v7_has_version_and_variant)
{
	char	 id[UUID_STRLEN + 1];
	int	 i;

	for (i = 0; i < 1000; i++) {
		uuid_v7(id);
		QUICK_ASSERT(is_v7(id), "bad v7 uuid %s", id);
		QUICK_ASSERT(uuid_valid(id), "uuid_valid refused %s", id);
	}
}
END_TEST

START_TEST(v7_is_unique_over_many)
{
	char	(*ids)[UUID_STRLEN + 1];
	int	 i;

	ids = xcalloc(MANY, sizeof *ids);
	for (i = 0; i < MANY; i++)
		uuid_v7(ids[i]);
	qsort(ids, MANY, sizeof *ids, compare_ids);
	for (i = 1; i < MANY; i++)
		QUICK_ASSERT(strcmp(ids[i - 1], ids[i]) != 0,
		    "duplicate %s", ids[i]);
	free(ids);
}
END_TEST

START_TEST(v7_sorts_in_creation_order)
{
	char	 prev[UUID_STRLEN + 1], id[UUID_STRLEN + 1];
	int	 i;

	uuid_v7(prev);
	for (i = 0; i < MANY; i++) {
		uuid_v7(id);
		QUICK_ASSERT(strcmp(prev, id) < 0, "%s came after %s", id,
		    prev);
		memcpy(prev, id, sizeof prev);
	}
}
END_TEST

START_TEST(v7_sorts_in_order_with_frozen_clock)
{
	char	 prev[UUID_STRLEN + 1], id[UUID_STRLEN + 1];
	int64_t	 t0 = 1795255200000LL;
	int	 i;

	/* More ids in one millisecond than the 12-bit counter holds. */
	time_set_now_ms(t0);
	uuid_v7(prev);
	ck_assert_int_eq(uuid_v7_time(prev), t0);
	for (i = 0; i < 3 * 4096; i++) {
		uuid_v7(id);
		QUICK_ASSERT(strcmp(prev, id) < 0, "%s came after %s", id,
		    prev);
		memcpy(prev, id, sizeof prev);
	}
	ck_assert_int_ge(uuid_v7_time(id), t0 + 2);
	ck_assert_int_le(uuid_v7_time(id), t0 + 3);
	time_set_now_ms(0);
}
END_TEST

START_TEST(v7_sorts_in_order_when_clock_goes_back)
{
	char	 a[UUID_STRLEN + 1], b[UUID_STRLEN + 1];

	time_set_now_ms(2000000000000LL);
	uuid_v7(a);
	time_set_now_ms(1000000000000LL);
	uuid_v7(b);
	ck_assert_int_lt(strcmp(a, b), 0);
	ck_assert_int_eq(uuid_v7_time(b), 2000000000000LL);
	time_set_now_ms(0);
}
END_TEST

START_TEST(v7_embeds_current_time)
{
	char	 id[UUID_STRLEN + 1];
	int64_t	 before, after, t;

	before = time_now_ms();
	uuid_v7(id);
	after = time_now_ms();
	t = uuid_v7_time(id);
	ck_assert_int_ge(t, before);
	ck_assert_int_le(t, after);
}
END_TEST

START_TEST(v7_from_matches_rfc9562_example)
{
	/* RFC 9562 appendix A.6: unix_ts_ms 0x017F22E279B0. */
	static const uint8_t	 rnd[10] = {
		0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f
	};
	char			 id[UUID_STRLEN + 1];

	uuid_v7_from(id, 0x017f22e279b0LL, rnd);
	ck_assert_str_eq(id, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	ck_assert_int_eq(uuid_v7_time(id), 0x017f22e279b0LL);
}
END_TEST

START_TEST(v7_from_is_deterministic)
{
	uint8_t		 rnd[10];
	char		 a[UUID_STRLEN + 1], b[UUID_STRLEN + 1];
	struct rng	 r;

	rng_seed(&r, 1);
	rng_bytes(&r, rnd, sizeof rnd);
	uuid_v7_from(a, 1700000000123LL, rnd);
	uuid_v7_from(b, 1700000000123LL, rnd);
	ck_assert_str_eq(a, b);
	ck_assert(is_v7(a));
	rnd[9] ^= 1;
	uuid_v7_from(b, 1700000000123LL, rnd);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(v7_from_forces_version_and_variant)
{
	uint8_t	 rnd[10];
	char	 id[UUID_STRLEN + 1];

	memset(rnd, 0xff, sizeof rnd);
	uuid_v7_from(id, 0, rnd);
	ck_assert_str_eq(id, "00000000-0000-7fff-bfff-ffffffffffff");
	memset(rnd, 0, sizeof rnd);
	uuid_v7_from(id, 0xffffffffffffLL, rnd);
	ck_assert_str_eq(id, "ffffffff-ffff-7000-8000-000000000000");
}
END_TEST

START_TEST(v7_time_round_trips)
{
	static const int64_t	 times[] = {
		0, 1, 999, 1000, 1795255200000LL, 0x7fffffffffffLL,
		0xffffffffffffLL
	};
	uint8_t			 rnd[10];
	char			 id[UUID_STRLEN + 1];
	size_t			 i;

	memset(rnd, 0xa5, sizeof rnd);
	for (i = 0; i < nitems(times); i++) {
		uuid_v7_from(id, times[i], rnd);
		ck_assert_int_eq(uuid_v7_time(id), times[i]);
	}
}
END_TEST

START_TEST(v7_time_refuses_other_versions_and_junk)
{
	ck_assert_int_eq(uuid_v7_time("f47ac10b-58cc-4372-a567-0e02b2c3d479"),
	    -1);
	ck_assert_int_eq(uuid_v7_time("00000000-0000-0000-0000-000000000000"),
	    -1);
	ck_assert_int_eq(uuid_v7_time("not a uuid"), -1);
	ck_assert_int_eq(uuid_v7_time(""), -1);
	ck_assert_int_eq(uuid_v7_time(NULL), -1);
	ck_assert_int_eq(uuid_v7_time("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"),
	    0x017f22e279b0LL);
}
END_TEST

START_TEST(valid_accepts_canonical_forms)
{
	ck_assert(uuid_valid("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
	ck_assert(uuid_valid("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"));
	ck_assert(uuid_valid("f47ac10b-58cc-4372-a567-0e02b2c3d479"));
	ck_assert(uuid_valid("00000000-0000-0000-0000-000000000000"));
	ck_assert(uuid_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}
END_TEST

START_TEST(valid_rejects_other_forms)
{
	static const char	*bad[] = {
		"",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398",		/* 35 */
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f0",	/* 37 */
		"017f22e279b07cc398c4dc0c0c07398f",		/* no dashes */
		"017f22e27-9b0-7cc3-98c4-dc0c0c07398f",		/* dash moved */
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398g",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398 ",
		" 017f22e2-79b0-7cc3-98c4-dc0c0c07398",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398\n",
		"{017f22e2-79b0-7cc3-98c4-dc0c0c0739}",
		"017f22e2+79b0-7cc3-98c4-dc0c0c07398f",
		"017f22e2-79b0-7cc3-98c4_dc0c0c07398f",
		"urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
		"------------------------------------",
	};
	size_t			 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(!uuid_valid(bad[i]), "accepted \"%s\"", bad[i]);
	ck_assert(!uuid_valid(NULL));
}
END_TEST

START_TEST(rng_same_seed_gives_same_sequence)
{
	struct rng	 a, b;
	uint8_t		 ba[37], bb[37];
	int		 i;

	rng_seed(&a, 12345);
	rng_seed(&b, 12345);
	for (i = 0; i < 10000; i++)
		QUICK_ASSERT(rng_next(&a) == rng_next(&b), "differ at %d", i);
	rng_bytes(&a, ba, sizeof ba);
	rng_bytes(&b, bb, sizeof bb);
	ck_assert_mem_eq(ba, bb, sizeof ba);
	ck_assert_int_eq(rng_range(&a, 1, 1000), rng_range(&b, 1, 1000));
	ck_assert(rng_double(&a) == rng_double(&b));
}
END_TEST

START_TEST(rng_different_seeds_differ)
{
	struct rng	 a, b;
	int		 i, same = 0;

	rng_seed(&a, 1);
	rng_seed(&b, 2);
	for (i = 0; i < 1000; i++)
		same += rng_next(&a) == rng_next(&b);
	ck_assert_int_eq(same, 0);
}
END_TEST

START_TEST(rng_sequence_is_stable_across_builds)
{
	struct rng	 r;

	/* xoshiro256** seeded by splitmix64; demo data depends on these. */
	rng_seed(&r, 42);
	ck_assert_uint_eq(rng_next(&r), 0x15780b2e0c2ec716ULL);
	ck_assert_uint_eq(rng_next(&r), 0x6104d9866d113a7eULL);
	ck_assert_uint_eq(rng_next(&r), 0xae17533239e499a1ULL);
	rng_seed(&r, 0);
	ck_assert_uint_eq(rng_next(&r), 0x99ec5f36cb75f2b4ULL);
}
END_TEST

START_TEST(rng_bytes_follow_the_sequence)
{
	struct rng	 a, b;
	uint8_t		 buf[12];
	uint64_t	 v;
	int		 i;

	rng_seed(&a, 9);
	rng_seed(&b, 9);
	rng_bytes(&a, buf, sizeof buf);
	v = rng_next(&b);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(buf[i], (uint8_t)(v >> (8 * i)));
	v = rng_next(&b);
	for (i = 8; i < 12; i++)
		ck_assert_uint_eq(buf[i], (uint8_t)(v >> (8 * (i - 8))));
}
END_TEST

START_TEST(rng_below_stays_in_bounds)
{
	static const uint32_t	 ns[] = {
		1, 2, 3, 7, 10, 1000, 65537, 0x80000001u, 0xc0000000u,
		UINT32_MAX
	};
	struct rng		 r;
	size_t			 i;
	int			 j;
	uint32_t		 v;

	rng_seed(&r, 3);
	for (i = 0; i < nitems(ns); i++) {
		for (j = 0; j < 20000; j++) {
			v = rng_below(&r, ns[i]);
			QUICK_ASSERT(v < ns[i], "%u not below %u", v, ns[i]);
		}
	}
	ck_assert_uint_eq(rng_below(&r, 0), 0);
	ck_assert_uint_eq(rng_below(&r, 1), 0);
}
END_TEST

START_TEST(rng_below_is_roughly_uniform)
{
	struct rng	 r;
	int		 counts[10] = { 0 }, i, low = 0;
	uint32_t	 n = 0xc0000000u;

	rng_seed(&r, 4);
	for (i = 0; i < MANY; i++)
		counts[rng_below(&r, 10)]++;
	/* Expect 10000 each; the standard deviation is about 95. */
	for (i = 0; i < 10; i++)
		ck_assert_msg(counts[i] > 9500 && counts[i] < 10500,
		    "bucket %d has %d", i, counts[i]);

	/* A modulo would make the lower third twice as likely. */
	for (i = 0; i < MANY; i++)
		low += rng_below(&r, n) < n / 2;
	ck_assert_msg(low > 48500 && low < 51500, "lower half %d", low);
}
END_TEST

START_TEST(rng_range_is_inclusive)
{
	struct rng	 r;
	int		 seen[7] = { 0 }, i, v;

	rng_seed(&r, 5);
	for (i = 0; i < 10000; i++) {
		v = rng_range(&r, -3, 3);
		QUICK_ASSERT(v >= -3 && v <= 3, "%d out of range", v);
		seen[v + 3]++;
	}
	for (i = 0; i < 7; i++)
		ck_assert_int_gt(seen[i], 0);
	ck_assert_int_eq(rng_range(&r, 5, 5), 5);
	ck_assert_int_eq(rng_range(&r, 5, 3), 5);
}
END_TEST

START_TEST(rng_range_handles_whole_int_range)
{
	struct rng	 r;
	int		 i, v, neg = 0;

	rng_seed(&r, 6);
	for (i = 0; i < 10000; i++) {
		v = rng_range(&r, INT_MIN, INT_MAX);
		neg += v < 0;
		v = rng_range(&r, INT_MAX - 1, INT_MAX);
		QUICK_ASSERT(v >= INT_MAX - 1, "%d below INT_MAX - 1", v);
		v = rng_range(&r, INT_MIN, INT_MIN + 1);
		QUICK_ASSERT(v <= INT_MIN + 1, "%d above INT_MIN + 1", v);
		v = rng_range(&r, -1, INT_MAX);
		QUICK_ASSERT(v >= -1, "%d below -1", v);
	}
	ck_assert_msg(neg > 4500 && neg < 5500, "%d negative", neg);
}
END_TEST

START_TEST(rng_double_and_chance)
{
	struct rng	 r;
	double		 d, sum = 0;
	int		 i, hits = 0;

	rng_seed(&r, 8);
	for (i = 0; i < MANY; i++) {
		d = rng_double(&r);
		QUICK_ASSERT(d >= 0.0 && d < 1.0, "%f out of [0, 1)", d);
		sum += d;
		QUICK_ASSERT(!rng_chance(&r, 0.0), "chance 0 hit");
		QUICK_ASSERT(rng_chance(&r, 1.0), "chance 1 missed");
		hits += rng_chance(&r, 0.25);
	}
	ck_assert_msg(sum / MANY > 0.49 && sum / MANY < 0.51, "mean %f",
	    sum / MANY);
	ck_assert_msg(hits > 24000 && hits < 26000, "%d hits", hits);
}
END_TEST

START_TEST(random_bytes_fill_the_buffer)
{
	uint8_t	 a[64], b[64];
	size_t	 i, zero = 0;

	memset(a, 0, sizeof a);
	random_bytes(a, sizeof a);
	random_bytes(b, sizeof b);
	for (i = 0; i < sizeof a; i++)
		zero += a[i] == 0;
	ck_assert_uint_lt(zero, 16);
	ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
	random_bytes(a, 0);
}
END_TEST

static Suite *
uuid_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("uuid");

	tc = tcase_create("uuid");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, v7_has_version_and_variant);
	tcase_add_test(tc, v7_is_unique_over_many);
	tcase_add_test(tc, v7_sorts_in_creation_order);
	tcase_add_test(tc, v7_sorts_in_order_with_frozen_clock);
	tcase_add_test(tc, v7_sorts_in_order_when_clock_goes_back);
	tcase_add_test(tc, v7_embeds_current_time);
	tcase_add_test(tc, v7_from_matches_rfc9562_example);
	tcase_add_test(tc, v7_from_is_deterministic);
	tcase_add_test(tc, v7_from_forces_version_and_variant);
	tcase_add_test(tc, v7_time_round_trips);
	tcase_add_test(tc, v7_time_refuses_other_versions_and_junk);
	tcase_add_test(tc, valid_accepts_canonical_forms);
	tcase_add_test(tc, valid_rejects_other_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("rng");
	tcase_add_test(tc, rng_same_seed_gives_same_sequence);
	tcase_add_test(tc, rng_different_seeds_differ);
	tcase_add_test(tc, rng_sequence_is_stable_across_builds);
	tcase_add_test(tc, rng_bytes_follow_the_sequence);
	tcase_add_test(tc, rng_below_stays_in_bounds);
	tcase_add_test(tc, rng_below_is_roughly_uniform);
	tcase_add_test(tc, rng_range_is_inclusive);
	tcase_add_test(tc, rng_range_handles_whole_int_range);
	tcase_add_test(tc, rng_double_and_chance);
	tcase_add_test(tc, random_bytes_fill_the_buffer);
	suite_add_tcase(s, tc);

	return (s);
}

int
main(void)
{
	return (testutil_run(uuid_suite()));
}
