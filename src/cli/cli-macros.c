/* cli-macros.c: `triage macros` and `triage kb`: the playbook from git (issue 6). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "playbook/playbook.h"
#include "sync/sync.h"

#define MACROS_USAGE	"usage: triage macros sync [--url URL] [--branch B]\n" \
	"       triage macros ls [--json]\n" \
	"       triage macros show NAME [--ticket NUMBER] [--json]"
#define KB_USAGE	"usage: triage kb search TEXT [--limit N] [--json]"

/* [playbook] url and branch from the config file (env->config or the default). */
static int
playbook_config(struct cli_env *env, char **url, char **branch)
{
	struct config	*cfg = config_new();
	char		*path, *cause = NULL;
	const char	*v;
	int		 rc = 0;

	path = env->config != NULL ? xstrdup(env->config) : path_config_file();
	if (config_load(cfg, path, NULL, &cause) != 0) {
		rc = cli_error(EXIT_USAGE, "%s", cause);
		free(cause);
	} else {
		if (*url == NULL && (v = config_get(cfg, "playbook", "url")) != NULL)
			*url = xstrdup(v);
		if (*branch == NULL &&
		    (v = config_get(cfg, "playbook", "branch")) != NULL)
			*branch = xstrdup(v);
	}
	config_free(cfg);
	free(path);
	return (rc);
}

/*
 * Fetch the playbook and index the copy in use into r: 0, or an exit
 * status (the reason printed and kept as the replica's notice; the last
 * good copy stays in use).
 */
static int
macros_sync(struct cli_env *env, struct replica *r, char *url, char *branch)
{
	struct playbook_report	 rep;
	struct buf		 warnings = BUF_INIT;
	char			*cause = NULL;
	int			 rc;

	if ((rc = playbook_config(env, &url, &branch)) != 0)
		return (rc);
	if (url == NULL || *url == '\0') {
		free(branch);
		return (cli_error(EXIT_USAGE, "%s", _("no playbook: set url in "
		    "the [playbook] section of the config file, or give "
		    "--url")));
	}
	rc = sync_playbook(r, url, branch, &warnings, &rep, &cause);
	cli_out(stderr, buf_cstr(&warnings), 1);
	buf_free(&warnings);
	if (rc != 0) {
		rc = cli_error(rc == SYNC_ERR_LOCAL ? EXIT_REPLICA :
		    EXIT_FAILURE, "%s", cause);
		free(cause);
	}
	if (rc == 0 || rep.kept)
		printf(_("playbook %.12s: %zu macros, %zu articles%s\n"),
		    rep.commit, rep.macros, rep.articles, rep.kept ?
		    _(" (the last good copy)") : rep.changed ? "" :
		    _(" (up to date)"));
	free(url);
	free(branch);
	return (rc);
}

static json_t *
macro_json(const struct replica_macro *m, const char *rendered)
{
	json_t	*j, *actions;

	actions = json_loads(m->actions, 0, NULL);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "name", m->name,
	    "path", m->path, "title", m->title, "tags", m->tags, "actions",
	    actions != NULL ? actions : json_array(), "commit", m->commit);
	if (rendered != NULL)
		json_object_set_new(j, "body", json_string(rendered));
	return (j);
}

