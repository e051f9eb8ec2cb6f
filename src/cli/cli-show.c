/* cli-show.c: `triage show`: one ticket with its thread. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Print a labelled header line, data sanitised. */
static void
show_field(const char *label, const char *value)
{
	struct buf	 b = BUF_INIT;

	cli_pad(&b, label, 12, 0);
	buf_putc(&b, ' ');
	sanitize_line(&b, value != NULL ? value : "-",
	    value != NULL ? strlen(value) : 1, 0);
	puts(buf_cstr(&b));
	buf_free(&b);
}

/* The plain-text form of a ticket for a terminal or a pipe. */
static void
show_text(const struct ticket_detail *d)
{
	const struct message	*m;
	struct buf		 b = BUF_INIT;
	char			 when[TIME_RFC3339_SIZE], num[32];
	const char		*kind;
	char			*tags;
	size_t			 i;

	if (d->t.number != 0)
		snprintf(num, sizeof num, "#%lld", (long long)d->t.number);
	else
		snprintf(num, sizeof num, "%s", _("new"));
	show_field(_("Ticket"), num);
	show_field(_("Subject"), d->t.subject);
	show_field(_("Status"), ticket_status_label(d->t.status));
	show_field(_("Priority"), ticket_priority_label(d->t.priority));
	show_field(_("Customer"), d->t.customer);
	show_field(_("Assignee"), d->t.assignee);
	show_field(_("Team"), d->t.team);
	show_field(_("Category"), d->t.category);
	tags = tags_text(d->t.tags);
	show_field(_("Tags"), tags);
	free(tags);
	for (i = 0; i < d->nmessages; i++) {
		m = &d->messages[i];
		if (m->internal)
			kind = _("internal note");
		else if (strcmp(m->author, "customer") == 0)
			kind = _("customer");
		else if (strcmp(m->author, "agent") == 0)
			kind = _("agent");
		else
			kind = _("system");
		time_format_rfc3339(m->created_at, when);
		buf_reset(&b);
		sanitize_line(&b, m->author_name != NULL ? m->author_name : "",
		    m->author_name != NULL ? strlen(m->author_name) : 0, 0);
		printf("\n--- %s, %s, %s", kind, buf_cstr(&b), when);
		if (m->state != SYNC_SYNCED)
			printf(" [%s]", sync_state_name(m->state));
		else if (m->delivery != NULL) {
			fputs(" [", stdout);
			cli_out(stdout, m->delivery, 0);
			putchar(']');
		}
		printf("\n");
		buf_reset(&b);
		sanitize_line(&b, m->body, strlen(m->body),
		    SANITIZE_KEEP_NEWLINES);
		printf("%s\n", buf_cstr(&b));
	}
	buf_free(&b);
}

/* triage show NUMBER [--json] */
int
cli_show(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica		*r = NULL;
	struct ticket_detail	*d = NULL;
	char			*cause = NULL;
	int64_t			 number;
	int			 c, json = 0, rc;

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
			printf("%s\n", _("usage: triage show NUMBER [--json]"));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage show NUMBER [--json]")));
	if (cli_parse_number(argv[optind], &number) != 0)
		return (cli_error(EXIT_USAGE, _("not a ticket number: \"%s\""),
		    argv[optind]));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	rc = replica_ticket_get(r, number, NULL, &d, &cause);
	if (rc == REPLICA_NOTFOUND)
		rc = cli_error(EXIT_NOTFOUND, _("no ticket #%lld"),
		    (long long)number);
	else if (rc != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
	} else if (json)
		rc = cli_json_print(cli_json_ticket_detail(d)) == 0 ? 0 :
		    EXIT_FAILURE;
	else {
		show_text(d);
		rc = 0;
	}
	ticket_detail_free(d);
	replica_close(r);
	return (rc);
}
