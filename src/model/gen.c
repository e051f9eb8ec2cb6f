/* gen.c: the deterministic demo generator: who, what, when, in which order. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gen-int.h"

#define GEN_MAX_TICKETS		50000000

/* SLA targets per priority (low .. urgent), in minutes. */
const int gen_sla_first[TICKET_PRIORITY_COUNT] = { 1440, 480, 240, 60 };
const int gen_sla_resolve[TICKET_PRIORITY_COUNT] = {
	7200, 2880, 1440, 240
};

static const char *const gen_team_names[GEN_TEAM_MAX] = {
	"Tier 1", "Tier 2", "Billing", "Logistics", "VIP Care"
};

static const char *const gen_channel_names[] = {
	"email", "chat", "phone", "web"
};

/* Shares, in percent: status, priority, category, channel. */
static const int gen_status_w[TICKET_STATUS_COUNT] = { 10, 30, 15, 5, 30, 10 };
static const int gen_prio_w[TICKET_PRIORITY_COUNT] = { 15, 55, 22, 8 };
static const int gen_cat_w[GEN_CAT_COUNT] = { 20, 26, 12, 11, 12, 19 };
static const int gen_channel_w[] = { 50, 20, 12, 18 };

/* Situations per category, as shares; for orders the plan may override. */
static const int gen_sit_w[GEN_CAT_COUNT][GEN_SIT_COUNT] = {
	{ 60, 20, 20, 0, 0 },		/* return, cancel, wrong */
	{ 37, 27, 8, 13, 15 },		/* late .. not received */
	{ 55, 30, 15, 0, 0 },		/* broken, faulty, missing */
	{ 55, 25, 20, 0, 0 },		/* copy, double, details */
	{ 40, 15, 15, 10, 20 },		/* password .. locked */
	{ 35, 25, 20, 20, 0 }		/* size, compat, stock, care */
};

/*
 * gen_put_team() and the like: stamp a record with the next revision, hand
 * it to the sink and count it; -1 (with g->why) if the sink refuses.
 */
#define GEN_PUT(fn, type, cb, counter)					\
static int								\
fn(struct gen *g, struct type *r)					\
{									\
	r->rev = ++g->rev;						\
	if (g->sink->cb != NULL &&					\
	    g->sink->cb(g->sink->arg, r, &g->why) != 0) {		\
		if (g->why == NULL)					\
			g->why = xstrdup("the generator's sink failed");\
		return (-1);						\
	}								\
	g->counter++;							\
	return (0);							\
}
GEN_PUT(gen_put_org, org_rec, org, others)
GEN_PUT(gen_put_sla, sla_rec, sla, others)
GEN_PUT(gen_put_team, team_rec, team, st.teams)
GEN_PUT(gen_put_user, user_rec, user, st.users)
GEN_PUT(gen_put_customer, customer_rec, customer, st.customers)
GEN_PUT(gen_put_identity, identity_rec, identity, st.identities)
GEN_PUT(gen_put_order, order_rec, order, st.orders)
GEN_PUT(gen_put_item, order_item_rec, order_item, st.order_items)
GEN_PUT(gen_put_shipment, shipment_rec, shipment, st.shipments)
GEN_PUT(gen_put_ticket, ticket_rec, ticket, st.tickets)
GEN_PUT(gen_put_message, message_rec, message, st.messages)
GEN_PUT(gen_put_attachment, attachment_rec, attachment, st.attachments)
GEN_PUT(gen_put_event, event_rec, event, st.events)
#undef GEN_PUT

/* A uniform integer in [lo, hi]. */
static int64_t
gen_between(struct gen *g, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + (int64_t)(rng_next(&g->rng) % (uint64_t)(hi - lo + 1)));
}

/* A point between lo and lo + span * [a, b). */
static int64_t
gen_within(struct gen *g, int64_t lo, int64_t span, double a, double b)
{
	return (lo + (int64_t)((double)span * (a + (b - a) *
	    rng_double(&g->rng))));
}

/* An index drawn with the given weights. */
static int
gen_weighted(struct gen *g, const int *w, int n)
{
	int	 i, sum = 0, x;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = (int)rng_below(&g->rng, (uint32_t)sum);
	for (i = 0; i < n - 1; i++) {
		if ((x -= w[i]) < 0)
			break;
	}
	return (i);
}

/* A time-ordered id for something made at ms. */
static void
gen_uuid(struct gen *g, char out[UUID_STRLEN + 1], int64_t ms)
{
	uint8_t	 rnd[10];

	rng_bytes(&g->rng, rnd, sizeof rnd);
	uuid_v7_from(out, ms, rnd);
}

/*
 * Remember an address by its FNV-1a hash; 0 if it was new, -1 if it was
 * given out already.
 */
int
gen_seen(struct gen *g, const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i, mask = g->seensize - 1;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	h += h == 0;

	for (i = (size_t)h & mask; g->seen[i] != 0; i = (i + 1) & mask) {
		if (g->seen[i] == h)
			return (-1);
	}
	g->seen[i] = h;
	return (0);
}

/* The organisation, its SLA policies, teams and agents. */
static int
gen_staff(struct gen *g)
{
	struct org_rec	 org;
	struct sla_rec	 sla;
	struct team_rec	 tr;
	struct user_rec	 ur;
	struct gen_user	*u;
	char		 id[UUID_STRLEN + 1];
	int64_t		 t, n;
	int		 i, k, team;
	static const int team_w[GEN_TEAM_MAX] = { 40, 20, 15, 15, 10 };

	g->org_created = g->now - 3 * 365 * GEN_DAY -
	    gen_between(g, 0, 60 * GEN_DAY);
	gen_uuid(g, id, g->org_created);
	org = (struct org_rec){ .id = id, .name = g->org_name };
	if (gen_put_org(g, &org) != 0)
		return (-1);
	for (i = 0; i < TICKET_PRIORITY_COUNT; i++) {
		gen_uuid(g, id, g->org_created + (i + 1) * GEN_MIN);
		sla = (struct sla_rec){ .id = id, .priority = i,
		    .first_response_mins = gen_sla_first[i],
		    .resolution_mins = gen_sla_resolve[i] };
		if (gen_put_sla(g, &sla) != 0)
			return (-1);
	}

	/* 8 to 30 people, more with more tickets. */
	g->nusers = 8;
	for (n = g->ntickets; n >= 300 && g->nusers < 30; n /= 3)
		g->nusers += 2;
	g->nteams = g->nusers >= 16 ? 5 : 4;
	g->users = xcalloc((size_t)g->nusers, sizeof *g->users);
	for (i = 0; i < g->nteams; i++) {
		t = g->org_created + (i + 1) * GEN_HOUR;
		gen_uuid(g, g->teams[i].id, t);
		g->teams[i].lead = -1;
	}

	/*
	 * 0 is the admin, 1 the viewer; then one lead per team, the demo
	 * agent in Tier 1 and everyone else spread by team size.
	 */
	g->demo = 2 + g->nteams;
	for (i = 0; i < g->nusers; i++) {
		u = &g->users[i];
		t = g->org_created + (i + 1) * GEN_DAY + gen_between(g, 0,
		    GEN_DAY);
		gen_uuid(g, u->id, t);
		if (i == g->demo) {
			u->name = xstrdup("Alex Morgan");
			u->first = xstrdup("Alex");
			u->email = xstrdup(GEN_DEMO_EMAIL);
			gen_seen(g, u->email);
		} else {
			for (;;) {
				gen_text_person(&g->rng, 1, &g->cname,
				    &g->cfirst, &g->clocal);
				buf_puts(&g->clocal, "@" GEN_DOMAIN);
				if (strcmp(g->clocal.data,
				    GEN_DEMO_EMAIL) != 0 &&
				    gen_seen(g, g->clocal.data) == 0)
					break;
			}
			u->name = xstrdup(g->cname.data);
			u->first = xstrdup(g->cfirst.data);
			u->email = xstrdup(g->clocal.data);
		}
		u->role = i == 0 ? "admin" : i == 1 ? "viewer" : "agent";
		u->team = -1;
		if (i < 2)
			continue;
		if (i < g->demo)
			team = i - 2;
		else
			team = i == g->demo ? GEN_TEAM_TIER1 :
			    gen_weighted(g, team_w, g->nteams);
		u->team = team;
		if (g->teams[team].lead == -1)
			g->teams[team].lead = i;
		if (g->teams[team].n < GEN_MAX_USERS)
			g->teams[team].members[g->teams[team].n++] = i;
	}

	for (i = 0; i < g->nteams; i++) {
		tr = (struct team_rec){ .id = g->teams[i].id,
		    .name = gen_team_names[i],
		    .lead_id = g->users[g->teams[i].lead].id };
		if (gen_put_team(g, &tr) != 0)
			return (-1);
	}
	for (i = 0; i < g->nusers; i++) {
		u = &g->users[i];
		k = u->team;
		buf_reset(&g->tmp);
		buf_puts(&g->tmp, u->name);
		buf_puts(&g->tmp, i == 0 ? "\nHead of Customer Care" :
		    i == 1 ? "\nFinance" : "\n");
		if (k >= 0) {
			buf_puts(&g->tmp, gen_team_names[k]);
			buf_puts(&g->tmp, g->teams[k].lead == i ? " Team Lead" :
			    " Support");
		}
		buf_puts(&g->tmp, " · ");
		buf_puts(&g->tmp, g->org_name);
		ur = (struct user_rec){ .id = u->id, .email = u->email,
		    .name = u->name, .role = u->role, .signature = g->tmp.data,
		    .team_id = k >= 0 ? g->teams[k].id : NULL,
		    .available = i == g->demo || rng_chance(&g->rng, 0.85) };
		if (gen_put_user(g, &ur) != 0)
			return (-1);
	}
	return (0);
}

