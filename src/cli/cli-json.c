/* cli-json.c: the stable JSON forms of tickets, messages, hits and outbox entries. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * Text from data goes into JSON exactly: control characters are escaped by
 * jansson. JSON cannot carry invalid UTF-8, so such a string is given with
 * each bad byte as U+FFFD, and the exact bytes beside it in KEY_base64.
 */
void
cli_json_set_text(json_t *obj, const char *key, const char *s)
{
	struct buf	 b = BUF_INIT;
	char		*k;
	size_t		 len;

	if (s == NULL) {
		json_object_set_new(obj, key, json_null());
		return;
	}
	len = strlen(s);
	if (utf8_valid(s, len)) {
		json_object_set_new(obj, key, json_stringn(s, len));
		return;
	}
	{
		size_t		 i = 0;
		uint32_t	 c;
		char		 enc[4];

		while (i < len) {
			i += (size_t)utf8_decode(s + i, len - i, &c);
			buf_append(&b, enc, (size_t)utf8_encode(c, enc));
		}
	}
	json_object_set_new(obj, key, json_stringn(b.data, b.len));
	buf_reset(&b);
	buf_base64(&b, s, len);
	k = xprintf("%s_base64", key);
	json_object_set_new(obj, k, json_string(buf_cstr(&b)));
	free(k);
	buf_free(&b);
}

/* A time as an RFC 3339 string, or null when absent (0). */
json_t *
cli_json_time(int64_t ms)
{
	char	 s[TIME_RFC3339_SIZE];

	if (ms == 0)
		return (json_null());
	time_format_rfc3339(ms, s);
	return (json_string(s));
}

/* {id, name, email} of a person, or null. */
static json_t *
json_person(const char *id, const char *name, const char *email)
{
	json_t	*o;

	if (id == NULL)
		return (json_null());
	o = json_object();
	json_object_set_new(o, "id", json_string(id));
	cli_json_set_text(o, "name", name);
	cli_json_set_text(o, "email", email);
	return (o);
}

/* The ticket object of `ls` and `show`. */
json_t *
cli_json_ticket(const struct ticket *t)
{
	json_t	*o, *tags;

	o = json_object();
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "number", t->number != 0 ?
	    json_integer(t->number) : json_null());
	cli_json_set_text(o, "subject", t->subject);
	json_object_set_new(o, "status",
	    json_string(ticket_status_name(t->status)));
	json_object_set_new(o, "priority",
	    json_string(ticket_priority_name(t->priority)));
	cli_json_set_text(o, "channel", t->channel);
	cli_json_set_text(o, "category", t->category);
	tags = t->tags != NULL ? json_loads(t->tags, 0, NULL) : NULL;
	if (tags == NULL || !json_is_array(tags)) {
		json_decref(tags);
		tags = json_array();
	}
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "customer", json_person(t->customer_id,
	    t->customer, t->customer_email));
	json_object_set_new(o, "assignee", json_person(t->assignee_id,
	    t->assignee, t->assignee_email));
	if (t->team_id != NULL) {
		json_t	*team = json_object();

		json_object_set_new(team, "id", json_string(t->team_id));
		cli_json_set_text(team, "name", t->team);
		json_object_set_new(o, "team", team);
	} else
		json_object_set_new(o, "team", json_null());
	json_object_set_new(o, "created_at", cli_json_time(t->created_at));
	json_object_set_new(o, "updated_at", cli_json_time(t->updated_at));
	json_object_set_new(o, "first_response_due",
	    cli_json_time(t->first_response_due));
	json_object_set_new(o, "first_response_at",
	    cli_json_time(t->first_response_at));
	json_object_set_new(o, "resolution_due",
	    cli_json_time(t->resolution_due));
	json_object_set_new(o, "solved_at", cli_json_time(t->solved_at));
	json_object_set_new(o, "sla_due", cli_json_time(
	    t->sla_due == REPLICA_NO_DUE ? 0 : t->sla_due));
	json_object_set_new(o, "escalation", json_integer(t->escalation));
	json_object_set_new(o, "pending", json_boolean(t->pending));
	json_object_set_new(o, "rev", json_integer(t->rev));
	return (o);
}

