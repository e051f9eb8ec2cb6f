/* admin-ops.c: triage admin for operations: business hours, SLA policies, assignment rules, team leads, the jobs. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

static const char *const ops_days[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static int
ops_day(const char *s, size_t len)
{
	int	 i;

	for (i = 0; i < 7; i++)
		if (len == 3 && strncasecmp(s, ops_days[i], 3) == 0)
			return (i);
	return (-1);
}

/* "09:00" into minutes of the day; -1 if it is not a time (24:00 is). */
static int
ops_minutes(const char *s, size_t len)
{
	int	 h, m;

	if (len != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return (-1);
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return (-1);
	return (h * 60 + m);
}

/*
 * Weekly hours as people write them, "mon-fri 09:00-17:00, sat
 * 10:00-14:00", into schema 3's JSON: [[dow, from, to], ...]. Days may
 * wrap (fri-mon). NULL with *cause if it does not parse.
 */
char *
ops_parse_hours(const char *spec, char **cause)
{
	struct buf	 b = BUF_INIT;
	const char	*p = spec, *end, *dash, *sp;
	int		 d0, d1, m0, m1, d, any = 0;

	buf_putc(&b, '[');
	while (*p != '\0') {
		p += strspn(p, " ,;");
		if (*p == '\0')
			break;
		end = p + strcspn(p, ",;");
		if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
			goto bad;
		dash = memchr(p, '-', (size_t)(sp - p));
		d0 = ops_day(p, (size_t)((dash != NULL ? dash : sp) - p));
		d1 = dash != NULL ? ops_day(dash + 1, (size_t)(sp - dash - 1)) :
		    d0;
		while (*sp == ' ')
			sp++;
		dash = memchr(sp, '-', (size_t)(end - sp));
		if (d0 < 0 || d1 < 0 || dash == NULL)
			goto bad;
		m0 = ops_minutes(sp, (size_t)(dash - sp));
		while (end > dash && end[-1] == ' ')
			end--;
		m1 = ops_minutes(dash + 1, (size_t)(end - dash - 1));
		if (m0 < 0 || m1 <= m0)
			goto bad;
		for (d = d0;; d = (d + 1) % 7) {
			buf_printf(&b, "%s[%d,%d,%d]", any++ ? "," : "", d, m0,
			    m1);
			if (d == d1)
				break;
		}
		p += strcspn(p, ",;");
	}
	if (!any)
		goto bad;
	buf_putc(&b, ']');
	return (buf_detach(&b));
bad:
	buf_free(&b);
	*cause = xprintf(_("business hours \"%s\": expected days and hours "
	    "like \"mon-fri 09:00-17:00, sat 10:00-14:00\""), spec);
	return (NULL);
}

/* The organisation named by --org, or an exit status with a message. */
static int
ops_org(PGconn *c, const char *org, char id[UUID_STRLEN + 1])
{
	char	*cause = NULL;
	int	 rc;

	if (org == NULL)
		return (admin_error(2, "%s", _("which organisation? "
		    "give --org NAME")));
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	if ((rc = pg_org_id(c, org, id, &cause)) == 1)
		return (0);
	if (rc == 0)
		return (admin_error(1, _("no organisation named \"%s\""), org));
	rc = admin_error(1, "%s", cause);
	free(cause);
	return (rc);
}

static int
ops_fail(char *cause)
{
	int	 rc;

	rc = admin_error(1, "%s", cause);
	free(cause);
	return (rc);
}

/* triage admin set-hours --org NAME [--tz ZONE] SPEC|always */
int
admin_set_hours(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "tz", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	PGresult	*res;
	const char	*org = NULL, *tz = NULL, *p[3];
	char		 id[UUID_STRLEN + 1], *hours = NULL, *cause = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': org = optarg; break;
		case 'z': tz = optarg; break;
		default:
			return (admin_error(2, "%s", _("usage: triage admin "
			    "set-hours --org NAME [--tz ZONE] SPEC|always")));
		}
	}
	if (optind + 1 != argc)
		return (admin_error(2, "%s", _("usage: triage admin set-hours "
		    "--org NAME [--tz ZONE] SPEC|always")));
	if (strcmp(argv[optind], "always") != 0 &&
	    (hours = ops_parse_hours(argv[optind], &cause)) == NULL) {
		rc = admin_error(2, "%s", cause);
		free(cause);
		return (rc);
	}
	if ((rc = ops_org(c, org, id)) != 0) {
		free(hours);
		return (rc);
	}
	p[0] = id;
	p[1] = hours;
	p[2] = tz;
	/* PostgreSQL knows the zones: an unknown one fails the cast. */
	if (tz != NULL && (res = pg_query(c, "SELECT now() AT TIME ZONE $1",
	    1, p + 2, NULL, &cause)) == NULL) {
		free(hours);
		free(cause);
		return (admin_error(2, _("unknown time zone \"%s\" (for "
		    "example Europe/Berlin or UTC)"), tz));
	} else if (tz != NULL)
		PQclear(res);
	rc = pg_exec(c, "UPDATE orgs SET business_hours = $2, time_zone = "
	    "coalesce($3, time_zone) WHERE id = $1", 3, p, NULL, &cause);
	free(hours);
	if (rc != 0)
		return (ops_fail(cause));
	printf(_("%s: business hours %s\n"), org, argv[optind]);
	return (0);
}

