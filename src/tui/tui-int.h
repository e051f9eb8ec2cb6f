/* tui-int.h: what the console's own files share: the loop, views, drawing, keys. */
#ifndef TRIAGE_TUI_INT_H
#define TRIAGE_TUI_INT_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <pthread.h>

#include "replica/replica.h"
#include "sync/sync.h"
#include "sync/sync.h"
#include "tui.h"

/*
 * Screen layout: row 0 is the title bar (view name, saved views and their
 * counts), rows 1 .. LINES - 3 belong to the view, row LINES - 2 is the
 * status bar and row LINES - 1 the message/prompt line.
 */
#define TUI_VIEW_TOP	1
#define TUI_VIEW_ROWS	(LINES - 3 > 1 ? LINES - 3 : 1)

/* Theme elements: each has colours and attributes from the theme. */
enum tui_elem {
	EL_NORMAL,
	EL_TITLE,
	EL_TITLE_ACTIVE,
	EL_STATUS,
	EL_MESSAGE,
	EL_ERROR,
	EL_CURSOR,
	EL_MARKED,
	EL_HEADER,
	EL_LABEL,
	EL_DIM,
	EL_PENDING,
	EL_REJECTED,
	EL_PRIO_LOW,
	EL_PRIO_NORMAL,
	EL_PRIO_HIGH,
	EL_PRIO_URGENT,
	EL_SLA_OK,
	EL_SLA_SOON,
	EL_SLA_BREACHED,
	EL_CUSTOMER,
	EL_AGENT,
	EL_NOTE,
	EL_SYSTEM,
	EL_MATCH,
	EL_COUNT
};

/* Keymap contexts: a key is looked up in the view's context, then global. */
enum tui_ctx {
	CTX_GLOBAL,
	CTX_QUEUE,
	CTX_TICKET,
	CTX_CUSTOMER,
	CTX_SEARCH,
	CTX_OUTBOX,
	CTX_HELP,
	CTX_NOTIFY,
	CTX_COUNT
};

/* Every action a key can be bound to. The table in keymap.c names them. */
enum tui_action {
	ACT_NONE,
	/* movement, in every list-like view */
	ACT_DOWN,
	ACT_UP,
	ACT_PAGE_DOWN,
	ACT_PAGE_UP,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_OPEN,
	ACT_BACK,
	ACT_QUIT,
	ACT_HELP,
	ACT_COMMAND,
	ACT_SEARCH,
	ACT_OUTBOX,
	ACT_DASHBOARD,
	ACT_REDRAW,
	/* queue */
	ACT_LIMIT,
	ACT_SORT,
	ACT_JUMP,
	ACT_MARK,
	ACT_MARK_CLEAR,
	ACT_BULK,
	ACT_VIEW_NEXT,
	ACT_VIEW_PREV,
	ACT_VIEW_1,
	ACT_VIEW_2,
	ACT_VIEW_3,
	ACT_VIEW_4,
	ACT_VIEW_5,
	ACT_VIEW_6,
	ACT_VIEW_7,
	ACT_VIEW_8,
	ACT_VIEW_9,
	/* ticket actions (queue and ticket view) */
	ACT_REPLY,
	ACT_NOTE,
	ACT_STATUS,
	ACT_PRIORITY,
	ACT_ASSIGN,
	ACT_ASSIGN_ME,
	ACT_TEAM,
	ACT_CATEGORY,
	ACT_TAGS,
	ACT_MACRO,
	/* ticket view */
	ACT_NEXT_MESSAGE,
	ACT_PREV_MESSAGE,
	ACT_EVENTS,
	ACT_ATTACHMENTS,
	ACT_CUSTOMER,
	/* outbox */
	ACT_RETRY,
	ACT_EDIT,
	ACT_DISCARD,
	/* notifications */
	ACT_NOTIFICATIONS,
	ACT_MARK_READ,
	ACT_MARK_ALL_READ,
	ACT_COUNT_
};

/* What a view's key handler did with a key. */
#define VIEW_UNHANDLED	0x0
#define VIEW_HANDLED	0x1
#define VIEW_REDRAW	0x2

struct tui;
struct view;

/* A job for the background reader (counts and searches). */
enum worker_job {
	JOB_COUNT,
	JOB_SEARCH,
	JOB_POSITION		/* rows before a ticket in a sorted query */
};

