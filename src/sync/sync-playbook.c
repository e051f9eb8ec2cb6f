/* sync-playbook.c: the playbook fetched from git and indexed into a replica; the console's playbook thread. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "playbook/playbook.h"
#include "sync-int.h"

/*
 * Fetch url (branch, or the remote's HEAD) into its clone and index the
 * copy in use into r when it is not the one r has. Files skipped go to
 * warnings. Returns 0; SYNC_ERR_OFFLINE with *cause when the fetch failed
 * (kept as the replica's notice; rep->kept says whether a last good copy
 * is in use); SYNC_ERR_LOCAL with *cause when the replica or the clone
 * failed.
 */
int
sync_playbook(struct replica *r, const char *url, const char *branch,
    struct buf *warnings, struct playbook_report *rep, char **cause)
{
	struct replica_playbook	 st;
	struct playbook		 pb;
	char			*dir, *fetch_cause = NULL, *why = NULL;
	int			 rc = 0;

	memset(rep, 0, sizeof *rep);
	dir = playbook_dir(url);
	if (playbook_fetch(dir, url, branch, rep->commit, &rep->changed,
	    &fetch_cause) != 0) {
		if (replica_playbook_notice(r, fetch_cause, &why) != 0)
			free(why);
		rep->kept = rep->commit[0] != '\0';
		if (!rep->kept) {
			*cause = fetch_cause;
			free(dir);
			return (SYNC_ERR_OFFLINE);
		}
	}
	if (replica_playbook_state(r, &st, cause) != 0) {
		rc = SYNC_ERR_LOCAL;
		goto out;
	}
	free(st.notice);
	if (strcmp(st.commit, rep->commit) != 0) {
		/* A new commit, or a replica that never had this one. */
		if (playbook_read(dir, &pb, cause) != 0) {
			rc = SYNC_ERR_LOCAL;
			goto out;
		}
		if (warnings != NULL)
			buf_append(warnings, pb.warnings.data, pb.warnings.len);
		if (replica_playbook_store(r, &pb, cause) != 0)
			rc = SYNC_ERR_LOCAL;
		playbook_free(&pb);
		rep->changed = 1;
		/* Storing clears the notice: the fetch's failure stays. */
		if (rc == 0 && fetch_cause != NULL &&
		    replica_playbook_notice(r, fetch_cause, &why) != 0)
			free(why);
	} else if (fetch_cause == NULL &&
	    replica_playbook_notice(r, NULL, cause) != 0)
		rc = SYNC_ERR_LOCAL;
	if (rc == 0 && replica_playbook_state(r, &st, cause) == 0) {
		rep->macros = st.macros;
		rep->articles = st.articles;
		free(st.notice);
	} else if (rc == 0)
		rc = SYNC_ERR_LOCAL;
out:
	if (rc == 0 && fetch_cause != NULL) {
		*cause = fetch_cause;
		fetch_cause = NULL;
		rc = SYNC_ERR_OFFLINE;
	}
	free(fetch_cause);
	free(dir);
	return (rc);
}

/*
 * The variables of triage-playbook(5) for ticket number (0: none, so only
 * the agent's) into v, pointing into c (free it with
 * replica_macro_context_free). 0, or REPLICA_NOTFOUND or -1 with *cause.
 */
int
playbook_vars(struct replica *r, int64_t number,
    struct replica_macro_context *c, struct playbook_var v[PLAYBOOK_NVARS],
    char **cause)
{
	const char	*values[PLAYBOOK_NVARS];
	size_t		 i;
	int		 rc;

	if ((rc = replica_macro_context(r, number, c, cause)) != 0) {
		if (rc == REPLICA_NOTFOUND)
			*cause = xprintf(_("no ticket #%lld"),
			    (long long)number);
		return (rc);
	}
	/* In the order of playbook_var_names. */
	values[0] = c->customer_name;
	values[1] = c->customer_first_name;
	values[2] = c->ticket_number;
	values[3] = c->ticket_subject;
	values[4] = c->order_number;
	values[5] = c->order_tracking;
	values[6] = c->order_carrier;
	values[7] = c->agent_name;
	values[8] = c->agent_signature;
	for (i = 0; i < PLAYBOOK_NVARS; i++) {
		v[i].name = playbook_var_names[i];
		v[i].value = values[i];
	}
	return (0);
}