static int
macros_ls(struct replica *r, int json)
{
	struct replica_macro	*v;
	json_t			*arr;
	char			*cause = NULL;
	size_t			 i, n;
	int			 rc = 0;

	if (replica_macros(r, &v, &n, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, macro_json(&v[i], NULL));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else
		for (i = 0; i < n; i++) {
			cli_out(stdout, v[i].name, 0);
			fputs("  ", stdout);
			cli_out(stdout, v[i].title, 0);
			if (*v[i].tags != '\0') {
				fputs("  [", stdout);
				cli_out(stdout, v[i].tags, 0);
				fputs("]", stdout);
			}
			putchar('\n');
		}
	for (i = 0; i < n; i++)
		replica_macro_free(&v[i]);
	free(v);
	return (rc);
}

/* A macro's body rendered for ticket number (0: no ticket). */
static char *
cli_macro_render(struct replica *r, const struct replica_macro *m,
    int64_t number, struct buf *unknown, char **cause)
{
	struct replica_macro_context	 c;
	struct playbook_var		 v[PLAYBOOK_NVARS];
	char				*out;

	if (playbook_vars(r, number, &c, v, cause) != 0)
		return (NULL);
	out = playbook_render(m->body, v, PLAYBOOK_NVARS, unknown);
	replica_macro_context_free(&c);
	return (out);
}

static int
macros_show(struct replica *r, const char *name, int64_t number, int json)
{
	struct replica_macro	 m;
	struct buf		 unknown = BUF_INIT;
	char			*cause = NULL, *body, *line, *end;
	int			 rc;

	if ((rc = replica_macro(r, name, &m, &cause)) != 0) {
		if (rc == REPLICA_NOTFOUND)
			return (cli_error(EXIT_NOTFOUND, _("no macro \"%s\" "
			    "(triage macros ls lists them)"), name));
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	if ((body = cli_macro_render(r, &m, number, &unknown, &cause)) == NULL) {
		rc = cli_error(cause != NULL && strncmp(cause, "no ticket", 9) ==
		    0 ? EXIT_NOTFOUND : EXIT_REPLICA, "%s", cause);
		free(cause);
		replica_macro_free(&m);
		return (rc);
	}
	if (json)
		rc = cli_json_print(macro_json(&m, body)) == 0 ? 0 :
		    EXIT_FAILURE;
	else {
		cli_out(stdout, m.title, 0);
		fputs("  (", stdout);
		cli_out(stdout, m.path, 0);
		printf(", %.12s)\n", m.commit);
		if (strcmp(m.actions, "[]") != 0) {
			fputs(_("actions: "), stdout);
			cli_out(stdout, m.actions, 0);
			putchar('\n');
		}
		putchar('\n');
		cli_out(stdout, body, 1);
		putchar('\n');
	}
	/* One name a line; none when every variable was known. */
	for (line = unknown.len > 0 ? unknown.data : NULL; line != NULL &&
	    *line != '\0'; line = end + 1) {
		end = strchr(line, '\n');
		*end = '\0';
		cli_error(0, _("unknown variable {{%s}} left as written"),
		    line);
	}
	buf_free(&unknown);
	free(body);
	replica_macro_free(&m);
	return (rc);
}

/* triage macros sync|ls|show ... */
int
cli_macros(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "branch", required_argument, NULL, 'b' },
		{ "ticket", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica	*r = NULL;
	char		*url = NULL, *branch = NULL;
	const char	*verb;
	int64_t		 number = 0;
	int		 c, json = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "u:b:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			free(url);
			url = xstrdup(optarg);
			break;
		case 'b':
			free(branch);
			branch = xstrdup(optarg);
			break;
		case 't':
			if (cli_parse_number(optarg, &number) != 0) {
				free(url);
				free(branch);
				return (cli_error(EXIT_USAGE, _("not a ticket "
				    "number: %s"), optarg));
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _(MACROS_USAGE));
			free(url);
			free(branch);
			return (0);
		default:
			free(url);
			free(branch);
			return (EXIT_USAGE);
		}
	}
	verb = optind < argc ? argv[optind++] : "";
	if (!((strcmp(verb, "sync") == 0 && optind == argc) ||
	    (strcmp(verb, "ls") == 0 && optind == argc) ||
	    (strcmp(verb, "show") == 0 && optind + 1 == argc))) {
		free(url);
		free(branch);
		return (cli_error(EXIT_USAGE, "%s", _(MACROS_USAGE)));
	}
	if ((rc = cli_open(env, 0, &r)) != 0) {
		free(url);
		free(branch);
		return (rc);
	}
	if (strcmp(verb, "sync") == 0)
		rc = macros_sync(env, r, url, branch);	/* frees both */
	else {
		free(url);
		free(branch);
		rc = strcmp(verb, "ls") == 0 ? macros_ls(r, json) :
		    macros_show(r, argv[optind], number, json);
	}
	replica_close(r);
	return (rc);
}

/* triage kb search TEXT [--limit N] [--json] */
int
cli_kb(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct replica_article	*v = NULL;
	struct buf		 b = BUF_INIT;
	char			*text, *cause = NULL;
	json_t			*arr;
	int64_t			 limit = 10;
	size_t			 i, n = 0;
	int			 c, json = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "l:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (cli_parse_count("--limit", optarg, 1, 1000,
			    &limit) != 0)
				return (EXIT_USAGE);
			break;
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _(KB_USAGE));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind + 2 > argc || strcmp(argv[optind], "search") != 0)
		return (cli_error(EXIT_USAGE, "%s", _(KB_USAGE)));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	text = cli_join_args(argc - optind - 1, argv + optind + 1);
	if (replica_kb_search(r, text, (size_t)limit, &v, &n, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else if (json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:s}", "name", v[i].name, "title", v[i].title,
			    "tags", v[i].tags, "snippet", v[i].snippet, "body",
			    v[i].body));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else {
		for (i = 0; i < n; i++) {
			cli_out(stdout, v[i].name, 0);
			fputs("  ", stdout);
			cli_out(stdout, v[i].title, 0);
			buf_reset(&b);
			cli_snippet(&b, v[i].snippet);
			printf("\n    %s\n", buf_cstr(&b));
		}
		rc = n > 0 ? 0 : EXIT_NOTFOUND;
	}
	for (i = 0; i < n; i++)
		replica_article_free(&v[i]);
	free(v);
	free(text);
	buf_free(&b);
	replica_close(r);
	return (rc);
}
