/* model.h: the public interface of the model part: entity enums and the query language. */
#ifndef TRIAGE_MODEL_H
#define TRIAGE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/*
 * Ticket status and priority. The numeric values are stored in the replica
 * and define sort order; the names are the wire and CLI form.
 */
enum ticket_status {
	TICKET_NEW,
	TICKET_OPEN,
	TICKET_PENDING,
	TICKET_ON_HOLD,
	TICKET_SOLVED,
	TICKET_CLOSED
};
#define TICKET_STATUS_COUNT	6

enum ticket_priority {
	PRIORITY_LOW,
	PRIORITY_NORMAL,
	PRIORITY_HIGH,
	PRIORITY_URGENT
};
#define TICKET_PRIORITY_COUNT	4

/* enums.c */
const char	*ticket_status_name(int);	/* "open"; "?" when out of range */
int		 ticket_status_parse(const char *);	/* -1 if unknown */
const char	*ticket_status_label(int);	/* translated, for display */
const char	*ticket_priority_name(int);
int		 ticket_priority_parse(const char *);
const char	*ticket_priority_label(int);

/*
 * Records: one entity's fields as plain values, shared by the generator, the
 * replica's writers and (later) the JSON codec. Strings are borrowed; NULL or
 * 0 means absent (times are UTC epoch ms, money in cents).
 */
struct org_rec {
	const char	*id;
	const char	*name;
	int64_t		 rev;
};

struct team_rec {
	const char	*id;
	const char	*name;
	const char	*lead_id;
	int64_t		 rev;
	int		 deleted;
};

struct user_rec {
	const char	*id;
	const char	*email;
	const char	*name;
	const char	*role;		/* admin, agent, viewer */
	const char	*team_id;
	const char	*signature;
	int		 available;
	int64_t		 rev;
	int		 deleted;
};

struct customer_rec {
	const char	*id;
	const char	*name;
	const char	*email;
	const char	*phone;
	const char	*company;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 rev;
	int		 deleted;
};

struct identity_rec {
	const char	*id;
	const char	*customer_id;
	const char	*kind;		/* email, phone, external */
	const char	*value;
	int64_t		 rev;
	int		 deleted;
};

struct order_rec {
	const char	*id;
	const char	*customer_id;
	const char	*number;
	const char	*status;	/* placed, paid, shipped, delivered, cancelled, refunded */
	const char	*currency;
	int64_t		 total_cents;
	int64_t		 placed_at;
	int64_t		 rev;
	int		 deleted;
};

struct order_item_rec {
	const char	*id;
	const char	*order_id;
	const char	*sku;
	const char	*title;
	int		 qty;
	int64_t		 unit_price_cents;
	int64_t		 rev;
	int		 deleted;
};

struct shipment_rec {
	const char	*id;
	const char	*order_id;
	const char	*carrier;
	const char	*tracking;
	const char	*status;	/* in_transit, delivered, late, lost */
	int64_t		 shipped_at;
	int64_t		 delivered_at;
	int64_t		 rev;
	int		 deleted;
};

struct ticket_rec {
	const char	*id;
	int64_t		 number;	/* 0: not numbered yet */
	const char	*subject;
	int		 status;	/* enum ticket_status */
	int		 priority;	/* enum ticket_priority */
	const char	*channel;	/* email, chat, phone, web */
	const char	*category;
	const char	*tags;		/* JSON array text, e.g. ["refund","vip"] */
	const char	*customer_id;
	const char	*assignee_id;
	const char	*team_id;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 first_response_due;
	int64_t		 first_response_at;
	int64_t		 resolution_due;
	int64_t		 solved_at;
	int		 escalation;
	const char	*merged_into;
	int64_t		 rev;
	int		 deleted;
};

struct message_rec {
	const char	*id;
	const char	*ticket_id;
	const char	*author;	/* customer, agent, system */
	const char	*author_id;
	int		 internal;
	const char	*body;
	int64_t		 created_at;
	const char	*delivery;	/* queued, sent, failed; NULL */
	const char	*delivery_reason;
	const char	*macro_commit;
	int64_t		 rev;
	int		 deleted;
};

struct attachment_rec {
	const char	*id;
	const char	*message_id;
	const char	*ticket_id;
	const char	*name;
	const char	*mime;
	int64_t		 size;
	const char	*sha256;
	int64_t		 rev;
	int		 deleted;
};

struct event_rec {
	const char	*id;
	const char	*ticket_id;
	const char	*actor_id;	/* NULL: the system */
	const char	*field;		/* status, priority, assignee, tags, ... */
	const char	*old_value;
	const char	*new_value;
	int64_t		 created_at;
	int64_t		 rev;
};

struct sla_rec {
	const char	*id;
	int		 priority;
	int		 first_response_mins;
	int		 resolution_mins;
	int		 business_hours;
	int64_t		 rev;
};

