/* admin.c: triage admin: migrate, organisations, users, tokens, seed, import. */
#include "config.h"

#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

struct admin_cmd {
	const char	*name;
	int		(*run)(PGconn *, int, char **);
	const char	*synopsis;
};

static int	 admin_migrate(PGconn *, int, char **);
static int	 admin_create_org(PGconn *, int, char **);
static int	 admin_create_user(PGconn *, int, char **);
static int	 admin_revoke(PGconn *, int, char **);

static const struct admin_cmd admin_cmds[] = {
	{ "migrate", admin_migrate, "" },
	{ "create-org", admin_create_org, N_("NAME") },
	{ "create-user", admin_create_user, N_("--org NAME --email E --name N "
	  "--role admin|agent|viewer [--team T] --password-file F") },
	{ "revoke", admin_revoke, N_("--email E") },
	{ "seed", admin_seed, N_("--org NAME --tickets N [--seed S]") },
	{ "import", admin_import, N_("--org NAME FILE") },
	{ "set-hours", admin_set_hours, N_("--org NAME [--tz ZONE] "
	  "\"mon-fri 09:00-17:00, ...\"|always") },
	{ "sla", admin_sla, N_("--org NAME --priority P [--first-response M] "
	  "[--resolution M] [--business-hours yes|no]") },
	{ "rule", admin_rule, N_("add|ls|rm --org NAME ... (auto-assignment)") },
	{ "set-lead", admin_set_lead, N_("--org NAME --team NAME --email E") },
	{ "run-jobs", admin_run_jobs, N_("(SLA escalation and assignment, "
	  "once)") },
	{ NULL, NULL, NULL }
};

/* Print an error in the usual form and give the exit status. */
int
admin_error(int status, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "triage admin: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (status);
}

static void
admin_usage(FILE *f)
{
	const struct admin_cmd	*c;

	fprintf(f, "%s\n", _("usage: triage admin [--db CONNINFO] COMMAND "
	    "[ARGS]\n\nCONNINFO is a libpq connection string or URI "
	    "(default $TRIAGE_DB).\ncommands:"));
	for (c = admin_cmds; c->name != NULL; c++)
		fprintf(f, "  %s %s\n", c->name, TR(c->synopsis));
	fprintf(f, "%s\n", _("\nexit status: 0 success, 1 failure, 2 usage"));
}

static int
admin_migrate(PGconn *c, int argc, char **argv)
{
	char	*cause = NULL;
	int	 from, to, rc;

	(void)argv;
	if (argc != 1)
		return (admin_error(2, "%s", _("usage: triage admin migrate")));
	if (pg_migrate(c, &from, &to, &cause) != 0) {
		rc = admin_error(1, "%s", cause);
		free(cause);
		return (rc);
	}
	if (from == to)
		printf(_("schema %d: up to date\n"), to);
	else
		printf(_("schema %d -> %d\n"), from, to);
	return (0);
}

/* Refuse to work on a database that is not migrated to this binary's. */
int
admin_check_schema(PGconn *c)
{
	char	*cause = NULL;
	int	 v, rc;

	if (pg_schema_version(c, &v, &cause) != 0) {
		rc = admin_error(1, "%s", cause);
		free(cause);
		return (rc);
	}
	if (v != SERVER_SCHEMA)
		return (admin_error(1, _("the database has schema %d, this "
		    "triage needs %d: run triage admin migrate"), v,
		    SERVER_SCHEMA));
	return (0);
}

/* The default SLA policies of a new organisation, in minutes. */
static const struct {
	const char	*priority;
	const char	*first, *resolution;
} admin_sla_defaults[] = {
	{ "urgent", "60", "240" },
	{ "high", "240", "1440" },
	{ "normal", "480", "2880" },
	{ "low", "1440", "7200" },
};

