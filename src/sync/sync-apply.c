/* sync-apply.c: a pulled page into the replica, in one transaction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync-int.h"

/*
 * A page is {"cursor": N, "more": B, "changes": {TABLE: [ROW, ...], ...}}
 * with cursor and more first (doc/protocol.md). It is read with the
 * streaming scanner, not built as a tree: a row's members land in slots
 * by name, the slots are bound to the replica's upsert, and the next row
 * reuses them. Strings point into the page's text, which the scanner
 * unescapes in place, so nothing is copied.
 */

/* A member's kind: a string, an integer, a boolean, an array of strings. */
enum { K_STR, K_INT, K_BOOL, K_LIST };

struct field {
	const char	*name;
	int		 kind;
};

#define ROW_MAX		24

struct slot {
	const char	*s;	/* K_STR, K_LIST (as compact JSON) */
	int64_t		 i;	/* K_INT, K_BOOL */
	int		 set;	/* present and not null */
};

struct row {
	struct slot	 v[ROW_MAX];
	struct buf	 list;	/* the one K_LIST member, re-encoded */
};

struct table {
	const char		*name;
	const struct field	*fields;	/* ends with a NULL name */
	int			 (*put)(struct replica *, struct row *,
				     char **);
};

/* Every table's rows start with these. */
enum { F_ID, F_REV, F_DELETED, F_FIRST };
#define COMMON_FIELDS \
	[F_ID] = { "id", K_STR }, [F_REV] = { "rev", K_INT }, \
	[F_DELETED] = { "deleted", K_BOOL }

#define S(w, f)	((w)->v[f].s)
#define I(w, f)	((w)->v[f].i)
#define ID(w)	S(w, F_ID)
#define REV(w)	I(w, F_REV)
#define DEL(w)	((int)I(w, F_DELETED))

enum { ORG_NAME = F_FIRST };
static const struct field org_fields[] = { COMMON_FIELDS,
	[ORG_NAME] = { "name", K_STR }, { NULL, 0 } };

static int
put_org(struct replica *r, struct row *w, char **cause)
{
	struct org_rec x = { ID(w), S(w, ORG_NAME), REV(w) };

	return (replica_put_org(r, &x, cause));
}

enum { SLA_PRIORITY = F_FIRST, SLA_FIRST, SLA_RESOLUTION, SLA_BUSINESS };
static const struct field sla_fields[] = { COMMON_FIELDS,
	[SLA_PRIORITY] = { "priority", K_STR },
	[SLA_FIRST] = { "first_response_mins", K_INT },
	[SLA_RESOLUTION] = { "resolution_mins", K_INT },
	[SLA_BUSINESS] = { "business_hours", K_BOOL }, { NULL, 0 } };

static int
put_sla(struct replica *r, struct row *w, char **cause)
{
	struct sla_rec x = { ID(w), ticket_priority_parse(S(w,
	    SLA_PRIORITY) != NULL ? S(w, SLA_PRIORITY) : ""),
	    (int)I(w, SLA_FIRST), (int)I(w, SLA_RESOLUTION),
	    (int)I(w, SLA_BUSINESS), REV(w) };

	return (replica_put_sla(r, &x, cause));
}

enum { TEAM_NAME = F_FIRST, TEAM_LEAD };
static const struct field team_fields[] = { COMMON_FIELDS,
	[TEAM_NAME] = { "name", K_STR }, [TEAM_LEAD] = { "lead_id", K_STR },
	{ NULL, 0 } };

static int
put_team(struct replica *r, struct row *w, char **cause)
{
	struct team_rec x = { ID(w), S(w, TEAM_NAME), S(w, TEAM_LEAD), REV(w),
	    DEL(w) };

	return (replica_put_team(r, &x, cause));
}

enum { USER_EMAIL = F_FIRST, USER_NAME, USER_ROLE, USER_TEAM, USER_SIG,
    USER_AVAILABLE };