/* triage admin sla --org NAME --priority P [--first-response M]
 *     [--resolution M] [--business-hours yes|no] */
int
admin_sla(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "priority", required_argument, NULL, 'p' },
		{ "first-response", required_argument, NULL, 'f' },
		{ "resolution", required_argument, NULL, 'r' },
		{ "business-hours", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	static const char usage[] = N_("usage: triage admin sla --org NAME "
	    "--priority P [--first-response MINUTES] [--resolution MINUTES] "
	    "[--business-hours yes|no]");
	PGresult	*res;
	const char	*org = NULL, *prio = NULL, *fr = NULL, *rs = NULL;
	const char	*bh = NULL, *p[5];
	char		 id[UUID_STRLEN + 1], *cause = NULL, *end;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': org = optarg; break;
		case 'p': prio = optarg; break;
		case 'f': fr = optarg; break;
		case 'r': rs = optarg; break;
		case 'b': bh = optarg; break;
		default:
			return (admin_error(2, "%s", _(usage)));
		}
	}
	if (optind != argc || prio == NULL ||
	    ticket_priority_parse(prio) < 0)
		return (admin_error(2, "%s", _(usage)));
	if ((fr != NULL && (strtol(fr, &end, 10) < 1 || *end != '\0')) ||
	    (rs != NULL && (strtol(rs, &end, 10) < 1 || *end != '\0')))
		return (admin_error(2, "%s", _("the targets are whole minutes, "
		    "at least 1")));
	if (bh != NULL && strcmp(bh, "yes") != 0 && strcmp(bh, "no") != 0)
		return (admin_error(2, "%s", _(usage)));
	if ((rc = ops_org(c, org, id)) != 0)
		return (rc);
	p[0] = id;
	p[1] = ticket_priority_name(ticket_priority_parse(prio));
	p[2] = fr;
	p[3] = rs;
	p[4] = bh == NULL ? NULL : pg_bool(strcmp(bh, "yes") == 0);
	if ((res = pg_query(c, "UPDATE sla_policies SET first_response_mins "
	    "= coalesce($3::int, first_response_mins), resolution_mins = "
	    "coalesce($4::int, resolution_mins), business_hours = coalesce("
	    "$5::boolean, business_hours) WHERE org_id = $1 AND priority = $2 "
	    "RETURNING first_response_mins, resolution_mins, business_hours",
	    5, p, NULL, &cause)) == NULL)
		return (ops_fail(cause));
	if (PQntuples(res) == 1)
		printf(_("%s %s: first response %s min, resolution %s min%s\n"),
		    org, p[1], PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
		    *PQgetvalue(res, 0, 2) == 't' ? _(", in business hours") :
		    "");
	rc = PQntuples(res) == 1 ? 0 : admin_error(1, _("%s has no %s "
	    "policy"), org, p[1]);
	PQclear(res);
	return (rc);
}

