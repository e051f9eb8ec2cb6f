/* check-stats.c: the dashboard's figures: every one exactly, its windows' edges, the sums under change, bulk loads and migration, triage stats. */
#include "config.h"

#include <sqlite3.h>

#include "testutil.h"
#include "fixture.h"
#include "proc.h"

#define NOW		FX_NOW			/* 2026-11-21T12:00:00Z */
#define MIN		INT64_C(60000)
#define HOUR		FX_HOUR
#define DAY		INT64_C(86400000)
#define TODAY		(NOW / DAY)
#define MIDNIGHT	(TODAY * DAY)		/* today, 00:00 UTC */

static char	 me[UUID_STRLEN + 1], other[UUID_STRLEN + 1];
static char	 team1[UUID_STRLEN + 1], team2[UUID_STRLEN + 1];
static char	 idle[UUID_STRLEN + 1];
static const char ghost[] = "0190ffff-0000-7000-8000-00000000dead";

/* A hand-made ticket; times of 0 are NULL. */
struct tk {
	int		 status;
	int		 prio;
	const char	*team;
	const char	*assignee;
	int64_t		 created;
	int64_t		 frd;		/* first_response_due */
	int64_t		 fra;		/* first_response_at */
	int64_t		 rd;		/* resolution_due */
	int64_t		 solved;
};

/* Put ticket number n (its id from n); deleted removes it. */
static void
put(struct replica *r, int n, const struct tk *k, int deleted)
{
	struct ticket_rec	 t;
	char			 id[UUID_STRLEN + 1], subj[32];
	char			*fx_cause = NULL;

	fx_id(id, 7, n);
	snprintf(subj, sizeof subj, "Ticket %d", n);
	memset(&t, 0, sizeof t);
	t.id = id;
	t.number = n;
	t.subject = subj;
	t.status = k->status;
	t.priority = k->prio;
	t.team_id = k->team;
	t.assignee_id = k->assignee;
	t.created_at = k->created;
	t.updated_at = k->created;
	t.first_response_due = k->frd;
	t.first_response_at = k->fra;
	t.resolution_due = k->rd;
	t.solved_at = k->solved;
	t.rev = n;
	t.deleted = deleted;
	FX_CHECK(replica_put_ticket(r, &t, &fx_cause));
}

/* Put tickets 1..n of an array. */
static void
put_all(struct replica *r, const struct tk *k, int n)
{
	char	*fx_cause = NULL;
	int	 i;

	FX_CHECK(replica_begin(r, &fx_cause));
	for (i = 0; i < n; i++)
		put(r, i + 1, &k[i], 0);
	FX_CHECK(replica_commit(r, &fx_cause));
}

/* Teams (two busy, one idle), two agents, and me logged in. */
static void
people(struct replica *r)
{
	struct team_rec	 tm;
	struct user_rec	 u;
	char		*fx_cause = NULL;

	fx_id(team1, 1, 1);
	fx_id(team2, 1, 2);
	fx_id(idle, 1, 3);
	fx_id(me, 2, 1);
	fx_id(other, 2, 2);
	memset(&tm, 0, sizeof tm);
	tm.id = team1; tm.name = "Tier 1"; tm.rev = 1;
	FX_CHECK(replica_put_team(r, &tm, &fx_cause));
	tm.id = team2; tm.name = "Billing"; tm.rev = 2;
	FX_CHECK(replica_put_team(r, &tm, &fx_cause));
	tm.id = idle; tm.name = "Idle"; tm.rev = 3;
	FX_CHECK(replica_put_team(r, &tm, &fx_cause));
	memset(&u, 0, sizeof u);
	u.id = me; u.email = "alex@demo.example"; u.name = "Alex Morgan";
	u.role = "agent"; u.team_id = team1; u.available = 1; u.rev = 4;
	FX_CHECK(replica_put_user(r, &u, &fx_cause));
	u.id = other; u.email = "sam@demo.example"; u.name = "Sam Lee";
	u.rev = 5;
	FX_CHECK(replica_put_user(r, &u, &fx_cause));
	FX_CHECK(replica_setting_set(r, "user_id", me, &fx_cause));
}

/* A new replica with the people; Caller frees the path. */
static struct replica *
fresh(char **path)
{
	struct replica	*r;
	char		*fx_cause = NULL;

	*path = fx_tmpname("stats");
	FX_CHECK(replica_open(*path, REPLICA_CREATE, &r, &fx_cause));
	people(r);
	return (r);
}

static void
done(struct replica *r, char *path)
{
	char	*fx_cause = NULL;

	FX_CHECK(replica_check(r, &fx_cause));
	replica_close(r);
	fx_unlink(path);
	free(path);
}

static void
compute(struct replica *r, int64_t now, const char *who,
    struct replica_stats *st)
{
	char	*fx_cause = NULL;

	FX_CHECK(replica_stats(r, now, who, st, &fx_cause));
}

#define ASSERT_SLA(sla, c, m) do {					\
	ck_assert_int_eq((sla).counted, (c));				\
	ck_assert_int_eq((sla).met, (m));				\
} while (0)

/*
 * The figures the slow way: straight from the tickets, on a connection of
 * its own, by the definitions in the manual.
 */
