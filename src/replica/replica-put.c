/* replica-put.c: upsert one synced row; used by the generator and by sync. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/*
 * Each writer binds a record's fields in column order and upserts by id, so
 * a row pulled twice, or a generated row followed by its pulled version,
 * leaves exactly one row with the newest values. A tombstone (deleted set)
 * removes the row: the server keeps tombstones, the replica keeps only live
 * rows, so no query needs a "deleted = 0" filter and counts stay index-only.
 */

/* Remove the row a tombstone names; sql is "DELETE FROM table WHERE id = ?". */
static int
put_tombstone(struct replica *r, const char *sql, const char *id,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, sql, &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("removing a deleted row"));
		return (-1);
	}
	return (0);
}

/* Step a bound upsert and turn failure into a cause naming the kind of row. */
static int
put_step(struct replica *r, sqlite3_stmt *s, const char *what, char **cause)
{
	int	 rc;

	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*cause = xprintf(_("writing %s: %s"), what,
		    sqlite3_errmsg(r->db));
		return (-1);
	}
	return (0);
}

/* Upsert an organisation. */
int
replica_put_org(struct replica *r, const struct org_rec *o, char **cause)
{
	sqlite3_stmt	*s;

	if ((s = rp_stmt(r, RS_PUT_ORG, "INSERT INTO orgs(id, name, rev) "
	    "VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "name = excluded.name, rev = excluded.rev", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, o->id);
	rp_bind_text(s, 2, o->name);
	sqlite3_bind_int64(s, 3, o->rev);
	return (put_step(r, s, "organisation", cause));
}

/* Upsert an SLA policy. */
int
replica_put_sla(struct replica *r, const struct sla_rec *p, char **cause)
{
	sqlite3_stmt	*s;

	if ((s = rp_stmt(r, RS_PUT_SLA, "INSERT INTO sla_policies(id, "
	    "priority, first_response_mins, resolution_mins, business_hours, "
	    "rev) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "priority = excluded.priority, "
	    "first_response_mins = excluded.first_response_mins, "
	    "resolution_mins = excluded.resolution_mins, "
	    "business_hours = excluded.business_hours, rev = excluded.rev",
	    cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, p->id);
	sqlite3_bind_int(s, 2, p->priority);
	sqlite3_bind_int(s, 3, p->first_response_mins);
	sqlite3_bind_int(s, 4, p->resolution_mins);
	sqlite3_bind_int(s, 5, p->business_hours);
	sqlite3_bind_int64(s, 6, p->rev);
	return (put_step(r, s, "SLA policy", cause));
}

/* Upsert a team. */
int
replica_put_team(struct replica *r, const struct team_rec *t, char **cause)
{
	sqlite3_stmt	*s;

	if (t->deleted)
		return (put_tombstone(r, "DELETE FROM teams WHERE id = ?",
		    t->id, cause));
	if ((s = rp_stmt(r, RS_PUT_TEAM, "INSERT INTO teams(id, name, "
	    "lead_id, rev, deleted) VALUES (?, ?, ?, ?, ?) "
	    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
	    "lead_id = excluded.lead_id, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, t->id);
	rp_bind_text(s, 2, t->name);
	rp_bind_text(s, 3, t->lead_id);
	sqlite3_bind_int64(s, 4, t->rev);
	sqlite3_bind_int(s, 5, t->deleted);
	return (put_step(r, s, "team", cause));
}

/* Upsert a user. */
int
replica_put_user(struct replica *r, const struct user_rec *u, char **cause)
{
	sqlite3_stmt	*s;

	if (u->deleted)
		return (put_tombstone(r, "DELETE FROM users WHERE id = ?",
		    u->id, cause));
	if ((s = rp_stmt(r, RS_PUT_USER, "INSERT INTO users(id, email, name, "
	    "role, team_id, signature, available, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "email = excluded.email, name = excluded.name, "
	    "role = excluded.role, team_id = excluded.team_id, "
	    "signature = excluded.signature, available = excluded.available, "
	    "rev = excluded.rev, deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, u->id);
	rp_bind_text(s, 2, u->email);
	rp_bind_text(s, 3, u->name);
	rp_bind_text(s, 4, u->role != NULL ? u->role : "agent");
	rp_bind_text(s, 5, u->team_id);
	rp_bind_text(s, 6, u->signature);
	sqlite3_bind_int(s, 7, u->available);
	sqlite3_bind_int64(s, 8, u->rev);
	sqlite3_bind_int(s, 9, u->deleted);
	return (put_step(r, s, "user", cause));
}

/* Upsert a customer. */
int
replica_put_customer(struct replica *r, const struct customer_rec *c,
    char **cause)
{
	sqlite3_stmt	*s;

	if (c->deleted)
		return (put_tombstone(r, "DELETE FROM customers WHERE id = ?",
		    c->id, cause));
	if ((s = rp_stmt(r, RS_PUT_CUSTOMER, "INSERT INTO customers(id, name, "
	    "email, phone, company, created_at, updated_at, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "name = excluded.name, email = excluded.email, "
	    "phone = excluded.phone, company = excluded.company, "
	    "created_at = excluded.created_at, "
	    "updated_at = excluded.updated_at, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, c->id);
	rp_bind_text(s, 2, c->name);
	rp_bind_text(s, 3, c->email);
	rp_bind_text(s, 4, c->phone);
	rp_bind_text(s, 5, c->company);
	sqlite3_bind_int64(s, 6, c->created_at);
	sqlite3_bind_int64(s, 7, c->updated_at != 0 ? c->updated_at :
	    c->created_at);
	sqlite3_bind_int64(s, 8, c->rev);
	sqlite3_bind_int(s, 9, c->deleted);
	return (put_step(r, s, "customer", cause));
}

/* Upsert a customer identity. */
int
replica_put_identity(struct replica *r, const struct identity_rec *i,
    char **cause)
{
	sqlite3_stmt	*s;

	if (i->deleted)
		return (put_tombstone(r, "DELETE FROM identities WHERE id = ?",
		    i->id, cause));
	if ((s = rp_stmt(r, RS_PUT_IDENTITY, "INSERT INTO identities(id, "
	    "customer_id, kind, value, rev, deleted) VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, "
	    "kind = excluded.kind, value = excluded.value, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, i->id);
	rp_bind_text(s, 2, i->customer_id);
	rp_bind_text(s, 3, i->kind);
	rp_bind_text(s, 4, i->value);
	sqlite3_bind_int64(s, 5, i->rev);
	sqlite3_bind_int(s, 6, i->deleted);
	return (put_step(r, s, "identity", cause));
}

/* Upsert an order. */
int
replica_put_order(struct replica *r, const struct order_rec *o, char **cause)
{
	sqlite3_stmt	*s;

	if (o->deleted)
		return (put_tombstone(r, "DELETE FROM orders WHERE id = ?",
		    o->id, cause));
	if ((s = rp_stmt(r, RS_PUT_ORDER, "INSERT INTO orders(id, customer_id, "
	    "number, status, currency, total_cents, placed_at, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "customer_id = excluded.customer_id, number = excluded.number, "
	    "status = excluded.status, currency = excluded.currency, "
	    "total_cents = excluded.total_cents, "
	    "placed_at = excluded.placed_at, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, o->id);
	rp_bind_text(s, 2, o->customer_id);
	rp_bind_text(s, 3, o->number);
	rp_bind_text(s, 4, o->status);
	rp_bind_text(s, 5, o->currency != NULL ? o->currency : "EUR");
	sqlite3_bind_int64(s, 6, o->total_cents);
	sqlite3_bind_int64(s, 7, o->placed_at);
	sqlite3_bind_int64(s, 8, o->rev);
	sqlite3_bind_int(s, 9, o->deleted);
	return (put_step(r, s, "order", cause));
}

/* Upsert an order item. */
int
replica_put_order_item(struct replica *r, const struct order_item_rec *i,
    char **cause)
{
	sqlite3_stmt	*s;

	if (i->deleted)
		return (put_tombstone(r, "DELETE FROM order_items WHERE id = ?",
		    i->id, cause));
	if ((s = rp_stmt(r, RS_PUT_ORDER_ITEM, "INSERT INTO order_items(id, "
	    "order_id, sku, title, qty, unit_price_cents, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "order_id = excluded.order_id, sku = excluded.sku, "
	    "title = excluded.title, qty = excluded.qty, "
	    "unit_price_cents = excluded.unit_price_cents, "
	    "rev = excluded.rev, deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, i->id);
	rp_bind_text(s, 2, i->order_id);
	rp_bind_text(s, 3, i->sku);
	rp_bind_text(s, 4, i->title);
	sqlite3_bind_int(s, 5, i->qty);
	sqlite3_bind_int64(s, 6, i->unit_price_cents);
	sqlite3_bind_int64(s, 7, i->rev);
	sqlite3_bind_int(s, 8, i->deleted);
	return (put_step(r, s, "order item", cause));
}

/* Upsert a shipment. */
int
replica_put_shipment(struct replica *r, const struct shipment_rec *h,
    char **cause)
{
	sqlite3_stmt	*s;

	if (h->deleted)
		return (put_tombstone(r, "DELETE FROM shipments WHERE id = ?",
		    h->id, cause));
	if ((s = rp_stmt(r, RS_PUT_SHIPMENT, "INSERT INTO shipments(id, "
	    "order_id, carrier, tracking, status, shipped_at, delivered_at, "
	    "rev, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT(id) DO UPDATE SET order_id = excluded.order_id, "
	    "carrier = excluded.carrier, tracking = excluded.tracking, "
	    "status = excluded.status, shipped_at = excluded.shipped_at, "
	    "delivered_at = excluded.delivered_at, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, h->id);
	rp_bind_text(s, 2, h->order_id);
	rp_bind_text(s, 3, h->carrier);
	rp_bind_text(s, 4, h->tracking);
	rp_bind_text(s, 5, h->status);
	rp_bind_int(s, 6, h->shipped_at);
	rp_bind_int(s, 7, h->delivered_at);
	sqlite3_bind_int64(s, 8, h->rev);
	sqlite3_bind_int(s, 9, h->deleted);
	return (put_step(r, s, "shipment", cause));
}

/* Upsert a ticket. */
int
replica_put_ticket(struct replica *r, const struct ticket_rec *t, char **cause)
{
	sqlite3_stmt	*s;

	if (t->deleted)
		return (put_tombstone(r, "DELETE FROM tickets WHERE id = ?",
		    t->id, cause));
	if ((s = rp_stmt(r, RS_PUT_TICKET, "INSERT INTO tickets(id, number, "
	    "subject, status, priority, channel, category, tags, customer_id, "
	    "assignee_id, team_id, created_at, updated_at, "
	    "first_response_due, first_response_at, resolution_due, "
	    "solved_at, escalation, merged_into, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?) ON CONFLICT(id) DO UPDATE SET number = excluded.number, "
	    "subject = excluded.subject, status = excluded.status, "
	    "priority = excluded.priority, channel = excluded.channel, "
	    "category = excluded.category, tags = excluded.tags, "
	    "customer_id = excluded.customer_id, "
	    "assignee_id = excluded.assignee_id, team_id = excluded.team_id, "
	    "created_at = excluded.created_at, "
	    "updated_at = excluded.updated_at, "
	    "first_response_due = excluded.first_response_due, "
	    "first_response_at = excluded.first_response_at, "
	    "resolution_due = excluded.resolution_due, "
	    "solved_at = excluded.solved_at, escalation = excluded.escalation, "
	    "merged_into = excluded.merged_into, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, t->id);
	rp_bind_int(s, 2, t->number);
	rp_bind_text(s, 3, t->subject);
	sqlite3_bind_int(s, 4, t->status);
	sqlite3_bind_int(s, 5, t->priority);
	rp_bind_text(s, 6, t->channel != NULL ? t->channel : "email");
	rp_bind_text(s, 7, t->category);
	rp_bind_text(s, 8, t->tags != NULL ? t->tags : "[]");
	rp_bind_text(s, 9, t->customer_id);
	rp_bind_text(s, 10, t->assignee_id);
	rp_bind_text(s, 11, t->team_id);
	sqlite3_bind_int64(s, 12, t->created_at);
	sqlite3_bind_int64(s, 13, t->updated_at != 0 ? t->updated_at :
	    t->created_at);
	rp_bind_int(s, 14, t->first_response_due);
	rp_bind_int(s, 15, t->first_response_at);
	rp_bind_int(s, 16, t->resolution_due);
	rp_bind_int(s, 17, t->solved_at);
	sqlite3_bind_int(s, 18, t->escalation);
	rp_bind_text(s, 19, t->merged_into);
	sqlite3_bind_int64(s, 20, t->rev);
	sqlite3_bind_int(s, 21, t->deleted);
	return (put_step(r, s, "ticket", cause));
}

/* Upsert a message. */
int
replica_put_message(struct replica *r, const struct message_rec *m,
    char **cause)
{
	sqlite3_stmt	*s;

	if (m->deleted)
		return (put_tombstone(r, "DELETE FROM messages WHERE id = ?",
		    m->id, cause));
	if ((s = rp_stmt(r, RS_PUT_MESSAGE, "INSERT INTO messages(id, "
	    "ticket_id, author, author_id, internal, body, created_at, "
	    "delivery, delivery_reason, macro_commit, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT(id) DO UPDATE SET ticket_id = excluded.ticket_id, "
	    "author = excluded.author, author_id = excluded.author_id, "
	    "internal = excluded.internal, body = excluded.body, "
	    "created_at = excluded.created_at, delivery = excluded.delivery, "
	    "delivery_reason = excluded.delivery_reason, "
	    "macro_commit = excluded.macro_commit, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, m->id);
	rp_bind_text(s, 2, m->ticket_id);
	rp_bind_text(s, 3, m->author);
	rp_bind_text(s, 4, m->author_id);
	sqlite3_bind_int(s, 5, m->internal);
	rp_bind_text(s, 6, m->body);
	sqlite3_bind_int64(s, 7, m->created_at);
	rp_bind_text(s, 8, m->delivery);
	rp_bind_text(s, 9, m->delivery_reason);
	rp_bind_text(s, 10, m->macro_commit);
	sqlite3_bind_int64(s, 11, m->rev);
	sqlite3_bind_int(s, 12, m->deleted);
	return (put_step(r, s, "message", cause));
}

/* Upsert attachment metadata. */
int
replica_put_attachment(struct replica *r, const struct attachment_rec *a,
    char **cause)
{
	sqlite3_stmt	*s;

	if (a->deleted)
		return (put_tombstone(r, "DELETE FROM attachments WHERE id = ?",
		    a->id, cause));
	if ((s = rp_stmt(r, RS_PUT_ATTACHMENT, "INSERT INTO attachments(id, "
	    "message_id, ticket_id, name, mime, size, sha256, rev, deleted) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "message_id = excluded.message_id, ticket_id = excluded.ticket_id, "
	    "name = excluded.name, mime = excluded.mime, size = excluded.size, "
	    "sha256 = excluded.sha256, rev = excluded.rev, "
	    "deleted = excluded.deleted", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, a->id);
	rp_bind_text(s, 2, a->message_id);
	rp_bind_text(s, 3, a->ticket_id);
	rp_bind_text(s, 4, a->name);
	rp_bind_text(s, 5, a->mime);
	sqlite3_bind_int64(s, 6, a->size);
	rp_bind_text(s, 7, a->sha256);
	sqlite3_bind_int64(s, 8, a->rev);
	sqlite3_bind_int(s, 9, a->deleted);
	return (put_step(r, s, "attachment", cause));
}

/* Upsert an audit event. */
int
replica_put_event(struct replica *r, const struct event_rec *e, char **cause)
{
	sqlite3_stmt	*s;

	if ((s = rp_stmt(r, RS_PUT_EVENT, "INSERT INTO events(id, ticket_id, "
	    "actor_id, field, old_value, new_value, created_at, rev) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
	    "ticket_id = excluded.ticket_id, actor_id = excluded.actor_id, "
	    "field = excluded.field, old_value = excluded.old_value, "
	    "new_value = excluded.new_value, created_at = excluded.created_at, "
	    "rev = excluded.rev", cause)) == NULL)
		return (-1);
	rp_bind_text(s, 1, e->id);
	rp_bind_text(s, 2, e->ticket_id);
	rp_bind_text(s, 3, e->actor_id);
	rp_bind_text(s, 4, e->field);
	rp_bind_text(s, 5, e->old_value);
	rp_bind_text(s, 6, e->new_value);
	sqlite3_bind_int64(s, 7, e->created_at);
	sqlite3_bind_int64(s, 8, e->rev);
	return (put_step(r, s, "event", cause));
}