/* triage admin rule add|ls|rm --org NAME ... */
int
admin_rule(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "category", required_argument, NULL, 'c' },
		{ "channel", required_argument, NULL, 'C' },
		{ "priority", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 'g' },
		{ "team", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	static const char usage[] = N_("usage: triage admin rule add --org "
	    "NAME [--category C] [--channel C] [--priority P] [--tag T]\n"
	    "                           (--team NAME | --user EMAIL)\n"
	    "       triage admin rule ls --org NAME\n"
	    "       triage admin rule rm --org NAME POSITION");
	PGresult	*res;
	const char	*org = NULL, *cat = NULL, *chan = NULL, *prio = NULL;
	const char	*tag = NULL, *team = NULL, *user = NULL, *verb, *p[8];
	char		 id[UUID_STRLEN + 1], rid[UUID_STRLEN + 1];
	char		*cause = NULL;
	int		 ch, rc, i;

	if (argc < 2)
		return (admin_error(2, "%s", _(usage)));
	verb = argv[1];
	optind = 1;
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': org = optarg; break;
		case 'c': cat = optarg; break;
		case 'C': chan = optarg; break;
		case 'p': prio = optarg; break;
		case 'g': tag = optarg; break;
		case 't': team = optarg; break;
		case 'u': user = optarg; break;
		default:
			return (admin_error(2, "%s", _(usage)));
		}
	}
	optind++;	/* past the verb, in argv's terms */
	if (strcmp(verb, "add") == 0) {
		if (optind != argc || (team == NULL) == (user == NULL) ||
		    (prio != NULL && ticket_priority_parse(prio) < 0))
			return (admin_error(2, "%s", _(usage)));
		if ((rc = ops_org(c, org, id)) != 0)
			return (rc);
		uuid_v7(rid);
		p[0] = rid;
		p[1] = id;
		p[2] = cat;
		p[3] = chan;
		p[4] = prio != NULL ?
		    ticket_priority_name(ticket_priority_parse(prio)) : NULL;
		p[5] = tag;
		p[6] = team;
		p[7] = user;
		if ((res = pg_query(c, "INSERT INTO assignment_rules(id, org_id, "
		    "position, category, channel, priority, tag, team_id, "
		    "user_id) SELECT $1, $2, coalesce((SELECT max(position) FROM "
		    "assignment_rules WHERE org_id = $2), 0) + 1, $3, $4, $5, $6, "
		    "(SELECT id FROM teams WHERE org_id = $2 AND name = $7 AND NOT "
		    "deleted), (SELECT id FROM users WHERE org_id = $2 AND "
		    "lower(email) = lower($8) AND NOT deleted) WHERE ($7::text IS "
		    "NULL OR EXISTS (SELECT 1 FROM teams WHERE org_id = $2 AND "
		    "name = $7 AND NOT deleted)) AND ($8::text IS NULL OR EXISTS "
		    "(SELECT 1 FROM users WHERE org_id = $2 AND lower(email) = "
		    "lower($8) AND NOT deleted)) RETURNING position", 8, p, NULL,
		    &cause)) == NULL)
			return (ops_fail(cause));
		if (PQntuples(res) == 0)
			rc = admin_error(1, team != NULL ? _("no team named "
			    "\"%s\"") : _("no user with email %s"),
			    team != NULL ? team : user);
		else {
			printf(_("rule %s added\n"), PQgetvalue(res, 0, 0));
			rc = 0;
		}
		PQclear(res);
		return (rc);
	}
	if (strcmp(verb, "ls") == 0) {
		if (optind != argc)
			return (admin_error(2, "%s", _(usage)));
		if ((rc = ops_org(c, org, id)) != 0)
			return (rc);
		p[0] = id;
		if ((res = pg_query(c, "SELECT r.position, coalesce(r.category, "
		    "'*'), coalesce(r.channel, '*'), coalesce(r.priority, '*'), "
		    "coalesce(r.tag, '*'), coalesce('team ' || tm.name, 'user ' "
		    "|| u.email) FROM assignment_rules r LEFT JOIN teams tm ON "
		    "tm.id = r.team_id LEFT JOIN users u ON u.id = r.user_id "
		    "WHERE r.org_id = $1 ORDER BY r.position", 1, p, NULL,
		    &cause)) == NULL)
			return (ops_fail(cause));
		for (i = 0; i < PQntuples(res); i++)
			printf(_("%s  category %s  channel %s  priority %s  tag "
			    "%s  -> %s\n"), PQgetvalue(res, i, 0),
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			    PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
			    PQgetvalue(res, i, 5));
		PQclear(res);
		return (0);
	}
	if (strcmp(verb, "rm") == 0) {
		if (optind + 1 != argc)
			return (admin_error(2, "%s", _(usage)));
		if ((rc = ops_org(c, org, id)) != 0)
			return (rc);
		p[0] = id;
		p[1] = argv[optind];
		if ((res = pg_query(c, "DELETE FROM assignment_rules WHERE "
		    "org_id = $1 AND position::text = $2 RETURNING 1", 2, p,
		    NULL, &cause)) == NULL)
			return (ops_fail(cause));
		rc = PQntuples(res) == 1 ? 0 : admin_error(1, _("no rule %s"),
		    argv[optind]);
		PQclear(res);
		if (rc == 0)
			printf(_("rule %s removed\n"), argv[optind]);
		return (rc);
	}
	return (admin_error(2, "%s", _(usage)));
}

