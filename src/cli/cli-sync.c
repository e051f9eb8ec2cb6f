/* cli-sync.c: `triage login`, `triage logout` and `triage sync`. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "sync/sync.h"

/* Sync failures as exit statuses: 4 offline or server trouble, 5 auth. */
#define EXIT_SYNC	4
#define EXIT_AUTH	5

static int
cli_sync_status(int kind)
{
	switch (kind) {
	case 0:
		return (0);
	case SYNC_ERR_AUTH:
		return (EXIT_AUTH);
	case SYNC_ERR_LOCAL:
		return (EXIT_REPLICA);
	case SYNC_ERR_REFUSED:
		return (EXIT_USAGE);
	default:
		return (EXIT_SYNC);
	}
}

/* Read a password from the terminal without echo. */
static char *
cli_ask_password(void)
{
	struct termios	 old, quiet;
	char		*line = NULL;
	size_t		 cap = 0;
	FILE		*tty;
	int		 fd;

	if ((tty = fopen("/dev/tty", "r+e")) == NULL)
		return (NULL);
	fd = fileno(tty);
	fputs(_("Password: "), tty);
	fflush(tty);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (getline(&line, &cap, tty) < 0) {
		free(line);
		line = NULL;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (line != NULL)
		line[strcspn(line, "\r\n")] = '\0';
	return (line);
}

/* The replica now holds a token: only its owner may read it. */
static void
cli_protect(struct replica *r)
{
	const char	*path = replica_path(r);
	char		*side;

	chmod(path, 0600);
	side = xprintf("%s-wal", path);
	chmod(side, 0600);
	free(side);
	side = xprintf("%s-shm", path);
	chmod(side, 0600);
	free(side);
}

/* An http:// server other than this machine: nothing is encrypted. */
static int
cli_cleartext(const char *server)
{
	static const char *const local[] = { "localhost", "[::1]" };
	const char	*host = server + 7;
	size_t		 len, i;

	if (strncasecmp(server, "http://", 7) != 0)
		return (0);
	len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
	if (len > 4 && strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") == len)
		return (0);
	for (i = 0; i < nitems(local); i++)
		if (len == strlen(local[i]) &&
		    strncasecmp(host, local[i], len) == 0)
			return (0);
	return (1);
}

static const char cli_login_usage[] = N_("usage: triage login --server URL "
    "--email E [--password-file F] [--cacert FILE]");

/* triage login --server URL --email E [--password-file F] [--cacert F] */
int
cli_login(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "email", required_argument, NULL, 'e' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_opts	 so;
	struct replica		*r = NULL;
	const char		*server = NULL, *email = NULL, *pwfile = NULL;
	char			*pw, *cause = NULL;
	int			 c, rc;

	memset(&so, 0, sizeof so);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'e': email = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'C': so.cacert = optarg; break;
		case 'h':
			printf("%s\n", _(cli_login_usage));
			return (0);
		default:
			return (cli_error(EXIT_USAGE, "%s", _(cli_login_usage)));
		}
	}
	if (optind != argc || server == NULL || email == NULL)
		return (cli_error(EXIT_USAGE, "%s", _(cli_login_usage)));
	if (pwfile == NULL)
		pw = cli_ask_password();
	else if (secret_read(pwfile, &pw, &cause) != 0)
		pw = NULL;
	if (pw == NULL) {
		rc = cli_error(EXIT_USAGE, "%s", cause != NULL ? cause :
		    _("no password: give --password-file or run on a "
		    "terminal"));
		free(cause);
		return (rc);
	}
	if ((rc = cli_open(env, REPLICA_CREATE, &r)) != 0)
		goto out;
	if (cli_cleartext(server))
		cli_error(0, _("warning: %s is plain http: the password and "
		    "the token cross the network unencrypted; use https://"),
		    server);
	rc = sync_login(r, server, email, pw, &so, &cause);
	if (rc != 0) {
		rc = cli_error(cli_sync_status(rc), "%s", cause);
		free(cause);
		goto out;
	}
	cli_protect(r);
	printf(_("logged in to %s as %s\n"), server, email);
out:
	explicit_bzero(pw, strlen(pw));
	free(pw);
	replica_close(r);
	return (rc);
}

