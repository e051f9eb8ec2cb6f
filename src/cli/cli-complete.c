/* cli-complete.c: `triage __complete`: words for the shell completions (data/completion/). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define COMPLETE_TICKETS	200	/* the open tickets offered, latest first */

/* One word, and with describe a tab and its description (sanitised). */
static void
complete_word(const char *word, const char *what, const char *prefix)
{
	struct buf	 b = BUF_INIT;

	if (strncmp(word, prefix, strlen(prefix)) != 0)
		return;
	sanitize_line(&b, word, strlen(word), SANITIZE_ASCII);
	fputs(buf_cstr(&b), stdout);
	if (what != NULL) {
		buf_reset(&b);
		/* Data (a subject) on the terminal: through the sanitiser. */
		sanitize_line(&b, what, strlen(what), 0);
		printf("\t%s", buf_cstr(&b));
	}
	putchar('\n');
	buf_free(&b);
}

/*
 * triage __complete commands|views|tickets|macros|fields [PREFIX]: one
 * word a line, with a tab and a description where there is one. Quiet
 * and exit 0 when there is nothing (no replica yet): a completion must
 * never print errors into the command line being typed.
 */
int
cli_complete(struct cli_env *env, int argc, char **argv)
{
	static const char *const fields[] = { "status=", "priority=",
	    "assignee=", "team=", "category=", "tags=" };
	const struct cli_cmd	*c;
	struct replica		*r;
	struct saved_view_list	 views;
	struct replica_macro	*m;
	struct queue		*q;
	struct query_error	 err;
	struct ticket_list	 l;
	const char		*what, *prefix;
	char			*cause = NULL, *path, num[32];
	size_t			 i, n;

	if (argc < 2 || argc > 3)
		return (EXIT_USAGE);
	what = argv[1];
	prefix = argc == 3 ? argv[2] : "";
	if (strcmp(what, "commands") == 0) {
		for (c = cli_cmds; c->name != NULL; c++)
			complete_word(c->name, _(c->help), prefix);
		return (0);
	}
	if (strcmp(what, "fields") == 0) {
		for (i = 0; i < nitems(fields); i++)
			complete_word(fields[i], NULL, prefix);
		return (0);
	}
	path = env->replica != NULL ? xstrdup(env->replica) :
	    replica_default_path();
	if (replica_open(path, REPLICA_READONLY, &r, &cause) != 0) {
		free(cause);
		free(path);
		return (0);
	}
	free(path);
	if (strcmp(what, "views") == 0 &&
	    replica_views(r, &views, &cause) == 0) {
		for (i = 0; i < views.n; i++)
			complete_word(views.v[i].name, views.v[i].query, prefix);
		saved_view_list_free(&views);
	} else if (strcmp(what, "macros") == 0 &&
	    replica_macros(r, &m, &n, &cause) == 0) {
		for (i = 0; i < n; i++) {
			complete_word(m[i].name, m[i].title, prefix);
			replica_macro_free(&m[i]);
		}
		free(m);
	} else if (strcmp(what, "tickets") == 0 &&
	    replica_queue_open(r, "status:unsolved", QUEUE_SORT_UPDATED, &q,
	    &err) == 0) {
		if (replica_queue_fetch(q, NULL, 0, COMPLETE_TICKETS, &l,
		    &cause) == 0) {
			for (i = 0; i < l.n; i++) {
				if (l.v[i].number <= 0)
					continue;
				snprintf(num, sizeof num, "%lld",
				    (long long)l.v[i].number);
				complete_word(num, l.v[i].subject, prefix);
			}
			ticket_list_free(&l);
		}
		replica_queue_close(q);
	} else if (strcmp(what, "tickets") == 0)
		query_error_free(&err);
	free(cause);
	replica_close(r);
	return (0);
}
