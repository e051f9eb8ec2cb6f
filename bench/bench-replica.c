/* bench-replica.c: time the replica's query API on a replica file; prints figures only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replica/replica.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* Print p50 and p99 of n samples in nanoseconds, as milliseconds. */
static void
report(const char *what, int64_t *ns, int n)
{
	qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
	printf("%-44s p50 %8.3f ms   p99 %8.3f ms   (%d calls)\n", what,
	    (double)ns[n / 2] / 1e6, (double)ns[(n * 99) / 100] / 1e6, n);
}

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench-replica: %s: %s\n", what, cause);
	exit(1);
}

/* Time n fetches of a window of 50 after `from` (NULL: the first page). */
static void
bench_window(struct replica *r, const char *label, const char *query,
    enum queue_sort sort, int64_t depth, int n)
{
	struct queue		*q;
	struct query_error	 err;
	struct ticket_list	 page, at = { NULL, 0 };
	char			*cause = NULL, *what;
	int64_t			*ns, t0, walked = 0;
	int			 i;

	if (replica_queue_open(r, query, sort, &q, &err) != 0)
		die(query, err.message);
	/* Walk down to the start row with big keyset pages. */
	while (walked < depth) {
		if (replica_queue_fetch(q, at.n ? &at.v[at.n - 1] : NULL, 0,
		    (size_t)(depth - walked < 5000 ? depth - walked : 5000),
		    &page, &cause) != 0)
			die("walk", cause);
		if (page.n == 0)
			break;
		walked += (int64_t)page.n;
		ticket_list_free(&at);
		at = page;
	}
	ns = calloc((size_t)n, sizeof *ns);
	for (i = 0; i < n; i++) {
		t0 = time_mono_ns();
		if (replica_queue_fetch(q, at.n ? &at.v[at.n - 1] : NULL, 0, 50,
		    &page, &cause) != 0)
			die("fetch", cause);
		ns[i] = time_mono_ns() - t0;
		ticket_list_free(&page);
	}
	what = xprintf("window %s%s", label, depth ? " (row 500,000)" : "");
	report(what, ns, n);
	free(what);
	free(ns);
	ticket_list_free(&at);
	replica_queue_close(q);
}

/* Time n counts of a query. */
static void
bench_count(struct replica *r, const char *label, const char *query, int n)
{
	struct queue		*q;
	struct query_error	 err;
	char			*cause = NULL, *what;
	int64_t			*ns, t0, count = 0;
	int			 i;

	if (replica_queue_open(r, query, QUEUE_SORT_UPDATED, &q, &err) != 0)
		die(query, err.message);
	ns = calloc((size_t)n, sizeof *ns);
	for (i = 0; i < n; i++) {
		t0 = time_mono_ns();
		if (replica_queue_count(q, &count, &cause) != 0)
			die("count", cause);
		ns[i] = time_mono_ns() - t0;
	}
	what = xprintf("count %s = %lld", label, (long long)count);
	report(what, ns, n);
	free(what);
	free(ns);
	replica_queue_close(q);
}

/* Time n searches for a first page of 20 hits. */
static void
bench_search(struct replica *r, const char *label, const char *text,
    int flags, int n)
{
	struct search_result	 res;
	char			*cause = NULL, *what;
	int64_t			*ns, t0;
	size_t			 hits = 0;
	int			 i;

	ns = calloc((size_t)n, sizeof *ns);
	for (i = 0; i < n; i++) {
		t0 = time_mono_ns();
		if (replica_search(r, text, 20, flags, &res, &cause) != 0)
			die("search", cause);
		ns[i] = time_mono_ns() - t0;
		hits = res.n;
		search_result_free(&res);
	}
	what = xprintf("search %s \"%s\" (%zu hits)", label, text, hits);
	report(what, ns, n);
	free(what);
	free(ns);
}

int
main(int argc, char **argv)
{
	struct replica	*r;
	struct stat	 sb;
	char		*cause = NULL, *wal;
	int		 n = 1000;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-replica REPLICA [CALLS]\n");
		return (2);
	}
	if (argc > 2)
		n = atoi(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (replica_open(argv[1], REPLICA_READONLY, &r, &cause) != 0)
		die(argv[1], cause);

	bench_window(r, "all, by updated", "", QUEUE_SORT_UPDATED, 0, n);
	bench_window(r, "all, by updated", "", QUEUE_SORT_UPDATED, 500000, n);
	bench_window(r, "all, by SLA", "", QUEUE_SORT_SLA, 0, n);
	bench_window(r, "all, by SLA", "", QUEUE_SORT_SLA, 500000, n);
	bench_window(r, "status:unsolved by priority", "status:unsolved",
	    QUEUE_SORT_PRIORITY, 0, n);
	bench_window(r, "My open (assignee:me) by SLA",
	    "assignee:me status:unsolved", QUEUE_SORT_SLA, 0, n);
	bench_window(r, "Unassigned by SLA", "assignee:none status:unsolved",
	    QUEUE_SORT_SLA, 0, n);
	bench_window(r, "Pending by updated", "status:pending",
	    QUEUE_SORT_UPDATED, 0, n);
	bench_window(r, "Breaching soon by SLA", "sla:<2h", QUEUE_SORT_SLA, 0,
	    n);
	bench_window(r, "Recently solved by updated",
	    "status:solved,closed updated:<7d", QUEUE_SORT_UPDATED, 0, n);
	bench_count(r, "all", "", n / 10 > 0 ? n / 10 : 1);
	bench_count(r, "status:unsolved", "status:unsolved",
	    n / 10 > 0 ? n / 10 : 1);
	bench_count(r, "status:open priority:>=high",
	    "status:open priority:>=high", n / 10 > 0 ? n / 10 : 1);
	bench_count(r, "assignee:me status:unsolved",
	    "assignee:me status:unsolved", n / 10 > 0 ? n / 10 : 1);
	bench_search(r, "common", "order", 0, n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "common", "refund", 0, n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "common, two words", "refund order", 0,
	    n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "rare", "chargeback", 0, n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "rare", "sternly", 0, n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "type-ahead prefix", "refu", SEARCH_PREFIX,
	    n / 5 > 0 ? n / 5 : 1);
	bench_search(r, "type-ahead prefix", "parc", SEARCH_PREFIX,
	    n / 5 > 0 ? n / 5 : 1);
	replica_close(r);

	if (stat(argv[1], &sb) == 0) {
		wal = xprintf("%s-wal", argv[1]);
		printf("size on disk: %.1f MB", (double)sb.st_size / 1e6);
		if (stat(wal, &sb) == 0)
			printf(" (+ %.1f MB WAL)", (double)sb.st_size / 1e6);
		printf("\n");
		free(wal);
	}
	return (0);
}
