/* decode.c: request bodies checked whole before anything is applied: the JSON object, a push's mutations. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

/*
 * The mutation types and the shape of each: fields that must be strings
 * ("s"), UUID strings ("u"), optional strings or null ("?s", "?u"),
 * optional booleans ("?b"), arrays of strings ("a", optional "?a").
 * A mutation of the wrong shape makes the whole push a 400. Indexed by
 * enum push_type; push.c applies them.
 */
static const struct {
	const char	*name;
	const char	*shape;
} push_types[PUSH_NTYPES] = {
	[PUSH_REPLY] = { "reply", "ticket_id:u message_id:u body:s "
	    "seen_message_id:?u macro_commit:?s force:?b" },
	[PUSH_NOTE] = { "note", "ticket_id:u message_id:u body:s "
	    "seen_message_id:?u macro_commit:?s" },
	[PUSH_SET_STATUS] = { "set_status", "ticket_id:u status:s from:?s" },
	[PUSH_SET_PRIORITY] = { "set_priority",
	    "ticket_id:u priority:s from:?s" },
	[PUSH_SET_ASSIGNEE] = { "set_assignee",
	    "ticket_id:u assignee_id:?u from:?s" },
	[PUSH_SET_TEAM] = { "set_team", "ticket_id:u team_id:?u from:?s" },
	[PUSH_SET_CATEGORY] = { "set_category",
	    "ticket_id:u category:?s from:?s" },
	[PUSH_SET_TAGS] = { "set_tags", "ticket_id:u add:?a remove:?a" },
	[PUSH_CREATE_TICKET] = { "create_ticket", "ticket_id:u subject:s "
	    "customer_id:?u priority:?s channel:?s category:?s tags:?a "
	    "body:?s message_id:?u" },
	[PUSH_MERGE] = { "merge", "ticket_id:u into:u" },
	[PUSH_MARK_READ] = { "mark_read", "ids:a" },
	[PUSH_SET_AVAILABLE] = { "set_available", "available:b" },
	[PUSH_NOOP] = { "noop", "" },
};

/* The wire name of a mutation type. */
const char *
push_type_name(enum push_type t)
{
	return (push_types[t].name);
}

static void
decode_fail(struct decode_err *e, int status, const char *code,
    const char *fmt, ...) printflike(4, 5);

static void
decode_fail(struct decode_err *e, int status, const char *code,
    const char *fmt, ...)
{
	struct buf	 b = BUF_INIT;
	va_list		 ap;
	char		*msg;

	e->status = status;
	e->code = code;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	/* It may quote the body, which need not be UTF-8. */
	buf_utf8_repair(&b, msg, strlen(msg));
	free(msg);
	e->message = buf_detach(&b);
}

/* A body that must be one JSON object (UTF-8, no repeated keys). */
json_t *
decode_json_object(const char *data, size_t len, struct decode_err *e)
{
	json_error_t	 je;
	json_t		*j;

	if (len == 0) {
		decode_fail(e, 400, "bad_request", "the body is empty");
		return (NULL);
	}
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		decode_fail(e, 400, "bad_json", "malformed JSON at line %d "
		    "column %d: %s", je.line, je.column, je.text);
		return (NULL);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		decode_fail(e, 400, "bad_json", "the body must be a JSON "
		    "object");
		return (NULL);
	}
	return (j);
}