static const struct field user_fields[] = { COMMON_FIELDS,
	[USER_EMAIL] = { "email", K_STR }, [USER_NAME] = { "name", K_STR },
	[USER_ROLE] = { "role", K_STR }, [USER_TEAM] = { "team_id", K_STR },
	[USER_SIG] = { "signature", K_STR },
	[USER_AVAILABLE] = { "available", K_BOOL }, { NULL, 0 } };

static int
put_user(struct replica *r, struct row *w, char **cause)
{
	struct user_rec x = { ID(w), S(w, USER_EMAIL), S(w, USER_NAME),
	    S(w, USER_ROLE), S(w, USER_TEAM), S(w, USER_SIG),
	    (int)I(w, USER_AVAILABLE), REV(w), DEL(w) };

	return (replica_put_user(r, &x, cause));
}

enum { CU_NAME = F_FIRST, CU_EMAIL, CU_PHONE, CU_COMPANY, CU_CREATED,
    CU_UPDATED };
static const struct field customer_fields[] = { COMMON_FIELDS,
	[CU_NAME] = { "name", K_STR }, [CU_EMAIL] = { "email", K_STR },
	[CU_PHONE] = { "phone", K_STR }, [CU_COMPANY] = { "company", K_STR },
	[CU_CREATED] = { "created_at", K_INT },
	[CU_UPDATED] = { "updated_at", K_INT }, { NULL, 0 } };

static int
put_customer(struct replica *r, struct row *w, char **cause)
{
	struct customer_rec x = { ID(w), S(w, CU_NAME), S(w, CU_EMAIL),
	    S(w, CU_PHONE), S(w, CU_COMPANY), I(w, CU_CREATED),
	    I(w, CU_UPDATED), REV(w), DEL(w) };

	return (replica_put_customer(r, &x, cause));
}

enum { ID_CUSTOMER = F_FIRST, ID_KIND, ID_VALUE };
static const struct field identity_fields[] = { COMMON_FIELDS,
	[ID_CUSTOMER] = { "customer_id", K_STR },
	[ID_KIND] = { "kind", K_STR }, [ID_VALUE] = { "value", K_STR },
	{ NULL, 0 } };

static int
put_identity(struct replica *r, struct row *w, char **cause)
{
	struct identity_rec x = { ID(w), S(w, ID_CUSTOMER), S(w, ID_KIND),
	    S(w, ID_VALUE), REV(w), DEL(w) };

	return (replica_put_identity(r, &x, cause));
}

enum { OR_CUSTOMER = F_FIRST, OR_NUMBER, OR_STATUS, OR_CURRENCY, OR_TOTAL,
    OR_PLACED };
static const struct field order_fields[] = { COMMON_FIELDS,
	[OR_CUSTOMER] = { "customer_id", K_STR },
	[OR_NUMBER] = { "number", K_STR }, [OR_STATUS] = { "status", K_STR },
	[OR_CURRENCY] = { "currency", K_STR },
	[OR_TOTAL] = { "total_cents", K_INT },
	[OR_PLACED] = { "placed_at", K_INT }, { NULL, 0 } };

static int
put_order(struct replica *r, struct row *w, char **cause)
{
	struct order_rec x = { ID(w), S(w, OR_CUSTOMER), S(w, OR_NUMBER),
	    S(w, OR_STATUS), S(w, OR_CURRENCY), I(w, OR_TOTAL),
	    I(w, OR_PLACED), REV(w), DEL(w) };

	return (replica_put_order(r, &x, cause));
}

enum { OI_ORDER = F_FIRST, OI_SKU, OI_TITLE, OI_QTY, OI_PRICE };
static const struct field order_item_fields[] = { COMMON_FIELDS,
	[OI_ORDER] = { "order_id", K_STR }, [OI_SKU] = { "sku", K_STR },
	[OI_TITLE] = { "title", K_STR }, [OI_QTY] = { "qty", K_INT },
	[OI_PRICE] = { "unit_price_cents", K_INT }, { NULL, 0 } };

static int
put_order_item(struct replica *r, struct row *w, char **cause)
{
	struct order_item_rec x = { ID(w), S(w, OI_ORDER), S(w, OI_SKU),
	    S(w, OI_TITLE), (int)I(w, OI_QTY), I(w, OI_PRICE), REV(w),
	    DEL(w) };

	return (replica_put_order_item(r, &x, cause));
}

