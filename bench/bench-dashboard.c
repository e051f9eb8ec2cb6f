/* bench-dashboard.c: time the dashboard's figures (replica_stats) on a replica file; prints figures only. */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "replica/replica.h"

#define BUDGET_MS	50.0

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench-dashboard: %s: %s\n", what, cause);
	exit(1);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* "min / median / max" of n samples in nanoseconds, as milliseconds. */
static void
report(const char *what, int64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
	printf("%-46s min %7.2f ms   median %7.2f ms   max %7.2f ms   "
	    "(%d runs)\n", what, (double)ns[0] / 1e6, (double)ns[n / 2] / 1e6,
	    (double)ns[n - 1] / 1e6, n);
}

/*
 * The moment the generated data is "around": its newest update. The
 * replica is often older than today, and the windows must hold its data.
 */
static int64_t
data_now(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int64_t		 now = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	if (sqlite3_prepare_v2(db, "SELECT max(updated_at) FROM tickets", -1,
	    &s, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		now = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (now != 0 ? now + 60000 : time_now_ms());
}

/* One computation; its time in *ns. */
static void
run(struct replica *r, int64_t now, const char *me, struct replica_stats *st,
    int64_t *ns)
{
	char	*cause = NULL;
	int64_t	 t0;

	t0 = time_mono_ns();
	if (replica_stats(r, now, me, st, &cause) != 0)
		die("replica_stats", cause);
	*ns = time_mono_ns() - t0;
}

static void
pct(const char *what, const struct stats_sla *sla)
{
	int64_t	 p = replica_stats_permille(sla);

	if (p < 0)
		printf(" %s no data", what);
	else
		printf(" %s %lld.%lld%% of %lld", what, (long long)(p / 10),
		    (long long)(p % 10), (long long)sla->counted);
}

/* The figures, so a reader sees the windows were not empty. */
static void
show(const struct replica_stats *st)
{
	char	 now[TIME_RFC3339_SIZE];
	size_t	 i;

	time_format_rfc3339(st->now, now);
	printf("figures as of %s: %lld open (%lld new, %lld open, "
	    "%lld pending, %lld on hold); %zu teams\n", now,
	    (long long)st->open, (long long)st->by_status[0],
	    (long long)st->by_status[1], (long long)st->by_status[2],
	    (long long)st->by_status[3], st->nteams);
	printf("  first response:");
	pct("7 days", &st->first_response[STATS_7_DAYS]);
	pct("| 30 days", &st->first_response[STATS_30_DAYS]);
	printf(" | median %.1f min, p90 %.1f min of %lld\n",
	    (double)st->first_response_time.median / 60000.0,
	    (double)st->first_response_time.p90 / 60000.0,
	    (long long)st->first_response_time.count);
	printf("  resolution:    ");
	pct("7 days", &st->resolution[STATS_7_DAYS]);
	pct("| 30 days", &st->resolution[STATS_30_DAYS]);
	printf(" | median %.1f h, p90 %.1f h of %lld\n",
	    (double)st->resolution_time.median / 3600000.0,
	    (double)st->resolution_time.p90 / 3600000.0,
	    (long long)st->resolution_time.count);
	printf("  new per day:");
	for (i = 0; i < STATS_SPARK_DAYS; i++)
		printf(" %lld", (long long)st->new_per_day[i]);
	printf("\n  my queue: %lld assigned, %lld due within 2 h, "
	    "%lld breached\n", (long long)st->mine, (long long)st->mine_soon,
	    (long long)st->mine_breached);
}

int
main(int argc, char **argv)
{
	struct replica		*r;
	struct replica_stats	 st;
	char			*cause = NULL, *me;
	int64_t			*cold, *warm, now;
	int			 i, ncold = 5, nwarm = 50;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-dashboard REPLICA "
		    "[COLD [WARM]]\n");
		return (2);
	}
	if (argc > 2)
		ncold = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
	if (argc > 3)
		nwarm = atoi(argv[3]) > 0 ? atoi(argv[3]) : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	now = data_now(argv[1]);
	cold = calloc((size_t)ncold, sizeof *cold);
	warm = calloc((size_t)nwarm, sizeof *warm);

	/* Cold: a new connection each time, its page cache empty. */
	for (i = 0; i < ncold; i++) {
		if (replica_open(argv[1], REPLICA_READONLY, &r, &cause) != 0)
			die(argv[1], cause);
		me = replica_me(r);
		run(r, now, me, &st, &cold[i]);
		if (i == 0)
			show(&st);
		replica_stats_free(&st);
		free(me);
		replica_close(r);
	}
	/* Warm: one connection, as the console keeps it. */
	if (replica_open(argv[1], REPLICA_READONLY, &r, &cause) != 0)
		die(argv[1], cause);
	me = replica_me(r);
	for (i = 0; i < nwarm; i++) {
		run(r, now, me, &st, &warm[i]);
		replica_stats_free(&st);
	}
	free(me);
	replica_close(r);

	report("dashboard, cold (new connection)", cold, ncold);
	report("dashboard, warm (same connection)", warm, nwarm);
	printf("budget: < %.0f ms at 1,000,000 tickets\n", BUDGET_MS);
	free(cold);
	free(warm);
	return (0);
}
