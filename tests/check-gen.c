/* check-gen.c: the demo generator: deterministic, consistent and plausible. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "model/model.h"

#define NOW		1760000000000LL	/* 2025-10-09T08:53:20Z */
#define HOUR		3600000LL
#define DAY		(24 * HOUR)
#define TICKETS		2000

/* ck_assert() reports every pass to the parent; too slow per record. */
#define QUICK_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/*
 * A sink that folds every field of every record into one FNV-1a hash, to
 * compare whole runs.
 */
struct hash {
	uint64_t	 h;
};

/* Fold n bytes into the hash. */
static void
hash_bytes(struct hash *x, const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		x->h = (x->h ^ *b++) * 0x100000001b3ULL;
}

/* Fold a string, telling NULL from "". */
static void
hash_str(struct hash *x, const char *s)
{
	if (s == NULL)
		hash_bytes(x, "\xff", 1);
	else
		hash_bytes(x, s, strlen(s) + 1);
}

/* Fold an integer. */
static void
hash_int(struct hash *x, int64_t v)
{
	hash_bytes(x, &v, sizeof v);
}

static int
hash_org(void *a, const struct org_rec *r, char **cause)
{
	hash_str(a, "org");
	hash_str(a, r->id);
	hash_str(a, r->name);
	hash_int(a, r->rev);
	return (0);
}

static int
hash_sla(void *a, const struct sla_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_int(a, r->priority);
	hash_int(a, r->first_response_mins);
	hash_int(a, r->resolution_mins);
	hash_int(a, r->business_hours);
	hash_int(a, r->rev);
	return (0);
}

static int
hash_team(void *a, const struct team_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->name);
	hash_str(a, r->lead_id);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_user(void *a, const struct user_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->email);
	hash_str(a, r->name);
	hash_str(a, r->role);
	hash_str(a, r->team_id);
	hash_str(a, r->signature);
	hash_int(a, r->available);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_customer(void *a, const struct customer_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->name);
	hash_str(a, r->email);
	hash_str(a, r->phone);
	hash_str(a, r->company);
	hash_int(a, r->created_at);
	hash_int(a, r->updated_at);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_identity(void *a, const struct identity_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->customer_id);
	hash_str(a, r->kind);
	hash_str(a, r->value);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_order(void *a, const struct order_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->customer_id);
	hash_str(a, r->number);
	hash_str(a, r->status);
	hash_str(a, r->currency);
	hash_int(a, r->total_cents);
	hash_int(a, r->placed_at);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_item(void *a, const struct order_item_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->order_id);
	hash_str(a, r->sku);
	hash_str(a, r->title);
	hash_int(a, r->qty);
	hash_int(a, r->unit_price_cents);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_shipment(void *a, const struct shipment_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->order_id);
	hash_str(a, r->carrier);
	hash_str(a, r->tracking);
	hash_str(a, r->status);
	hash_int(a, r->shipped_at);
	hash_int(a, r->delivered_at);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_ticket(void *a, const struct ticket_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_int(a, r->number);
	hash_str(a, r->subject);
	hash_int(a, r->status);
	hash_int(a, r->priority);
	hash_str(a, r->channel);
	hash_str(a, r->category);
	hash_str(a, r->tags);
	hash_str(a, r->customer_id);
	hash_str(a, r->assignee_id);
	hash_str(a, r->team_id);
	hash_int(a, r->created_at);
	hash_int(a, r->updated_at);
	hash_int(a, r->first_response_due);
	hash_int(a, r->first_response_at);
	hash_int(a, r->resolution_due);
	hash_int(a, r->solved_at);
	hash_int(a, r->escalation);
	hash_str(a, r->merged_into);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_message(void *a, const struct message_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->ticket_id);
	hash_str(a, r->author);
	hash_str(a, r->author_id);
	hash_int(a, r->internal);
	hash_str(a, r->body);
	hash_int(a, r->created_at);
	hash_str(a, r->delivery);
	hash_str(a, r->delivery_reason);
	hash_str(a, r->macro_commit);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_attachment(void *a, const struct attachment_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->message_id);
	hash_str(a, r->ticket_id);
	hash_str(a, r->name);
	hash_str(a, r->mime);
	hash_int(a, r->size);
	hash_str(a, r->sha256);
	hash_int(a, r->rev);
	hash_int(a, r->deleted);
	return (0);
}

