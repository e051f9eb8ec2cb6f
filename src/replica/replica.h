/* replica.h: the public interface of the SQLite replica. */
#ifndef TRIAGE_REPLICA_H
#define TRIAGE_REPLICA_H

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "model/model.h"

/*
 * Functions that can fail return 0 on success and -1 with *cause set
 * (allocated; the caller frees). Lookups return REPLICA_NOTFOUND (1) when
 * the thing asked for does not exist. A struct replica is one SQLite
 * connection: use it from one thread only; open another for another thread.
 */
#define REPLICA_NOTFOUND	1

#define REPLICA_CREATE		0x1	/* create the file if it is missing */
#define REPLICA_READONLY	0x2	/* open for reading only */
#define REPLICA_BULK		0x4	/* generator: fast, unsafe on crash */

#define REPLICA_NO_DUE		INT64_C(9000000000000000000)

struct replica;

/* replica.c: opening, migrations, transactions. */
char	*replica_default_path(void);		/* Caller frees. */
int	 replica_open(const char *, int, struct replica **, char **);
void	 replica_close(struct replica *);
const char *replica_path(struct replica *);
int	 replica_version(struct replica *);
int	 replica_latest_version(void);
int	 replica_create_at_version(const char *, int, char **);	/* tests */
int	 replica_begin(struct replica *, char **);
int	 replica_commit(struct replica *, char **);
void	 replica_rollback(struct replica *);
int	 replica_check(struct replica *, char **);	/* integrity + FTS */
int	 replica_bulk_begin(struct replica *, char **);	/* in a transaction */
int	 replica_bulk_active(struct replica *);
int	 replica_bulk_done(struct replica *, char **);	/* in a transaction */
int	 replica_bulk_cache(struct replica *, int, char **);
int	 replica_analyze(struct replica *, char **);

/* replica-settings.c: key/value settings and the current user. */
char	*replica_setting(struct replica *, const char *);	/* Caller frees. */
int	 replica_setting_set(struct replica *, const char *, const char *,
	     char **);
char	*replica_me(struct replica *);		/* user id or NULL; Caller frees. */
int	 replica_sync_cursor(struct replica *, int64_t *, char **);
int	 replica_sync_set_cursor(struct replica *, int64_t, char **);
int	 replica_user_by_email(struct replica *, const char *, char **id,
	     char **);

/* A ticket as lists and the ticket view show it. Strings are owned. */
struct ticket {
	char		 id[UUID_STRLEN + 1];
	int64_t		 number;	/* 0: not numbered yet ("new") */
	char		*subject;
	int		 status;
	int		 priority;
	char		*channel;
	char		*category;
	char		*tags;		/* JSON array text */
	char		*customer_id;
	char		*customer;	/* name */
	char		*customer_email;
	char		*assignee_id;
	char		*assignee;	/* name; NULL: unassigned */
	char		*assignee_email;
	char		*team_id;
	char		*team;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 first_response_due;
	int64_t		 first_response_at;
	int64_t		 resolution_due;
	int64_t		 solved_at;
	int64_t		 sla_due;	/* REPLICA_NO_DUE when no clock runs */
	int		 escalation;
	char		*merged_into;
	int64_t		 rev;
	int		 pending;	/* unsynced local changes */
	int		 rejected;	/* a local change was rejected */
};
void	 ticket_clear(struct ticket *);

struct ticket_list {
	struct ticket	*v;
	size_t		 n;
};
void	 ticket_list_free(struct ticket_list *);

/* replica-queue.c: queue windows with keyset paging. */
enum queue_sort {
	QUEUE_SORT_SLA,		/* nearest due first */
	QUEUE_SORT_UPDATED,	/* most recently updated first */
	QUEUE_SORT_PRIORITY,	/* most urgent first, then most recent */
	QUEUE_SORT_NUMBER	/* highest number first; unnumbered on top */
};
#define QUEUE_SORT_COUNT	4
const char *queue_sort_name(enum queue_sort);
const char *queue_sort_label(enum queue_sort);	/* translated */
int	 queue_sort_parse(const char *);	/* -1 if unknown */

struct queue;
int	 replica_queue_open(struct replica *, const char *, enum queue_sort,
	     struct queue **, struct query_error *);
/*
 * Fetch up to limit tickets after (or, with QUEUE_BACKWARD, before) the
 * ticket `from` in the queue's order, `from` itself too with
 * QUEUE_INCLUSIVE; from NULL starts at the top (or, backward, the bottom).
 * Rows come back in display order either way.
 */