enum { SH_ORDER = F_FIRST, SH_CARRIER, SH_TRACKING, SH_STATUS, SH_SHIPPED,
    SH_DELIVERED };
static const struct field shipment_fields[] = { COMMON_FIELDS,
	[SH_ORDER] = { "order_id", K_STR }, [SH_CARRIER] = { "carrier", K_STR },
	[SH_TRACKING] = { "tracking", K_STR },
	[SH_STATUS] = { "status", K_STR },
	[SH_SHIPPED] = { "shipped_at", K_INT },
	[SH_DELIVERED] = { "delivered_at", K_INT }, { NULL, 0 } };

static int
put_shipment(struct replica *r, struct row *w, char **cause)
{
	struct shipment_rec x = { ID(w), S(w, SH_ORDER), S(w, SH_CARRIER),
	    S(w, SH_TRACKING), S(w, SH_STATUS), I(w, SH_SHIPPED),
	    I(w, SH_DELIVERED), REV(w), DEL(w) };

	return (replica_put_shipment(r, &x, cause));
}

enum { TK_NUMBER = F_FIRST, TK_SUBJECT, TK_STATUS, TK_PRIORITY, TK_CHANNEL,
    TK_CATEGORY, TK_TAGS, TK_CUSTOMER, TK_ASSIGNEE, TK_TEAM, TK_CREATED,
    TK_UPDATED, TK_FR_DUE, TK_FR_AT, TK_RES_DUE, TK_SOLVED, TK_ESCALATION,
    TK_MERGED };
static const struct field ticket_fields[] = { COMMON_FIELDS,
	[TK_NUMBER] = { "number", K_INT }, [TK_SUBJECT] = { "subject", K_STR },
	[TK_STATUS] = { "status", K_STR },
	[TK_PRIORITY] = { "priority", K_STR },
	[TK_CHANNEL] = { "channel", K_STR },
	[TK_CATEGORY] = { "category", K_STR },
	[TK_TAGS] = { "tags", K_LIST },
	[TK_CUSTOMER] = { "customer_id", K_STR },
	[TK_ASSIGNEE] = { "assignee_id", K_STR },
	[TK_TEAM] = { "team_id", K_STR },
	[TK_CREATED] = { "created_at", K_INT },
	[TK_UPDATED] = { "updated_at", K_INT },
	[TK_FR_DUE] = { "first_response_due", K_INT },
	[TK_FR_AT] = { "first_response_at", K_INT },
	[TK_RES_DUE] = { "resolution_due", K_INT },
	[TK_SOLVED] = { "solved_at", K_INT },
	[TK_ESCALATION] = { "escalation", K_INT },
	[TK_MERGED] = { "merged_into", K_STR }, { NULL, 0 } };

static int
put_ticket(struct replica *r, struct row *w, char **cause)
{
	struct ticket_rec x;

	memset(&x, 0, sizeof x);
	x.id = ID(w);
	x.number = I(w, TK_NUMBER);
	x.subject = S(w, TK_SUBJECT);
	x.status = ticket_status_parse(S(w, TK_STATUS) != NULL ?
	    S(w, TK_STATUS) : "");
	x.priority = ticket_priority_parse(S(w, TK_PRIORITY) != NULL ?
	    S(w, TK_PRIORITY) : "");
	if (x.subject == NULL || x.status < 0 || x.priority < 0) {
		*cause = xprintf(_("the server's page: ticket %s has a bad "
		    "subject, status or priority"), x.id);
		return (-1);
	}
	x.channel = S(w, TK_CHANNEL);
	x.category = S(w, TK_CATEGORY);
	x.tags = S(w, TK_TAGS) != NULL ? S(w, TK_TAGS) : "[]";
	x.customer_id = S(w, TK_CUSTOMER);
	x.assignee_id = S(w, TK_ASSIGNEE);
	x.team_id = S(w, TK_TEAM);
	x.created_at = I(w, TK_CREATED);
	x.updated_at = I(w, TK_UPDATED);
	x.first_response_due = I(w, TK_FR_DUE);
	x.first_response_at = I(w, TK_FR_AT);
	x.resolution_due = I(w, TK_RES_DUE);
	x.solved_at = I(w, TK_SOLVED);
	x.escalation = (int)I(w, TK_ESCALATION);
	x.merged_into = S(w, TK_MERGED);
	x.rev = REV(w);
	x.deleted = DEL(w);
	if (replica_put_ticket(r, &x, cause) != 0)
		return (-1);
	/* Local changes the server's row does not hold yet stay shown. */
	return (x.deleted ? 0 : replica_outbox_overlay(r, x.id, x.rev, cause));
}

