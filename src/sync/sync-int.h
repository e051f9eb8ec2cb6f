/* sync-int.h: what the parts of the sync client share. */
#ifndef TRIAGE_SYNC_INT_H
#define TRIAGE_SYNC_INT_H

#include <jansson.h>

#include "base/base.h"
#include "sync.h"

/* sync-http.c: one request to the server. */
struct sync_http {
	long		 status;
	struct buf	 body;
};
#define SYNC_HTTP_WAITING	0x1	/* a waiting pull: a poke ends it */
int	 sync_http(const char *server, const char *token, const char *path,
	     const char *post, const struct sync_opts *, long timeout,
	     int flags, struct sync_http *, char **cause);
json_t	*sync_json_body(struct sync_http *, char **cause);
int	 sync_http_error(struct sync_http *, char **cause);
char	*sync_http_message(struct sync_http *);

/* sync-apply.c: a pulled page into the replica, in one transaction. */
struct sync_page {
	struct buf	 text;
	struct jscan	 js;
	int64_t		 cursor;
	int		 more;
	int64_t		 head;		/* the server's last rev, or 0 */
	struct buf	 row_list;
};
struct sync_batch {
	int		 open;		/* a transaction holds applied pages */
	int64_t		 rows;		/* in it */
};
#define SYNC_BULK_BATCH		200000	/* rows per bulk load commit */
int	 sync_page_open(struct sync_page *, struct buf *, char **cause);
int	 sync_page_apply(struct sync_page *, struct replica *,
	     struct sync_batch *, int64_t *rows, char **cause);
int	 sync_batch_commit(struct replica *, struct sync_batch *, char **);
void	 sync_page_free(struct sync_page *);
extern __thread int64_t sync_notify_hint;	/* rows that may notify */

#endif
