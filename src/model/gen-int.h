/* gen-int.h: what the demo generator's gen.c and gen-text.c share. */
#ifndef TRIAGE_GEN_INT_H
#define TRIAGE_GEN_INT_H

#include "model.h"

/* Word lists compiled in from data/demo/ by build-aux/embed.sh. */
extern const char *const demo_words_first_names[];
extern const size_t demo_words_first_names_n;
extern const char *const demo_words_last_names[];
extern const size_t demo_words_last_names_n;
extern const char *const demo_words_companies[];
extern const size_t demo_words_companies_n;
extern const char *const demo_words_products[];	/* SKU|price|title */
extern const size_t demo_words_products_n;
extern const char *const demo_words_cities[];		/* City|CC */
extern const size_t demo_words_cities_n;
extern const char *const demo_words_countries[];	/* see the file */
extern const size_t demo_words_countries_n;
extern const char *const demo_words_cjk_names[];	/* name|local part */
extern const size_t demo_words_cjk_names_n;
extern const char *const demo_words_templates[];	/* see the file */
extern const size_t demo_words_templates_n;

/* Ticket categories, in the order of their names in gen_cat_name(). */
enum gen_cat {
	GEN_CAT_REFUND,
	GEN_CAT_SHIPPING,
	GEN_CAT_DAMAGED,
	GEN_CAT_INVOICE,
	GEN_CAT_ACCOUNT,
	GEN_CAT_PRODUCT
};
#define GEN_CAT_COUNT	6

/*
 * The situation behind a ticket, which picks the text: a per-category
 * number below GEN_SIT_COUNT.
 */
#define GEN_SIT_COUNT		5
#define GEN_SIT_ANY		-1
#define GEN_REFUND_RETURN	0	/* delivered, sending it back */
#define GEN_REFUND_CANCEL	1	/* not shipped yet, cancel */
#define GEN_REFUND_WRONG	2	/* wrong item delivered */
#define GEN_SHIP_LATE		0	/* past the promised date */
#define GEN_SHIP_TRANSIT	1	/* tracking has not moved */
#define GEN_SHIP_LOST		2	/* carrier says lost */
#define GEN_SHIP_UNSHIPPED	3	/* paid, not dispatched */
#define GEN_SHIP_NOTRECEIVED	4	/* "delivered" but not there */
#define GEN_DAMAGED_BROKEN	0
#define GEN_DAMAGED_FAULTY	1
#define GEN_DAMAGED_MISSING	2
#define GEN_INVOICE_COPY	0
#define GEN_INVOICE_DOUBLE	1
#define GEN_INVOICE_DETAILS	2
#define GEN_ACCOUNT_PASSWORD	0
#define GEN_ACCOUNT_2FA		1
#define GEN_ACCOUNT_EMAIL	2
#define GEN_ACCOUNT_DELETE	3
#define GEN_ACCOUNT_LOCKED	4
#define GEN_PRODUCT_SIZE	0
#define GEN_PRODUCT_COMPAT	1
#define GEN_PRODUCT_STOCK	2
#define GEN_PRODUCT_CARE	3

enum gen_lang {
	GEN_LANG_EN,
	GEN_LANG_DE,
	GEN_LANG_FR,
	GEN_LANG_ES
};
#define GEN_LANG_COUNT	4

enum gen_channel {
	GEN_CH_EMAIL,
	GEN_CH_CHAT,
	GEN_CH_PHONE,
	GEN_CH_WEB
};

