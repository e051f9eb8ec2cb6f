/* replica-gen.c: fill a replica from the deterministic generator. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replica-int.h"

/* Commit every this many tickets, so memory stays flat on huge runs. */
#define GEN_BATCH	5000

struct gen_ctx {
	struct replica	*r;
	int64_t		 tickets;
	char		*me;
	void		(*progress)(void *, int64_t, int64_t);
	void		*arg;
};

static int
gen_org(void *a, const struct org_rec *o, char **cause)
{
	return (replica_put_org(((struct gen_ctx *)a)->r, o, cause));
}

static int
gen_sla(void *a, const struct sla_rec *p, char **cause)
{
	return (replica_put_sla(((struct gen_ctx *)a)->r, p, cause));
}

static int
gen_team(void *a, const struct team_rec *t, char **cause)
{
	return (replica_put_team(((struct gen_ctx *)a)->r, t, cause));
}

/* Users; the demo agent becomes "me". */
static int
gen_user(void *a, const struct user_rec *u, char **cause)
{
	struct gen_ctx	*g = a;

	if (g->me == NULL && strcmp(u->email, gen_demo_user_email()) == 0)
		g->me = xstrdup(u->id);
	return (replica_put_user(g->r, u, cause));
}

static int
gen_customer(void *a, const struct customer_rec *c, char **cause)
{
	return (replica_put_customer(((struct gen_ctx *)a)->r, c, cause));
}

static int
gen_identity(void *a, const struct identity_rec *i, char **cause)
{
	return (replica_put_identity(((struct gen_ctx *)a)->r, i, cause));
}

static int
gen_order(void *a, const struct order_rec *o, char **cause)
{
	return (replica_put_order(((struct gen_ctx *)a)->r, o, cause));
}

static int
gen_order_item(void *a, const struct order_item_rec *i, char **cause)
{
	return (replica_put_order_item(((struct gen_ctx *)a)->r, i, cause));
}

static int
gen_shipment(void *a, const struct shipment_rec *s, char **cause)
{
	return (replica_put_shipment(((struct gen_ctx *)a)->r, s, cause));
}

/* Tickets; every GEN_BATCH of them the transaction is committed. */
static int
gen_ticket(void *a, const struct ticket_rec *t, char **cause)
{
	struct gen_ctx	*g = a;

	if (g->tickets > 0 && g->tickets % GEN_BATCH == 0) {
		if (replica_commit(g->r, cause) != 0 ||
		    replica_begin(g->r, cause) != 0)
			return (-1);
	}
	g->tickets++;
	return (replica_put_ticket(g->r, t, cause));
}

static int
gen_message(void *a, const struct message_rec *m, char **cause)
{
	return (replica_put_message(((struct gen_ctx *)a)->r, m, cause));
}

static int
gen_attachment(void *a, const struct attachment_rec *at, char **cause)
{
	return (replica_put_attachment(((struct gen_ctx *)a)->r, at, cause));
}

static int
gen_event(void *a, const struct event_rec *e, char **cause)
{
	return (replica_put_event(((struct gen_ctx *)a)->r, e, cause));
}

static void
gen_progress(void *a, int64_t done, int64_t total)
{
	struct gen_ctx	*g = a;

	if (g->progress != NULL)
		g->progress(g->arg, done, total);
}

/*
 * Generate an organisation's data into the replica, log in locally as the
 * demo agent (setting user_id) and refresh the planner's statistics.
 */
int
replica_generate(struct replica *r, const struct gen_opts *opts,
    void (*progress)(void *, int64_t, int64_t), void *arg,
    struct gen_stats *stats, char **cause)
{
	struct gen_ctx	 g;
	struct gen_sink	 sink = {
		.org = gen_org, .sla = gen_sla, .team = gen_team,
		.user = gen_user, .customer = gen_customer,
		.identity = gen_identity, .order = gen_order,
		.order_item = gen_order_item, .shipment = gen_shipment,
		.ticket = gen_ticket, .message = gen_message,
		.attachment = gen_attachment, .event = gen_event,
		.progress = gen_progress,
	};
	int		 rc;

	memset(&g, 0, sizeof g);
	g.r = r;
	g.progress = progress;
	g.arg = arg;
	sink.arg = &g;
	if (replica_begin(r, cause) != 0)
		return (-1);
	if (replica_bulk_begin(r, cause) != 0) {
		replica_rollback(r);
		return (-1);
	}
	rc = gen_run(opts, &sink, stats, cause);
	if (rc == 0 && g.me != NULL)
		rc = replica_setting_set(r, "user_id", g.me, cause);
	if (rc == 0)
		rc = replica_bulk_done(r, cause);
	if (rc == 0)
		rc = replica_commit(r, cause);
	if (rc != 0)
		replica_rollback(r);
	free(g.me);
	if (rc == 0)
		rc = replica_analyze(r, cause);
	if (rc == 0 && (r->flags & REPLICA_BULK))
		rc = rp_exec(r, "PRAGMA journal_mode = WAL; "
		    "PRAGMA locking_mode = NORMAL; PRAGMA synchronous = NORMAL",
		    cause);
	return (rc);
}