#define QUEUE_BACKWARD		0x1
#define QUEUE_INCLUSIVE		0x2
int	 replica_queue_fetch(struct queue *, const struct ticket *from,
	     int flags, size_t limit, struct ticket_list *, char **);
int	 replica_queue_count(struct queue *, int64_t *, char **);
int	 replica_queue_position(struct queue *, const struct ticket *,
	     int64_t *, char **);		/* rows before it */
void	 replica_queue_close(struct queue *);

/* Saved views: builtin ones, the config's, the user's. */
struct saved_view {
	char		*name;
	char		*query;
	enum queue_sort	 sort;
	int		 builtin;
};
struct saved_view_list {
	struct saved_view	*v;
	size_t			 n;
};
int	 replica_views(struct replica *, struct saved_view_list *, char **);
const char *saved_view_label(const struct saved_view *);	/* translated */
int	 replica_view_get(struct replica *, const char *, struct saved_view *,
	     char **);
int	 replica_view_save(struct replica *, const char *, const char *,
	     enum queue_sort, char **);
void	 saved_view_clear(struct saved_view *);
void	 saved_view_list_free(struct saved_view_list *);

/* replica-ticket.c: one ticket with its thread, events and attachments. */
enum sync_state {
	SYNC_SYNCED,
	SYNC_PENDING,
	SYNC_REJECTED,
	SYNC_CONFLICT
};
const char *sync_state_name(enum sync_state);

struct message {
	char		 id[UUID_STRLEN + 1];
	char		*author;	/* customer, agent, system */
	char		*author_id;
	char		*author_name;
	int		 internal;
	char		*body;
	int64_t		 created_at;
	char		*delivery;	/* queued, sent, failed; NULL */
	char		*delivery_reason;
	char		*macro_commit;
	enum sync_state	 state;
	char		*reason;	/* why it was rejected */
};

struct event {
	char		 id[UUID_STRLEN + 1];
	char		*actor;		/* name; NULL: the system */
	char		*field;
	char		*old_value;
	char		*new_value;
	int64_t		 created_at;
};

struct attachment {
	char		 id[UUID_STRLEN + 1];
	char		 message_id[UUID_STRLEN + 1];
	char		*name;
	char		*mime;
	int64_t		 size;
	char		*sha256;
};

struct ticket_detail {
	struct ticket		 t;
	struct message		*messages;
	size_t			 nmessages;
	struct event		*events;
	size_t			 nevents;
	struct attachment	*attachments;
	size_t			 nattachments;
};
int	 replica_ticket_get(struct replica *, int64_t number, const char *id,
	     struct ticket_detail **, char **);
int	 replica_ticket_id(struct replica *, int64_t, char id[UUID_STRLEN + 1],
	     char **);
void	 ticket_detail_free(struct ticket_detail *);
char	*tags_text(const char *);	/* "refund, vip"; NULL: none */

/* replica-customer.c: the customer 360. */
struct identity {
	char		 id[UUID_STRLEN + 1];
	char		*kind;
	char		*value;
};

struct order_item {
	char		*sku;
	char		*title;
	int		 qty;
	int64_t		 unit_price_cents;
};

struct shipment {
	char		 id[UUID_STRLEN + 1];
	char		*carrier;
	char		*tracking;
	char		*status;
	int64_t		 shipped_at;
	int64_t		 delivered_at;
};

struct order {
	char			 id[UUID_STRLEN + 1];
	char			*number;
	char			*status;
	char			*currency;
	int64_t			 total_cents;
	int64_t			 placed_at;
	struct order_item	*items;
	size_t			 nitems;
	struct shipment		*shipments;
	size_t			 nshipments;
};

struct customer_360 {
	char		 id[UUID_STRLEN + 1];
	char		*name;
	char		*email;
	char		*phone;
	char		*company;
	int64_t		 created_at;
	struct identity	*identities;
	size_t		 nidentities;
	struct order	*orders;	/* newest first */
	size_t		 norders;
	struct ticket_list tickets;	/* newest first */
};
int	 replica_customer_get(struct replica *, const char *id,
	     struct customer_360 **, char **);
int	 replica_order_customer(struct replica *, const char *number,
	     char customer_id[UUID_STRLEN + 1], char order_id[UUID_STRLEN + 1],
	     char **);
void	 customer_360_free(struct customer_360 *);

/* replica-search.c: ranked full-text search with highlighted snippets. */
enum search_kind {
	SEARCH_TICKET,
	SEARCH_MESSAGE,
	SEARCH_CUSTOMER,
	SEARCH_ORDER,
	SEARCH_ARTICLE		/* the playbook's knowledge base; id: its rid */
};
const char *search_kind_name(enum search_kind);

