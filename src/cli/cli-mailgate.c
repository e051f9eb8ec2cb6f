/* cli-mailgate.c: `triage mailgate`: one RFC 5322 message on stdin, from an MTA's pipe, into a ticket (GMime parses it). */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "cli.h"
#include "server/server.h"
#include "sync/sync.h"

/* sysexits(3): an MTA bounces the permanent ones and retries the rest. */
#define EX_OK_		0
#define EX_USAGE_	64
#define EX_DATAERR_	65
#define EX_NOINPUT_	66
#define EX_SOFTWARE_	70
#define EX_TEMPFAIL_	75
#define EX_NOPERM_	77
#define EX_CONFIG_	78

#define MAILGATE_MAX		(32 * 1024 * 1024)	/* the whole message */

#define MAILGATE_USAGE	"usage: triage mailgate (--db CONNINFO --org NAME | " \
	"--server URL --token-file F) [--cacert FILE] < message"

static int mailgate_fail(int, const char *, ...) printflike(2, 3);

static int
mailgate_fail(int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_verror("triage mailgate", fmt, ap);
	va_end(ap);
	return (status);
}

/* mailgate --server: the parsed mail to POST /v1/inbound. */
static int
mailgate_post(const char *server, const char *token, const char *cacert,
    const struct inbound *m, struct inbound_result *res, long *status,
    char **cause)
{
	struct sync_opts	 o;
	json_t			*j, *a, *reply;
	char			*body;
	size_t			 i;
	int			 rc;

	j = json_pack("{s:s, s:o, s:s, s:o, s:s}", "from", m->from, "name",
	    m->name != NULL ? json_string(m->name) : json_null(), "subject",
	    m->subject, "message_id", m->message_id != NULL ?
	    json_string(m->message_id) : json_null(), "body", m->body);
	a = json_array();
	for (i = 0; i < m->nrefs; i++)
		json_array_append_new(a, json_string(m->refs[i]));
	json_object_set_new(j, "refs", a);
	a = json_array();
	for (i = 0; i < m->nfiles; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}",
		    "name", m->files[i].name, "mime", m->files[i].mime,
		    "content", m->files[i].b64, "size",
		    (json_int_t)m->files[i].len));
	json_object_set_new(j, "attachments", a);
	body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (body == NULL) {
		*cause = xstrdup(_("the message cannot be sent as JSON"));
		return (SYNC_ERR_REFUSED);
	}
	memset(&o, 0, sizeof o);
	o.cacert = cacert;
	*status = 0;
	rc = sync_post_json(server, token, "/v1/inbound", body, &o, status,
	    &reply, cause);
	free(body);
	if (rc != 0)
		return (rc);
	memset(res, 0, sizeof *res);
	res->number = json_integer_value(json_object_get(reply, "number"));
	res->created = json_is_true(json_object_get(reply, "created"));
	res->reopened = json_is_true(json_object_get(reply, "reopened"));
	res->duplicate = json_is_true(json_object_get(reply, "duplicate"));
	res->files = (int)json_integer_value(json_object_get(reply,
	    "attachments"));
	json_decref(reply);
	return (0);
}

/* triage mailgate (--db CONNINFO --org NAME | --server URL --token-file F) */
int
cli_mailgate(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "org", required_argument, NULL, 'o' },
		{ "server", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct inbound		 m;
	struct inbound_result	 res;
	struct buf		 in = BUF_INIT;
	const char		*db = NULL, *org = NULL, *server = NULL;
	const char		*tokfile = NULL, *cacert = NULL;
	char			*cause = NULL, *token = NULL;
	long			 status;
	int			 c, rc, temporary;

	(void)env;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': org = optarg; break;
		case 's': server = optarg; break;
		case 't': tokfile = optarg; break;
		case 'c': cacert = optarg; break;
		case 'h':
			printf("%s\n", _(MAILGATE_USAGE));
			return (0);
		default:
			return (EX_USAGE_);
		}
	}
	if (optind != argc || (db == NULL) == (server == NULL) ||
	    (db != NULL && org == NULL) || (server != NULL && tokfile == NULL))
		return (mailgate_fail(EX_USAGE_, "%s", _(MAILGATE_USAGE)));
	if (buf_read_fd(&in, STDIN_FILENO, MAILGATE_MAX, &cause) != 0) {
		rc = mailgate_fail(EX_DATAERR_, _("the message: %s"), cause);
		free(cause);
		buf_free(&in);
		return (rc);
	}
	if (in.len == 0) {
		buf_free(&in);
		return (mailgate_fail(EX_NOINPUT_, "%s", _("no message on "
		    "standard input")));
	}
	g_mime_init();
	rc = mailgate_parse(in.data, in.len, &m, &cause);
	g_mime_shutdown();	/* all it gave is copied into m */
	buf_free(&in);
	if (rc != 0) {
		rc = mailgate_fail(EX_DATAERR_, "%s", cause);
		free(cause);
		inbound_free(&m);
		return (rc);
	}
	if (db != NULL) {
		if (server_inbound_db(db, org, &m, &res, &temporary,
		    &cause) != 0) {
			rc = mailgate_fail(temporary ? EX_TEMPFAIL_ :
			    EX_DATAERR_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
	} else {
		if (secret_read(tokfile, &token, &cause) != 0) {
			rc = mailgate_fail(EX_CONFIG_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
		rc = mailgate_post(server, token, cacert, &m, &res, &status,
		    &cause);
		explicit_bzero(token, strlen(token));
		free(token);
		if (rc != 0) {
			rc = mailgate_fail(rc == SYNC_ERR_AUTH ||
			    status == 403 ? EX_NOPERM_ :
			    rc == SYNC_ERR_REFUSED ? EX_DATAERR_ :
			    EX_TEMPFAIL_, "%s", cause);
			free(cause);
			inbound_free(&m);
			return (rc);
		}
	}
	/* The MTA's log: the ticket, never the sender or the text. */
	printf(res.duplicate ? _("#%lld: already filed\n") : res.created ?
	    _("#%lld: new ticket\n") : res.reopened ? _("#%lld: reopened\n") :
	    _("#%lld: added\n"), (long long)res.number);
	inbound_free(&m);
	return (EX_OK_);
}
