/* jobs.c: the server's periodic jobs: SLA escalation and auto-assignment, safe with several servers on one database. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server-int.h"

/*
 * Every effect is a row change in PostgreSQL (escalation level, assignee,
 * an audit event, a notification), so it syncs like any other. Each
 * ticket is handled in a transaction of its own: the rev trigger holds the
 * organisation's advisory lock from the first write to the commit, and a
 * long batch would hold up every console's push.
 *
 * Several servers may run the jobs at once. SLA steps are rows keyed by
 * (ticket, step): the INSERT that takes a step returns it only to the one
 * transaction that made the row, the others wait for it and see the
 * conflict. The assignment queue is taken with FOR UPDATE SKIP LOCKED and
 * a ticket is assigned only while it still has no assignee.
 */

#define JOBS_BATCH	500	/* tickets a run looks at, per job */

/* The steps of the SLA clocks, first response then resolution. */
static const struct sla_step {
	const char	*name;
	const char	*clock;		/* the steps of one clock supersede */
	int		 rank;
	const char	*kind;		/* the notification's */
} sla_steps[] = {
	{ "fr50", "fr", 1, "sla_reminder" },
	{ "fr75", "fr", 2, "sla_warning" },
	{ "fr_breach", "fr", 3, "sla_breach" },
	{ "res50", "res", 1, "sla_reminder" },
	{ "res75", "res", 2, "sla_warning" },
	{ "res_breach", "res", 3, "sla_breach" },
	{ "level2", "esc", 4, "sla_level2" },
};

/*
 * The tickets with a step due that was not taken: running clocks (new or
 * open; pending and on hold stand still) past half of the smaller target
 * in wall-clock time (business time never runs faster). The remaining
 * business minutes against the policy's target say how far a clock is.
 */
static const char *sla_candidates_sql =
    "SELECT * FROM (SELECT t.id, t.org_id, t.assignee_id, tm.lead_id, "
    "t.escalation, t.created_at, "
    "array_to_string(ARRAY(SELECT s FROM unnest(ARRAY["
    "CASE WHEN fr AND fr_left <= p.first_response_mins * 0.5 THEN 'fr50' END, "
    "CASE WHEN fr AND fr_left <= p.first_response_mins * 0.25 THEN 'fr75' END, "
    "CASE WHEN fr AND now() >= t.first_response_due THEN 'fr_breach' END, "
    "CASE WHEN res AND res_left <= p.resolution_mins * 0.5 THEN 'res50' END, "
    "CASE WHEN res AND res_left <= p.resolution_mins * 0.25 THEN 'res75' END, "
    "CASE WHEN res AND now() >= t.resolution_due THEN 'res_breach' END, "
    "CASE WHEN now() >= least(CASE WHEN fr THEN t.first_response_due END, "
    "CASE WHEN res THEN t.resolution_due END) + interval '24 hours' "
    "THEN 'level2' END]) s WHERE s IS NOT NULL EXCEPT SELECT step FROM "
    "sla_steps WHERE ticket_id = t.id), ' ') AS steps "
    "FROM tickets t "
    "JOIN sla_policies p ON p.org_id = t.org_id AND p.priority = t.priority "
    "AND NOT p.deleted "
    "JOIN orgs o ON o.id = t.org_id "
    "LEFT JOIN teams tm ON tm.id = t.team_id "
    "CROSS JOIN LATERAL (SELECT t.first_response_at IS NULL AND "
    "t.first_response_due IS NOT NULL AS fr, t.solved_at IS NULL AND "
    "t.resolution_due IS NOT NULL AS res, triage_policy_hours(p, o) AS h) r "
    "CROSS JOIN LATERAL (SELECT CASE WHEN r.fr THEN triage_bh_mins(now(), "
    "t.first_response_due, r.h, o.time_zone) END AS fr_left, CASE WHEN r.res "
    "THEN triage_bh_mins(now(), t.resolution_due, r.h, o.time_zone) END AS "
    "res_left) l "
    "WHERE t.status IN ('new', 'open') AND NOT t.deleted AND t.merged_into "
    "IS NULL AND (r.fr OR r.res) AND t.created_at <= now() - "
    "least(p.first_response_mins, p.resolution_mins) * interval '30 seconds'"
    ") x WHERE steps <> '' ORDER BY created_at LIMIT $1";