/* What the background reader hands back (worker.c). */
struct worker_result {
	enum worker_job		 job;
	uint64_t		 tag;		/* what the caller asked under */
	char			*text;		/* the query or search text */
	char			 id[UUID_STRLEN + 1];	/* JOB_POSITION's ticket */
	int64_t			 count;		/* or the position */
	struct search_result	 hits;
	char			*error;
};

/* A view plugs in like tig's: one file each, ending in its view_ops. */
struct view_ops {
	const char	*name;
	enum tui_ctx	 ctx;
	int		(*open)(struct view *, const void *arg, char **cause);
	void		(*draw)(struct view *);
	int		(*key)(struct view *, enum tui_action, wint_t, int);
	void		(*reload)(struct view *);	/* replica changed */
	void		(*close)(struct view *);
	/* Optional: the ticket id an action should apply to (NULL: none). */
	const char	*(*current_ticket)(struct view *);
	/* Optional: a worker result (count, search) came back. */
	void		(*result)(struct view *, const struct worker_result *);
	/* Optional: where the cursor is, for the status bar ("12/340"). */
	void		(*position)(struct view *, char *, size_t);
	/* Optional: where the terminal's cursor goes (1), or hidden (0). */
	int		(*cursor)(struct view *, int *, int *);
};

struct view {
	const struct view_ops	*ops;
	struct tui		*tui;
	void			*data;
	struct view		*prev;		/* the view below on the stack */
};

/* Console-wide state, owned by the UI thread (see tui.c). */
struct tui {
	struct replica		*r;
	const char		*replica_path;
	struct config		*cfg;
	struct view		*top;		/* the view on screen */
	int			 quit;
	int			 dirty;		/* repaint everything */
	int			 ascii;		/* no UTF-8 locale: ASCII fallbacks */
	int			 color;
	int			 bell;

	/* The message line: a notice or an error, until the next key. */
	char			*message;
	int			 message_error;

	/* Status bar facts. */
	int64_t			 pending;	/* outbox entries not yet applied */
	int64_t			 rejected;
	int64_t			 conflicts;
	int64_t			 unread;	/* notifications */
	int			 away;		/* not available for assignment */

	/* Saved views and their live counts (-1: not counted yet). */
	struct saved_view_list	 views;
	int64_t			*view_counts;
	size_t			 current_view;

	/* The background reader (worker.c). */
	struct worker		*worker;
	struct sync_thread	*sync;		/* NULL: not logged in */
	struct sync_status	 sync_st;	/* as last read */
	struct playbook_thread	*playbook;	/* NULL: no playbook.url */
	uint64_t		 playbook_fetches;	/* as last read */
	char			*playbook_notice;	/* the last fetch failed */
	char			 playbook_commit[41];	/* as last read */
	int			 wake[2];	/* worker -> UI: one byte per event */

	/* --trace */
	FILE			*trace;
	int64_t			 trace_start;
	int64_t			 draw_ns;	/* last repaint: drawing */
	int64_t			 out_ns;		/* last repaint: refresh() */
};

/* tui.c */
void		 tui_push(struct tui *, const struct view_ops *, const void *);
void		 tui_pop(struct tui *);
void		 tui_repaint(struct tui *);
void		 tui_notice(struct tui *, const char *, ...) printflike(2, 3);
void		 tui_error(struct tui *, const char *, ...) printflike(2, 3);
void		 tui_trace(struct tui *, const char *, ...) printflike(2, 3);
void		 tui_data_changed(struct tui *);
void		 tui_refresh_counts(struct tui *);
int		 tui_list_move(enum tui_action, size_t *, size_t, size_t);
int		 tui_run_command(struct tui *, const char *);

/* draw.c: every string from data goes through these (the sanitiser). */
void		 draw_set_ascii(int);
int		 draw_text(int y, int x, const char *, int cols, enum tui_elem);
int		 draw_text_n(int y, int x, const char *, size_t, int cols,
		     enum tui_elem);
int		 draw_marked(int y, int x, const char *, int cols, enum tui_elem,
		     enum tui_elem);
