/* cli-notify.c: `triage notifications` and `triage available`: the console's notifications view and away switch, for scripts. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define NOTIFY_USAGE	"usage: triage notifications [--unread] [--limit N] " \
	"[--json]\n       triage notifications read (--all | ID...)"

static json_t *
notify_json(const struct notification *n)
{
	char	 when[TIME_RFC3339_SIZE], read[TIME_RFC3339_SIZE];

	time_format_rfc3339(n->created_at, when);
	if (n->read_at != 0)
		time_format_rfc3339(n->read_at, read);
	return (json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o}",
	    "id", n->id, "kind", n->kind,
	    "ticket_number", n->number > 0 ? json_integer(n->number) :
	    json_null(),
	    "subject", n->subject != NULL ? json_string(n->subject) :
	    json_null(),
	    "actor", n->actor != NULL ? json_string(n->actor) : json_null(),
	    "detail", n->detail != NULL ? json_string(n->detail) : json_null(),
	    "created_at", when,
	    "read_at", n->read_at != 0 ? json_string(read) : json_null()));
}

static int
notify_list(struct replica *r, int unread, int64_t limit, int json)
{
	struct notification_list l;
	struct notification	*n;
	struct buf		 b = BUF_INIT, out = BUF_INIT;
	char			*cause = NULL, when[TIME_RFC3339_SIZE];
	json_t			*arr;
	size_t			 i;
	int			 rc = 0;

	if (replica_notify_list(r, unread, (size_t)limit, &l, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (rc);
	}
	if (json) {
		arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr, notify_json(&l.v[i]));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else
		for (i = 0; i < l.n; i++) {
			n = &l.v[i];
			buf_reset(&b);
			time_format_rfc3339(n->created_at, when);
			buf_printf(&b, "%s %s  ", n->read_at == 0 ? "*" : " ",
			    when);
			if (n->number > 0)
				buf_printf(&b, "#%lld ", (long long)n->number);
			buf_puts(&b, notification_kind_label(n->kind));
			if (n->actor != NULL)
				buf_printf(&b, _(" (by %s)"), n->actor);
			if (n->subject != NULL)
				buf_printf(&b, ": %s", n->subject);
			/* Names and subjects are data: the sanitiser. */
			buf_reset(&out);
			sanitize_line(&out, b.data, b.len, 0);
			printf("%s\n", buf_cstr(&out));
		}
	buf_free(&b);
	buf_free(&out);
	notification_list_free(&l);
	return (rc);
}

/* triage notifications [--unread] [--limit N] [--json] | read ... */
int
cli_notifications(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unread", no_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica	*r = NULL;
	char		*cause = NULL;
	int64_t		 limit = 50;
	int		 c, json = 0, unread = 0, all = 0, marked, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ul:ajh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			unread = 1;
			break;
		case 'l':
			if (cli_parse_count("--limit", optarg, 1, 100000,
			    &limit) != 0)
				return (EXIT_USAGE);
			break;
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
			printf("%s\n", _(NOTIFY_USAGE));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind < argc && strcmp(argv[optind], "read") == 0) {
		optind++;
		if (all == (optind < argc))
			return (cli_error(EXIT_USAGE, "%s", _(NOTIFY_USAGE)));
		if ((rc = cli_open(env, 0, &r)) != 0)
			return (rc);
		if (replica_notify_read(r, (const char *const *)argv + optind,
		    (size_t)(argc - optind), &marked, &cause) != 0) {
			rc = cli_error(EXIT_REPLICA, "%s", cause);
			free(cause);
		} else {
			printf(ngettext("%d notification marked read\n",
			    "%d notifications marked read\n",
			    (unsigned long)marked), marked);
			rc = 0;
		}
		replica_close(r);
		return (rc);
	}
	if (optind != argc || all)
		return (cli_error(EXIT_USAGE, "%s", _(NOTIFY_USAGE)));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	rc = notify_list(r, unread, limit, json);
	replica_close(r);
	return (rc);
}

/* triage available [yes|no] */
int
cli_available(struct cli_env *env, int argc, char **argv)
{
	struct replica	*r = NULL;
	char		*cause = NULL;
	int		 rc, yes;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "yes") != 0 &&
	    strcmp(argv[1], "no") != 0 && strcmp(argv[1], "--help") != 0))
		return (cli_error(EXIT_USAGE, "%s", _("usage: triage available "
		    "[yes|no]")));
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("%s\n", _("usage: triage available [yes|no]"));
		return (0);
	}
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	if (argc == 1) {
		printf("%s\n", replica_available(r) ? _("available") :
		    _("away"));
		replica_close(r);
		return (0);
	}
	yes = strcmp(argv[1], "yes") == 0;
	if (replica_set_available(r, yes, &cause) != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else
		printf("%s\n", yes ? _("available: new tickets may be "
		    "assigned to you") : _("away: new tickets go to others"));
	replica_close(r);
	return (rc);
}