struct sla_ticket {
	const char	*id, *org, *assignee, *lead;
	int		 escalation;
};

static int
job_event(PGconn *c, const struct sla_ticket *t, const char *field,
    const char *from, const char *to, char **cause)
{
	char		 id[UUID_STRLEN + 1];
	const char	*p[6];

	uuid_v7(id);
	p[0] = id;
	p[1] = t->org;
	p[2] = t->id;
	p[3] = field;
	p[4] = from;
	p[5] = to;
	return (pg_exec(c, "INSERT INTO events(id, org_id, ticket_id, "
	    "actor_id, field, old_value, new_value) VALUES ($1, $2, $3, NULL, "
	    "$4, $5, $6)", 6, p, NULL, cause));
}

/* Tell one user, or with who NULL the organisation's admins. */
static int
job_notify(PGconn *c, const struct sla_ticket *t, const char *who,
    const char *kind, const char *detail, char **cause)
{
	const char	*p[5];

	p[0] = t->org;
	p[1] = kind;
	p[2] = t->id;
	p[3] = detail;
	p[4] = who;
	return (pg_exec(c, who != NULL ? "SELECT triage_notify($1, $5, $2, "
	    "$3, NULL, $4)" : "SELECT triage_notify($1, u.id, $2, $3, NULL, $4) "
	    "FROM users u WHERE u.org_id = $1 AND u.role = 'admin' AND "
	    "u.active AND NOT u.deleted", who != NULL ? 5 : 4, p, NULL,
	    cause));
}

/* Escalate to level (1 overdue, 2 a day past) once. */
static int
job_escalate(PGconn *c, struct sla_ticket *t, int level, char **cause)
{
	char		 from[16], to[16];
	const char	*p[2];

	if (t->escalation >= level)
		return (0);
	snprintf(from, sizeof from, "%d", t->escalation);
	snprintf(to, sizeof to, "%d", level);
	p[0] = t->id;
	p[1] = to;
	if (pg_exec(c, "UPDATE tickets SET escalation = greatest(escalation, "
	    "$2::int), tags = CASE WHEN tags ? 'overdue' THEN tags ELSE tags || "
	    "'[\"overdue\"]' END WHERE id = $1", 2, p, NULL, cause) != 0 ||
	    job_event(c, t, "escalation", from, to, cause) != 0)
		return (-1);
	t->escalation = level;
	return (0);
}

/*
 * Take the steps due on one ticket, in one transaction. Of the steps of
 * one clock taken together only the furthest is told (a server that was
 * down does not send a 50% reminder for a breached ticket); the others are
 * recorded as taken. 1 if something was done, 0 if not, -1 on error.
 */