/* Snippets mark matches with these bytes: SEARCH_MARK_ON word SEARCH_MARK_OFF. */
#define SEARCH_MARK_ON		'\x01'
#define SEARCH_MARK_OFF		'\x02'

struct search_hit {
	enum search_kind kind;
	char		 id[UUID_STRLEN + 1];	/* the entity found */
	char		 ticket_id[UUID_STRLEN + 1];	/* tickets, messages */
	int64_t		 ticket_number;
	char		 customer_id[UUID_STRLEN + 1];	/* customers, orders */
	char		*title;		/* subject, name or order number */
	char		*snippet;	/* with match marks */
	double		 score;		/* lower is better */
	int		 exact;		/* #number or exact order number */
	int		 lead;		/* a best article: before the rest */
};
struct search_result {
	struct search_hit	*v;
	size_t			 n;
};
#define SEARCH_PREFIX		0x1	/* the last word is a prefix */
int	 replica_search(struct replica *, const char *, size_t, int,
	     struct search_result *, char **);
void	 search_result_free(struct search_result *);
char	*search_fts_query(const char *, int prefix);	/* Caller frees. */

/* replica-outbox.c: local changes waiting for the server. */
enum outbox_state {
	OUTBOX_PENDING,
	OUTBOX_APPLIED,
	OUTBOX_REJECTED,
	OUTBOX_CONFLICT,
	OUTBOX_DISCARDED,	/* undone locally; pushed as a no-op */
	OUTBOX_RETRIED		/* answered, then queued again as a new entry */
};
const char *outbox_state_name(enum outbox_state);

struct outbox_entry {
	int64_t		 seq;
	char		 mutation_id[UUID_STRLEN + 1];
	char		*type;
	char		*ticket_id;
	int64_t		 ticket_number;
	char		*entity_id;
	char		*payload;	/* JSON object */
	enum outbox_state state;
	char		*reason;
	int64_t		 rev;
	int		 attempts;
	int64_t		 created_at;
};
struct outbox_list {
	struct outbox_entry	*v;
	size_t			 n;
};
/* Must run inside the transaction that makes the local change. */
int	 replica_outbox_append(struct replica *, const char *type,
	     const char *ticket_id, const char *entity_id, const char *payload,
	     int64_t *seq, char **);
int	 replica_outbox_list(struct replica *, unsigned int statemask,
	     struct outbox_list *, char **);
int	 replica_outbox_mark(struct replica *, int64_t, enum outbox_state,
	     const char *reason, int64_t rev, char **);
int	 replica_outbox_count(struct replica *, enum outbox_state, int64_t *,
	     char **);
void	 outbox_list_free(struct outbox_list *);
#define OUTBOX_MASK(s)	(1u << (s))

/* replica-outbox-text.c: entries in words (translated; data unsanitised). */
const char *outbox_type_label(const char *);
const char *outbox_state_label(enum outbox_state);
const char *outbox_ticket_label(const struct outbox_entry *, char *, size_t);
char	*replica_outbox_describe(struct replica *,
	     const struct outbox_entry *, int);	/* Caller frees. */
#define OUTBOX_TEXT_ASCII	0x1	/* "->" and "...", not "→" and "…" */

/* replica-draft.c: reply and note drafts that survive a crash. */
int	 replica_draft_save(struct replica *, const char *ticket_id,
	     const char *kind, const char *body, const char *macro_commit,
	     char **);
int	 replica_draft_load(struct replica *, const char *ticket_id,
	     const char *kind, char **body, char **macro_commit, char **);
int	 replica_draft_delete(struct replica *, const char *, const char *,
	     char **);

/*
 * replica-action.c: local actions on tickets. Each writes the local change
 * and its outbox entries in one transaction (all or nothing).
 */
struct ticket_change {
	int		 status;	/* -1: unchanged */
	int		 priority;	/* -1: unchanged */
	int		 set_assignee;
	const char	*assignee_id;	/* NULL: unassign */
	int		 set_team;
	const char	*team_id;	/* NULL: no team */
	int		 set_category;
	const char	*category;	/* NULL clears */
	const char *const *tags_add;
	size_t		 ntags_add;
	const char *const *tags_remove;
	size_t		 ntags_remove;
};
void	 ticket_change_init(struct ticket_change *);
int	 ticket_change_validate(const struct ticket_change *, char **);
int	 replica_act_body_check(const char *, size_t, char **);
#define REPLICA_REPLY_NOTE	0x1	/* an internal note */
#define REPLICA_REPLY_DRAFT	0x2	/* the draft goes with it */
int	 replica_act_reply(struct replica *, const char *ticket_id,
	     const char *body, int flags, const char *seen_message_id,
	     const char *macro_commit, char msg_id[UUID_STRLEN + 1],
	     int64_t *seq, char **);