enum { MS_TICKET = F_FIRST, MS_AUTHOR, MS_AUTHOR_ID, MS_INTERNAL, MS_BODY,
    MS_CREATED, MS_DELIVERY, MS_REASON, MS_MACRO };
static const struct field message_fields[] = { COMMON_FIELDS,
	[MS_TICKET] = { "ticket_id", K_STR }, [MS_AUTHOR] = { "author", K_STR },
	[MS_AUTHOR_ID] = { "author_id", K_STR },
	[MS_INTERNAL] = { "internal", K_BOOL }, [MS_BODY] = { "body", K_STR },
	[MS_CREATED] = { "created_at", K_INT },
	[MS_DELIVERY] = { "delivery", K_STR },
	[MS_REASON] = { "delivery_reason", K_STR },
	[MS_MACRO] = { "macro_commit", K_STR }, { NULL, 0 } };

/*
 * Rows that come with a notification for someone (a customer's message,
 * an internal note that may mention, an assignment, an SLA step): the
 * round fetches notifications when it applied any (sync.c).
 */
__thread int64_t sync_notify_hint;

static int
put_message(struct replica *r, struct row *w, char **cause)
{
	struct message_rec x = { ID(w), S(w, MS_TICKET), S(w, MS_AUTHOR),
	    S(w, MS_AUTHOR_ID), (int)I(w, MS_INTERNAL), S(w, MS_BODY),
	    I(w, MS_CREATED), S(w, MS_DELIVERY), S(w, MS_REASON),
	    S(w, MS_MACRO), REV(w), DEL(w) };

	if (!x.deleted && (x.body == NULL || x.ticket_id == NULL)) {
		*cause = xprintf(_("the server's page: message %s has no "
		    "body or ticket"), x.id);
		return (-1);
	}
	if (x.internal || (x.author != NULL && strcmp(x.author,
	    "customer") == 0))
		sync_notify_hint++;
	return (replica_put_message(r, &x, cause));
}

enum { AT_MESSAGE = F_FIRST, AT_TICKET, AT_NAME, AT_MIME, AT_SIZE, AT_SHA };
static const struct field attachment_fields[] = { COMMON_FIELDS,
	[AT_MESSAGE] = { "message_id", K_STR },
	[AT_TICKET] = { "ticket_id", K_STR }, [AT_NAME] = { "name", K_STR },
	[AT_MIME] = { "mime", K_STR }, [AT_SIZE] = { "size", K_INT },
	[AT_SHA] = { "sha256", K_STR }, { NULL, 0 } };

static int
put_attachment(struct replica *r, struct row *w, char **cause)
{
	struct attachment_rec x = { ID(w), S(w, AT_MESSAGE), S(w, AT_TICKET),
	    S(w, AT_NAME), S(w, AT_MIME), I(w, AT_SIZE), S(w, AT_SHA), REV(w),
	    DEL(w) };

	return (replica_put_attachment(r, &x, cause));
}

enum { EV_TICKET = F_FIRST, EV_ACTOR, EV_FIELD, EV_OLD, EV_NEW, EV_CREATED };
static const struct field event_fields[] = { COMMON_FIELDS,
	[EV_TICKET] = { "ticket_id", K_STR }, [EV_ACTOR] = { "actor_id", K_STR },
	[EV_FIELD] = { "field", K_STR }, [EV_OLD] = { "old_value", K_STR },
	[EV_NEW] = { "new_value", K_STR },
	[EV_CREATED] = { "created_at", K_INT }, { NULL, 0 } };

