/* replica-stats.c: the dashboard's figures, from the sums 010-stats.sql keeps in step. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * What the figures mean (the manual says the same under DASHBOARD):
 *
 * - Open: status new, open, pending or on hold. Counted by status, by
 *   priority, per team (with "no team"), and per team weighted by
 *   priority: low 1, normal 2, high 3, urgent 4 (auto-assignment weighs
 *   load the same way).
 * - Days are UTC days. A window of N days is today and the N - 1 days
 *   before it; a ticket is in it by its created_at.
 * - First-response compliance over a window: of the tickets created in
 *   it whose first_response_due is set and that were either answered
 *   (first_response_at set) or are past due (first_response_due < now),
 *   the share answered at or before the due time. Resolution compliance
 *   likewise with solved_at and resolution_due. No such ticket: no data.
 * - Times: first_response_at - created_at and solved_at - created_at of
 *   the tickets created in the last 30 days that have them. The median
 *   and p90 are nearest-rank: the value at rank ceil(p% x count) of the
 *   sorted times, exact, never interpolated. No such ticket: no data.
 * - New tickets per day: tickets created on each of the last 14 days,
 *   today last (today so far).
 * - My queue: open tickets assigned to me; of them, those whose SLA
 *   clock (sla_due) runs out within the next 2 hours, now <= sla_due <=
 *   now + 2 h ("due soon"), and those whose clock ran out, sla_due < now
 *   ("breached").
 *
 * Reading a million tickets costs far more than 50 ms, so every figure
 * but the last comes from small tables of sums kept by triggers, and the
 * exact medians from the duration indexes, read from the sum's bucket
 * that holds the wanted rank. Everything is read in one transaction, so
 * the figures agree with each other.
 */

#define DAY_MS		INT64_C(86400000)
#define HOUR_MS		INT64_C(3600000)

/* The views the sums are made from, and the tables that keep them. */
static const char *const stats_tables[] = {
	"stats_open", "stats_day", "stats_time", "stats_due"
};

/* A duration bucket's lowest value (see 010-stats.sql): bucket 0 is < 100. */
static int64_t
stats_bucket_low(int64_t bucket)
{
	int64_t	 digits = bucket / 100, lead = bucket % 100, scale = 1;

	if (bucket <= 0 || digits < 3)
		return (INT64_MIN);
	while (digits-- > 2) {
		if (scale > INT64_MAX / 10)
			return (INT64_MAX);
		scale *= 10;
	}
	if (lead > INT64_MAX / scale)
		return (INT64_MAX);
	return (lead * scale);
}

/* Step a statement that yields one row or none; -1 with *cause on error. */
static int
stats_step(struct replica *r, sqlite3_stmt *s, char **cause)
{
	int	 rc = sqlite3_step(s);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return (rc);
	*cause = rp_error(r, _("reading the dashboard's figures"));
	return (-1);
}

/* Open tickets by status and priority, and how many are mine. */
static int
stats_open(struct replica *r, const char *me, struct replica_stats *st,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, status, prio;
	int64_t		 n;

	if (rp_prepare(r, "SELECT status, priority, sum(n), "
	    "sum(CASE WHEN assignee_id = ? THEN n ELSE 0 END) "
	    "FROM stats_open GROUP BY 1, 2", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, me != NULL ? me : "");
	while ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		status = sqlite3_column_int(s, 0);
		prio = sqlite3_column_int(s, 1);
		n = sqlite3_column_int64(s, 2);
		if (status < 0 || status >= STATS_OPEN_STATUSES)
			continue;
		st->open += n;
		st->by_status[status] += n;
		if (prio >= 0 && prio < TICKET_PRIORITY_COUNT)
			st->by_priority[prio] += n;
		st->mine += sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	return (rc == -1 ? -1 : 0);
}

/*
 * Open tickets per team: every team of the replica (idle ones too), and
 * "no team" when some have none; most weighted load first.
 */
static int
stats_teams(struct replica *r, struct replica_stats *st, char **cause)
{
	sqlite3_stmt		*s;
	struct stats_team	*tm;
	int			 rc;

	if (rp_prepare(r, "WITH load AS (SELECT team_id, sum(n) AS n, "
	    "sum(n * (priority + 1)) AS w FROM stats_open GROUP BY team_id "
	    "HAVING sum(n) <> 0) "
	    "SELECT * FROM (SELECT nullif(l.team_id, '') AS id, tm.name, "
	    "l.n, l.w FROM load l LEFT JOIN teams tm ON tm.id = l.team_id "
	    "UNION ALL SELECT id, name, 0, 0 FROM teams "
	    "WHERE id NOT IN (SELECT team_id FROM load)) "
	    "ORDER BY w DESC, n DESC, id IS NULL, name, id", &s, cause) != 0)
		return (-1);
	while ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		st->teams = xreallocarray(st->teams, st->nteams + 1,
		    sizeof *st->teams);
		tm = &st->teams[st->nteams++];
		tm->id = rp_col_text(s, 0);
		tm->name = rp_col_text(s, 1);
		tm->open = sqlite3_column_int64(s, 2);
		tm->weighted = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	return (rc == -1 ? -1 : 0);
}

/* My queue's clocks: due within 2 hours, and run out (tickets_assignee_sla). */
static int
stats_mine(struct replica *r, const char *me, struct replica_stats *st,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT count(*) FILTER (WHERE sla_due < ?2), "
	    "count(*) FILTER (WHERE sla_due >= ?2) FROM tickets "
	    "WHERE assignee_id = ?1 AND sla_due <= ?3", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, me);
	sqlite3_bind_int64(s, 2, st->now);
	sqlite3_bind_int64(s, 3, st->now + STATS_SOON_MS);
	if ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		st->mine_breached = sqlite3_column_int64(s, 0);
		st->mine_soon = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return (rc == -1 ? -1 : 0);
}