int	 replica_act_set(struct replica *, const char *ticket_id,
	     const struct ticket_change *, int *nqueued, char **);
int	 replica_act_bulk_set(struct replica *, const char *const *ticket_ids,
	     size_t, const struct ticket_change *, int *nqueued, char **);
int	 replica_team_by_name(struct replica *, const char *, char **id,
	     char **);

/* replica-edit.c: a ticket change from words ("solved", "me", "+vip"). */
struct ticket_edit {
	struct ticket_change	 c;
	char			*assignee_id;	/* what c points into */
	char			*team_id;
	char			*category;
	char			**add;
	size_t			 nadd;
	char			**remove;
	size_t			 nremove;
};
#define TICKET_EDIT_BAD	1	/* a value that is wrong; *cause says why */
void	 ticket_edit_init(struct ticket_edit *);
void	 ticket_edit_free(struct ticket_edit *);
int	 replica_edit_field(struct replica *, struct ticket_edit *,
	     const char *field, const char *text, char **);
int	 replica_edit_actions(struct replica *, struct ticket_edit *,
	     const char *actions, char **);

/*
 * replica-undo.c: retrying and discarding outbox entries. A discarded entry
 * keeps its seq (the server needs seqs without gaps) and is pushed as a
 * no-op; its local change is undone in the same transaction.
 */
int	 replica_outbox_overlay(struct replica *, const char *ticket_id,
	     int64_t rev, char **);
int	 replica_outbox_retry(struct replica *, int64_t seq, int64_t *newseq,
	     char **);
int	 replica_outbox_discard(struct replica *, int64_t seq, char **);
char	*replica_user_name(struct replica *, const char *id); /* Caller frees */
char	*replica_team_name(struct replica *, const char *id); /* Caller frees */

/* replica-put.c: upsert one synced row (the generator and sync use these). */
int	 replica_put_org(struct replica *, const struct org_rec *, char **);
int	 replica_put_sla(struct replica *, const struct sla_rec *, char **);
int	 replica_put_team(struct replica *, const struct team_rec *, char **);
int	 replica_put_user(struct replica *, const struct user_rec *, char **);
int	 replica_put_customer(struct replica *, const struct customer_rec *,
	     char **);
int	 replica_put_identity(struct replica *, const struct identity_rec *,
	     char **);
int	 replica_put_order(struct replica *, const struct order_rec *, char **);
int	 replica_put_order_item(struct replica *,
	     const struct order_item_rec *, char **);
int	 replica_put_shipment(struct replica *, const struct shipment_rec *,
	     char **);
int	 replica_put_ticket(struct replica *, const struct ticket_rec *,
	     char **);
int	 replica_put_message(struct replica *, const struct message_rec *,
	     char **);
int	 replica_put_attachment(struct replica *,
	     const struct attachment_rec *, char **);
int	 replica_put_event(struct replica *, const struct event_rec *, char **);

/* replica-notify.c: the agent's notifications and availability (issue 7). */
struct notification {
	char		 id[UUID_STRLEN + 1];
	char		*kind;		/* assigned, mention, sla_breach, ... */
	char		 ticket_id[UUID_STRLEN + 1];	/* "" if none */
	int64_t		 number;	/* the ticket's, 0 if not here */
	char		*subject;
	char		*actor;		/* who did it, NULL: the system */
	char		*detail;	/* the SLA step, or a message id */
	int64_t		 created_at;
	int64_t		 read_at;	/* 0: unread */
};
struct notification_list {
	struct notification	*v;
	size_t			 n;
};
const char *notification_kind_label(const char *);
int64_t	 replica_notify_cursor(struct replica *);
int	 replica_notify_store(struct replica *, json_t *, int64_t, char **);
int	 replica_notify_unread(struct replica *, int64_t *, char **);
int	 replica_notify_list(struct replica *, int unread, size_t,
	     struct notification_list *, char **);
void	 notification_list_free(struct notification_list *);
int	 replica_notify_read(struct replica *, const char *const *, size_t,
	     int *, char **);
int	 replica_available(struct replica *);
int	 replica_set_available(struct replica *, int, char **);

