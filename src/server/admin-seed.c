/* admin-seed.c: triage admin seed: the demo generator into PostgreSQL. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server-int.h"

/*
 * Rows are written as COPY text into one buffer per table and sent, table
 * after table in dependency order, whenever this much is buffered. Flushes
 * happen between two customers, so every reference inside a batch (orders
 * to customers, messages to tickets, merged_into) points into the same or
 * an earlier batch.
 */
#define SEED_FLUSH	(16 << 20)
/* Seconds between two progress lines on a terminal. */
#define SEED_PROGRESS_NS	(2LL * 1000 * 1000 * 1000)

enum seed_table {
	SEED_CUSTOMERS,
	SEED_IDENTITIES,
	SEED_ORDERS,
	SEED_ITEMS,
	SEED_SHIPMENTS,
	SEED_TICKETS,
	SEED_MESSAGES,
	SEED_ATTACHMENTS,
	SEED_EVENTS,
	SEED_NTABLES
};

/*
 * Identities go through a staging table: an address the generator gives a
 * new customer may belong to a customer of an earlier batch already, and
 * (org, kind, lower(value)) is unique. The customer is still made; the
 * identity that would clash is left out.
 */
static const char *const seed_copy_sql[SEED_NTABLES] = {
	"COPY customers (id, org_id, name, email, phone, company, created_at, "
	"updated_at) FROM STDIN",
	"COPY seed_identities (id, org_id, customer_id, kind, value) "
	"FROM STDIN",
	"COPY orders (id, org_id, customer_id, number, status, currency, "
	"total_cents, placed_at) FROM STDIN",
	"COPY order_items (id, org_id, order_id, sku, title, qty, "
	"unit_price_cents) FROM STDIN",
	"COPY shipments (id, org_id, order_id, carrier, tracking, status, "
	"shipped_at, delivered_at) FROM STDIN",
	"COPY tickets (id, org_id, number, subject, status, priority, channel, "
	"category, tags, customer_id, assignee_id, team_id, created_at, "
	"updated_at, first_response_due, first_response_at, resolution_due, "
	"solved_at, escalation, merged_into) FROM STDIN",
	"COPY messages (id, org_id, ticket_id, author, author_id, internal, "
	"body, created_at, delivery, delivery_reason, macro_commit) FROM STDIN",
	"COPY attachments (id, org_id, message_id, ticket_id, internal, name, "
	"mime, size, sha256) FROM STDIN",
	"COPY events (id, org_id, ticket_id, actor_id, field, old_value, "
	"new_value, created_at) FROM STDIN"
};

/* A generator id and what it became in PostgreSQL ("" for NULL). */
struct seed_id {
	char	 gen[UUID_STRLEN + 1];
	char	 pg[UUID_STRLEN + 1];
	char	 lead[UUID_STRLEN + 1];	/* teams made here: the lead */
	int	 made;
};

/* The current ticket's messages: attachments inherit "internal". */
struct seed_msg {
	char	 id[UUID_STRLEN + 1];
	int	 internal;
};

struct seed {
	PGconn		*c;
	char		 org[UUID_STRLEN + 1];
	int64_t		 base;		/* ticket n becomes base + n */
	uint64_t	 seed;
	int		 explicit;	/* --seed was given */

	struct seed_id	*teams;
	size_t		 nteams;
	struct seed_id	*users;
	size_t		 nusers;
	int		 staff_done;	/* leads set, seed checked */

	struct buf	 rows[SEED_NTABLES];
	int64_t		 identities;	/* staged */
	int64_t		 skipped;	/* identities that clashed */

	struct seed_msg	*msgs;
	size_t		 nmsgs, msgsize;

	int		 tty;
	int64_t		 start_ns, shown_ns;
	int64_t		 shown;		/* tickets, at the last line */
};

