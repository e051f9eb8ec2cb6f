/*
 * bench-server.c: a real HTTP client (libcurl) that loads a running triage
 * serve and prints figures. It never passes or fails on a timing.
 *   bench-server URL TOKEN pull | pull-parse
 *	the whole feed from cursor 0, pages of 10,000, gzip: rows and rows/s;
 *	pull counts the rows of each page, pull-parse builds it with jansson
 *   bench-server URL TOKEN push CLIENTS MUTATIONS TICKET_ID...
 *	CLIENTS threads, each its own client_id, pushing notes in batches of
 *	50 until MUTATIONS in all: mutations/s
 *   bench-server URL TOKEN wait WAITERS SERVER_PID TICKET_ID
 *	WAITERS idle long-polls held (server RSS per waiter), then one push;
 *	the time from sending the push to each waiter's answer: p50, p99
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/base.h"

static const char	*url;
static char		 auth[128];

static size_t
collect(char *p, size_t sz, size_t n, void *arg)
{
	buf_append(arg, p, sz * n);
	return (sz * n);
}

/* One request; the body in out; the HTTP status, or -1. */
static long
request(CURL *h, const char *path, const char *post, struct buf *out)
{
	struct curl_slist	*hdr = NULL;
	char			*u = xprintf("%s%s", url, path);
	long			 status = -1;

	buf_reset(out);
	hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, u);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (post != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	free(u);
	return (status);
}

static double
secs(int64_t ns)
{
	return ((double)ns / 1e9);
}

/*
 * The pull pipeline, as a sync client would run it: the fetching thread
 * reads "cursor" and "more" from the head of each page (the server puts
 * them first) and asks for the next page at once, while this thread
 * parses the page before.
 */
struct page {
	struct buf	 body;
	struct page	*next;
};

static pthread_mutex_t	 pages_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 pages_cond = PTHREAD_COND_INITIALIZER;
static struct page	*pages_head, **pages_tail = &pages_head;
static int		 pages_done, pages_failed;
static int64_t		 pages_bytes, pages_n;

static void *
pull_fetcher(void *arg)
{
	CURL		*h = curl_easy_init();
	struct page	*pg;
	char		 path[128], more[8];
	long long	 cursor = 0;
	curl_off_t	 wire;

	(void)arg;
	for (;;) {
		pg = xcalloc(1, sizeof *pg);
		snprintf(path, sizeof path, "/v1/pull?since=%lld&limit=10000",
		    cursor);
		if (request(h, path, NULL, &pg->body) != 200 ||
		    sscanf(buf_cstr(&pg->body), "{\"cursor\":%lld ,\"more\":%5[a-z]",
		    &cursor, more) != 2) {
			fprintf(stderr, "pull failed: %.200s\n",
			    buf_cstr(&pg->body));
			pages_failed = 1;
			buf_free(&pg->body);
			free(pg);
			break;
		}
		curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &wire);
		pthread_mutex_lock(&pages_lock);
		pages_bytes += wire;
		pages_n++;
		*pages_tail = pg;
		pages_tail = &pg->next;
		pthread_cond_signal(&pages_cond);
		pthread_mutex_unlock(&pages_lock);
		if (strcmp(more, "true") != 0)
			break;
	}
	pthread_mutex_lock(&pages_lock);
	pages_done = 1;
	pthread_cond_signal(&pages_cond);
	pthread_mutex_unlock(&pages_lock);
	curl_easy_cleanup(h);
	return (NULL);
}

/*
 * Rows in a page without building it: every row ends with its "deleted"
 * key, and inside a JSON string the quotes of that text would be escaped.
 */
static int64_t
count_rows(const struct buf *b)
{
	const char	*p = b->data, *end = b->data + b->len, *q;
	int64_t		 n = 0;

	while ((q = memmem(p, (size_t)(end - p), ",\"deleted\":", 11)) != NULL) {
		n++;
		p = q + 11;
	}
	return (n);
}

static int
bench_pull(int parse)
{
	pthread_t	 th;
	struct page	*pg;
	json_t		*j, *rows;
	const char	*k;
	int64_t		 t0, total = 0;
	double		 s;

	t0 = time_mono_ns();
	pthread_create(&th, NULL, pull_fetcher, NULL);
	for (;;) {
		pthread_mutex_lock(&pages_lock);
		while (pages_head == NULL && !pages_done)
			pthread_cond_wait(&pages_cond, &pages_lock);
		pg = pages_head;
		if (pg != NULL && (pages_head = pg->next) == NULL)
			pages_tail = &pages_head;
		pthread_mutex_unlock(&pages_lock);
		if (pg == NULL)
			break;
		if (parse) {
			if ((j = json_loadb(pg->body.data, pg->body.len, 0,
			    NULL)) == NULL) {
				fprintf(stderr, "pull: bad JSON\n");
				return (1);
			}
			json_object_foreach(json_object_get(j, "changes"), k,
			    rows)
				total += (int64_t)json_array_size(rows);
			json_decref(j);
		} else
			total += count_rows(&pg->body);
		buf_free(&pg->body);
		free(pg);
	}
	pthread_join(th, NULL);
	s = secs(time_mono_ns() - t0);
	printf("initial pull     %10lld rows in %lld pages, %.2f s: %.0f rows/s "
	    "(gzip on, %.1f MB on the wire; %s)\n",
	    (long long)total, (long long)pages_n, s, (double)total / s,
	    (double)pages_bytes / 1e6, parse ? "each page parsed with "
	    "jansson" : "rows counted, not parsed");
	return (pages_failed);
}