/* triage admin set-lead --team NAME --org NAME --email E */
int
admin_set_lead(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "team", required_argument, NULL, 't' },
		{ "email", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	PGresult	*res;
	const char	*org = NULL, *team = NULL, *email = NULL, *p[3];
	char		 id[UUID_STRLEN + 1], *cause = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': org = optarg; break;
		case 't': team = optarg; break;
		case 'e': email = optarg; break;
		default:
			return (admin_error(2, "%s", _("usage: triage admin "
			    "set-lead --org NAME --team NAME --email E")));
		}
	}
	if (optind != argc || team == NULL || email == NULL)
		return (admin_error(2, "%s", _("usage: triage admin set-lead "
		    "--org NAME --team NAME --email E")));
	if ((rc = ops_org(c, org, id)) != 0)
		return (rc);
	p[0] = id;
	p[1] = team;
	p[2] = email;
	if ((res = pg_query(c, "UPDATE teams SET lead_id = (SELECT id FROM "
	    "users WHERE org_id = $1 AND lower(email) = lower($3) AND NOT "
	    "deleted) WHERE org_id = $1 AND name = $2 AND EXISTS (SELECT 1 FROM "
	    "users WHERE org_id = $1 AND lower(email) = lower($3) AND NOT "
	    "deleted) RETURNING 1", 3, p, NULL, &cause)) == NULL)
		return (ops_fail(cause));
	rc = PQntuples(res) == 1 ? 0 : admin_error(1, _("no team \"%s\" or no "
	    "user %s in %s"), team, email, org);
	PQclear(res);
	if (rc == 0)
		printf(_("%s leads %s\n"), email, team);
	return (rc);
}

/* triage admin run-jobs: the jobs once, for cron or a test. */
int
admin_run_jobs(PGconn *c, int argc, char **argv)
{
	struct jobs_report	 rep;
	char			*cause = NULL;
	int			 rc;

	(void)argv;
	if (argc != 1)
		return (admin_error(2, "%s", _("usage: triage admin run-jobs")));
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	if (jobs_run(c, NULL, &rep, &cause) != 0)
		return (ops_fail(cause));
	printf(_("%d assigned, %d took SLA steps\n"), rep.assigned,
	    rep.escalated);
	return (0);
}