static int
admin_create_org(PGconn *c, int argc, char **argv)
{
	char		 id[UUID_STRLEN + 1], sid[UUID_STRLEN + 1];
	char		*cause = NULL;
	const char	*p[5];
	size_t		 i;
	int		 rc;

	if (argc != 2 || *argv[1] == '\0')
		return (admin_error(2, "%s",
		    _("usage: triage admin create-org NAME")));
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	uuid_v7(id);
	p[0] = id;
	p[1] = argv[1];
	if (pg_exec(c, "BEGIN", 0, NULL, NULL, &cause) != 0 ||
	    pg_exec(c, "INSERT INTO orgs(id, name) VALUES ($1, $2)", 2, p,
	    NULL, &cause) != 0 ||
	    pg_exec(c, "INSERT INTO org_counters(org_id) VALUES ($1)", 1, p,
	    NULL, &cause) != 0)
		goto fail;
	for (i = 0; i < nitems(admin_sla_defaults); i++) {
		uuid_v7(sid);
		p[0] = sid;
		p[1] = id;
		p[2] = admin_sla_defaults[i].priority;
		p[3] = admin_sla_defaults[i].first;
		p[4] = admin_sla_defaults[i].resolution;
		if (pg_exec(c, "INSERT INTO sla_policies(id, org_id, priority, "
		    "first_response_mins, resolution_mins) VALUES "
		    "($1, $2, $3, $4, $5)", 5, p, NULL, &cause) != 0)
			goto fail;
	}
	if (pg_exec(c, "COMMIT", 0, NULL, NULL, &cause) != 0)
		goto fail;
	printf("%s\n", id);
	return (0);
fail:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
	if (strstr(cause, "orgs_name_key") != NULL)
		rc = admin_error(1, _("an organisation named \"%s\" exists"),
		    argv[1]);
	else
		rc = admin_error(1, "%s", cause);
	free(cause);
	return (rc);
}