/* What a message says: the customer's and the agent's turns. */
enum gen_kind {
	GEN_K_SUBJECT,
	GEN_K_OPEN,		/* customer (OPEN..THANKS): first message */
	GEN_K_CHASE,		/* customer: "any news?" */
	GEN_K_REPLY,		/* customer: answers the agent */
	GEN_K_THANKS,		/* customer: it is sorted */
	GEN_K_FIRST,		/* agent: the first response */
	GEN_K_UPDATE,		/* agent: progress */
	GEN_K_ASK,		/* agent: needs something from the customer */
	GEN_K_HOLD,		/* agent: waiting on a third party */
	GEN_K_SOLVE,		/* agent: resolved */
	GEN_K_NOTE,		/* agent: internal note */
	GEN_K_GREET_C,
	GEN_K_CLOSE_C,
	GEN_K_EXTRA_C,
	GEN_K_GREET_A,
	GEN_K_CLOSE_A,
	GEN_K_EXTRA_A,
	GEN_K_LANG_A,		/* agent: answering in English */
	GEN_K_ATTACH,		/* what goes with an attachment */
	GEN_K_MOBILE,		/* "sent from my phone" */
	GEN_K_COUNT
};

/* The values a template may name as {first}, {order} and so on. */
enum gen_var {
	GEN_V_FIRST,
	GEN_V_NAME,
	GEN_V_EMAIL,
	GEN_V_PHONE,
	GEN_V_COMPANY,
	GEN_V_CITY,
	GEN_V_AGENT,
	GEN_V_AGENT_NAME,
	GEN_V_COLLEAGUE,
	GEN_V_ORG,
	GEN_V_TICKET,
	GEN_V_ORDER,
	GEN_V_DATE,
	GEN_V_DNUM,
	GEN_V_DAYS,
	GEN_V_PRODUCT,
	GEN_V_SKU,
	GEN_V_QTY,
	GEN_V_AMOUNT,
	GEN_V_CARRIER,
	GEN_V_TRACKING,
	GEN_V_REF,
	GEN_V_LAST4,
	GEN_V_INVOICE,
	GEN_V_TOPIC,
	GEN_V_COUNT
};

/* One message's context for the text templates; values are borrowed. */
struct gen_text {
	const char	*v[GEN_V_COUNT];	/* NULL: not known */
	int		 cat;
	int		 sit;
	int		 lang;
	int		 channel;
	int		 attach;	/* carries an attachment */
	int		 first_reply;	/* the agent's first answer */
	int		 urgent;	/* the customer is in a hurry */
};

/* Countries customers live in (data/demo/countries.txt). */
struct gen_country {
	char		*line;		/* the fields point into it */
	const char	*cc;
	const char	*dial;		/* "49" */
	const char	*mobile;	/* leading digits, comma-separated */
	int		 digits;	/* digits after the prefix */
	const char	*currency;
	int		 rate;		/* units per 1000 EUR */
	int		 lang;		/* enum gen_lang */
	signed char	 carriers[6];	/* most used first; -1 ends */
};

/* gen-text.c */
struct gen_textdb;
struct gen_textdb *gen_textdb_new(void);
void		 gen_textdb_free(struct gen_textdb *);
int		 gen_text_has(const struct gen_textdb *, int, int, int, int);
void		 gen_text_subject(const struct gen_textdb *, struct rng *,
		     const struct gen_text *, struct buf *);
void		 gen_text_body(const struct gen_textdb *, struct rng *,
		     const struct gen_text *, int, struct buf *);
const char	*gen_cat_name(int);
const char	*gen_cat_topic(int);

void		 gen_text_ascii(struct buf *, const char *);
void		 gen_text_person(struct rng *, int, struct buf *,
		     struct buf *, struct buf *);
void		 gen_text_phone(struct rng *, const struct gen_country *,
		     struct buf *);
int		 gen_country_carrier(struct rng *,
		     const struct gen_country *);
const char	*gen_carrier_name(int);
void		 gen_text_tracking(struct rng *, int, const char *,
		     struct buf *);
void		 gen_text_money(struct buf *, int64_t, const char *);
int64_t		 gen_price_in(int64_t, const struct gen_country *);
void		 gen_text_date(char *, size_t, int64_t, int);
void		 gen_text_hex(struct rng *, char *, size_t);
size_t		 gen_text_uint(char *, uint64_t);

/*
 * The generator's state, shared by gen.c (structure: who, what, when) and
 * gen-text.c (words: what they write and what they are called).
 */
#define GEN_DOMAIN		"demo-shop.example"
#define GEN_DEMO_EMAIL		"alex.morgan@" GEN_DOMAIN

