/* fuzz-query.c: fuzz the query language: parse, compile, describe; user text must never become SQL. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "model/model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The compiled SQL holds only what query-sql.c writes: no quote, no ';'. */
static void
check_sql(const struct query_sql *s)
{
	const char	*w = buf_cstr((struct buf *)&s->where);
	size_t		 i, marks = 0;

	if (strpbrk(w, "'\";") != NULL || strstr(w, "--") != NULL)
		abort();
	for (i = 0; w[i] != '\0'; i++)
		marks += w[i] == '?';
	if (marks != s->nparams)
		abort();	/* a value outside the parameters */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query		*q = NULL;
	struct query_error	 err;
	struct query_sql	 sql;
	struct query_ctx	 ctx = { "0198c4a2-0000-7000-8000-000000000001",
				     1763800000000 };
	char			*text, *again;
	int			 n;

	text = xstrndup((const char *)data, size);
	memset(&err, 0, sizeof err);
	if (query_parse(text, &q, &err) != 0) {
		n = (int)utf8_strlen(text);
		if (err.message == NULL || err.column < 0 || err.column > n + 1)
			abort();
		query_error_free(&err);
		free(text);
		return (0);
	}
	memset(&sql, 0, sizeof sql);
	if (query_compile(q, &ctx, &sql, &err) == 0) {
		check_sql(&sql);
		query_sql_free(&sql);
	} else
		query_error_free(&err);
	/* What describe says parses again. */
	again = query_describe(q);
	query_free(q);
	q = NULL;
	if (again != NULL && query_parse(again, &q, &err) != 0)
		abort();
	query_free(q);
	free(again);
	free(text);
	return (0);
}