void		 draw_fill(int y, int x, int cols, enum tui_elem);
void		 draw_clear_view(void);
void		 draw_title(struct tui *, const char *);
void		 draw_status(struct tui *);
void		 draw_message(struct tui *);
int		 draw_width(const char *);
size_t		 draw_wrap(const char *, size_t, int, size_t *);
#define DRAW_FLAG_VARS	0x1	/* "{{ ... }}" shown as an error */
int		 draw_body(int, int, int, int, const char *, int, int);
const char	*draw_glyph(struct tui *, const char *, const char *);

/* theme.c */
void		 theme_init(struct tui *);
attr_t		 theme_attr(enum tui_elem);
short		 theme_pair(enum tui_elem);
const char	*theme_elem_name(enum tui_elem);

/* keymap.c */
struct keymap_entry {
	enum tui_action	 action;
	const char	*name;
	enum tui_ctx	 ctx;
	const char	*keys;		/* default keys, space-separated */
	const char	*help;
};
extern const struct keymap_entry keymap_table[];
int		 keymap_init(struct config *, char **);
enum tui_action	 keymap_lookup(enum tui_ctx, wint_t, int);
char		*keymap_keys(enum tui_action, enum tui_ctx); /* Caller frees */
const char	*keymap_ctx_name(enum tui_ctx);

/* prompt.c: one line of input on the message line. */
#define PROMPT_OK	0
#define PROMPT_CANCEL	1
struct prompt_hooks {
	/*
	 * Check the text so far after every edit: 0 if fine, else -1 with
	 * the error's 1-based column, its length and a message (the prompt
	 * frees it). Enter is refused while the text has an error.
	 */
	int		(*check)(void *, const char *, int *, int *, char **);
	void		*arg;
};
int		 prompt_read(struct tui *, const char *label, const char *init,
		     const struct prompt_hooks *, char **out);
int		 prompt_confirm(struct tui *, const char *);
int		 prompt_edit(struct editbuf *, wint_t, int);
int		 prompt_choose(struct tui *, const char *, const char *const *,
		     size_t, int *);

/* worker.c: counts and searches on a second connection, off the UI thread.
 * Tags below TAG_VIEW are the saved views' counts; views use TAG_VIEW | n. */
#define TAG_VIEW	(UINT64_C(1) << 62)
struct worker;
struct worker	*worker_start(const char *path, int wakefd, char **);
void		 worker_stop(struct worker *);
void		 worker_count(struct worker *, uint64_t, const char *);
void		 worker_search(struct worker *, uint64_t, const char *, size_t);
void		 worker_position(struct worker *, uint64_t, const char *,
		     enum queue_sort, const struct ticket *);
int		 worker_take(struct worker *, struct worker_result *);
void		 worker_result_free(struct worker_result *);

/* commands.c: the ':' table, for the help view. */
int		 command_help(size_t, const char **, const char **,
		     const char **);

/* actions.c: ticket actions shared by the queue, ticket view and ':' */
int		 action_run(struct tui *, enum tui_action,
		     const char *const *ids, size_t n);
int		 action_command(struct tui *, const char *verb, const char *arg,
		     const char *const *ids, size_t n);

/* The views, and what other files may ask of them. */
int		 view_queue_select(struct view *, const char *);
int		 view_queue_set(struct view *, int, const char *);
extern const struct view_ops view_queue_ops;
extern const struct view_ops view_ticket_ops;
extern const struct view_ops view_customer_ops;
extern const struct view_ops view_search_ops;
extern const struct view_ops view_outbox_ops;
extern const struct view_ops view_dashboard_ops;
extern const struct view_ops view_help_ops;
extern const struct view_ops view_compose_ops;
extern const struct view_ops view_macro_ops;
extern const struct view_ops view_article_ops;	/* arg: the article's rid */
extern const struct view_ops view_notify_ops;
void		 view_compose_insert(struct view *, const char *,
		     const char *, const char *);
void		 view_compose_resume(struct view *);

/* Arguments views are opened with. */
struct view_ticket_arg {
	const char	*ticket_id;
	const char	*message_id;	/* scroll to this message; may be NULL */
};
struct view_compose_arg {
	const char	*ticket_id;
	int		 internal;
	const char	*insert;	/* text to add to the draft, or NULL */
	const char	*macro_commit;	/* the playbook's, if insert is a macro */
	const char	*notice;	/* for the message line once open */
};
struct view_macro_arg {
	const char	*ticket_id;
	const char	*filter;	/* what is typed already, or NULL */
};

#endif
