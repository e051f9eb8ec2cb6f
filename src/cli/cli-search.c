/* cli-search.c: `triage search`: ranked hits across the replica. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One hit as a line of text, matches in [brackets]. */
static void
search_text_line(const struct search_hit *h)
{
	struct buf	 b = BUF_INIT;
	char		 ref[48];

	if (h->kind == SEARCH_TICKET || h->kind == SEARCH_MESSAGE)
		snprintf(ref, sizeof ref, "#%lld", (long long)h->ticket_number);
	else
		snprintf(ref, sizeof ref, "%s", search_kind_name(h->kind));
	cli_fit(&b, ref, 9);
	buf_putc(&b, ' ');
	cli_fit(&b, h->title, 40);
	buf_puts(&b, "  ");
	cli_snippet(&b, h->snippet);
	printf("%s\n", buf_cstr(&b));
	buf_free(&b);
}

/* triage search TEXT [--limit N] [--json] */
int
cli_search(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct search_result	 res = { NULL, 0 };
	char			*text, *cause = NULL;
	json_t			*arr;
	int64_t			 limit = 20;
	int			 c, json = 0, rc;
	size_t			 i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_count("--limit", optarg, 1, 10000,
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
			printf("%s\n", _("usage: triage search TEXT "
			    "[--limit N] [--json]"));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind >= argc)
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage search TEXT [--limit N] [--json]")));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	text = cli_join_args(argc - optind, argv + optind);
	if (replica_search(r, text, (size_t)limit, 0, &res, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else if (json) {
		arr = json_array();
		for (i = 0; i < res.n; i++)
			json_array_append_new(arr,
			    cli_json_search_hit(&res.v[i]));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else {
		for (i = 0; i < res.n; i++)
			search_text_line(&res.v[i]);
		rc = res.n == 0 ? EXIT_NOTFOUND : 0;
		if (res.n == 0)
			fprintf(stderr, "%s\n", _("no matches"));
	}
	search_result_free(&res);
	free(text);
	replica_close(r);
	return (rc);
}
