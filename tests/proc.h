/* proc.h: run the triage binary as a real process and read what it printed (tests). */
#ifndef TRIAGE_TEST_PROC_H
#define TRIAGE_TEST_PROC_H

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "testutil.h"

struct run {
	int		 status;
	struct buf	 out;
	struct buf	 err;
};

/* Run the triage binary with args (NULL-terminated), stdin from a file. */
static inline void
run_triage_v(struct run *res, const char *in, const char *replica,
    va_list ap)
{
	const char	*argv[32];
	int		 n = 0, outp[2], errp[2], st, fd;
	pid_t		 pid;
	char		*cause = NULL;

	argv[n++] = testutil_triage();
	if (replica != NULL) {
		argv[n++] = "--replica";
		argv[n++] = replica;
	}
	while ((argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	ck_assert_int_eq(pipe(outp), 0);
	ck_assert_int_eq(pipe(errp), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (in != NULL) {
			if ((fd = open(in, O_RDONLY)) == -1)
				_exit(126);
			dup2(fd, 0);
			close(fd);
		}
		dup2(outp[1], 1);
		dup2(errp[1], 2);
		close(outp[0]);
		close(errp[0]);
		setenv("LANGUAGE", "C", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	buf_init(&res->out);
	buf_init(&res->err);
	/* Outputs here are small; stderr first cannot deadlock stdout. */
	if (buf_read_fd(&res->out, outp[0], 0, &cause) != 0 ||
	    buf_read_fd(&res->err, errp[0], 0, &cause) != 0)
		ck_abort_msg("%s", cause);
	close(outp[0]);
	close(errp[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	res->status = WEXITSTATUS(st);
}

/* Run the triage binary with args (NULL-terminated); collect output. */
static inline void
run_triage(struct run *res, const char *replica, ...)
{
	va_list	 ap;

	va_start(ap, replica);
	run_triage_v(res, NULL, replica, ap);
	va_end(ap);
}

/* The same with standard input from the file in. */
static inline void
run_triage_in(struct run *res, const char *in, const char *replica, ...)
{
	va_list	 ap;

	va_start(ap, replica);
	run_triage_v(res, in, replica, ap);
	va_end(ap);
}

/* Free a run's output. */
static inline void
run_free(struct run *res)
{
	buf_free(&res->out);
	buf_free(&res->err);
}

/* Parse the stdout of a successful run as JSON or fail with it. */
static inline json_t *
run_json(struct run *res)
{
	json_error_t	 e;
	json_t		*j;

	if (res->status != 0)
		ck_abort_msg("exit %d: %s", res->status, buf_cstr(&res->err));
	j = json_loads(buf_cstr(&res->out), 0, &e);
	if (j == NULL)
		ck_abort_msg("bad JSON (%s): %s", e.text, buf_cstr(&res->out));
	return (j);
}

/* Assert the run's stderr contains want. */
static inline void
run_err_has(struct run *res, const char *want)
{
	if (strstr(buf_cstr(&res->err), want) == NULL)
		ck_abort_msg("stderr \"%s\" lacks \"%s\"", buf_cstr(&res->err),
		    want);
}

/* One integer from a raw connection. */
static inline int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int64_t		 v;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (v);
}

/* Run SQL on a file through a separate raw connection. */
static inline void
raw_exec(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*err = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

#endif