static int
sla_ticket_steps(PGconn *c, struct sla_ticket *t, const char *steps,
    char **cause)
{
	PGresult		*res;
	const struct sla_step	*s, *top[3] = { NULL, NULL, NULL };
	const char		*p[2];
	size_t			 i, k;
	int			 n, rc = -1;

	p[0] = t->id;
	p[1] = steps;
	if (pg_exec(c, "BEGIN", 0, NULL, NULL, cause) != 0)
		return (-1);
	/* Still running, and no other server at it this moment. */
	if ((res = pg_query(c, "SELECT 1 FROM tickets WHERE id = $1 AND "
	    "status IN ('new', 'open') FOR UPDATE SKIP LOCKED", 1, p, NULL,
	    cause)) == NULL)
		goto fail;
	n = PQntuples(res);
	PQclear(res);
	if (n == 0) {
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		return (0);
	}
	if ((res = pg_query(c, "INSERT INTO sla_steps(ticket_id, step) "
	    "SELECT $1, unnest(string_to_array($2, ' ')) ON CONFLICT DO "
	    "NOTHING RETURNING step", 2, p, NULL, cause)) == NULL)
		goto fail;
	for (i = 0; i < (size_t)PQntuples(res); i++)
		for (k = 0; k < nitems(sla_steps); k++) {
			s = &sla_steps[k];
			if (strcmp(s->name, PQgetvalue(res, (int)i, 0)) != 0)
				continue;
			n = strcmp(s->clock, "fr") == 0 ? 0 :
			    strcmp(s->clock, "res") == 0 ? 1 : 2;
			if (top[n] == NULL || top[n]->rank < s->rank)
				top[n] = s;
		}
	PQclear(res);
	for (n = 0; n < 3; n++) {
		if ((s = top[n]) == NULL)
			continue;
		if (job_event(c, t, "sla", NULL, s->name, cause) != 0)
			goto fail;
		switch (s->rank) {
		case 1:		/* half the time gone: the assignee */
			if (job_notify(c, t, t->assignee, s->kind, s->name,
			    cause) != 0)
				goto fail;
			break;
		case 2:		/* three quarters: the team lead */
			if (job_notify(c, t, t->lead, s->kind, s->name,
			    cause) != 0)
				goto fail;
			break;
		default:	/* breached, a day past: overdue, managers */
			if (job_escalate(c, t, s->rank == 4 ? 2 : 1,
			    cause) != 0 || job_notify(c, t, NULL, s->kind,
			    s->name, cause) != 0 || (t->assignee != NULL &&
			    job_notify(c, t, t->assignee, s->kind, s->name,
			    cause) != 0))
				goto fail;
			break;
		}
	}
	if (pg_exec(c, "COMMIT", 0, NULL, NULL, cause) != 0)
		goto fail;
	return (top[0] != NULL || top[1] != NULL || top[2] != NULL);
fail:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	return (rc);
}

/* One pass of the escalation job; *done: the tickets that took a step. */
int
jobs_sla(PGconn *c, int *done, char **cause)
{
	PGresult		*res;
	struct sla_ticket	 t;
	char			 lim[16];
	const char		*p[1];
	int			 i, rc;

	*done = 0;
	snprintf(lim, sizeof lim, "%d", JOBS_BATCH);
	p[0] = lim;
	if ((res = pg_query(c, sla_candidates_sql, 1, p, NULL, cause)) == NULL)
		return (-1);
	for (i = 0; i < PQntuples(res); i++) {
		t.id = PQgetvalue(res, i, 0);
		t.org = PQgetvalue(res, i, 1);
		t.assignee = PQgetisnull(res, i, 2) ? NULL :
		    PQgetvalue(res, i, 2);
		t.lead = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3);
		t.escalation = atoi(PQgetvalue(res, i, 4));
		if ((rc = sla_ticket_steps(c, &t, PQgetvalue(res, i, 6),
		    cause)) < 0) {
			PQclear(res);
			return (-1);
		}
		*done += rc;
	}
	PQclear(res);
	return (0);
}

/*
 * Who a ticket goes to by the first rule that matches: a user (available,
 * else their team's lead), or a team's available agent with the least
 * weighted open work (open tickets x priority weight 1..4), else the
 * team's lead. Returns the user and the rule's team (either may be NULL)
 * or nothing when no rule matches.
 */
