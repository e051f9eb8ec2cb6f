/* main.c: the subcommand table and the global options of the triage binary. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "server/server.h"
#include "tui/tui.h"
#include "main.h"

/* triage keys [--mdoc]: the key bindings, from the keymap table. */
static int
main_keys(struct cli_env *env, int argc, char **argv)
{
	(void)env;
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--mdoc") != 0))
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage keys [--mdoc]")));
	return (tui_keys_print(stdout, argc == 2) == 0 ? 0 : EXIT_FAILURE);
}

/* triage serve and triage admin: the server part owns its options. */
static int
main_serve(struct cli_env *env, int argc, char **argv)
{
	(void)env;
	return (server_serve_main(argc, argv));
}

static int
main_admin(struct cli_env *env, int argc, char **argv)
{
	(void)env;
	return (server_admin_main(argc, argv));
}

/* Every subcommand: name, entry point, synopsis, help. */
const struct cli_cmd cli_cmds[] = {
	{ "demo", cli_demo, N_("[--tickets N] [--reset]"),
	  N_("make the demo replica if it is missing and open it") },
	{ "ls", cli_ls, N_("[QUERY] [--view NAME] [--sort S] [--limit N] "
	  "[--json]"), N_("list tickets matching a query or saved view") },
	{ "show", cli_show, N_("NUMBER [--json]"),
	  N_("show a ticket with its thread") },
	{ "reply", cli_reply, N_("NUMBER [--note] (--body-file FILE | -m TEXT) "
	  "[--json]"), N_("queue a reply, or with --note an internal note") },
	{ "set", cli_set, N_("NUMBER FIELD=VALUE... [--json]"),
	  N_("queue changes to status, priority, assignee, team, category "
	  "or tags") },
	{ "search", cli_search, N_("TEXT [--limit N] [--json]"),
	  N_("search tickets, messages, customers and orders") },
	{ "outbox", cli_outbox, N_("[--all] [--json]"),
	  N_("list local changes not yet accepted by the server") },
	{ "stats", cli_stats, N_("[--json]"),
	  N_("the dashboard's figures: open tickets, SLA, times, load") },
	{ "replica", cli_replica, N_("gen|check|info ..."),
	  N_("generate, check or describe a replica file") },
	{ "keys", main_keys, N_("[--mdoc]"),
	  N_("list the console's key bindings") },
	{ "login", cli_login, N_("--server URL --email E [--password-file F] "
	  "[--cacert FILE]"), N_("log this replica in to a triage server") },
	{ "logout", cli_logout, "", N_("forget this replica's login") },
	{ "sync", cli_sync, N_("[--once] [--cacert FILE]"),
	  N_("push local changes and pull the server's, in the foreground") },
	{ "macros", cli_macros, N_("sync [--url URL] [--branch B] | ls [--json] "
	  "| show NAME [--ticket NUMBER] [--json]"),
	  N_("fetch the playbook's macros from git; list or render them") },
	{ "kb", cli_kb, N_("search TEXT [--limit N] [--json]"),
	  N_("search the playbook's knowledge-base articles") },
	{ "notifications", cli_notifications, N_("[--unread] [--limit N] "
	  "[--json] | read (--all | ID...)"),
	  N_("list your notifications, or mark them read") },
	{ "available", cli_available, N_("[yes|no]"),
	  N_("say whether new tickets may be assigned to you") },
	{ "mailgate", cli_mailgate, N_("(--db CONNINFO --org NAME | --server "
	  "URL --token-file F) < MESSAGE"),
	  N_("file a customer's mail into a ticket (for an MTA's pipe)") },
	{ "serve", main_serve, N_("--db CONNINFO [--listen ADDR:PORT] "
	  "[--threads N] [--migrate]"),
	  N_("run the sync server on PostgreSQL") },
	{ "admin", main_admin, N_("[--db CONNINFO] migrate|create-org|"
	  "create-user|revoke|seed|import|set-hours|sla|rule|set-lead|"
	  "run-jobs ..."),
	  N_("set up and feed the server's database") },
	{ NULL, NULL, NULL, NULL }
};

/* Print the usage summary, generated from the subcommand table. */
void
main_usage(FILE *f)
{
	const struct cli_cmd	*c;

	fprintf(f, "%s\n\n", _("usage: triage [--replica PATH] [--config FILE] "
	    "[--trace FILE] [COMMAND] [ARGS]"));
	fprintf(f, "%s\n\n", _("triage is a terminal console for support "
	    "agents over a local replica of tickets, customers and orders."));
	fprintf(f, "%s\n", _("Without a command, triage opens the console on "
	    "the replica.\n\ncommands:"));
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n           %s\n", c->name,
		    TR(c->synopsis), TR(c->help));
	fprintf(f, "\n%s\n", _("options:\n"
	    "  --replica PATH   the replica file (default $TRIAGE_REPLICA, "
	    "else\n                   $XDG_DATA_HOME/triage/replica.db)\n"
	    "  --config FILE    the config file (default "
	    "$XDG_CONFIG_HOME/triage/config)\n"
	    "  --trace FILE     record start, first paint and every key's "
	    "time\n"
	    "  --help           show this help\n"
	    "  --version        show the version\n\n"
	    "exit status: 0 success, 1 not found, 2 usage or query error, "
	    "3 replica error"));
}

/* Open the console on the replica (the default when no command is given). */
static int
main_console(struct cli_env *env)
{
	struct tui_opts	 o;
	char		*path, *cause = NULL;
	int		 rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return (cli_error(EXIT_USAGE, "%s", _("the console needs a "
		    "terminal; see triage --help for the other commands")));
	path = env->replica != NULL ? xstrdup(env->replica) :
	    replica_default_path();
	memset(&o, 0, sizeof o);
	o.replica_path = path;
	o.config_path = env->config;
	o.trace_path = env->trace;
	o.playbook_url = env->playbook_url;
	rc = tui_main(&o, &cause);
	free(path);
	if (rc != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	}
	return (rc);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "replica", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "trace", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd	*c;
	struct cli_env		 env;
	int			 ch;

	setlocale(LC_ALL, "");
	sanitize_locale();
	/* Numbers the program reads and writes stay "1.5" (numfmt.c). */
	setlocale(LC_NUMERIC, "C");
	/* TRIAGE_LOCALEDIR: translations not yet installed (the tests). */
	bindtextdomain(PACKAGE, getenv("TRIAGE_LOCALEDIR") != NULL &&
	    *getenv("TRIAGE_LOCALEDIR") != '\0' ? getenv("TRIAGE_LOCALEDIR") :
	    LOCALEDIR);
	textdomain(PACKAGE);
	memset(&env, 0, sizeof env);
	env.console = main_console;
	if (getenv("TRIAGE_REPLICA") != NULL && *getenv("TRIAGE_REPLICA") == '\0')
		unsetenv("TRIAGE_REPLICA");

	while ((ch = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'R':
			env.replica = optarg;
			break;
		case 'c':
			env.config = optarg;
			break;
		case 't':
			env.trace = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return (0);
		case 'V':
			printf("triage %s\n", PACKAGE_VERSION);
			return (0);
		default:
			main_usage(stderr);
			return (EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (main_console(&env));
	/* For the shell completions; not a command people type. */
	if (strcmp(argv[0], "__complete") == 0)
		return (cli_complete(&env, argc, argv));
	for (c = cli_cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[0]) == 0)
			return (c->run(&env, argc, argv));
	}
	fprintf(stderr, _("triage: unknown command \"%s\"\n"), argv[0]);
	main_usage(stderr);
	return (EXIT_USAGE);
}
