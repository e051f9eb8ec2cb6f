/* cli-outbox.c: `triage outbox`: local changes not yet accepted by the server. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * One entry as a line: seq, state, type, ticket, age and what it changes;
 * a second line with the server's reason for a rejection or conflict.
 */
static void
outbox_text_entry(struct replica *r, const struct outbox_entry *e,
    int64_t now, int ascii)
{
	struct buf	 b = BUF_INIT;
	char		 cell[64], *desc;

	buf_printf(&b, "%6lld  ", (long long)e->seq);
	cli_pad(&b, outbox_state_label(e->state), 10, 0);
	buf_putc(&b, ' ');
	cli_pad(&b, outbox_type_label(e->type), 10, 0);
	buf_putc(&b, ' ');
	cli_pad(&b, outbox_ticket_label(e, cell, sizeof cell), 8, 0);
	buf_putc(&b, ' ');
	time_format_relative(now - e->created_at, cell, sizeof cell);
	cli_pad(&b, cell, 5, CLI_PAD_RIGHT);
	buf_puts(&b, "  ");
	desc = replica_outbox_describe(r, e, ascii ? OUTBOX_TEXT_ASCII : 0);
	sanitize_line(&b, desc, strlen(desc), 0);
	free(desc);
	if (e->reason != NULL) {
		buf_printf(&b, "\n%8s", "");
		buf_puts(&b, e->state == OUTBOX_CONFLICT ? _("conflict: ") :
		    _("rejected: "));
		sanitize_line(&b, e->reason, strlen(e->reason), 0);
	}
	puts(buf_cstr(&b));
	buf_free(&b);
}

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
	unsigned int		 mask;
	char			*cause = NULL;
	json_t			*arr;
	int64_t			 now = time_now_ms();
	int			 c, json = 0, all = 0, rc, ascii;
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
	ascii = sanitize_locale_ascii();
	if (json) {
		arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr,
			    cli_json_outbox_entry(&l.v[i]));
		rc = cli_json_print(arr) == 0 ? 0 : EXIT_FAILURE;
	} else {
		for (i = 0; i < l.n; i++)
			outbox_text_entry(r, &l.v[i], now, ascii);
		if (l.n == 0)
			printf("%s\n", _("outbox empty"));
	}
	outbox_list_free(&l);
	replica_close(r);
	return (rc);
}
