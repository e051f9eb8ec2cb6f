/* serve.c: triage serve: options, start, signals and a clean stop. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "server-int.h"

static void
serve_usage(FILE *f)
{
	fprintf(f, "%s\n", _("usage: triage serve --db CONNINFO "
	    "[--listen ADDR:PORT] [--threads N] [--migrate]\n"
	    "                    [--max-body BYTES] [--max-wait SECONDS] "
	    "[--token-days DAYS]\n"
	    "                    [--jobs-interval SECONDS] [--smtp URL "
	    "--mail-from ADDRESS\n"
	    "                    [--smtp-auth-file FILE]]\n\n"
	    "  --db CONNINFO      the PostgreSQL database (libpq string or "
	    "URI;\n                     default $TRIAGE_DB)\n"
	    "  --listen ADDR:PORT where to listen (default 127.0.0.1:8787; "
	    "port 0 picks one)\n"
	    "  --threads N        request threads (default 4)\n"
	    "  --migrate          apply schema migrations first\n"
	    "  --max-body BYTES   largest request body (default 8388608)\n"
	    "  --max-wait SECONDS longest a pull may wait (default 60)\n"
	    "  --token-days DAYS  how long a login lasts (default 30)\n"
	    "  --jobs-interval SECONDS\n"
	    "                     how often SLA escalation and "
	    "auto-assignment run\n                     (default 60; 0: not "
	    "on this server)\n"
	    "  --smtp URL         send agents' replies to customers: "
	    "smtp://HOST:PORT or\n                     smtps://HOST:PORT\n"
	    "  --mail-from ADDRESS their From address\n"
	    "  --smtp-auth-file FILE\n                     USER:PASSWORD for "
	    "the SMTP server (mode 0600; TLS only)\n\n"
	    "It stops cleanly on SIGTERM or SIGINT: requests in flight "
	    "finish first."));
}

static int
serve_number(const char *opt, const char *s, long long min, long long max,
    long long *out)
{
	char		*end;
	long long	 n;

	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < min || n > max)
		return (admin_error(2, _("%s wants a number from %lld to %lld"),
		    opt, min, max));
	*out = n;
	return (0);
}

/* Check (or with --migrate bring up) the schema before serving. */
static int
serve_schema(const char *db, int migrate)
{
	PGconn	*c;
	char	*cause = NULL;
	int	 from, to, v, rc = 0;

	if ((c = pg_connect(db, &cause)) == NULL)
		goto fail;
	if (migrate) {
		if (pg_migrate(c, &from, &to, &cause) != 0)
			goto fail;
		if (from != to)
			log_info("schema %d -> %d", from, to);
	} else {
		if (pg_schema_version(c, &v, &cause) != 0)
			goto fail;
		if (v != SERVER_SCHEMA) {
			cause = xprintf(_("the database has schema %d, this "
			    "triage needs %d: run triage admin migrate (or "
			    "serve --migrate)"), v, SERVER_SCHEMA);
			goto fail;
		}
	}
	PQfinish(c);
	return (0);
fail:
	rc = admin_error(1, "%s", cause);
	free(cause);
	PQfinish(c);
	return (rc);
}

int
server_serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "max-wait", required_argument, NULL, 'w' },
		{ "token-days", required_argument, NULL, 'T' },
		{ "jobs-interval", required_argument, NULL, 'J' },
		{ "smtp", required_argument, NULL, 'S' },
		{ "mail-from", required_argument, NULL, 'F' },
		{ "smtp-auth-file", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const union MHD_DaemonInfo	*info;
	struct server		 srv;
	const char		*db = NULL, *listen = "127.0.0.1:8787";
	const char		*smtp = NULL, *from = NULL, *auth = NULL;
	struct mailer		 mailer;
	char			*cause = NULL;
	long long		 threads = 4, n, jobs = 60;
	int			 ch, migrate = 0, sig, rc;
	sigset_t		 set;

	log_open(NULL, LOG_LEVEL_INFO);
	memset(&srv, 0, sizeof srv);
	srv.max_body = 8 << 20;
	srv.max_wait = 60;
	srv.token_ttl = 30LL * 86400 * 1000;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 't':
			if (serve_number("--threads", optarg, 1, 256,
			    &threads) != 0)
				return (2);
			break;
		case 'm':
			migrate = 1;
			break;
		case 'b':
			if (serve_number("--max-body", optarg, 1024,
			    1LL << 30, &n) != 0)
				return (2);
			srv.max_body = (size_t)n;
			break;
		case 'w':
			if (serve_number("--max-wait", optarg, 1, 3600,
			    &n) != 0)
				return (2);
			srv.max_wait = (int)n;
			break;
		case 'T':
			if (serve_number("--token-days", optarg, 1, 3650,
			    &n) != 0)
				return (2);
			srv.token_ttl = n * 86400 * 1000;
			break;
		case 'J':
			if (serve_number("--jobs-interval", optarg, 0, 86400,
			    &jobs) != 0)
				return (2);
			break;
		case 'S':
			smtp = optarg;
			break;
		case 'F':
			from = optarg;
			break;
		case 'A':
			auth = optarg;
			break;
		case 'h':
			serve_usage(stdout);
			return (0);
		default:
			serve_usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return (2);
	}
	if ((db = admin_conninfo(db)) == NULL)
		return (admin_error(2, "%s", _("no database: give --db "
		    "CONNINFO or set TRIAGE_DB")));
	memset(&mailer, 0, sizeof mailer);
	if (smtp == NULL && (from != NULL || auth != NULL))
		return (admin_error(2, "%s", _("--mail-from and "
		    "--smtp-auth-file go with --smtp")));
	if (smtp != NULL && mail_config(&mailer, smtp, auth, from,
	    &cause) != 0) {
		rc = admin_error(2, "%s", cause);
		free(cause);
		return (rc);
	}
	if ((rc = serve_schema(db, migrate)) != 0) {
		mail_config_free(&mailer);
		return (rc);
	}

	/* Signals go to this thread only, through sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv.conninfo = db;
	srv.pool = pg_pool_new(db, (int)threads + 2);
	if (pg_pool_warm(srv.pool, &cause) != 0 ||
	    pull_start(&srv, &cause) != 0 ||
	    http_start(&srv, listen, (int)threads, &cause) != 0 ||
	    jobs_start(&srv, (int)jobs, smtp != NULL ? &mailer : NULL,
	    &cause) != 0) {
		rc = admin_error(1, "%s", cause);
		free(cause);
		http_stop(&srv);
		pull_stop(&srv);
		pg_pool_free(srv.pool);
		mail_config_free(&mailer);
		return (rc);
	}
	info = MHD_get_daemon_info(srv.mhd, MHD_DAEMON_INFO_BIND_PORT);
	log_info("listening on %.*s:%u (schema %d, %lld threads)",
	    (int)(strrchr(listen, ':') - listen), listen,
	    info != NULL ? (unsigned)info->port : 0u, SERVER_SCHEMA, threads);

	while (sigwait(&set, &sig) != 0)
		;
	log_info("stopping on signal %d: finishing requests in flight", sig);
	jobs_stop(&srv);
	http_stop(&srv);
	pull_stop(&srv);
	pg_pool_free(srv.pool);
	mail_config_free(&mailer);
	log_info("stopped");
	return (0);
}
