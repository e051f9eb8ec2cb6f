/* fixture.h: a small replica with known contents, for the replica and CLI suites. */
#ifndef TRIAGE_FIXTURE_H
#define TRIAGE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replica/replica.h"

/* Fixed "now" for the fixture: 2026-11-21T12:00:00Z. */
#define FX_NOW		INT64_C(1795262400000)
#define FX_HOUR		INT64_C(3600000)
#define FX_TICKETS	250

/* A deterministic UUID for entity kind k, index i. */
static inline void
fx_id(char out[UUID_STRLEN + 1], int k, int i)
{
	snprintf(out, UUID_STRLEN + 1, "0190%04x-0000-7000-8000-%012x", k, i);
}

/* A fresh temporary file name (the file does not exist). Caller frees. */
static inline char *
fx_tmpname(const char *tag)
{
	char	 tmpl[] = "/tmp/triage-test-XXXXXX";
	char	*dir, *path;

	dir = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(dir);
	path = xprintf("%s/%s.db", dir, tag);
	return (path);
}

/* Remove a replica file, its WAL companions and its directory. */
static inline void
fx_unlink(const char *path)
{
	char	*s, *dir;

	s = xprintf("%s-wal", path);
	unlink(s);
	free(s);
	s = xprintf("%s-shm", path);
	unlink(s);
	free(s);
	unlink(path);
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	free(dir);
}

/* Assert x returns 0; x reports through the caller's char *fx_cause. */
#define FX_CHECK(x) do {						\
	if ((x) != 0)							\
		ck_abort_msg("%s: %s", #x, fx_cause);			\
} while (0)

/*
 * Fill r with: 3 users (u1 "Alex Morgan" is me), 2 teams, 5 customers with
 * orders, FX_TICKETS tickets numbered 1..FX_TICKETS whose status is
 * i % 6, priority i % 4, updated_at FX_NOW - (i / 3) hours (so updated_at
 * ties in threes), customer i % 5, assignee u1 for i % 3 == 0, u2 for
 * i % 3 == 1, none otherwise; tags ["refund"] when i % 10 == 0, else
 * ["shipping"]; 2 messages per ticket. Ticket 7 has subject "Refund for
 * broken kettle"; ticket 8's messages mention "kettle" three times.
 */
