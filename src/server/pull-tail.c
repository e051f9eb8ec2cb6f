/*
 * pull-tail.c: the latest changes of the organisations whose consoles are
 * long-polling, kept in memory so that a change reaches a hundred waiting
 * consoles with one query instead of a hundred.
 *
 * A tail holds every row of an organisation whose rev is in (floor, head],
 * at that rev, with its page JSON ready. The listener thread (pull.c) is
 * its only writer: after each notification for the organisation it reads
 * the rows after head, and only then bumps the organisation's change
 * generation and wakes its waiters. So a long poll that finds nothing new
 * in the tail and then sees the generation unchanged may wait: the change
 * it missed will wake it. Revs of one organisation become visible in rev
 * order (the advisory lock in data/server/001-initial.sql), so what the
 * tail holds is always a prefix of what PostgreSQL has: a page from it is
 * a page PostgreSQL could have given a moment earlier.
 *
 * A tail is made when a notification finds waiters and none, from the
 * lowest cursor among them; dropped when a refresh fails or brings more
 * than TAIL_FETCH rows of one table (a bulk import: PostgreSQL answers
 * until the consoles catch up), when notifications may have been lost
 * (pull_wake_all), and when idle. Pulls with wait=0 and cursors below the
 * floor always go to PostgreSQL.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

#define TAIL_FETCH	256		/* rows of a table per refresh */
#define TAIL_ROWS	4096		/* rows a tail keeps at most */
#define TAIL_BYTES	(4 << 20)	/* and bytes of JSON */
#define TAIL_ORGS	64		/* tails at most, least used dropped */
#define TAIL_IDLE_NS	(60 * 1000000000LL)	/* unused: dropped */

struct tail {
	char		 org[UUID_STRLEN + 1];
	int64_t		 floor;
	int64_t		 head;
	struct pull_row	*rows;		/* in rev order; superseded: id NULL */
	size_t		 n;
	size_t		 live;
	size_t		 bytes;
	int64_t		 used;		/* monotonic ns; atomic */
};

struct pull_tails {
	pthread_rwlock_t lock;
	struct tail	**tails;
	size_t		  n;
};

struct pull_tails *
pull_tails_new(void)
{
	struct pull_tails	*ts;

	ts = xcalloc(1, sizeof *ts);
	pthread_rwlock_init(&ts->lock, NULL);
	return (ts);
}

static void
tail_free(struct tail *t)
{
	pull_rows_free(t->rows, t->n);
	free(t);
}

/* The index of org's tail, or n (call with the lock held). */
static size_t
tail_find(struct pull_tails *ts, const char *org)
{
	size_t	 i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->tails[i]->org, org) == 0)
			break;
	return (i);
}

static void
tail_remove(struct pull_tails *ts, size_t i)
{
	tail_free(ts->tails[i]);
	ts->tails[i] = ts->tails[--ts->n];
}

/* Forget org's tail (NULL: every tail). */
void
pull_tails_drop(struct pull_tails *ts, const char *org)
{
	size_t	 i;

	pthread_rwlock_wrlock(&ts->lock);
	if (org == NULL) {
		while (ts->n > 0)
			tail_remove(ts, ts->n - 1);
	} else if ((i = tail_find(ts, org)) < ts->n)
		tail_remove(ts, i);
	pthread_rwlock_unlock(&ts->lock);
}

void
pull_tails_free(struct pull_tails *ts)
{
	if (ts == NULL)
		return;
	pull_tails_drop(ts, NULL);
	free(ts->tails);
	pthread_rwlock_destroy(&ts->lock);
	free(ts);
}

/* A hash of the table index and the id. */
static uint64_t
tail_key(unsigned int table, const char *id)
{
	return (hash_fnv1a(hash_fnv1a(HASH_FNV1A_INIT, &table, sizeof table),
	    id, strlen(id)));
}

