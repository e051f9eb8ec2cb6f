/* log.c: a small logger that writes to a file or to stderr. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base.h"

/*
 * The log destination is process-wide state, set once at start-up by main
 * and guarded by a mutex because the sync thread logs too.
 */
static FILE		*log_file;
static enum log_level	 log_level = LOG_LEVEL_WARN;
static int		 log_quiet;
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;

/* Send log lines to path (appending, mode 0600) or, with NULL, to stderr. */
void
log_open(const char *path, enum log_level level)
{
	FILE	*f = NULL;
	int	 fd;

	if (path != NULL) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd != -1 && (f = fdopen(fd, "a")) == NULL)
			close(fd);
	}
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	log_level = level;
	pthread_mutex_unlock(&log_lock);
}

/* With quiet set, nothing goes to stderr (the console owns the terminal). */
void
log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

/* Close the log file. */
void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

static void log_vwrite(enum log_level, const char *, va_list) printflike(2, 0);

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	FILE		*f;
	struct buf	 line = BUF_INIT;
	char		 stamp[32], *msg;
	struct timespec	 ts;
	struct tm	 tm;

	if (level > log_level)
		return;
	/*
	 * One line, through the sanitiser: a message can quote a request's
	 * path or a peer's words, which must not forge lines or send escape
	 * sequences to whoever reads the log on a terminal.
	 */
	xvasprintf(&msg, fmt, ap);
	sanitize_line(&line, msg, strlen(msg), 0);
	free(msg);
	pthread_mutex_lock(&log_lock);
	f = log_file != NULL ? log_file : (log_quiet ? NULL : stderr);
	if (f != NULL) {
		if (f != stderr) {
			clock_gettime(CLOCK_REALTIME, &ts);
			gmtime_r(&ts.tv_sec, &tm);
			strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
			fprintf(f, "%s ", stamp);
		} else
			fputs("triage: ", f);
		fputs(buf_cstr(&line), f);
		fputc('\n', f);
		fflush(f);
	}
	pthread_mutex_unlock(&log_lock);
	buf_free(&line);
}

/* Log a warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

/* Log an informational line. */
void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

/* Log a debugging line. */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/* Report a broken invariant and abort. */
void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	if (log_file != NULL) {
		fputs("triage: fatal: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	abort();
}

/* Report a failed system call with errno and abort. */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 saved = errno;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	fatalx("%s: %s", msg != NULL ? msg : fmt, strerror(saved));
}