/* Order skeletons by creation time (and draw order on ties). */
static int
gen_skel_cmp(const void *a, const void *b)
{
	const struct gen_skel	*x = a, *y = b;

	if (x->created != y->created)
		return (x->created < y->created ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/*
 * When an unsolved ticket was created, chosen so its running SLA clock
 * (first response if none yet, else resolution) is breached for some,
 * due within two hours for others and later for most.
 */
static int64_t
gen_open_created(struct gen *g, int prio, int replied, int isnew)
{
	int64_t	 win, rem, over;
	double	 u = rng_double(&g->rng);

	win = (int64_t)(replied ? gen_sla_resolve[prio] :
	    gen_sla_first[prio]) * GEN_MIN;
	if (u < 0.18) {
		if (isnew || rng_chance(&g->rng, 0.6))
			over = gen_between(g, GEN_MIN, isnew ? 6 * GEN_HOUR :
			    win);
		else
			over = gen_between(g, win, 21 * GEN_DAY);
		return (g->now - win - over);
	}
	if (u < 0.30 || win <= 2 * GEN_HOUR + 2 * GEN_MIN)
		rem = gen_between(g, GEN_MIN, win < 2 * GEN_HOUR + GEN_MIN ?
		    win - GEN_MIN : 2 * GEN_HOUR);
	else
		rem = gen_between(g, 2 * GEN_HOUR + GEN_MIN, win - GEN_MIN);
	return (g->now - win + rem);
}

/* Plan every ticket's time, state and customer, numbered by creation. */
static void
gen_plan_tickets(struct gen *g)
{
	struct gen_skel	*s;
	int64_t		 age, oldest = g->now - 180 * GEN_DAY;
	uint32_t	 i, j, c, nkey, nreg, mul, *at, *owner;
	double		 u;

	g->skel = xcalloc((size_t)g->ntickets + 1, sizeof *g->skel);
	for (i = 0; i < g->ntickets; i++) {
		s = &g->skel[i];
		s->seq = i;
		s->status = (uint8_t)gen_weighted(g, gen_status_w,
		    TICKET_STATUS_COUNT);
		s->prio = (uint8_t)gen_weighted(g, gen_prio_w,
		    TICKET_PRIORITY_COUNT);
		s->replied = s->status != TICKET_NEW &&
		    (s->status != TICKET_OPEN || rng_chance(&g->rng, 0.75));
		u = rng_double(&g->rng);
		switch (s->status) {
		case TICKET_NEW:
		case TICKET_OPEN:
			s->created = gen_open_created(g, s->prio, s->replied,
			    s->status == TICKET_NEW);
			break;
		case TICKET_PENDING:
			age = u < 0.65 ? gen_between(g, GEN_HOUR, 7 * GEN_DAY) :
			    gen_between(g, 7 * GEN_DAY, 60 * GEN_DAY);
			s->created = g->now - age;
			break;
		case TICKET_ON_HOLD:
			age = gen_between(g, GEN_DAY, 45 * GEN_DAY);
			s->created = g->now - age;
			break;
		case TICKET_SOLVED:
			/* u squared: denser towards now. */
			s->created = g->now - 30 * GEN_MIN -
			    (int64_t)(u * u * (double)(180 * GEN_DAY));
			break;
		default:
			s->created = g->now - 3 * GEN_DAY -
			    (int64_t)(u * u * (double)(177 * GEN_DAY));
			break;
		}
		if (s->created < oldest)
			s->created = oldest + gen_between(g, 0, GEN_DAY);
	}
	qsort(g->skel, (size_t)g->ntickets, sizeof *g->skel, gen_skel_cmp);

	/*
	 * Customers: a few key accounts and regulars write often. Their
	 * positions are spread over the customer list by a multiplier prime
	 * to the count.
	 */
	g->ncust = g->ntickets / 3 < 5 ? 5 : (uint32_t)(g->ntickets / 3);
	nkey = g->ncust / 500 < 1 ? 1 : g->ncust / 500;
	nreg = g->ncust / 25 < 1 ? 1 : g->ncust / 25;
	for (mul = (g->ncust * 5 / 8) | 1; ; mul += 2) {
		for (i = mul, j = g->ncust; j != 0; ) {
			c = i % j;
			i = j;
			j = c;
		}
		if (i == 1)
			break;
	}
	g->tier = xcalloc(g->ncust, 1);
	for (j = 0; j < nreg; j++)
		g->tier[(uint64_t)j * mul % g->ncust] = j < nkey ? 2 : 1;
	g->custoff = xcalloc((size_t)g->ncust + 1, sizeof *g->custoff);
	g->custlist = xcalloc((size_t)g->ntickets + 1, sizeof *g->custlist);
	for (i = 0; i < g->ntickets; i++) {
		u = rng_double(&g->rng);
		if (u < 0.05)
			j = rng_below(&g->rng, nkey);
		else if (u < 0.25)
			j = rng_below(&g->rng, nreg);
		else
			j = rng_below(&g->rng, g->ncust);
		g->custlist[i] = (uint32_t)((uint64_t)j * mul % g->ncust);
		g->custoff[g->custlist[i] + 1]++;
	}
	for (c = 0; c < g->ncust; c++)
		g->custoff[c + 1] += g->custoff[c];
	/* Counting sort: each customer's tickets in creation order. */
	at = xcalloc(g->ncust, sizeof *at);
	owner = g->custlist;
	g->custlist = xcalloc((size_t)g->ntickets + 1, sizeof *g->custlist);
	for (i = 0; i < g->ntickets; i++) {
		c = owner[i];
		g->custlist[g->custoff[c] + at[c]++] = i;
	}
	free(at);
	free(owner);
}

/* Ship an order: carrier, tracking number and when it left. */
static void
gen_ship(struct gen *g, struct gen_order *o, int64_t shipped)
{
	o->shipped = shipped;
	o->carrier = gen_country_carrier(&g->rng, g->ccity->country);
	buf_reset(&g->tmp);
	gen_text_tracking(&g->rng, o->carrier, g->ccity->country->cc, &g->tmp);
	snprintf(o->tracking, sizeof o->tracking, "%s", g->tmp.data);
	o->ship_status = "in_transit";
	o->status = "shipped";
}

/* Deliver a shipped order at t, if that is not in the future. */
static void
gen_deliver(struct gen *g, struct gen_order *o, int64_t t)
{
	if (t > g->now - GEN_MIN)
		return;
	o->delivered = t;
	o->ship_status = "delivered";
	o->status = "delivered";
}

/* Fill an order's items; the total is their sum. */
static void
gen_items(struct gen *g, struct gen_order *o)
{
	static const int	 nw[GEN_MAX_ITEMS] = { 55, 25, 12, 8 };
	static const int	 qw[3] = { 80, 15, 5 };
	int			 i, j;

	o->nitems = 1 + gen_weighted(g, nw, GEN_MAX_ITEMS);
	o->total = 0;
	for (i = 0; i < o->nitems; i++) {
		do {
			o->product[i] = (int)rng_below(&g->rng,
			    (uint32_t)g->nproducts);
			for (j = 0; j < i && o->product[j] !=
			    o->product[i]; j++)
				;
		} while (j < i);
		o->qty[i] = 1 + gen_weighted(g, qw, 3);
		o->price[i] = gen_price_in(g->products[o->product[i]].price,
		    g->ccity->country);
		o->total += o->qty[i] * o->price[i];
	}
}

/*
 * An order placed for ticket p (created at t) so that the order tells the
 * ticket's story: late parcels, damaged deliveries, duplicate charges.
 */
static void
gen_order_for(struct gen *g, struct gen_tplan *p, int64_t t, int solved,
    int recent, struct gen_order *o)
{
	int64_t	 ship;
	int	 fresh = !solved && recent;

	memset(o, 0, sizeof *o);
	o->status = "paid";
	switch (p->cat) {
	case GEN_CAT_SHIPPING:
		if (p->sit == GEN_SHIP_UNSHIPPED) {
			o->placed = t - gen_between(g, 2 * GEN_DAY,
			    6 * GEN_DAY);
			if (fresh)
				break;
			gen_ship(g, o, t + gen_between(g, 2 * GEN_HOUR,
			    3 * GEN_DAY));
			if (o->shipped > g->now - GEN_HOUR) {
				o->ship_status = NULL;
				o->status = "paid";
				break;
			}
			gen_deliver(g, o, o->shipped + gen_between(g, GEN_DAY,
			    4 * GEN_DAY));
			break;
		}
		o->placed = t - gen_between(g, 3 * GEN_DAY, 12 * GEN_DAY);
		gen_ship(g, o, o->placed + gen_between(g, 4 * GEN_HOUR,
		    2 * GEN_DAY));
		if (p->sit == GEN_SHIP_LOST) {
			o->ship_status = "lost";
			if (solved && rng_chance(&g->rng, 0.6))
				o->status = "refunded";
		} else if (p->sit == GEN_SHIP_NOTRECEIVED) {
			ship = t - gen_between(g, 2 * GEN_HOUR, 2 * GEN_DAY);
			gen_deliver(g, o, ship > o->shipped ? ship :
			    o->shipped + GEN_HOUR);
			if (solved && rng_chance(&g->rng, 0.4))
				o->status = "refunded";
		} else if (fresh) {
			o->ship_status = rng_chance(&g->rng,
			    p->sit == GEN_SHIP_LATE ? 0.7 : 0.4) ? "late" :
			    "in_transit";
		} else if (rng_chance(&g->rng, 0.92))
			gen_deliver(g, o, t + gen_between(g, GEN_DAY,
			    6 * GEN_DAY));
		else {
			o->ship_status = "lost";
			if (solved)
				o->status = "refunded";
		}
		break;
	case GEN_CAT_DAMAGED:
		o->placed = t - (p->sit == GEN_DAMAGED_FAULTY ?
		    gen_between(g, 10 * GEN_DAY, 60 * GEN_DAY) :
		    gen_between(g, 4 * GEN_DAY, 20 * GEN_DAY));
		gen_ship(g, o, o->placed + gen_between(g, 4 * GEN_HOUR,
		    2 * GEN_DAY));
		ship = o->shipped + gen_between(g, GEN_DAY, 4 * GEN_DAY);
		gen_deliver(g, o, ship < t - GEN_HOUR ? ship : t - GEN_HOUR);
		if (solved && rng_chance(&g->rng, 0.4))
			o->status = "refunded";
		break;
	case GEN_CAT_REFUND:
		if (p->sit == GEN_REFUND_CANCEL) {
			o->placed = t - gen_between(g, GEN_HOUR, 2 * GEN_DAY);
			if (solved)
				o->status = "cancelled";
			break;
		}
		o->placed = t - gen_between(g, 5 * GEN_DAY, 30 * GEN_DAY);
		gen_ship(g, o, o->placed + gen_between(g, 4 * GEN_HOUR,
		    2 * GEN_DAY));
		gen_deliver(g, o, o->shipped + gen_between(g, GEN_DAY,
		    4 * GEN_DAY));
		if (solved)
			o->status = "refunded";
		break;
	default:	/* invoice */
		o->placed = t - gen_between(g, GEN_DAY, 40 * GEN_DAY);
		if (t - o->placed > 5 * GEN_DAY) {
			gen_ship(g, o, o->placed + gen_between(g, 4 * GEN_HOUR,
			    2 * GEN_DAY));
			gen_deliver(g, o, o->shipped + gen_between(g, GEN_DAY,
			    3 * GEN_DAY));
		}
		break;
	}
	gen_items(g, o);
}

/* An order with no ticket behind it, placed at t; its state follows its age. */
static void
gen_order_free(struct gen *g, int64_t t, struct gen_order *o)
{
	int64_t	 age = g->now - t;
	double	 u = rng_double(&g->rng);

	memset(o, 0, sizeof *o);
	o->placed = t;
	o->status = "paid";
	if (age < GEN_DAY) {
		if (u < 0.4)
			o->status = "placed";
	} else if (age < 2 * GEN_DAY) {
		if (u < 0.7)
			gen_ship(g, o, t + gen_between(g, 4 * GEN_HOUR,
			    GEN_DAY));
	} else if (age < 7 * GEN_DAY) {
		gen_ship(g, o, t + gen_between(g, 4 * GEN_HOUR, GEN_DAY));
		if (u < 0.45)
			gen_deliver(g, o, o->shipped + gen_between(g, GEN_DAY,
			    age - GEN_DAY));
		else if (u < 0.52)
			o->ship_status = "late";
	} else if (u < 0.05)
		o->status = "cancelled";
	else {
		gen_ship(g, o, t + gen_between(g, 4 * GEN_HOUR, 2 * GEN_DAY));
		if (u < 0.065)
			o->ship_status = "lost";
		else {
			gen_deliver(g, o, o->shipped + gen_between(g, GEN_DAY,
			    5 * GEN_DAY));
			if (u < 0.11)
				o->status = "refunded";
		}
	}
	gen_items(g, o);
}

/*
 * The situation an existing order supports for a ticket of category cat
 * written at t; -1 if it tells no such story.
 */
static int
gen_sit_from_order(const struct gen_order *o, int cat, int64_t t)
{
	int	 delivered = o->delivered != 0 && o->delivered < t;
	int	 shipped = o->ship_status != NULL && o->shipped < t;

	switch (cat) {
	case GEN_CAT_SHIPPING:
		if (!shipped)
			return (t - o->placed < 10 * GEN_DAY ?
			    GEN_SHIP_UNSHIPPED : -1);
		if (delivered)
			return (t - o->delivered < 7 * GEN_DAY ?
			    GEN_SHIP_NOTRECEIVED : -1);
		return (strcmp(o->ship_status, "lost") == 0 ? GEN_SHIP_LOST :
		    GEN_SHIP_LATE);
	case GEN_CAT_DAMAGED:
		if (!delivered)
			return (-1);
		return (t - o->delivered < 7 * GEN_DAY ? GEN_DAMAGED_BROKEN :
		    GEN_DAMAGED_FAULTY);
	case GEN_CAT_REFUND:
		if (delivered)
			return (GEN_REFUND_RETURN);
		return (!shipped && t - o->placed < 2 * GEN_DAY ?
		    GEN_REFUND_CANCEL : -1);
	default:
		return (GEN_INVOICE_COPY);
	}
}

/*
 * Find an earlier order of the current customer, placed in the 45 days
 * before t and about at most one ticket yet, that fits category cat;
 * switch to a refund or invoice if that fits better. -1: none.
 */
static int
gen_reuse_order(struct gen *g, struct gen_tplan *p, int64_t t)
{
	static const int	 alt[] = { GEN_CAT_REFUND, GEN_CAT_INVOICE };
	struct gen_order	*o;
	int			 i, best = -1, sit, cat = p->cat;
	size_t			 k;

	for (i = 0; i < g->norders; i++) {
		o = &g->orders[i];
		if (o->used > 1 || o->placed >= t ||
		    t - o->placed > 45 * GEN_DAY)
			continue;
		if (best == -1 || o->placed > g->orders[best].placed)
			best = i;
	}
	if (best == -1)
		return (-1);
	sit = gen_sit_from_order(&g->orders[best], p->cat, t);
	for (k = 0; sit == -1 && k < nitems(alt); k++) {
		p->cat = alt[k];
		sit = gen_sit_from_order(&g->orders[best], p->cat, t);
	}
	if (p->cat != GEN_CAT_INVOICE)
		p->sit = sit;
	else if (cat != GEN_CAT_INVOICE)
		p->sit = gen_weighted(g, gen_sit_w[p->cat], GEN_SIT_COUNT);
	g->orders[best].used++;
	return (best);
}

/* Order this customer's orders by time and remap the tickets' references. */
static void
gen_sort_orders(struct gen *g)
{
	struct gen_order	 sorted[GEN_MAX_ORDERS];
	int			 ix[GEN_MAX_ORDERS], inv[GEN_MAX_ORDERS];
	int			 i, j, x;
	size_t			 k;

	for (i = 0; i < g->norders; i++) {
		x = i;
		for (j = i; j > 0 && g->orders[ix[j - 1]].placed >
		    g->orders[x].placed; j--)
			ix[j] = ix[j - 1];
		ix[j] = x;
	}
	for (i = 0; i < g->norders; i++) {
		sorted[i] = g->orders[ix[i]];
		inv[ix[i]] = i;
	}
	memcpy(g->orders, sorted, (size_t)g->norders * sizeof *sorted);
	for (k = 0; k < g->ntp; k++) {
		if (g->tp[k].order >= 0)
			g->tp[k].order = inv[g->tp[k].order];
	}
}

/*
 * Plan customer c's tickets: category, situation and the order each is
 * about, creating orders to fit; then the customer's other orders.
 */
static void
gen_plan_customer(struct gen *g, uint32_t c)
{
	static const int	 ordw[GEN_MAX_ORDERS + 1] = {
		12, 30, 22, 15, 10, 7, 4
	};
	struct gen_tplan	*p;
	struct gen_skel		*s;
	int64_t			 t, first, lo;
	uint32_t		 k, n = g->custoff[c + 1] - g->custoff[c];
	int			 i, want;

	if (n > g->tpsize) {
		g->tpsize = n + 16;
		g->tp = xreallocarray(g->tp, g->tpsize, sizeof *g->tp);
	}
	g->ntp = n;
	g->norders = 0;
	first = g->now;
	for (k = 0; k < n; k++) {
		p = &g->tp[k];
		p->ix = g->custlist[g->custoff[c] + k];
		s = &g->skel[p->ix];
		t = s->created;
		p->dup_of = -1;
		p->order = -1;
		p->cat = gen_weighted(g, gen_cat_w, GEN_CAT_COUNT);
		p->sit = gen_weighted(g, gen_sit_w[p->cat], GEN_SIT_COUNT);
		if (k > 0 && s->status == TICKET_CLOSED &&
		    t - g->skel[p[-1].ix].created < 5 * GEN_DAY &&
		    g->tp[k - 1].dup_of == -1 && rng_chance(&g->rng, 0.3)) {
			p->dup_of = (int)k - 1;
			p->cat = p[-1].cat;
			p->sit = p[-1].sit;
			p->order = p[-1].order;
		} else if (p->cat <= GEN_CAT_INVOICE) {
			if (g->norders < GEN_MAX_ORDERS) {
				gen_order_for(g, p, t,
				    s->status >= TICKET_SOLVED,
				    g->now - t < 20 * GEN_DAY,
				    &g->orders[g->norders]);
				g->orders[g->norders].used = 1;
				p->order = g->norders++;
			} else if ((p->order = gen_reuse_order(g, p, t)) ==
			    -1) {
				/* Nothing recent to write about: a question. */
				p->cat = rng_chance(&g->rng, 0.6) ?
				    GEN_CAT_PRODUCT : GEN_CAT_ACCOUNT;
				p->sit = gen_weighted(g, gen_sit_w[p->cat],
				    GEN_SIT_COUNT);
			}
		}
		if (t < first)
			first = t;
		if (p->order >= 0 && g->orders[p->order].placed < first)
			first = g->orders[p->order].placed;
	}

	/* The customer signed up before all of that. */
	lo = g->now - 3 * 365 * GEN_DAY;
	if (first >= g->now - GEN_HOUR)
		g->ccreated = g->now - gen_between(g, GEN_DAY, first - lo);
	else
		g->ccreated = first - gen_between(g, GEN_HOUR,
		    (first - lo) / 2 > 700 * GEN_DAY ? 700 * GEN_DAY :
		    (first - lo) / 2);

	want = gen_weighted(g, ordw, GEN_MAX_ORDERS + 1);
	while (g->norders < want) {
		t = gen_between(g, g->ccreated + GEN_HOUR,
		    g->now - 10 * GEN_MIN);
		gen_order_free(g, t, &g->orders[g->norders++]);
	}
	gen_sort_orders(g);
	for (i = 0; i < g->norders; i++) {
		g->order_seq += 1 + rng_below(&g->rng, 3);
		memcpy(g->orders[i].number, "SO-", 3);
		gen_text_uint(g->orders[i].number + 3,
		    (uint64_t)(1000000 + g->order_seq));
	}
}

/* Emit an identity of the current customer. */
static int
gen_identity(struct gen *g, const char *kind, const char *value)
{
	struct identity_rec	 r;
	char			 id[UUID_STRLEN + 1];

	gen_uuid(g, id, g->ccreated);
	r = (struct identity_rec){ .id = id, .customer_id = g->cid,
	    .kind = kind, .value = value };
	return (gen_put_identity(g, &r));
}

/* Emit the current customer, identities, orders, items and shipments. */
static int
gen_emit_customer(struct gen *g)
{
	struct customer_rec	 cr;
	struct order_rec	 or;
	struct order_item_rec	 ir;
	struct shipment_rec	 sr;
	struct gen_order	*o;
	char			 id[UUID_STRLEN + 1];
	int64_t			 upd = g->ccreated;
	int			 i, j;

	if (g->ntp > 0)
		upd = g->skel[g->tp[g->ntp - 1].ix].created;
	for (i = 0; i < g->norders; i++)
		upd = g->orders[i].placed > upd ? g->orders[i].placed : upd;
	gen_uuid(g, g->cid, g->ccreated);
	cr = (struct customer_rec){ .id = g->cid, .name = g->cname.data,
	    .email = g->cemail.data, .company = g->ccompany,
	    .phone = g->cphone.len != 0 ? g->cphone.data : NULL,
	    .created_at = g->ccreated, .updated_at = upd };
	if (gen_put_customer(g, &cr) != 0 ||
	    gen_identity(g, "email", g->cemail.data) != 0)
		return (-1);
	if ((cr.phone != NULL && gen_identity(g, "phone", cr.phone) != 0) ||
	    (g->cemail2.len != 0 &&
	    gen_identity(g, "email", g->cemail2.data) != 0) ||
	    (g->cext.len != 0 &&
	    gen_identity(g, "external", g->cext.data) != 0))
		return (-1);

	for (i = 0; i < g->norders; i++) {
		o = &g->orders[i];
		gen_uuid(g, o->id, o->placed);
		or = (struct order_rec){ .id = o->id, .customer_id = g->cid,
		    .number = o->number, .status = o->status,
		    .currency = g->ccity->country->currency,
		    .total_cents = o->total, .placed_at = o->placed };
		if (gen_put_order(g, &or) != 0)
			return (-1);
		for (j = 0; j < o->nitems; j++) {
			gen_uuid(g, id, o->placed);
			ir = (struct order_item_rec){ .id = id,
			    .order_id = o->id, .qty = o->qty[j],
			    .sku = g->products[o->product[j]].sku,
			    .title = g->products[o->product[j]].title,
			    .unit_price_cents = o->price[j] };
			if (gen_put_item(g, &ir) != 0)
				return (-1);
		}
		if (o->ship_status == NULL)
			continue;
		gen_uuid(g, id, o->shipped);
		sr = (struct shipment_rec){ .id = id, .order_id = o->id,
		    .carrier = gen_carrier_name(o->carrier),
		    .tracking = o->tracking, .status = o->ship_status,
		    .shipped_at = o->shipped, .delivered_at = o->delivered };
		if (gen_put_shipment(g, &sr) != 0)
			return (-1);
	}
	return (0);
}

/* An agent of the team for a ticket; the demo agent takes a share of Tier 1. */
static int
gen_agent(struct gen *g, int team, int unsolved)
{
	struct gen_team	*t = &g->teams[team];

	if (team == GEN_TEAM_TIER1 &&
	    rng_chance(&g->rng, unsolved ? 0.35 : 0.15))
		return (g->demo);
	return (t->members[rng_below(&g->rng, (uint32_t)t->n)]);
}

/* Another agent than u. */
int
gen_colleague(struct gen *g, int u)
{
	int	 i;

	do {
		i = 2 + (int)rng_below(&g->rng, (uint32_t)(g->nusers - 2));
	} while (i == u);
	return (i);
}

/* Add a message to the plan; NULL when the thread is full. */
static struct gen_msg *
gen_msg_add(struct gen *g, int64_t at, int role, int kind, int user)
{
	if (g->nmsgs >= GEN_MAX_MSGS)
		return (NULL);
	g->msgs[g->nmsgs] = (struct gen_msg){ .at = at > g->now ? g->now : at,
	    .role = role, .kind = kind, .user = user };
	return (&g->msgs[g->nmsgs++]);
}

/* Add an event to the plan. */
static void
gen_ev_add(struct gen *g, int64_t at, int actor, const char *field,
    const char *oldv, const char *newv)
{
	if (g->nevs < GEN_MAX_EVENTS)
		g->evs[g->nevs++] = (struct gen_event){ .actor = actor,
		    .at = at > g->now ? g->now : at, .field = field,
		    .oldv = oldv, .newv = newv };
}

/* Add a status change. */
static void
gen_ev_status(struct gen *g, int64_t at, int actor, int from, int to)
{
	gen_ev_add(g, at, actor, "status", ticket_status_name(from),
	    ticket_status_name(to));
}

/* Sort a few timed records in place, stably (insertion sort). */
#define GEN_SORT_BY_AT(a, n, type) do {					\
	type	 x_;						\
	int	 i_, j_;						\
	for (i_ = 1; i_ < (n); i_++) {					\
		x_ = (a)[i_];						\
		for (j_ = i_; j_ > 0 && (a)[j_ - 1].at > x_.at; j_--)	\
			(a)[j_] = (a)[j_ - 1];				\
		(a)[j_] = x_;						\
	}								\
} while (0)

/* When a solved ticket was solved, or an open one last heard of. */
static void
gen_times(struct gen *g, struct gen_tk *tk)
{
	int64_t	 span = g->now - tk->created, win, dur;
	int	 done, ok;

	if (tk->close_at != 0) {
		/* A duplicate, closed by merging. */
		tk->end = tk->created;
		return;
	}
	done = tk->status == TICKET_SOLVED || tk->status == TICKET_CLOSED;
	if (done) {
		win = (int64_t)gen_sla_resolve[tk->prio] * GEN_MIN;
		ok = rng_chance(&g->rng, 0.85);	/* within target */
		dur = gen_within(g, 0, win, ok ? 0.02 : 1.0, ok ? 0.9 : 3.0);
		if (dur > span * 9 / 10)
			dur = gen_within(g, 0, span, 0.3, 0.9);
		tk->end = tk->created + (dur < GEN_MIN ? GEN_MIN : dur);
		if (tk->status == TICKET_CLOSED) {
			tk->close_at = tk->end + gen_between(g, GEN_DAY,
			    5 * GEN_DAY);
			if (tk->close_at > g->now - GEN_MIN)
				tk->close_at = gen_within(g, tk->end,
				    g->now - tk->end, 0.1, 0.9);
		}
	} else if (tk->replied)
		tk->end = gen_within(g, tk->created, span, 0.4, 0.98);
	else
		tk->end = tk->created;
	if (!tk->replied)
		return;
	win = (int64_t)gen_sla_first[tk->prio] * GEN_MIN;
	ok = rng_chance(&g->rng, 0.85);
	tk->fr_at = gen_within(g, tk->created, win, ok ? 0.03 : 1.05,
	    ok ? 0.95 : 4.0);
	if (tk->fr_at >= tk->end)
		tk->fr_at = gen_within(g, tk->created, tk->end - tk->created,
		    0.1, 0.6);
}

/* The kind of the agent's message that leaves the ticket in its status. */
static int
gen_last_kind(struct gen *g, const struct gen_tk *tk, int first)
{
	switch (tk->status) {
	case TICKET_PENDING:
		return (first || rng_chance(&g->rng, 0.6) ? GEN_K_ASK :
		    GEN_K_UPDATE);
	case TICKET_ON_HOLD:
		return (GEN_K_HOLD);
	case TICKET_SOLVED:
	case TICKET_CLOSED:
		return (GEN_K_SOLVE);
	default:
		return (first ? GEN_K_FIRST : GEN_K_UPDATE);
	}
}

/*
 * Plan the public conversation: the customer opens, the agents answer,
 * and the last word fits the status (pending: the agent asked something).
 * Status changes along the way become events.
 */
static void
gen_conversation(struct gen *g, struct gen_tk *tk)
{
	int		 role[GEN_MAX_PUBLIC], chase[GEN_MAX_PUBLIC], kind;
	int64_t		 at[GEN_MAX_PUBLIC], x;
	int		 n, i, j, fa, want_agent, done, user;
	struct gen_msg	*m;

	done = tk->status == TICKET_SOLVED || tk->status == TICKET_CLOSED;
	if (!tk->replied) {
		gen_msg_add(g, tk->created, GEN_ROLE_CUSTOMER, GEN_K_OPEN, -1);
		if (tk->close_at == 0 && rng_chance(&g->rng,
		    tk->status == TICKET_NEW ? 0.2 : 0.3)) {
			tk->end = gen_within(g, tk->created,
			    g->now - tk->created, 0.2, 1.0);
			gen_msg_add(g, tk->end, GEN_ROLE_CUSTOMER, GEN_K_CHASE,
			    -1);
		}
		return;
	}

	n = 2;
	while (n < GEN_MAX_PUBLIC - 4 && rng_chance(&g->rng, 0.75))
		n++;
	want_agent = tk->status != TICKET_OPEN || rng_chance(&g->rng, 0.3);
	if ((n % 2 == 0) != want_agent)
		n += n > 2 && rng_chance(&g->rng, 0.5) ? -1 : 1;
	for (i = 0, j = 0; i < n; i++) {
		role[j] = i % 2 == 0 ? GEN_ROLE_CUSTOMER : GEN_ROLE_AGENT;
		chase[j++] = 0;
		if (i % 2 == 0 && i + 1 < n && j + n - i <= GEN_MAX_PUBLIC &&
		    rng_chance(&g->rng, 0.06)) {
			role[j] = GEN_ROLE_CUSTOMER;
			chase[j++] = 1;
		}
	}
	n = j;
	for (fa = 0; role[fa] != GEN_ROLE_AGENT; fa++)
		;
	if (fa == n - 1)
		tk->fr_at = tk->end;

	/* Times: the chasers before the first answer, the rest after it. */
	at[0] = tk->created;
	for (i = 1; i < fa; i++)
		at[i] = gen_within(g, tk->created, tk->fr_at - tk->created,
		    0.0, 1.0);
	at[fa] = tk->fr_at;
	for (i = fa + 1; i < n - 1; i++)
		at[i] = gen_within(g, tk->fr_at, tk->end - tk->fr_at, 0.0,
		    1.0);
	at[n - 1] = tk->end;
	for (i = 1; i < n; i++) {
		x = at[i];
		for (j = i; j > 0 && at[j - 1] > x; j--)
			at[j] = at[j - 1];
		at[j] = x;
	}

	for (i = 0; i < n; i++) {
		if (role[i] == GEN_ROLE_CUSTOMER) {
			if (i == 0)
				kind = GEN_K_OPEN;
			else if (chase[i])
				kind = GEN_K_CHASE;
			else if (done && i == n - 2 && rng_chance(&g->rng, 0.5))
				kind = GEN_K_THANKS;
			else
				kind = GEN_K_REPLY;
			gen_msg_add(g, at[i], GEN_ROLE_CUSTOMER, kind, -1);
			continue;
		}
		if (i == n - 1)
			kind = gen_last_kind(g, tk, i == fa);
		else if (i == fa)
			kind = GEN_K_FIRST;
		else
			kind = rng_chance(&g->rng, 0.3) ? GEN_K_ASK :
			    GEN_K_UPDATE;
		user = tk->transfer_at != 0 && at[i] > tk->transfer_at ?
		    tk->a1 : tk->a0;
		m = gen_msg_add(g, at[i], GEN_ROLE_AGENT, kind, user);
		if (m != NULL && i == n - 1 && tk->channel == GEN_CH_EMAIL &&
		    rng_chance(&g->rng, 0.004))
			m->failed = 1;
		if (i == fa)
			gen_ev_status(g, at[i], user, TICKET_NEW, TICKET_OPEN);
		if (i < n - 1 && !chase[i + 1] && rng_chance(&g->rng, 0.3)) {
			gen_ev_status(g, at[i], user, TICKET_OPEN,
			    TICKET_PENDING);
			gen_ev_status(g, at[i + 1], -1, TICKET_PENDING,
			    TICKET_OPEN);
		}
		if (i == n - 1 && tk->status != TICKET_OPEN)
			gen_ev_status(g, at[i], user, TICKET_OPEN,
			    done ? TICKET_SOLVED : tk->status);
	}
	if (tk->status == TICKET_CLOSED)
		gen_ev_status(g, tk->close_at, -1, TICKET_SOLVED,
		    TICKET_CLOSED);
}

/* Notes, system messages and attachments around the conversation. */
static void
gen_extras(struct gen *g, struct gen_tk *tk, const struct gen_tplan *p)
{
	int64_t		 last = g->msgs[g->nmsgs - 1].at, t;
	int		 i, n, who, done;

	done = tk->status == TICKET_SOLVED || tk->status == TICKET_CLOSED;
	if (tk->a0 >= 0 && (tk->assigned || tk->replied)) {
		n = rng_chance(&g->rng, 0.22) + rng_chance(&g->rng, 0.06);
		for (i = 0; i < n; i++) {
			t = gen_within(g, tk->created,
			    last - tk->created + GEN_MIN, 0.05, 1.0);
			who = rng_chance(&g->rng, 0.2) ? gen_colleague(g,
			    tk->a1) : tk->a1;
			gen_msg_add(g, t, GEN_ROLE_NOTE, GEN_K_NOTE, who);
		}
		if (tk->transfer_at != 0)
			gen_msg_add(g, tk->transfer_at, GEN_ROLE_NOTE,
			    GEN_K_NOTE, tk->a0);
	}
	if ((tk->channel == GEN_CH_EMAIL || tk->channel == GEN_CH_WEB) &&
	    rng_chance(&g->rng, 0.15))
		gen_msg_add(g, tk->created + gen_between(g, GEN_SEC,
		    30 * GEN_SEC), GEN_ROLE_SYSTEM, GEN_SYS_ACK, -1);
	if (((tk->fr_at != 0 && tk->fr_at > tk->frd) || (tk->fr_at == 0 &&
	    tk->close_at == 0 && g->now > tk->frd)) && rng_chance(&g->rng, 0.5))
		gen_msg_add(g, tk->frd, GEN_ROLE_SYSTEM, GEN_SYS_FIRST_BREACH,
		    -1);
	else if (((done && tk->end > tk->rd) || (!done && g->now > tk->rd &&
	    tk->status <= TICKET_OPEN)) && rng_chance(&g->rng, 0.3))
		gen_msg_add(g, tk->rd, GEN_ROLE_SYSTEM,
		    GEN_SYS_RESOLVE_BREACH, -1);
	if (p->dup_of >= 0)
		gen_msg_add(g, tk->close_at, GEN_ROLE_SYSTEM, GEN_SYS_MERGED,
		    -1);
	else if (done && rng_chance(&g->rng, 0.12)) {
		t = tk->end + gen_between(g, GEN_HOUR, 2 * GEN_DAY);
		if (t < g->now)
			gen_msg_add(g, t, GEN_ROLE_SYSTEM, rng_chance(&g->rng,
			    0.8) ? GEN_SYS_CSAT_GOOD : GEN_SYS_CSAT_BAD, -1);
	}
}

/* Photos from the customer, documents from the agent (after sorting). */
static void
gen_attachments(struct gen *g, const struct gen_tplan *p)
{
	struct gen_msg	*m = NULL;
	struct gen_att	*a;
	int		 i, n;

	if (p->cat == GEN_CAT_DAMAGED ? rng_chance(&g->rng, 0.6) :
	    p->cat == GEN_CAT_SHIPPING ? p->sit != GEN_SHIP_UNSHIPPED &&
	    rng_chance(&g->rng, 0.05) :
	    p->cat == GEN_CAT_PRODUCT ? rng_chance(&g->rng, 0.04) : 0) {
		if (g->msgs[0].role == GEN_ROLE_CUSTOMER)
			m = &g->msgs[0];
	}
	else if ((p->cat == GEN_CAT_INVOICE && rng_chance(&g->rng, 0.45)) ||
	    (p->cat == GEN_CAT_REFUND && p->sit != GEN_REFUND_CANCEL &&
	    rng_chance(&g->rng, 0.3))) {
		for (i = 0; i < g->nmsgs && m == NULL; i++) {
			if (g->msgs[i].role == GEN_ROLE_AGENT)
				m = &g->msgs[i];
		}
	}
	if (m == NULL)
		return;
	n = m->role == GEN_ROLE_CUSTOMER && p->cat == GEN_CAT_DAMAGED ?
	    1 + (int)rng_below(&g->rng, 3) : 1;
	for (i = 0; i < n; i++) {
		a = &g->atts[g->natts++];
		a->msg = (int)(m - g->msgs);
		gen_text_attachment(g, p, m->role, a);
		m->natt++;
	}
}

/* Emit the ticket's messages, then attachments, then events. */
static int
gen_emit_thread(struct gen *g, const struct gen_tk *tk,
    const struct gen_tplan *p)
{
	static const char *const authors[] = {
		"customer", "agent", "agent", "system"
	};
	static const char *const reasons[] = {
		"550 5.1.1 Recipient address rejected: user unknown",
		"552 5.2.2 Mailbox full", "421 4.4.2 Connection timed out"
	};
	struct message_rec	 mr;
	struct attachment_rec	 ar;
	struct event_rec	 er;
	struct gen_msg		*m;
	struct gen_event	*e;
	char			 id[UUID_STRLEN + 1], sha[65], commit[41];
	int			 i, answered = 0;

	for (i = 0; i < g->nmsgs; i++) {
		m = &g->msgs[i];
		gen_uuid(g, m->id, m->at);
		buf_reset(&g->body);
		gen_text_message(g, tk, p, m, m->role == GEN_ROLE_AGENT &&
		    !answered, &g->body);
		mr = (struct message_rec){ .id = m->id, .ticket_id = p->id,
		    .author = authors[m->role], .body = buf_cstr(&g->body),
		    .internal = m->role == GEN_ROLE_NOTE, .created_at = m->at };
		if (m->role == GEN_ROLE_CUSTOMER)
			mr.author_id = g->cid;
		else if (m->role != GEN_ROLE_SYSTEM)
			mr.author_id = g->users[m->user].id;
		if (m->role == GEN_ROLE_AGENT) {
			answered = 1;
			mr.delivery = m->failed ? "failed" : "sent";
			if (m->failed)
				mr.delivery_reason = reasons[rng_below(&g->rng,
				    nitems(reasons))];
			if (rng_chance(&g->rng, 0.15)) {
				gen_text_hex(&g->rng, commit, 40);
				mr.macro_commit = commit;
			}
		}
		if (gen_put_message(g, &mr) != 0)
			return (-1);
	}
	for (i = 0; i < g->natts; i++) {
		gen_uuid(g, id, g->msgs[g->atts[i].msg].at);
		gen_text_hex(&g->rng, sha, 64);
		ar = (struct attachment_rec){ .id = id, .ticket_id = p->id,
		    .message_id = g->msgs[g->atts[i].msg].id,
		    .name = g->atts[i].name, .mime = g->atts[i].mime,
		    .size = g->atts[i].size, .sha256 = sha };
		if (gen_put_attachment(g, &ar) != 0)
			return (-1);
	}
	for (i = 0; i < g->nevs; i++) {
		e = &g->evs[i];
		gen_uuid(g, id, e->at);
		er = (struct event_rec){ .id = id, .ticket_id = p->id,
		    .actor_id = e->actor >= 0 ? g->users[e->actor].id : NULL,
		    .field = e->field, .old_value = e->oldv,
		    .new_value = e->newv, .created_at = e->at };
		if (gen_put_event(g, &er) != 0)
			return (-1);
	}
	return (0);
}

/* Who handles the ticket, and whether it moves to Tier 2 on the way. */
static void
gen_people(struct gen *g, struct gen_tk *tk, const struct gen_tplan *p)
{
	/* Each category's usual team, the other one, and the share. */
	static const struct {
		int	 team, other;
		double	 share;
	} route[GEN_CAT_COUNT] = {
		{ GEN_TEAM_BILLING, GEN_TEAM_TIER1, 0.7 },	/* refund */
		{ GEN_TEAM_LOGISTICS, GEN_TEAM_TIER1, 0.7 },	/* ship */
		{ GEN_TEAM_LOGISTICS, GEN_TEAM_TIER1, 0.5 },	/* damage */
		{ GEN_TEAM_BILLING, GEN_TEAM_TIER1, 0.9 },	/* invoice */
		{ GEN_TEAM_TIER1, GEN_TEAM_TIER2, 0.8 },	/* account */
		{ GEN_TEAM_TIER1, GEN_TEAM_TIER2, 0.85 }	/* product */
	};
	static const double assign[TICKET_STATUS_COUNT] = {
		0.35, 0.75, 0.98, 0.98, 1.0, 1.0
	};
	int	 unsolved = tk->status < TICKET_SOLVED;

	tk->team0 = rng_chance(&g->rng, route[p->cat].share) ?
	    route[p->cat].team : route[p->cat].other;
	if (g->cvip && g->nteams > GEN_TEAM_VIP && rng_chance(&g->rng, 0.7))
		tk->team0 = GEN_TEAM_VIP;
	tk->team1 = tk->team0;
	tk->assigned = tk->replied || rng_chance(&g->rng, assign[tk->status]);
	if (!tk->assigned && tk->status == TICKET_NEW &&
	    rng_chance(&g->rng, 0.5)) {
		tk->team0 = tk->team1 = -1;	/* not triaged yet */
		tk->a0 = tk->a1 = -1;
		return;
	}
	tk->a0 = tk->a1 = gen_agent(g, tk->team0, unsolved);
	if (tk->replied && tk->team0 == GEN_TEAM_TIER1 && tk->end > tk->fr_at &&
	    (p->cat == GEN_CAT_DAMAGED || p->cat == GEN_CAT_ACCOUNT ||
	    p->cat == GEN_CAT_PRODUCT) && rng_chance(&g->rng, 0.08)) {
		tk->team1 = GEN_TEAM_TIER2;
		tk->a1 = gen_agent(g, GEN_TEAM_TIER2, unsolved);
		tk->transfer_at = gen_within(g, tk->fr_at, tk->end - tk->fr_at,
		    0.2, 0.8);
	}
}

/* Assignment, priority, team and escalation events. */
static void
gen_events(struct gen *g, struct gen_tk *tk, const struct gen_tplan *p)
{
	int64_t	 first, t = 0, breach = 0;
	int	 actor, old;

	if (tk->team0 >= 0)
		gen_ev_add(g, tk->created + gen_between(g, 0, 5 * GEN_SEC), -1,
		    "team", NULL, g->teams[tk->team0].id);
	first = tk->fr_at != 0 ? tk->fr_at : tk->close_at != 0 ?
	    tk->close_at : g->now;
	if (tk->assigned || tk->fr_at != 0) {
		t = gen_within(g, tk->created, first - tk->created, 0.02, 0.5);
		actor = rng_chance(&g->rng, 0.5) ? -1 : rng_chance(&g->rng,
		    0.6) ? g->teams[tk->team0].lead : tk->a0;
		gen_ev_add(g, t, actor, "assignee", NULL, g->users[tk->a0].id);
		if (tk->status == TICKET_OPEN && tk->fr_at == 0)
			gen_ev_status(g, t, actor, TICKET_NEW, TICKET_OPEN);
	}
	if (tk->status == TICKET_OPEN && tk->fr_at == 0 && !tk->assigned)
		gen_ev_status(g, gen_within(g, tk->created, g->now -
		    tk->created, 0.05, 0.5), -1, TICKET_NEW, TICKET_OPEN);
	if (p->dup_of >= 0) {
		gen_ev_status(g, tk->close_at, tk->a0, TICKET_NEW,
		    TICKET_CLOSED);
		gen_ev_add(g, tk->close_at, tk->a0, "merged_into", NULL,
		    g->tp[p->dup_of].id);
	}
	if (tk->transfer_at != 0) {
		gen_ev_add(g, tk->transfer_at, tk->a0, "team",
		    g->teams[tk->team0].id, g->teams[tk->team1].id);
		gen_ev_add(g, tk->transfer_at, tk->a0, "assignee",
		    g->users[tk->a0].id, g->users[tk->a1].id);
	}
	if (tk->fr_at != 0 && rng_chance(&g->rng, 0.12)) {
		old = tk->prio > PRIORITY_NORMAL ? tk->prio - 1 :
		    tk->prio == PRIORITY_NORMAL ? PRIORITY_LOW :
		    PRIORITY_NORMAL;
		gen_ev_add(g, gen_within(g, tk->created, tk->end - tk->created +
		    GEN_MIN, 0.0, 1.0), tk->a1, "priority",
		    ticket_priority_name(old), ticket_priority_name(tk->prio));
	}

	/* Breached tickets are escalated: half the open ones, fewer later. */
	if (tk->fr_at != 0 ? tk->fr_at > tk->frd : tk->close_at == 0 &&
	    g->now > tk->frd)
		breach = tk->frd;
	else if (tk->status <= TICKET_OPEN ? g->now > tk->rd :
	    (tk->status >= TICKET_SOLVED && tk->end > tk->rd))
		breach = tk->rd;
	actor = -1;
	if (breach != 0 && p->dup_of < 0 && rng_chance(&g->rng,
	    tk->status <= TICKET_OPEN ? 0.5 : 0.25)) {
		tk->escalation = 1;
		t = breach + gen_between(g, GEN_MIN, 15 * GEN_MIN);
	} else if (tk->fr_at != 0 && rng_chance(&g->rng, 0.02)) {
		tk->escalation = 1;	/* by hand */
		actor = tk->a1;
		t = gen_within(g, tk->fr_at, tk->end - tk->fr_at, 0.0, 1.0);
	}
	if (tk->escalation) {
		gen_ev_add(g, t, actor, "escalation", "0", "1");
		gen_ev_add(g, t, actor, "tags", NULL, NULL);	/* later */
	}
}

/* Plan and emit the k-th ticket of the current customer. */
static int
gen_ticket(struct gen *g, size_t k)
{
	struct gen_tplan	*p = &g->tp[k];
	const struct gen_skel	*s = &g->skel[p->ix];
	struct gen_tk		 tk;
	struct ticket_rec	 tr;
	int64_t			 upd;
	size_t			 j;

	tk = (struct gen_tk){ .created = s->created, .status = s->status,
	    .prio = s->prio, .replied = s->replied && p->dup_of < 0,
	    .frd = s->created + (int64_t)gen_sla_first[s->prio] * GEN_MIN,
	    .rd = s->created + (int64_t)gen_sla_resolve[s->prio] * GEN_MIN,
	    .channel = gen_weighted(g, gen_channel_w, 4) };
	if (tk.channel == GEN_CH_PHONE && g->cphone.len == 0)
		tk.channel = GEN_CH_EMAIL;
	if (p->dup_of >= 0)
		tk.close_at = gen_within(g, tk.created, g->now - tk.created,
		    0.01, 0.3);
	g->nmsgs = g->nevs = g->natts = 0;
	gen_times(g, &tk);
	gen_people(g, &tk, p);
	gen_conversation(g, &tk);
	gen_extras(g, &tk, p);
	gen_events(g, &tk, p);
	GEN_SORT_BY_AT(g->msgs, g->nmsgs, struct gen_msg);
	GEN_SORT_BY_AT(g->evs, g->nevs, struct gen_event);
	gen_attachments(g, p);
	for (j = k; j-- > 0 &&
	    tk.created - g->skel[g->tp[j].ix].created < 14 * GEN_DAY; ) {
		if (g->tp[j].cat == p->cat)
			break;		/* the same trouble again */
	}
	gen_text_tags(g, &tk, p, j != (size_t)-1 &&
	    tk.created - g->skel[g->tp[j].ix].created < 14 * GEN_DAY);
	upd = g->msgs[g->nmsgs - 1].at;		/* there is always one */
	if (g->nevs > 0 && g->evs[g->nevs - 1].at > upd)
		upd = g->evs[g->nevs - 1].at;

	gen_text_ticket(g, &tk, p);
	buf_reset(&g->subject);
	gen_text_subject(g->db, &g->rng, &g->tx, &g->subject);
	gen_uuid(g, p->id, tk.created);
	tr = (struct ticket_rec){ .id = p->id, .number = (int64_t)p->ix + 1,
	    .subject = g->subject.data, .status = tk.status,
	    .priority = tk.prio, .channel = gen_channel_names[tk.channel],
	    .category = gen_cat_name(p->cat), .tags = g->tags.data,
	    .customer_id = g->cid, .created_at = tk.created,
	    .updated_at = upd, .first_response_due = tk.frd,
	    .first_response_at = tk.fr_at, .resolution_due = tk.rd,
	    .escalation = tk.escalation,
	    .assignee_id = tk.assigned ? g->users[tk.a1].id : NULL,
	    .team_id = tk.team1 >= 0 ? g->teams[tk.team1].id : NULL,
	    .merged_into = p->dup_of >= 0 ? g->tp[p->dup_of].id : NULL };
	if (tk.status == TICKET_SOLVED || tk.status == TICKET_CLOSED)
		tr.solved_at = p->dup_of >= 0 ? tk.close_at : tk.end;
	if (gen_put_ticket(g, &tr) != 0)
		return (-1);
	return (gen_emit_thread(g, &tk, p));
}

/* Free everything a run allocated. */
static void
gen_free(struct gen *g)
{
	struct buf	*bufs[] = {
		&g->cname, &g->cfirst, &g->clocal, &g->cemail, &g->cphone,
		&g->cemail2, &g->cext, &g->v_amount, &g->subject, &g->body,
		&g->tags, &g->tags_old, &g->tmp
	};
	size_t		 i;
	int		 j;

	gen_words_free(g);
	for (j = 0; j < g->nusers; j++) {
		free(g->users[j].name);
		free(g->users[j].first);
		free(g->users[j].email);
	}
	free(g->users);
	free(g->skel);
	free(g->custoff);
	free(g->custlist);
	free(g->tier);
	free(g->seen);
	free(g->tp);
	for (i = 0; i < nitems(bufs); i++)
		buf_free(bufs[i]);
	gen_textdb_free(g->db);
}

/*
 * Generate an organisation's worth of data from opts->seed and hand each
 * record to the sink in dependency order. The same options give the same
 * records, byte for byte.
 */
int
gen_run(const struct gen_opts *opts, const struct gen_sink *sink,
    struct gen_stats *stats, char **cause)
{
	struct gen	*g;
	uint32_t	 c;
	size_t		 k;
	int64_t		 done = 0;
	int		 rc = -1;

	if (opts->tickets < 0 || opts->tickets > GEN_MAX_TICKETS) {
		*cause = xprintf("ticket count %lld out of range (0 to %d)",
		    (long long)opts->tickets, GEN_MAX_TICKETS);
		return (-1);
	}
	if (opts->now <= 0) {
		*cause = xstrdup("the generator needs a reference time");
		return (-1);
	}
	g = xcalloc(1, sizeof *g);
	rng_seed(&g->rng, opts->seed);
	g->sink = sink;
	g->now = opts->now;
	g->ntickets = opts->tickets;
	g->org_name = opts->org_name != NULL ? opts->org_name : "Demo Shop";
	g->db = gen_textdb_new();
	gen_words_load(g);
	for (g->seensize = 1024; g->seensize < (size_t)g->ntickets * 2 + 64; )
		g->seensize *= 2;
	g->seen = xcalloc(g->seensize, sizeof *g->seen);

	if (gen_staff(g) != 0)
		goto out;
	gen_plan_tickets(g);
	for (c = 0; c < g->ncust; c++) {
		gen_text_customer(g, c);
		gen_plan_customer(g, c);
		if (gen_emit_customer(g) != 0)
			goto out;
		for (k = 0; k < g->ntp; k++) {
			if (gen_ticket(g, k) != 0)
				goto out;
			if (++done % 1000 == 0 && sink->progress != NULL)
				sink->progress(sink->arg, done, g->ntickets);
		}
	}
	if (sink->progress != NULL)
		sink->progress(sink->arg, done, g->ntickets);
	rc = 0;
out:
	if (rc != 0) {
		*cause = g->why;
		g->why = NULL;
	}
	if (stats != NULL)
		*stats = g->st;
	free(g->why);
	gen_free(g);
	free(g);
	return (rc);
}

/* The email address of the agent the demo logs in as. */
const char *
gen_demo_user_email(void)
{
	return (GEN_DEMO_EMAIL);
}