static int
put_event(struct replica *r, struct row *w, char **cause)
{
	struct event_rec x = { ID(w), S(w, EV_TICKET), S(w, EV_ACTOR),
	    S(w, EV_FIELD), S(w, EV_OLD), S(w, EV_NEW), I(w, EV_CREATED),
	    REV(w) };

	if (x.field != NULL && (strcmp(x.field, "sla") == 0 ||
	    strcmp(x.field, "assignee") == 0))
		sync_notify_hint++;

	return (replica_put_event(r, &x, cause));
}

static const struct table tables[] = {
	{ "orgs", org_fields, put_org },
	{ "sla_policies", sla_fields, put_sla },
	{ "teams", team_fields, put_team },
	{ "users", user_fields, put_user },
	{ "customers", customer_fields, put_customer },
	{ "identities", identity_fields, put_identity },
	{ "orders", order_fields, put_order },
	{ "order_items", order_item_fields, put_order_item },
	{ "shipments", shipment_fields, put_shipment },
	{ "tickets", ticket_fields, put_ticket },
	{ "messages", message_fields, put_message },
	{ "attachments", attachment_fields, put_attachment },
	{ "events", event_fields, put_event },
};

/* The scanner's failure as a cause. */
static int
page_error(struct sync_page *pg, char **cause)
{
	*cause = xprintf(_("the server's page is not valid JSON: %s at "
	    "byte %zu"), pg->js.error != NULL ? pg->js.error :
	    "an unexpected token", pg->js.error != NULL ? pg->js.where :
	    (size_t)(pg->js.p - pg->js.start));
	return (-1);
}

/* The slot a member name fills; hint is where the last one was + 1. */
static int
field_find(const struct field *f, const char *name, int *hint)
{
	int	 i;

	if (f[*hint].name != NULL && strcmp(f[*hint].name, name) == 0)
		return ((*hint)++);
	for (i = 0; f[i].name != NULL; i++) {
		if (strcmp(f[i].name, name) == 0) {
			*hint = i + 1;
			return (i);
		}
	}
	return (-1);
}

/* An array of strings, re-encoded as compact JSON in w->list. */
static int
read_list(struct sync_page *pg, struct row *w, char **cause)
{
	int	 tok, n = 0;

	buf_reset(&w->list);
	buf_putc(&w->list, '[');
	while ((tok = jscan_next(&pg->js)) == JT_STRING) {
		if (n++ > 0)
			buf_putc(&w->list, ',');
		buf_json_string(&w->list, pg->js.str);
	}
	if (tok == JT_ERROR)
		return (page_error(pg, cause));
	if (tok != JT_ARRAY_END) {
		*cause = xstrdup(_("the server's page: a list that holds more "
		    "than strings"));
		return (-1);
	}
	buf_putc(&w->list, ']');
	return (0);
}

/* One row object, its '{' read: members into w's slots. */
static int
read_row(struct sync_page *pg, const struct table *t, struct row *w,
    char **cause)
{
	const struct field	*f;
	int			 tok, k, hint = 0, bad;

	memset(w->v, 0, sizeof w->v);
	while ((tok = jscan_next(&pg->js)) == JT_STRING) {
		k = field_find(t->fields, pg->js.str, &hint);
		tok = jscan_next(&pg->js);
		if (k < 0) {
			/* A member a newer server sends: ignored. */
			if (jscan_skip(&pg->js, tok) != 0)
				return (page_error(pg, cause));
			continue;
		}
		f = &t->fields[k];
		if (tok == JT_NULL)
			continue;
		switch (f->kind) {
		case K_STR:
			bad = tok != JT_STRING;
			w->v[k].s = pg->js.str;
			break;
		case K_INT:
			bad = tok != JT_NUMBER || !pg->js.integral;
			w->v[k].i = pg->js.num;
			break;
		case K_BOOL:
			bad = tok != JT_TRUE && tok != JT_FALSE;
			w->v[k].i = tok == JT_TRUE;
			break;
		default:
			bad = tok != JT_ARRAY;
			if (!bad && read_list(pg, w, cause) != 0)
				return (-1);
			w->v[k].s = buf_cstr(&w->list);
			break;
		}
		if (tok == JT_ERROR)
			return (page_error(pg, cause));
		if (bad) {
			*cause = xprintf(_("the server's page: %s.%s of the "
			    "wrong type"), t->name, f->name);
			return (-1);
		}
		w->v[k].set = 1;
	}
	if (tok != JT_OBJECT_END)
		return (page_error(pg, cause));
	if (!w->v[F_ID].set || !uuid_valid(ID(w)) || !w->v[F_REV].set) {
		*cause = xprintf(_("the server's page: a row of %s without "
		    "id or rev"), t->name);
		return (-1);
	}
	return (0);
}

