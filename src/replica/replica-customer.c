/* replica-customer.c: the customer 360: profile, identities, orders, tickets. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/* Free a customer 360 and everything in it. */
void
customer_360_free(struct customer_360 *c)
{
	size_t		 i, j;
	struct order	*o;

	if (c == NULL)
		return;
	free(c->name);
	free(c->email);
	free(c->phone);
	free(c->company);
	for (i = 0; i < c->nidentities; i++) {
		free(c->identities[i].kind);
		free(c->identities[i].value);
	}
	free(c->identities);
	for (i = 0; i < c->norders; i++) {
		o = &c->orders[i];
		free(o->number);
		free(o->status);
		free(o->currency);
		for (j = 0; j < o->nitems; j++) {
			free(o->items[j].sku);
			free(o->items[j].title);
		}
		free(o->items);
		for (j = 0; j < o->nshipments; j++) {
			free(o->shipments[j].carrier);
			free(o->shipments[j].tracking);
			free(o->shipments[j].status);
		}
		free(o->shipments);
	}
	free(c->orders);
	ticket_list_free(&c->tickets);
	free(c);
}

static int
customer_identities(struct replica *r, struct customer_360 *c, char **cause)
{
	sqlite3_stmt	*s;
	struct identity	*id;
	int		 rc;

	if (rp_prepare(r, "SELECT id, kind, value FROM identities "
	    "WHERE customer_id = ? ORDER BY kind, rid",
	    &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->identities = xreallocarray(c->identities,
		    c->nidentities + 1, sizeof *c->identities);
		id = &c->identities[c->nidentities++];
		rp_col_uuid(s, 0, id->id);
		id->kind = rp_col_text(s, 1);
		id->value = rp_col_text(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading identities"));
		return (-1);
	}
	return (0);
}

/* One order's items and shipments. */
static int
customer_order_lines(struct replica *r, struct order *o, sqlite3_stmt *items,
    sqlite3_stmt *ships, char **cause)
{
	struct order_item	*it;
	struct shipment		*sh;
	int			 rc;

	sqlite3_reset(items);
	rp_bind_text(items, 1, o->id);
	while ((rc = sqlite3_step(items)) == SQLITE_ROW) {
		o->items = xreallocarray(o->items, o->nitems + 1,
		    sizeof *o->items);
		it = &o->items[o->nitems++];
		it->sku = rp_col_text(items, 0);
		it->title = rp_col_text(items, 1);
		it->qty = (int)rp_col_int(items, 2);
		it->unit_price_cents = rp_col_int(items, 3);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(ships);
	rp_bind_text(ships, 1, o->id);
	while ((rc = sqlite3_step(ships)) == SQLITE_ROW) {
		o->shipments = xreallocarray(o->shipments, o->nshipments + 1,
		    sizeof *o->shipments);
		sh = &o->shipments[o->nshipments++];
		rp_col_uuid(ships, 0, sh->id);
		sh->carrier = rp_col_text(ships, 1);
		sh->tracking = rp_col_text(ships, 2);
		sh->status = rp_col_text(ships, 3);
		sh->shipped_at = rp_col_int(ships, 4);
		sh->delivered_at = rp_col_int(ships, 5);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	return (0);
fail:
	*cause = rp_error(r, _("reading an order"));
	return (-1);
}

static int
customer_orders(struct replica *r, struct customer_360 *c, char **cause)
{
	sqlite3_stmt	*s, *items = NULL, *ships = NULL;
	struct order	*o;
	int		 rc, ret = -1;

	if (rp_prepare(r, "SELECT id, number, status, currency, total_cents, "
	    "placed_at FROM orders WHERE customer_id = ? "
	    "ORDER BY placed_at DESC, rid DESC", &s, cause) != 0)
		return (-1);
	if (rp_prepare(r, "SELECT sku, title, qty, unit_price_cents "
	    "FROM order_items WHERE order_id = ? ORDER BY rid",
	    &items, cause) != 0 ||
	    rp_prepare(r, "SELECT id, carrier, tracking, status, shipped_at, "
	    "delivered_at FROM shipments WHERE order_id = ? "
	    "ORDER BY rid", &ships, cause) != 0)
		goto out;
	rp_bind_text(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->orders = xreallocarray(c->orders, c->norders + 1,
		    sizeof *c->orders);
		o = &c->orders[c->norders++];
		memset(o, 0, sizeof *o);
		rp_col_uuid(s, 0, o->id);
		o->number = rp_col_text(s, 1);
		o->status = rp_col_text(s, 2);
		o->currency = rp_col_text(s, 3);
		o->total_cents = rp_col_int(s, 4);
		o->placed_at = rp_col_int(s, 5);
		if (customer_order_lines(r, o, items, ships, cause) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading orders"));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(items);
	sqlite3_finalize(ships);
	return (ret);
}

static int
customer_tickets(struct replica *r, struct customer_360 *c, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT " RP_TICKET_COLUMNS " FROM tickets t "
	    RP_TICKET_JOINS " WHERE t.customer_id = ? "
	    "ORDER BY t.created_at DESC, t.id DESC", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->tickets.v = xreallocarray(c->tickets.v, c->tickets.n + 1,
		    sizeof *c->tickets.v);
		rp_read_ticket(s, 0, &c->tickets.v[c->tickets.n++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		*cause = rp_error(r, _("reading a customer's tickets"));
		return (-1);
	}
	return (0);
}

/* The customer 360 for a customer id; REPLICA_NOTFOUND if unknown. */
int
replica_customer_get(struct replica *r, const char *id,
    struct customer_360 **out, char **cause)
{
	struct customer_360	*c;
	sqlite3_stmt		*s;
	int			 rc;

	if (rp_prepare(r, "SELECT id, name, email, phone, company, created_at "
	    "FROM customers WHERE id = ?", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return (REPLICA_NOTFOUND);
		*cause = rp_error(r, _("reading a customer"));
		return (-1);
	}
	c = xcalloc(1, sizeof *c);
	rp_col_uuid(s, 0, c->id);
	c->name = rp_col_text(s, 1);
	c->email = rp_col_text(s, 2);
	c->phone = rp_col_text(s, 3);
	c->company = rp_col_text(s, 4);
	c->created_at = rp_col_int(s, 5);
	sqlite3_finalize(s);
	if (customer_identities(r, c, cause) != 0 ||
	    customer_orders(r, c, cause) != 0 ||
	    customer_tickets(r, c, cause) != 0) {
		customer_360_free(c);
		return (-1);
	}
	*out = c;
	return (0);
}

/* The customer and order ids of an order number (exact). */
int
replica_order_customer(struct replica *r, const char *number,
    char customer_id[UUID_STRLEN + 1], char order_id[UUID_STRLEN + 1],
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (rp_prepare(r, "SELECT customer_id, id FROM orders WHERE number = ? "
	    "COLLATE NOCASE LIMIT 1", &s, cause) != 0)
		return (-1);
	rp_bind_text(s, 1, number);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rp_col_uuid(s, 0, customer_id);
		rp_col_uuid(s, 1, order_id);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return (0);
	if (rc == SQLITE_DONE)
		return (REPLICA_NOTFOUND);
	*cause = rp_error(r, _("looking up an order"));
	return (-1);
}
