/*
 * bench-sync.c: the helpers of bench/sync.sh: a writer and an observer on
 * real replicas driven by the product's sync engine, and a watch over the
 * replicas of `triage sync` clients. Figures only; it never passes or
 * fails on a timing.
 *   bench-sync rss OUTFILE COMMAND [ARG...]
 *	run COMMAND and write its peak RSS in KB to OUTFILE (for machines
 *	without /usr/bin/time); exits as COMMAND did
 *   bench-sync queue REPLICA K NUMBER...
 *	queue K replies into REPLICA with no sync running (an agent working
 *	offline) and print the last one's message id
 *   bench-sync prop LABEL WRITER OBSERVER RATE SECONDS CLIENTS NUMBER...
 *	the writer queues RATE replies a second for SECONDS, round robin on
 *	the tickets NUMBER..., each body holding LABEL and its CLOCK_REALTIME
 *	time, and pokes its sync thread (as the console does); the
 *	observer's sync thread wakes this one after every page it commits,
 *	and each reply's latency is then - its time. CLIENTS is a file
 *	naming the replicas of `triage sync` clients ("-": none): how many
 *	of them hold every reply
 *   bench-sync catchup URL WRITER T0_NS MESSAGE_ID CLIENTS
 *	the server was started at T0_NS (CLOCK_REALTIME); wait until it
 *	accepts connections, start WRITER's sync thread to push what was
 *	queued meanwhile, and time until each client holds MESSAGE_ID
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "replica/replica.h"
#include "sync/sync.h"

#define MARK	"bench-sync prop"

/* Say what failed and stop. */
static __dead void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench-sync: %s: %s\n", what, cause);
	exit(1);
}