/* Append a COPY text field: escaped, invalid UTF-8 replaced; NULL as \N. */
static void
seed_text(struct buf *b, const char *s)
{
	const char	*run, *end;
	uint32_t	 cp;
	int		 n;

	if (s == NULL) {
		buf_append(b, "\\N", 2);
		return;
	}
	end = s + strlen(s);
	for (run = s; *s != '\0'; ) {
		if ((unsigned char)*s >= 0x80) {
			n = utf8_decode(s, (size_t)(end - s), &cp);
			if (n == 1) {
				buf_append(b, run, (size_t)(s - run));
				buf_puts(b, "\xef\xbf\xbd");	/* U+FFFD */
				run = ++s;
			} else
				s += n;
			continue;
		}
		if (*s != '\\' && *s != '\t' && *s != '\n' && *s != '\r') {
			s++;
			continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_putc(b, '\\');
		buf_putc(b, *s == '\\' ? '\\' : *s == '\t' ? 't' :
		    *s == '\n' ? 'n' : 'r');
		run = ++s;
	}
	buf_append(b, run, (size_t)(s - run));
}

/* A time field: ISO 8601 in UTC; 0 (absent) as \N. */
static void
seed_time(struct buf *b, int64_t ms)
{
	char	 t[TIME_RFC3339_SIZE];

	if (ms == 0) {
		buf_append(b, "\\N", 2);
		return;
	}
	time_format_rfc3339(ms, t);
	buf_puts(b, t);
}

/* Start a row: its id and the organisation's. */
static struct buf *
seed_row(struct seed *s, enum seed_table t, const char *id)
{
	struct buf	*b = &s->rows[t];

	buf_puts(b, id);
	buf_putc(b, '\t');
	buf_puts(b, s->org);
	return (b);
}

/* The rest of a row, field by field: separators and escaping. */
static void
seed_f(struct buf *b, const char *v)
{
	buf_putc(b, '\t');
	seed_text(b, v);
}

static void
seed_ft(struct buf *b, int64_t ms)
{
	buf_putc(b, '\t');
	seed_time(b, ms);
}

static void
seed_fi(struct buf *b, int64_t v)
{
	buf_printf(b, "\t%lld", (long long)v);
}

static void
seed_end(struct buf *b)
{
	buf_putc(b, '\n');
}

/* How much is buffered over all tables. */
static size_t
seed_buffered(const struct seed *s)
{
	size_t	 n = 0;
	int	 t;

	for (t = 0; t < SEED_NTABLES; t++)
		n += s->rows[t].len;
	return (n);
}

/* What a generator id maps to: the PostgreSQL id, or NULL. */
static const char *
seed_map(const struct seed_id *ids, size_t n, const char *gen)
{
	size_t	 i;

	if (gen == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (strcmp(ids[i].gen, gen) == 0)
			return (*ids[i].pg != '\0' ? ids[i].pg : NULL);
	}
	return (NULL);
}

static const char *
seed_user(struct seed *s, const char *gen)
{
	return (seed_map(s->users, s->nusers, gen));
}

/* Send one table's buffered rows with COPY. */
static int
seed_copy(struct seed *s, enum seed_table t, char **cause)
{
	struct buf	*b = &s->rows[t];
	PGresult	*res;
	size_t		 off, n;
	int		 ok;

	if (b->len == 0)
		return (0);
	res = PQexec(s->c, seed_copy_sql[t]);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		*cause = xstrdup(PQresultErrorMessage(res));
		(*cause)[strcspn(*cause, "\n")] = '\0';
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	for (off = 0, ok = 1; ok && off < b->len; off += n) {
		n = b->len - off > (1 << 20) ? (1 << 20) : b->len - off;
		ok = PQputCopyData(s->c, b->data + off, (int)n) == 1;
	}
	if (!ok || PQputCopyEnd(s->c, NULL) != 1) {
		*cause = xprintf("COPY: %s", PQerrorMessage(s->c));
		(*cause)[strcspn(*cause, "\n")] = '\0';
		return (-1);
	}
	ok = 1;
	while ((res = PQgetResult(s->c)) != NULL) {
		if (ok && PQresultStatus(res) != PGRES_COMMAND_OK) {
			*cause = xstrdup(PQresultErrorMessage(res));
			(*cause)[strcspn(*cause, "\n")] = '\0';
			ok = 0;
		}
		PQclear(res);
	}
	buf_reset(b);
	return (ok ? 0 : -1);
}

/* Move staged identities into the table, leaving out those that clash. */
static int
seed_identities(struct seed *s, char **cause)
{
	PGresult	*res;

	if (s->rows[SEED_IDENTITIES].len == 0)
		return (0);
	if (seed_copy(s, SEED_IDENTITIES, cause) != 0)
		return (-1);
	if ((res = pg_query(s->c, "INSERT INTO identities (id, org_id, "
	    "customer_id, kind, value) SELECT id, org_id, customer_id, kind, "
	    "value FROM seed_identities ON CONFLICT DO NOTHING", 0, NULL,
	    NULL, cause)) == NULL)
		return (-1);
	s->skipped += s->identities - strtoll(PQcmdTuples(res), NULL, 10);
	s->identities = 0;
	PQclear(res);
	return (pg_exec(s->c, "TRUNCATE seed_identities", 0, NULL, NULL,
	    cause));
}

/* Send everything buffered, parents before children. */
static int
seed_flush(struct seed *s, char **cause)
{
	int	 t;

	for (t = 0; t < SEED_NTABLES; t++) {
		if (t == SEED_IDENTITIES) {
			if (seed_identities(s, cause) != 0)
				return (-1);
		} else if (seed_copy(s, t, cause) != 0)
			return (-1);
	}
	return (0);
}

/* The organisation and its SLA policies exist already. */
static int
seed_org(void *a, const struct org_rec *o, char **cause)
{
	(void)a; (void)o; (void)cause;
	return (0);
}

static int
seed_sla(void *a, const struct sla_rec *p, char **cause)
{
	(void)a; (void)p; (void)cause;
	return (0);
}

/* A team: the organisation's of that name, else a new one. */
static int
seed_team(void *a, const struct team_rec *t, char **cause)
{
	struct seed	*s = a;
	struct seed_id	*id;
	PGresult	*res;
	const char	*p[3];

	s->teams = xreallocarray(s->teams, s->nteams + 1, sizeof *s->teams);
	id = &s->teams[s->nteams++];
	memset(id, 0, sizeof *id);
	snprintf(id->gen, sizeof id->gen, "%s", t->id);
	if (t->lead_id != NULL)
		snprintf(id->lead, sizeof id->lead, "%s", t->lead_id);
	p[0] = t->id;
	p[1] = s->org;
	p[2] = t->name;
	if ((res = pg_query(s->c, "INSERT INTO teams (id, org_id, name) "
	    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id", 3, p,
	    NULL, cause)) == NULL)
		return (-1);
	id->made = PQntuples(res) == 1;
	PQclear(res);
	if (id->made) {
		snprintf(id->pg, sizeof id->pg, "%s", t->id);
		return (0);
	}
	if ((res = pg_query(s->c, "SELECT id FROM teams WHERE org_id = $1 "
	    "AND name = $2", 2, p + 1, NULL, cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1)
		snprintf(id->pg, sizeof id->pg, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (0);
}

/*
 * A user, without a password: it cannot log in. An email address that is
 * taken (they are unique over all organisations) maps to that user if it
 * is in this organisation, else to nobody.
 */
static int
seed_user_cb(void *a, const struct user_rec *u, char **cause)
{
	struct seed	*s = a;
	struct seed_id	*id;
	PGresult	*res;
	const char	*p[8];

	s->users = xreallocarray(s->users, s->nusers + 1, sizeof *s->users);
	id = &s->users[s->nusers++];
	memset(id, 0, sizeof *id);
	snprintf(id->gen, sizeof id->gen, "%s", u->id);
	p[0] = u->id;
	p[1] = s->org;
	p[2] = u->email;
	p[3] = u->name;
	p[4] = u->role;
	p[5] = seed_map(s->teams, s->nteams, u->team_id);
	p[6] = u->signature;
	p[7] = pg_bool(u->available);
	if ((res = pg_query(s->c, "INSERT INTO users (id, org_id, email, "
	    "name, role, team_id, signature, available) VALUES ($1, $2, $3, "
	    "$4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id", 8, p,
	    NULL, cause)) == NULL)
		return (-1);
	id->made = PQntuples(res) == 1;
	PQclear(res);
	if (id->made) {
		snprintf(id->pg, sizeof id->pg, "%s", u->id);
		return (0);
	}
	p[0] = u->email;
	if ((res = pg_query(s->c, "SELECT id FROM users WHERE lower(email) = "
	    "lower($1) AND org_id = $2", 2, p, NULL, cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1)
		snprintf(id->pg, sizeof id->pg, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return (0);
}

/*
 * Refuse a seed whose data is here already: its first customer exists with
 * the same address, name and phone. The ids would differ (they carry the
 * time of the run), but the customers, orders and tickets would be twins.
 */
static int
seed_check(struct seed *s, const struct customer_rec *cr, char **cause)
{
	PGresult	*res;
	const char	*p[4];
	int		 dup;

	p[0] = s->org;
	p[1] = cr->email;
	p[2] = cr->name;
	p[3] = cr->phone;
	if ((res = pg_query(s->c, "SELECT 1 FROM identities i JOIN customers c "
	    "ON c.id = i.customer_id WHERE i.org_id = $1 AND i.kind = 'email' "
	    "AND lower(i.value) = lower($2) AND c.name = $3 AND c.phone IS NOT "
	    "DISTINCT FROM $4", 4, p, NULL, cause)) == NULL)
		return (-1);
	dup = PQntuples(res) > 0;
	PQclear(res);
	if (!dup)
		return (0);
	if (s->explicit)
		*cause = xprintf(_("seed %llu was used for this organisation "
		    "already: give another --seed"),
		    (unsigned long long)s->seed);
	else
		*cause = xprintf(_("seed %llu (the default for this "
		    "organisation and ticket count) was used here already: "
		    "give --seed"), (unsigned long long)s->seed);
	return (-1);
}

/* After the staff: the leads of the teams made here, and the seed check. */
static int
seed_staff_done(struct seed *s, const struct customer_rec *cr, char **cause)
{
	const char	*p[2];
	size_t		 i;

	s->staff_done = 1;
	for (i = 0; i < s->nteams; i++) {
		if (!s->teams[i].made ||
		    (p[1] = seed_user(s, s->teams[i].lead)) == NULL)
			continue;
		p[0] = s->teams[i].pg;
		if (pg_exec(s->c, "UPDATE teams SET lead_id = $2 WHERE id = $1",
		    2, p, NULL, cause) != 0)
			return (-1);
	}
	return (seed_check(s, cr, cause));
}

/* A customer; a flush first if enough is buffered (a batch boundary). */
static int
seed_customer(void *a, const struct customer_rec *cr, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	if (!s->staff_done && seed_staff_done(s, cr, cause) != 0)
		return (-1);
	if (seed_buffered(s) >= SEED_FLUSH && seed_flush(s, cause) != 0)
		return (-1);
	b = seed_row(s, SEED_CUSTOMERS, cr->id);
	seed_f(b, cr->name);
	seed_f(b, cr->email);
	seed_f(b, cr->phone);
	seed_f(b, cr->company);
	seed_ft(b, cr->created_at);
	seed_ft(b, cr->updated_at);
	seed_end(b);
	return (0);
}

static int
seed_identity(void *a, const struct identity_rec *ir, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	(void)cause;
	b = seed_row(s, SEED_IDENTITIES, ir->id);
	seed_f(b, ir->customer_id);
	seed_f(b, ir->kind);
	seed_f(b, ir->value);
	seed_end(b);
	s->identities++;
	return (0);
}

static int
seed_order(void *a, const struct order_rec *o, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	(void)cause;
	b = seed_row(s, SEED_ORDERS, o->id);
	seed_f(b, o->customer_id);
	seed_f(b, o->number);
	seed_f(b, o->status);
	seed_f(b, o->currency != NULL ? o->currency : "EUR");
	seed_fi(b, o->total_cents);
	seed_ft(b, o->placed_at);
	seed_end(b);
	return (0);
}

static int
seed_item(void *a, const struct order_item_rec *it, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	(void)cause;
	b = seed_row(s, SEED_ITEMS, it->id);
	seed_f(b, it->order_id);
	seed_f(b, it->sku);
	seed_f(b, it->title);
	seed_fi(b, it->qty);
	seed_fi(b, it->unit_price_cents);
	seed_end(b);
	return (0);
}

static int
seed_shipment(void *a, const struct shipment_rec *sh, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	(void)cause;
	b = seed_row(s, SEED_SHIPMENTS, sh->id);
	seed_f(b, sh->order_id);
	seed_f(b, sh->carrier);
	seed_f(b, sh->tracking);
	seed_f(b, sh->status);
	seed_ft(b, sh->shipped_at);
	seed_ft(b, sh->delivered_at);
	seed_end(b);
	return (0);
}

/* A ticket, numbered from the organisation's counter. */
static int
seed_ticket(void *a, const struct ticket_rec *t, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;

	(void)cause;
	s->nmsgs = 0;
	b = seed_row(s, SEED_TICKETS, t->id);
	seed_fi(b, s->base + t->number);
	seed_f(b, t->subject);
	seed_f(b, ticket_status_name(t->status));
	seed_f(b, ticket_priority_name(t->priority));
	seed_f(b, t->channel != NULL ? t->channel : "email");
	seed_f(b, t->category);
	seed_f(b, t->tags != NULL ? t->tags : "[]");
	seed_f(b, t->customer_id);
	seed_f(b, seed_user(s, t->assignee_id));
	seed_f(b, seed_map(s->teams, s->nteams, t->team_id));
	seed_ft(b, t->created_at);
	seed_ft(b, t->updated_at != 0 ? t->updated_at : t->created_at);
	seed_ft(b, t->first_response_due);
	seed_ft(b, t->first_response_at);
	seed_ft(b, t->resolution_due);
	seed_ft(b, t->solved_at);
	seed_fi(b, t->escalation);
	seed_f(b, t->merged_into);
	seed_end(b);
	return (0);
}

/* A message; an agent's author maps like any user, a customer's stays. */
static int
seed_message(void *a, const struct message_rec *m, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;
	const char	*author = m->author_id;

	(void)cause;
	if (strcmp(m->author, "customer") != 0)
		author = seed_user(s, author);
	if (s->nmsgs == s->msgsize) {
		s->msgsize = s->msgsize == 0 ? 64 : s->msgsize * 2;
		s->msgs = xreallocarray(s->msgs, s->msgsize, sizeof *s->msgs);
	}
	snprintf(s->msgs[s->nmsgs].id, UUID_STRLEN + 1, "%s", m->id);
	s->msgs[s->nmsgs++].internal = m->internal;

	b = seed_row(s, SEED_MESSAGES, m->id);
	seed_f(b, m->ticket_id);
	seed_f(b, m->author);
	seed_f(b, author);
	seed_f(b, pg_bool(m->internal));
	seed_f(b, m->body != NULL ? m->body : "");
	seed_ft(b, m->created_at);
	seed_f(b, m->delivery);
	seed_f(b, m->delivery_reason);
	seed_f(b, m->macro_commit);
	seed_end(b);
	return (0);
}

static int
seed_attachment(void *a, const struct attachment_rec *at, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;
	size_t		 i;
	int		 internal = 0;

	(void)cause;
	for (i = 0; i < s->nmsgs; i++) {
		if (strcmp(s->msgs[i].id, at->message_id) == 0)
			internal = s->msgs[i].internal;
	}
	b = seed_row(s, SEED_ATTACHMENTS, at->id);
	seed_f(b, at->message_id);
	seed_f(b, at->ticket_id);
	seed_f(b, pg_bool(internal));
	seed_f(b, at->name);
	seed_f(b, at->mime);
	seed_fi(b, at->size);
	seed_f(b, at->sha256);
	seed_end(b);
	return (0);
}

/* An event; the values of assignee and team changes are ids to map. */
static int
seed_event(void *a, const struct event_rec *e, char **cause)
{
	struct seed	*s = a;
	struct buf	*b;
	const char	*oldv = e->old_value, *newv = e->new_value;

	(void)cause;
	if (strcmp(e->field, "assignee") == 0) {
		oldv = seed_user(s, oldv);
		newv = seed_user(s, newv);
	} else if (strcmp(e->field, "team") == 0) {
		oldv = seed_map(s->teams, s->nteams, oldv);
		newv = seed_map(s->teams, s->nteams, newv);
	}
	b = seed_row(s, SEED_EVENTS, e->id);
	seed_f(b, e->ticket_id);
	seed_f(b, seed_user(s, e->actor_id));
	seed_f(b, e->field);
	seed_f(b, oldv);
	seed_f(b, newv);
	seed_ft(b, e->created_at);
	seed_end(b);
	return (0);
}

/* On a terminal, say how far it got every few seconds. */
static void
seed_progress(void *a, int64_t done, int64_t total)
{
	struct seed	*s = a;
	int64_t		 now;

	if (!s->tty)
		return;
	now = time_mono_ns();
	if (done == s->shown ||
	    (now - s->shown_ns < SEED_PROGRESS_NS && done != total))
		return;
	s->shown_ns = now;
	s->shown = done;
	fputc('\r', stderr);
	fprintf(stderr, _("seed: %lld of %lld tickets (%.0f s)"),
	    (long long)done, (long long)total,
	    (double)(now - s->start_ns) / 1e9);
	if (done == total)
		fputc('\n', stderr);
}

/* A whole number in [lo, hi]; -1 if it is not one. */
static int
seed_number(const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi)
		return (-1);
	*out = v;
	return (0);
}

/*
 * The seed when none is given: from the organisation's id and the tickets
 * it has so far. Each run on an organisation differs from the one before
 * (the same seed twice would give twin customers), and two organisations
 * get different staff: the generator's agents have the same addresses for
 * one seed, and a taken address in another organisation maps to nobody.
 */
static uint64_t
seed_default(const char *org, int64_t tickets)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *org != '\0'; org++)
		h = (h ^ (uint8_t)*org) * 0x100000001b3ULL;
	/* Small enough to type back as --seed. */
	return ((h + (uint64_t)tickets) % 1000000000ULL);
}

/*
 * The run, inside the caller's transaction: take the ticket numbers,
 * generate, send what is left.
 */
static int
seed_run(struct seed *s, const char *org_name, int64_t tickets,
    struct gen_stats *st, char **cause)
{
	struct gen_sink	 sink = {
		.arg = s, .org = seed_org, .sla = seed_sla, .team = seed_team,
		.user = seed_user_cb, .customer = seed_customer,
		.identity = seed_identity, .order = seed_order,
		.order_item = seed_item, .shipment = seed_shipment,
		.ticket = seed_ticket, .message = seed_message,
		.attachment = seed_attachment, .event = seed_event,
		.progress = seed_progress
	};
	struct gen_opts	 go;
	PGresult	*res;
	char		 nbuf[32];
	const char	*p[2];

	snprintf(nbuf, sizeof nbuf, "%lld", (long long)tickets);
	p[0] = s->org;
	p[1] = nbuf;
	if ((res = pg_query(s->c, "UPDATE org_counters SET next_number = "
	    "next_number + $2 WHERE org_id = $1 RETURNING next_number - $2",
	    2, p, NULL, cause)) == NULL)
		return (-1);
	if (PQntuples(res) != 1) {
		PQclear(res);
		*cause = xstrdup(_("the organisation has no ticket counter"));
		return (-1);
	}
	s->base = strtoll(PQgetvalue(res, 0, 0), NULL, 10) - 1;
	PQclear(res);
	if (!s->explicit)
		s->seed = seed_default(s->org, s->base);
	if (pg_exec(s->c, "CREATE TEMP TABLE seed_identities (id uuid, "
	    "org_id uuid, customer_id uuid, kind text, value text) "
	    "ON COMMIT DROP", 0, NULL, NULL, cause) != 0)
		return (-1);

	memset(&go, 0, sizeof go);
	go.seed = s->seed;
	go.tickets = tickets;
	go.now = time_now_ms();
	go.org_name = org_name;
	/* The seed on stderr: without --seed it is the only record. */
	fprintf(stderr, _("seed: %s, seed %llu, tickets #%lld to #%lld\n"),
	    org_name, (unsigned long long)s->seed, (long long)s->base + 1,
	    (long long)(s->base + tickets));
	if (gen_run(&go, &sink, st, cause) != 0)
		return (-1);
	return (seed_flush(s, cause));
}

static void
seed_free(struct seed *s)
{
	int	 t;

	for (t = 0; t < SEED_NTABLES; t++)
		buf_free(&s->rows[t]);
	free(s->teams);
	free(s->users);
	free(s->msgs);
}

/* Usage of seed, exit status 2. */
static int
seed_usage(void)
{
	return (admin_error(2, "%s", _("usage: triage admin seed --org NAME "
	    "--tickets N [--seed S]")));
}

/*
 * triage admin seed: the demo generator's data for an existing
 * organisation, in one transaction, with COPY.
 */
int
admin_seed(PGconn *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "tickets", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct seed	 s;
	struct gen_stats st;
	const char	*org = NULL;
	char		*cause = NULL;
	int64_t		 tickets = 0, v;
	double		 secs;
	int		 ch, rc;

	memset(&s, 0, sizeof s);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			org = optarg;
			break;
		case 't':
			if (seed_number(optarg, 1, 50000000, &tickets) != 0)
				return (admin_error(2, "%s", _("--tickets: a "
				    "number from 1 to 50000000")));
			break;
		case 's':
			if (seed_number(optarg, 0, INT64_MAX, &v) != 0)
				return (admin_error(2, "%s", _("--seed: a "
				    "number from 0")));
			s.seed = (uint64_t)v;
			s.explicit = 1;
			break;
		default:
			return (seed_usage());
		}
	}
	if (optind != argc || org == NULL || tickets == 0)
		return (seed_usage());
	if ((rc = admin_check_schema(c)) != 0)
		return (rc);
	if ((rc = pg_org_id(c, org, s.org, &cause)) != 1) {
		if (rc == 0)
			return (admin_error(1, _("no organisation named \"%s\""),
			    org));
		goto fail;
	}
	s.c = c;
	s.tty = isatty(STDERR_FILENO);
	s.start_ns = s.shown_ns = time_mono_ns();
	memset(&st, 0, sizeof st);
	/* Past tickets: nothing to notify or assign (schema 3's triggers). */
	if (pg_exec(c, "BEGIN", 0, NULL, NULL, &cause) != 0 ||
	    pg_exec(c, "SET LOCAL triage.quiet = on", 0, NULL, NULL,
	    &cause) != 0)
		goto fail;
	if (seed_run(&s, org, tickets, &st, &cause) != 0 ||
	    pg_exec(c, "COMMIT", 0, NULL, NULL, &cause) != 0) {
		pg_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
		goto fail;
	}
	/* Fresh statistics for the planner; a failure here is harmless. */
	pg_exec(c, "ANALYZE customers, identities, orders, order_items, "
	    "shipments, tickets, messages, attachments, events", 0, NULL,
	    NULL, NULL);
	secs = (double)(time_mono_ns() - s.start_ns) / 1e9;
	if (s.skipped > 0)
		fprintf(stderr, _("seed: %lld generated identities (email, "
		    "phone, external id) belong to other customers already; "
		    "left out\n"), (long long)s.skipped);
	printf(_("%lld tickets, %lld messages, %lld customers, %lld orders "
	    "in %.1f s\n"), (long long)st.tickets, (long long)st.messages,
	    (long long)st.customers, (long long)st.orders, secs);
	seed_free(&s);
	return (0);
fail:
	rc = admin_error(1, "seed: %s", cause);
	free(cause);
	seed_free(&s);
	return (rc);
}