struct pusher {
	int		  n;		/* mutations to push */
	int		  done;
	char		**tickets;
	int		  ntickets;
	int		  failed;
};

static void *
push_thread(void *arg)
{
	struct pusher	*p = arg;
	CURL		*h = curl_easy_init();
	struct buf	 b = BUF_INIT, body = BUF_INIT;
	char		 client[UUID_STRLEN + 1], msg[UUID_STRLEN + 1];
	int		 seq = 0, i, batch;

	uuid_v7(client);
	while (p->done < p->n) {
		batch = p->n - p->done < 50 ? p->n - p->done : 50;
		buf_reset(&body);
		buf_printf(&body, "{\"client_id\":\"%s\",\"mutations\":[",
		    client);
		for (i = 0; i < batch; i++) {
			uuid_v7(msg);
			buf_printf(&body, "%s{\"seq\":%d,\"id\":\"b%d\","
			    "\"type\":\"note\",\"ticket_id\":\"%s\","
			    "\"message_id\":\"%s\",\"body\":\"benchmark note "
			    "%d\"}", i == 0 ? "" : ",", seq + i + 1, seq + i + 1,
			    p->tickets[(seq + i) % p->ntickets], msg, seq + i);
		}
		buf_puts(&body, "]}");
		if (request(h, "/v1/push", buf_cstr(&body), &b) != 200 ||
		    strstr(buf_cstr(&b), "\"rejected\"") != NULL) {
			fprintf(stderr, "push failed: %.*s\n", (int)b.len,
			    b.data);
			p->failed = 1;
			break;
		}
		seq += batch;
		p->done += batch;
	}
	buf_free(&b);
	buf_free(&body);
	curl_easy_cleanup(h);
	return (NULL);
}

static int
bench_push(int clients, int total, char **tickets, int ntickets)
{
	pthread_t	*th = xcalloc((size_t)clients, sizeof *th);
	struct pusher	*ps = xcalloc((size_t)clients, sizeof *ps);
	int64_t		 t0;
	int		 i, done = 0, failed = 0;

	t0 = time_mono_ns();
	for (i = 0; i < clients; i++) {
		ps[i].n = total / clients;
		ps[i].tickets = tickets;
		ps[i].ntickets = ntickets;
		pthread_create(&th[i], NULL, push_thread, &ps[i]);
	}
	for (i = 0; i < clients; i++) {
		pthread_join(th[i], NULL);
		done += ps[i].done;
		failed |= ps[i].failed;
	}
	printf("push             %10d mutations from %d clients (batches of "
	    "50), %.2f s: %.0f mutations/s\n", done, clients,
	    secs(time_mono_ns() - t0), done / secs(time_mono_ns() - t0));
	free(th);
	free(ps);
	return (failed);
}

