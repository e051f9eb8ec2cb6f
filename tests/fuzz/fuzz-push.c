/* fuzz-push.c: fuzz the push body decoder: bytes to a JSON object, then the mutations' shapes, as POST /v1/push checks them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/server-int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An error is a 400 with a code and a message that is UTF-8. */
static void
check_error(const struct decode_err *e)
{
	if (e->status != 400 || e->code == NULL || e->message == NULL ||
	    !utf8_valid(e->message, strlen(e->message)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_err	 e;
	struct push_body	 p;
	json_t			*body, *m;
	size_t			 i;

	memset(&e, 0, sizeof e);
	if ((body = decode_json_object((const char *)data, size, &e)) ==
	    NULL) {
		check_error(&e);
		free(e.message);
		return (0);
	}
	if (!json_is_object(body))
		abort();
	if (push_decode(body, &p, &e) != 0) {
		check_error(&e);
		if (p.types != NULL)
			abort();
		free(e.message);
		json_decref(body);
		return (0);
	}
	/* Accepted: everything push_apply relies on without looking. */
	if (p.client == NULL || !uuid_valid(p.client) ||
	    json_array_size(p.muts) < 1 ||
	    json_array_size(p.muts) > PUSH_MAX_MUTATIONS)
		abort();
	json_array_foreach(p.muts, i, m) {
		if (p.types[i] >= PUSH_NTYPES || strcmp(push_type_name(
		    p.types[i]), json_string_value(json_object_get(m,
		    "type"))) != 0)
			abort();
		if (json_integer_value(json_object_get(m, "seq")) < 1)
			abort();
		if (p.types[i] <= PUSH_SET_TAGS && !uuid_valid(
		    json_string_value(json_object_get(m, "ticket_id"))))
			abort();
	}
	free(p.types);
	json_decref(body);
	return (0);
}