/*
 * The console's playbook thread: a fetch at start and every interval, on
 * its own replica connection, so a slow or unreachable remote holds up
 * neither the console nor the sync thread. The UI learns of a new copy or
 * a notice through wakefd and playbook_thread_changes().
 */
struct playbook_thread {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	char		*path;
	char		*url;
	char		*branch;
	int		 interval;	/* seconds */
	int		 wakefd;
	int		 stop;		/* under lock */
	int		 done;		/* under lock: the thread has ended */
	int		 detached;	/* under lock: it frees itself */
	uint64_t	 changes;	/* under lock */
};

#define PLAYBOOK_STOP_WAIT	2	/* seconds a quit waits for a fetch */

static void
playbook_thread_free(struct playbook_thread *t)
{
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t->path);
	free(t->url);
	free(t->branch);
	free(t);
}

static void *
playbook_main(void *arg)
{
	struct playbook_thread	*t = arg;
	struct playbook_report	 rep;
	struct replica		*r = NULL;
	struct timespec		 ts;
	char			*cause = NULL, one = 1;
	int			 rc;

	thread_background();
	if (replica_open(t->path, 0, &r, &cause) != 0) {
		log_warnx("playbook: %s", cause);
		free(cause);
		pthread_mutex_lock(&t->lock);
		t->stop = 1;	/* so the loop below ends at once */
		pthread_mutex_unlock(&t->lock);
	}
	pthread_mutex_lock(&t->lock);
	while (!t->stop && r != NULL) {
		pthread_mutex_unlock(&t->lock);
		rc = sync_playbook(r, t->url, t->branch, NULL, &rep, &cause);
		if (rc != 0) {
			/* The notice is in the replica; the log has it too. */
			log_warnx("playbook: %s", cause);
			free(cause);
			cause = NULL;
		}
		/* Under the lock: once stopped, wakefd may be closed. */
		pthread_mutex_lock(&t->lock);
		t->changes++;
		if (!t->stop)
			(void)!write(t->wakefd, &one, 1);
		pthread_mutex_unlock(&t->lock);

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += t->interval;
		pthread_mutex_lock(&t->lock);
		while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock,
		    &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->lock);
	replica_close(r);
	pthread_mutex_lock(&t->lock);
	t->done = 1;
	pthread_cond_broadcast(&t->cond);
	if (t->detached) {
		pthread_mutex_unlock(&t->lock);
		playbook_thread_free(t);
		return (NULL);
	}
	pthread_mutex_unlock(&t->lock);
	return (NULL);
}

/* Start fetching url into the replica at path every interval seconds. */
struct playbook_thread *
playbook_thread_start(const char *path, const char *url, const char *branch,
    int interval, int wakefd, char **cause)
{
	struct playbook_thread	*t;
	int			 error;

	t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	t->url = xstrdup(url);
	t->branch = branch != NULL && *branch != '\0' ? xstrdup(branch) : NULL;
	t->interval = interval > 0 ? interval : PLAYBOOK_INTERVAL;
	t->wakefd = wakefd;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if ((error = pthread_create(&t->thread, NULL, playbook_main, t)) != 0) {
		*cause = xprintf("pthread_create: %s", strerror(error));
		playbook_thread_free(t);
		return (NULL);
	}
	return (t);
}

/* How many fetches the thread has finished (the UI re-reads on a change). */
uint64_t
playbook_thread_changes(struct playbook_thread *t)
{
	uint64_t	 n;

	pthread_mutex_lock(&t->lock);
	n = t->changes;
	pthread_mutex_unlock(&t->lock);
	return (n);
}

/*
 * Stop. A fetch under way gets PLAYBOOK_STOP_WAIT seconds: libgit2 cannot
 * cut a connect short, and quitting must not wait for a remote's timeout;
 * after that the thread is left to end (and free itself) on its own.
 */
void
playbook_thread_stop(struct playbook_thread *t)
{
	struct timespec	 ts;

	if (t == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += PLAYBOOK_STOP_WAIT;
	pthread_mutex_lock(&t->lock);
	t->stop = 1;
	pthread_cond_broadcast(&t->cond);
	while (!t->done && pthread_cond_timedwait(&t->cond, &t->lock,
	    &ts) != ETIMEDOUT)
		;
	if (!t->done) {
		t->detached = 1;
		pthread_mutex_unlock(&t->lock);
		pthread_detach(t->thread);
		return;
	}
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	playbook_thread_free(t);
}
