/* admin-import.c: triage admin import: customers, orders, tickets (JSON Lines). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server-int.h"

/*
 * Each line is one record, imported in its own SERIALIZABLE transaction:
 * two imports of overlapping files may run at once, and the loser of a
 * race (both making the customer of one email address) is retried and then
 * finds the winner's row. Records are matched on external_id and never
 * rewritten, so importing a file again changes nothing.
 */
#define IMP_RETRIES	50

/* A customer as a line names it: itself, or an order's or ticket's. */
struct imp_cust {
	const char	*external_id;
	const char	*name;
	const char	*email;
	const char	*phone;
	const char	*company;
};

struct imp_item {
	const char	*sku, *title;
	int64_t		 qty, price;
};

struct imp_ship {
	const char	*carrier, *tracking, *status;
	int64_t		 shipped_at, delivered_at;
};

struct imp_msg {
	int		 agent;
	const char	*agent_email;
	int		 internal;
	const char	*body;
	int64_t		 at;
	char		 user[UUID_STRLEN + 1];	/* the agent's id */
};

/* One line, checked; strings are borrowed from the JSON. */
struct imp_rec {
	const char	*type;
	const char	*external_id;
	struct imp_cust	 cust;

	const char	*number, *status, *currency;	/* orders */
	int64_t		 total, placed_at;
	struct imp_item	*items;
	size_t		 nitems;
	struct imp_ship	*ships;
	size_t		 nships;

	const char	*subject, *priority, *channel, *category;  /* tickets */
	char		*tags;
	int64_t		 created_at;
	struct imp_msg	*msgs;
	size_t		 nmsgs;
};

/* What a line did, counted once its transaction has committed. */
struct imp_out {
	int		 existed;	/* the record was there */
	int		 made;		/* customers made */
};

struct imp {
	PGconn		*c;
	const char	*file;
	char		 org[UUID_STRLEN + 1];
	struct pg_err	 err;
	int64_t		 cust_new, cust_old, ord_new, ord_old;
	int64_t		 tk_new, tk_old, bad;
};

static const char *const imp_order_status[] = {
	"placed", "paid", "shipped", "delivered", "cancelled", "refunded", NULL
};
static const char *const imp_ship_status[] = {
	"in_transit", "delivered", "late", "lost", NULL
};

/* Is s one of the words of list? */
static int
imp_oneof(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return (1);
	}
	return (0);
}

/*
 * A string member; absent or null is NULL unless need. Errors name the
 * field (pre is the path to the object: "messages[2].") but never quote
 * the value: it may be someone's personal data.
 */
static int
imp_str(json_t *o, const char *pre, const char *key, int need,
    const char **out, char **why)
{
	json_t	*v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!need)
			return (0);
		*why = xprintf(_("%s%s: missing"), pre, key);
		return (-1);
	}
	if (!json_is_string(v)) {
		*why = xprintf(_("%s%s: not a string"), pre, key);
		return (-1);
	}
	*out = json_string_value(v);
	if (need && **out == '\0') {
		*why = xprintf(_("%s%s: empty"), pre, key);
		return (-1);
	}
	return (0);
}

/* A time member in RFC 3339; 0 if absent and not needed. */
static int
imp_time(json_t *o, const char *pre, const char *key, int need,
    int64_t *out, char **why)
{
	const char	*s;

	*out = 0;
	if (imp_str(o, pre, key, need, &s, why) != 0)
		return (-1);
	if (s != NULL && (time_parse_rfc3339(s, out) != 0 || *out <= 0)) {
		*why = xprintf(_("%s%s: not an RFC 3339 time"), pre, key);
		return (-1);
	}
	return (0);
}

/* An amount such as "129.90" in cents, exactly (no floating point). */
static int
imp_money(json_t *o, const char *pre, const char *key, int64_t *out,
    char **why)
{
	const char	*s, *p;
	int64_t		 v = 0;
	int		 frac = -1;

	if (imp_str(o, pre, key, 1, &s, why) != 0)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '.' && frac == -1 && p != s) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || frac == 2 ||
		    v > (INT64_MAX / 100 - 9) / 10)
			break;
		v = v * 10 + (*p - '0');
		if (frac >= 0)
			frac++;
	}
	if (*p != '\0' || frac == 0) {
		*why = xprintf(_("%s%s: not an amount like \"129.90\""), pre,
		    key);
		return (-1);
	}
	for (frac = frac < 0 ? 0 : frac; frac < 2; frac++)
		v *= 10;
	*out = v;
	return (0);
}