/*
 * Per day of the last 30: new tickets (the last 14 for the sparkline) and
 * the clocks that were answered (solved), and answered in time.
 */
static int
stats_days(struct replica *r, struct replica_stats *st, char **cause)
{
	sqlite3_stmt	*s;
	int64_t		 day;
	int		 rc, w;

	if (rp_prepare(r, "SELECT day, created, fr_done, fr_met, res_done, "
	    "res_met FROM stats_day WHERE day BETWEEN ? AND ?", &s,
	    cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, st->today - 29);
	sqlite3_bind_int64(s, 2, st->today);
	while ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		day = sqlite3_column_int64(s, 0);
		if (day > st->today - STATS_SPARK_DAYS)
			st->new_per_day[STATS_SPARK_DAYS - 1 -
			    (st->today - day)] = sqlite3_column_int64(s, 1);
		for (w = 0; w < STATS_WINDOWS; w++) {
			if (w == STATS_7_DAYS && day <= st->today - 7)
				continue;
			st->first_response[w].counted +=
			    sqlite3_column_int64(s, 2);
			st->first_response[w].met +=
			    sqlite3_column_int64(s, 3);
			st->resolution[w].counted +=
			    sqlite3_column_int64(s, 4);
			st->resolution[w].met += sqlite3_column_int64(s, 5);
		}
	}
	sqlite3_finalize(s);
	return (rc == -1 ? -1 : 0);
}

/*
 * The clocks of the windows that ran out unanswered (unsolved): whole
 * hours from stats_due, the current hour up to now from the tickets.
 */
static int
stats_overdue(struct replica *r, struct replica_stats *st, char **cause)
{
	static const char *const part[] = {
		"SELECT count(*), count(*) FILTER (WHERE created_at >= ?5) "
		"FROM tickets WHERE first_response_at IS NULL AND "
		"first_response_due IS NOT NULL AND first_response_due >= ?1 "
		"AND first_response_due < ?2 AND created_at >= ?3 AND "
		"created_at < ?4",
		"SELECT count(*), count(*) FILTER (WHERE created_at >= ?5) "
		"FROM tickets WHERE solved_at IS NULL AND resolution_due IS "
		"NOT NULL AND resolution_due >= ?1 AND resolution_due < ?2 "
		"AND created_at >= ?3 AND created_at < ?4"
	};
	struct stats_sla	*sla;
	sqlite3_stmt		*s;
	int64_t			 hour = st->now / HOUR_MS;
	int			 rc, kind;

	if (rp_prepare(r, "SELECT kind, sum(n), sum(n) FILTER (WHERE day > ?3) "
	    "FROM stats_due WHERE kind IN (0, 1) AND day BETWEEN ?1 AND ?2 "
	    "AND due_hour < ?4 GROUP BY kind", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, st->today - 29);
	sqlite3_bind_int64(s, 2, st->today);
	sqlite3_bind_int64(s, 3, st->today - 7);
	sqlite3_bind_int64(s, 4, hour);
	while ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		sla = sqlite3_column_int(s, 0) == 0 ? st->first_response :
		    st->resolution;
		sla[STATS_30_DAYS].counted += sqlite3_column_int64(s, 1);
		sla[STATS_7_DAYS].counted += sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc == -1)
		return (-1);

	for (kind = 0; kind < 2; kind++) {
		if (rp_prepare(r, part[kind], &s, cause) != 0)
			return (-1);
		sqlite3_bind_int64(s, 1, hour * HOUR_MS);
		sqlite3_bind_int64(s, 2, st->now);
		sqlite3_bind_int64(s, 3, (st->today - 29) * DAY_MS);
		sqlite3_bind_int64(s, 4, (st->today + 1) * DAY_MS);
		sqlite3_bind_int64(s, 5, (st->today - 6) * DAY_MS);
		if ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
			sla = kind == 0 ? st->first_response : st->resolution;
			sla[STATS_30_DAYS].counted +=
			    sqlite3_column_int64(s, 0);
			sla[STATS_7_DAYS].counted +=
			    sqlite3_column_int64(s, 1);
		}
		sqlite3_finalize(s);
		if (rc == -1)
			return (-1);
	}
	return (0);
}