static int
hash_event(void *a, const struct event_rec *r, char **cause)
{
	hash_str(a, r->id);
	hash_str(a, r->ticket_id);
	hash_str(a, r->actor_id);
	hash_str(a, r->field);
	hash_str(a, r->old_value);
	hash_str(a, r->new_value);
	hash_int(a, r->created_at);
	hash_int(a, r->rev);
	return (0);
}

/* The hash of a whole run. */
static uint64_t
run_hash(uint64_t seed, int64_t tickets, int64_t now, struct gen_stats *st)
{
	struct hash	 x = { 0xcbf29ce484222325ULL };
	struct gen_sink	 sink = {
		&x, hash_org, hash_sla, hash_team, hash_user, hash_customer,
		hash_identity, hash_order, hash_item, hash_shipment,
		hash_ticket, hash_message, hash_attachment, hash_event, NULL
	};
	struct gen_opts	 o = { seed, tickets, now, NULL };
	char		*cause = NULL;

	ck_assert_int_eq(gen_run(&o, &sink, st, &cause), 0);
	return (x.h);
}

START_TEST(test_same_seed_same_records)
{
	struct gen_stats	 a, b;

	ck_assert_uint_eq(run_hash(7, 500, NOW, &a), run_hash(7, 500, NOW, &b));
	ck_assert_mem_eq(&a, &b, sizeof a);
}
END_TEST

START_TEST(test_other_seed_or_time_other_records)
{
	struct gen_stats	 st;
	uint64_t		 h = run_hash(7, 500, NOW, &st);

	ck_assert_uint_ne(h, run_hash(8, 500, NOW, &st));
	ck_assert_uint_ne(h, run_hash(7, 500, NOW + HOUR, &st));
	ck_assert_uint_ne(h, run_hash(7, 501, NOW, &st));
}
END_TEST

/*
 * A sink that checks what it is handed as it goes: ids, references,
 * order, times, text; and counts what the tests then look at.
 */
#define SET_SIZE	(1 << 18)

struct check {
	char		*ids[SET_SIZE];		/* every id so far */
	char		 kinds[SET_SIZE];	/* 'o', 't', 'u', ... */
	int		 phase;		/* of the dependency order */
	int64_t		 n[16];		/* records per kind */

	const char	*org_name;
	char		*demo_id;
	int		 demo_agent_tier1;
	char		 tier1[UUID_STRLEN + 1];

	char		 order[UUID_STRLEN + 1];
	int64_t		 order_total, order_sum;

	char		 ticket[UUID_STRLEN + 1];
	int64_t		 created, updated, fr_at, last_msg;
	int		 status, msgs, agent_replies;

	int64_t		 status_n[6], prio_n[4];
	int64_t		 breached, soon, later, demo_open, open_n;
	int64_t		 cats[6], channels[4];
	int64_t		 non_ascii, cjk, internal, system, failed;
	int64_t		 ship_n[4], attachments_named;
	uint8_t		*numbers;
	int64_t		 ntickets, max_number;
};

enum {
	K_TEAM, K_USER, K_CUSTOMER, K_IDENTITY, K_ORDER, K_ITEM, K_SHIPMENT,
	K_TICKET, K_MESSAGE, K_ATTACHMENT, K_EVENT
};

/* Where an id would be in the set. */
static size_t
check_slot(struct check *c, const char *id)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;
	const char	*p;

	for (p = id; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (i = h & (SET_SIZE - 1); c->ids[i] != NULL &&
	    strcmp(c->ids[i], id) != 0; i = (i + 1) & (SET_SIZE - 1))
		;
	return (i);
}

/* The kind of a known id, or 0. */
static char
check_kind(struct check *c, const char *id)
{
	size_t	 i;

	if (id == NULL)
		return (0);
	i = check_slot(c, id);
	return (c->ids[i] != NULL ? c->kinds[i] : 0);
}

/* A new id: a v7 UUID made at ms (0: any time), not seen before. */
static void
check_new_id(struct check *c, const char *id, char kind, int64_t ms)
{
	size_t	 i;

	QUICK_ASSERT(uuid_valid(id) && id[14] == '7', "bad id %s", id);
	QUICK_ASSERT(ms == 0 || uuid_v7_time(id) == ms,
	    "id %s is not from %lld", id, (long long)ms);
	i = check_slot(c, id);
	QUICK_ASSERT(c->ids[i] == NULL, "id %s given twice", id);
	c->ids[i] = strdup(id);
	c->kinds[i] = kind;
}

