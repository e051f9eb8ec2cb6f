/* cli-outbox.c: `triage outbox`: local changes not yet accepted by the server. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* triage outbox [--all] [--json] */
int
cli_outbox(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct outbox_list	 l = { NULL, 0 };
	struct outbox_entry	*e;
	struct buf		 b = BUF_INIT;
	unsigned int		 mask;
	char			*cause = NULL, when[TIME_RFC3339_SIZE];
	json_t			*arr;
	int			 c, json = 0, all = 0, rc;
	size_t			 i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ajh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _("usage: triage outbox [--all] [--json]"));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind != argc)
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage outbox [--all] [--json]")));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	mask = OUTBOX_MASK(OUTBOX_PENDING) | OUTBOX_MASK(OUTBOX_REJECTED) |
	    OUTBOX_MASK(OUTBOX_CONFLICT);
	if (all)
		mask |= OUTBOX_MASK(OUTBOX_APPLIED) |
		    OUTBOX_MASK(OUTBOX_DISCARDED) | OUTBOX_MASK(OUTBOX_RETRIED);
	if (replica_outbox_list(r, mask, &l, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		replica_close(r);
		return (rc);
	}
	if (json) {
		arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr,
			    cli_json_outbox_entry(&l.v[i]));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else {
		for (i = 0; i < l.n; i++) {
			e = &l.v[i];
			time_format_rfc3339(e->created_at, when);
			buf_reset(&b);
			if (e->reason != NULL)
				sanitize_line(&b, e->reason, strlen(e->reason),
				    0);
			printf("%6lld  %-9s %-14s #%-8lld %s %s\n",
			    (long long)e->seq, outbox_state_name(e->state),
			    e->type, (long long)e->ticket_number, when,
			    buf_cstr(&b));
		}
		if (l.n == 0)
			printf("%s\n", _("outbox empty"));
	}
	buf_free(&b);
	outbox_list_free(&l);
	replica_close(r);
	return (rc);
}