/* replica-playbook.c: the playbook's macros and articles (issue 6). */
struct playbook;
struct replica_playbook {
	char		 commit[41];	/* the copy in use, "" if none */
	int64_t		 synced_at;	/* ms, the last fetch that worked */
	char		*notice;	/* why the last fetch failed, or NULL */
	size_t		 macros;
	size_t		 articles;
};
struct replica_macro {
	char		*name;
	char		*path;
	char		*title;
	char		*tags;
	char		*actions;	/* JSON: [["status", "pending"], ...] */
	char		*body;
	char		*commit;
};
struct replica_macro_context {	/* as playbook_var_names; NULL: none */
	char		*customer_name;
	char		*customer_first_name;
	char		*ticket_number;
	char		*ticket_subject;
	char		*order_number;
	char		*order_tracking;
	char		*order_carrier;
	char		*agent_name;
	char		*agent_signature;
};
struct replica_article {
	char		*name;
	char		*title;
	char		*tags;
	char		*snippet;	/* the match between \1 and \2 */
	char		*body;
	char		*path;
	char		*commit;
};
int	 replica_playbook_store(struct replica *, const struct playbook *,
	     char **);
int	 replica_playbook_notice(struct replica *, const char *, char **);
int	 replica_playbook_state(struct replica *, struct replica_playbook *,
	     char **);
int	 replica_macros(struct replica *, struct replica_macro **, size_t *,
	     char **);
int	 replica_macro(struct replica *, const char *,
	     struct replica_macro *, char **);
void	 replica_macro_free(struct replica_macro *);
int	 replica_macro_context(struct replica *, int64_t,
	     struct replica_macro_context *, char **);
void	 replica_macro_context_free(struct replica_macro_context *);
int	 replica_kb_search(struct replica *, const char *, size_t,
	     struct replica_article **, size_t *, char **);
int	 replica_article(struct replica *, int64_t,
	     struct replica_article *, char **);
void	 replica_article_free(struct replica_article *);

/*
 * replica-stats.c: the dashboard's figures (issue 7), at one moment `now`.
 * The definitions are in replica-stats.c and the manual; in short: open
 * is new, open, pending or on hold; days are UTC days and a window of N
 * days is today and the N - 1 days before it, by creation time.
 */
#define STATS_OPEN_STATUSES	4	/* new, open, pending, on hold */
#define STATS_SPARK_DAYS	14	/* new tickets per day, today last */
#define STATS_SOON_MS		INT64_C(7200000)	/* "due soon": 2 hours */
enum stats_window {
	STATS_7_DAYS,
	STATS_30_DAYS
};
#define STATS_WINDOWS		2
struct stats_sla {
	int64_t		 counted;	/* due and answered, or past due */
	int64_t		 met;		/* answered by the due time */
};
struct stats_times {			/* tickets created in 30 days */
	int64_t		 count;		/* 0: no data */
	int64_t		 median;	/* ms */
	int64_t		 p90;		/* ms */
};
struct stats_team {
	char		*id;		/* NULL: tickets without a team */
	char		*name;		/* NULL: no such team in the replica */
	int64_t		 open;
	int64_t		 weighted;	/* open x (low 1 .. urgent 4) */
};
struct replica_stats {
	int64_t		 now;		/* ms */
	int64_t		 today;		/* UTC day number: ms / 86400000 */
	int64_t		 open;
	int64_t		 by_status[STATS_OPEN_STATUSES];
	int64_t		 by_priority[TICKET_PRIORITY_COUNT];
	struct stats_sla first_response[STATS_WINDOWS];
	struct stats_sla resolution[STATS_WINDOWS];
	struct stats_times first_response_time;
	struct stats_times resolution_time;
	int64_t		 new_per_day[STATS_SPARK_DAYS];	/* oldest first */
	int		 have_me;	/* 0: no current user, no queue */
	int64_t		 mine;		/* open, assigned to me */
	int64_t		 mine_soon;	/* clock runs out within 2 hours */
	int64_t		 mine_breached;	/* clock ran out */
	struct stats_team *teams;	/* most weighted load first */
	size_t		 nteams;
};
int	 replica_stats(struct replica *, int64_t now, const char *me,
	     struct replica_stats *, char **);
void	 replica_stats_free(struct replica_stats *);
int64_t	 replica_stats_permille(const struct stats_sla *); /* -1: no data */
int	 replica_stats_weight(int priority);

/* replica-gen.c: fill a replica from the generator. */
int	 replica_generate(struct replica *, const struct gen_opts *,
	     void (*)(void *, int64_t, int64_t), void *, struct gen_stats *,
	     char **);

#endif