/* A string field: valid UTF-8, never with a template's braces left in. */
static void
check_text(struct check *c, const char *s, int required)
{
	const char	*p;

	if (s == NULL) {
		QUICK_ASSERT(!required, "missing string");
		return;
	}
	QUICK_ASSERT(utf8_valid(s, strlen(s)), "invalid UTF-8: %s", s);
	QUICK_ASSERT(strchr(s, '{') == NULL && strchr(s, '}') == NULL,
	    "template left over in: %s", s);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80) {
			c->non_ascii++;
			if ((unsigned char)*p >= 0xe3 &&
			    (unsigned char)*p <= 0xed)
				c->cjk++;	/* CJK and Hangul */
			break;
		}
	}
}

/* Records arrive in phases: org, SLA, teams, users, then per customer. */
static void
check_phase(struct check *c, int phase)
{
	QUICK_ASSERT(c->phase <= phase || (phase >= 4 && c->phase >= 4),
	    "record of phase %d after phase %d", phase, c->phase);
	c->phase = phase;
}

static int
check_org(void *a, const struct org_rec *r, char **cause)
{
	struct check	*c = a;

	QUICK_ASSERT(c->phase == 0 && c->n[15]++ == 0, "org not first, once");
	check_new_id(c, r->id, 'g', 0);
	ck_assert_str_eq(r->name, c->org_name);
	return (0);
}

static int
check_sla(void *a, const struct sla_rec *r, char **cause)
{
	struct check	*c = a;

	check_phase(c, 1);
	check_new_id(c, r->id, 's', 0);
	ck_assert(r->priority >= 0 && r->priority < TICKET_PRIORITY_COUNT);
	ck_assert(r->first_response_mins > 0 &&
	    r->resolution_mins > r->first_response_mins);
	return (0);
}

static int
check_team(void *a, const struct team_rec *r, char **cause)
{
	struct check	*c = a;

	check_phase(c, 2);
	check_new_id(c, r->id, 'T', 0);
	check_text(c, r->name, 1);
	ck_assert(uuid_valid(r->lead_id));
	if (strcmp(r->name, "Tier 1") == 0)
		memcpy(c->tier1, r->id, sizeof c->tier1);
	c->n[K_TEAM]++;
	return (0);
}

static int
check_user(void *a, const struct user_rec *r, char **cause)
{
	struct check	*c = a;

	check_phase(c, 3);
	check_new_id(c, r->id, 'u', 0);
	check_text(c, r->name, 1);
	check_text(c, r->email, 1);
	check_text(c, r->signature, 1);
	ck_assert(strcmp(r->role, "agent") == 0 ||
	    strcmp(r->role, "admin") == 0 || strcmp(r->role, "viewer") == 0);
	ck_assert(r->team_id == NULL || check_kind(c, r->team_id) == 'T');
	ck_assert(strstr(r->email, "@demo-shop.example") != NULL);
	if (strcmp(r->email, gen_demo_user_email()) == 0) {
		c->demo_id = strdup(r->id);
		c->demo_agent_tier1 = strcmp(r->role, "agent") == 0 &&
		    r->team_id != NULL && strcmp(r->team_id, c->tier1) == 0;
	}
	c->n[K_USER]++;
	return (0);
}

static int
check_customer(void *a, const struct customer_rec *r, char **cause)
{
	struct check	*c = a;

	check_phase(c, 4);
	check_new_id(c, r->id, 'c', r->created_at);
	check_text(c, r->name, 1);
	check_text(c, r->email, 1);
	check_text(c, r->phone, 0);
	check_text(c, r->company, 0);
	QUICK_ASSERT(r->phone == NULL || (r->phone[0] == '+' &&
	    strspn(r->phone + 1, "0123456789") == strlen(r->phone + 1) &&
	    strlen(r->phone) >= 9 && strlen(r->phone) <= 16),
	    "bad phone %s", r->phone);
	QUICK_ASSERT(strchr(r->email, '@') != NULL, "bad email %s", r->email);
	ck_assert(r->created_at <= r->updated_at && r->updated_at <= NOW);
	c->n[K_CUSTOMER]++;
	return (0);
}

static int
check_identity(void *a, const struct identity_rec *r, char **cause)
{
	struct check	*c = a;

	check_new_id(c, r->id, 'i', 0);
	QUICK_ASSERT(check_kind(c, r->customer_id) == 'c', "identity owner");
	check_text(c, r->value, 1);
	ck_assert(strcmp(r->kind, "email") == 0 ||
	    strcmp(r->kind, "phone") == 0 || strcmp(r->kind, "external") == 0);
	c->n[K_IDENTITY]++;
	return (0);
}

