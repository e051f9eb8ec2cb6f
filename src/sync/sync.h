/* sync.h: the public interface of the sync part: login, pull, push with a triage server. */
#ifndef TRIAGE_SYNC_H
#define TRIAGE_SYNC_H

#include <stdint.h>

#include "playbook/playbook.h"
#include "replica/replica.h"

/*
 * A replica is logged in when its settings hold "server", "token" and
 * "client_id"; "user_id" is then the server's id of the agent. The token
 * stays in the replica (a 0600 file) and in memory: never in argv, logs
 * or JSON output.
 */
/*
 * A way to cut transfers short from another thread: a poke ends a
 * waiting pull (there is something to push), a stop ends everything at
 * once (the console quits). Transfers then go through a curl multi
 * handle that curl_multi_wakeup() interrupts.
 */
struct sync_cancel {
	void		*multi;		/* CURLM * */
	int		 poked;		/* atomic */
	int		 stopped;	/* atomic */
};
void	 sync_cancel_init(struct sync_cancel *);
void	 sync_cancel_free(struct sync_cancel *);
void	 sync_cancel_poke(struct sync_cancel *, int stop);

struct sync_opts {
	const char	*cacert;	/* a private CA's certificates, or NULL */
	long		 connect_timeout;	/* seconds; 0: 10 */
	struct sync_cancel *cancel;	/* NULL: transfers run to the end */
	/*
	 * The cursor the caller's last round ended caught up at (0: none).
	 * While the replica is still there and nothing is pushed, a round's
	 * first pull is already the waiting one: one request per change.
	 */
	int64_t		 idle_cursor;
};

int	 sync_login(struct replica *, const char *server, const char *email,
	     const char *password, const struct sync_opts *, char **cause);
int	 sync_logout(struct replica *, const struct sync_opts *, char **cause);
int	 sync_logged_in(struct replica *);

/* What one round did. */
struct sync_report {
	int64_t		 pushed;	/* mutations sent */
	int64_t		 sent;		/* with the no-ops for seqs */
	int64_t		 applied, rejected, conflicts;
	int64_t		 pulled;	/* rows applied */
	int64_t		 notified;	/* notifications fetched */
	int64_t		 pages;
	int64_t		 cursor;
	/* Progress of a long pull: the cursor it started at and the
	 * server's last rev when it began (0: not known). */
	int64_t		 start, head;
};
/* How far a round's pull has come, in thousandths; -1 if not known. */
int	 sync_permille(const struct sync_report *);

/*
 * One round: push the outbox in seq order, then pull pages until caught
 * up (with wait > 0, the last pull waits that long for a change). Each
 * page is applied in one SQLite transaction with the cursor. progress, if
 * set, is called after each page with the report so far.
 */
int	 sync_round(struct replica *, const struct sync_opts *, int wait,
	     struct sync_report *,
	     void (*progress)(void *, const struct sync_report *),
	     void *, char **cause);

/*
 * The pause before retrying after a failure: *backoff ms (1 s at first)
 * give or take a quarter, at random, so clients that lost the same server
 * do not return in step; *backoff then doubles, up to a minute.
 */
int64_t	 sync_backoff(int64_t *backoff);

int	 sync_post_json(const char *server, const char *token,
	     const char *path, const char *body, const struct sync_opts *,
	     long *status, json_t **reply, char **cause);

/* What the functions above return: 0, or what kind of failure. */
#define SYNC_ERR_OFFLINE	1	/* no answer: retry later */
#define SYNC_ERR_AUTH		2	/* 401: log in again */
#define SYNC_ERR_SERVER		3	/* 5xx or a bad answer: retry later */
#define SYNC_ERR_LOCAL		4	/* the replica failed */
#define SYNC_ERR_REFUSED	5	/* 4xx: the request itself is wrong */
#define SYNC_ERR_STOPPED	6	/* cut short by sync_cancel_poke */

/*
 * sync-thread.c: the console's sync thread, on its own replica
 * connection. It writes a byte to wakefd whenever its status or the
 * replica changed; the UI then reads the status.
 */
enum sync_link {
	SYNC_NOT_LOGGED_IN,
	SYNC_CONNECTING,
	SYNC_SYNCING,		/* the first sync of an empty replica */
	SYNC_ONLINE,
	SYNC_OFFLINE,
	SYNC_AUTH_FAILED	/* the token was refused: log in again */
};
struct sync_status {
	enum sync_link	 state;
	int64_t		 offline_since;	/* ms */
	int64_t		 last_ok;	/* ms; 0: never */
	int64_t		 rows;		/* pulled by the first sync so far */
	int		 permille;	/* of it done; -1 if not known */
	uint64_t	 changes;	/* grows when the thread changed the replica */
	char		 message[256];	/* the last failure */
};
struct sync_thread;
struct sync_thread *sync_thread_start(const char *replica_path,
	     const char *cacert, int wakefd, char **cause);
void	 sync_thread_poke(struct sync_thread *);
void	 sync_thread_status(struct sync_thread *, struct sync_status *);
void	 sync_thread_stop(struct sync_thread *);

/*
 * sync-playbook.c: the playbook (issue 6) from its git repository into a
 * replica, for `triage macros sync` and, every PLAYBOOK_INTERVAL seconds
 * (playbook.interval), the console's playbook thread.
 */
#define PLAYBOOK_INTERVAL	300
struct playbook_report {
	char		 commit[41];	/* the copy in use, "" if none */
	int		 changed;	/* the replica has a new copy */
	int		 kept;		/* the fetch failed; the last good
					   copy stays in use */
	size_t		 macros;
	size_t		 articles;
};
int	 playbook_vars(struct replica *, int64_t number,
	     struct replica_macro_context *,
	     struct playbook_var[PLAYBOOK_NVARS], char **);
int	 sync_playbook(struct replica *, const char *url, const char *branch,
	     struct buf *warnings, struct playbook_report *, char **cause);
struct playbook_thread;
struct playbook_thread *playbook_thread_start(const char *replica_path,
	     const char *url, const char *branch, int interval, int wakefd,
	     char **cause);
uint64_t playbook_thread_changes(struct playbook_thread *);
void	 playbook_thread_stop(struct playbook_thread *);

#endif