/* One table's list of rows, its name read. */
static int
read_table(struct sync_page *pg, struct replica *r, const char *name,
    struct row *w, int64_t *n, char **cause)
{
	const struct table	*t = NULL;
	size_t			 i;
	int			 tok;

	for (i = 0; i < nitems(tables); i++) {
		if (strcmp(tables[i].name, name) == 0)
			t = &tables[i];
	}
	tok = jscan_next(&pg->js);
	if (tok != JT_ARRAY) {
		if (tok == JT_ERROR)
			return (page_error(pg, cause));
		*cause = xprintf(_("the server's page: \"%s\" is not a list"),
		    name);
		return (-1);
	}
	if (t == NULL)		/* a table a newer server sends */
		return (jscan_skip(&pg->js, tok) != 0 ?
		    page_error(pg, cause) : 0);
	while ((tok = jscan_next(&pg->js)) == JT_OBJECT) {
		if (read_row(pg, t, w, cause) != 0 || t->put(r, w, cause) != 0)
			return (-1);
		(*n)++;
	}
	if (tok != JT_ARRAY_END) {
		if (tok == JT_ERROR)
			return (page_error(pg, cause));
		*cause = xprintf(_("the server's page: a row of %s that is "
		    "not an object"), name);
		return (-1);
	}
	return (0);
}

/*
 * Read a page's head, up to its changes: cursor and more. The page takes
 * text over (it is changed in place) until sync_page_free().
 */
int
sync_page_open(struct sync_page *pg, struct buf *text, char **cause)
{
	const char	*key;
	int		 tok, have_cursor = 0, have_more = 0;

	memset(pg, 0, sizeof *pg);
	pg->text = *text;
	buf_init(text);
	buf_init(&pg->row_list);
	jscan_init(&pg->js, pg->text.data, pg->text.len);
	if (jscan_next(&pg->js) != JT_OBJECT)
		return (page_error(pg, cause));
	while ((tok = jscan_next(&pg->js)) == JT_STRING) {
		key = pg->js.str;
		if (strcmp(key, "changes") == 0)
			break;
		tok = jscan_next(&pg->js);
		if (strcmp(key, "cursor") == 0 && tok == JT_NUMBER &&
		    pg->js.integral && pg->js.num >= 0) {
			pg->cursor = pg->js.num;
			have_cursor = 1;
		} else if (strcmp(key, "more") == 0 &&
		    (tok == JT_TRUE || tok == JT_FALSE)) {
			pg->more = tok == JT_TRUE;
			have_more = 1;
		} else if (strcmp(key, "head") == 0 && tok == JT_NUMBER &&
		    pg->js.integral)
			pg->head = pg->js.num;
		else if (jscan_skip(&pg->js, tok) != 0)
			return (page_error(pg, cause));
	}
	if (tok == JT_ERROR)
		return (page_error(pg, cause));
	if (tok != JT_STRING || !have_cursor || !have_more) {
		*cause = xstrdup(_("the server's page lacks cursor and more "
		    "before its changes"));
		return (-1);
	}
	return (0);
}

