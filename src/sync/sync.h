/* sync.h: the public interface of the sync part: login, pull, push with a triage server. */
#ifndef TRIAGE_SYNC_H
#define TRIAGE_SYNC_H

#include <stdint.h>

#include "replica/replica.h"

/*
 * A replica is logged in when its settings hold "server", "token" and
 * "client_id"; "user_id" is then the server's id of the agent. The token
 * stays in the replica (a 0600 file) and in memory: never in argv, logs
 * or JSON output.
 */
struct sync_opts {
	const char	*cacert;	/* a private CA's certificates, or NULL */
	long		 connect_timeout;	/* seconds; 0: 10 */
};

int	 sync_login(struct replica *, const char *server, const char *email,
	     const char *password, const struct sync_opts *, char **cause);
int	 sync_logout(struct replica *, const struct sync_opts *, char **cause);
int	 sync_logged_in(struct replica *);

/* What one round did. */
struct sync_report {
	int64_t		 pushed;	/* mutations sent */
	int64_t		 applied, rejected, conflicts;
	int64_t		 pulled;	/* rows applied */
	int64_t		 pages;
	int64_t		 cursor;
};

/*
 * One round: push the outbox in seq order, then pull pages until caught
 * up (with wait > 0, the last pull waits that long for a change). Each
 * page is applied in one SQLite transaction with the cursor. progress, if
 * set, is called after each page with the rows applied so far.
 */
int	 sync_round(struct replica *, const struct sync_opts *, int wait,
	     struct sync_report *, void (*progress)(void *, int64_t),
	     void *, char **cause);

/* What the functions above return: 0, or what kind of failure. */
#define SYNC_ERR_OFFLINE	1	/* no answer: retry later */
#define SYNC_ERR_AUTH		2	/* 401: log in again */
#define SYNC_ERR_SERVER		3	/* 5xx or a bad answer: retry later */
#define SYNC_ERR_LOCAL		4	/* the replica failed */
#define SYNC_ERR_REFUSED	5	/* 4xx: the request itself is wrong */

#endif