/* An order's items add up to its total once the next record comes. */
static void
check_order_done(struct check *c)
{
	if (c->order[0] == '\0')
		return;
	QUICK_ASSERT(c->order_sum == c->order_total,
	    "order %s: items %lld, total %lld", c->order,
	    (long long)c->order_sum, (long long)c->order_total);
	c->order[0] = '\0';
}

static int
check_order(void *a, const struct order_rec *r, char **cause)
{
	struct check	*c = a;

	check_order_done(c);
	check_new_id(c, r->id, 'o', r->placed_at);
	QUICK_ASSERT(check_kind(c, r->customer_id) == 'c', "order owner");
	QUICK_ASSERT(strncmp(r->number, "SO-", 3) == 0 &&
	    strspn(r->number + 3, "0123456789") == strlen(r->number + 3),
	    "order number %s", r->number);
	QUICK_ASSERT(check_kind(c, r->number) == 0, "order number twice");
	c->ids[check_slot(c, r->number)] = strdup(r->number);
	c->kinds[check_slot(c, r->number)] = 'n';
	check_text(c, r->status, 1);
	ck_assert(strlen(r->currency) == 3);
	ck_assert(r->placed_at <= NOW && r->total_cents > 0);
	memcpy(c->order, r->id, sizeof c->order);
	c->order_total = r->total_cents;
	c->order_sum = 0;
	c->n[K_ORDER]++;
	return (0);
}

static int
check_item(void *a, const struct order_item_rec *r, char **cause)
{
	struct check	*c = a;

	check_new_id(c, r->id, 'l', 0);
	QUICK_ASSERT(strcmp(r->order_id, c->order) == 0,
	    "item not after its order");
	check_text(c, r->sku, 1);
	check_text(c, r->title, 1);
	ck_assert(r->qty >= 1 && r->unit_price_cents > 0);
	c->order_sum += r->qty * r->unit_price_cents;
	c->n[K_ITEM]++;
	return (0);
}

static int
check_shipment(void *a, const struct shipment_rec *r, char **cause)
{
	static const char *const statuses[] = {
		"in_transit", "delivered", "late", "lost"
	};
	struct check	*c = a;
	size_t		 i;

	check_new_id(c, r->id, 'p', 0);
	QUICK_ASSERT(strcmp(r->order_id, c->order) == 0,
	    "shipment not after its order");
	check_text(c, r->carrier, 1);
	check_text(c, r->tracking, 1);
	for (i = 0; i < nitems(statuses); i++) {
		if (strcmp(r->status, statuses[i]) == 0)
			c->ship_n[i]++;
	}
	QUICK_ASSERT(r->shipped_at > 0 && r->shipped_at <= NOW, "shipped_at");
	QUICK_ASSERT((r->delivered_at != 0) ==
	    (strcmp(r->status, "delivered") == 0), "delivered_at");
	QUICK_ASSERT(r->delivered_at == 0 ||
	    (r->delivered_at >= r->shipped_at && r->delivered_at <= NOW),
	    "delivery time");
	if (strcmp(r->carrier, "UPS") == 0)
		QUICK_ASSERT(strncmp(r->tracking, "1Z", 2) == 0 &&
		    strlen(r->tracking) == 18, "UPS tracking %s", r->tracking);
	if (strcmp(r->carrier, "Royal Mail") == 0)
		QUICK_ASSERT(strlen(r->tracking) == 13 &&
		    strcmp(r->tracking + 11, "GB") == 0,
		    "Royal Mail tracking %s", r->tracking);
	c->n[K_SHIPMENT]++;
	return (0);
}

/* The ticket before this record is complete: check its thread. */
static void
check_ticket_done(struct check *c)
{
	if (c->ticket[0] == '\0')
		return;
	QUICK_ASSERT(c->msgs >= 1 && c->msgs <= 30, "%d messages", c->msgs);
	QUICK_ASSERT((c->fr_at != 0) == (c->agent_replies != 0),
	    "first_response_at without a reply, or the reverse");
	QUICK_ASSERT(c->last_msg <= c->updated, "message after updated_at");
	c->ticket[0] = '\0';
}