/* An array member (absent: none); its length. */
static int
imp_array(json_t *o, const char *key, json_t **out, size_t *n, char **why)
{
	*out = json_object_get(o, key);
	*n = 0;
	if (*out == NULL || json_is_null(*out)) {
		*out = NULL;
		return (0);
	}
	if (!json_is_array(*out)) {
		*why = xprintf(_("%s: not an array"), key);
		return (-1);
	}
	*n = json_array_size(*out);
	return (0);
}

/* A customer object: the line itself (top) or its "customer" member. */
static int
imp_check_cust(json_t *o, int top, struct imp_cust *cu, char **why)
{
	const char	*pre = top ? "" : "customer.";

	if (!json_is_object(o)) {
		*why = xstrdup(top ? _("not an object") :
		    _("customer: not an object"));
		return (-1);
	}
	if ((!top && imp_str(o, pre, "external_id", 0, &cu->external_id,
	    why) != 0) || imp_str(o, pre, "name", top, &cu->name, why) != 0 ||
	    imp_str(o, pre, "email", 0, &cu->email, why) != 0 ||
	    imp_str(o, pre, "phone", 0, &cu->phone, why) != 0 ||
	    imp_str(o, pre, "company", 0, &cu->company, why) != 0)
		return (-1);
	if (cu->email != NULL && (*cu->email == '\0' ||
	    strchr(cu->email, '@') == NULL)) {
		*why = xprintf(_("%semail: not an email address"), pre);
		return (-1);
	}
	if (cu->phone != NULL && *cu->phone == '\0')
		cu->phone = NULL;
	if (cu->email == NULL && cu->phone == NULL &&
	    (cu->external_id == NULL || *cu->external_id == '\0')) {
		*why = xstrdup(top ? _("a customer needs an email, a phone "
		    "or an external_id") : _("customer: needs an email, a "
		    "phone or an external_id"));
		return (-1);
	}
	return (0);
}

static int
imp_check_items(json_t *o, struct imp_rec *r, char **why)
{
	json_t		*a, *it;
	struct imp_item	*x;
	char		 pre[48];
	size_t		 i, n;

	if (imp_array(o, "items", &a, &n, why) != 0)
		return (-1);
	r->items = xcalloc(n + 1, sizeof *r->items);
	json_array_foreach(a, i, it) {
		x = &r->items[r->nitems++];
		snprintf(pre, sizeof pre, "items[%zu].", i);
		if (!json_is_object(it)) {
			*why = xprintf(_("items[%zu]: not an object"), i);
			return (-1);
		}
		if (imp_str(it, pre, "sku", 1, &x->sku, why) != 0 ||
		    imp_str(it, pre, "title", 1, &x->title, why) != 0 ||
		    imp_money(it, pre, "unit_price", &x->price, why) != 0)
			return (-1);
		if (!json_is_integer(json_object_get(it, "qty")) ||
		    (x->qty = json_integer_value(json_object_get(it,
		    "qty"))) < 1 || x->qty > 1000000) {
			*why = xprintf(_("%sqty: not a positive integer"), pre);
			return (-1);
		}
	}
	return (0);
}

static int
imp_check_ships(json_t *o, struct imp_rec *r, char **why)
{
	json_t		*a, *it;
	struct imp_ship	*x;
	char		 pre[48];
	size_t		 i, n;

	if (imp_array(o, "shipments", &a, &n, why) != 0)
		return (-1);
	r->ships = xcalloc(n + 1, sizeof *r->ships);
	json_array_foreach(a, i, it) {
		x = &r->ships[r->nships++];
		snprintf(pre, sizeof pre, "shipments[%zu].", i);
		if (!json_is_object(it)) {
			*why = xprintf(_("shipments[%zu]: not an object"), i);
			return (-1);
		}
		if (imp_str(it, pre, "carrier", 1, &x->carrier, why) != 0 ||
		    imp_str(it, pre, "tracking", 1, &x->tracking, why) != 0 ||
		    imp_str(it, pre, "status", 1, &x->status, why) != 0 ||
		    imp_time(it, pre, "shipped_at", 0, &x->shipped_at,
		    why) != 0 ||
		    imp_time(it, pre, "delivered_at", 0, &x->delivered_at,
		    why) != 0)
			return (-1);
		if (!imp_oneof(x->status, imp_ship_status)) {
			*why = xprintf(_("%sstatus: unknown (in_transit, "
			    "delivered, late, lost)"), pre);
			return (-1);
		}
	}
	return (0);
}