static int64_t
q_int(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t c,
    const char *text)
{
	sqlite3_stmt	*s;
	int64_t		 v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	/* Parameters a query does not name are left out (SQLITE_RANGE). */
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	sqlite3_bind_int64(s, 3, c);
	sqlite3_bind_text(s, 4, text != NULL ? text : "", -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* Nearest-rank percentile of a time over the 30-day window, by sorting. */
static void
brute_times(sqlite3 *db, const char *at, int64_t start, int64_t end,
    struct stats_times *t)
{
	char	*sql;

	memset(t, 0, sizeof *t);
	sql = xprintf("SELECT count(*) FROM tickets WHERE %s IS NOT NULL AND "
	    "created_at >= ?1 AND created_at < ?2", at);
	t->count = q_int(db, sql, start, end, 0, NULL);
	free(sql);
	if (t->count == 0)
		return;
	sql = xprintf("SELECT %s - created_at FROM tickets WHERE %s IS NOT "
	    "NULL AND created_at >= ?1 AND created_at < ?2 "
	    "ORDER BY 1 LIMIT 1 OFFSET ?3", at, at);
	t->median = q_int(db, sql, start, end, (t->count * 50 + 99) / 100 - 1,
	    NULL);
	t->p90 = q_int(db, sql, start, end, (t->count * 90 + 99) / 100 - 1,
	    NULL);
	free(sql);
}

static void
brute_sla(sqlite3 *db, const char *due, const char *at, int64_t start,
    int64_t end, int64_t now, struct stats_sla *sla)
{
	char	*sql;

	sql = xprintf("SELECT count(*) FROM tickets WHERE created_at >= ?1 "
	    "AND created_at < ?2 AND %s IS NOT NULL AND (%s IS NOT NULL OR "
	    "%s < ?3)", due, at, due);
	sla->counted = q_int(db, sql, start, end, now, NULL);
	free(sql);
	sql = xprintf("SELECT count(*) FROM tickets WHERE created_at >= ?1 "
	    "AND created_at < ?2 AND %s IS NOT NULL AND %s <= %s", due, at,
	    due);
	sla->met = q_int(db, sql, start, end, now, NULL);
	free(sql);
}

/* Everything but the teams (compared by assert_teams). */
static void
brute(const char *path, int64_t now, const char *who,
    struct replica_stats *st)
{
	sqlite3		*db;
	int64_t		 today = now / DAY, end = (today + 1) * DAY;
	int		 k;

	memset(st, 0, sizeof *st);
	st->now = now;
	st->today = today;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	for (k = 0; k < STATS_OPEN_STATUSES; k++) {
		st->by_status[k] = q_int(db, "SELECT count(*) FROM tickets "
		    "WHERE status = ?1", k, 0, 0, NULL);
		st->open += st->by_status[k];
	}
	for (k = 0; k < TICKET_PRIORITY_COUNT; k++)
		st->by_priority[k] = q_int(db, "SELECT count(*) FROM tickets "
		    "WHERE status < 4 AND priority = ?1", k, 0, 0, NULL);
	brute_sla(db, "first_response_due", "first_response_at",
	    (today - 6) * DAY, end, now, &st->first_response[STATS_7_DAYS]);
	brute_sla(db, "first_response_due", "first_response_at",
	    (today - 29) * DAY, end, now, &st->first_response[STATS_30_DAYS]);
	brute_sla(db, "resolution_due", "solved_at", (today - 6) * DAY, end,
	    now, &st->resolution[STATS_7_DAYS]);
	brute_sla(db, "resolution_due", "solved_at", (today - 29) * DAY, end,
	    now, &st->resolution[STATS_30_DAYS]);
	brute_times(db, "first_response_at", (today - 29) * DAY, end,
	    &st->first_response_time);
	brute_times(db, "solved_at", (today - 29) * DAY, end,
	    &st->resolution_time);
	for (k = 0; k < STATS_SPARK_DAYS; k++)
		st->new_per_day[k] = q_int(db, "SELECT count(*) FROM tickets "
		    "WHERE created_at >= ?1 AND created_at < ?2",
		    (today - 13 + k) * DAY,
		    (today - 12 + k) * DAY, 0, NULL);
	st->have_me = who != NULL;
	if (who != NULL) {
		st->mine = q_int(db, "SELECT count(*) FROM tickets WHERE "
		    "status < 4 AND assignee_id = ?4", 0, 0, 0, who);
		st->mine_breached = q_int(db, "SELECT count(*) FROM tickets "
		    "WHERE status < 4 AND assignee_id = ?4 AND sla_due < ?1",
		    now, 0, 0, who);
		st->mine_soon = q_int(db, "SELECT count(*) FROM tickets "
		    "WHERE status < 4 AND assignee_id = ?4 AND sla_due >= ?1 "
		    "AND sla_due <= ?2", now, now + 2 * HOUR, 0, who);
	}
	sqlite3_close(db);
}

/* The teams the slow way: open and weighted per team, in the order. */
static void
assert_teams(const char *path, const struct replica_stats *st)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	size_t		 i = 0;
	const char	*id, *name;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT * FROM ("
	    "SELECT t.team_id AS id, tm.name AS name, count(*) AS n, "
	    "sum(t.priority + 1) AS w FROM tickets t LEFT JOIN teams tm "
	    "ON tm.id = t.team_id WHERE t.status < 4 GROUP BY t.team_id "
	    "UNION ALL SELECT id, name, 0, 0 FROM teams WHERE id NOT IN "
	    "(SELECT team_id FROM tickets WHERE status < 4 AND team_id IS "
	    "NOT NULL)) ORDER BY w DESC, n DESC, id IS NULL, name, id", -1,
	    &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		ck_assert_uint_lt(i, st->nteams);
		id = (const char *)sqlite3_column_text(s, 0);
		name = (const char *)sqlite3_column_text(s, 1);
		if (id == NULL)
			ck_assert_ptr_null(st->teams[i].id);
		else
			ck_assert_str_eq(st->teams[i].id, id);
		if (name == NULL)
			ck_assert_ptr_null(st->teams[i].name);
		else
			ck_assert_str_eq(st->teams[i].name, name);
		ck_assert_int_eq(st->teams[i].open, sqlite3_column_int64(s, 2));
		ck_assert_int_eq(st->teams[i].weighted,
		    sqlite3_column_int64(s, 3));
		i++;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_uint_eq(i, st->nteams);
}

/* replica_stats() at now equals the slow way, figure by figure. */
static void
assert_brute(struct replica *r, const char *path, int64_t now)
{
	struct replica_stats	 got, want;
	int			 k, w;

	compute(r, now, me, &got);
	brute(path, now, me, &want);
	ck_assert_int_eq(got.today, want.today);
	ck_assert_int_eq(got.open, want.open);
	for (k = 0; k < STATS_OPEN_STATUSES; k++)
		ck_assert_int_eq(got.by_status[k], want.by_status[k]);
	for (k = 0; k < TICKET_PRIORITY_COUNT; k++)
		ck_assert_int_eq(got.by_priority[k], want.by_priority[k]);
	for (w = 0; w < STATS_WINDOWS; w++) {
		ASSERT_SLA(got.first_response[w],
		    want.first_response[w].counted,
		    want.first_response[w].met);
		ASSERT_SLA(got.resolution[w], want.resolution[w].counted,
		    want.resolution[w].met);
	}
	ck_assert_int_eq(got.first_response_time.count,
	    want.first_response_time.count);
	ck_assert_int_eq(got.first_response_time.median,
	    want.first_response_time.median);
	ck_assert_int_eq(got.first_response_time.p90,
	    want.first_response_time.p90);
	ck_assert_int_eq(got.resolution_time.count,
	    want.resolution_time.count);
	ck_assert_int_eq(got.resolution_time.median,
	    want.resolution_time.median);
	ck_assert_int_eq(got.resolution_time.p90, want.resolution_time.p90);
	for (k = 0; k < STATS_SPARK_DAYS; k++)
		ck_assert_int_eq(got.new_per_day[k], want.new_per_day[k]);
	ck_assert_int_eq(got.have_me, 1);
	ck_assert_int_eq(got.mine, want.mine);
	ck_assert_int_eq(got.mine_soon, want.mine_soon);
	ck_assert_int_eq(got.mine_breached, want.mine_breached);
	assert_teams(path, &got);
	replica_stats_free(&got);
}

START_TEST(test_empty_replica_has_no_data)
{
	struct replica		*r;
	struct replica_stats	 st;
	char			*path;
	int			 k;

	r = fresh(&path);
	compute(r, NOW, NULL, &st);
	ck_assert_int_eq(st.today, 20778);
	ck_assert_int_eq(st.open, 0);
	for (k = 0; k < STATS_WINDOWS; k++) {
		ck_assert_int_eq(replica_stats_permille(&st.first_response[k]),
		    -1);
		ck_assert_int_eq(replica_stats_permille(&st.resolution[k]), -1);
	}
	ck_assert_int_eq(st.first_response_time.count, 0);
	ck_assert_int_eq(st.resolution_time.count, 0);
	for (k = 0; k < STATS_SPARK_DAYS; k++)
		ck_assert_int_eq(st.new_per_day[k], 0);
	ck_assert_int_eq(st.have_me, 0);
	/* Every team of the replica is listed, idle. */
	ck_assert_uint_eq(st.nteams, 3);
	ck_assert_str_eq(st.teams[0].name, "Billing");
	ck_assert_str_eq(st.teams[1].name, "Idle");
	ck_assert_str_eq(st.teams[2].name, "Tier 1");
	ck_assert_int_eq(st.teams[0].open + st.teams[0].weighted, 0);
	replica_stats_free(&st);
	compute(r, NOW, me, &st);
	ck_assert_int_eq(st.have_me, 1);
	ck_assert_int_eq(st.mine + st.mine_soon + st.mine_breached, 0);
	replica_stats_free(&st);
	done(r, path);
}
END_TEST

START_TEST(test_open_tickets_by_status_priority_team_and_mine)
{
	const struct tk k[] = {
		{ TICKET_NEW, PRIORITY_LOW, team1, me, MIDNIGHT, 0, 0, 0, 0 },
		{ TICKET_OPEN, PRIORITY_NORMAL, team1, other, MIDNIGHT, 0, 0, 0,
		  0 },
		{ TICKET_OPEN, PRIORITY_URGENT, team2, me, MIDNIGHT, 0, 0, 0,
		  0 },
		{ TICKET_PENDING, PRIORITY_HIGH, NULL, NULL, MIDNIGHT, 0, 0, 0,
		  0 },
		{ TICKET_ON_HOLD, PRIORITY_NORMAL, ghost, me, MIDNIGHT, 0, 0, 0,
		  0 },
		{ TICKET_SOLVED, PRIORITY_URGENT, team1, me, MIDNIGHT, 0, 0, 0,
		  NOW },
		{ TICKET_CLOSED, PRIORITY_LOW, team2, other, MIDNIGHT, 0, 0, 0,
		  NOW },
		{ TICKET_OPEN, PRIORITY_HIGH, team2, NULL, MIDNIGHT, 0, 0, 0,
		  0 },
	};
	struct tk		 t;
	struct replica		*r;
	struct replica_stats	 st;
	struct ticket_change	 c;
	char			*path, *fx_cause = NULL, id[UUID_STRLEN + 1];
	int			 n;

	r = fresh(&path);
	put_all(r, k, nitems(k));
	compute(r, NOW, me, &st);
	ck_assert_int_eq(st.open, 6);
	ck_assert_int_eq(st.by_status[TICKET_NEW], 1);
	ck_assert_int_eq(st.by_status[TICKET_OPEN], 3);
	ck_assert_int_eq(st.by_status[TICKET_PENDING], 1);
	ck_assert_int_eq(st.by_status[TICKET_ON_HOLD], 1);
	ck_assert_int_eq(st.by_priority[PRIORITY_LOW], 1);
	ck_assert_int_eq(st.by_priority[PRIORITY_NORMAL], 2);
	ck_assert_int_eq(st.by_priority[PRIORITY_HIGH], 2);
	ck_assert_int_eq(st.by_priority[PRIORITY_URGENT], 1);
	ck_assert_int_eq(st.mine, 3);
	/*
	 * Billing: urgent + high = 4 + 3; Tier 1: low + normal = 1 + 2, two
	 * tickets, before "no team" (one high: 3); the ghost team (no row in
	 * teams: no name) one normal: 2; Idle nothing.
	 */
	ck_assert_uint_eq(st.nteams, 5);
	ck_assert_str_eq(st.teams[0].id, team2);
	ck_assert_str_eq(st.teams[0].name, "Billing");
	ck_assert_int_eq(st.teams[0].open, 2);
	ck_assert_int_eq(st.teams[0].weighted, 7);
	ck_assert_str_eq(st.teams[1].name, "Tier 1");
	ck_assert_int_eq(st.teams[1].open, 2);
	ck_assert_int_eq(st.teams[1].weighted, 3);
	ck_assert_ptr_null(st.teams[2].id);
	ck_assert_ptr_null(st.teams[2].name);
	ck_assert_int_eq(st.teams[2].open, 1);
	ck_assert_int_eq(st.teams[2].weighted, 3);
	ck_assert_str_eq(st.teams[3].id, ghost);
	ck_assert_ptr_null(st.teams[3].name);
	ck_assert_int_eq(st.teams[3].weighted, 2);
	ck_assert_str_eq(st.teams[4].name, "Idle");
	ck_assert_int_eq(st.teams[4].open, 0);
	ck_assert_int_eq(replica_stats_weight(PRIORITY_URGENT), 4);
	replica_stats_free(&st);

	/* A local action, a pulled change and a pulled deletion. */
	ticket_change_init(&c);
	c.status = TICKET_SOLVED;
	fx_id(id, 7, 2);
	FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
	t = k[3];
	t.team = idle;
	t.prio = PRIORITY_URGENT;
	put(r, 4, &t, 0);
	put(r, 3, &k[2], 1);
	compute(r, NOW, me, &st);
	ck_assert_int_eq(st.open, 4);
	ck_assert_int_eq(st.by_status[TICKET_OPEN], 1);
	ck_assert_int_eq(st.by_priority[PRIORITY_URGENT], 1);
	ck_assert_int_eq(st.by_priority[PRIORITY_HIGH], 1);
	ck_assert_int_eq(st.mine, 2);
	ck_assert_str_eq(st.teams[0].name, "Idle");
	ck_assert_int_eq(st.teams[0].weighted, 4);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

/*
 * At 12:30 (the current hour began at 12:00): which clocks a window counts,
 * and which it leaves out, on both sides of every edge.
 */
START_TEST(test_sla_compliance_windows_and_boundaries)
{
	const int64_t	 n3 = NOW + 30 * MIN;
	const struct tk	 k[] = {
		/* 1: answered exactly at the due time: met. */
		{ 1, 1, team1, me, MIDNIGHT + HOUR, MIDNIGHT + 3 * HOUR,
		  MIDNIGHT + 3 * HOUR, 0, 0 },
		/* 2: a millisecond late. */
		{ 1, 1, team1, me, MIDNIGHT - 3 * DAY + 5 * HOUR,
		  MIDNIGHT - 3 * DAY + 6 * HOUR,
		  MIDNIGHT - 3 * DAY + 6 * HOUR + 1, 0, 0 },
		/* 3: unanswered, due at 12:10 this hour: past due. */
		{ 0, 1, team1, me, MIDNIGHT - 2 * DAY, n3 - 20 * MIN, 0, 0,
		  0 },
		/* 4: unanswered, due at 11:10: past due. */
		{ 0, 1, team1, me, MIDNIGHT - 2 * DAY, NOW - 50 * MIN, 0, 0,
		  0 },
		/* 5: due exactly now: not past due yet. */
		{ 0, 1, team1, me, MIDNIGHT, n3, 0, 0, 0 },
		/* 6: due in an hour. */
		{ 0, 1, team1, me, MIDNIGHT, n3 + HOUR, 0, 0, 0 },
		/* 7: the first moment of the 7-day window: met. */
		{ 1, 1, team1, me, MIDNIGHT - 6 * DAY, MIDNIGHT - 6 * DAY +
		  HOUR, MIDNIGHT - 6 * DAY + 30 * MIN, 0, 0 },
		/* 8: a millisecond before it: 30 days only, late. */
		{ 1, 1, team1, me, MIDNIGHT - 6 * DAY - 1, MIDNIGHT - 6 * DAY -
		  1 + HOUR, MIDNIGHT - 6 * DAY - 1 + 2 * HOUR, 0, 0 },
		/* 9: the first moment of the 30-day window: met. */
		{ 1, 1, team1, me, MIDNIGHT - 29 * DAY, MIDNIGHT - 29 * DAY +
		  HOUR, MIDNIGHT - 29 * DAY + MIN, 0, 0 },
		/* 10: a millisecond before it: in no window. */
		{ 1, 1, team1, me, MIDNIGHT - 29 * DAY - 1,
		  MIDNIGHT - 29 * DAY + HOUR, MIDNIGHT - 29 * DAY + MIN, 0, 0 },
		/* 11: no due time: not counted. */
		{ 1, 1, team1, me, MIDNIGHT - DAY, 0, MIDNIGHT - DAY + MIN, 0,
		  0 },
		/* 12: created tomorrow (a clock ahead): in no window. */
		{ 0, 1, team1, me, MIDNIGHT + DAY + HOUR, NOW - HOUR, 0, 0, 0 },
		/* 13, 14: 10 days old, past due in an old hour and this one. */
		{ 0, 1, team1, me, MIDNIGHT - 10 * DAY, MIDNIGHT - 10 * DAY +
		  HOUR, 0, 0, 0 },
		{ 0, 1, team1, me, MIDNIGHT - 10 * DAY, n3 - 5 * MIN, 0, 0, 0 },
		/* 15..20: resolution, the same way. */
		{ 4, 1, team2, other, MIDNIGHT + 2 * HOUR, 0, 0,
		  MIDNIGHT + 6 * HOUR, MIDNIGHT + 6 * HOUR },
		{ 4, 1, team2, other, MIDNIGHT - 5 * DAY, 0, 0,
		  MIDNIGHT - 4 * DAY, MIDNIGHT - 4 * DAY + 1 },
		{ 2, 1, team2, other, MIDNIGHT - DAY, 0, 0, n3 - 1, 0 },
		{ 2, 1, team2, other, MIDNIGHT - 20 * DAY, 0, 0, NOW - 5 * HOUR,
		  0 },
		{ 2, 1, team2, other, MIDNIGHT - 20 * DAY, 0, 0, n3 + 1, 0 },
		{ 5, 1, team2, other, MIDNIGHT - 20 * DAY, 0, 0,
		  MIDNIGHT - 19 * DAY, MIDNIGHT - 20 * DAY + HOUR },
	};
	struct replica		*r;
	struct replica_stats	 st;
	char			*path;

	r = fresh(&path);
	put_all(r, k, nitems(k));

	compute(r, n3, me, &st);
	/* 7 days: 1 met, 2, 3, 4, 7 met; 30 days also 8, 9 met, 13, 14. */
	ASSERT_SLA(st.first_response[STATS_7_DAYS], 5, 2);
	ASSERT_SLA(st.first_response[STATS_30_DAYS], 9, 3);
	ck_assert_int_eq(replica_stats_permille(
	    &st.first_response[STATS_7_DAYS]), 400);
	ck_assert_int_eq(replica_stats_permille(
	    &st.first_response[STATS_30_DAYS]), 333);
	/* 7 days: 15 met, 16, 17; 30 days also 18 and 20 met. */
	ASSERT_SLA(st.resolution[STATS_7_DAYS], 3, 1);
	ASSERT_SLA(st.resolution[STATS_30_DAYS], 5, 2);
	replica_stats_free(&st);
	assert_brute(r, path, n3);

	/* At 12:00 the clocks due at 12:10, 12:25 and 12:29 still run. */
	compute(r, NOW, me, &st);
	ASSERT_SLA(st.first_response[STATS_7_DAYS], 4, 2);
	ASSERT_SLA(st.first_response[STATS_30_DAYS], 7, 3);
	ASSERT_SLA(st.resolution[STATS_7_DAYS], 2, 1);
	ASSERT_SLA(st.resolution[STATS_30_DAYS], 4, 2);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);

	/* A day later the windows have moved by a day. */
	assert_brute(r, path, n3 + DAY);
	assert_brute(r, path, n3 + 40 * DAY);
	done(r, path);
}
END_TEST

START_TEST(test_times_are_exact_nearest_rank)
{
	static const int	 fr_min[] = { 5, 1, 7, 2, 3, 6, 4 };
	static const int	 res_h[] = { 3, 1, 4, 2 };
	struct tk		 k;
	struct replica		*r;
	struct replica_stats	 st;
	char			*path, *fx_cause = NULL;
	size_t			 i;
	int			 n = 0;

	r = fresh(&path);
	FX_CHECK(replica_begin(r, &fx_cause));
	memset(&k, 0, sizeof k);
	k.status = TICKET_OPEN;
	k.prio = PRIORITY_NORMAL;
	for (i = 0; i < nitems(fr_min); i++) {
		k.created = MIDNIGHT - (int64_t)i * 3 * DAY;
		k.fra = k.created + fr_min[i] * MIN;
		put(r, ++n, &k, 0);
	}
	/* Outside the window, and one not answered. */
	k.created = MIDNIGHT - 31 * DAY;
	k.fra = k.created + 30000;
	put(r, ++n, &k, 0);
	k.fra = k.created + 10 * MIN;
	put(r, ++n, &k, 0);
	k.created = MIDNIGHT;
	k.fra = 0;
	put(r, ++n, &k, 0);
	k.status = TICKET_SOLVED;
	for (i = 0; i < nitems(res_h); i++) {
		k.created = MIDNIGHT - 2 * DAY;
		k.solved = k.created + res_h[i] * HOUR;
		put(r, ++n, &k, 0);
	}
	FX_CHECK(replica_commit(r, &fx_cause));

	compute(r, NOW, me, &st);
	/* 7 times: the median is the 4th, the p90 the 7th (6.3 up). */
	ck_assert_int_eq(st.first_response_time.count, 7);
	ck_assert_int_eq(st.first_response_time.median, 4 * MIN);
	ck_assert_int_eq(st.first_response_time.p90, 7 * MIN);
	/* 4 times: the median is the 2nd, never between two. */
	ck_assert_int_eq(st.resolution_time.count, 4);
	ck_assert_int_eq(st.resolution_time.median, 2 * HOUR);
	ck_assert_int_eq(st.resolution_time.p90, 4 * HOUR);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

/*
 * A thousand times in one bucket (60000 to 60999 ms), with others of the
 * same bucket outside the window and five small ones (negative, 0, 50,
 * 99, 100) below: the rank is found inside the bucket.
 */
START_TEST(test_times_inside_a_crowded_bucket)
{
	static const int64_t	 small[] = { -5, 0, 50, 99, 100 };
	struct tk		 k;
	struct replica		*r;
	struct replica_stats	 st;
	char			*path, *fx_cause = NULL;
	int			 i, n = 0;

	r = fresh(&path);
	FX_CHECK(replica_begin(r, &fx_cause));
	memset(&k, 0, sizeof k);
	k.status = TICKET_OPEN;
	for (i = 0; i < 1000; i++) {
		k.created = MIDNIGHT - (i % 30) * DAY + i;
		k.fra = k.created + 60000 + (999 - i);
		put(r, ++n, &k, 0);
	}
	for (i = 0; i < 500; i++) {
		k.created = MIDNIGHT - 30 * DAY - i;
		k.fra = k.created + 60000 + i;
		put(r, ++n, &k, 0);
		k.created = MIDNIGHT + DAY + i;
		k.fra = k.created + 60000 + i;
		put(r, ++n, &k, 0);
	}
	for (i = 0; i < (int)nitems(small); i++) {
		k.created = MIDNIGHT - HOUR;
		k.fra = k.created + small[i];
		put(r, ++n, &k, 0);
	}
	FX_CHECK(replica_commit(r, &fx_cause));
	compute(r, NOW, me, &st);
	/* 1005 times: ranks 503 and 905, less the five small ones. */
	ck_assert_int_eq(st.first_response_time.count, 1005);
	ck_assert_int_eq(st.first_response_time.median, 60000 + 497);
	ck_assert_int_eq(st.first_response_time.p90, 60000 + 899);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

START_TEST(test_new_tickets_per_day_for_14_days)
{
	const struct tk	 k[] = {
		{ 1, 1, NULL, NULL, MIDNIGHT, 0, 0, 0, 0 },
		{ 1, 1, NULL, NULL, MIDNIGHT + DAY - 1, 0, 0, 0, 0 },
		{ 4, 1, NULL, NULL, MIDNIGHT - 13 * DAY, 0, 0, 0, 0 },
		{ 4, 1, NULL, NULL, MIDNIGHT - 13 * DAY - 1, 0, 0, 0, 0 },
		{ 1, 1, NULL, NULL, MIDNIGHT - 5 * DAY, 0, 0, 0, 0 },
		{ 5, 1, NULL, NULL, MIDNIGHT - 5 * DAY + HOUR, 0, 0, 0, 0 },
		{ 1, 1, NULL, NULL, MIDNIGHT - 4 * DAY - 1, 0, 0, 0, 0 },
		{ 1, 1, NULL, NULL, MIDNIGHT + DAY, 0, 0, 0, 0 },
	};
	const int64_t		 want[STATS_SPARK_DAYS] = {
		1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2
	};
	struct replica		*r;
	struct replica_stats	 st;
	char			*path;
	int			 i;

	r = fresh(&path);
	put_all(r, k, nitems(k));
	compute(r, NOW, me, &st);
	for (i = 0; i < STATS_SPARK_DAYS; i++)
		ck_assert_msg(st.new_per_day[i] == want[i], "day %d: %lld, "
		    "want %lld", i, (long long)st.new_per_day[i],
		    (long long)want[i]);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

START_TEST(test_my_queue_due_soon_and_breached)
{
	const struct tk	 k[] = {
		/* Breached a millisecond ago. */
		{ 1, 1, NULL, me, MIDNIGHT, NOW - 1, 0, 0, 0 },
		/* Due now, and due in exactly 2 hours: soon. */
		{ 1, 1, NULL, me, MIDNIGHT, NOW, 0, 0, 0 },
		{ 1, 1, NULL, me, MIDNIGHT, NOW + 2 * HOUR, 0, 0, 0 },
		/* A millisecond later: not yet. */
		{ 1, 1, NULL, me, MIDNIGHT, NOW + 2 * HOUR + 1, 0, 0, 0 },
		/* Pending: the clock is paused. */
		{ 2, 1, NULL, me, MIDNIGHT, NOW - HOUR, 0, 0, 0 },
		/* Answered; its resolution ran out. */
		{ 0, 1, NULL, me, MIDNIGHT, NOW - HOUR, NOW - 2 * HOUR,
		  NOW - 1, 0 },
		/* Solved: not in the queue. */
		{ 4, 1, NULL, me, MIDNIGHT, NOW - HOUR, 0, 0, NOW - HOUR },
		/* Someone else's. */
		{ 1, 1, NULL, other, MIDNIGHT, NOW - 1, 0, 0, 0 },
		/* On hold. */
		{ 3, 1, NULL, me, MIDNIGHT, 0, 0, 0, 0 },
	};
	struct replica		*r;
	struct replica_stats	 st;
	char			*path;

	r = fresh(&path);
	put_all(r, k, nitems(k));
	compute(r, NOW, me, &st);
	ck_assert_int_eq(st.have_me, 1);
	ck_assert_int_eq(st.mine, 7);
	ck_assert_int_eq(st.mine_soon, 2);
	ck_assert_int_eq(st.mine_breached, 2);
	replica_stats_free(&st);
	compute(r, NOW, other, &st);
	ck_assert_int_eq(st.mine, 1);
	ck_assert_int_eq(st.mine_breached, 1);
	replica_stats_free(&st);
	compute(r, NOW, NULL, &st);
	ck_assert_int_eq(st.have_me, 0);
	ck_assert_int_eq(st.mine + st.mine_soon + st.mine_breached, 0);
	replica_stats_free(&st);
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

/* A small deterministic generator for the changes below. */
static uint64_t	 lcg = 88172645463325252ULL;

static int64_t
pick(int64_t n)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((int64_t)((lcg >> 33) % (uint64_t)n));
}

/* A raw statement with integer parameters on another connection. */
static void
raw_update(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	if (sqlite3_step(s) != SQLITE_DONE)
		ck_abort_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
}

/*
 * Generated tickets, then hundreds of changes of every kind through the
 * replica's writers and through raw SQL: after each round the figures are
 * what the slow way says, at moments on both sides of hours and days, and
 * replica check finds the sums equal to their views.
 */
START_TEST(test_sums_follow_every_change)
{
	static const char *const changes[] = {
		"UPDATE tickets SET status = ?2 % 6 WHERE number = ?1",
		"UPDATE tickets SET priority = ?2 % 4 WHERE number = ?1",
		"UPDATE tickets SET team_id = (SELECT id FROM teams "
		"ORDER BY id LIMIT 1 OFFSET ?2 % 3) WHERE number = ?1",
		"UPDATE tickets SET team_id = NULL WHERE number = ?1",
		"UPDATE tickets SET assignee_id = CASE ?2 % 3 WHEN 0 THEN NULL "
		"ELSE (SELECT value FROM settings WHERE key = 'user_id') END "
		"WHERE number = ?1",
		"UPDATE tickets SET first_response_at = created_at + ?2 * 7919 "
		"WHERE number = ?1",
		"UPDATE tickets SET first_response_at = NULL WHERE number = ?1",
		"UPDATE tickets SET solved_at = created_at + ?2 * 104729, "
		"status = 4 WHERE number = ?1",
		"UPDATE tickets SET solved_at = NULL, status = 1 "
		"WHERE number = ?1",
		"UPDATE tickets SET first_response_due = "
		"created_at + ?2 * 3001 WHERE number = ?1",
		"UPDATE tickets SET resolution_due = CASE WHEN ?2 % 5 = 0 THEN "
		"NULL ELSE created_at + ?2 * 30011 END WHERE number = ?1",
		"UPDATE tickets SET created_at = created_at - ?2 * 600011 "
		"WHERE number = ?1",
		"DELETE FROM tickets WHERE number = ?1",
	};
	struct replica		*r;
	struct gen_opts		 go;
	struct gen_stats	 gs;
	struct ticket_change	 c;
	struct tk		 k;
	sqlite3			*db;
	char			*path, *fx_cause = NULL, *who;
	char			 id[UUID_STRLEN + 1];
	int			 round, i, n;
	const int		 tickets = 1500;
	const int64_t		 moments[] = {
		NOW, NOW + 17 * MIN + 3001, NOW - 5 * DAY + 11 * HOUR,
		NOW + 12 * HOUR + 59 * MIN, NOW + 9 * DAY
	};

	path = fx_tmpname("gen");
	FX_CHECK(replica_open(path, REPLICA_CREATE, &r, &fx_cause));
	memset(&go, 0, sizeof go);
	go.seed = 11;
	go.tickets = tickets;
	go.now = NOW;
	FX_CHECK(replica_generate(r, &go, NULL, NULL, &gs, &fx_cause));
	/* The generator's agent is me. */
	who = replica_me(r);
	ck_assert_ptr_nonnull(who);
	snprintf(me, sizeof me, "%s", who);
	free(who);
	FX_CHECK(replica_check(r, &fx_cause));
	for (i = 0; i < (int)nitems(moments); i++)
		assert_brute(r, path, moments[i]);

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 150; i++)
			raw_update(db, changes[pick(nitems(changes))],
			    1 + pick(tickets), pick(2000));
		/* Local actions, and pulled rows new and changed. */
		for (i = 0; i < 20; i++) {
			if (replica_ticket_id(r, 1 + pick(tickets), id,
			    &fx_cause) != 0) {
				free(fx_cause);
				fx_cause = NULL;
				continue;
			}
			ticket_change_init(&c);
			c.status = (int)pick(6);
			c.priority = (int)pick(4);
			c.set_assignee = 1;
			c.assignee_id = pick(2) ? me : NULL;
			FX_CHECK(replica_act_set(r, id, &c, &n, &fx_cause));
		}
		FX_CHECK(replica_begin(r, &fx_cause));
		for (i = 0; i < 30; i++) {
			memset(&k, 0, sizeof k);
			k.status = (int)pick(6);
			k.prio = (int)pick(4);
			k.assignee = pick(2) ? me : NULL;
			k.created = NOW - pick(40 * DAY);
			k.frd = pick(4) ? k.created + pick(DAY) : 0;
			k.fra = pick(2) ? k.created + pick(DAY) : 0;
			k.rd = pick(4) ? k.created + pick(4 * DAY) : 0;
			k.solved = k.status >= 4 ? k.created + pick(5 * DAY) :
			    0;
			put(r, 100000 + (int)pick(40), &k, pick(10) == 0);
		}
		FX_CHECK(replica_commit(r, &fx_cause));
		FX_CHECK(replica_check(r, &fx_cause));
		for (i = 0; i < (int)nitems(moments); i++)
			assert_brute(r, path, moments[i]);
	}
	sqlite3_close(db);
	replica_close(r);
	fx_unlink(path);
	free(path);
}
END_TEST

/*
 * A bulk load drops the sums' triggers with the indexes and fills the
 * sums at its end; a replica of version 9 gets them when migrated.
 */
START_TEST(test_bulk_load_and_migration_fill_the_sums)
{
	struct replica	*r;
	struct tk	 k;
	char		*path, *fx_cause = NULL;
	int		 i;

	path = fx_tmpname("bulk");
	FX_CHECK(replica_open(path, REPLICA_CREATE, &r, &fx_cause));
	people(r);
	FX_CHECK(replica_begin(r, &fx_cause));
	FX_CHECK(replica_bulk_begin(r, &fx_cause));
	memset(&k, 0, sizeof k);
	for (i = 1; i <= 200; i++) {
		k.status = i % 6;
		k.prio = i % 4;
		k.team = i % 3 ? team1 : NULL;
		k.assignee = i % 2 ? me : NULL;
		k.created = NOW - i * 7 * HOUR;
		k.frd = k.created + HOUR;
		k.fra = i % 5 ? k.created + i * MIN : 0;
		k.rd = k.created + DAY;
		k.solved = k.status >= 4 ? k.created + i * 11 * MIN : 0;
		put(r, i, &k, 0);
	}
	/* Committed half way, as a first sync does every 200,000 rows. */
	FX_CHECK(replica_commit(r, &fx_cause));
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name LIKE 'tickets_stats_%'"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM stats_day"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM bulk_ddl WHERE "
	    "sql LIKE '%tickets_fr_time%'"), 1);
	FX_CHECK(replica_begin(r, &fx_cause));
	k.created = NOW - HOUR;
	put(r, 201, &k, 0);
	FX_CHECK(replica_bulk_done(r, &fx_cause));
	FX_CHECK(replica_commit(r, &fx_cause));
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name LIKE 'tickets_stats_%' AND type = 'trigger'"), 4);
	assert_brute(r, path, NOW);
	/* The triggers are back: a change after the load is counted. */
	k.status = TICKET_NEW;
	k.created = NOW - 2 * HOUR;
	put(r, 202, &k, 0);
	assert_brute(r, path, NOW);
	done(r, path);

	path = fx_tmpname("v9");
	FX_CHECK(replica_create_at_version(path, 9, &fx_cause));
	raw_exec(path, "INSERT INTO tickets(id, number, subject, status, "
	    "priority, created_at, updated_at, first_response_due, "
	    "first_response_at) VALUES ('a', 1, 'Old', 1, 3, 1795258800000, "
	    "1795258800000, 1795262400000, 1795260000000), ('b', 2, 'Older', "
	    "0, 0, 1795000000000, 1795000000000, 1795003600000, NULL)");
	FX_CHECK(replica_open(path, 0, &r, &fx_cause));
	ck_assert_int_eq(replica_version(r), replica_latest_version());
	FX_CHECK(replica_setting_set(r, "user_id", me, &fx_cause));
	assert_brute(r, path, NOW);
	done(r, path);
}
END_TEST

/* triage stats: the same figures as JSON (null without data) and text. */
START_TEST(test_stats_cli_json_and_text)
{
	struct replica	*r;
	struct run	 res;
	struct tk	 k;
	json_t		*j;
	char		*path, *fx_cause = NULL;
	int64_t		 now = time_now_ms();

	/* Empty, and nobody logged in: no data anywhere. */
	path = fx_tmpname("cli");
	FX_CHECK(replica_open(path, REPLICA_CREATE, &r, &fx_cause));
	replica_close(r);
	run_triage(&res, path, "stats", "--json", NULL);
	j = run_json(&res);
	ck_assert(json_is_null(json_object_get(j, "my_queue")));
	ck_assert(json_is_null(json_object_get(json_object_get(
	    json_object_get(json_object_get(j, "sla"), "first_response"),
	    "last_7_days"), "percent")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(json_object_get(j, "sla"), "resolution"),
	    "last_30_days"), "counted")), 0);
	ck_assert(json_is_null(json_object_get(json_object_get(
	    json_object_get(j, "times"), "resolution"), "median_ms")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "new_per_day")),
	    STATS_SPARK_DAYS);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "teams")), 0);
	json_decref(j);
	run_free(&res);
	run_triage(&res, path, "stats", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "no data"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "no current user"));
	run_free(&res);
	run_triage(&res, path, "stats", "extra", NULL);
	ck_assert_int_eq(res.status, 2);	/* usage */
	run_free(&res);
	fx_unlink(path);
	free(path);

	/* Two tickets of the last hour, one answered in time. */
	r = fresh(&path);
	memset(&k, 0, sizeof k);
	k.status = TICKET_OPEN;
	k.prio = PRIORITY_URGENT;
	k.team = team1;
	k.assignee = me;
	k.created = now - HOUR;
	k.frd = k.created + 10 * MIN;
	k.fra = k.created + 5 * MIN;
	put(r, 1, &k, 0);
	k.fra = 0;
	k.frd = now + HOUR;
	k.team = NULL;
	put(r, 2, &k, 0);
	replica_close(r);
	run_triage(&res, path, "stats", "--json", NULL);
	j = run_json(&res);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    j, "open"), "total")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "open"), "by_priority"), "urgent")), 2);
	ck_assert(json_real_value(json_object_get(json_object_get(
	    json_object_get(json_object_get(j, "sla"), "first_response"),
	    "last_7_days"), "percent")) == 100.0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "times"), "first_response"), "median_ms")),
	    5 * MIN);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "my_queue"), "user_id")), me);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j,
	    "my_queue"), "assigned")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "teams"), 0), "name")), "Tier 1");
	ck_assert(json_is_null(json_object_get(json_array_get(
	    json_object_get(j, "teams"), 1), "id")));
	json_decref(j);
	run_free(&res);
	run_triage(&res, path, "stats", NULL);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out),
	    "100.0% (1 of 1)"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&res.out), "Alex Morgan"));
	run_free(&res);
	fx_unlink(path);
	free(path);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite	*s = suite_create("stats");
	TCase	*tc;

	tc = tcase_create("figures");
	tcase_add_test(tc, test_empty_replica_has_no_data);
	tcase_add_test(tc, test_open_tickets_by_status_priority_team_and_mine);
	tcase_add_test(tc, test_sla_compliance_windows_and_boundaries);
	tcase_add_test(tc, test_times_are_exact_nearest_rank);
	tcase_add_test(tc, test_times_inside_a_crowded_bucket);
	tcase_add_test(tc, test_new_tickets_per_day_for_14_days);
	tcase_add_test(tc, test_my_queue_due_soon_and_breached);
	suite_add_tcase(s, tc);

	tc = tcase_create("sums");
	tcase_add_test(tc, test_sums_follow_every_change);
	tcase_add_test(tc, test_bulk_load_and_migration_fill_the_sums);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_test(tc, test_stats_cli_json_and_text);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(stats_suite()));
}