#define GEN_SEC			1000LL
#define GEN_MIN			(60 * GEN_SEC)
#define GEN_HOUR		(60 * GEN_MIN)
#define GEN_DAY			(24 * GEN_HOUR)

#define GEN_MAX_ORDERS		6	/* per customer */
#define GEN_MAX_ITEMS		4	/* per order */
#define GEN_MAX_PUBLIC		24	/* customer and agent replies */
#define GEN_MAX_MSGS		34	/* with notes and system ones */
#define GEN_MAX_EVENTS		64
#define GEN_MAX_ATTS		4
#define GEN_MAX_USERS		32

/* The teams, in the order of gen_team_names. */
enum gen_team_ix {
	GEN_TEAM_TIER1,
	GEN_TEAM_TIER2,
	GEN_TEAM_BILLING,
	GEN_TEAM_LOGISTICS,
	GEN_TEAM_VIP,
	GEN_TEAM_MAX
};
struct gen_product {
	char		*line;		/* the fields point into it */
	const char	*sku;
	const char	*title;
	int64_t		 price;		/* EUR cents */
};

struct gen_city {
	char			 *line;
	const char		 *name;
	const struct gen_country *country;
};

struct gen_user {
	char		 id[UUID_STRLEN + 1];
	char		*name;
	char		*first;
	char		*email;
	const char	*role;
	int		 team;		/* -1: none */
};

struct gen_team {
	char		 id[UUID_STRLEN + 1];
	int		 lead;
	int		 members[GEN_MAX_USERS];
	int		 n;
};

/* A ticket before customers are known: when, what state, how urgent. */
struct gen_skel {
	int64_t		 created;
	uint32_t	 seq;		/* draw order, breaks ties */
	uint8_t		 status;
	uint8_t		 prio;
	uint8_t		 replied;	/* an agent has answered */
};

struct gen_order {
	char		 id[UUID_STRLEN + 1];
	char		 number[24];
	const char	*status;
	int64_t		 placed;
	int64_t		 shipped;
	int64_t		 delivered;
	const char	*ship_status;	/* NULL: no shipment */
	int		 carrier;
	char		 tracking[40];
	int		 nitems;
	int		 product[GEN_MAX_ITEMS];
	int		 qty[GEN_MAX_ITEMS];
	int64_t		 price[GEN_MAX_ITEMS];
	int64_t		 total;
	int		 used;		/* tickets about it */
};

/* One of the current customer's tickets, planned before any is emitted. */
struct gen_tplan {
	uint32_t	 ix;		/* into skel; number ix + 1 */
	int		 cat;
	int		 sit;
	int		 order;		/* -1: none */
	int		 dup_of;	/* plan index it duplicates, -1 */
	char		 id[UUID_STRLEN + 1];
};

/* Who wrote a message. */
enum gen_role {
	GEN_ROLE_CUSTOMER,
	GEN_ROLE_AGENT,
	GEN_ROLE_NOTE,
	GEN_ROLE_SYSTEM
};

struct gen_msg {
	int64_t		 at;
	int		 role;
	int		 kind;		/* gen_kind or gen_system */
	int		 user;		/* author (agents, notes) */
	int		 natt;
	int		 failed;	/* delivery failed */
	char		 id[UUID_STRLEN + 1];
};

struct gen_event {
	int64_t		 at;
	int		 actor;		/* user index; -1: system */
	const char	*field;
	const char	*oldv;
	const char	*newv;
};

struct gen_att {
	int		 msg;
	const char	*mime;
	char		 name[64];
	int64_t		 size;
};

/* System messages. */
enum gen_system {
	GEN_SYS_ACK,
	GEN_SYS_FIRST_BREACH,
	GEN_SYS_RESOLVE_BREACH,
	GEN_SYS_MERGED,
	GEN_SYS_CSAT_GOOD,
	GEN_SYS_CSAT_BAD
};