static int
imp_check_order(json_t *o, struct imp_rec *r, char **why)
{
	const char	*cur;

	if (imp_str(o, "", "number", 1, &r->number, why) != 0 ||
	    imp_str(o, "", "status", 1, &r->status, why) != 0 ||
	    imp_str(o, "", "currency", 0, &r->currency, why) != 0 ||
	    imp_money(o, "", "total", &r->total, why) != 0 ||
	    imp_time(o, "", "placed_at", 1, &r->placed_at, why) != 0)
		return (-1);
	if (!imp_oneof(r->status, imp_order_status)) {
		*why = xstrdup(_("status: unknown order status (placed, paid, "
		    "shipped, delivered, cancelled, refunded)"));
		return (-1);
	}
	if ((cur = r->currency) == NULL)
		r->currency = "EUR";
	else if (strlen(cur) != 3 || cur[0] < 'A' || cur[0] > 'Z' ||
	    cur[1] < 'A' || cur[1] > 'Z' || cur[2] < 'A' || cur[2] > 'Z') {
		*why = xstrdup(_("currency: not a code like \"EUR\""));
		return (-1);
	}
	return (imp_check_items(o, r, why) != 0 ? -1 :
	    imp_check_ships(o, r, why));
}

static int
imp_check_msgs(json_t *o, struct imp_rec *r, char **why)
{
	json_t		*a, *it, *v;
	struct imp_msg	*m;
	const char	*author;
	char		 pre[48];
	size_t		 i, n;

	if (imp_array(o, "messages", &a, &n, why) != 0)
		return (-1);
	r->msgs = xcalloc(n + 1, sizeof *r->msgs);
	json_array_foreach(a, i, it) {
		m = &r->msgs[r->nmsgs++];
		snprintf(pre, sizeof pre, "messages[%zu].", i);
		if (!json_is_object(it)) {
			*why = xprintf(_("messages[%zu]: not an object"), i);
			return (-1);
		}
		if (imp_str(it, pre, "author", 1, &author, why) != 0 ||
		    imp_str(it, pre, "body", 1, &m->body, why) != 0 ||
		    imp_time(it, pre, "at", 1, &m->at, why) != 0)
			return (-1);
		if (strcmp(author, "customer") != 0 &&
		    strcmp(author, "agent") != 0) {
			*why = xprintf(_("%sauthor: neither customer nor "
			    "agent"), pre);
			return (-1);
		}
		m->agent = *author == 'a';
		if (m->agent && imp_str(it, pre, "agent_email", 1,
		    &m->agent_email, why) != 0)
			return (-1);
		v = json_object_get(it, "internal");
		if (v != NULL && !json_is_boolean(v) && !json_is_null(v)) {
			*why = xprintf(_("%sinternal: not true or false"), pre);
			return (-1);
		}
		m->internal = json_is_true(v);
	}
	return (0);
}

static int
imp_check_ticket(json_t *o, struct imp_rec *r, char **why)
{
	json_t	*tags, *t;
	size_t	 i;

	if (imp_str(o, "", "subject", 1, &r->subject, why) != 0 ||
	    imp_str(o, "", "status", 0, &r->status, why) != 0 ||
	    imp_str(o, "", "priority", 0, &r->priority, why) != 0 ||
	    imp_str(o, "", "channel", 0, &r->channel, why) != 0 ||
	    imp_str(o, "", "category", 0, &r->category, why) != 0 ||
	    imp_time(o, "", "created_at", 1, &r->created_at, why) != 0)
		return (-1);
	if (utf8_strlen(r->subject) > 1000) {
		*why = xstrdup(_("subject: longer than 1000 characters"));
		return (-1);
	}
	if (r->status != NULL && ticket_status_parse(r->status) < 0) {
		*why = xstrdup(_("status: unknown ticket status"));
		return (-1);
	}
	if (r->priority != NULL && ticket_priority_parse(r->priority) < 0) {
		*why = xstrdup(_("priority: unknown priority"));
		return (-1);
	}
	r->status = ticket_status_name(r->status == NULL ? TICKET_NEW :
	    ticket_status_parse(r->status));
	r->priority = ticket_priority_name(r->priority == NULL ?
	    PRIORITY_NORMAL : ticket_priority_parse(r->priority));
	if (r->channel == NULL || *r->channel == '\0')
		r->channel = "email";
	tags = json_object_get(o, "tags");
	if (tags != NULL && !json_is_null(tags)) {
		if (!json_is_array(tags)) {
			*why = xstrdup(_("tags: not an array"));
			return (-1);
		}
		json_array_foreach(tags, i, t) {
			if (!json_is_string(t)) {
				*why = xprintf(_("tags[%zu]: not a string"), i);
				return (-1);
			}
		}
		r->tags = json_dumps(tags, JSON_COMPACT);
	}
	return (imp_check_msgs(o, r, why));
}