/* Wall-clock nanoseconds: comparable between processes. */
static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* Sleep n milliseconds. */
static void
sleep_ms(int n)
{
	struct timespec	 ts = { n / 1000, (long)(n % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* The p-th percentile of n sorted samples. */
static int64_t
pct(const int64_t *v, int n, int p)
{
	int	 i = (n * p) / 100;

	return (v[i < n ? i : n - 1]);
}

/* Nanoseconds as milliseconds. */
static double
ms(int64_t ns)
{
	return ((double)ns / 1e6);
}

/* The lines of a file (the client replicas); Caller frees. */
static char **
read_lines(const char *path, int *n)
{
	FILE	*f;
	char	**v = NULL, *line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	*n = 0;
	if ((f = fopen(path, "r")) == NULL)
		die(path, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (*line == '\0')
			continue;
		v = xreallocarray(v, (size_t)*n + 1, sizeof *v);
		v[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return (v);
}

/* A plain SQLite connection to a replica, for looking only. */
static sqlite3 *
db_open(const char *path)
{
	sqlite3	*db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	return (db);
}

/* A statement on a plain connection; any failure ends the program. */
static sqlite3_stmt *
db_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	return (s);
}

/* The replies of one run in a replica. */
static int64_t
db_count_marked(sqlite3 *db, const char *label)
{
	sqlite3_stmt	*s;
	char		*like = xprintf(MARK " %s %%", label);
	int64_t		 n = -1;

	s = db_prepare(db, "SELECT count(*) FROM messages WHERE body LIKE ?");
	sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	free(like);
	return (n);
}

/* A pipe for a sync thread's wake-ups that never blocks the thread. */
static void
wake_pipe(int fd[2])
{
	if (pipe2(fd, O_NONBLOCK | O_CLOEXEC) != 0)
		die("pipe", strerror(errno));
}

/* Read away the wake-ups so far. */
static void
drain(int fd)
{
	char	 b[512];

	while (read(fd, b, sizeof b) > 0)
		;
}

/* Wait until a sync thread is online; 0, or -1 after timeout ms. */
static int
wait_online(struct sync_thread *t, int timeout)
{
	struct sync_status	 st;
	int			 i;

	memset(&st, 0, sizeof st);
	for (i = 0; i < timeout / 10; i++) {
		sync_thread_status(t, &st);
		if (st.state == SYNC_ONLINE)
			return (0);
		sleep_ms(10);
	}
	fprintf(stderr, "bench-sync: sync thread not online: %s\n",
	    st.message);
	return (-1);
}

/* Resolve ticket numbers to ids in a replica. */
static char **
ticket_ids(struct replica *r, char **numbers, int n)
{
	char	**ids = xcalloc((size_t)n, sizeof *ids);
	char	 id[UUID_STRLEN + 1], *cause = NULL;
	int	 i, rc;

	for (i = 0; i < n; i++) {
		rc = replica_ticket_id(r, strtoll(numbers[i], NULL, 10), id,
		    &cause);
		if (rc == REPLICA_NOTFOUND)
			die(numbers[i], "no such ticket in the writer's replica");
		if (rc != 0)
			die(numbers[i], cause);
		ids[i] = xstrdup(id);
	}
	return (ids);
}

/* Open a replica; any failure ends the program. */
static struct replica *
open_replica(const char *path)
{
	struct replica	*r;
	char		*cause = NULL;

	if (replica_open(path, 0, &r, &cause) != 0)
		die(path, cause);
	return (r);
}

/* Run a command; its peak RSS (KB) into a file; its exit status. */
static int
bench_rss(const char *out, char **argv)
{
	struct rusage	 ru;
	FILE		*f;
	pid_t		 pid;
	int		 status;

	if ((pid = fork()) == -1)
		die("fork", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bench-sync: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		die("wait4", strerror(errno));
	if ((f = fopen(out, "w")) == NULL)
		die(out, strerror(errno));
	fprintf(f, "%ld\n", ru.ru_maxrss);
	fclose(f);
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	return (128 + WTERMSIG(status));
}

/* Queue k replies with no sync; print the last message id. */
static int
bench_queue(const char *path, int k, char **numbers, int nnumbers)
{
	struct replica	*r = open_replica(path);
	char		**ids = ticket_ids(r, numbers, nnumbers);
	char		 msg[UUID_STRLEN + 1], body[96], *cause = NULL;
	int64_t		 seq;
	int		 i;

	for (i = 0; i < k; i++) {
		snprintf(body, sizeof body, "bench-sync catchup %d %lld", i,
		    (long long)now_ns());
		if (replica_act_reply(r, ids[i % nnumbers], body, 0, NULL,
		    NULL, msg, &seq, &cause) != 0)
			die("reply", cause);
	}
	printf("%s\n", msg);
	for (i = 0; i < nnumbers; i++)
		free(ids[i]);
	free(ids);
	replica_close(r);
	return (0);
}

/* The writer: its own replica connection, its own sync thread. */
struct writer {
	struct replica		*r;
	struct sync_thread	*sync;
	const char		*label;
	char			**tickets;
	int			 ntickets;
	int			 rate;
	int			 n;		/* replies to queue */
	int64_t			*queue_ns;	/* replica_act_reply, each */
	int64_t			 late_ns;	/* the worst slip behind rate */
	int			 queued;
};

/* Queue a reply every 1/rate s, each poking the sync thread. */
static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	struct timespec	 start, at;
	char		 msg[UUID_STRLEN + 1], body[96], *cause = NULL;
	int64_t		 seq, t, period = 1000000000LL / w->rate, due;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < w->n; i++) {
		due = (int64_t)start.tv_sec * 1000000000 + start.tv_nsec +
		    i * period;
		at.tv_sec = due / 1000000000;
		at.tv_nsec = due % 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
		if (time_mono_ns() - due > w->late_ns)
			w->late_ns = time_mono_ns() - due;
		t = now_ns();
		snprintf(body, sizeof body, MARK " %s %d %lld", w->label, i,
		    (long long)t);
		if (replica_act_reply(w->r, w->tickets[i % w->ntickets], body,
		    0, NULL, NULL, msg, &seq, &cause) != 0) {
			fprintf(stderr, "bench-sync: reply: %s\n", cause);
			free(cause);
			break;
		}
		w->queue_ns[i] = now_ns() - t;
		w->queued++;
		sync_thread_poke(w->sync);
	}
	return (NULL);
}

/*
 * The observer: read the replies of this run it has not seen yet and
 * charge each with the time of the wake-up that brought them; split at
 * the server's created_at (the start of the push's transaction).
 */
static int
observe(sqlite3_stmt *s, const char *label, int64_t *last, int64_t woke,
    int64_t *lat, int64_t *up, int n)
{
	const char	*body;
	char		 l[32];
	long long	 t;
	int		 i, got = 0;

	sqlite3_bind_int64(s, 1, *last);
	while (sqlite3_step(s) == SQLITE_ROW) {
		*last = sqlite3_column_int64(s, 0);
		body = (const char *)sqlite3_column_text(s, 1);
		if (sscanf(body, MARK " %31s %d %lld", l, &i, &t) != 3 ||
		    strcmp(l, label) != 0 || i < 0 || i >= n || lat[i] >= 0)
			continue;
		lat[i] = woke - t;
		up[i] = sqlite3_column_int64(s, 2) * 1000000 - t;
		got++;
	}
	sqlite3_reset(s);
	return (got);
}

/* Keep the samples >= 0, sorted; how many. */
static int
samples(int64_t *v, int n)
{
	int	 i, k;

	for (i = 0, k = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	qsort(v, (size_t)k, sizeof *v, cmp_i64);
	return (k);
}

/* Poll the clients until each holds n replies, or until deadline. */
static int
clients_complete(char **paths, int nclients, const char *label, int64_t n,
    int64_t deadline, int64_t *least)
{
	sqlite3	**dbs = xcalloc((size_t)nclients, sizeof *dbs);
	int	 i, full;
	int64_t	 c;

	for (i = 0; i < nclients; i++)
		dbs[i] = db_open(paths[i]);
	for (;;) {
		full = 0;
		*least = n;
		for (i = 0; i < nclients; i++) {
			c = db_count_marked(dbs[i], label);
			if (c == n)
				full++;
			if (c < *least)
				*least = c;
		}
		if (full == nclients || now_ns() > deadline)
			break;
		sleep_ms(250);
	}
	for (i = 0; i < nclients; i++)
		sqlite3_close(dbs[i]);
	free(dbs);
	return (full);
}

/* Add the outbox's entries, by state, into v (sign: 1 or -1). */
static void
outbox_states(struct replica *r, int64_t *v, int sign)
{
	struct outbox_list	 ol;
	char			*cause = NULL;
	size_t			 i;

	if (replica_outbox_list(r, ~0u, &ol, &cause) != 0)
		die("outbox", cause);
	for (i = 0; i < ol.n; i++)
		if (ol.v[i].state <= OUTBOX_RETRIED)
			v[ol.v[i].state] += sign;
	outbox_list_free(&ol);
}

/* CPU seconds this process used so far. */
static double
cpu_s(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* One line of percentiles over n sorted samples of total. */
static void
print_pct(const char *what, int64_t *v, int n, int total)
{
	if (n == 0) {
		printf("  %s: none of %d\n", what, total);
		return;
	}
	printf("  %s: %d of %d; p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
	    what, n, total, ms(pct(v, n, 50)), ms(pct(v, n, 99)),
	    ms(v[n - 1]));
}

/*
 * Replies from the writer at rate for seconds; the latency of each to
 * the observer's replica; then whether the clients have them all.
 */
static int
bench_prop(const char *label, const char *wpath, const char *opath,
    int rate, int seconds, const char *clients, char **numbers,
    int nnumbers)
{
	struct writer		 w;
	struct sync_thread	*obs;
	struct pollfd		 pfd[2];
	pthread_t		 th;
	sqlite3			*odb;
	sqlite3_stmt		*s;
	char			**paths = NULL, *cause = NULL;
	int64_t			*lat, *up, last = 0, woke, end, least = 0;
	int64_t			 t0, t1, pending;
	int64_t			 by_state[OUTBOX_RETRIED + 1];
	double			 cpu0;
	int			 ow[2], ww[2], got = 0, i, nclients = 0;
	int			 full = 0, wakes = 0, k;

	memset(&w, 0, sizeof w);
	w.r = open_replica(wpath);
	w.label = label;
	w.tickets = ticket_ids(w.r, numbers, nnumbers);
	w.ntickets = nnumbers;
	w.rate = rate;
	w.n = rate * seconds;
	w.queue_ns = xcalloc((size_t)w.n, sizeof *w.queue_ns);
	lat = xcalloc((size_t)w.n, sizeof *lat);
	up = xcalloc((size_t)w.n, sizeof *up);
	for (i = 0; i < w.n; i++)
		lat[i] = up[i] = -1;
	if (strcmp(clients, "-") != 0)
		paths = read_lines(clients, &nclients);

	wake_pipe(ow);
	wake_pipe(ww);
	if ((obs = sync_thread_start(opath, NULL, ow[1], &cause)) == NULL)
		die("observer", cause);
	if ((w.sync = sync_thread_start(wpath, NULL, ww[1], &cause)) == NULL)
		die("writer", cause);
	if (wait_online(obs, 30000) != 0 || wait_online(w.sync, 30000) != 0)
		exit(1);
	/* Let both settle into their waiting pulls. */
	sleep_ms(1000);
	drain(ow[0]);
	drain(ww[0]);

	odb = db_open(opath);
	s = db_prepare(odb, "SELECT coalesce(max(rid), 0) FROM messages");
	if (sqlite3_step(s) == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = db_prepare(odb, "SELECT rid, body, created_at FROM messages "
	    "WHERE rid > ? AND body LIKE '" MARK " %' ORDER BY rid");

	memset(by_state, 0, sizeof by_state);
	outbox_states(w.r, by_state, -1);
	cpu0 = cpu_s();
	t0 = now_ns();
	if (pthread_create(&th, NULL, writer_main, &w) != 0)
		die("writer", "cannot start the thread");
	end = t0 + (int64_t)seconds * 1000000000 + 30000000000LL;
	pfd[0].fd = ow[0];
	pfd[1].fd = ww[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (got < w.n && now_ns() < end) {
		if (poll(pfd, 2, 100) <= 0)
			continue;
		woke = now_ns();
		drain(ww[0]);
		if (!(pfd[0].revents & POLLIN))
			continue;
		drain(ow[0]);
		wakes++;
		got += observe(s, label, &last, woke, lat, up, w.n);
	}
	t1 = now_ns();
	pthread_join(th, NULL);
	sqlite3_finalize(s);
	sqlite3_close(odb);

	/* The writer's outbox once the last answer is in. */
	for (i = 0; i < 100; i++) {
		if (replica_outbox_count(w.r, OUTBOX_PENDING, &pending,
		    &cause) != 0)
			die("outbox", cause);
		if (pending == 0)
			break;
		sleep_ms(100);
	}
	outbox_states(w.r, by_state, 1);
	sync_thread_stop(w.sync);
	sync_thread_stop(obs);
	printf("  writer and observer: %.1f CPU s in this process\n",
	    cpu_s() - cpu0);
	if (nclients > 0)
		full = clients_complete(paths, nclients, label, w.n,
		    now_ns() + 30000000000LL, &least);

	printf("  %d replies queued at %d/s for %d s on %d tickets (the "
	    "writer slipped at most %.1f ms behind)\n", w.queued, rate,
	    seconds, nnumbers, ms(w.late_ns));
	k = samples(w.queue_ns, w.queued);
	print_pct("queueing one in the writer's replica", w.queue_ns, k,
	    w.queued);
	printf("  writer's outbox: %lld applied, %lld rejected, %lld "
	    "conflicts, %lld pending\n", (long long)by_state[OUTBOX_APPLIED],
	    (long long)by_state[OUTBOX_REJECTED],
	    (long long)by_state[OUTBOX_CONFLICT],
	    (long long)by_state[OUTBOX_PENDING]);
	k = samples(up, w.n);
	print_pct("queued -> its push began on the server", up, k, w.n);
	k = samples(lat, w.n);
	print_pct("queued -> committed in the observer's replica", lat, k,
	    w.n);
	printf("  (budget: p50 < 50 ms, p99 < 200 ms; the observer's sync "
	    "thread woke it %d times in %.1f s)\n", wakes,
	    (double)(t1 - t0) / 1e9);
	if (nclients > 0)
		printf("  triage sync clients holding all %d replies: %d of %d "
		    "(checked until %.1f s after the writer began; the least "
		    "complete has %lld)\n", w.n, full, nclients,
		    (double)(now_ns() - t0) / 1e9, (long long)least);

	for (i = 0; i < nnumbers; i++)
		free(w.tickets[i]);
	for (i = 0; i < nclients; i++)
		free(paths[i]);
	free(paths);
	free(w.tickets);
	free(w.queue_ns);
	free(lat);
	free(up);
	replica_close(w.r);
	return (k == w.n && full == nclients ? 0 : 1);
}

/* Whether something accepts connections on 127.0.0.1:port. */
static int
port_open(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, ok;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket", strerror(errno));
	ok = connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
	close(fd);
	return (ok);
}

/*
 * After a restart at t0: when the server listens, when the writer's
 * queue is pushed, when each client holds the last reply.
 */
static int
bench_catchup(const char *url, const char *wpath, int64_t t0,
    const char *msg_id, const char *clients)
{
	struct sync_thread	*wsync;
	struct replica		*r;
	sqlite3			**dbs;
	sqlite3_stmt		**ss;
	const char		*p;
	char			**paths, *cause = NULL;
	int64_t			*done, listen_at = 0, pushed_at = 0, pending;
	int64_t			 end = t0 + 120000000000LL, now;
	int			 ww[2], i, nclients, left, port;

	if ((p = strrchr(url, ':')) == NULL || (port = atoi(p + 1)) <= 0)
		die(url, "no port");
	paths = read_lines(clients, &nclients);
	dbs = xcalloc((size_t)nclients, sizeof *dbs);
	ss = xcalloc((size_t)nclients, sizeof *ss);
	done = xcalloc((size_t)nclients, sizeof *done);
	for (i = 0; i < nclients; i++) {
		dbs[i] = db_open(paths[i]);
		ss[i] = db_prepare(dbs[i], "SELECT 1 FROM messages WHERE id = ?");
		sqlite3_bind_text(ss[i], 1, msg_id, -1, SQLITE_STATIC);
	}

	while (!port_open(port)) {
		if (now_ns() > end)
			die(url, "the server did not come back");
		sleep_ms(2);
	}
	listen_at = now_ns() - t0;

	/* The writer comes back as a console would: its sync thread starts. */
	r = open_replica(wpath);
	wake_pipe(ww);
	if ((wsync = sync_thread_start(wpath, NULL, ww[1], &cause)) == NULL)
		die("writer", cause);

	left = nclients;
	while (left > 0 && (now = now_ns()) < end) {
		drain(ww[0]);
		if (pushed_at == 0) {
			if (replica_outbox_count(r, OUTBOX_PENDING, &pending,
			    &cause) != 0)
				die("outbox", cause);
			if (pending == 0)
				pushed_at = now - t0;
		}
		for (i = 0; i < nclients; i++) {
			if (done[i] != 0)
				continue;
			if (sqlite3_step(ss[i]) == SQLITE_ROW) {
				done[i] = now - t0;
				left--;
			}
			sqlite3_reset(ss[i]);
		}
		if (left > 0)
			sleep_ms(20);
	}
	sync_thread_stop(wsync);
	replica_close(r);

	printf("catch-up         server listening %.0f ms after it was "
	    "started; the writer's queue pushed at +%.0f ms\n", ms(listen_at),
	    ms(pushed_at));
	qsort(done, (size_t)nclients, sizeof *done, cmp_i64);
	for (i = 0; i < nclients && done[i] == 0; i++)
		;
	if (i == nclients)
		printf("  no triage sync client got the last reply within %.0f "
		    "s\n", (double)(end - t0) / 1e9);
	else
		printf("  triage sync clients holding the last reply: %d of %d;"
		    " from server start: first %.2f s, p50 %.2f s, all %.2f "
		    "s\n", nclients - i, nclients, (double)done[i] / 1e9,
		    (double)pct(done + i, nclients - i, 50) / 1e9,
		    (double)done[nclients - 1] / 1e9);
	for (i = 0; i < nclients; i++) {
		sqlite3_finalize(ss[i]);
		sqlite3_close(dbs[i]);
		free(paths[i]);
	}
	free(paths);
	free(dbs);
	free(ss);
	free(done);
	return (left == 0 ? 0 : 1);
}

int
main(int argc, char **argv)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc >= 4 && strcmp(argv[1], "rss") == 0)
		return (bench_rss(argv[2], argv + 3));
	log_open(NULL, LOG_LEVEL_WARN);
	curl_global_init(CURL_GLOBAL_ALL);
	if (argc >= 5 && strcmp(argv[1], "queue") == 0)
		return (bench_queue(argv[2], atoi(argv[3]), argv + 4,
		    argc - 4));
	if (argc >= 9 && strcmp(argv[1], "prop") == 0)
		return (bench_prop(argv[2], argv[3], argv[4], atoi(argv[5]),
		    atoi(argv[6]), argv[7], argv + 8, argc - 8));
	if (argc == 7 && strcmp(argv[1], "catchup") == 0)
		return (bench_catchup(argv[2], argv[3], strtoll(argv[4], NULL,
		    10), argv[5], argv[6]));
	fprintf(stderr, "usage: bench-sync rss OUTFILE COMMAND... | queue "
	    "REPLICA K NUMBER... |\n"
	    "       prop LABEL WRITER OBSERVER RATE SECONDS CLIENTS NUMBER... "
	    "|\n"
	    "       catchup URL WRITER T0_NS MESSAGE_ID CLIENTS\n");
	return (2);
}