/* Check a mutation's shape; NULL if fine, else why (allocated). */
static char *
decode_shape(json_t *m, enum push_type t)
{
	char		 key[64];
	const char	*s = push_types[t].shape, *colon, *sp, *kind;
	json_t		*v, *e;
	size_t		 n, i;
	int		 opt;

	while (*s != '\0') {
		colon = strchr(s, ':');
		n = (size_t)(colon - s);
		memcpy(key, s, n);
		key[n] = '\0';
		kind = colon + 1;
		sp = strchr(kind, ' ');
		opt = *kind == '?';
		if (opt)
			kind++;
		v = json_object_get(m, key);
		if (v == NULL || (opt && json_is_null(v))) {
			if (!opt)
				return (xprintf("\"%s\" is missing", key));
		} else if (*kind == 'b') {
			if (!json_is_boolean(v))
				return (xprintf("\"%s\" must be true or false",
				    key));
		} else if (*kind == 'a') {
			if (!json_is_array(v))
				return (xprintf("\"%s\" must be an array of "
				    "strings", key));
			json_array_foreach(v, i, e)
				if (!json_is_string(e))
					return (xprintf("\"%s\" must be an "
					    "array of strings", key));
		} else if (!json_is_string(v)) {
			return (xprintf("\"%s\" must be a string", key));
		} else if (*kind == 'u' && !uuid_valid(json_string_value(v))) {
			return (xprintf("\"%s\" must be a UUID", key));
		}
		if (sp == NULL)
			break;
		s = sp + 1;
	}
	if (t == PUSH_SET_TAGS && json_object_get(m, "add") == NULL &&
	    json_object_get(m, "remove") == NULL)
		return (xstrdup("set_tags needs \"add\" or \"remove\""));
	if (t == PUSH_CREATE_TICKET &&
	    json_is_string(json_object_get(m, "body")) &&
	    !json_is_string(json_object_get(m, "message_id")))
		return (xstrdup("a create_ticket with a body needs "
		    "\"message_id\""));
	return (NULL);
}

/*
 * Check a whole push body: "client_id" a UUID, "mutations" 1 to
 * PUSH_MAX_MUTATIONS objects with consecutive seqs, each of a known type
 * and shape. Fills p (p->types allocated; the rest points into body) and
 * gives 0, or fails with e filled and -1.
 */
int
push_decode(json_t *body, struct push_body *p, struct decode_err *e)
{
	json_t		*m, *seq, *id, *type;
	json_int_t	 prev = 0;
	size_t		 i, n;
	char		*why;
	int		 t;

	memset(p, 0, sizeof *p);
	p->client = json_string_value(json_object_get(body, "client_id"));
	p->muts = json_object_get(body, "mutations");
	if (p->client == NULL || !uuid_valid(p->client)) {
		decode_fail(e, 400, "bad_request", "\"client_id\" must be a "
		    "UUID string");
		return (-1);
	}
	if (!json_is_array(p->muts) || json_array_size(p->muts) == 0 ||
	    json_array_size(p->muts) > PUSH_MAX_MUTATIONS) {
		decode_fail(e, 400, "bad_request", "\"mutations\" must be an "
		    "array of 1 to %d objects", PUSH_MAX_MUTATIONS);
		return (-1);
	}
	n = json_array_size(p->muts);
	p->types = xcalloc(n, sizeof *p->types);
	json_array_foreach(p->muts, i, m) {
		seq = json_object_get(m, "seq");
		id = json_object_get(m, "id");
		type = json_object_get(m, "type");
		if (!json_is_object(m) || !json_is_integer(seq) ||
		    json_integer_value(seq) < 1 || !json_is_string(id) ||
		    !json_is_string(type)) {
			decode_fail(e, 400, "bad_mutation", "mutation %zu: "
			    "needs \"seq\" (a positive integer), \"id\" and "
			    "\"type\" (strings)", i);
			goto fail;
		}
		if (i > 0 && json_integer_value(seq) != prev + 1) {
			decode_fail(e, 400, "seq_order", "mutation %zu: seq "
			    "%" JSON_INTEGER_FORMAT " does not follow %"
			    JSON_INTEGER_FORMAT, i, json_integer_value(seq),
			    prev);
			goto fail;
		}
		prev = json_integer_value(seq);
		if (json_string_length(id) > 100) {
			decode_fail(e, 400, "bad_mutation", "mutation %zu: "
			    "\"id\" is over 100 bytes", i);
			goto fail;
		}
		for (t = 0; t < PUSH_NTYPES; t++)
			if (strcmp(push_types[t].name,
			    json_string_value(type)) == 0)
				break;
		if (t == PUSH_NTYPES) {
			decode_fail(e, 400, "unknown_type", "mutation %zu: "
			    "unknown type \"%s\"", i, json_string_value(type));
			goto fail;
		}
		if ((why = decode_shape(m, (enum push_type)t)) != NULL) {
			decode_fail(e, 400, "bad_mutation", "mutation %zu "
			    "(%s): %s", i, push_types[t].name, why);
			free(why);
			goto fail;
		}
		p->types[i] = (enum push_type)t;
	}
	return (0);
fail:
	free(p->types);
	p->types = NULL;
	return (-1);
}
