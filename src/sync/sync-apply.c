/* sync-apply.c: a pulled page into the replica, in one transaction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync-int.h"

static const char *
js(json_t *o, const char *k)
{
	return (json_string_value(json_object_get(o, k)));
}

static int64_t
ji(json_t *o, const char *k)
{
	return (json_integer_value(json_object_get(o, k)));
}

static int
jb(json_t *o, const char *k)
{
	return (json_is_true(json_object_get(o, k)));
}

/* Every row needs a UUID id and a rev; anything else is a bad page. */
static int
row_ok(json_t *row)
{
	return (json_is_object(row) && js(row, "id") != NULL &&
	    uuid_valid(js(row, "id")) &&
	    json_is_integer(json_object_get(row, "rev")));
}

static int
put_row(struct replica *r, const char *table, json_t *o, char **cause)
{
	char	*tags = NULL;
	int	 rc;

	if (strcmp(table, "orgs") == 0) {
		struct org_rec x = { js(o, "id"), js(o, "name"), ji(o, "rev") };

		return (replica_put_org(r, &x, cause));
	}
	if (strcmp(table, "sla_policies") == 0) {
		struct sla_rec x = { js(o, "id"),
		    ticket_priority_parse(js(o, "priority") != NULL ?
		    js(o, "priority") : ""), (int)ji(o, "first_response_mins"),
		    (int)ji(o, "resolution_mins"), jb(o, "business_hours"),
		    ji(o, "rev") };

		return (replica_put_sla(r, &x, cause));
	}
	if (strcmp(table, "teams") == 0) {
		struct team_rec x = { js(o, "id"), js(o, "name"),
		    js(o, "lead_id"), ji(o, "rev"), jb(o, "deleted") };

		return (replica_put_team(r, &x, cause));
	}
	if (strcmp(table, "users") == 0) {
		struct user_rec x = { js(o, "id"), js(o, "email"),
		    js(o, "name"), js(o, "role"), js(o, "team_id"),
		    js(o, "signature"), jb(o, "available"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_user(r, &x, cause));
	}
	if (strcmp(table, "customers") == 0) {
		struct customer_rec x = { js(o, "id"), js(o, "name"),
		    js(o, "email"), js(o, "phone"), js(o, "company"),
		    ji(o, "created_at"), ji(o, "updated_at"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_customer(r, &x, cause));
	}
	if (strcmp(table, "identities") == 0) {
		struct identity_rec x = { js(o, "id"), js(o, "customer_id"),
		    js(o, "kind"), js(o, "value"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_identity(r, &x, cause));
	}
	if (strcmp(table, "orders") == 0) {
		struct order_rec x = { js(o, "id"), js(o, "customer_id"),
		    js(o, "number"), js(o, "status"), js(o, "currency"),
		    ji(o, "total_cents"), ji(o, "placed_at"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_order(r, &x, cause));
	}
	if (strcmp(table, "order_items") == 0) {
		struct order_item_rec x = { js(o, "id"), js(o, "order_id"),
		    js(o, "sku"), js(o, "title"), (int)ji(o, "qty"),
		    ji(o, "unit_price_cents"), ji(o, "rev"), jb(o, "deleted") };

		return (replica_put_order_item(r, &x, cause));
	}
	if (strcmp(table, "shipments") == 0) {
		struct shipment_rec x = { js(o, "id"), js(o, "order_id"),
		    js(o, "carrier"), js(o, "tracking"), js(o, "status"),
		    ji(o, "shipped_at"), ji(o, "delivered_at"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_shipment(r, &x, cause));
	}
	if (strcmp(table, "tickets") == 0) {
		struct ticket_rec x;

		memset(&x, 0, sizeof x);
		x.id = js(o, "id");
		x.number = ji(o, "number");
		x.subject = js(o, "subject");
		x.status = ticket_status_parse(js(o, "status") != NULL ?
		    js(o, "status") : "");
		x.priority = ticket_priority_parse(js(o, "priority") != NULL ?
		    js(o, "priority") : "");
		if (x.subject == NULL || x.status < 0 || x.priority < 0) {
			*cause = xprintf(_("ticket %s: a bad subject, status or "
			    "priority"), x.id);
			return (-1);
		}
		x.channel = js(o, "channel");
		x.category = js(o, "category");
		tags = json_is_array(json_object_get(o, "tags")) ?
		    json_dumps(json_object_get(o, "tags"), JSON_COMPACT) :
		    xstrdup("[]");
		x.tags = tags;
		x.customer_id = js(o, "customer_id");
		x.assignee_id = js(o, "assignee_id");
		x.team_id = js(o, "team_id");
		x.created_at = ji(o, "created_at");
		x.updated_at = ji(o, "updated_at");
		x.first_response_due = ji(o, "first_response_due");
		x.first_response_at = ji(o, "first_response_at");
		x.resolution_due = ji(o, "resolution_due");
		x.solved_at = ji(o, "solved_at");
		x.escalation = (int)ji(o, "escalation");
		x.merged_into = js(o, "merged_into");
		x.rev = ji(o, "rev");
		x.deleted = jb(o, "deleted");
		rc = replica_put_ticket(r, &x, cause);
		free(tags);
		return (rc);
	}
	if (strcmp(table, "messages") == 0) {
		struct message_rec x = { js(o, "id"), js(o, "ticket_id"),
		    js(o, "author"), js(o, "author_id"), jb(o, "internal"),
		    js(o, "body"), ji(o, "created_at"), js(o, "delivery"),
		    js(o, "delivery_reason"), js(o, "macro_commit"),
		    ji(o, "rev"), jb(o, "deleted") };

		if (x.body == NULL || x.ticket_id == NULL) {
			*cause = xprintf(_("message %s: no body or ticket"),
			    x.id);
			return (-1);
		}
		return (replica_put_message(r, &x, cause));
	}
	if (strcmp(table, "attachments") == 0) {
		struct attachment_rec x = { js(o, "id"), js(o, "message_id"),
		    js(o, "ticket_id"), js(o, "name"), js(o, "mime"),
		    ji(o, "size"), js(o, "sha256"), ji(o, "rev"),
		    jb(o, "deleted") };

		return (replica_put_attachment(r, &x, cause));
	}
	if (strcmp(table, "events") == 0) {
		struct event_rec x = { js(o, "id"), js(o, "ticket_id"),
		    js(o, "actor_id"), js(o, "field"), js(o, "old_value"),
		    js(o, "new_value"), ji(o, "created_at"), ji(o, "rev") };

		return (replica_put_event(r, &x, cause));
	}
	/* A table a newer server sends and this client does not know. */
	return (0);
}

/*
 * Apply {"cursor", "more", "changes": {table: [rows]}}: every row and the
 * new cursor in one transaction, or nothing. A page whose cursor does not
 * move past the replica's is refused (an answer for another cursor).
 */
int
sync_apply_page(struct replica *r, json_t *page, int64_t *rows,
    char **cause)
{
	json_t		*changes, *list, *row;
	const char	*table;
	int64_t		 cursor, have, n = 0;
	size_t		 i;

	changes = json_object_get(page, "changes");
	if (!json_is_integer(json_object_get(page, "cursor")) ||
	    !json_is_boolean(json_object_get(page, "more")) ||
	    !json_is_object(changes)) {
		*cause = xstrdup(_("the server's page lacks cursor, more or "
		    "changes"));
		return (-1);
	}
	cursor = json_integer_value(json_object_get(page, "cursor"));
	if (replica_sync_cursor(r, &have, cause) != 0)
		return (-1);
	if (cursor < have) {
		*cause = xprintf(_("the server's page is for an older cursor "
		    "(%lld, the replica has %lld)"), (long long)cursor,
		    (long long)have);
		return (-1);
	}
	if (replica_begin(r, cause) != 0)
		return (-1);
	json_object_foreach(changes, table, list) {
		if (!json_is_array(list)) {
			*cause = xprintf(_("the server's page: \"%s\" is not "
			    "a list"), table);
			goto fail;
		}
		json_array_foreach(list, i, row) {
			if (!row_ok(row)) {
				*cause = xprintf(_("the server's page: a row of "
				    "%s without id or rev"), table);
				goto fail;
			}
			if (put_row(r, table, row, cause) != 0)
				goto fail;
			n++;
		}
	}
	if (replica_sync_set_cursor(r, cursor, cause) != 0 ||
	    replica_commit(r, cause) != 0)
		goto fail;
	*rows = n;
	return (0);
fail:
	replica_rollback(r);
	return (-1);
}
