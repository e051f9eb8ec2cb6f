/* cli-replica.c: `triage replica`: generate, check and describe replica files. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* A progress line on stderr, only when it is a terminal. */
static void
gen_progress(void *arg, int64_t done, int64_t total)
{
	int64_t	*last = arg;
	int64_t	 pct;

	if (total <= 0 || !isatty(STDERR_FILENO))
		return;
	pct = done * 100 / total;
	if (pct == *last)
		return;
	*last = pct;
	fputc('\r', stderr);
	fprintf(stderr, _("generating: %3lld%% (%lld of %lld tickets)"),
	    (long long)pct, (long long)done, (long long)total);
	if (done >= total)
		fputc('\n', stderr);
}

/* Print what a generator run made, and how long it took. */
static void
gen_summary(const char *path, const struct gen_stats *st, double secs)
{
	printf(_("%s: %lld tickets, %lld messages, %lld customers, "
	    "%lld orders, %lld events, %lld agents in %.1f s\n"), path,
	    (long long)st->tickets, (long long)st->messages,
	    (long long)st->customers, (long long)st->orders,
	    (long long)st->events, (long long)st->users, secs);
}

/*
 * Create a new replica at path filled by the generator. The file must not
 * exist. Returns 0 or an exit status (the error already printed).
 */
int
cli_generate(const char *path, const struct gen_opts *opts,
    struct gen_stats *st, double *secs)
{
	struct replica	*r;
	struct stat	 sb;
	char		*cause = NULL;
	int64_t		 t0, last = -1;
	int		 rc;

	if (stat(path, &sb) == 0)
		return (cli_error(EXIT_USAGE, _("%s: already exists; remove it "
		    "first"), path));
	t0 = time_mono_ns();
	if (replica_open(path, REPLICA_CREATE | REPLICA_BULK, &r,
	    &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	memset(st, 0, sizeof *st);
	rc = replica_generate(r, opts, gen_progress, &last, st, &cause);
	replica_close(r);
	if (rc != 0) {
		/* A bulk load has no journal: a half-made file is garbage. */
		unlink(path);
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	*secs = (double)(time_mono_ns() - t0) / 1e9;
	return (0);
}

/* triage replica gen --tickets N --out PATH [--seed S] */
static int
replica_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tickets", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen_opts		 go;
	struct gen_stats	 st;
	const char		*out = NULL;
	int64_t			 n = 0, seed = 1;
	double			 secs;
	int			 c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "t:o:s:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_count("--tickets", optarg, 1, 100000000,
			    &n) != 0)
				return (EXIT_USAGE);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			if (cli_parse_count("--seed", optarg, 0, INT64_MAX,
			    &seed) != 0)
				return (EXIT_USAGE);
			break;
		default:
			return (EXIT_USAGE);
		}
	}
	if (n == 0 || out == NULL || optind != argc)
		return (cli_error(EXIT_USAGE, "%s", _("usage: triage replica gen "
		    "--tickets N --out PATH [--seed S]")));
	memset(&go, 0, sizeof go);
	go.seed = (uint64_t)seed;
	go.tickets = n;
	go.now = time_now_ms();
	if ((rc = cli_generate(out, &go, &st, &secs)) != 0)
		return (rc);
	gen_summary(out, &st, secs);
	return (0);
}

/* triage replica check: integrity and FTS consistency. */
static int
replica_check_cmd(struct cli_env *env)
{
	struct replica	*r;
	char		*cause = NULL;
	int		 rc;

	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	if (replica_check(r, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s: %s", replica_path(r), cause);
		free(cause);
	} else
		printf(_("%s: ok (schema version %d)\n"), replica_path(r),
		    replica_version(r));
	replica_close(r);
	return (rc);
}

/* triage replica info: path, schema version, counts. */
static int
replica_info(struct cli_env *env)
{
	struct replica		*r;
	struct queue		*q;
	struct query_error	 err;
	int64_t			 tickets = 0, pending = 0;
	char			*cause = NULL, *me;
	int			 rc;

	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	if (replica_queue_open(r, "", QUEUE_SORT_NUMBER, &q, &err) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", err.message);
		query_error_free(&err);
		replica_close(r);
		return (rc);
	}
	if (replica_queue_count(q, &tickets, &cause) != 0 ||
	    replica_outbox_count(r, OUTBOX_PENDING, &pending, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else {
		me = replica_me(r);
		printf(_("replica:  %s\nschema:   version %d\ntickets:  %lld\n"
		    "pending:  %lld\nuser:     %s\n"), replica_path(r),
		    replica_version(r), (long long)tickets, (long long)pending,
		    me != NULL ? me : "-");
		free(me);
	}
	replica_queue_close(q);
	replica_close(r);
	return (rc);
}

/* triage replica gen|check|info */
int
cli_replica(struct cli_env *env, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout, "%s\n", _("usage: triage "
		    "replica gen --tickets N --out PATH [--seed S]\n"
		    "       triage replica check\n"
		    "       triage replica info"));
		return (argc < 2 ? EXIT_USAGE : 0);
	}
	if (strcmp(argv[1], "gen") == 0)
		return (replica_gen(argc - 1, argv + 1));
	if (strcmp(argv[1], "check") == 0 && argc == 2)
		return (replica_check_cmd(env));
	if (strcmp(argv[1], "info") == 0 && argc == 2)
		return (replica_info(env));
	return (cli_error(EXIT_USAGE, _("unknown replica command \"%s\""),
	    argv[1]));
}