/*
 * The time at rank k (1-based) among the window's tickets from bucket
 * `bucket` on, where `before` of them are in lower buckets: read from the
 * duration index, which is in the time's order.
 */
static int
stats_rank(struct replica *r, int kind, struct replica_stats *st,
    int64_t bucket, int64_t before, int64_t k, int64_t *out, char **cause)
{
	static const char *const sql[] = {
		"SELECT first_response_at - created_at FROM tickets "
		"WHERE first_response_at IS NOT NULL AND "
		"first_response_at - created_at >= ?1 AND created_at >= ?2 "
		"AND created_at < ?3 ORDER BY first_response_at - created_at "
		"LIMIT 1 OFFSET ?4",
		"SELECT solved_at - created_at FROM tickets "
		"WHERE solved_at IS NOT NULL AND solved_at - created_at >= ?1 "
		"AND created_at >= ?2 AND created_at < ?3 "
		"ORDER BY solved_at - created_at LIMIT 1 OFFSET ?4"
	};
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, sql[kind], &s, cause) != 0)
		return (-1);
	sqlite3_bind_int64(s, 1, stats_bucket_low(bucket));
	sqlite3_bind_int64(s, 2, (st->today - 29) * DAY_MS);
	sqlite3_bind_int64(s, 3, (st->today + 1) * DAY_MS);
	sqlite3_bind_int64(s, 4, k - before - 1);
	rc = stats_step(r, s, cause);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		*cause = xstrdup(_("the dashboard's sums disagree with the "
		    "tickets; `triage replica check` tells more"));
		return (-1);
	}
	return (rc == -1 ? -1 : 0);
}

/* Median and p90 of a kind of time (0 first response, 1 resolution). */
static int
stats_times(struct replica *r, int kind, struct replica_stats *st,
    struct stats_times *t, char **cause)
{
	static const int	 pct[2] = { 50, 90 };
	sqlite3_stmt		*s;
	int64_t			*bucket = NULL, *n = NULL, k, before;
	int64_t			*out[2] = { &t->median, &t->p90 };
	size_t			 nb = 0, i;
	int			 rc, p;

	if (rp_prepare(r, "SELECT bucket, sum(n) FROM stats_time "
	    "WHERE kind = ? AND day BETWEEN ? AND ? GROUP BY bucket "
	    "HAVING sum(n) > 0 ORDER BY bucket", &s, cause) != 0)
		return (-1);
	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_int64(s, 2, st->today - 29);
	sqlite3_bind_int64(s, 3, st->today);
	while ((rc = stats_step(r, s, cause)) == SQLITE_ROW) {
		bucket = xreallocarray(bucket, nb + 1, sizeof *bucket);
		n = xreallocarray(n, nb + 1, sizeof *n);
		bucket[nb] = sqlite3_column_int64(s, 0);
		n[nb] = sqlite3_column_int64(s, 1);
		t->count += n[nb++];
	}
	sqlite3_finalize(s);
	for (p = 0; rc != -1 && t->count > 0 && p < 2; p++) {
		/* Nearest rank: ceil(pct x count / 100). */
		k = (t->count * pct[p] + 99) / 100;
		for (i = 0, before = 0; i + 1 < nb && before + n[i] < k; i++)
			before += n[i];
		if (stats_rank(r, kind, st, bucket[i], before, k, out[p],
		    cause) != 0)
			rc = -1;
	}
	free(bucket);
	free(n);
	return (rc == -1 ? -1 : 0);
}

