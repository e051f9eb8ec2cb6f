/* cli-ls.c: `triage ls`: list tickets matching a query or saved view. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LS_PAGE		500

/* One table row for a ticket, every data field through the sanitiser. */
static void
ls_row(struct buf *b, const struct ticket *t, int64_t now)
{
	char	 num[32], sla[32], upd[32];

	if (t->number != 0)
		snprintf(num, sizeof num, "#%lld", (long long)t->number);
	else
		snprintf(num, sizeof num, "%s", _("new"));
	if (t->sla_due == REPLICA_NO_DUE)
		snprintf(sla, sizeof sla, "-");
	else if (t->sla_due <= now)
		snprintf(sla, sizeof sla, "%s", _("BREACHED"));
	else
		time_format_countdown(t->sla_due - now, sla, sizeof sla);
	time_format_relative(now - t->updated_at, upd, sizeof upd);
	buf_printf(b, "%-8s %c ", num, t->pending ? '*' : ' ');
	cli_fit(b, ticket_status_label(t->status), 8);
	buf_putc(b, ' ');
	cli_fit(b, ticket_priority_label(t->priority), 7);
	buf_putc(b, ' ');
	cli_fit(b, sla, 9);
	buf_putc(b, ' ');
	cli_fit(b, t->subject, 40);
	buf_putc(b, ' ');
	cli_fit(b, t->customer, 20);
	buf_putc(b, ' ');
	cli_fit(b, t->assignee != NULL ? t->assignee : "-", 16);
	buf_printf(b, " %s\n", upd);
}

/* triage ls [QUERY] [--view NAME] [--sort S] [--limit N] [--json] */
int
cli_ls(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "view", required_argument, NULL, 'v' },
		{ "sort", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct queue		*q = NULL;
	struct query_error	 err;
	struct saved_view	 view;
	struct ticket_list	 page, last = { NULL, 0 };
	struct buf		 out = BUF_INIT;
	const char		*view_name = NULL, *sort_name = NULL;
	char			*terms = NULL, *query = NULL, *cause = NULL;
	char			**av;
	json_t			*arr = NULL;
	int64_t			 limit = 100, shown = 0, total = 0, now;
	int			 ac, c, json = 0, sort, rc = EXIT_FAILURE, i;
	size_t			 want, k;

	memset(&view, 0, sizeof view);
	av = cli_split_terms(argc, argv, &ac);
	optind = 0;
	while ((c = getopt_long(ac, av, "v:s:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			view_name = optarg;
			break;
		case 's':
			sort_name = optarg;
			break;
		case 'n':
			if (cli_parse_count("--limit", optarg, 0, INT64_MAX,
			    &limit) != 0) {
				free(av);
				return (EXIT_USAGE);
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _("usage: triage ls [QUERY] [--view NAME] "
			    "[--sort sla|updated|priority|number] [--limit N] "
			    "[--json]"));
			free(av);
			return (0);
		default:
			free(av);
			return (EXIT_USAGE);
		}
	}
	terms = cli_join_args(ac - optind, av + optind);
	free(av);
	if ((rc = cli_open(env, 0, &r)) != 0)
		goto out;
	rc = EXIT_FAILURE;
	sort = QUEUE_SORT_UPDATED;
	if (view_name != NULL) {
		i = replica_view_get(r, view_name, &view, &cause);
		if (i == REPLICA_NOTFOUND) {
			rc = cli_error(EXIT_USAGE, _("no saved view \"%s\""),
			    view_name);
			goto out;
		}
		if (i != 0) {
			rc = cli_error(EXIT_REPLICA, "%s", cause);
			goto out;
		}
		query = xprintf("%s %s", view.query, terms);
		sort = view.sort;
	} else
		query = xstrdup(terms);
	if (sort_name != NULL && (sort = queue_sort_parse(sort_name)) < 0) {
		rc = cli_error(EXIT_USAGE, _("unknown sort \"%s\" (sla, updated, "
		    "priority, number)"), sort_name);
		goto out;
	}
	if (replica_queue_open(r, query, (enum queue_sort)sort, &q, &err) != 0) {
		if (err.column > 0 || view_name == NULL) {
			cli_query_error(query, &err);
			rc = EXIT_USAGE;
		} else
			rc = cli_error(EXIT_REPLICA, "%s", err.message);
		query_error_free(&err);
		goto out;
	}
	if (replica_queue_count(q, &total, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		goto out;
	}
	if (json)
		arr = json_array();
	now = time_now_ms();
	while (limit == 0 || shown < limit) {
		want = LS_PAGE;
		if (limit != 0 && (int64_t)want > limit - shown)
			want = (size_t)(limit - shown);
		if (replica_queue_fetch(q, last.n > 0 ? &last.v[last.n - 1] :
		    NULL, 0, want, &page, &cause) != 0) {
			rc = cli_error(EXIT_REPLICA, "%s", cause);
			goto out;
		}
		for (k = 0; k < page.n; k++) {
			if (json)
				json_array_append_new(arr,
				    cli_json_ticket(&page.v[k]));
			else
				ls_row(&out, &page.v[k], now);
		}
		shown += (int64_t)page.n;
		ticket_list_free(&last);
		last = page;
		if (!json) {
			fputs(buf_cstr(&out), stdout);
			buf_reset(&out);
		}
		if (page.n < want)
			break;
	}
	if (json)
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	else {
		fprintf(stderr, _("%lld of %lld tickets\n"), (long long)shown,
		    (long long)total);
		rc = 0;
	}
	arr = NULL;
out:
	json_decref(arr);
	ticket_list_free(&last);
	buf_free(&out);
	saved_view_clear(&view);
	replica_queue_close(q);
	replica_close(r);
	free(terms);
	free(query);
	free(cause);
	return (rc);
}
