/*
 * bench-apply.c: apply saved pull pages to a replica, with no network and
 * no server beside it: the client's own cost of a first sync.
 *   bench-apply REPLICA PAGE...
 * prints rows, seconds, rows/s and the time of the last page (which
 * builds a bulk load's indexes); the pages are /v1/pull answers (plain
 * JSON) in cursor order, as bench/sync.sh saves them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sync/sync-int.h"

int
main(int argc, char **argv)
{
	struct replica		*r;
	struct sync_page	 pg;
	struct sync_batch	 b = { 0, 0 };
	struct buf		 text = BUF_INIT;
	struct rusage		 ru;
	char			*cause = NULL;
	int64_t			 t0, t1 = 0, rows, total = 0;
	int			 i;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-apply REPLICA PAGE...\n");
		return (2);
	}
	if (replica_open(argv[1], REPLICA_CREATE, &r, &cause) != 0)
		goto fail;
	t0 = time_mono_ns();
	for (i = 2; i < argc; i++) {
		buf_reset(&text);
		if (buf_read_file(&text, argv[i], (size_t)1 << 30, &cause) != 0)
			goto fail;
		if (i == argc - 1)
			t1 = time_mono_ns();
		if (sync_page_open(&pg, &text, &cause) != 0 ||
		    sync_page_apply(&pg, r, &b, &rows, &cause) != 0)
			goto fail;
		sync_page_free(&pg);
		total += rows;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("applied %lld rows from %d pages in %.2f s: %.0f rows/s, "
	    "peak RSS %.1f MB\n", (long long)total, argc - 2,
	    (time_mono_ns() - t0) / 1e9,
	    total / ((time_mono_ns() - t0) / 1e9), ru.ru_maxrss / 1024.0);
	printf("the last page, with the bulk load's index and full-text "
	    "build: %.2f s\n", (time_mono_ns() - t1) / 1e9);
	replica_close(r);
	return (0);
fail:
	fprintf(stderr, "bench-apply: %s\n", cause);
	return (1);
}