/*
 * Compute the dashboard as of now (ms) for user me (NULL: no queue of
 * mine) into *st; replica_stats_free() frees it, even after a failure.
 */
int
replica_stats(struct replica *r, int64_t now, const char *me,
    struct replica_stats *st, char **cause)
{
	int	 own, rc = 0;

	memset(st, 0, sizeof *st);
	st->now = now;
	st->today = now / DAY_MS;
	st->have_me = me != NULL && *me != '\0';
	/* One snapshot for every figure. */
	own = sqlite3_get_autocommit(r->db);
	if (own && rp_exec(r, "BEGIN", cause) != 0)
		return (-1);
	if (stats_open(r, st->have_me ? me : NULL, st, cause) != 0 ||
	    stats_teams(r, st, cause) != 0 ||
	    (st->have_me && stats_mine(r, me, st, cause) != 0) ||
	    stats_days(r, st, cause) != 0 ||
	    stats_overdue(r, st, cause) != 0 ||
	    stats_times(r, 0, st, &st->first_response_time, cause) != 0 ||
	    stats_times(r, 1, st, &st->resolution_time, cause) != 0)
		rc = -1;
	if (!st->have_me)
		st->mine = 0;
	if (own)
		replica_rollback(r);	/* read only: nothing to keep */
	return (rc);
}

/* Free what replica_stats() allocated. */
void
replica_stats_free(struct replica_stats *st)
{
	size_t	 i;

	for (i = 0; i < st->nteams; i++) {
		free(st->teams[i].id);
		free(st->teams[i].name);
	}
	free(st->teams);
	st->teams = NULL;
	st->nteams = 0;
}

/* Compliance in tenths of a percent, rounded half up; -1 when no data. */
int64_t
replica_stats_permille(const struct stats_sla *sla)
{
	if (sla->counted <= 0)
		return (-1);
	return ((sla->met * 1000 + sla->counted / 2) / sla->counted);
}

/* A priority's weight in the load: low 1, normal 2, high 3, urgent 4. */
int
replica_stats_weight(int priority)
{
	return (priority + 1);
}

/*
 * Fill the sums from the tickets again, after a bulk load that ran without
 * their triggers (inside the load's transaction).
 */
int
rp_stats_rebuild(struct replica *r, char **cause)
{
	char	*sql;
	size_t	 i;
	int	 rc;

	for (i = 0; i < nitems(stats_tables); i++) {
		sql = xprintf("DELETE FROM %s; INSERT INTO %s SELECT * FROM "
		    "%s_src", stats_tables[i], stats_tables[i],
		    stats_tables[i]);
		rc = rp_exec(r, sql, cause);
		free(sql);
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/* Check that the kept sums are what their views make of the tickets. */
int
rp_stats_check(struct replica *r, char **cause)
{
	sqlite3_stmt	*s;
	char		*sql;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(stats_tables); i++) {
		/* Rows whose sums fell to 0 stay in the tables. */
		sql = xprintf("SELECT count(*) FROM (SELECT * FROM (SELECT * "
		    "FROM %s EXCEPT SELECT * FROM %s_src) WHERE %s "
		    "UNION ALL SELECT * FROM (SELECT * FROM %s_src EXCEPT "
		    "SELECT * FROM %s))", stats_tables[i], stats_tables[i],
		    i == 1 ? "created <> 0 OR fr_done <> 0 OR fr_met <> 0 OR "
		    "res_done <> 0 OR res_met <> 0" : "n <> 0",
		    stats_tables[i], stats_tables[i]);
		rc = rp_prepare(r, sql, &s, cause);
		free(sql);
		if (rc != 0)
			return (-1);
		if ((rc = stats_step(r, s, cause)) == SQLITE_ROW &&
		    sqlite3_column_int64(s, 0) != 0) {
			*cause = xprintf(_("%s: %lld rows differ from the "
			    "tickets"), stats_tables[i],
			    (long long)sqlite3_column_int64(s, 0));
			rc = -1;
		}
		sqlite3_finalize(s);
		if (rc == -1)
			return (-1);
	}
	return (0);
}