/* triage logout */
int
cli_logout(struct cli_env *env, int argc, char **argv)
{
	struct sync_opts so;
	struct replica	*r = NULL;
	char		*cause = NULL;
	int		 rc;

	(void)argv;
	if (argc != 1)
		return (cli_error(EXIT_USAGE, "%s",
		    _("usage: triage logout")));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	memset(&so, 0, sizeof so);
	if ((rc = sync_logout(r, &so, &cause)) != 0) {
		rc = cli_error(cli_sync_status(rc), "%s", cause);
		free(cause);
	} else
		printf("%s\n", _("logged out; unsent changes stay in the "
		    "outbox"));
	replica_close(r);
	return (rc);
}

/* On a terminal: a bar when the server said how far there is to go. */
static void
cli_sync_progress(void *arg, const struct sync_report *rep)
{
	int	*tty = arg, pm, i;
	char	 bar[31];

	if (!*tty)
		return;
	if ((pm = sync_permille(rep)) < 0) {
		fprintf(stderr, "\r%s %lld", _("rows applied:"),
		    (long long)rep->pulled);
		return;
	}
	for (i = 0; i < 30; i++)
		bar[i] = i < pm * 30 / 1000 ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %3d%% %s %lld", bar, pm / 10,
	    _("rows applied:"), (long long)rep->pulled);
}

/* triage sync [--once] [--cacert F]: in the foreground, for scripts. */
int
cli_sync(struct cli_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_opts	 so;
	struct sync_report	 rep;
	struct sync_cancel	 cancel;
	struct replica		*r = NULL;
	char			*cause = NULL;
	int			 c, rc, once = 0, tty = isatty(STDERR_FILENO);
	int64_t			 backoff = 1000, pause;

	memset(&so, 0, sizeof so);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': once = 1; break;
		case 'C': so.cacert = optarg; break;
		case 'h':
			printf("%s\n", _("usage: triage sync [--once] "
			    "[--cacert FILE]"));
			return (0);
		default:
			return (EXIT_USAGE);
		}
	}
	if (optind != argc)
		return (cli_error(EXIT_USAGE, "%s", _("usage: triage sync "
		    "[--once] [--cacert FILE]")));
	if ((rc = cli_open(env, 0, &r)) != 0)
		return (rc);
	/* Transfers through one multi handle reuse its connections. */
	sync_cancel_init(&cancel);
	so.cancel = &cancel;
	for (;;) {
		rc = sync_round(r, &so, once ? 0 : 25, &rep,
		    cli_sync_progress, &tty, &cause);
		so.idle_cursor = rc == 0 ? rep.cursor : 0;
		if (tty && rep.pages > 0)
			fputc('\n', stderr);
		if (rc == 0) {
			if (once || rep.pushed > 0 || rep.pulled > 0)
				printf(_("pushed %lld (%lld applied, %lld "
				    "rejected, %lld conflicts); pulled %lld "
				    "rows; cursor %lld\n"),
				    (long long)rep.pushed,
				    (long long)rep.applied,
				    (long long)rep.rejected,
				    (long long)rep.conflicts,
				    (long long)rep.pulled,
				    (long long)rep.cursor);
			fflush(stdout);
			backoff = 1000;
			if (once)
				break;
			continue;
		}
		if (once || rc == SYNC_ERR_AUTH || rc == SYNC_ERR_LOCAL) {
			rc = cli_error(cli_sync_status(rc), "%s", cause);
			free(cause);
			break;
		}
		/* Offline or server trouble: say so and try again later. */
		pause = sync_backoff(&backoff);
		log_warnx("%s; retrying in %.1f s", cause, pause / 1000.0);
		free(cause);
		cause = NULL;
		usleep((useconds_t)(pause * 1000));
	}
	sync_cancel_free(&cancel);
	replica_close(r);
	return (rc);
}