static long
rss_kb(const char *pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return (kb);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
bench_wait(int n, const char *pid, const char *ticket)
{
	CURLM			*m = curl_multi_init();
	CURL			**hs = xcalloc((size_t)n, sizeof *hs);
	struct buf		*bodies = xcalloc((size_t)n, sizeof *bodies);
	int64_t			*lat = xcalloc((size_t)n, sizeof *lat);
	struct curl_slist	*hdr = NULL;
	struct buf		 b = BUF_INIT, body = BUF_INIT;
	CURL			*h = curl_easy_init();
	CURLMsg			*msg;
	json_t			*j;
	char			 path[128], client[UUID_STRLEN + 1];
	char			 mid[UUID_STRLEN + 1], *u;
	long			 rss0, rss1;
	int64_t			 cursor, t0, end;
	int			 i, running, left, got = 0, q;

	/* Where the feed is now: the waiters wait beyond it. */
	if (request(h, "/v1/pull?since=0&limit=1", NULL, &b) != 200)
		return (1);
	do {
		j = json_loadb(b.data, b.len, 0, NULL);
		cursor = json_integer_value(json_object_get(j, "cursor"));
		i = json_is_true(json_object_get(j, "more"));
		json_decref(j);
		snprintf(path, sizeof path, "/v1/pull?since=%lld&limit=10000",
		    (long long)cursor);
	} while (i && request(h, path, NULL, &b) == 200);

	/* A first push (seq 1) warms the same client's path; the waiters
	 * below wait beyond it. */
	uuid_v7(client);
	uuid_v7(mid);
	buf_printf(&body, "{\"client_id\":\"%s\",\"mutations\":[{\"seq\":1,"
	    "\"id\":\"w0\",\"type\":\"note\",\"ticket_id\":\"%s\","
	    "\"message_id\":\"%s\",\"body\":\"warm up\"}]}", client, ticket,
	    mid);
	if (request(h, "/v1/push", buf_cstr(&body), &b) != 200)
		return (1);
	buf_reset(&body);
	snprintf(path, sizeof path, "/v1/pull?since=%lld&limit=10000",
	    (long long)cursor);
	while (request(h, path, NULL, &b) == 200) {
		j = json_loadb(b.data, b.len, 0, NULL);
		cursor = json_integer_value(json_object_get(j, "cursor"));
		i = json_is_true(json_object_get(j, "more"));
		json_decref(j);
		if (!i)
			break;
		snprintf(path, sizeof path, "/v1/pull?since=%lld&limit=10000",
		    (long long)cursor);
	}

	rss0 = rss_kb(pid);
	hdr = curl_slist_append(hdr, auth);
	u = xprintf("%s/v1/pull?since=%lld&wait=60", url, (long long)cursor);
	for (i = 0; i < n; i++) {
		hs[i] = curl_easy_init();
		curl_easy_setopt(hs[i], CURLOPT_URL, u);
		curl_easy_setopt(hs[i], CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(hs[i], CURLOPT_WRITEDATA, &bodies[i]);
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
		curl_multi_add_handle(m, hs[i]);
	}
	/* Let every waiter connect and be suspended. */
	end = time_mono_ns() + 5000000000LL;
	while (time_mono_ns() < end) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 50, NULL);
	}
	rss1 = rss_kb(pid);
	printf("idle long-polls  %10d held; server RSS %ld -> %ld KB: %.1f KB "
	    "per waiter\n", n, rss0, rss1, (double)(rss1 - rss0) / n);

	uuid_v7(mid);
	buf_printf(&body, "{\"client_id\":\"%s\",\"mutations\":[{\"seq\":2,"
	    "\"id\":\"w1\",\"type\":\"note\",\"ticket_id\":\"%s\","
	    "\"message_id\":\"%s\",\"body\":\"wake up\"}]}", client, ticket,
	    mid);
	t0 = time_mono_ns();
	/* The push on its own handle, in the same loop as the waiters. */
	curl_easy_setopt(h, CURLOPT_URL, (u = xprintf("%s/v1/push", url)));
	{
		struct curl_slist *ph = curl_slist_append(NULL, auth);

		ph = curl_slist_append(ph, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, ph);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, buf_cstr(&body));
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)(intptr_t)-1);
		curl_multi_add_handle(m, h);
		left = n + 1;
		end = time_mono_ns() + 30000000000LL;
		while (left > 0 && time_mono_ns() < end) {
			curl_multi_perform(m, &running);
			while ((msg = curl_multi_info_read(m, &q)) != NULL) {
				void	*pv;

				if (msg->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(msg->easy_handle,
				    CURLINFO_PRIVATE, &pv);
				left--;
				if ((intptr_t)pv >= 0)
					lat[got++] = time_mono_ns() - t0;
			}
			if (left > 0)
				curl_multi_poll(m, NULL, 0, 5, NULL);
		}
		curl_multi_remove_handle(m, h);
		curl_slist_free_all(ph);
	}
	free(u);
	qsort(lat, (size_t)got, sizeof *lat, cmp_i64);
	if (got == 0) {
		printf("wake             no waiter answered\n");
		return (1);
	}
	printf("wake             %10d of %d waiters answered; from sending "
	    "the push: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", got, n,
	    (double)lat[got / 2] / 1e6, (double)lat[(got * 99) / 100] / 1e6,
	    (double)lat[got - 1] / 1e6);
	for (i = 0; i < n; i++) {
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		buf_free(&bodies[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdr);
	free(hs);
	free(bodies);
	free(lat);
	return (got == n ? 0 : 1);
}

int
main(int argc, char **argv)
{
	struct rlimit	 rl;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-server URL TOKEN pull | push "
		    "CLIENTS MUTATIONS TICKET... | wait WAITERS PID TICKET\n");
		return (2);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	curl_global_init(CURL_GLOBAL_ALL);
	url = argv[1];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", argv[2]);
	if (strcmp(argv[3], "pull") == 0)
		return (bench_pull(0));
	if (strcmp(argv[3], "pull-parse") == 0)
		return (bench_pull(1));
	if (strcmp(argv[3], "push") == 0 && argc >= 7)
		return (bench_push(atoi(argv[4]), atoi(argv[5]), argv + 6,
		    argc - 6));
	if (strcmp(argv[3], "wait") == 0 && argc == 7)
		return (bench_wait(atoi(argv[4]), argv[5], argv[6]));
	fprintf(stderr, "bench-server: bad arguments\n");
	return (2);
}