/* The generator's state for one run. */
struct gen {
	struct rng		 rng;
	const struct gen_sink	*sink;
	struct gen_stats	 st;
	char			*why;
	int64_t			 now;
	int64_t			 rev;
	int64_t			 others;	/* org and SLA records */
	int64_t			 ntickets;
	const char		*org_name;
	int64_t			 org_created;
	struct gen_textdb	*db;

	struct gen_country	*countries;
	size_t			 ncountries;
	struct gen_product	*products;
	size_t			 nproducts;
	struct gen_city		*cities;
	size_t			 ncities;

	struct gen_team		 teams[GEN_TEAM_MAX];
	int			 nteams;
	struct gen_user		*users;
	int			 nusers;
	int			 demo;		/* the demo agent */

	struct gen_skel		*skel;
	uint32_t		*custoff;	/* ncust + 1 */
	uint32_t		*custlist;
	uint8_t			*tier;		/* 2 key account */
	uint32_t		 ncust;
	int64_t			 order_seq;

	uint64_t		*seen;		/* addresses given */
	size_t			 seensize;

	/* The current customer. */
	char			 cid[UUID_STRLEN + 1];
	struct buf		 cname, cfirst, clocal, cemail, cphone;
	struct buf		 cemail2, cext;	/* may be empty */
	const char		*ccompany;
	const struct gen_city	*ccity;
	int			 clang;		/* may write in */
	int			 tlang;		/* this ticket's */
	int			 cvip;
	int64_t			 ccreated;
	struct gen_order	 orders[GEN_MAX_ORDERS];
	int			 norders;
	struct gen_tplan	*tp;
	size_t			 ntp;
	size_t			 tpsize;

	/* The current ticket. */
	struct gen_msg		 msgs[GEN_MAX_MSGS];
	int			 nmsgs;
	struct gen_event	 evs[GEN_MAX_EVENTS];
	int			 nevs;
	struct gen_att		 atts[GEN_MAX_ATTS];
	int			 natts;
	struct gen_text		 tx;
	char			 v_ticket[24], v_date[32], v_dnum[16];
	char			 v_days[24], v_qty[24], v_ref[24];
	char			 v_last4[8], v_invoice[32];
	struct buf		 v_amount;
	struct buf		 subject, body, tags, tags_old, tmp;
};

/* One ticket's plan: its times, people and state. */
struct gen_tk {
	int64_t		 created;
	int64_t		 frd;		/* first response due */
	int64_t		 rd;		/* resolution due */
	int64_t		 fr_at;		/* 0: no answer yet */
	int64_t		 end;		/* last public message */
	int64_t		 close_at;	/* closed tickets */
	int64_t		 transfer_at;	/* 0: stays in team0 */
	int		 status;
	int		 prio;
	int		 channel;
	int		 replied;
	int		 assigned;
	int		 escalation;
	int		 team0;		/* first team, -1: none */
	int		 team1;		/* final team */
	int		 a0;		/* first agent */
	int		 a1;		/* final agent */
};

/* gen.c */
extern const int gen_sla_first[TICKET_PRIORITY_COUNT];
extern const int gen_sla_resolve[TICKET_PRIORITY_COUNT];
int		 gen_seen(struct gen *, const char *);
int		 gen_colleague(struct gen *, int);

/* gen-text.c: the run's word lists, people and ticket wording. */
void		 gen_words_load(struct gen *);
void		 gen_words_free(struct gen *);
void		 gen_text_customer(struct gen *, uint32_t);
const char	*gen_text_mail_domain(struct rng *);
void		 gen_text_ticket(struct gen *, const struct gen_tk *,
		     const struct gen_tplan *);
void		 gen_text_tags(struct gen *, const struct gen_tk *,
		     const struct gen_tplan *, int);
void		 gen_text_system(struct gen *, const struct gen_tk *,
		     const struct gen_tplan *, int, struct buf *);
void		 gen_text_message(struct gen *, const struct gen_tk *,
		     const struct gen_tplan *, const struct gen_msg *, int,
		     struct buf *);
void		 gen_text_attachment(struct gen *, const struct gen_tplan *,
		     int, struct gen_att *);

#endif
