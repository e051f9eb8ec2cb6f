/* worker.c: the console's background reader: counts and searches on its own connection. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui-int.h"

/*
 * Counting a saved view or searching five million messages can take tens
 * of milliseconds; done here, a key is never kept waiting for them. The
 * worker owns its own replica connection (DESIGN.md section 4) and talks
 * to the UI thread through two mutex-guarded lists and a byte on a pipe.
 */
struct worker_job_item {
	enum worker_job		 job;
	uint64_t		 tag;
	char			*text;
	size_t			 limit;
	enum queue_sort		 sort;		/* JOB_POSITION */
	struct ticket		 keys;		/* JOB_POSITION: sort keys only */
	struct worker_job_item	*next;
};

struct worker_done {
	struct worker_result	 res;
	struct worker_done	*next;
};

struct worker {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct worker_job_item	*jobs;		/* FIFO */
	struct worker_done	*done;		/* FIFO */
	int			 stop;
	int			 wakefd;
	struct replica		*r;
};

static void
worker_job_free(struct worker_job_item *j)
{
	free(j->text);
	free(j);
}

/* Run one job into res. */
static void
worker_do(struct worker *w, struct worker_job_item *j, struct worker_result *res)
{
	struct queue		*q;
	struct query_error	 err;
	char			*cause = NULL;

	memset(res, 0, sizeof *res);
	res->job = j->job;
	res->tag = j->tag;
	res->text = xstrdup(j->text);
	if (j->job == JOB_POSITION) {
		memcpy(res->id, j->keys.id, sizeof res->id);
		if (replica_queue_open(w->r, j->text, j->sort, &q, &err) != 0) {
			res->error = err.message != NULL ? err.message :
			    xstrdup(_("bad query"));
			return;
		}
		if (replica_queue_position(q, &j->keys, &res->count,
		    &cause) != 0)
			res->error = cause;
		replica_queue_close(q);
	} else if (j->job == JOB_COUNT) {
		if (replica_queue_open(w->r, j->text, QUEUE_SORT_UPDATED, &q,
		    &err) != 0) {
			res->error = err.message != NULL ? err.message :
			    xstrdup(_("bad query"));
			return;
		}
		if (replica_queue_count(q, &res->count, &cause) != 0)
			res->error = cause;
		replica_queue_close(q);
	} else if (replica_search(w->r, j->text, j->limit, SEARCH_PREFIX,
	    &res->hits, &cause) != 0)
		res->error = cause;
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct worker_job_item	*j;
	struct worker_done	*d, **tail;
	char			 one = 1;

	thread_background();
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->jobs == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		j = w->jobs;
		w->jobs = j->next;
		pthread_mutex_unlock(&w->lock);

		d = xcalloc(1, sizeof *d);
		worker_do(w, j, &d->res);
		worker_job_free(j);

		pthread_mutex_lock(&w->lock);
		for (tail = &w->done; *tail != NULL; tail = &(*tail)->next)
			;
		*tail = d;
		if (write(w->wakefd, &one, 1) == -1 && errno != EAGAIN)
			log_warnx("worker: wake: %s", strerror(errno));
	}
	pthread_mutex_unlock(&w->lock);
	return (NULL);
}

/* Start the worker on its own connection to the replica at path. */
struct worker *
worker_start(const char *path, int wakefd, char **cause)
{
	struct worker	*w;

	w = xcalloc(1, sizeof *w);
	w->wakefd = wakefd;
	if (replica_open(path, 0, &w->r, cause) != 0) {
		free(w);
		return (NULL);
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		*cause = xstrdup(_("cannot start the worker thread"));
		replica_close(w->r);
		free(w);
		return (NULL);
	}
	return (w);
}

/* Stop the worker, dropping what it has not done. */
void
worker_stop(struct worker *w)
{
	struct worker_job_item	*j;
	struct worker_done	*d;

	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while ((j = w->jobs) != NULL) {
		w->jobs = j->next;
		worker_job_free(j);
	}
	while ((d = w->done) != NULL) {
		w->done = d->next;
		worker_result_free(&d->res);
		free(d);
	}
	replica_close(w->r);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

/*
 * Queue a job. A queued job of the same kind and tag is replaced: only the
 * newest count of a view, or the newest search text, is worth doing.
 */
static void
worker_queue(struct worker *w, enum worker_job job, uint64_t tag,
    const char *text, size_t limit, enum queue_sort sort,
    const struct ticket *keys)
{
	struct worker_job_item	*j, **p;

	pthread_mutex_lock(&w->lock);
	for (p = &w->jobs; *p != NULL; p = &(*p)->next)
		if ((*p)->job == job && (*p)->tag == tag)
			break;
	if ((j = *p) == NULL) {
		j = xcalloc(1, sizeof *j);
		*p = j;
	} else
		free(j->text);
	j->job = job;
	j->tag = tag;
	j->text = xstrdup(text);
	j->limit = limit;
	j->sort = sort;
	if (keys != NULL) {
		memset(&j->keys, 0, sizeof j->keys);
		memcpy(j->keys.id, keys->id, sizeof j->keys.id);
		j->keys.number = keys->number;
		j->keys.priority = keys->priority;
		j->keys.updated_at = keys->updated_at;
		j->keys.sla_due = keys->sla_due;
	}
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Count the tickets a query matches, under tag. */
void
worker_count(struct worker *w, uint64_t tag, const char *query)
{
	worker_queue(w, JOB_COUNT, tag, query, 0, QUEUE_SORT_SLA, NULL);
}

/* Search, under tag, for at most limit hits. */
void
worker_search(struct worker *w, uint64_t tag, const char *text, size_t limit)
{
	worker_queue(w, JOB_SEARCH, tag, text, limit, QUEUE_SORT_SLA, NULL);
}

/* How many rows come before ticket keys in query's sort, under tag. */
void
worker_position(struct worker *w, uint64_t tag, const char *query,
    enum queue_sort sort, const struct ticket *keys)
{
	worker_queue(w, JOB_POSITION, tag, query, 0, sort, keys);
}

/* Take the oldest finished result; 0 when there is none. */
int
worker_take(struct worker *w, struct worker_result *res)
{
	struct worker_done	*d;

	pthread_mutex_lock(&w->lock);
	if ((d = w->done) != NULL)
		w->done = d->next;
	pthread_mutex_unlock(&w->lock);
	if (d == NULL)
		return (0);
	*res = d->res;
	free(d);
	return (1);
}

/* Free what a result owns. */
void
worker_result_free(struct worker_result *res)
{
	search_result_free(&res->hits);
	free(res->text);
	free(res->error);
	res->text = res->error = NULL;
}