/* Check a parsed line and fill r; -1 with the reason. */
static int
imp_check(json_t *o, struct imp_rec *r, char **why)
{
	json_t	*cu;

	if (!json_is_object(o)) {
		*why = xstrdup(_("not a JSON object"));
		return (-1);
	}
	if (imp_str(o, "", "type", 1, &r->type, why) != 0)
		return (-1);
	if (strcmp(r->type, "customer") != 0 &&
	    strcmp(r->type, "order") != 0 && strcmp(r->type, "ticket") != 0) {
		*why = xstrdup(_("type: unknown (customer, order or ticket)"));
		return (-1);
	}
	if (imp_str(o, "", "external_id", *r->type != 'c', &r->external_id,
	    why) != 0)
		return (-1);
	if (*r->type == 'c') {
		r->cust.external_id = r->external_id;
		return (imp_check_cust(o, 1, &r->cust, why));
	}
	if ((cu = json_object_get(o, "customer")) == NULL) {
		*why = xstrdup(_("customer: missing"));
		return (-1);
	}
	if (imp_check_cust(cu, 0, &r->cust, why) != 0)
		return (-1);
	if (*r->type == 'o')
		return (imp_check_order(o, r, why));
	return (imp_check_ticket(o, r, why));
}

static void
imp_rec_free(struct imp_rec *r)
{
	free(r->items);
	free(r->ships);
	free(r->msgs);
	free(r->tags);
}

/* A time as PostgreSQL takes it; "" means NULL to imp_p. */
static void
imp_ts(int64_t ms, char out[TIME_RFC3339_SIZE])
{
	if (ms == 0)
		*out = '\0';
	else
		time_format_rfc3339(ms, out);
}

static const char *
imp_p(const char *s)
{
	return (s != NULL && *s != '\0' ? s : NULL);
}

