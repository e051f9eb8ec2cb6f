/* cli-set.c: `triage set`: queue changes to a ticket's fields. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char set_usage[] = N_("usage: triage set NUMBER FIELD=VALUE... "
    "[--json]\n"
    "fields: status=NAME priority=NAME assignee=me|none|EMAIL "
    "team=NAME|none\n"
    "        category=NAME|none tags=+ADD,-REMOVE,ADD");

/* What the arguments ask for, before any name is looked up. */
struct set_args {
	struct ticket_change	 c;
	unsigned int		 given;		/* a bit per field */
	const char		*assignee;	/* me, none or an email */
	const char		*team;		/* a name or none */
	char			**add;
	size_t			 nadd;
	char			**remove;
	size_t			 nremove;
};

static int	set_status(struct set_args *, const char *);
static int	set_priority(struct set_args *, const char *);
static int	set_assignee(struct set_args *, const char *);
static int	set_team(struct set_args *, const char *);
static int	set_category(struct set_args *, const char *);
static int	set_tags(struct set_args *, const char *);

/* The fields: name, parser (prints why and returns -1 on a bad value). */
static const struct set_field {
	const char	*name;
	int		(*parse)(struct set_args *, const char *);
	int		 repeat;	/* may be given more than once */
} set_fields[] = {
	{ "status", set_status, 0 },
	{ "priority", set_priority, 0 },
	{ "assignee", set_assignee, 0 },
	{ "team", set_team, 0 },
	{ "category", set_category, 0 },
	{ "tags", set_tags, 1 },
};

/* status=NAME */
static int
set_status(struct set_args *a, const char *v)
{
	if ((a->c.status = ticket_status_parse(v)) == -1) {
		cli_error(EXIT_USAGE, _("status: unknown status \"%s\" (new, "
		    "open, pending, on_hold, solved or closed)"), v);
		return (-1);
	}
	return (0);
}

/* priority=NAME */
static int
set_priority(struct set_args *a, const char *v)
{
	if ((a->c.priority = ticket_priority_parse(v)) == -1) {
		cli_error(EXIT_USAGE, _("priority: unknown priority \"%s\" "
		    "(low, normal, high or urgent)"), v);
		return (-1);
	}
	return (0);
}

/* assignee=me|none|EMAIL; looked up once the replica is open. */
static int
set_assignee(struct set_args *a, const char *v)
{
	if (*v == '\0') {
		cli_error(EXIT_USAGE, "%s", _("assignee: expected me, none or "
		    "an email address"));
		return (-1);
	}
	a->c.set_assignee = 1;
	a->assignee = v;
	return (0);
}

/* team=NAME|none; looked up once the replica is open. */
static int
set_team(struct set_args *a, const char *v)
{
	if (*v == '\0') {
		cli_error(EXIT_USAGE, "%s", _("team: expected a team name or "
		    "none"));
		return (-1);
	}
	a->c.set_team = 1;
	a->team = v;
	return (0);
}

/* category=NAME|none */
static int
set_category(struct set_args *a, const char *v)
{
	if (*v == '\0') {
		cli_error(EXIT_USAGE, "%s", _("category: expected a name or "
		    "none"));
		return (-1);
	}
	a->c.set_category = 1;
	a->c.category = strcmp(v, "none") == 0 ? NULL : v;
	return (0);
}

/* tags=+ADD,-REMOVE,ADD: comma-separated, a tag without a sign is added. */
static int
set_tags(struct set_args *a, const char *v)
{
	const char	*p, *end;
	char		*tag;
	size_t		 len;
	int		 sign;

	for (p = v;; p = end + 1) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		sign = '+';
		if (len > 0 && (*p == '+' || *p == '-')) {
			sign = *p++;
			len--;
		}
		if (len == 0) {
			cli_error(EXIT_USAGE, _("tags: empty tag in \"%s\""),
			    v);
			return (-1);
		}
		tag = xstrndup(p, len);
		if (sign == '-') {
			a->remove = xreallocarray(a->remove, a->nremove + 1,
			    sizeof *a->remove);
			a->remove[a->nremove++] = tag;
		} else {
			a->add = xreallocarray(a->add, a->nadd + 1,
			    sizeof *a->add);
			a->add[a->nadd++] = tag;
		}
		if (end == NULL)
			break;
	}
	return (0);
}

/* Parse one FIELD=VALUE argument; prints why not. */
static int
set_parse_arg(struct set_args *a, const char *arg)
{
	const struct set_field	*f;
	const char		*eq;
	size_t			 i, len;

	if ((eq = strchr(arg, '=')) == NULL) {
		cli_error(EXIT_USAGE, _("expected FIELD=VALUE, not \"%s\""),
		    arg);
		return (-1);
	}
	len = (size_t)(eq - arg);
	for (i = 0; i < nitems(set_fields); i++) {
		f = &set_fields[i];
		if (strlen(f->name) != len || strncmp(f->name, arg, len) != 0)
			continue;
		if ((a->given & (1u << i)) && !f->repeat) {
			cli_error(EXIT_USAGE, _("%s given more than once"),
			    f->name);
			return (-1);
		}
		a->given |= 1u << i;
		return (f->parse(a, eq + 1));
	}
	cli_error(EXIT_USAGE, _("unknown field \"%.*s\" (status, priority, "
	    "assignee, team, category or tags)"), (int)len, arg);
	return (-1);
}