static const char *assign_target_sql =
    "WITH rule AS (SELECT r.team_id, r.user_id FROM assignment_rules r, "
    "tickets t WHERE t.id = $1 AND r.org_id = t.org_id AND (r.category IS "
    "NULL OR r.category = t.category) AND (r.channel IS NULL OR r.channel "
    "= t.channel) AND (r.priority IS NULL OR r.priority = t.priority) AND "
    "(r.tag IS NULL OR t.tags ? r.tag) ORDER BY r.position LIMIT 1), "
    "agent AS (SELECT u.id FROM rule, users u LEFT JOIN LATERAL (SELECT "
    "coalesce(sum(CASE x.priority WHEN 'low' THEN 1 WHEN 'normal' THEN 2 "
    "WHEN 'high' THEN 3 ELSE 4 END), 0) AS load, count(*) AS n FROM "
    "tickets x WHERE x.assignee_id = u.id AND x.status IN ('new', 'open', "
    "'pending', 'on_hold') AND NOT x.deleted) w ON true WHERE "
    "rule.user_id IS NULL AND u.team_id = rule.team_id AND u.active AND "
    "u.available AND NOT u.deleted AND u.role IN ('agent', 'admin') "
    "ORDER BY w.load, w.n, u.name, u.id LIMIT 1) "
    "SELECT coalesce("
    "(SELECT u.id FROM rule, users u WHERE u.id = rule.user_id AND u.active "
    "AND u.available AND NOT u.deleted), "
    "(SELECT tm.lead_id FROM rule, users u, teams tm WHERE u.id = "
    "rule.user_id AND tm.id = u.team_id), "
    "(SELECT id FROM agent), "
    "(SELECT tm.lead_id FROM rule, teams tm, users l WHERE rule.user_id IS "
    "NULL AND tm.id = rule.team_id AND l.id = tm.lead_id AND l.active AND "
    "NOT l.deleted)), (SELECT team_id FROM rule) FROM rule";

/* Assign the next queued ticket; 1 done, 0 queue empty, -1 error. */
static int
assign_one(PGconn *c, int *assigned, char **cause)
{
	PGresult	*res;
	struct sla_ticket t;
	char		*id = NULL, *org = NULL, *user = NULL, *team = NULL;
	char		*old_team = NULL;
	const char	*p[3];
	int		 rc = -1;

	if (pg_exec(c, "BEGIN", 0, NULL, NULL, cause) != 0)
		return (-1);
	if ((res = pg_query(c, "DELETE FROM assign_queue WHERE ticket_id = "
	    "(SELECT ticket_id FROM assign_queue ORDER BY queued_at FOR UPDATE "
	    "SKIP LOCKED LIMIT 1) RETURNING ticket_id", 0, NULL, NULL,
	    cause)) == NULL)
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		return (0);
	}
	id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	p[0] = id;
	/* Still unassigned and open; locked against a console's change. */
	if ((res = pg_query(c, "SELECT org_id, team_id FROM tickets WHERE id = "
	    "$1 AND assignee_id IS NULL AND status IN ('new', 'open') AND NOT "
	    "deleted FOR UPDATE", 1, p, NULL, cause)) == NULL)
		goto fail;
	if (PQntuples(res) == 1) {
		org = xstrdup(PQgetvalue(res, 0, 0));
		if (!PQgetisnull(res, 0, 1))
			old_team = xstrdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	if (org != NULL) {
		if ((res = pg_query(c, assign_target_sql, 1, p, NULL,
		    cause)) == NULL)
			goto fail;
		if (PQntuples(res) == 1) {
			if (!PQgetisnull(res, 0, 0))
				user = xstrdup(PQgetvalue(res, 0, 0));
			if (!PQgetisnull(res, 0, 1))
				team = xstrdup(PQgetvalue(res, 0, 1));
		}
		PQclear(res);
	}
	memset(&t, 0, sizeof t);
	t.id = id;
	t.org = org;
	if (user != NULL) {
		p[1] = user;
		p[2] = old_team == NULL ? team : old_team;
		if (pg_exec(c, "UPDATE tickets SET assignee_id = $2, team_id = "
		    "$3 WHERE id = $1", 3, p, NULL, cause) != 0 ||
		    job_event(c, &t, "assignee", NULL, user, cause) != 0)
			goto fail;
		(*assigned)++;
	}
	if (team != NULL && old_team == NULL) {
		p[1] = team;
		if ((user == NULL && pg_exec(c, "UPDATE tickets SET team_id = "
		    "$2 WHERE id = $1", 2, p, NULL, cause) != 0) ||
		    job_event(c, &t, "team", NULL, team, cause) != 0)
			goto fail;
	}
	if (pg_exec(c, "COMMIT", 0, NULL, NULL, cause) != 0)
		goto fail;
	rc = 1;
	goto out;
fail:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
out:
	free(id);
	free(org);
	free(user);
	free(team);
	free(old_team);
	return (rc);
}