static int
tail_cmp_rev(const void *a, const void *b)
{
	const struct pull_row	*x = a, *y = b;

	return (x->rev < y->rev ? -1 : x->rev > y->rev);
}

/* A row's earlier version in t, now superseded, is no longer sent. */
static void
tail_supersede(struct tail *t, const struct pull_row *row)
{
	struct pull_row	*old;
	size_t		 i;

	for (i = 0; i < t->n; i++) {
		old = &t->rows[i];
		if (old->id == NULL || old->key != row->key ||
		    old->table != row->table || strcmp(old->id, row->id) != 0)
			continue;
		free(old->id);
		free(old->json);
		old->id = old->json = NULL;
		t->live--;
		t->bytes -= old->len;
		return;
	}
}

/* Add rows (sorted, all after t's head) and keep t within its limits. */
static void
tail_add(struct tail *t, struct pull_row *rows, size_t n)
{
	size_t	 i, drop, keep;

	for (i = 0; i < n; i++) {
		rows[i].key = tail_key(rows[i].table, rows[i].id);
		tail_supersede(t, &rows[i]);
	}
	if (n > 0) {
		t->rows = xreallocarray(t->rows, t->n + n, sizeof *t->rows);
		memcpy(t->rows + t->n, rows, n * sizeof *rows);
		t->n += n;
		for (i = 0; i < n; i++) {
			t->live++;
			t->bytes += rows[i].len;
		}
		t->head = rows[n - 1].rev;
	}

	/* The oldest go first; the floor rises past them. */
	for (drop = 0; drop < t->n && (t->live > TAIL_ROWS ||
	    t->bytes > TAIL_BYTES || t->rows[drop].id == NULL); drop++) {
		if (t->rows[drop].id != NULL) {
			t->live--;
			t->bytes -= t->rows[drop].len;
		}
		t->floor = t->rows[drop].rev;
	}
	pull_rows_clear(t->rows, drop);
	/* Superseded rows inside are squeezed out now and then. */
	keep = 0;
	if (t->n - drop > 2 * t->live + 64) {
		for (i = drop; i < t->n; i++)
			if (t->rows[i].id != NULL)
				t->rows[keep++] = t->rows[i];
	} else {
		keep = t->n - drop;
		if (drop > 0)
			memmove(t->rows, t->rows + drop,
			    keep * sizeof *t->rows);
	}
	t->n = keep;
}

/* Make a tail for org from after (call with the write lock held). */
static struct tail *
tail_make(struct pull_tails *ts, const char *org, int64_t after)
{
	struct tail	*t;
	size_t		 i, lru = 0;

	if (ts->n == TAIL_ORGS) {
		for (i = 1; i < ts->n; i++)
			if (ts->tails[i]->used < ts->tails[lru]->used)
				lru = i;
		tail_remove(ts, lru);
	}
	t = xcalloc(1, sizeof *t);
	snprintf(t->org, sizeof t->org, "%s", org);
	t->floor = t->head = after;
	t->used = time_mono_ns();
	ts->tails = xreallocarray(ts->tails, ts->n + 1, sizeof *ts->tails);
	ts->tails[ts->n++] = t;
	return (t);
}

/*
 * org changed: bring its tail up to date, or make one from start (the
 * lowest cursor of its waiters; -1: it has none). The listener's, before
 * it wakes org's waiters.
 */