static int
check_ticket(void *a, const struct ticket_rec *r, char **cause)
{
	static const char *const cats[] = {
		"refund", "shipping", "damaged", "invoice", "account", "product"
	};
	static const char *const channels[] = {
		"email", "chat", "phone", "web"
	};
	struct check	*c = a;
	json_error_t	 err;
	json_t		*tags;
	size_t		 i;
	int64_t		 due;

	check_order_done(c);
	check_ticket_done(c);
	check_phase(c, 5);
	check_new_id(c, r->id, 't', r->created_at);
	QUICK_ASSERT(check_kind(c, r->customer_id) == 'c', "ticket customer");
	QUICK_ASSERT(r->assignee_id == NULL ||
	    check_kind(c, r->assignee_id) == 'u', "ticket assignee");
	QUICK_ASSERT(r->team_id == NULL || check_kind(c, r->team_id) == 'T',
	    "ticket team");
	QUICK_ASSERT(r->merged_into == NULL ||
	    check_kind(c, r->merged_into) == 't', "merged into unknown");
	check_text(c, r->subject, 1);

	/* Numbers: 1..N, once each, in creation order (checked at the end). */
	QUICK_ASSERT(r->number >= 1 && r->number <= c->ntickets &&
	    c->numbers[r->number] == 0, "ticket number %lld",
	    (long long)r->number);
	c->numbers[r->number] = 1;

	QUICK_ASSERT(r->created_at <= r->updated_at && r->updated_at <= NOW,
	    "updated_at");
	QUICK_ASSERT(r->created_at >= NOW - 181 * DAY, "too old");
	QUICK_ASSERT((r->solved_at != 0) == (r->status == TICKET_SOLVED ||
	    r->status == TICKET_CLOSED), "solved_at and status");
	QUICK_ASSERT(r->solved_at == 0 || (r->solved_at >= r->created_at &&
	    r->solved_at <= r->updated_at), "solved_at time");
	QUICK_ASSERT(r->first_response_at == 0 ||
	    (r->first_response_at >= r->created_at &&
	    r->first_response_at <= NOW), "first_response_at");
	QUICK_ASSERT(r->first_response_due > r->created_at &&
	    r->resolution_due > r->first_response_due, "SLA due times");

	tags = json_loads(r->tags, JSON_REJECT_DUPLICATES, &err);
	QUICK_ASSERT(tags != NULL && json_is_array(tags) &&
	    json_array_size(tags) >= 1, "tags %s: %s", r->tags, err.text);
	for (i = 0; i < json_array_size(tags); i++)
		QUICK_ASSERT(json_is_string(json_array_get(tags, i)),
		    "tag not a string: %s", r->tags);
	QUICK_ASSERT(strcmp(json_string_value(json_array_get(tags, 0)),
	    r->category) == 0, "first tag is not the category: %s", r->tags);
	json_decref(tags);

	c->status_n[r->status]++;
	c->prio_n[r->priority]++;
	for (i = 0; i < nitems(cats); i++)
		c->cats[i] += strcmp(r->category, cats[i]) == 0;
	for (i = 0; i < nitems(channels); i++)
		c->channels[i] += strcmp(r->channel, channels[i]) == 0;
	if (r->status <= TICKET_OPEN) {
		c->open_n++;
		due = r->resolution_due;
		if (r->first_response_at == 0 && r->first_response_due < due)
			due = r->first_response_due;
		if (due < NOW)
			c->breached++;
		else if (due < NOW + 2 * HOUR)
			c->soon++;
		else
			c->later++;
		if (c->demo_id != NULL && r->assignee_id != NULL &&
		    strcmp(r->assignee_id, c->demo_id) == 0)
			c->demo_open++;
	}
	if (r->number > c->max_number)
		c->max_number = r->number;

	memcpy(c->ticket, r->id, sizeof c->ticket);
	c->created = r->created_at;
	c->updated = r->updated_at;
	c->fr_at = r->first_response_at;
	c->status = r->status;
	c->msgs = c->agent_replies = 0;
	c->last_msg = r->created_at;
	c->n[K_TICKET]++;
	return (0);
}