/* One pass of the assignment job; *assigned: tickets given an agent. */
int
jobs_assign(PGconn *c, int *assigned, char **cause)
{
	int	 i, rc;

	*assigned = 0;
	for (i = 0; i < JOBS_BATCH; i++)
		if ((rc = assign_one(c, assigned, cause)) <= 0)
			return (rc);
	return (0);
}

/* Every job once. */
int
jobs_run(PGconn *c, const struct mailer *m, struct jobs_report *rep,
    char **cause)
{
	memset(rep, 0, sizeof *rep);
	/* The jobs act for no user: the notifications name no actor. */
	if (pg_exec(c, "SELECT set_config('triage.actor', '', false)", 0,
	    NULL, NULL, cause) != 0)
		return (-1);
	if (jobs_assign(c, &rep->assigned, cause) != 0 ||
	    jobs_sla(c, &rep->escalated, cause) != 0 ||
	    (m != NULL && jobs_mail(c, m, rep, cause) != 0))
		return (-1);
	return (0);
}

/* The jobs' thread in triage serve: a pass every interval seconds. */
struct jobs {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	const char	*conninfo;
	const struct mailer *mailer;	/* NULL: no mail from this server */
	int		 interval;
	int		 stop;		/* under lock */
};

static void *
jobs_main(void *arg)
{
	struct jobs		*j = arg;
	struct jobs_report	 rep;
	struct timespec		 ts;
	PGconn			*c = NULL;
	char			*cause = NULL;

	thread_background();
	pthread_mutex_lock(&j->lock);
	while (!j->stop) {
		pthread_mutex_unlock(&j->lock);
		if (c == NULL && (c = pg_connect(j->conninfo, &cause)) == NULL) {
			log_warnx("jobs: %s", cause);
			free(cause);
			cause = NULL;
		} else if (jobs_run(c, j->mailer, &rep, &cause) != 0) {
			log_warnx("jobs: %s", cause);
			free(cause);
			cause = NULL;
			if (PQstatus(c) != CONNECTION_OK) {
				PQfinish(c);
				c = NULL;
			}
		} else if (rep.assigned > 0 || rep.escalated > 0 ||
		    rep.sent > 0 || rep.failed > 0 || rep.retried > 0)
			log_info("jobs: %d assigned, %d took SLA steps; mail: "
			    "%d sent, %d failed, %d to retry", rep.assigned,
			    rep.escalated, rep.sent, rep.failed, rep.retried);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += j->interval;
		pthread_mutex_lock(&j->lock);
		while (!j->stop && pthread_cond_timedwait(&j->cond, &j->lock,
		    &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&j->lock);
	PQfinish(c);
	return (NULL);
}

int
jobs_start(struct server *srv, int interval, const struct mailer *m,
    char **cause)
{
	struct jobs	*j;
	int		 error;

	if (interval <= 0)
		return (0);
	j = xcalloc(1, sizeof *j);
	j->conninfo = srv->conninfo;
	j->mailer = m;
	j->interval = interval;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	if ((error = pthread_create(&j->thread, NULL, jobs_main, j)) != 0) {
		*cause = xprintf("pthread_create: %s", strerror(error));
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->cond);
		free(j);
		return (-1);
	}
	srv->jobs = j;
	return (0);
}

void
jobs_stop(struct server *srv)
{
	struct jobs	*j = srv->jobs;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = 1;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
	srv->jobs = NULL;
}
