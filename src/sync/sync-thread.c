/* sync-thread.c: the console's sync thread: rounds, back-off, status. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync-int.h"

/*
 * The thread owns its replica connection and its curl handles (DESIGN.md
 * section 4). It runs rounds back to back: push the outbox, pull to the
 * end, then a waiting pull that a commit anywhere answers at once and a
 * poke (a local change to push) or a stop cuts short. Failures back off
 * exponentially with jitter, on a timer, so an offline console retries
 * by itself and a poke retries at once.
 */
struct sync_thread {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct sync_cancel	 cancel;
	struct sync_status	 st;		/* under lock */
	char			*path;
	char			*cacert;
	int			 wakefd;
	int			 poked;		/* under lock: for the back-off */
};

static void
st_wake(struct sync_thread *t)
{
	char	 one = 1;

	(void)!write(t->wakefd, &one, 1);
}

/* Change the status under the lock and tell the UI. */
static void
st_set(struct sync_thread *t, enum sync_link s, const char *msg,
    int changed)
{
	pthread_mutex_lock(&t->lock);
	if (s == SYNC_OFFLINE && t->st.state != SYNC_OFFLINE)
		t->st.offline_since = time_now_ms();
	if (s == SYNC_ONLINE)
		t->st.last_ok = time_now_ms();
	t->st.state = s;
	if (msg != NULL)
		snprintf(t->st.message, sizeof t->st.message, "%s", msg);
	else if (s == SYNC_ONLINE)
		t->st.message[0] = '\0';
	if (changed)
		t->st.changes++;
	pthread_mutex_unlock(&t->lock);
	st_wake(t);
}

/*
 * After each page: the link works (online, or syncing with the rows so
 * far on the first sync), and the UI re-reads its window now rather than
 * at the end of the round (a window costs about a millisecond).
 */
static void
st_page(void *arg, const struct sync_report *rep)
{
	struct sync_thread	*t = arg;

	pthread_mutex_lock(&t->lock);
	if (t->st.state != SYNC_SYNCING) {
		t->st.state = SYNC_ONLINE;
		t->st.last_ok = time_now_ms();
		t->st.message[0] = '\0';
	}
	t->st.changes++;
	t->st.rows = rep->pulled;
	t->st.permille = sync_permille(rep);
	pthread_mutex_unlock(&t->lock);
	st_wake(t);
}

/* Wait up to ms, or until poked or stopped; 1 if poked. */
static int
sync_sleep(struct sync_thread *t, int64_t ms)
{
	struct timespec	 ts;
	int		 poked;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&t->lock);
	while (!t->poked && !__atomic_load_n(&t->cancel.stopped,
	    __ATOMIC_SEQ_CST))
		if (pthread_cond_timedwait(&t->cond, &t->lock, &ts) ==
		    ETIMEDOUT)
			break;
	poked = t->poked;
	t->poked = 0;
	pthread_mutex_unlock(&t->lock);
	return (poked);
}

static void *
sync_main(void *arg)
{
	struct sync_thread	*t = arg;
	struct sync_opts	 o;
	struct sync_report	 rep;
	struct replica		*r = NULL;
	char			*cause = NULL;
	int64_t			 backoff = 1000, before, cursor;
	int			 rc, first;

	thread_background();
	memset(&o, 0, sizeof o);
	o.cacert = t->cacert;
	o.cancel = &t->cancel;
	if (replica_open(t->path, 0, &r, &cause) != 0) {
		st_set(t, SYNC_OFFLINE, cause, 0);
		free(cause);
		return (NULL);
	}
	while (!__atomic_load_n(&t->cancel.stopped, __ATOMIC_SEQ_CST)) {
		if (!sync_logged_in(r)) {
			st_set(t, SYNC_NOT_LOGGED_IN, NULL, 0);
			sync_sleep(t, 5000);
			continue;
		}
		first = replica_sync_cursor(r, &cursor, &cause) == 0 &&
		    cursor == 0;
		free(cause);
		cause = NULL;
		if (first)
			st_set(t, SYNC_SYNCING, NULL, 0);
		pthread_mutex_lock(&t->lock);
		t->st.rows = 0;
		t->st.permille = -1;
		pthread_mutex_unlock(&t->lock);
		rc = sync_round(r, &o, 25, &rep, st_page, t, &cause);
		if (rc == SYNC_ERR_STOPPED) {
			free(cause);
			break;
		}
		o.idle_cursor = 0;
		if (rc == 0) {
			st_set(t, SYNC_ONLINE, NULL, rep.pulled > 0 ||
			    rep.pushed > 0 || rep.notified > 0);
			o.idle_cursor = rep.cursor;
			backoff = 1000;
			continue;
		}
		log_warnx("sync: %s", cause);
		st_set(t, rc == SYNC_ERR_AUTH ? SYNC_AUTH_FAILED :
		    SYNC_OFFLINE, cause, rep.pulled > 0 || rep.pushed > 0 ||
		    rep.notified > 0);
		free(cause);
		cause = NULL;
		/*
		 * Back off with jitter. A poke (a change made meanwhile)
		 * retries at once, but does not lengthen the next pause.
		 */
		if (rc == SYNC_ERR_AUTH)
			backoff = 60000;
		before = backoff;
		if (sync_sleep(t, sync_backoff(&backoff)))
			backoff = before;
	}
	replica_close(r);
	return (NULL);
}

struct sync_thread *
sync_thread_start(const char *path, const char *cacert, int wakefd,
    char **cause)
{
	struct sync_thread	*t;

	t = xcalloc(1, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	sync_cancel_init(&t->cancel);
	t->path = xstrdup(path);
	t->cacert = cacert != NULL ? xstrdup(cacert) : NULL;
	t->wakefd = wakefd;
	t->st.state = SYNC_CONNECTING;
	if (pthread_create(&t->thread, NULL, sync_main, t) != 0) {
		*cause = xstrdup(_("cannot start the sync thread"));
		sync_cancel_free(&t->cancel);
		free(t->path);
		free(t->cacert);
		free(t);
		return (NULL);
	}
	return (t);
}

/* There is something to push: now, not after the waiting pull. */
void
sync_thread_poke(struct sync_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	t->poked = 1;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	sync_cancel_poke(&t->cancel, 0);
}

void
sync_thread_status(struct sync_thread *t, struct sync_status *out)
{
	pthread_mutex_lock(&t->lock);
	*out = t->st;
	pthread_mutex_unlock(&t->lock);
}

/* Stop at once: transfers in flight are cut, the thread joined. */
void
sync_thread_stop(struct sync_thread *t)
{
	if (t == NULL)
		return;
	/* The flag first, then the wake-ups: a back-off wait sees it. */
	sync_cancel_poke(&t->cancel, 1);
	pthread_mutex_lock(&t->lock);
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	sync_cancel_free(&t->cancel);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t->path);
	free(t->cacert);
	free(t);
}