/* The team's id, made if the organisation has no team of that name. */
static int
admin_team(PGconn *c, const char *org, const char *name,
    char id[UUID_STRLEN + 1], char **cause)
{
	PGresult	*res;
	char		 nid[UUID_STRLEN + 1];
	const char	*p[3];

	uuid_v7(nid);
	p[0] = nid;
	p[1] = org;
	p[2] = name;
	if ((res = pg_query(c, "INSERT INTO teams(id, org_id, name) VALUES "
	    "($1, $2, $3) ON CONFLICT (org_id, name) DO UPDATE SET "
	    "name = EXCLUDED.name WHERE false RETURNING id", 3, p, NULL,
	    cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1) {
		snprintf(id, UUID_STRLEN + 1, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		return (0);
	}
	PQclear(res);
	if ((res = pg_query(c, "SELECT id FROM teams WHERE org_id = $1 AND "
	    "name = $2", 2, p + 1, NULL, cause)) == NULL)
		return (-1);
	snprintf(id, UUID_STRLEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (0);
}

static int
admin_create_user(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "team", required_argument, NULL, 't' },
		{ "password-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*org = NULL, *email = NULL, *name = NULL, *role = NULL;
	const char	*team = NULL, *pwfile = NULL, *p[7];
	char		 org_id[UUID_STRLEN + 1], team_id[UUID_STRLEN + 1];
	char		 id[UUID_STRLEN + 1];
	char		*pw = NULL, *hash = NULL, *cause = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': org = optarg; break;
		case 'e': email = optarg; break;
		case 'n': name = optarg; break;
		case 'r': role = optarg; break;
		case 't': team = optarg; break;
		case 'p': pwfile = optarg; break;
		default:
			return (admin_error(2, "usage: triage admin create-user "
			    "%s", _(admin_cmds[2].synopsis)));
		}
	}
	if (optind != argc || org == NULL || email == NULL || name == NULL ||
	    role == NULL || pwfile == NULL)
		return (admin_error(2, "usage: triage admin create-user %s",
		    _(admin_cmds[2].synopsis)));
	if (role_parse(role) < 0)
		return (admin_error(2, _("unknown role \"%s\": admin, agent "
		    "or viewer"), role));
	if (strchr(email, '@') == NULL || !utf8_valid(email, strlen(email)) ||
	    !utf8_valid(name, strlen(name)) || *name == '\0')
		return (admin_error(2, "%s", _("a user needs an email address "
		    "and a name, in UTF-8")));
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	if (secret_read(pwfile, &pw, &cause) != 0)
		goto fail;
	if (strlen(pw) < 8) {
		cause = xstrdup(_("the password needs at least 8 characters"));
		goto fail;
	}
	if (auth_hash_password(pw, &hash, &cause) != 0)
		goto fail;
	if ((rc = pg_org_id(c, org, org_id, &cause)) != 1) {
		if (rc == 0)
			cause = xprintf(_("no organisation named \"%s\""), org);
		goto fail;
	}
	if (pg_exec(c, "BEGIN", 0, NULL, NULL, &cause) != 0)
		goto fail;
	if (team != NULL && admin_team(c, org_id, team, team_id, &cause) != 0)
		goto fail_tx;
	uuid_v7(id);
	p[0] = id;
	p[1] = org_id;
	p[2] = email;
	p[3] = name;
	p[4] = role;
	p[5] = team != NULL ? team_id : NULL;
	p[6] = hash;
	if (pg_exec(c, "INSERT INTO users(id, org_id, email, name, role, "
	    "team_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)", 7,
	    p, NULL, &cause) != 0) {
		if (strstr(cause, "users_email") != NULL) {
			free(cause);
			cause = xprintf(_("a user with email %s exists"),
			    email);
		}
		goto fail_tx;
	}
	if (pg_exec(c, "COMMIT", 0, NULL, NULL, &cause) != 0)
		goto fail_tx;
	printf("%s\n", id);
	free(hash);
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	return (0);
fail_tx:
	pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
fail:
	rc = admin_error(1, "%s", cause);
	free(cause);
	free(hash);
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	return (rc);
}

/* Revoke every token of a user and stop them logging in again. */
static int
admin_revoke(PGconn *c, int argc, char **argv)
{
	PGresult	*res;
	const char	*p[1];
	char		*cause = NULL;
	int		 rc;

	if (argc != 3 || strcmp(argv[1], "--email") != 0)
		return (admin_error(2, "%s",
		    _("usage: triage admin revoke --email E")));
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	p[0] = argv[2];
	if ((res = pg_query(c, "WITH u AS (UPDATE users SET active = false "
	    "WHERE lower(email) = lower($1) RETURNING id), t AS (UPDATE tokens "
	    "SET revoked_at = now() WHERE user_id IN (SELECT id FROM u) AND "
	    "revoked_at IS NULL RETURNING 1) SELECT (SELECT count(*) FROM u), "
	    "(SELECT count(*) FROM t)", 1, p, NULL, &cause)) == NULL) {
		rc = admin_error(1, "%s", cause);
		free(cause);
		return (rc);
	}
	if (atoi(PQgetvalue(res, 0, 0)) == 0) {
		PQclear(res);
		return (admin_error(1, _("no user with email %s"), argv[2]));
	}
	printf(_("%s: %s tokens revoked; the user can no longer log in\n"),
	    argv[2], PQgetvalue(res, 0, 1));
	PQclear(res);
	return (0);
}

/* The database named by --db, else $TRIAGE_DB. */
const char *
admin_conninfo(const char *db)
{
	if (db != NULL)
		return (db);
	db = getenv("TRIAGE_DB");
	return (db != NULL && *db != '\0' ? db : NULL);
}

int
server_admin_main(int argc, char **argv)
{
	const struct admin_cmd	*cmd;
	const char		*db = NULL;
	PGconn			*c;
	char			*cause = NULL;
	int			 i = 1, rc;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			admin_usage(stdout);
			return (0);
		} else {
			admin_usage(stderr);
			return (2);
		}
	}
	if (i >= argc) {
		admin_usage(stderr);
		return (2);
	}
	for (cmd = admin_cmds; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, argv[i]) == 0)
			break;
	if (cmd->name == NULL) {
		admin_error(2, _("unknown command \"%s\""), argv[i]);
		admin_usage(stderr);
		return (2);
	}
	if ((db = admin_conninfo(db)) == NULL)
		return (admin_error(2, "%s", _("no database: give --db CONNINFO "
		    "or set TRIAGE_DB")));
	if ((c = pg_connect(db, &cause)) == NULL) {
		rc = admin_error(1, "%s", cause);
		free(cause);
		return (rc);
	}
	rc = cmd->run(c, argc - i, argv + i);
	PQfinish(c);
	return (rc);
}