static int
check_message(void *a, const struct message_rec *r, char **cause)
{
	struct check	*c = a;

	check_new_id(c, r->id, 'm', r->created_at);
	QUICK_ASSERT(strcmp(r->ticket_id, c->ticket) == 0,
	    "message not after its ticket");
	check_text(c, r->body, 1);
	QUICK_ASSERT(*r->body != '\0', "empty body");
	QUICK_ASSERT(r->created_at >= c->last_msg && r->created_at <= NOW,
	    "message time out of order");
	c->last_msg = r->created_at;
	if (c->msgs++ == 0)
		QUICK_ASSERT(strcmp(r->author, "customer") == 0 &&
		    r->created_at == c->created,
		    "thread does not open with the customer");
	if (strcmp(r->author, "customer") == 0)
		QUICK_ASSERT(check_kind(c, r->author_id) == 'c', "customer id");
	else if (strcmp(r->author, "agent") == 0) {
		QUICK_ASSERT(check_kind(c, r->author_id) == 'u', "agent id");
		if (r->internal) {
			c->internal++;
			QUICK_ASSERT(r->delivery == NULL, "note delivered");
		} else {
			QUICK_ASSERT(r->delivery != NULL &&
			    (strcmp(r->delivery, "sent") == 0 ||
			    strcmp(r->delivery, "failed") == 0), "delivery");
			c->failed += strcmp(r->delivery, "failed") == 0;
			if (c->agent_replies++ == 0)
				QUICK_ASSERT(r->created_at == c->fr_at,
				    "first reply is not first_response_at");
		}
	} else {
		QUICK_ASSERT(strcmp(r->author, "system") == 0 &&
		    r->author_id == NULL, "author %s", r->author);
		c->system++;
	}
	c->n[K_MESSAGE]++;
	return (0);
}

static int
check_attachment(void *a, const struct attachment_rec *r, char **cause)
{
	struct check	*c = a;

	check_new_id(c, r->id, 'a', 0);
	QUICK_ASSERT(check_kind(c, r->message_id) == 'm' &&
	    strcmp(r->ticket_id, c->ticket) == 0, "attachment references");
	check_text(c, r->name, 1);
	ck_assert(strchr(r->mime, '/') != NULL && r->size > 0);
	QUICK_ASSERT(strlen(r->sha256) == 64 &&
	    strspn(r->sha256, "0123456789abcdef") == 64, "sha256");
	c->n[K_ATTACHMENT]++;
	return (0);
}

static int
check_event(void *a, const struct event_rec *r, char **cause)
{
	struct check	*c = a;

	check_new_id(c, r->id, 'e', r->created_at);
	QUICK_ASSERT(strcmp(r->ticket_id, c->ticket) == 0,
	    "event not after its ticket");
	QUICK_ASSERT(r->actor_id == NULL || check_kind(c, r->actor_id) == 'u',
	    "event actor");
	check_text(c, r->field, 1);
	check_text(c, r->old_value, 0);
	check_text(c, r->new_value, 0);
	QUICK_ASSERT(r->created_at >= c->created &&
	    r->created_at <= c->updated, "event outside the ticket's life");
	if (strcmp(r->field, "status") == 0)
		QUICK_ASSERT(ticket_status_parse(r->old_value) >= 0 &&
		    ticket_status_parse(r->new_value) >= 0, "status names");
	if (strcmp(r->field, "assignee") == 0)
		QUICK_ASSERT(check_kind(c, r->new_value) == 'u', "assignee");
	c->n[K_EVENT]++;
	return (0);
}

static const struct gen_sink check_sink = {
	NULL, check_org, check_sla, check_team, check_user, check_customer,
	check_identity, check_order, check_item, check_shipment, check_ticket,
	check_message, check_attachment, check_event, NULL
};

/* Run the generator through the checking sink. Caller frees with check_free. */
static struct check *
check_run(int64_t tickets, const char *org, struct gen_stats *st)
{
	struct check	*c = calloc(1, sizeof *c);
	struct gen_sink	 sink = check_sink;
	struct gen_opts	 o = { 42, tickets, NOW, org };
	char		*cause = NULL;

	ck_assert_ptr_nonnull(c);
	c->org_name = org != NULL ? org : "Demo Shop";
	c->ntickets = tickets;
	c->numbers = calloc((size_t)tickets + 1, 1);
	sink.arg = c;
	ck_assert_int_eq(gen_run(&o, &sink, st, &cause), 0);
	check_order_done(c);
	check_ticket_done(c);
	return (c);
}

/* Free a check. */
static void
check_free(struct check *c)
{
	size_t	 i;

	for (i = 0; i < SET_SIZE; i++)
		free(c->ids[i]);
	free(c->numbers);
	free(c->demo_id);
	free(c);
}