/*
 * The deterministic demo and benchmark generator (gen.c, gen-text.c). It
 * makes an organisation's data from a seed and hands each record to a sink:
 * the replica writes them to SQLite, the server (later) to PostgreSQL. Each
 * callback returns 0, or -1 with *cause set to stop the run. Records arrive
 * in dependency order (org, SLA policies, teams, users, then per customer:
 * customer, identities, orders with items and shipments, tickets each
 * followed by its messages, attachments and events).
 */
struct gen_sink {
	void	*arg;
	int	(*org)(void *, const struct org_rec *, char **);
	int	(*sla)(void *, const struct sla_rec *, char **);
	int	(*team)(void *, const struct team_rec *, char **);
	int	(*user)(void *, const struct user_rec *, char **);
	int	(*customer)(void *, const struct customer_rec *, char **);
	int	(*identity)(void *, const struct identity_rec *, char **);
	int	(*order)(void *, const struct order_rec *, char **);
	int	(*order_item)(void *, const struct order_item_rec *, char **);
	int	(*shipment)(void *, const struct shipment_rec *, char **);
	int	(*ticket)(void *, const struct ticket_rec *, char **);
	int	(*message)(void *, const struct message_rec *, char **);
	int	(*attachment)(void *, const struct attachment_rec *, char **);
	int	(*event)(void *, const struct event_rec *, char **);
	/* Called every so often; may be NULL. */
	void	(*progress)(void *, int64_t tickets_done, int64_t tickets_total);
};

struct gen_opts {
	uint64_t	 seed;		/* same seed, same data */
	int64_t		 tickets;	/* number of tickets */
	int64_t		 now;		/* epoch ms the data is "around" */
	const char	*org_name;	/* NULL: "Demo Shop" */
};

struct gen_stats {
	int64_t		 teams, users, customers, identities, orders;
	int64_t		 order_items, shipments, tickets, messages;
	int64_t		 attachments, events;
};

int	 gen_run(const struct gen_opts *, const struct gen_sink *,
	     struct gen_stats *, char **cause);
/* The id of the generated agent the demo logs in as ("me"). */
const char *gen_demo_user_email(void);

/*
 * The query language (query-parse.c, query-sql.c):
 *
 *   status:open,pending priority:>=high assignee:me|none|EMAIL team:NAME
 *   tag:X -tag:spam customer:TEXT channel:email category:NAME created:<7d
 *   updated:>2h sla:breached sla:<2h is:pending "free text" bare words
 *
 * Terms are ANDed; comma-separated values within a term are ORed; a leading
 * '-' negates a term. query_parse() builds an AST; query_compile() turns it
 * into an SQL boolean expression over the replica's tickets table (alias t)
 * with '?' placeholders and a matching parameter list: user text never
 * becomes SQL.
 */
struct query;

struct query_error {
	int	 column;	/* 1-based, in characters */
	int	 length;	/* characters of the offending token */
	char	*message;	/* "unknown field \"stauts\" at column 1" */
};

enum query_param_type {
	QUERY_PARAM_INT,
	QUERY_PARAM_TEXT
};

struct query_param {
	enum query_param_type	 type;
	int64_t			 i;
	char			*s;
};

struct query_sql {
	struct buf		 where;		/* "1" when the query is empty */
	struct query_param	*params;
	size_t			 nparams;
	int			 has_text;	/* free text present */
};

struct query_ctx {
	const char	*me;		/* the current user's id; NULL if unknown */
	int64_t		 now;		/* epoch ms */
};

int	 query_parse(const char *, struct query **, struct query_error *);
int	 query_compile(const struct query *, const struct query_ctx *,
	     struct query_sql *, struct query_error *);
void	 query_free(struct query *);
void	 query_sql_free(struct query_sql *);
void	 query_error_free(struct query_error *);
char	*query_describe(const struct query *);	/* normalised form; Caller frees. */

/* inbound.c: a customer's mail, parsed (triage mailgate, POST /v1/inbound). */
struct inbound_file {
	char		*name;
	char		*mime;
	char		*b64;		/* the content, base64 */
	size_t		 len;		/* its bytes */
};
struct inbound {
	char		*from;		/* the sender's address */
	char		*name;		/* their name, or NULL */
	char		*subject;
	char		*message_id;	/* "<...>", or NULL */
	char		**refs;		/* In-Reply-To, then References, newest
					   first, each "<...>" */
	size_t		 nrefs;
	char		*body;		/* UTF-8 text */
	struct inbound_file *files;
	size_t		 nfiles;
};
#define INBOUND_MAX_FILE	(10 * 1024 * 1024)	/* one attachment */
void	 inbound_free(struct inbound *);
int	 inbound_id_valid(const char *);	/* "<...>", fit for a header */
const char *inbound_check(const struct inbound *);	/* NULL, or why */

#endif
