/* cli-reply.c: `triage reply`: queue a reply or an internal note. */
#include "config.h"

#include <sys/stat.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define REPLY_BODY_MAX	(1024 * 1024)	/* bytes */

static const char reply_usage[] = N_("usage: triage reply NUMBER [--note] "
    "(--body-file FILE | -m TEXT) [--json]");

/* Read the body from a file ("-": standard input); exit status or 0. */
static int
reply_read_body(const char *path, struct buf *b)
{
	struct stat	 sb;
	char		*cause = NULL;
	int		 rc;

	if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_size > REPLY_BODY_MAX)
		return (cli_error(EXIT_USAGE, _("body larger than %d bytes: "
		    "%s"), REPLY_BODY_MAX, path));
	if (buf_read_file(b, path, REPLY_BODY_MAX, &cause) != 0) {
		rc = cli_error(EXIT_USAGE, _("body: %s"), cause);
		free(cause);
		return (rc);
	}
	return (0);
}

/* triage reply NUMBER [--note] (--body-file FILE | -m TEXT) [--json] */
int
cli_reply(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", no_argument, NULL, 'n' },
		{ "body-file", required_argument, NULL, 'F' },
		{ "message", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "replica", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct replica	*r = NULL;
	struct buf	 body = BUF_INIT;
	const char	*file = NULL, *text = NULL, *type;
	char		*cause = NULL, id[UUID_STRLEN + 1];
	char		 msg_id[UUID_STRLEN + 1];
	json_t		*o;
	int64_t		 number, seq;
	int		 c, json = 0, note = 0, nbody = 0, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			note = 1;
			break;
		case 'F':
			file = optarg;
			nbody++;
			break;
		case 'm':
			text = optarg;
			nbody++;
			break;
		case 'j':
			json = 1;
			break;
		case 'R':
			env->replica = optarg;
			break;
		case 'h':
			printf("%s\n", _(reply_usage));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		return (cli_error(EXIT_USAGE, "%s", _(reply_usage)));
	if (nbody != 1)
		return (cli_error(EXIT_USAGE, "%s", _("give the body once, "
		    "with either --body-file or -m")));
	if (cli_parse_number(argv[optind], &number) != 0)
		return (cli_error(EXIT_USAGE, _("not a ticket number: \"%s\""),
		    argv[optind]));
	if (file != NULL) {
		if ((rc = reply_read_body(file, &body)) != 0)
			goto out;
	} else
		buf_puts(&body, text);
	if (replica_act_body_check(body.data, body.len, &cause) != 0) {
		rc = cli_error(EXIT_USAGE, "%s", cause);
		free(cause);
		goto out;
	}

	if ((rc = cli_open(env, 0, &r)) != 0)
		goto out;
	rc = replica_ticket_id(r, number, id, &cause);
	if (rc == REPLICA_NOTFOUND) {
		rc = cli_error(EXIT_NOTFOUND, _("no ticket #%lld"),
		    (long long)number);
		goto out;
	}
	if (rc == 0 && replica_act_reply(r, id, buf_cstr(&body),
	    note ? REPLICA_REPLY_NOTE : 0, NULL,
	    NULL, msg_id, &seq, &cause) != 0)
		rc = -1;
	if (rc != 0) {
		rc = cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		goto out;
	}

	type = note ? "note" : "reply";
	if (json) {
		o = json_object();
		json_object_set_new(o, "ticket_number", json_integer(number));
		json_object_set_new(o, "message_id", json_string(msg_id));
		json_object_set_new(o, "seq", json_integer(seq));
		json_object_set_new(o, "type", json_string(type));
		rc = cli_json_print(o) == 0 ? 0 : EXIT_FAILURE;
	} else {
		printf(note ? _("queued note to #%lld (outbox seq %lld)\n") :
		    _("queued reply to #%lld (outbox seq %lld)\n"),
		    (long long)number, (long long)seq);
		rc = 0;
	}
out:
	buf_free(&body);
	replica_close(r);
	return (rc);
}