/*
 * Turn the assignee and team the arguments name into ids (*uid and *tid
 * are the caller's to free). Returns 0, or the exit status with a message.
 */
static int
set_resolve(struct replica *r, struct set_args *a, char **uid, char **tid)
{
	char	*cause = NULL;
	int	 rc;

	if (a->assignee != NULL && strcmp(a->assignee, "none") == 0)
		a->c.assignee_id = NULL;
	else if (a->assignee != NULL && strcmp(a->assignee, "me") == 0) {
		if ((*uid = replica_me(r)) == NULL)
			return (cli_error(EXIT_USAGE, "%s", _("assignee: no "
			    "current user in this replica")));
		a->c.assignee_id = *uid;
	} else if (a->assignee != NULL) {
		rc = replica_user_by_email(r, a->assignee, uid, &cause);
		if (rc == REPLICA_NOTFOUND)
			return (cli_error(EXIT_USAGE, _("assignee: no user "
			    "with email \"%s\""), a->assignee));
		if (rc != 0)
			goto fail;
		a->c.assignee_id = *uid;
	}
	if (a->team != NULL && strcmp(a->team, "none") == 0)
		a->c.team_id = NULL;
	else if (a->team != NULL) {
		rc = replica_team_by_name(r, a->team, tid, &cause);
		if (rc == REPLICA_NOTFOUND)
			return (cli_error(EXIT_USAGE, _("team: no team named "
			    "\"%s\""), a->team));
		if (rc != 0)
			goto fail;
		a->c.team_id = *tid;
	}
	return (0);
fail:
	rc = cli_error(EXIT_REPLICA, "%s", cause);
	free(cause);
	return (rc);
}

/* Free what the arguments allocated. */
static void
set_args_free(struct set_args *a)
{
	size_t	 i;

	for (i = 0; i < a->nadd; i++)
		free(a->add[i]);
	free(a->add);
	for (i = 0; i < a->nremove; i++)
		free(a->remove[i]);
	free(a->remove);
}

/* triage set NUMBER FIELD=VALUE... [--json] */
int
cli_set(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica	*r = NULL;
	struct set_args	 a;
	char		*cause = NULL, *uid = NULL, *tid = NULL;
	char		 id[UUID_STRLEN + 1];
	json_t		*o;
	int64_t		 number;
	int		 c, i, json = 0, n = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _(set_usage));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (argc - optind < 2)
		return (cli_error(EXIT_USAGE, "%s", _(set_usage)));
	if (cli_parse_number(argv[optind], &number) != 0)
		return (cli_error(EXIT_USAGE, _("not a ticket number: \"%s\""),
		    argv[optind]));

	/* Everything is checked before anything is written. */
	memset(&a, 0, sizeof a);
	ticket_change_init(&a.c);
	rc = EXIT_USAGE;
	for (i = optind + 1; i < argc; i++) {
		if (set_parse_arg(&a, argv[i]) != 0)
			goto out;
	}
	a.c.tags_add = (const char *const *)a.add;
	a.c.ntags_add = a.nadd;
	a.c.tags_remove = (const char *const *)a.remove;
	a.c.ntags_remove = a.nremove;
	if (ticket_change_validate(&a.c, &cause) != 0) {
		cli_error(EXIT_USAGE, "%s", cause);
		free(cause);
		goto out;
	}
	if ((rc = cli_open(env, 0, &r)) != 0)
		goto out;
	if ((rc = set_resolve(r, &a, &uid, &tid)) != 0)
		goto out;
	rc = replica_ticket_id(r, number, id, &cause);
	if (rc == REPLICA_NOTFOUND) {
		rc = cli_error(EXIT_NOTFOUND, _("no ticket #%lld"),
		    (long long)number);
		goto out;
	}
	if (rc == 0 && replica_act_set(r, id, &a.c, &n, &cause) != 0)
		rc = -1;
	if (rc != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		goto out;
	}

	if (json) {
		o = json_object();
		json_object_set_new(o, "ticket_number", json_integer(number));
		json_object_set_new(o, "queued", json_integer(n));
		rc = cli_json_print(o) == 0 ? 0 : EXIT_FAILURE;
	} else {
		if (n == 0)
			printf(_("nothing to change on #%lld\n"),
			    (long long)number);
		else
			printf(ngettext("queued %d change to #%lld\n",
			    "queued %d changes to #%lld\n", (unsigned long)n),
			    n, (long long)number);
		rc = 0;
	}
out:
	free(uid);
	free(tid);
	set_args_free(&a);
	replica_close(r);
	return (rc);
}