void
pull_tails_changed(struct pull_tails *ts, struct pg_pool *pool,
    const char *org, int64_t start)
{
	struct pull_row	*rows = NULL;
	struct tail	*t;
	PGconn		*c;
	char		*cause = NULL;
	size_t		 i, n = 0;
	int64_t		 after;
	int		 have, complete = 0, lost = 0, rc;

	pthread_rwlock_rdlock(&ts->lock);
	i = tail_find(ts, org);
	have = i < ts->n;
	after = have ? ts->tails[i]->head : start;
	if (have && start < 0 && time_mono_ns() - __atomic_load_n(
	    &ts->tails[i]->used, __ATOMIC_RELAXED) > TAIL_IDLE_NS)
		after = -1;	/* nobody asks any more */
	pthread_rwlock_unlock(&ts->lock);
	if (after < 0) {
		if (have)
			pull_tails_drop(ts, org);
		return;
	}

	if ((c = pg_get(pool, &cause)) == NULL)
		rc = -1;
	else {
		rc = pull_tail_fetch(pool, c, org, after, TAIL_FETCH, &rows,
		    &n, &complete, &lost, &cause);
		pg_put(pool, c, lost);
	}
	if (rc != 0 || !complete) {
		if (rc != 0) {
			log_warnx("pull tail: %s", cause);
			free(cause);
		}
		pull_rows_free(rows, n);
		pull_tails_drop(ts, org);
		return;
	}
	if (n > 0)
		qsort(rows, n, sizeof *rows, tail_cmp_rev);

	pthread_rwlock_wrlock(&ts->lock);
	i = tail_find(ts, org);
	if (i < ts->n)
		t = ts->tails[i];
	else
		t = have ? NULL : tail_make(ts, org, after);
	if (t != NULL && t->head == after) {
		tail_add(t, rows, n);
		free(rows);	/* the rows themselves are t's now */
		rows = NULL;
		n = 0;
	} else if (t != NULL)
		tail_remove(ts, i);	/* not the tail it read for */
	pthread_rwlock_unlock(&ts->lock);
	pull_rows_free(rows, n);
}

/* A row of t a page may carry. */
static int
tail_sends(const struct pull_row *row, int viewer)
{
	return (row->id != NULL && (!viewer || row->viewer_ok));
}

/*
 * A page of org's rows after since from its tail, appended to out as
 * pull.c's pages: 1, with *nrows (0: nothing new yet, out untouched), or
 * 0 when the tail does not reach back to since.
 */
int
pull_tails_page(struct pull_tails *ts, const char *org, int64_t since,
    int limit, int viewer, struct buf *out, int *nrows)
{
	struct tail	*t;
	struct pull_row	*row;
	size_t		 i, lo, hi, first, end;
	unsigned int	 table;
	int64_t		 cursor = since;
	int		 taken = 0, more = 0, opened;

	pthread_rwlock_rdlock(&ts->lock);
	if ((i = tail_find(ts, org)) == ts->n ||
	    since < ts->tails[i]->floor) {
		pthread_rwlock_unlock(&ts->lock);
		return (0);
	}
	t = ts->tails[i];
	__atomic_store_n(&t->used, time_mono_ns(), __ATOMIC_RELAXED);

	/* The first row after since, then the first limit it may send. */
	lo = 0;
	hi = t->n;
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if (t->rows[i].rev <= since)
			lo = i + 1;
		else
			hi = i;
	}
	first = lo;
	for (end = first; end < t->n; end++) {
		if (!tail_sends(&t->rows[end], viewer))
			continue;
		if (taken == limit) {
			more = 1;
			break;
		}
		taken++;
		cursor = t->rows[end].rev;
	}
	*nrows = taken;
	if (taken == 0) {
		pthread_rwlock_unlock(&ts->lock);
		return (1);
	}

	pull_page_start(out, cursor, more, more ? t->head : 0);
	opened = 0;
	for (table = 0; table < pull_ntables(); table++) {
		i = 0;
		for (row = t->rows + first; row < t->rows + end; row++) {
			if (row->table != table || !tail_sends(row, viewer))
				continue;
			if (i++ == 0)
				buf_printf(out, "%s\"%s\":[", opened++ ? "," :
				    "", pull_table_name(table));
			else
				buf_putc(out, ',');
			buf_append(out, row->json, row->len);
		}
		if (i > 0)
			buf_putc(out, ']');
	}
	buf_puts(out, "}}");
	pthread_rwlock_unlock(&ts->lock);
	return (1);
}
