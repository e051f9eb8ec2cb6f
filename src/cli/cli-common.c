/* cli-common.c: what the non-interactive subcommands share: opening, errors, arguments. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Print "triage: message" to stderr and return status. */
int
cli_error(int status, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cli_verror("triage", fmt, ap);
	va_end(ap);
	return (status);
}

/*
 * "prefix: message" on stderr, through the display sanitiser: a message
 * can carry a server's words, a file name from a repository or a
 * customer's text.
 */
void
cli_verror(const char *prefix, const char *fmt, va_list ap)
{
	char	*msg;

	xvasprintf(&msg, fmt, ap);
	fprintf(stderr, "%s: ", prefix);
	cli_out(stderr, msg, 1);
	fputc('\n', stderr);
	free(msg);
}

/* Untrusted text to f, through the display sanitiser. */
void
cli_out(FILE *f, const char *s, int newlines)
{
	struct buf	 b = BUF_INIT;

	sanitize_line(&b, s != NULL ? s : "", s != NULL ? strlen(s) : 0,
	    newlines ? SANITIZE_KEEP_NEWLINES : 0);
	fputs(buf_cstr(&b), f);
	buf_free(&b);
}

/* The demo replica: $XDG_DATA_HOME/triage/demo.db. Caller frees. */
char *
cli_demo_path(void)
{
	char	*dir, *path;

	dir = path_data_dir();
	path = xprintf("%s/demo.db", dir);
	free(dir);
	return (path);
}

/*
 * Open the replica named by --replica, $TRIAGE_REPLICA or the default path.
 * Returns 0, or prints why not and returns EXIT_REPLICA.
 */
int
cli_open(struct cli_env *env, int flags, struct replica **r)
{
	char	*path, *cause = NULL;
	int	 rc;

	path = env->replica != NULL ? xstrdup(env->replica) :
	    replica_default_path();
	rc = replica_open(path, flags, r, &cause);
	free(path);
	if (rc != 0) {
		cli_error(EXIT_REPLICA, "%s", cause);
		free(cause);
		return (EXIT_REPLICA);
	}
	return (0);
}

/* Report a query error with the query and a caret under the token. */
void
cli_query_error(const char *query, const struct query_error *err)
{
	struct buf	 line = BUF_INIT;
	int		 i;

	cli_error(EXIT_USAGE, "%s: %s", _("query"), err->message != NULL ?
	    err->message : _("invalid query"));
	if (err->column <= 0 || query == NULL)
		return;
	sanitize_line(&line, query, strlen(query), 0);
	fprintf(stderr, "  %s\n  ", buf_cstr(&line));
	for (i = 1; i < err->column; i++)
		fputc(' ', stderr);
	for (i = 0; i < (err->length > 0 ? err->length : 1); i++)
		fputc('^', stderr);
	fputc('\n', stderr);
	buf_free(&line);
}

/* Parse a count option within [lo, hi]; prints the error itself. */
int
cli_parse_count(const char *opt, const char *s, int64_t lo, int64_t hi,
    int64_t *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		cli_error(EXIT_USAGE, _("%s: expected a number from %lld to "
		    "%lld, not \"%s\""), opt, (long long)lo, (long long)hi, s);
		return (-1);
	}
	*out = v;
	return (0);
}

/* Parse a ticket number, with or without a leading '#'. */
int
cli_parse_number(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s == '#')
		s++;
	if (!isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return (-1);
	*out = v;
	return (0);
}

/* Join arguments with spaces. Caller frees. */
char *
cli_join_args(int argc, char **argv)
{
	struct buf	 b = BUF_INIT;
	int		 i;

	for (i = 0; i < argc; i++) {
		if (i > 0)
			buf_putc(&b, ' ');
		buf_puts(&b, argv[i]);
	}
	return (buf_detach(&b));
}

/*
 * Move negated query terms ("-tag:spam") behind a "--" so getopt does not
 * take them for options; no option of ours contains a ':'. Returns a new
 * argv (the strings are borrowed); Caller frees the array.
 */
char **
cli_split_terms(int argc, char **argv, int *newargc)
{
	char	**v;
	int	  i, n = 0, dashdash = 0;

	v = xcalloc((size_t)argc + 2, sizeof *v);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
		if (i == 0 || !(argv[i][0] == '-' && argv[i][1] != '-' &&
		    strchr(argv[i], ':') != NULL))
			v[n++] = argv[i];
	}
	v[n++] = (char *)"--";
	for (i = 1; i < (dashdash ? dashdash : argc); i++)
		if (argv[i][0] == '-' && argv[i][1] != '-' &&
		    strchr(argv[i], ':') != NULL)
			v[n++] = argv[i];
	if (dashdash)
		for (i = dashdash + 1; i < argc; i++)
			v[n++] = argv[i];
	*newargc = n;
	return (v);
}

/* Append data text sanitised and padded to exactly cols cells. */
void
cli_fit(struct buf *b, const char *s, int cols)
{
	size_t	 used;

	used = sanitize_fit(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0,
	    cols, 0);
	while ((int)used++ < cols)
		buf_putc(b, ' ');
}

/*
 * Append text sanitised and padded with spaces to at least cols cells,
 * never cut: printf's "%-20s" counts bytes, so "Priorität" (or a number
 * grouped by a narrow no-break space) would come out a cell short.
 * CLI_PAD_RIGHT puts the spaces before the text (numbers, their headers).
 */
void
cli_pad(struct buf *b, const char *s, int cols, int flags)
{
	struct buf	 tmp = BUF_INIT;
	int		 w;

	sanitize_line(&tmp, s, strlen(s), 0);
	w = sanitize_width_str(tmp.data, tmp.len);
	if (!(flags & CLI_PAD_RIGHT))
		buf_append(b, tmp.data, tmp.len);
	for (; w < cols; w++)
		buf_putc(b, ' ');
	if (flags & CLI_PAD_RIGHT)
		buf_append(b, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* A search snippet: sanitised between its marks, drawn as brackets. */
void
cli_snippet(struct buf *b, const char *snippet)
{
	struct buf	 tmp = BUF_INIT;
	const char	*p;

	for (p = snippet; p != NULL && *p != '\0'; p++) {
		if (*p == SEARCH_MARK_ON || *p == SEARCH_MARK_OFF) {
			sanitize_line(b, tmp.data, tmp.len, 0);
			buf_reset(&tmp);
			buf_putc(b, *p == SEARCH_MARK_ON ? '[' : ']');
		} else
			buf_putc(&tmp, *p);
	}
	sanitize_line(b, tmp.data, tmp.len, 0);
	buf_free(&tmp);
}