/* The ticket with its messages, events and attachments (`show`). */
json_t *
cli_json_ticket_detail(const struct ticket_detail *d)
{
	json_t			*o, *a, *m;
	const struct message	*msg;
	const struct event	*e;
	const struct attachment	*at;
	size_t			 i;

	o = cli_json_ticket(&d->t);
	a = json_array();
	for (i = 0; i < d->nmessages; i++) {
		msg = &d->messages[i];
		m = json_object();
		json_object_set_new(m, "id", json_string(msg->id));
		cli_json_set_text(m, "author", msg->author);
		cli_json_set_text(m, "author_name", msg->author_name);
		json_object_set_new(m, "internal",
		    json_boolean(msg->internal));
		cli_json_set_text(m, "body", msg->body);
		json_object_set_new(m, "created_at",
		    cli_json_time(msg->created_at));
		cli_json_set_text(m, "delivery", msg->delivery);
		json_object_set_new(m, "state",
		    json_string(sync_state_name(msg->state)));
		if (msg->reason != NULL)
			cli_json_set_text(m, "reason", msg->reason);
		json_array_append_new(a, m);
	}
	json_object_set_new(o, "messages", a);
	a = json_array();
	for (i = 0; i < d->nevents; i++) {
		e = &d->events[i];
		m = json_object();
		json_object_set_new(m, "id", json_string(e->id));
		cli_json_set_text(m, "actor", e->actor);
		cli_json_set_text(m, "field", e->field);
		cli_json_set_text(m, "from", e->old_value);
		cli_json_set_text(m, "to", e->new_value);
		json_object_set_new(m, "at", cli_json_time(e->created_at));
		json_array_append_new(a, m);
	}
	json_object_set_new(o, "events", a);
	a = json_array();
	for (i = 0; i < d->nattachments; i++) {
		at = &d->attachments[i];
		m = json_object();
		json_object_set_new(m, "id", json_string(at->id));
		json_object_set_new(m, "message_id",
		    json_string(at->message_id));
		cli_json_set_text(m, "name", at->name);
		cli_json_set_text(m, "type", at->mime);
		json_object_set_new(m, "size", json_integer(at->size));
		cli_json_set_text(m, "sha256", at->sha256);
		json_array_append_new(a, m);
	}
	json_object_set_new(o, "attachments", a);
	return (o);
}

/*
 * Split a marked snippet into plain text (into plain) and, if highlights is
 * an array, [start, end) code point ranges of the matches.
 */
void
search_snippet_plain(const char *snippet, struct buf *plain,
    json_t *highlights)
{
	const char	*p;
	int64_t		 chars = 0, start = 0;
	uint32_t	 c;
	int		 n;

	for (p = snippet; *p != '\0'; p += n) {
		if (*p == SEARCH_MARK_ON) {
			start = chars;
			n = 1;
			continue;
		}
		if (*p == SEARCH_MARK_OFF) {
			if (highlights != NULL) {
				json_array_append_new(highlights,
				    json_pack("[II]", (json_int_t)start,
				    (json_int_t)chars));
			}
			n = 1;
			continue;
		}
		n = utf8_decode(p, strlen(p), &c);
		buf_append(plain, p, (size_t)n);
		chars++;
	}
}

/* One search hit. */
json_t *
cli_json_search_hit(const struct search_hit *h)
{
	json_t		*o, *hl;
	struct buf	 plain = BUF_INIT;

	o = json_object();
	json_object_set_new(o, "kind", json_string(search_kind_name(h->kind)));
	json_object_set_new(o, "id", json_string(h->id));
	json_object_set_new(o, "ticket_id", h->ticket_id[0] != '\0' ?
	    json_string(h->ticket_id) : json_null());
	json_object_set_new(o, "ticket_number", h->ticket_number != 0 ?
	    json_integer(h->ticket_number) : json_null());
	json_object_set_new(o, "customer_id", h->customer_id[0] != '\0' ?
	    json_string(h->customer_id) : json_null());
	cli_json_set_text(o, "title", h->title);
	hl = json_array();
	search_snippet_plain(h->snippet != NULL ? h->snippet : "", &plain, hl);
	cli_json_set_text(o, "snippet", buf_cstr(&plain));
	json_object_set_new(o, "highlights", hl);
	json_object_set_new(o, "exact", json_boolean(h->exact));
	json_object_set_new(o, "score", h->exact ? json_null() :
	    json_real(h->score));
	buf_free(&plain);
	return (o);
}

/* One outbox entry. */
json_t *
cli_json_outbox_entry(const struct outbox_entry *e)
{
	json_t	*o, *payload;

	o = json_object();
	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "id", json_string(e->mutation_id));
	cli_json_set_text(o, "type", e->type);
	cli_json_set_text(o, "ticket_id", e->ticket_id);
	json_object_set_new(o, "ticket_number", e->ticket_number != 0 ?
	    json_integer(e->ticket_number) : json_null());
	cli_json_set_text(o, "entity_id", e->entity_id);
	json_object_set_new(o, "state",
	    json_string(outbox_state_name(e->state)));
	cli_json_set_text(o, "reason", e->reason);
	json_object_set_new(o, "rev", e->rev != 0 ? json_integer(e->rev) :
	    json_null());
	json_object_set_new(o, "attempts", json_integer(e->attempts));
	json_object_set_new(o, "created_at", cli_json_time(e->created_at));
	payload = e->payload != NULL ? json_loads(e->payload, 0, NULL) : NULL;
	json_object_set_new(o, "payload", payload != NULL ? payload :
	    json_null());
	return (o);
}

/*
 * Print a JSON value to stdout, indented, reals as short as they are exact
 * ("71.3"), and release it. On a terminal every non-ASCII character is
 * escaped: JSON leaves C1 controls (U+009B is CSI to some terminals) and
 * bidirectional overrides as they are, and the text is the customers'.
 */
int
cli_json_print(json_t *j)
{
	size_t	 flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(15);
	int	 rc;

	if (isatty(STDOUT_FILENO))
		flags |= JSON_ENSURE_ASCII;
	rc = json_dumpf(j, stdout, flags);
	fputc('\n', stdout);
	json_decref(j);
	if (rc != 0 || fflush(stdout) != 0 || ferror(stdout))
		return (cli_error(EXIT_FAILURE, "%s", _("writing output failed")));
	return (0);
}