START_TEST(test_references_point_back_and_order_holds)
{
	struct gen_stats	 st;
	struct check		*c = check_run(TICKETS, NULL, &st);

	/* Every check ran inside the sink; the counts must agree. */
	ck_assert_int_eq(st.teams, c->n[K_TEAM]);
	ck_assert_int_eq(st.users, c->n[K_USER]);
	ck_assert_int_eq(st.customers, c->n[K_CUSTOMER]);
	ck_assert_int_eq(st.identities, c->n[K_IDENTITY]);
	ck_assert_int_eq(st.orders, c->n[K_ORDER]);
	ck_assert_int_eq(st.order_items, c->n[K_ITEM]);
	ck_assert_int_eq(st.shipments, c->n[K_SHIPMENT]);
	ck_assert_int_eq(st.tickets, TICKETS);
	ck_assert_int_eq(st.tickets, c->n[K_TICKET]);
	ck_assert_int_eq(st.messages, c->n[K_MESSAGE]);
	ck_assert_int_eq(st.attachments, c->n[K_ATTACHMENT]);
	ck_assert_int_eq(st.events, c->n[K_EVENT]);
	ck_assert_int_eq(c->max_number, TICKETS);
	check_free(c);
}
END_TEST

START_TEST(test_volumes_and_shares_are_plausible)
{
	static const double	 status_share[6] = {
		0.10, 0.30, 0.15, 0.05, 0.30, 0.10
	};
	static const double	 prio_share[4] = { 0.15, 0.55, 0.22, 0.08 };
	struct gen_stats	 st;
	struct check		*c = check_run(TICKETS, NULL, &st);
	double			 per, share;
	int			 i;

	per = (double)st.messages / (double)st.tickets;
	ck_assert_msg(per >= 3 && per <= 8, "%.2f messages per ticket", per);
	ck_assert_msg(st.events >= st.tickets * 2, "%lld events",
	    (long long)st.events);
	ck_assert(st.customers >= TICKETS / 4 && st.customers <= TICKETS / 2);
	ck_assert(st.users >= 8 && st.users <= 30);
	ck_assert(st.teams >= 3 && st.teams <= 5);
	ck_assert(st.orders >= st.customers && st.order_items >= st.orders);
	ck_assert(st.shipments > st.orders / 2 && st.shipments < st.orders);
	ck_assert(st.attachments > 0 && st.identities > st.customers);
	for (i = 0; i < 6; i++) {
		share = (double)c->status_n[i] / TICKETS;
		ck_assert_msg(share > status_share[i] - 0.04 &&
		    share < status_share[i] + 0.04, "status %d: %.3f", i,
		    share);
		ck_assert_msg(c->cats[i] > 0, "category %d missing", i);
	}
	for (i = 0; i < 4; i++) {
		share = (double)c->prio_n[i] / TICKETS;
		ck_assert_msg(share > prio_share[i] - 0.04 &&
		    share < prio_share[i] + 0.04, "priority %d: %.3f", i,
		    share);
		ck_assert_msg(c->channels[i] > 0, "channel %d missing", i);
	}
	ck_assert(c->internal > 0 && c->system > 0);
	/* Parcels mostly arrive; some are late or lost. */
	ck_assert(c->ship_n[1] > st.shipments / 2);
	ck_assert(c->ship_n[0] > 0 && c->ship_n[2] > 0 && c->ship_n[3] > 0);
	check_free(c);
}
END_TEST

START_TEST(test_open_tickets_spread_over_sla_clock)
{
	struct gen_stats	 st;
	struct check		*c = check_run(TICKETS, NULL, &st);

	ck_assert(c->open_n > TICKETS / 4);
	ck_assert_msg(c->breached > c->open_n / 20, "%lld breached",
	    (long long)c->breached);
	ck_assert_msg(c->soon > c->open_n / 30, "%lld due within 2h",
	    (long long)c->soon);
	ck_assert_msg(c->later > c->open_n / 2, "%lld due later",
	    (long long)c->later);
	check_free(c);
}
END_TEST

START_TEST(test_demo_user_is_tier1_agent_with_open_tickets)
{
	struct gen_stats	 st;
	struct check		*c = check_run(TICKETS, NULL, &st);

	ck_assert_ptr_nonnull(c->demo_id);
	ck_assert(c->demo_agent_tier1);
	ck_assert_msg(c->demo_open >= c->open_n / 20, "demo user has %lld of "
	    "%lld open tickets", (long long)c->demo_open, (long long)c->open_n);
	ck_assert_str_eq(gen_demo_user_email(),
	    "alex.morgan@demo-shop.example");
	check_free(c);
}
END_TEST

START_TEST(test_text_is_utf8_and_not_only_ascii)
{
	struct gen_stats	 st;
	struct check		*c = check_run(TICKETS, NULL, &st);

	/* check_text() already asserted validity and no leftover braces. */
	ck_assert(c->non_ascii > 100);
	ck_assert(c->cjk > 0);
	check_free(c);
}
END_TEST