/* One id from a query with one row, or none: 1 found, 0 not, -1 error. */
static int
imp_lookup(struct imp *im, const char *sql, int n, const char *const *p,
    char id[UUID_STRLEN + 1], char **cause)
{
	PGresult	*res;
	int		 found;

	if ((res = pg_query(im->c, sql, n, p, &im->err, cause)) == NULL)
		return (-1);
	if ((found = PQntuples(res) > 0))
		snprintf(id, UUID_STRLEN + 1, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (found);
}

/*
 * The customer a line names: by external_id, then email, then phone
 * (case-insensitively, through identities); 1 found, 0 not, -1 error.
 */
static int
imp_find_cust(struct imp *im, const struct imp_cust *cu,
    char id[UUID_STRLEN + 1], char **cause)
{
	static const char *const kinds[] = { "email", "phone" };
	const char	*p[3];
	int		 i, rc;

	p[0] = im->org;
	if ((p[1] = imp_p(cu->external_id)) != NULL &&
	    (rc = imp_lookup(im, "SELECT id FROM customers WHERE org_id = $1 "
	    "AND external_id = $2", 2, p, id, cause)) != 0)
		return (rc);
	for (i = 0; i < 2; i++) {
		p[1] = kinds[i];
		if ((p[2] = i == 0 ? cu->email : cu->phone) == NULL)
			continue;
		if ((rc = imp_lookup(im, "SELECT customer_id FROM identities "
		    "WHERE org_id = $1 AND kind = $2 AND lower(value) = "
		    "lower($3)", 3, p, id, cause)) != 0)
			return (rc);
	}
	return (0);
}

/* Make a customer with identities for its email and phone. */
static int
imp_make_cust(struct imp *im, const struct imp_cust *cu,
    char id[UUID_STRLEN + 1], char **cause)
{
	static const char *const kinds[] = { "email", "phone" };
	char		 iid[UUID_STRLEN + 1];
	const char	*p[7];
	int		 i;

	uuid_v7(id);
	p[0] = id;
	p[1] = im->org;
	p[2] = imp_p(cu->external_id);
	p[3] = cu->name != NULL && *cu->name != '\0' ? cu->name :
	    cu->email != NULL ? cu->email : cu->phone != NULL ? cu->phone :
	    cu->external_id;
	p[4] = cu->email;
	p[5] = cu->phone;
	p[6] = imp_p(cu->company);
	if (pg_exec(im->c, "INSERT INTO customers (id, org_id, external_id, "
	    "name, email, phone, company) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	    7, p, &im->err, cause) != 0)
		return (-1);
	for (i = 0; i < 2; i++) {
		if ((p[4] = i == 0 ? cu->email : cu->phone) == NULL)
			continue;
		uuid_v7(iid);
		p[0] = iid;
		p[2] = id;
		p[3] = kinds[i];
		if (pg_exec(im->c, "INSERT INTO identities (id, org_id, "
		    "customer_id, kind, value) VALUES ($1, $2, $3, $4, $5)", 5,
		    p, &im->err, cause) != 0)
			return (-1);
	}
	return (0);
}

/* The line's customer, found or made. */
static int
imp_cust(struct imp *im, const struct imp_cust *cu, struct imp_out *out,
    char id[UUID_STRLEN + 1], char **cause)
{
	int	 rc;

	if ((rc = imp_find_cust(im, cu, id, cause)) != 0)
		return (rc < 0 ? -1 : 0);
	out->made++;
	return (imp_make_cust(im, cu, id, cause));
}

static int
imp_apply_customer(struct imp *im, struct imp_rec *r, struct imp_out *out,
    char **cause)
{
	char	 id[UUID_STRLEN + 1];
	int	 rc;

	if ((rc = imp_find_cust(im, &r->cust, id, cause)) != 0) {
		out->existed = 1;
		return (rc < 0 ? -1 : 0);
	}
	out->made++;
	return (imp_make_cust(im, &r->cust, id, cause));
}

/* An order's items and shipments. */
static int
imp_insert_lines(struct imp *im, const struct imp_rec *r, const char *order,
    char **cause)
{
	char		 id[UUID_STRLEN + 1], n1[24], n2[24];
	char		 t1[TIME_RFC3339_SIZE], t2[TIME_RFC3339_SIZE];
	const char	*p[8];
	size_t		 i;

	p[1] = im->org;
	p[2] = order;
	for (i = 0; i < r->nitems; i++) {
		uuid_v7(id);
		snprintf(n1, sizeof n1, "%lld", (long long)r->items[i].qty);
		snprintf(n2, sizeof n2, "%lld", (long long)r->items[i].price);
		p[0] = id;
		p[3] = r->items[i].sku;
		p[4] = r->items[i].title;
		p[5] = n1;
		p[6] = n2;
		if (pg_exec(im->c, "INSERT INTO order_items (id, org_id, "
		    "order_id, sku, title, qty, unit_price_cents) VALUES ($1, "
		    "$2, $3, $4, $5, $6, $7)", 7, p, &im->err, cause) != 0)
			return (-1);
	}
	for (i = 0; i < r->nships; i++) {
		uuid_v7(id);
		imp_ts(r->ships[i].shipped_at, t1);
		imp_ts(r->ships[i].delivered_at, t2);
		p[0] = id;
		p[3] = r->ships[i].carrier;
		p[4] = r->ships[i].tracking;
		p[5] = r->ships[i].status;
		p[6] = imp_p(t1);
		p[7] = imp_p(t2);
		if (pg_exec(im->c, "INSERT INTO shipments (id, org_id, "
		    "order_id, carrier, tracking, status, shipped_at, "
		    "delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8,
		    p, &im->err, cause) != 0)
			return (-1);
	}
	return (0);
}

static int
imp_apply_order(struct imp *im, struct imp_rec *r, struct imp_out *out,
    char **cause)
{
	char		 id[UUID_STRLEN + 1], cid[UUID_STRLEN + 1], n[24];
	char		 t[TIME_RFC3339_SIZE];
	const char	*p[9];
	int		 rc;

	p[0] = im->org;
	p[1] = r->external_id;
	if ((rc = imp_lookup(im, "SELECT id FROM orders WHERE org_id = $1 AND "
	    "external_id = $2", 2, p, id, cause)) != 0) {
		out->existed = 1;
		return (rc < 0 ? -1 : 0);
	}
	if (imp_cust(im, &r->cust, out, cid, cause) != 0)
		return (-1);
	uuid_v7(id);
	snprintf(n, sizeof n, "%lld", (long long)r->total);
	imp_ts(r->placed_at, t);
	p[0] = id;
	p[1] = im->org;
	p[2] = cid;
	p[3] = r->external_id;
	p[4] = r->number;
	p[5] = r->status;
	p[6] = r->currency;
	p[7] = n;
	p[8] = t;
	if (pg_exec(im->c, "INSERT INTO orders (id, org_id, customer_id, "
	    "external_id, number, status, currency, total_cents, placed_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, p, &im->err,
	    cause) != 0)
		return (-1);
	return (imp_insert_lines(im, r, id, cause));
}

/* The agents of a ticket's messages; 1 (with the reason) if one is unknown. */
static int
imp_agents(struct imp *im, struct imp_rec *r, char **cause)
{
	const char	*p[2];
	size_t		 i;
	int		 rc;

	p[0] = im->org;
	for (i = 0; i < r->nmsgs; i++) {
		if (!r->msgs[i].agent)
			continue;
		p[1] = r->msgs[i].agent_email;
		if ((rc = imp_lookup(im, "SELECT id FROM users WHERE org_id = "
		    "$1 AND lower(email) = lower($2)", 2, p, r->msgs[i].user,
		    cause)) < 0)
			return (-1);
		if (rc == 0) {
			*cause = xprintf(_("messages[%zu].agent_email: no user "
			    "of the organisation has it"), i);
			return (1);
		}
	}
	return (0);
}

/*
 * A ticket's times: updated_at is its last message, the first public agent
 * reply is its first response, and a solved or closed one was solved then.
 */
static void
imp_ticket_times(const struct imp_rec *r, int64_t *upd, int64_t *first)
{
	size_t	 i;

	*upd = r->created_at;
	*first = 0;
	for (i = 0; i < r->nmsgs; i++) {
		if (r->msgs[i].at > *upd)
			*upd = r->msgs[i].at;
		if (r->msgs[i].agent && !r->msgs[i].internal &&
		    (*first == 0 || r->msgs[i].at < *first))
			*first = r->msgs[i].at;
	}
}

/* Insert the ticket with a number from the counter and its SLA times. */
static int
imp_insert_ticket(struct imp *im, struct imp_rec *r, const char *id,
    const char *cid, char **cause)
{
	char		 tc[TIME_RFC3339_SIZE], tu[TIME_RFC3339_SIZE];
	char		 tf[TIME_RFC3339_SIZE], ts[TIME_RFC3339_SIZE];
	const char	*p[15];
	int64_t		 upd, first;
	int		 solved;

	imp_ticket_times(r, &upd, &first);
	solved = strcmp(r->status, "solved") == 0 ||
	    strcmp(r->status, "closed") == 0;
	imp_ts(r->created_at, tc);
	imp_ts(upd, tu);
	imp_ts(first, tf);
	imp_ts(solved ? upd : 0, ts);
	p[0] = id;
	p[1] = im->org;
	p[2] = r->external_id;
	p[3] = r->subject;
	p[4] = r->status;
	p[5] = r->priority;
	p[6] = r->channel;
	p[7] = imp_p(r->category);
	p[8] = r->tags != NULL ? r->tags : "[]";
	p[9] = cid;
	p[10] = tc;
	p[11] = tu;
	p[12] = imp_p(tf);
	p[13] = imp_p(ts);
	return (pg_exec(im->c, "WITH n AS (UPDATE org_counters SET "
	    "next_number = next_number + 1 WHERE org_id = $2 RETURNING "
	    "next_number - 1 AS number) INSERT INTO tickets (id, org_id, "
	    "number, external_id, subject, status, priority, channel, "
	    "category, tags, customer_id, created_at, updated_at, "
	    "first_response_at, solved_at, first_response_due, resolution_due) "
	    "SELECT $1::uuid, $2::uuid, n.number, $3::text, $4::text, "
	    "$5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::uuid, "
	    "$11::timestamptz, $12::timestamptz, $13::timestamptz, "
	    "$14::timestamptz, CASE WHEN "
	    "$13::timestamptz IS NULL THEN $11::timestamptz + "
	    "p.first_response_mins * interval '1 minute' END, "
	    "$11::timestamptz + p.resolution_mins * interval '1 minute' "
	    "FROM n LEFT JOIN sla_policies p ON p.org_id = $2 AND "
	    "p.priority = $6 AND NOT p.deleted", 14, p, &im->err, cause));
}

/* The messages and the "created" event. */
static int
imp_insert_thread(struct imp *im, struct imp_rec *r, const char *id,
    const char *cid, char **cause)
{
	char		 mid[UUID_STRLEN + 1], t[TIME_RFC3339_SIZE];
	const char	*p[8];
	size_t		 i;

	p[1] = im->org;
	p[2] = id;
	for (i = 0; i < r->nmsgs; i++) {
		uuid_v7(mid);
		imp_ts(r->msgs[i].at, t);
		p[0] = mid;
		p[3] = r->msgs[i].agent ? "agent" : "customer";
		p[4] = r->msgs[i].agent ? r->msgs[i].user : cid;
		p[5] = pg_bool(r->msgs[i].internal);
		p[6] = r->msgs[i].body;
		p[7] = t;
		if (pg_exec(im->c, "INSERT INTO messages (id, org_id, ticket_id, "
		    "author, author_id, internal, body, created_at) VALUES ($1, "
		    "$2, $3, $4, $5, $6, $7, $8)", 8, p, &im->err, cause) != 0)
			return (-1);
	}
	uuid_v7(mid);
	imp_ts(r->created_at, t);
	p[0] = mid;
	p[3] = r->subject;
	p[4] = t;
	return (pg_exec(im->c, "INSERT INTO events (id, org_id, ticket_id, "
	    "field, new_value, created_at) VALUES ($1, $2, $3, 'created', $4, "
	    "$5)", 5, p, &im->err, cause));
}

static int
imp_apply_ticket(struct imp *im, struct imp_rec *r, struct imp_out *out,
    char **cause)
{
	char		 id[UUID_STRLEN + 1], cid[UUID_STRLEN + 1];
	const char	*p[2];
	int		 rc;

	p[0] = im->org;
	p[1] = r->external_id;
	if ((rc = imp_lookup(im, "SELECT id FROM tickets WHERE org_id = $1 "
	    "AND external_id = $2", 2, p, id, cause)) != 0) {
		out->existed = 1;
		return (rc < 0 ? -1 : 0);
	}
	if ((rc = imp_agents(im, r, cause)) != 0)
		return (rc);
	if (imp_cust(im, &r->cust, out, cid, cause) != 0)
		return (-1);
	uuid_v7(id);
	if (imp_insert_ticket(im, r, id, cid, cause) != 0)
		return (-1);
	return (imp_insert_thread(im, r, id, cid, cause));
}

/* Is the failure one that a new attempt may not meet? */
static int
imp_retryable(const struct pg_err *err)
{
	/* A unique violation: a concurrent import made the row first. */
	return (!err->lost && (pg_serialization_failure(err) ||
	    strcmp(err->state, "23505") == 0));
}

/*
 * Apply one record in a SERIALIZABLE transaction, again while it loses
 * races. 0 done, 1 a bad record (reason in cause), -1 a database error.
 */
static int
imp_apply(struct imp *im, struct imp_rec *r, struct imp_out *out,
    char **cause)
{
	struct timespec	 ts;
	uint32_t	 u;
	int		 rc, try;

	for (try = 0; ; try++) {
		memset(out, 0, sizeof *out);
		/* History: it notifies no one and queues no assignment. */
		if (pg_exec(im->c, "BEGIN ISOLATION LEVEL SERIALIZABLE", 0, NULL,
		    &im->err, cause) != 0 || pg_exec(im->c, "SET LOCAL "
		    "triage.quiet = on", 0, NULL, &im->err, cause) != 0)
			return (-1);
		if (*r->type == 'c')
			rc = imp_apply_customer(im, r, out, cause);
		else if (*r->type == 'o')
			rc = imp_apply_order(im, r, out, cause);
		else
			rc = imp_apply_ticket(im, r, out, cause);
		if (rc == 0 && pg_exec(im->c, "COMMIT", 0, NULL, &im->err,
		    cause) == 0)
			return (0);
		if (PQtransactionStatus(im->c) != PQTRANS_IDLE)
			pg_exec(im->c, "ROLLBACK", 0, NULL, NULL, NULL);
		if (rc > 0 || !imp_retryable(&im->err) || try == IMP_RETRIES)
			return (rc > 0 ? 1 : -1);
		free(*cause);
		*cause = NULL;
		/* Back off a little, more each time, so racers spread out. */
		random_bytes(&u, sizeof u);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(1 + u % (5 + 5 * (uint32_t)try)) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* Count what a committed line did. */
static void
imp_count(struct imp *im, const struct imp_rec *r, const struct imp_out *out)
{
	im->cust_new += out->made;
	if (*r->type == 'c')
		im->cust_old += out->existed;
	else if (*r->type == 'o' && out->existed)
		im->ord_old++;
	else if (*r->type == 'o')
		im->ord_new++;
	else if (out->existed)
		im->tk_old++;
	else
		im->tk_new++;
}

/* Report a bad line, naming what is wrong but not the data. */
static void
imp_bad(struct imp *im, long line, const char *why)
{
	fprintf(stderr, "%s:%ld: %s\n", im->file, line, why);
	im->bad++;
}

/* One line: parse, check, apply. -1 only when the import cannot go on. */
static int
imp_line(struct imp *im, long lineno, const char *line, size_t len)
{
	struct imp_rec	 r;
	struct imp_out	 out;
	json_error_t	 jerr;
	json_t		*o;
	char		*why = NULL;
	int		 rc = 0;

	if (strspn(line, " \t\r\n") == len)
		return (0);		/* blank lines are no records */
	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		if (json_error_code(&jerr) == json_error_invalid_utf8)
			imp_bad(im, lineno, _("not valid UTF-8"));
		else if (json_error_code(&jerr) == json_error_duplicate_key)
			imp_bad(im, lineno, _("a key appears twice"));
		else {
			why = xprintf(_("not valid JSON (column %d)"),
			    jerr.column);
			imp_bad(im, lineno, why);
		}
		free(why);
		return (0);
	}
	memset(&r, 0, sizeof r);
	if (imp_check(o, &r, &why) != 0)
		imp_bad(im, lineno, why);
	else if ((rc = imp_apply(im, &r, &out, &why)) == 0)
		imp_count(im, &r, &out);
	else if (rc > 0 || !im->err.lost) {
		imp_bad(im, lineno, why);
		rc = 0;
	} else
		admin_error(1, "%s:%ld: %s", im->file, lineno, why);
	free(why);
	imp_rec_free(&r);
	json_decref(o);
	return (rc);
}

/* Read the file line by line (of any length) and import each. */
static int
imp_file(struct imp *im, FILE *f)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	long	 lineno = 0;
	int	 rc = 0;

	while (rc == 0 && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		rc = imp_line(im, lineno, line, (size_t)n);
	}
	if (rc == 0 && ferror(f)) {
		admin_error(1, _("%s: read error"), im->file);
		rc = -1;
	}
	free(line);
	return (rc);
}

/* triage admin import --org NAME FILE: JSON Lines, "-" for stdin. */
int
admin_import(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct imp	 im;
	const char	*org = NULL;
	char		*cause = NULL;
	FILE		*f;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'o')
			goto usage;
		org = optarg;
	}
	if (org == NULL || optind != argc - 1)
		goto usage;
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	memset(&im, 0, sizeof im);
	im.c = c;
	if ((rc = pg_org_id(c, org, im.org, &cause)) != 1) {
		if (rc == 0)
			return (admin_error(1, _("no organisation named \"%s\""),
			    org));
		rc = admin_error(1, "%s", cause);
		free(cause);
		return (rc);
	}
	if (strcmp(argv[optind], "-") == 0) {
		im.file = "stdin";
		f = stdin;
	} else if ((f = fopen(argv[optind], "re")) == NULL)
		return (admin_error(1, "%s: %s", argv[optind], strerror(errno)));
	else
		im.file = argv[optind];
	rc = imp_file(&im, f);
	if (f != stdin)
		fclose(f);
	printf(_("customers: %lld new, %lld existing; orders: %lld new, %lld "
	    "existing; tickets: %lld new, %lld existing; %lld bad lines\n"),
	    (long long)im.cust_new, (long long)im.cust_old,
	    (long long)im.ord_new, (long long)im.ord_old, (long long)im.tk_new,
	    (long long)im.tk_old, (long long)im.bad);
	return (rc != 0 || im.bad != 0 ? 1 : 0);
usage:
	return (admin_error(2, "%s", _("usage: triage admin import --org NAME "
	    "FILE")));
}