static inline void
fx_fill(struct replica *r)
{
	char			 id[UUID_STRLEN + 1], cid[UUID_STRLEN + 1];
	char			 uid[UUID_STRLEN + 1], oid[UUID_STRLEN + 1];
	char			 mid[UUID_STRLEN + 1], subj[128], body[256];
	char			 u1[UUID_STRLEN + 1], u2[UUID_STRLEN + 1];
	char			 t1[UUID_STRLEN + 1], t2[UUID_STRLEN + 1];
	char			 number[32];
	char			*fx_cause = NULL;
	struct user_rec		 u;
	struct team_rec		 tm;
	struct customer_rec	 c;
	struct order_rec	 o;
	struct order_item_rec	 it;
	struct shipment_rec	 sh;
	struct ticket_rec	 t;
	struct message_rec	 m;
	struct event_rec	 e;
	static const char *const names[] = {
		"Ada Lovelace", "Björk Guðmundsdóttir", "Chen Wei 陈伟",
		"Dmitri Ivanov", "Eve O'Hara"
	};
	int			 i, j;

	if (replica_begin(r, &fx_cause) != 0)
		ck_abort_msg("begin: %s", fx_cause);
	fx_id(t1, 1, 1);
	fx_id(t2, 1, 2);
	memset(&tm, 0, sizeof tm);
	tm.id = t1; tm.name = "Tier 1"; tm.rev = 1;
	if (replica_put_team(r, &tm, &fx_cause) != 0)
		ck_abort_msg("%s", fx_cause);
	tm.id = t2; tm.name = "Billing"; tm.rev = 2;
	if (replica_put_team(r, &tm, &fx_cause) != 0)
		ck_abort_msg("%s", fx_cause);
	fx_id(u1, 2, 1);
	fx_id(u2, 2, 2);
	memset(&u, 0, sizeof u);
	u.id = u1; u.email = "alex@demo.example"; u.name = "Alex Morgan";
	u.role = "agent"; u.team_id = t1; u.available = 1; u.rev = 3;
	if (replica_put_user(r, &u, &fx_cause) != 0)
		ck_abort_msg("%s", fx_cause);
	u.id = u2; u.email = "sam@demo.example"; u.name = "Sam Lee";
	u.team_id = t2; u.rev = 4;
	if (replica_put_user(r, &u, &fx_cause) != 0)
		ck_abort_msg("%s", fx_cause);
	if (replica_setting_set(r, "user_id", u1, &fx_cause) != 0)
		ck_abort_msg("%s", fx_cause);
	for (i = 0; i < 5; i++) {
		fx_id(cid, 3, i);
		memset(&c, 0, sizeof c);
		c.id = cid;
		c.name = names[i];
		snprintf(body, sizeof body, "customer%d@example.org", i);
		c.email = body;
		c.phone = "+4930123456";
		c.company = i == 0 ? "Acme Corp" : NULL;
		c.created_at = FX_NOW - 1000 * FX_HOUR;
		c.rev = 10 + i;
		if (replica_put_customer(r, &c, &fx_cause) != 0)
			ck_abort_msg("%s", fx_cause);
		for (j = 0; j < 2; j++) {
			fx_id(oid, 4, i * 10 + j);
			memset(&o, 0, sizeof o);
			snprintf(number, sizeof number, "SO-%d%d00%d", i, j, i);
			o.id = oid; o.customer_id = cid; o.number = number;
			o.status = "shipped"; o.currency = "EUR";
			o.total_cents = 2 * 1999 + 500;
			o.placed_at = FX_NOW - (100 - j) * FX_HOUR;
			if (replica_put_order(r, &o, &fx_cause) != 0)
				ck_abort_msg("%s", fx_cause);
			fx_id(id, 5, i * 10 + j);
			memset(&it, 0, sizeof it);
			it.id = id; it.order_id = oid; it.sku = "KT-100";
			it.title = "Kettle"; it.qty = 2;
			it.unit_price_cents = 1999;
			if (replica_put_order_item(r, &it, &fx_cause) != 0)
				ck_abort_msg("%s", fx_cause);
			fx_id(id, 6, i * 10 + j);
			memset(&sh, 0, sizeof sh);
			sh.id = id; sh.order_id = oid; sh.carrier = "DHL";
			sh.tracking = "JD014600003828";
			sh.status = j == 0 ? "delivered" : "in_transit";
			sh.shipped_at = o.placed_at + FX_HOUR;
			if (replica_put_shipment(r, &sh, &fx_cause) != 0)
				ck_abort_msg("%s", fx_cause);
		}
	}
	for (i = 1; i <= FX_TICKETS; i++) {
		fx_id(id, 7, i);
		fx_id(cid, 3, i % 5);
		fx_id(uid, 2, i % 3 == 0 ? 1 : 2);
		memset(&t, 0, sizeof t);
		t.id = id;
		t.number = i;
		if (i == 7)
			snprintf(subj, sizeof subj, "Refund for broken kettle");
		else
			snprintf(subj, sizeof subj, "Question number %d", i);
		t.subject = subj;
		t.status = i % 6;
		t.priority = i % 4;
		t.channel = i % 2 ? "email" : "chat";
		t.category = i % 10 == 0 ? "refund" : "shipping";
		t.tags = i % 10 == 0 ? "[\"refund\"]" : "[\"shipping\"]";
		t.customer_id = cid;
		t.assignee_id = i % 3 == 2 ? NULL : uid;
		t.team_id = i % 2 ? t1 : t2;
		t.created_at = FX_NOW - 500 * FX_HOUR;
		t.updated_at = FX_NOW - (i / 3) * FX_HOUR;
		t.first_response_due = FX_NOW + (i - 20) * FX_HOUR;
		t.resolution_due = FX_NOW + (i + 20) * FX_HOUR;
		t.rev = 100 + i;
		if (replica_put_ticket(r, &t, &fx_cause) != 0)
			ck_abort_msg("%s", fx_cause);
		for (j = 0; j < 2; j++) {
			fx_id(mid, 8, i * 2 + j);
			memset(&m, 0, sizeof m);
			m.id = mid;
			m.ticket_id = id;
			m.author = j == 0 ? "customer" : "agent";
			m.author_id = j == 0 ? cid : uid;
			if (i == 8)
				snprintf(body, sizeof body, "The kettle, the "
				    "kettle, oh the kettle leaks (%d).", j);
			else
				snprintf(body, sizeof body, "Hello, message %d "
				    "of ticket %d about my parcel.", j, i);
			m.body = body;
			m.created_at = t.created_at + j * FX_HOUR;
			m.delivery = j == 1 ? "sent" : NULL;
			m.rev = 1000 + i * 2 + j;
			if (replica_put_message(r, &m, &fx_cause) != 0)
				ck_abort_msg("%s", fx_cause);
		}
		fx_id(mid, 9, i);
		memset(&e, 0, sizeof e);
		e.id = mid; e.ticket_id = id; e.actor_id = uid;
		e.field = "status"; e.old_value = "new"; e.new_value = "open";
		e.created_at = t.created_at + FX_HOUR;
		if (replica_put_event(r, &e, &fx_cause) != 0)
			ck_abort_msg("%s", fx_cause);
	}
	if (replica_commit(r, &fx_cause) != 0)
		ck_abort_msg("commit: %s", fx_cause);
}

/* A new replica file with the fixture; Caller frees the path. */
static inline char *
fx_make(const char *tag)
{
	struct replica	*r;
	char		*path, *fx_cause = NULL;

	path = fx_tmpname(tag);
	if (replica_open(path, REPLICA_CREATE, &r, &fx_cause) != 0)
		ck_abort_msg("open: %s", fx_cause);
	fx_fill(r);
	replica_close(r);
	return (path);
}

#endif
