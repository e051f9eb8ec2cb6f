/* cli-demo.c: `triage demo`: make the demo replica if it is missing, then show it. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "playbook/playbook.h"
#include "sync/sync.h"

#define DEMO_TICKETS	3000
#define DEMO_SEED	20261121

/* Remove a replica file and its WAL companions, if it is a triage replica. */
static int
demo_remove(const char *path)
{
	struct replica	*r;
	char		*cause = NULL, *side;
	int		 rc;

	if (replica_open(path, 0, &r, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	replica_close(r);
	side = xprintf("%s-wal", path);
	unlink(side);
	free(side);
	side = xprintf("%s-shm", path);
	unlink(side);
	free(side);
	if (unlink(path) != 0)
		return (cli_error(EXIT_REPLICA, "%s: %s", path,
		    strerror(errno)));
	return (0);
}

/*
 * The demo's playbook: a git repository made from the sample compiled in,
 * beside the replica (an agent may edit and commit there; the console
 * fetches it), indexed into the replica. Returns its path (caller frees),
 * or NULL with the reason printed: the demo goes on without it.
 */
static char *
demo_playbook(const char *replica_path)
{
	struct playbook_report	 rep;
	struct replica		*r;
	struct stat		 sb;
	char			*dir, *git, *slash, *cause = NULL;
	int			 rc;

	slash = strrchr(replica_path, '/');
	dir = slash != NULL ? xprintf("%.*s/demo-playbook",
	    (int)(slash - replica_path), replica_path) :
	    xstrdup("demo-playbook");
	git = xprintf("%s/.git", dir);
	rc = stat(git, &sb);
	free(git);
	if (rc != 0) {
		if (playbook_make_repo(dir, playbook_sample, playbook_sample_n,
		    "The demo's sample playbook", &cause) != 0)
			goto fail;
		printf(_("made the demo playbook %s: a git repository of "
		    "macros and articles\n"), dir);
	}
	if (replica_open(replica_path, 0, &r, &cause) != 0)
		goto fail;
	rc = sync_playbook(r, dir, NULL, NULL, &rep, &cause);
	replica_close(r);
	if (rc != 0)
		goto fail;
	printf(_("playbook %.12s: %zu macros, %zu articles\n"), rep.commit,
	    rep.macros, rep.articles);
	return (dir);
fail:
	cli_error(0, _("the demo's playbook: %s"), cause);
	free(cause);
	free(dir);
	return (NULL);
}

/*
 * What the demo shows until the console arrives: each saved view with its
 * live count, and commands to try.
 */
static int
demo_summary(struct cli_env *env)
{
	struct replica		*r;
	struct saved_view_list	 views;
	struct queue		*q;
	struct query_error	 err;
	struct buf		 line = BUF_INIT;
	char			*cause = NULL, n[32];
	int64_t			 count;
	size_t			 i;
	int			 rc, w, width = 16;

	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	if (replica_views(r, &views, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		replica_close(r);
		return (rc);
	}
	for (i = 0; i < views.n; i++) {
		w = sanitize_width_str(saved_view_label(&views.v[i]),
		    strlen(saved_view_label(&views.v[i])));
		width = w > width ? w : width;
	}
	for (i = 0; i < views.n; i++) {
		buf_reset(&line);
		buf_puts(&line, "  ");
		cli_pad(&line, saved_view_label(&views.v[i]), width, 0);
		buf_putc(&line, ' ');
		if (replica_queue_open(r, views.v[i].query, views.v[i].sort, &q,
		    &err) != 0) {
			sanitize_line(&line, err.message, strlen(err.message),
			    0);
			query_error_free(&err);
		} else if (replica_queue_count(q, &count, &cause) == 0) {
			cli_pad(&line, num_count(n, sizeof n, count), 6,
			    CLI_PAD_RIGHT);
			replica_queue_close(q);
		} else {
			sanitize_line(&line, cause, strlen(cause), 0);
			free(cause);
			cause = NULL;
			replica_queue_close(q);
		}
		puts(buf_cstr(&line));
	}
	buf_free(&line);
	printf(_("try:\n  triage --replica %s ls 'status:open "
	    "priority:>=high'\n  triage --replica %s search refund\n"
	    "  triage --replica %s macros ls\n"),
	    replica_path(r), replica_path(r), replica_path(r));
	saved_view_list_free(&views);
	replica_close(r);
	return (0);
}

/* triage demo [--tickets N] [--reset] */
int
cli_demo(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tickets", required_argument, NULL, 't' },
		{ "reset", no_argument, NULL, 'r' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen_opts		 go;
	struct gen_stats	 st;
	struct stat		 sb;
	char			*path, *pbdir;
	int64_t			 n = DEMO_TICKETS;
	double			 secs;
	int			 c, reset = 0, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "t:rh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_count("--tickets", optarg, 1, 10000000,
			    &n) != 0)
				return (EXIT_USAGE);
			break;
		case 'r':
			reset = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _("usage: triage demo [--tickets N] "
			    "[--reset]"));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind != argc)
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage demo [--tickets N] [--reset]")));
	path = env->replica != NULL ? xstrdup(env->replica) : cli_demo_path();
	if (reset && stat(path, &sb) == 0 && (rc = demo_remove(path)) != 0)
		goto out;
	if (stat(path, &sb) != 0) {
		memset(&go, 0, sizeof go);
		go.seed = DEMO_SEED;
		go.tickets = n;
		go.now = time_now_ms();
		if ((rc = cli_generate(path, &go, &st, &secs)) != 0)
			goto out;
		printf(_("made the demo replica %s: %lld tickets, %lld "
		    "messages, %lld customers, %lld orders in %.1f s\n"), path,
		    (long long)st.tickets, (long long)st.messages,
		    (long long)st.customers, (long long)st.orders, secs);
	} else
		printf(_("the demo replica is %s\n"), path);
	pbdir = demo_playbook(path);
	env->replica = path;
	env->playbook_url = pbdir;
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	    env->console != NULL)
		rc = env->console(env);
	else
		rc = demo_summary(env);
	env->replica = NULL;
	env->playbook_url = NULL;
	free(pbdir);
out:
	free(path);
	return (rc);
}