void
sync_page_free(struct sync_page *pg)
{
	buf_free(&pg->text);
	buf_free(&pg->row_list);
}

/* The changes object and the rest of the page, in the open transaction. */
static int
read_changes(struct sync_page *pg, struct replica *r, int64_t *n,
    char **cause)
{
	struct row	*w;
	int		 tok, rc = -1;

	if ((tok = jscan_next(&pg->js)) != JT_OBJECT) {
		if (tok == JT_ERROR)
			return (page_error(pg, cause));
		*cause = xstrdup(_("the server's page: changes is not an "
		    "object"));
		return (-1);
	}
	w = xcalloc(1, sizeof *w);
	w->list = pg->row_list;
	while ((tok = jscan_next(&pg->js)) == JT_STRING) {
		if (read_table(pg, r, pg->js.str, w, n, cause) != 0)
			goto out;
	}
	if (tok != JT_OBJECT_END) {
		page_error(pg, cause);
		goto out;
	}
	/* Whatever follows the changes, then the end of the text. */
	while ((tok = jscan_next(&pg->js)) == JT_STRING) {
		if (jscan_skip(&pg->js, jscan_next(&pg->js)) != 0)
			break;
	}
	if (tok != JT_OBJECT_END || jscan_next(&pg->js) != JT_END) {
		page_error(pg, cause);
		goto out;
	}
	rc = 0;
out:
	pg->row_list = w->list;
	free(w);
	return (rc);
}

/*
 * Apply an opened page: every row and the new cursor in one transaction,
 * or nothing. A page whose cursor is behind the replica's is refused (an
 * answer for another cursor). The first page of an empty replica starts a
 * bulk load; the last page of one (more false) ends it. During a bulk
 * load the transaction stays open over several pages (b says so): each
 * commit rewrites every index page the rows touched, and a bulk load's
 * rows touch them all. A page is still never half applied, and a load cut
 * short resumes from the last commit.
 */
int
sync_page_apply(struct sync_page *pg, struct replica *r, struct sync_batch *b,
    int64_t *rows, char **cause)
{
	int64_t		 have, n = 0;
	int		 bulk, done;

	if (replica_sync_cursor(r, &have, cause) != 0)
		goto fail;
	if (pg->cursor < have) {
		*cause = xprintf(_("the server's page is for an older cursor "
		    "(%lld, the replica has %lld)"), (long long)pg->cursor,
		    (long long)have);
		goto fail;
	}
	if (!b->open) {
		/* The bulk load's settings are set outside a transaction. */
		if ((replica_bulk_active(r) || (have == 0 && pg->more)) &&
		    replica_bulk_cache(r, 1, cause) != 0)
			return (-1);
		if (replica_begin(r, cause) != 0)
			return (-1);
		b->open = 1;
		b->rows = 0;
	}
	if (have == 0 && pg->more && replica_bulk_begin(r, cause) != 0)
		goto fail;
	bulk = replica_bulk_active(r);
	if (read_changes(pg, r, &n, cause) != 0 ||
	    replica_sync_set_cursor(r, pg->cursor, cause) != 0)
		goto fail;
	b->rows += n;
	*rows = n;
	done = bulk && !pg->more;
	if (done && replica_bulk_done(r, cause) != 0)
		goto fail;
	if (bulk && pg->more && b->rows < SYNC_BULK_BATCH)
		return (0);
	if (sync_batch_commit(r, b, cause) != 0)
		return (-1);
	/* Statistics for the planner, now that the tables are full. */
	if (done && (replica_bulk_cache(r, 0, cause) != 0 ||
	    replica_analyze(r, cause) != 0))
		return (-1);
	return (0);
fail:
	if (b->open)
		replica_rollback(r);
	b->open = 0;
	return (-1);
}

/* Commit the pages a bulk load's transaction holds, if it is open. */
int
sync_batch_commit(struct replica *r, struct sync_batch *b, char **cause)
{
	if (!b->open)
		return (0);
	b->open = 0;
	if (replica_commit(r, cause) != 0) {
		replica_rollback(r);
		return (-1);
	}
	return (0);
}