START_TEST(test_org_name_is_used)
{
	struct gen_stats	 st;
	struct check		*c = check_run(50, "Nordwind Outdoor", &st);

	ck_assert_int_eq(st.tickets, 50);
	check_free(c);
}
END_TEST

START_TEST(test_no_tickets_still_makes_staff_and_customers)
{
	struct gen_stats	 st;
	struct check		*c = check_run(0, NULL, &st);

	ck_assert_int_eq(st.tickets, 0);
	ck_assert_int_eq(st.messages, 0);
	ck_assert(st.users >= 8 && st.teams >= 3 && st.customers >= 3);
	ck_assert_ptr_nonnull(c->demo_id);
	check_free(c);
}
END_TEST

/* A sink that fails at the n-th message and notes any record after that. */
struct failing {
	int	 messages;
	int	 fail_at;
	int	 after;
	int64_t	 progress;
};

static int
fail_message(void *a, const struct message_rec *r, char **cause)
{
	struct failing	*f = a;

	if (f->messages >= f->fail_at)
		f->after++;
	if (++f->messages == f->fail_at) {
		*cause = strdup("disk full");
		return (-1);
	}
	return (0);
}

static int
fail_ticket(void *a, const struct ticket_rec *r, char **cause)
{
	struct failing	*f = a;

	if (f->messages >= f->fail_at)
		f->after++;
	return (0);
}

static int
fail_org(void *a, const struct org_rec *r, char **cause)
{
	*cause = strdup("read-only database");
	return (-1);
}

static void
count_progress(void *a, int64_t done, int64_t total)
{
	struct failing	*f = a;

	ck_assert(done <= total);
	f->progress = done;
}

START_TEST(test_sink_error_stops_the_run_with_its_cause)
{
	struct failing		 f = { 0, 10, 0, 0 };
	struct gen_sink		 sink = { 0 };
	struct gen_opts		 o = { 1, 100, NOW, NULL };
	struct gen_stats	 st;
	char			*cause = NULL;

	sink.arg = &f;
	sink.message = fail_message;
	sink.ticket = fail_ticket;
	ck_assert_int_eq(gen_run(&o, &sink, &st, &cause), -1);
	ck_assert_str_eq(cause, "disk full");
	ck_assert_int_eq(f.messages, 10);
	ck_assert_int_eq(f.after, 0);
	ck_assert_int_eq(st.messages, 9);
	free(cause);

	cause = NULL;
	sink.org = fail_org;
	ck_assert_int_eq(gen_run(&o, &sink, NULL, &cause), -1);
	ck_assert_str_eq(cause, "read-only database");
	free(cause);
}
END_TEST

START_TEST(test_progress_is_reported_to_the_end)
{
	struct failing		 f = { 0, 1 << 30, 0, -1 };
	struct gen_sink		 sink = { 0 };
	struct gen_opts		 o = { 1, 2500, NOW, NULL };
	char			*cause = NULL;

	sink.arg = &f;
	sink.progress = count_progress;
	ck_assert_int_eq(gen_run(&o, &sink, NULL, &cause), 0);
	ck_assert_int_eq(f.progress, 2500);
}
END_TEST

START_TEST(test_bad_options_are_refused)
{
	struct gen_sink		 sink = { 0 };
	struct gen_opts		 o = { 1, -1, NOW, NULL };
	char			*cause = NULL;

	ck_assert_int_eq(gen_run(&o, &sink, NULL, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	o.tickets = 10;
	o.now = 0;
	ck_assert_int_eq(gen_run(&o, &sink, NULL, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

/* The suite. */
static Suite *
gen_suite(void)
{
	Suite	*s = suite_create("gen");
	TCase	*tc = tcase_create("gen");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_seed_same_records);
	tcase_add_test(tc, test_other_seed_or_time_other_records);
	tcase_add_test(tc, test_references_point_back_and_order_holds);
	tcase_add_test(tc, test_volumes_and_shares_are_plausible);
	tcase_add_test(tc, test_open_tickets_spread_over_sla_clock);
	tcase_add_test(tc, test_demo_user_is_tier1_agent_with_open_tickets);
	tcase_add_test(tc, test_text_is_utf8_and_not_only_ascii);
	tcase_add_test(tc, test_org_name_is_used);
	tcase_add_test(tc, test_no_tickets_still_makes_staff_and_customers);
	tcase_add_test(tc, test_sink_error_stops_the_run_with_its_cause);
	tcase_add_test(tc, test_progress_is_reported_to_the_end);
	tcase_add_test(tc, test_bad_options_are_refused);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (testutil_run(gen_suite()));
}
